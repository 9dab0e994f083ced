"""evidence library, catalogs, crosswalks, packs, share links (issue 6)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "control_catalog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("control_catalog", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_control_catalog_key"), ["key"], unique=True)

    op.create_table(
        "crosswalk_edge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=140), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=140), nullable=False),
        sa.Column("relationship", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "target"),
    )
    with op.batch_alter_table("crosswalk_edge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crosswalk_edge_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_crosswalk_edge_target"), ["target"], unique=False)

    op.create_table(
        "catalog_control",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.Integer(), nullable=False),
        sa.Column("control_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("family", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalog_id"],
            ["control_catalog.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("catalog_id", "control_id"),
    )
    with op.batch_alter_table("catalog_control", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_control_catalog_id"), ["catalog_id"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("controls", sa.JSON(), nullable=False),
        sa.Column("confidentiality", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_org_id"), ["org_id"], unique=False)

    op.create_table(
        "entry_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("entry_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "entry_key", "evidence_id"),
    )
    with op.batch_alter_table("entry_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_evidence_entry_key"), ["entry_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_entry_evidence_evidence_id"), ["evidence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entry_evidence_org_id"), ["org_id"], unique=False)

    op.create_table(
        "evidence_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("built_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("built_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence_pack", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_pack_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_evidence_pack_questionnaire_id"), ["questionnaire_id"], unique=False
        )

    op.create_table(
        "evidence_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evidence_id", "version"),
    )
    with op.batch_alter_table("evidence_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_version_evidence_id"), ["evidence_id"], unique=False)

    op.create_table(
        "share_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("recipient_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("require_nda", sa.Boolean(), nullable=False),
        sa.Column("max_downloads", sa.Integer(), nullable=True),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["evidence_pack.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("share_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_link_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_share_link_pack_id"), ["pack_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_share_link_recipient_email"), ["recipient_email"], unique=False)
        batch_op.create_index(batch_op.f("ix_share_link_token_sha256"), ["token_sha256"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("share_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_link_token_sha256"))
        batch_op.drop_index(batch_op.f("ix_share_link_recipient_email"))
        batch_op.drop_index(batch_op.f("ix_share_link_pack_id"))
        batch_op.drop_index(batch_op.f("ix_share_link_org_id"))

    op.drop_table("share_link")
    with op.batch_alter_table("evidence_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_version_evidence_id"))

    op.drop_table("evidence_version")
    with op.batch_alter_table("evidence_pack", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_pack_questionnaire_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_pack_org_id"))

    op.drop_table("evidence_pack")
    with op.batch_alter_table("entry_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_evidence_org_id"))
        batch_op.drop_index(batch_op.f("ix_entry_evidence_evidence_id"))
        batch_op.drop_index(batch_op.f("ix_entry_evidence_entry_key"))

    op.drop_table("entry_evidence")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_org_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("catalog_control", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_control_catalog_id"))

    op.drop_table("catalog_control")
    with op.batch_alter_table("crosswalk_edge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crosswalk_edge_target"))
        batch_op.drop_index(batch_op.f("ix_crosswalk_edge_source"))

    op.drop_table("crosswalk_edge")
    with op.batch_alter_table("control_catalog", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_control_catalog_key"))

    op.drop_table("control_catalog")

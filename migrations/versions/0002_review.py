"""review tables and org thesaurus

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("family", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "family"),
    )
    with op.batch_alter_table("org_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_term_org_id"), ["org_id"], unique=False)

    op.create_table(
        "questionnaire",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("requester", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("requester_kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reader", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("questionnaire", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_org_id"), ["org_id"], unique=False)

    op.create_table(
        "questionnaire_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("questionnaire_export", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_questionnaire_export_questionnaire_id"), ["questionnaire_id"], unique=False
        )

    op.create_table(
        "questionnaire_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("section", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answer_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("existing_answer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("questionnaire_id", "ref"),
    )
    with op.batch_alter_table("questionnaire_question", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_questionnaire_question_questionnaire_id"), ["questionnaire_id"], unique=False
        )

    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("entry_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("entry_version", sa.Integer(), nullable=True),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("short_answer", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("band", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questionnaire_question.id"],
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id"),
    )
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_questionnaire_id"), ["questionnaire_id"], unique=False)

    op.create_table(
        "draft_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["draft.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("draft_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_comment_draft_id"), ["draft_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("draft_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_comment_draft_id"))

    op.drop_table("draft_comment")
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_questionnaire_id"))

    op.drop_table("draft")
    with op.batch_alter_table("questionnaire_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_question_questionnaire_id"))

    op.drop_table("questionnaire_question")
    with op.batch_alter_table("questionnaire_export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_export_questionnaire_id"))

    op.drop_table("questionnaire_export")
    with op.batch_alter_table("questionnaire", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_org_id"))

    op.drop_table("questionnaire")
    with op.batch_alter_table("org_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_term_org_id"))

    op.drop_table("org_term")

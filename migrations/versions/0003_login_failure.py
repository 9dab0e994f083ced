"""login failures for rate limiting

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_email"), ["email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_email"))
        batch_op.drop_index(batch_op.f("ix_login_failure_at"))
        batch_op.drop_index(batch_op.f("ix_login_failure_address"))

    op.drop_table("login_failure")

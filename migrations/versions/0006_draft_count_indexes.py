"""draft: indexes for the review page's counts and the "assigned to me" filter

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

A draft row carries the matcher's reasons and candidates (JSON, about 1.7 KB), and the only index was on
``questionnaire_id``: counting a questionnaire's approved drafts (every approval does, for the page's
"Approved n of N") or a reviewer's drafts read every row of the questionnaire. With these two the counts
read the index alone, and "mine" reads only the reviewer's rows.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_draft_questionnaire_status_band", "draft", ["questionnaire_id", "status", "band"])
    op.create_index("ix_draft_questionnaire_assigned", "draft", ["questionnaire_id", "assigned_to"])


def downgrade() -> None:
    op.drop_index("ix_draft_questionnaire_assigned", table_name="draft")
    op.drop_index("ix_draft_questionnaire_status_band", table_name="draft")

"""slack_deliveries: each Slack request (command, click, event) handled once

A signed request replayed within Slack's five minutes, retried by Slack, or given to two
replicas claims its trigger_id (or event_id) here first; only the first claim does the work.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_deliveries",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_slack_deliveries")),
    )
    op.create_index(op.f("ix_slack_deliveries_created_at"), "slack_deliveries", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_slack_deliveries_created_at"), table_name="slack_deliveries")
    op.drop_table("slack_deliveries")

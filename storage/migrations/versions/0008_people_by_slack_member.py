"""an index to find a Slack member's memberships in every program of the workspace

Each request looks the caller up by workspace and member ID across programs, and each queued
message asks whether its readers are in several programs: both by (team_id, slack_user_id).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 06:30:00
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_people_team_member", "people", ["team_id", "slack_user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_people_team_member", table_name="people")

"""outbox edits: a row may rewrite another row's Slack message

Taking a note out of a coordinator's DM (a request resolved, a check-in note read) is an outbox
row of its own, delivered with the same retries as a post: `edits_id` names the row whose Slack
message it rewrites, `report_to` who is told how that goes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edits_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch_op.add_column(sa.Column("report_to", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_edits_id"), ["edits_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_outbox_edits_id_outbox"), "outbox", ["edits_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_edits_id_outbox"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_edits_id"))
        batch_op.drop_column("report_to")
        batch_op.drop_column("edits_id")

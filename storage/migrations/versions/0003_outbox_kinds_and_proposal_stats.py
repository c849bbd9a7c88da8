"""outbox kinds in one spelling; drop proposals.stats

Outbox kinds are now named once (storage/outbox_kinds.py), all as `area.event`; rows decided
before keep their meaning under the new names. proposals.stats was written but never read, and
went stale when a coordinator reassigned a resident: the review computes its figures live.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RENAMED = {
    "pairing_ended_notice": "pairing.ended",
    "request_confirmation": "request.confirmation",
    "change_request_alert": "request.alert",
    "rejoined_notice": "request.rejoined",
    "summary": "report.summary",
    "quarter_report": "report.quarter",
    "quarter_chart": "report.quarter_chart",
    "coordinator_notice": "report.notice",
}


def _rename(pairs: dict[str, str]) -> None:
    statement = sa.text("UPDATE outbox SET kind = :new WHERE kind = :old")
    for old, new in pairs.items():
        op.execute(statement.bindparams(old=old, new=new))


def upgrade() -> None:
    _rename(RENAMED)
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("stats")


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stats", sa.JSON(), nullable=False, server_default="{}"))
    # The two neutral notices share one kind now; a downgrade names them all the older way.
    _rename({new: old for old, new in RENAMED.items()})

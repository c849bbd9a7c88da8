"""several programs per workspace: handles, cadence, peer tracks, a wider mentee ceiling

Every program gets a handle (the short name typed after a command, unique in its workspace),
made from its name; a meeting cadence in months (3, what the rule was); and a peer-mentoring
flag (off). The most mentees a program may allow per mentor rises from 2 to 4 (a program's own
maximum stays what it was), so the checks on mentor slots and offered capacity widen with it.
Nothing else changes: roster rows were already one per program (a membership), and every
program-scoped row already carried its program.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:00:00
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CEILING = 4
# Partial unique indexes on pairings, recreated after SQLite rebuilds the table.
PAIRING_INDEXES = {
    "uq_pairings_active_resident": ["resident_id"],
    "uq_pairings_active_mentor_slot": ["mentor_id", "mentor_slot"],
}
ACTIVE = sa.text("ended_on IS NULL")


def _handle(name: str, taken: set[str]) -> str:
    """A frozen copy of mentoring.programs.handle_from_name, plus a suffix when taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    handle = "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))[:30].strip("-")
    if not handle or not handle[0].isalpha():
        handle = f"program-{handle}".strip("-")[:30]
    if len(handle) < 2:
        handle = f"{handle}-program"
    candidate, number = handle, 2
    while candidate in taken:
        candidate = f"{handle[:26]}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def _swap_check(table: str, name: str, old: str, new: str, *, upgrade: bool) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
        batch_op.create_check_constraint(name, new if upgrade else old)


def _rebuild_pairing_indexes() -> None:
    """SQLite's table rebuild may lose an index's WHERE clause: drop and recreate them as partial."""
    bind = op.get_bind()
    existing = {index["name"] for index in sa.inspect(bind).get_indexes("pairings")}
    for name, columns in PAIRING_INDEXES.items():
        if name in existing:
            op.drop_index(name, table_name="pairings")
        op.create_index(name, "pairings", columns, unique=True, sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def upgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handle", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("cadence_months", sa.Integer(), server_default="3", nullable=False))
        batch_op.add_column(sa.Column("peer_mentoring", sa.Boolean(), server_default=sa.text("false"), nullable=False))

    bind = op.get_bind()
    taken_by_team: dict[str, set[str]] = {}
    for program_id, team_id, name in bind.execute(sa.text("SELECT id, team_id, name FROM programs ORDER BY id")):
        handle = _handle(name, taken_by_team.setdefault(team_id, set()))
        bind.execute(sa.text("UPDATE programs SET handle = :handle WHERE id = :id"), {"handle": handle, "id": program_id})

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.alter_column("handle", existing_type=sa.String(length=30), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_programs_team_id_handle"), ["team_id", "handle"])
        batch_op.drop_constraint(op.f("ck_programs_max_mentees"), type_="check")
        batch_op.create_check_constraint("max_mentees", f"max_mentees_per_mentor BETWEEN 1 AND {CEILING}")
        batch_op.create_check_constraint("cadence_months", "cadence_months BETWEEN 1 AND 12")
    _swap_check("mentor_offers", "capacity_range", "capacity BETWEEN 0 AND 2", f"capacity BETWEEN 0 AND {CEILING}", upgrade=True)
    _swap_check("pairings", "mentor_slot", "mentor_slot IN (1, 2)", f"mentor_slot BETWEEN 1 AND {CEILING}", upgrade=True)
    _rebuild_pairing_indexes()


def downgrade() -> None:
    # Refused rather than lossy: a program allowing more than 2 mentees cannot go back.
    _swap_check("pairings", "mentor_slot", "mentor_slot IN (1, 2)", f"mentor_slot BETWEEN 1 AND {CEILING}", upgrade=False)
    _swap_check("mentor_offers", "capacity_range", "capacity BETWEEN 0 AND 2", f"capacity BETWEEN 0 AND {CEILING}", upgrade=False)
    _rebuild_pairing_indexes()
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_programs_cadence_months"), type_="check")
        batch_op.drop_constraint(op.f("ck_programs_max_mentees"), type_="check")
        batch_op.create_check_constraint("max_mentees", "max_mentees_per_mentor BETWEEN 1 AND 2")
        batch_op.drop_constraint(batch_op.f("uq_programs_team_id_handle"), type_="unique")
        batch_op.drop_column("peer_mentoring")
        batch_op.drop_column("cadence_months")
        batch_op.drop_column("handle")

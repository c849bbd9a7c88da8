"""pauses, check-ins and meeting plans

Pauses of a pairing's meetings, check-in prompts, anonymous answers and notes to the
coordinators, the day a pair plans to meet, and the program's small-group minimum.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 01:55:57.053870
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_in_answers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("meeting", "quarterly", "ending", name="checkinkind", native_enum=False, length=32), nullable=False
        ),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name=op.f("ck_check_in_answers_quarter_range")),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_check_in_answers_score_range")),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_check_in_answers_program_id_programs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_in_answers")),
    )
    with op.batch_alter_table("check_in_answers", schema=None) as batch_op:
        batch_op.create_index("ix_check_in_answers_program_period", ["program_id", "academic_year", "quarter"], unique=False)

    op.create_table(
        "check_in_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind", sa.Enum("meeting", "quarterly", "ending", name="checkinkind", native_enum=False, length=32), nullable=False
        ),
        sa.Column("subject_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_check_in_notes_author_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pairing_id"], ["pairings.id"], name=op.f("fk_check_in_notes_pairing_id_pairings"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_check_in_notes_program_id_programs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["read_by_id"], ["people.id"], name=op.f("fk_check_in_notes_read_by_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_in_notes")),
    )
    with op.batch_alter_table("check_in_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_in_notes_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_check_in_notes_program_id"), ["program_id"], unique=False)

    op.create_table(
        "check_in_prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("meeting", "quarterly", "ending", name="checkinkind", native_enum=False, length=32), nullable=False
        ),
        sa.Column("subject_on", sa.Date(), nullable=False),
        sa.Column("state", sa.Enum("open", "done", name="checkinstate", native_enum=False, length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pairing_id"], ["pairings.id"], name=op.f("fk_check_in_prompts_pairing_id_pairings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_check_in_prompts_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_check_in_prompts_program_id_programs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_in_prompts")),
        sa.UniqueConstraint(
            "person_id", "pairing_id", "kind", "subject_on", name=op.f("uq_check_in_prompts_person_id_pairing_id_kind_subject_on")
        ),
    )
    with op.batch_alter_table("check_in_prompts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_in_prompts_pairing_id"), ["pairing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_check_in_prompts_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_check_in_prompts_program_id"), ["program_id"], unique=False)

    op.create_table(
        "meeting_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pairing_id"], ["pairings.id"], name=op.f("fk_meeting_plans_pairing_id_pairings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["planned_by_id"], ["people.id"], name=op.f("fk_meeting_plans_planned_by_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_plans")),
        sa.UniqueConstraint("pairing_id", name=op.f("uq_meeting_plans_pairing_id")),
    )
    op.create_table(
        "pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("paused_by_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("ended_early", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("ends_on > starts_on", name=op.f("ck_pauses_ends_after_start")),
        sa.ForeignKeyConstraint(["pairing_id"], ["pairings.id"], name=op.f("fk_pauses_pairing_id_pairings"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["paused_by_id"], ["people.id"], name=op.f("fk_pauses_paused_by_id_people"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_pauses_program_id_programs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pauses")),
    )
    with op.batch_alter_table("pauses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pauses_pairing_id"), ["pairing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pauses_paused_by_id"), ["paused_by_id"], unique=False)
        batch_op.create_index("ix_pauses_program_ends_on", ["program_id", "ends_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_pauses_program_id"), ["program_id"], unique=False)
        batch_op.create_index(
            "uq_pauses_open_pairing",
            ["pairing_id"],
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )

    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_until", sa.Date(), nullable=True))

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_in_minimum_answers", sa.Integer(), server_default="5", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("check_in_minimum_answers")

    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.drop_column("paused_until")

    with op.batch_alter_table("pauses", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_pauses_open_pairing", sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL")
        )
        batch_op.drop_index(batch_op.f("ix_pauses_program_id"))
        batch_op.drop_index("ix_pauses_program_ends_on")
        batch_op.drop_index(batch_op.f("ix_pauses_paused_by_id"))
        batch_op.drop_index(batch_op.f("ix_pauses_pairing_id"))

    op.drop_table("pauses")
    op.drop_table("meeting_plans")
    with op.batch_alter_table("check_in_prompts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_in_prompts_program_id"))
        batch_op.drop_index(batch_op.f("ix_check_in_prompts_person_id"))
        batch_op.drop_index(batch_op.f("ix_check_in_prompts_pairing_id"))

    op.drop_table("check_in_prompts")
    with op.batch_alter_table("check_in_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_in_notes_program_id"))
        batch_op.drop_index(batch_op.f("ix_check_in_notes_author_id"))

    op.drop_table("check_in_notes")
    with op.batch_alter_table("check_in_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_check_in_answers_program_period")

    op.drop_table("check_in_answers")

"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:15:02.972674
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("coordinator_channel_id", sa.String(length=32), nullable=True),
        sa.Column("academic_year_start_month", sa.Integer(), nullable=False),
        sa.Column("academic_year_start_day", sa.Integer(), nullable=False),
        sa.Column("max_mentees_per_mentor", sa.Integer(), nullable=False),
        sa.Column("approaching_days", sa.Integer(), nullable=False),
        sa.Column("missed_every_days", sa.Integer(), nullable=False),
        sa.Column("missed_limit", sa.Integer(), nullable=False),
        sa.Column("escalation_days", sa.Integer(), nullable=False),
        sa.Column("summary_weekday", sa.Integer(), nullable=False),
        sa.Column("summary_hour", sa.Integer(), nullable=False),
        sa.Column("summary_minute", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("academic_year_start_month BETWEEN 1 AND 12", name=op.f("ck_programs_year_start_month")),
        sa.CheckConstraint("max_mentees_per_mentor BETWEEN 1 AND 2", name=op.f("ck_programs_max_mentees")),
        sa.CheckConstraint("summary_weekday BETWEEN 0 AND 6", name=op.f("ck_programs_summary_weekday")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_programs_team_id_name")),
    )
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programs_team_id"), ["team_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column(
            "role", sa.Enum("resident", "faculty", "coordinator", name="role", native_enum=False, length=32), nullable=False
        ),
        sa.Column("is_coordinator", sa.Boolean(), nullable=False),
        sa.Column("pgy", sa.Integer(), nullable=True),
        sa.Column("subspecialty", sa.String(length=120), nullable=True),
        sa.Column("status", sa.Enum("active", "withdrawn", name="personstatus", native_enum=False, length=32), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slack_time_zone", sa.String(length=64), nullable=True),
        sa.Column("slack_time_zone_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role <> 'resident' OR NOT is_coordinator", name=op.f("ck_people_resident_not_coordinator")),
        sa.CheckConstraint("pgy IS NULL OR pgy BETWEEN 1 AND 10", name=op.f("ck_people_pgy_range")),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_people_program_id_programs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("program_id", "team_id", "slack_user_id", name=op.f("uq_people_program_id_team_id_slack_user_id")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_program_id"), ["program_id"], unique=False)

    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column(
            "state", sa.Enum("open", "proposed", "closed", name="roundstate", native_enum=False, length=32), nullable=False
        ),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_rounds_program_id_programs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("program_id", "academic_year", name=op.f("uq_rounds_program_id_academic_year")),
    )
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rounds_program_id"), ["program_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["people.id"], name=op.f("fk_audit_log_actor_id_people"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_audit_log_program_id_programs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["subject_id"], ["people.id"], name=op.f("fk_audit_log_subject_id_people"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_program_id"), ["program_id"], unique=False)

    op.create_table(
        "match_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum("midyear_request", "rematch", "unmatched", name="queuereason", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_match_queue_person_id_people"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_match_queue_program_id_programs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_queue")),
    )
    with op.batch_alter_table("match_queue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_queue_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_match_queue_program_id"), ["program_id"], unique=False)
        batch_op.create_index(
            "uq_match_queue_waiting_person",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )

    op.create_table(
        "mentor_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("subspecialties", sa.JSON(), nullable=False),
        sa.Column("focus_areas", sa.JSON(), nullable=False),
        sa.Column("preferred_residents", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity BETWEEN 0 AND 2", name=op.f("ck_mentor_offers_capacity_range")),
        sa.ForeignKeyConstraint(["mentor_id"], ["people.id"], name=op.f("fk_mentor_offers_mentor_id_people"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_mentor_offers_program_id_programs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_offers")),
        sa.UniqueConstraint("mentor_id", name=op.f("uq_mentor_offers_mentor_id")),
    )
    with op.batch_alter_table("mentor_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentor_offers_program_id"), ["program_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum("pending", "approved", "discarded", name="proposalstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("unmatched_resident_ids", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["people.id"], name=op.f("fk_proposals_decided_by_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_proposals_program_id_programs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_proposals_round_id_rounds"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_program_id"), ["program_id"], unique=False)

    op.create_table(
        "resident_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("subspecialties", sa.JSON(), nullable=False),
        sa.Column("focus_areas", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_resident_preferences_program_id_programs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["people.id"], name=op.f("fk_resident_preferences_resident_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_resident_preferences_round_id_rounds"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_preferences")),
        sa.UniqueConstraint("resident_id", name=op.f("uq_resident_preferences_resident_id")),
    )
    with op.batch_alter_table("resident_preferences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_preferences_program_id"), ["program_id"], unique=False)

    op.create_table(
        "pairings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("mentor_slot", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column(
            "end_reason",
            sa.Enum("change_request", "withdrawal", "coordinator", "year_end", name="endreason", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("last_met_on", sa.Date(), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("next_check_on", sa.Date(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("intro_channel_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mentor_id <> resident_id", name=op.f("ck_pairings_not_self")),
        sa.CheckConstraint("mentor_slot IN (1, 2)", name=op.f("ck_pairings_mentor_slot")),
        sa.ForeignKeyConstraint(["mentor_id"], ["people.id"], name=op.f("fk_pairings_mentor_id_people"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_pairings_program_id_programs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_pairings_proposal_id_proposals"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["resident_id"], ["people.id"], name=op.f("fk_pairings_resident_id_people"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairings")),
    )
    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairings_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index("ix_pairings_program_next_check", ["program_id", "next_check_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairings_program_id"), ["program_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairings_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(
            "uq_pairings_active_mentor_slot",
            ["mentor_id", "mentor_slot"],
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        )
        batch_op.create_index(
            "uq_pairings_active_resident",
            ["resident_id"],
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        )

    op.create_table(
        "proposal_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("resident_rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["people.id"], name=op.f("fk_proposal_pairs_mentor_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_proposal_pairs_proposal_id_proposals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["people.id"], name=op.f("fk_proposal_pairs_resident_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_pairs")),
        sa.UniqueConstraint("proposal_id", "resident_id", name=op.f("uq_proposal_pairs_proposal_id_resident_id")),
    )
    with op.batch_alter_table("proposal_pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_pairs_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_pairs_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_pairs_resident_id"), ["resident_id"], unique=False)

    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("change", "withdraw", name="requestkind", native_enum=False, length=32), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=True),
        sa.Column("counterpart_ids", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("state", sa.Enum("open", "resolved", name="requeststate", native_enum=False, length=32), nullable=False),
        sa.Column("resolution", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pairing_id"], ["pairings.id"], name=op.f("fk_change_requests_pairing_id_pairings"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_change_requests_program_id_programs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["people.id"], name=op.f("fk_change_requests_requester_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["people.id"], name=op.f("fk_change_requests_resolved_by_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
    )
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_requests_program_id"), ["program_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_requests_requester_id"), ["requester_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=False),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["logged_by_id"], ["people.id"], name=op.f("fk_meetings_logged_by_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["pairing_id"], ["pairings.id"], name=op.f("fk_meetings_pairing_id_pairings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("pairing_id", "met_on", name=op.f("uq_meetings_pairing_id_met_on")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_pairing_id"), ["pairing_id"], unique=False)

    op.create_table(
        "nudge_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pairing_id"], ["pairings.id"], name=op.f("fk_nudge_decisions_pairing_id_pairings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_decisions")),
        sa.UniqueConstraint(
            "pairing_id", "kind", "due_on", "sequence", name=op.f("uq_nudge_decisions_pairing_id_kind_due_on_sequence")
        ),
    )
    with op.batch_alter_table("nudge_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nudge_decisions_pairing_id"), ["pairing_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("pairing_id", sa.Integer(), nullable=True),
        sa.Column("recipient_user_ids", sa.JSON(), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=True),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("attachment_name", sa.String(length=200), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quiet_hours", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "state",
            sa.Enum("pending", "sending", "sent", "failed", "cancelled", name="outboxstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pairing_id"], ["pairings.id"], name=op.f("fk_outbox_pairing_id_pairings"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_outbox_program_id_programs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_pairing_id"), ["pairing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_program_id"), ["program_id"], unique=False)
        batch_op.create_index("ix_outbox_state_not_before", ["state", "not_before"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_state_not_before")
        batch_op.drop_index(batch_op.f("ix_outbox_program_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_pairing_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("nudge_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudge_decisions_pairing_id"))

    op.drop_table("nudge_decisions")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_pairing_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_requests_requester_id"))
        batch_op.drop_index(batch_op.f("ix_change_requests_program_id"))

    op.drop_table("change_requests")
    with op.batch_alter_table("proposal_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_pairs_resident_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_pairs_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_pairs_mentor_id"))

    op.drop_table("proposal_pairs")
    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_pairings_active_resident", sqlite_where=sa.text("ended_on IS NULL"), postgresql_where=sa.text("ended_on IS NULL")
        )
        batch_op.drop_index(
            "uq_pairings_active_mentor_slot",
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_pairings_resident_id"))
        batch_op.drop_index(batch_op.f("ix_pairings_program_id"))
        batch_op.drop_index("ix_pairings_program_next_check")
        batch_op.drop_index(batch_op.f("ix_pairings_mentor_id"))

    op.drop_table("pairings")
    with op.batch_alter_table("resident_preferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_preferences_program_id"))

    op.drop_table("resident_preferences")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_program_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("mentor_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_offers_program_id"))

    op.drop_table("mentor_offers")
    with op.batch_alter_table("match_queue", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_match_queue_waiting_person",
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_match_queue_program_id"))
        batch_op.drop_index(batch_op.f("ix_match_queue_person_id"))

    op.drop_table("match_queue")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_program_id"))

    op.drop_table("audit_log")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rounds_program_id"))

    op.drop_table("rounds")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_program_id"))

    op.drop_table("people")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programs_team_id"))

    op.drop_table("programs")
    op.drop_table("idempotency_keys")

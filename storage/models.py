"""The program's data, as typed SQLAlchemy 2.x models.

Every program-scoped row carries `program_id`: one program per workspace today, several later.
Rules that must hold whatever the race (one active mentor per resident, at most two mentees
per mentor, each reminder decided once) are enforced by constraints here, not only in code.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mentoring.cadence import next_due
from mentoring.check_ins import DEFAULT_MINIMUM_ANSWERS, MINIMUM_ANSWERS_FLOOR, CheckInKind
from mentoring.programs import CADENCE_MONTHS_RANGE, DEFAULT_CADENCE_MONTHS, MAX_MENTEES_CEILING


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC datetime is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQL_TRUE = text("true")  # server defaults (class bodies below shadow `text` with a column)
SQL_FALSE = text("false")

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
utc_datetime = Annotated[datetime, mapped_column(UTCDateTime())]
program_fk = Annotated[int, mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)]
person_fk = Annotated[int, mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)]


def _enum(enum_cls: type[enum.Enum], length: int = 32) -> Enum:
    """Enums are stored by value as plain strings: readable in SQL, no PostgreSQL type to migrate."""
    return Enum(
        enum_cls,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Role(str, enum.Enum):
    RESIDENT = "resident"
    FACULTY = "faculty"
    COORDINATOR = "coordinator"


class PersonStatus(str, enum.Enum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class RoundState(str, enum.Enum):
    OPEN = "open"
    PROPOSED = "proposed"
    CLOSED = "closed"


class ProposalState(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DISCARDED = "discarded"


class EndReason(str, enum.Enum):
    CHANGE_REQUEST = "change_request"
    WITHDRAWAL = "withdrawal"
    COORDINATOR = "coordinator"
    YEAR_END = "year_end"


class QueueReason(str, enum.Enum):
    MIDYEAR_REQUEST = "midyear_request"
    REMATCH = "rematch"
    UNMATCHED = "unmatched"


class OutboxState(str, enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RequestKind(str, enum.Enum):
    CHANGE = "change"
    WITHDRAW = "withdraw"


class RequestState(str, enum.Enum):
    OPEN = "open"
    RESOLVED = "resolved"


class Program(Base):
    """One mentorship program. A workspace may hold several (a GME office's internal medicine,
    surgery, a peer-mentoring track); each row below that carries `program_id` belongs to one."""

    __tablename__ = "programs"
    __table_args__ = (
        UniqueConstraint("team_id", "name"),
        UniqueConstraint("team_id", "handle"),
        CheckConstraint(f"max_mentees_per_mentor BETWEEN 1 AND {MAX_MENTEES_CEILING}", name="max_mentees"),
        CheckConstraint(
            f"cadence_months BETWEEN {CADENCE_MONTHS_RANGE.start} AND {CADENCE_MONTHS_RANGE.stop - 1}", name="cadence_months"
        ),
        CheckConstraint("academic_year_start_month BETWEEN 1 AND 12", name="year_start_month"),
        CheckConstraint("summary_weekday BETWEEN 0 AND 6", name="summary_weekday"),
        CheckConstraint(f"check_in_minimum_answers >= {MINIMUM_ANSWERS_FLOOR}", name="check_in_minimum_answers"),
    )

    id: Mapped[intpk]
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    # The short name people type after a command (`/mentor met surgery`) and operators pass to
    # `--program`; unique in the workspace (mentoring/programs.py says what it may be).
    handle: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64))
    coordinator_channel_id: Mapped[str | None] = mapped_column(String(32))
    academic_year_start_month: Mapped[int] = mapped_column(Integer, default=7)
    academic_year_start_day: Mapped[int] = mapped_column(Integer, default=1)
    max_mentees_per_mentor: Mapped[int] = mapped_column(Integer, default=2)
    # Months between meetings (program rule 4: 3).
    cadence_months: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_CADENCE_MONTHS, server_default=str(DEFAULT_CADENCE_MONTHS)
    )
    # A peer-mentoring track: its mentors are senior residents, not faculty (words change, and
    # a mentor's roster row may carry a PGY).
    peer_mentoring: Mapped[bool] = mapped_column(Boolean, default=False, server_default=SQL_FALSE)
    approaching_days: Mapped[int] = mapped_column(Integer, default=14)
    missed_every_days: Mapped[int] = mapped_column(Integer, default=7)
    missed_limit: Mapped[int] = mapped_column(Integer, default=3)
    escalation_days: Mapped[int] = mapped_column(Integer, default=14)
    summary_weekday: Mapped[int] = mapped_column(Integer, default=0)
    summary_hour: Mapped[int] = mapped_column(Integer, default=9)
    summary_minute: Mapped[int] = mapped_column(Integer, default=0)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # The small-group rule: check-in figures rest on at least this many answers (never below 3).
    check_in_minimum_answers: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_MINIMUM_ANSWERS, server_default=str(DEFAULT_MINIMUM_ANSWERS)
    )
    created_at: Mapped[datetime]


class Person(Base):
    """A membership: one Slack member in one program, in one role there. Someone in two
    programs has two rows (faculty in both, or a mentee in one and a peer mentor in another),
    and what they may do is decided by the row of the program at hand."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("program_id", "team_id", "slack_user_id"),
        # Someone's memberships in every program of the workspace (who is asking; who is in several).
        Index("ix_people_team_member", "team_id", "slack_user_id"),
        CheckConstraint("pgy IS NULL OR pgy BETWEEN 1 AND 10", name="pgy_range"),
        CheckConstraint("role <> 'resident' OR NOT is_coordinator", name="resident_not_coordinator"),
    )

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[Role] = mapped_column(_enum(Role))
    # A coordinator may also be faculty: the role says what they are, this says what they may run.
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    pgy: Mapped[int | None] = mapped_column(Integer)
    subspecialty: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[PersonStatus] = mapped_column(_enum(PersonStatus), default=PersonStatus.ACTIVE)
    withdrawn_at: Mapped[datetime | None]
    slack_time_zone: Mapped[str | None] = mapped_column(String(64))
    slack_time_zone_checked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def is_resident(self) -> bool:
        return self.role is Role.RESIDENT

    @property
    def is_faculty(self) -> bool:
        return self.role is Role.FACULTY


class Round(Base):
    """One matching round per academic year."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("program_id", "academic_year"),)

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    academic_year: Mapped[int] = mapped_column(Integer)
    state: Mapped[RoundState] = mapped_column(_enum(RoundState), default=RoundState.OPEN)
    opened_at: Mapped[datetime]
    deadline_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class ResidentPreference(Base):
    __tablename__ = "resident_preferences"

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    resident_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    ranking: Mapped[list[Any]] = mapped_column(JSON, default=list)  # mentor person ids, best first
    subspecialties: Mapped[list[Any]] = mapped_column(JSON, default=list)
    focus_areas: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)  # coordinators only
    updated_at: Mapped[datetime]


class MentorOffer(Base):
    __tablename__ = "mentor_offers"
    __table_args__ = (CheckConstraint(f"capacity BETWEEN 0 AND {MAX_MENTEES_CEILING}", name="capacity_range"),)

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    academic_year: Mapped[int] = mapped_column(Integer)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    subspecialties: Mapped[list[Any]] = mapped_column(JSON, default=list)
    focus_areas: Mapped[list[Any]] = mapped_column(JSON, default=list)
    preferred_residents: Mapped[list[Any]] = mapped_column(JSON, default=list)  # resident person ids
    updated_at: Mapped[datetime]


class QueueEntry(Base):
    """Someone waiting for a (new) match outside a round."""

    __tablename__ = "match_queue"
    __table_args__ = (
        Index(
            "uq_match_queue_waiting_person",
            "person_id",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    person_id: Mapped[person_fk]
    reason: Mapped[QueueReason] = mapped_column(_enum(QueueReason))
    queued_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class Proposal(Base):
    """A matcher result awaiting a coordinator's review."""

    __tablename__ = "proposals"

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    state: Mapped[ProposalState] = mapped_column(_enum(ProposalState), default=ProposalState.PENDING)
    unmatched_resident_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    pairs: Mapped[list[ProposalPair]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalPair.id"
    )


class ProposalPair(Base):
    __tablename__ = "proposal_pairs"
    __table_args__ = (UniqueConstraint("proposal_id", "resident_id"),)

    id: Mapped[intpk]
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[person_fk]
    resident_id: Mapped[person_fk]
    resident_rank: Mapped[int | None] = mapped_column(Integer)

    proposal: Mapped[Proposal] = relationship(back_populates="pairs")


def _start_date(context: Any) -> date:
    return context.get_current_parameters()["started_on"]


def _first_due_on(context: Any) -> date:
    parameters = context.get_current_parameters()
    return next_due(parameters["started_on"], parameters.get("last_met_on"))


class Pairing(Base):
    """A mentor and a resident, from start until it ends.

    `mentor_slot` (1 to the program's maximum) with a partial unique index makes one more active
    mentee than the maximum impossible in the database itself, whatever two concurrent
    transactions believe (storage/pairings.py hands out slots up to the program's maximum).
    """

    __tablename__ = "pairings"
    __table_args__ = (
        CheckConstraint(f"mentor_slot BETWEEN 1 AND {MAX_MENTEES_CEILING}", name="mentor_slot"),
        CheckConstraint("mentor_id <> resident_id", name="not_self"),
        Index(
            "uq_pairings_active_resident",
            "resident_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
        Index("ix_pairings_program_next_check", "program_id", "next_check_on"),
        Index(
            "uq_pairings_active_mentor_slot",
            "mentor_id",
            "mentor_slot",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    mentor_id: Mapped[person_fk]
    resident_id: Mapped[person_fk]
    mentor_slot: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[EndReason | None] = mapped_column(_enum(EndReason))
    last_met_on: Mapped[date | None] = mapped_column(Date)
    next_due_on: Mapped[date | None] = mapped_column(Date, default=_first_due_on)
    # The next day the reminder sweep needs to look at this pair; NULL once ended. Indexed with
    # program_id (ix_pairings_program_next_check) so a sweep costs what is due, not what
    # exists. A new pairing is looked at on its first day, when the sweep works out its
    # reminder schedule (storage/reminders.py).
    next_check_on: Mapped[date | None] = mapped_column(Date, default=_start_date)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    intro_channel_id: Mapped[str | None] = mapped_column(String(32))
    # While paused: the day meetings are back on (the sweep skips the pair until then). The
    # pauses table is the record; this copy keeps the sweep's query on one table.
    paused_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]

    mentor: Mapped[Person] = relationship(foreign_keys="Pairing.mentor_id")
    resident: Mapped[Person] = relationship(foreign_keys="Pairing.resident_id")

    @property
    def active(self) -> bool:
        return self.ended_on is None


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("pairing_id", "met_on"),)

    id: Mapped[intpk]
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"), index=True)
    met_on: Mapped[date] = mapped_column(Date)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class PairingPause(Base):
    """A pairing's meetings on hold for [starts_on, ends_on), asked for by one of its two people.

    Never a reason. `closed_at` is set once the pause is over and dealt with (the pair told it
    ended, or the pairing ended meanwhile); the partial unique index allows one open pause per
    pairing, so two people pausing at the same moment cannot both succeed. `ends_on` of a pause
    ended early is the day it was ended.
    """

    __tablename__ = "pauses"
    __table_args__ = (
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        Index(
            "uq_pauses_open_pairing",
            "pairing_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_pauses_program_ends_on", "program_id", "ends_on"),
    )

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"), index=True)
    paused_by_id: Mapped[person_fk]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    ended_early: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    pairing: Mapped[Pairing] = relationship()


class CheckInState(str, enum.Enum):
    OPEN = "open"
    # Answered or skipped: deliberately one state, so not even a skip is recorded.
    DONE = "done"


class CheckInPrompt(Base):
    """A check-in someone was asked for. It says who was asked, never what they answered (or
    whether they did): the answer goes to check_in_answers, which names nobody."""

    __tablename__ = "check_in_prompts"
    __table_args__ = (UniqueConstraint("person_id", "pairing_id", "kind", "subject_on"),)

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    person_id: Mapped[person_fk]
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CheckInKind] = mapped_column(_enum(CheckInKind))
    # What it is about: the meeting's day, the quarter's first day, or the day the pairing ended.
    subject_on: Mapped[date] = mapped_column(Date)
    state: Mapped[CheckInState] = mapped_column(_enum(CheckInState), default=CheckInState.OPEN)
    created_at: Mapped[datetime]


class CheckInAnswer(Base):
    """One score, tied to nobody: no person, no pairing, no time finer than the academic quarter
    it was given in, and a random key so that row order says nothing about when."""

    __tablename__ = "check_in_answers"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        Index("ix_check_in_answers_program_period", "program_id", "academic_year", "quarter"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[CheckInKind] = mapped_column(_enum(CheckInKind))
    academic_year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)


class CheckInNote(Base):
    """Free text someone addressed to the coordinators in a check-in. Coordinators only; the
    text is deleted once a coordinator marks it read (the row stays: who wrote, when, read by)."""

    __tablename__ = "check_in_notes"

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    author_id: Mapped[person_fk]
    pairing_id: Mapped[int | None] = mapped_column(ForeignKey("pairings.id", ondelete="SET NULL"))
    kind: Mapped[CheckInKind] = mapped_column(_enum(CheckInKind))
    subject_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class MeetingPlan(Base):
    """The day (and maybe time) a pair said it will meet: one per pairing, replaced when they
    pick another, dropped when a meeting is logged."""

    __tablename__ = "meeting_plans"

    id: Mapped[intpk]
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"), unique=True)
    planned_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime | None]  # None: a day, no time
    planned_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class NudgeDecision(Base):
    """A reminder decided by the sweep; the unique key is what makes each decision happen once."""

    __tablename__ = "nudge_decisions"
    __table_args__ = (UniqueConstraint("pairing_id", "kind", "due_on", "sequence"),)

    id: Mapped[intpk]
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    decided_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message decided in a transaction and delivered to Slack afterwards, exactly once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_not_before", "state", "not_before"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    program_id: Mapped[program_fk]
    kind: Mapped[str] = mapped_column(String(40))
    # A natural key for messages that must exist once (e.g. "summary:2026-W48").
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    pairing_id: Mapped[int | None] = mapped_column(ForeignKey("pairings.id", ondelete="SET NULL"), index=True)
    recipient_user_ids: Mapped[list[Any] | None] = mapped_column(JSON)  # a DM or group DM
    channel_id: Mapped[str | None] = mapped_column(String(32))  # or a channel
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[Any] | None] = mapped_column(JSON)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    not_before: Mapped[datetime]
    # DMs wait for the recipients' working hours, at enqueue and again at each delivery attempt
    # (a retry or a catch-up after downtime must not land at night).
    quiet_hours: Mapped[bool] = mapped_column(Boolean, default=True, server_default=SQL_TRUE)
    state: Mapped[OutboxState] = mapped_column(_enum(OutboxState), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # An edit, not a post: this row rewrites the Slack message of that row (to take a note out of
    # it), once that row's own delivery has settled.
    edits_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("outbox.id", ondelete="CASCADE"), index=True
    )
    # Who is told how the edit goes (the coordinator who resolved the request or read the note).
    report_to: Mapped[str | None] = mapped_column(String(32))


class ChangeRequest(Base):
    """A confidential change or withdrawal request. The note is deleted on resolution."""

    __tablename__ = "change_requests"

    id: Mapped[intpk]
    program_id: Mapped[program_fk]
    requester_id: Mapped[person_fk]
    kind: Mapped[RequestKind] = mapped_column(_enum(RequestKind))
    pairing_id: Mapped[int | None] = mapped_column(ForeignKey("pairings.id", ondelete="SET NULL"))
    # The other people in the pairings this request ended (a withdrawing mentor's two mentees).
    counterpart_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    state: Mapped[RequestState] = mapped_column(_enum(RequestState), default=RequestState.OPEN)
    resolution: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class AuditEntry(Base):
    """Who did what to whom, and when. Never the content of a note."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    program_id: Mapped[program_fk]
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200))  # "U123 (Dr. Rivera)", "cli", "scheduler"
    action: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IdempotencyKey(Base):
    """Marks a submission as handled, so a double click or a Slack retry does nothing twice."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime]


class Workspace(Base):
    """A Slack workspace (or, for an org-wide install, an Enterprise Grid organization) that
    installed the app through the OAuth flow. Its `team_id` is the key its programs carry:
    the workspace's team ID, or the organization's enterprise ID for an org-wide install.

    Uninstalling keeps the row and the programs' data until the operator decides
    (`mentorbot workspace keep|delete`); the tokens go at once (storage/installations.py).
    """

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    is_enterprise_install: Mapped[bool] = mapped_column(Boolean, default=False)
    installed_at: Mapped[datetime]
    uninstalled_at: Mapped[datetime | None]
    uninstall_reason: Mapped[str | None] = mapped_column(String(40))  # "app_uninstalled" | "tokens_revoked"
    # Programs this workspace's uninstall paused (reinstalling resumes these, and only these).
    paused_program_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    data_kept_at: Mapped[datetime | None]  # the operator chose to keep an uninstalled workspace's data


# Slack's OAuth tables, read and written by slack-sdk's SQLAlchemy stores (mentorbot/workspaces.py).
# Built by slack-sdk's own table builders, so the migration test catches any drift between our
# migration and the library's idea of these tables.
def _slack_oauth_tables() -> tuple[Any, Any, Any]:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    store = SQLAlchemyInstallationStore
    return (
        store.build_installations_table(Base.metadata, store.default_installations_table_name),
        store.build_bots_table(Base.metadata, store.default_bots_table_name),
        SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, SQLAlchemyOAuthStateStore.default_table_name),
    )


slack_installations, slack_bots, slack_oauth_states = _slack_oauth_tables()


class SlackDelivery(Base):
    """A Slack request already handled (a command, a click, an event), by its trigger_id or
    event_id: the same request arriving again (a replay, Slack's retry, a second replica) finds
    it here and does nothing (bot/kit.py first_delivery)."""

    __tablename__ = "slack_deliveries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)

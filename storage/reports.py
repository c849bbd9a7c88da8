"""Reads for the coordinator view: the program snapshot behind the weekly summary and the
dashboard, a year of pairings for quarter reports and exports, and a quarter's report.

Everything comes back as frozen dataclasses of plain values, safe to render after the session
has closed. Nothing here says why a pairing ended or who asked: only dates and counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from mentoring.cadence import QUARTERS_PER_YEAR, AcademicQuarter, PairingHistory
from mentoring.reporting import (
    ActivePair,
    CapacityFigures,
    MeetingFigures,
    MentorLoad,
    QuarterFigures,
    SummarySchedule,
    capacity_figures,
    meeting_figures,
    year_figures,
    year_label,
)
from storage.change_requests import open_request_count, request_partners
from storage.models import (
    Meeting,
    MentorOffer,
    OutboxMessage,
    OutboxState,
    Pairing,
    Person,
    PersonStatus,
    Program,
    Proposal,
    ProposalPair,
    ProposalState,
    QueueEntry,
    Role,
    Round,
    RoundState,
)
from storage.my_pairings import later_of, latest_meetings
from storage.pause_records import pauses_by_pairing
from storage.program_figures import CurrentFigures, QuarterProgramFigures, current_figures, quarter_program_figures
from storage.programs import academic_calendar, program_today, program_zone
from storage.roster import PersonRef, coordinators

# The summary lists people the bot failed to reach since the previous summary.
UNREACHABLE_WINDOW = timedelta(days=7)


def summary_schedule(program: Program) -> SummarySchedule:
    return SummarySchedule(program.summary_weekday, program.summary_hour, program.summary_minute, program_zone(program))


@dataclass(frozen=True)
class PairRef:
    pairing_id: int
    mentor: PersonRef
    resident: PersonRef
    started_on: date
    ended_on: date | None

    @classmethod
    def of(cls, pairing: Pairing) -> PairRef:
        return cls(pairing.id, PersonRef.of(pairing.mentor), PersonRef.of(pairing.resident), pairing.started_on, pairing.ended_on)


@dataclass(frozen=True)
class WaitingPerson:
    person: PersonRef
    role: str
    since: date


@dataclass(frozen=True)
class RoundInfo:
    academic_year: int
    state: RoundState
    deadline_on: date  # in the program's time zone


@dataclass(frozen=True)
class ProposalInfo:
    proposal_id: int
    created_on: date
    pair_count: int
    unmatched_count: int


@dataclass(frozen=True)
class Unreachable:
    """Someone a DM or group DM could not be delivered to; `error` is Slack's reason, if known."""

    name: str
    slack_user_id: str
    messages: int
    error: str | None


@dataclass(frozen=True)
class ProgramSnapshot:
    program_id: int
    program_name: str
    team_id: str
    coordinator_channel_id: str | None
    today: date
    quarter: AcademicQuarter
    quarter_label: str
    quarter_end: date  # exclusive
    pairs: dict[int, PairRef]  # the active pairings, by id
    meetings: MeetingFigures[int]
    waiting: tuple[WaitingPerson, ...]
    open_requests: int
    capacity: CapacityFigures
    round: RoundInfo | None
    proposal: ProposalInfo | None
    unreachable: tuple[Unreachable, ...]
    figures: CurrentFigures  # pauses now, residents without a mentor, the last closed quarter's check-ins
    this_quarter: QuarterProgramFigures  # so far: full participation, days between meetings, pauses (no check-ins)

    @property
    def overdue(self) -> list[tuple[PairRef, int]]:
        return [(self.pairs[key], days) for key, days in self.meetings.overdue]

    @property
    def waiting_residents(self) -> list[WaitingPerson]:
        return [w for w in self.waiting if w.role == Role.RESIDENT.value]


# --- the snapshot ----------------------------------------------------------------------------


def program_snapshot(
    session: Session, *, program: Program, now: datetime, seen_by: Collection[int] | None = None
) -> ProgramSnapshot:
    """Everything the weekly summary and the coordinator dashboard show, as of `now`.

    `seen_by`: the coordinator(s) who will read it (None: the coordinators' channel, read by all of
    them). Requests they are in, and the people on the other side of them, are left out of its
    names and counts: whether someone waits for a match, or is without a mentor, would tell a
    coordinator whose own pairing ended who asked, or that they left."""
    readers = set(seen_by) if seen_by is not None else {c.id for c in coordinators(session, program_id=program.id)}
    hidden = request_partners(session, program_id=program.id, person_ids=readers)
    calendar = academic_calendar(program)
    today = program_today(program, now)
    quarter = calendar.quarter_of(today)
    quarter_first, quarter_end = calendar.quarter_bounds(*quarter)

    active = _active_pairings(session, program_id=program.id)
    meeting_counts = _meeting_counts(session, [p.id for p in active], quarter_first, quarter_end)
    latest_meeting = latest_meetings(session, [p.id for p in active])
    pairs = [
        ActivePair(
            key=p.id,
            started_on=p.started_on,
            last_met_on=later_of(p.last_met_on, latest_meeting.get(p.id)),
            next_due_on=p.next_due_on,
            meetings_this_quarter=meeting_counts.get(p.id, 0),
        )
        for p in active
    ]
    return ProgramSnapshot(
        program_id=program.id,
        program_name=program.name,
        team_id=program.team_id,
        coordinator_channel_id=program.coordinator_channel_id,
        today=today,
        quarter=quarter,
        quarter_label=calendar.label(*quarter),
        quarter_end=quarter_end,
        pairs={p.id: PairRef.of(p) for p in active},
        meetings=meeting_figures(pairs, today=today, quarter_end=quarter_end),
        waiting=tuple(
            w for w in _waiting(session, program_id=program.id, zone=program_zone(program)) if w.person.person_id not in hidden
        ),
        open_requests=open_request_count(session, program_id=program.id, not_party=readers),
        capacity=capacity_figures(
            _mentor_loads(session, program_id=program.id, academic_year=quarter.year, active=active),
            max_mentees=program.max_mentees_per_mentor,
        ),
        round=_current_round(session, program=program, academic_year=quarter.year),
        proposal=_pending_proposal(session, program=program),
        unreachable=tuple(_unreachable(session, program_id=program.id, since=now - UNREACHABLE_WINDOW)),
        figures=current_figures(session, program=program, today=today, leaving_out=hidden),
        this_quarter=_quarter_so_far(session, program=program, quarter=quarter, today=today),
    )


def _quarter_so_far(session: Session, *, program: Program, quarter: AcademicQuarter, today: date) -> QuarterProgramFigures:
    histories = {py.pair.pairing_id: py.history for py in pairings_in_year(session, program=program, year=quarter.year)}
    figures = year_figures(histories, quarter.year, academic_calendar(program), through_quarter=quarter.quarter)
    [current] = quarter_program_figures(
        session, program=program, histories=list(histories.values()), figures=figures[-1:], today=today
    )
    return current


def _active_pairings(session: Session, *, program_id: int) -> list[Pairing]:
    query = (
        select(Pairing)
        .where(Pairing.program_id == program_id, Pairing.ended_on.is_(None))
        .options(joinedload(Pairing.mentor), joinedload(Pairing.resident))
        .order_by(Pairing.id)
    )
    return list(session.scalars(query))


def _meeting_counts(session: Session, pairing_ids: Sequence[int], first: date, end: date) -> dict[int, int]:
    if not pairing_ids:
        return {}
    query = (
        select(Meeting.pairing_id, func.count())
        .where(Meeting.pairing_id.in_(pairing_ids), Meeting.met_on >= first, Meeting.met_on < end)
        .group_by(Meeting.pairing_id)
    )
    return dict(session.execute(query).all())


def _waiting(session: Session, *, program_id: int, zone: ZoneInfo) -> Iterable[WaitingPerson]:
    query = (
        select(QueueEntry, Person)
        .join(Person, Person.id == QueueEntry.person_id)
        .where(
            QueueEntry.program_id == program_id,
            QueueEntry.resolved_at.is_(None),
            Person.status == PersonStatus.ACTIVE,
        )
        .order_by(QueueEntry.queued_at, QueueEntry.id)
    )
    for entry, person in session.execute(query):
        yield WaitingPerson(PersonRef.of(person), person.role.value, entry.queued_at.astimezone(zone).date())


def _mentor_loads(session: Session, *, program_id: int, academic_year: int, active: Sequence[Pairing]) -> list[MentorLoad]:
    mentees = Counter(p.mentor_id for p in active)
    query = (
        select(MentorOffer)
        .join(Person, Person.id == MentorOffer.mentor_id)
        .where(
            MentorOffer.program_id == program_id,
            MentorOffer.academic_year == academic_year,
            MentorOffer.available.is_(True),
            Person.status == PersonStatus.ACTIVE,
        )
    )
    offered = {offer.mentor_id: offer.capacity for offer in session.scalars(query)}
    return [MentorLoad(offered=offered.get(m, 0), mentees=mentees.get(m, 0)) for m in offered.keys() | mentees.keys()]


def _current_round(session: Session, *, program: Program, academic_year: int) -> RoundInfo | None:
    """This academic year's round, or next year's once it has been opened."""
    query = (
        select(Round)
        .where(Round.program_id == program.id, Round.academic_year >= academic_year)
        .order_by(Round.academic_year.desc(), Round.id.desc())
        .limit(1)
    )
    found = session.scalars(query).first()
    if found is None:
        return None
    return RoundInfo(found.academic_year, found.state, found.deadline_at.astimezone(program_zone(program)).date())


def _pending_proposal(session: Session, *, program: Program) -> ProposalInfo | None:
    query = (
        select(Proposal, func.count(ProposalPair.id))
        .outerjoin(ProposalPair, ProposalPair.proposal_id == Proposal.id)
        .where(Proposal.program_id == program.id, Proposal.state == ProposalState.PENDING)
        .group_by(Proposal.id)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        .limit(1)
    )
    row = session.execute(query).first()
    if row is None:
        return None
    proposal, pair_count = row
    return ProposalInfo(
        proposal_id=proposal.id,
        created_on=proposal.created_at.astimezone(program_zone(program)).date(),
        pair_count=pair_count,
        unmatched_count=len(proposal.unmatched_resident_ids or []),
    )


def _unreachable(session: Session, *, program_id: int, since: datetime) -> list[Unreachable]:
    """People in DMs and group DMs that failed for good since `since`, most failures first."""
    query = select(OutboxMessage.recipient_user_ids, OutboxMessage.last_error).where(
        OutboxMessage.program_id == program_id,
        OutboxMessage.state == OutboxState.FAILED,
        OutboxMessage.recipient_user_ids.is_not(None),
        OutboxMessage.created_at >= since,
    )
    failures: Counter[str] = Counter()
    errors: dict[str, str | None] = {}
    for recipients, error in session.execute(query):
        for user_id in recipients or []:
            failures[user_id] += 1
            errors[user_id] = error
    if not failures:
        return []
    names = dict(
        session.execute(
            select(Person.slack_user_id, Person.name).where(
                Person.program_id == program_id, Person.slack_user_id.in_(list(failures))
            )
        ).all()
    )
    return [
        Unreachable(names.get(user_id, user_id), user_id, count, errors[user_id])
        for user_id, count in sorted(failures.items(), key=lambda item: (-item[1], names.get(item[0], item[0])))
    ]


# --- a year of pairings ------------------------------------------------------------------------


@dataclass(frozen=True)
class PairYear:
    pair: PairRef
    history: PairingHistory


def first_pairing_start(session: Session, *, program_id: int) -> date | None:
    """When the program's earliest pairing began (imported history may predate the program)."""
    return session.scalar(select(func.min(Pairing.started_on)).where(Pairing.program_id == program_id))


def pairings_in_year(session: Session, *, program: Program, year: int) -> list[PairYear]:
    """Every pairing active on at least one day of academic year `year`, with all its meetings
    and pauses (earlier ones too: they decide when the year's first meeting fell due)."""
    first_day, end_exclusive = academic_calendar(program).year_bounds(year)
    query = (
        select(Pairing)
        .where(
            Pairing.program_id == program.id,
            Pairing.started_on < end_exclusive,
            or_(Pairing.ended_on.is_(None), Pairing.ended_on > first_day),
        )
        .options(joinedload(Pairing.mentor), joinedload(Pairing.resident))
    )
    pairings = list(session.scalars(query))
    meetings: dict[int, list[date]] = defaultdict(list)
    if pairings:
        rows = session.execute(select(Meeting.pairing_id, Meeting.met_on).where(Meeting.pairing_id.in_([p.id for p in pairings])))
        for pairing_id, met_on in rows:
            meetings[pairing_id].append(met_on)
    pauses = pauses_by_pairing(session, [p.id for p in pairings])
    found = [
        PairYear(
            PairRef.of(p),
            PairingHistory(
                p.started_on,
                p.ended_on,
                tuple(sorted(meetings[p.id])),
                tuple(pauses.get(p.id, ())),
                every_months=program.cadence_months,
            ),
        )
        for p in pairings
    ]
    return sorted(found, key=lambda py: (py.pair.mentor.name, py.pair.resident.name, py.pair.pairing_id))


# --- a quarter's report --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterReport:
    """A finished quarter, with the year's earlier quarters for the trend."""

    program_name: str
    quarter: AcademicQuarter
    year_label: str  # "2026–27"
    first_day: date
    last_day: date
    figures: tuple[QuarterFigures[int], ...]  # quarters 1..quarter of the year
    pairs: dict[int, PairRef]  # every pairing active at some point in those quarters
    quarter_months: tuple[str, ...]  # all four quarters of the year: "Jul–Sep", ...
    # The program figures of quarters 1..quarter; check-ins only for those over by the report day.
    program_figures: tuple[QuarterProgramFigures, ...] = ()

    @property
    def current(self) -> QuarterFigures[int]:
        return self.figures[-1]

    @property
    def label(self) -> str:
        return f"{self.year_label} Q{self.quarter.quarter}"


def quarter_report(session: Session, *, program: Program, quarter: AcademicQuarter, today: date | None = None) -> QuarterReport:
    """The report of `quarter` as of `today` (check-in figures only for quarters over by then;
    without a day, only for the quarters before this one)."""
    calendar = academic_calendar(program)
    year_pairs = [
        py
        for py in pairings_in_year(session, program=program, year=quarter.year)
        if py.pair.started_on < calendar.quarter_bounds(*quarter)[1]
    ]
    figures = year_figures(
        {py.pair.pairing_id: py.history for py in year_pairs}, quarter.year, calendar, through_quarter=quarter.quarter
    )
    first_day, end_exclusive = calendar.quarter_bounds(*quarter)
    return QuarterReport(
        program_name=program.name,
        quarter=quarter,
        year_label=year_label(calendar, quarter.year),
        first_day=first_day,
        last_day=end_exclusive - timedelta(days=1),
        figures=tuple(figures),
        pairs={py.pair.pairing_id: py.pair for py in year_pairs},
        quarter_months=tuple(_months(*calendar.quarter_bounds(quarter.year, q)) for q in range(1, QUARTERS_PER_YEAR + 1)),
        program_figures=tuple(
            quarter_program_figures(
                session,
                program=program,
                histories=[py.history for py in year_pairs],
                figures=figures,
                today=today or first_day,
            )
        ),
    )


def _months(first_day: date, end_exclusive: date) -> str:
    return f"{first_day:%b}–{end_exclusive - timedelta(days=1):%b}"

"""A whole academic year of 40 pairs on a manual clock: every reminder that falls due is delivered
exactly once, in its recipient's working hours, and nothing reaches a pairing after it ended —
with Slack behaving, and with Slack failing 30% of calls (429s, 500s and timeouts)."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import func, select

from mentoring.cadence import next_due
from mentoring.nudges import NudgePolicy, nudges_due
from mentoring.working_hours import is_working_time, resolve_zone
from scheduler.context import JobContext
from scheduler.delivery import deliver_pending
from scheduler.reminders import sweep_reminders
from storage.db import make_engine, make_session_factory, session_scope
from storage.meetings import log_meeting
from storage.models import NudgeDecision, OutboxMessage, OutboxState, Pairing, Person, Role
from storage.outbox import cancel_for_pairing
from tests.support import factories
from tests.support.clock import ManualClock
from tests.support.database import fresh_sqlite_url

PAIRS = 40
ENDED_PAIRS = 6
YEAR_START, YEAR_END = date(2026, 7, 1), date(2027, 6, 30)
PROGRAM_ZONE = ZoneInfo("America/New_York")
ZONES = [None, "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Asia/Kolkata"]
LOGGED_AT_UTC = time(20)  # meetings are logged in the (New York) afternoon, after that day's sweep
COORDINATOR_CHANNEL = "C0COORD1"


def at_local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), PROGRAM_ZONE).astimezone(UTC)


@dataclass
class PlannedPair:
    pairing_id: int
    started_on: date
    ended_on: date | None
    # (logged on, met on): some meetings are logged a few days after they happened.
    meetings: list[tuple[date, date]] = field(default_factory=list)


def _plan(arrange, fake_slack, rng: random.Random) -> list[PlannedPair]:
    plans = []
    with arrange() as session:
        prog = factories.program(session)
        for number in range(PAIRS):
            mentor = factories.person(session, prog, role=Role.FACULTY)
            resident = factories.person(session, prog, role=Role.RESIDENT)
            for person in (mentor, resident):
                person.slack_time_zone = rng.choice(ZONES)
                person.slack_time_zone_checked_at = at_local(YEAR_START, 0)
            started = YEAR_START + timedelta(days=rng.randint(0, 60))
            pairing = factories.pairing(session, prog, mentor, resident, started_on=started)
            ended = started + timedelta(days=rng.randint(30, 300)) if number < ENDED_PAIRS else None
            plan = PlannedPair(pairing.id, started, ended)
            met = started
            while True:
                met += timedelta(days=rng.randint(30, 125))
                logged = met + timedelta(days=rng.choice([0, 0, 0, 1, 3, 9]))
                if logged > YEAR_END or (ended and logged >= ended):
                    break
                plan.meetings.append((logged, met))
            plans.append(plan)
            for person in (mentor, resident):
                fake_slack.add_user(person.slack_user_id, name=person.name, tz=person.slack_time_zone or "America/New_York")
    fake_slack.add_channel(COORDINATOR_CHANNEL, name="coordinators")
    return plans


def _expected_decisions(plan: PlannedPair, policy: NudgePolicy) -> set[tuple[str, date, int]]:
    """The oracle: what nudges_due says on each day, from the meetings logged before that day."""
    expected = set()
    last_day = min(YEAR_END, plan.ended_on - timedelta(days=1)) if plan.ended_on else YEAR_END
    day = plan.started_on
    while day <= last_day:
        known = [met for logged, met in plan.meetings if logged < day]
        due = next_due(plan.started_on, max(known, default=None))
        expected |= {(n.kind.value, n.due_on, n.sequence) for n in nudges_due(due, day, policy)}
        day += timedelta(days=1)
    return expected


class Simulation:
    def __init__(self, ctx: JobContext, fake_slack, plans: list[PlannedPair]) -> None:
        self.ctx, self.fake, self.plans = ctx, fake_slack, plans
        self.clock = ctx.clock
        self.post_times: dict[int, datetime] = {}  # outbox id -> simulated time Slack took the post

    def _next_event(self) -> datetime | None:
        with self.ctx.session_factory() as session:
            pending = session.scalar(select(func.min(OutboxMessage.not_before)).where(OutboxMessage.state == OutboxState.PENDING))
            doubtful = session.scalar(
                select(func.min(OutboxMessage.lease_until)).where(OutboxMessage.state == OutboxState.SENDING)
            )
        times = [t for t in (pending, doubtful) if t is not None]
        return min(times) if times else None

    def _deliver_until(self, stop: datetime) -> None:
        for _ in range(10_000):
            moment = self._next_event()
            if moment is None or moment >= stop:
                break
            self.clock.set(max(moment, self.clock()))
            seen = len(self.fake.calls)
            deliver_pending(self.ctx)
            for call in self.fake.calls[seen:]:
                if call.method == "chat.postMessage" and call.applied:
                    self.post_times[call.args["metadata"]["event_payload"]["outbox_id"]] = self.clock()
        self.clock.set(max(stop, self.clock()))

    def run(self) -> None:
        day = YEAR_START
        self.clock.set(at_local(day, 0))
        while day <= YEAR_END + timedelta(days=7):  # a week more to drain the outbox
            self._deliver_until(at_local(day, 5))
            if day <= YEAR_END:
                self._end_pairings(day)
                sweep_reminders(self.ctx)
            self._deliver_until(datetime.combine(day, LOGGED_AT_UTC, UTC))
            self._log_meetings(day)
            day += timedelta(days=1)

    def _end_pairings(self, day: date) -> None:
        with session_scope(self.ctx.session_factory) as session:
            for plan in self.plans:
                if plan.ended_on == day:
                    pairing = session.get(Pairing, plan.pairing_id)
                    pairing.ended_on, pairing.next_check_on = day, None
                    cancel_for_pairing(session, pairing_id=plan.pairing_id)

    def _log_meetings(self, day: date) -> None:
        for plan in self.plans:
            for logged, met in plan.meetings:
                if logged == day:
                    with session_scope(self.ctx.session_factory) as session:
                        pairing = session.get(Pairing, plan.pairing_id)
                        person = session.get(
                            Person,
                            random.Random(plan.pairing_id + met.toordinal()).choice([pairing.mentor_id, pairing.resident_id]),
                        )
                        log_meeting(session, pairing_id=plan.pairing_id, logged_by=person, met_on=met, now=self.clock())


def _slack_outbox_ids(fake_slack, channels: set[str]) -> Counter:
    return Counter(
        m["metadata"]["event_payload"]["outbox_id"]
        for channel in channels
        for m in fake_slack.messages(channel)
        if m.get("metadata")
    )


def _run_year(arrange, fake_slack, ctx: JobContext, seed: int) -> None:
    plans = _plan(arrange, fake_slack, random.Random(seed))
    simulation = Simulation(ctx, fake_slack, plans)
    simulation.run()
    policy = NudgePolicy()

    with ctx.session_factory() as session:
        decisions = defaultdict(set)
        for d in session.scalars(select(NudgeDecision)):
            decisions[d.pairing_id].add((d.kind, d.due_on, d.sequence))
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind.startswith("nudge."))))
        zones = {p.slack_user_id: resolve_zone(p.slack_time_zone, "America/New_York") for p in session.scalars(select(Person))}
    ended = {p.pairing_id: p for p in plans if p.ended_on}

    # Every decision the rules call for, and no other, was made.
    for plan in plans:
        assert decisions[plan.pairing_id] == _expected_decisions(plan, policy), f"pairing {plan.pairing_id}"
    assert sum(len(v) for v in decisions.values()) > PAIRS * 3, "the year should have produced plenty of reminders"

    # Each reminder of a running pairing reached Slack exactly once; nothing was posted twice.
    channels = {r.slack_channel for r in rows if r.slack_channel} | {COORDINATOR_CHANNEL}
    in_slack = _slack_outbox_ids(fake_slack, channels)
    assert all(count == 1 for count in in_slack.values()), [i for i, c in in_slack.items() if c > 1]
    plans_by_id = {p.pairing_id: p for p in plans}
    for row in rows:
        if row.pairing_id not in ended:
            if row.state is OutboxState.CANCELLED:
                # Overtaken: the pair logged a meeting after it was decided, before it could go out.
                logged_times = [
                    datetime.combine(logged, LOGGED_AT_UTC, UTC) for logged, _ in plans_by_id[row.pairing_id].meetings
                ]
                assert any(row.created_at <= t <= row.not_before for t in logged_times), (row.id, row.last_error)
                assert in_slack[row.id] <= 1  # an attempt in doubt may have reached Slack first
            else:
                assert row.state is OutboxState.SENT, (row.id, row.kind, row.state, row.last_error)
                assert in_slack[row.id] == 1
        # ...in the recipient's working hours...
        if row.state is OutboxState.SENT and row.recipient_user_ids:
            [user_id] = row.recipient_user_ids
            assert is_working_time(row.sent_at, zones[user_id]), (row.id, row.sent_at, user_id)
            assert is_working_time(simulation.post_times[row.id], zones[user_id])
        # ...and never after the pairing ended.
        plan = ended.get(row.pairing_id)
        if plan is not None and row.id in simulation.post_times:
            assert simulation.post_times[row.id] < at_local(plan.ended_on, 5), (row.id, row.kind)
    pair_decisions = sum(1 for v in decisions.values() for kind, *_ in v if kind != "escalation")
    assert len([r for r in rows if r.kind != "nudge.escalation"]) == 2 * pair_decisions


def test_a_year_of_reminders_is_delivered_exactly_once_in_working_hours(arrange, fake_slack, job_context):
    _run_year(arrange, fake_slack, job_context, seed=2026)


def test_the_same_year_with_slack_failing_a_third_of_calls(sqlite_template, tmp_path, fake_slack):
    # On SQLite only, to keep the suite quick: the delivery policy under test is the same on both
    # backends, and PostgreSQL's concurrent claims have their own tests (test_delivery.py).
    engine = make_engine(fresh_sqlite_url(sqlite_template, tmp_path))
    factory = make_session_factory(engine)
    clock = ManualClock(at_local(YEAR_START, 0))
    # A short client timeout so that the fake's slow answers time out (after Slack has acted).
    ctx = JobContext(factory, clock, WebClient(token="xoxb-test", base_url=fake_slack.url, timeout=0.05, retry_handlers=[]))
    fake_slack.set_failure_rate(0.3, seed=7, kinds=("429", "500", "timeout"), timeout_delay=0.1, retry_after=2)
    _run_year(lambda: session_scope(factory), fake_slack, ctx, seed=2026)
    engine.dispose()
    methods = Counter((c.method, c.status) for c in fake_slack.calls)
    assert methods[("chat.postMessage", 429)] and methods[("chat.postMessage", 500)] and methods[("chat.postMessage", 503)]
    assert fake_slack.calls_to("conversations.history"), "timeouts should have been checked against history"

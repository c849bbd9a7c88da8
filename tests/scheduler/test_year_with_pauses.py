"""A year and a summer of a small program, through the real Bolt app and the real jobs, with pauses:
a two-month pause mid-quarter, a pause ended early, and pauses across the next year's matching
round. Every reminder is decided on exactly the day the rules predict (mentoring.pauses on top of
mentoring.nudges), nothing reaches a paused pair, each pause ends with one "back on" message, and
nobody on a pause they asked for is proposed in the round.

Everyone works in New York. Each day the jobs run at 05:00 and people act at 15:00 (so what they
do counts from the next day's sweep), and the outbox is delivered as its messages come due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from mentoring.cadence import Pause, next_due
from mentoring.nudges import NudgePolicy
from mentoring.pauses import reminders_today
from mentoring.working_hours import is_working_time
from scheduler.delivery import deliver_pending
from scheduler.pauses import announce_pause_ends
from scheduler.reminders import sweep_reminders
from scheduler.rounds import round_sweep
from storage.models import (
    NudgeDecision,
    OutboxMessage,
    OutboxState,
    Pairing,
    Proposal,
    QueueEntry,
    Role,
    RoundState,
)
from tests.support import factories
from views import pauses as pause_views
from views.meetings import ACTION_DATE, BLOCK_DATE

NEW_YORK = ZoneInfo("America/New_York")
FIRST_DAY, LAST_DAY = date(2026, 7, 1), date(2027, 8, 20)
POLICY = NudgePolicy()

PEOPLE = {
    "UCOORD": ("Casey Coordinator", Role.COORDINATOR),
    "UALBA": ("Dr. Alba", Role.FACULTY),
    "UADA": ("Ada", Role.RESIDENT),
    "UBELL": ("Dr. Bell", Role.FACULTY),
    "UBO": ("Bo", Role.RESIDENT),
    "UCOLE": ("Dr. Cole", Role.FACULTY),
    "UCY": ("Cy", Role.RESIDENT),
    "UDANA": ("Dr. Dana", Role.FACULTY),
    "UDEE": ("Dee", Role.RESIDENT),
    "UEZRA": ("Dr. Ezra", Role.FACULTY),
    "UELI": ("Eli", Role.RESIDENT),
    "UEVE": ("Eve", Role.RESIDENT),
}
PAIRS = {"A": ("UALBA", "UADA"), "B": ("UBELL", "UBO"), "C": ("UCOLE", "UCY"), "D": ("UDANA", "UDEE"), "E": ("UEZRA", "UELI")}
MEETINGS = {  # (pair, who logs it): days met (logged the same afternoon)
    ("A", "UADA"): [date(2026, 12, 3), date(2027, 3, 1), date(2027, 5, 25)],
    ("B", "UBELL"): [date(2026, 8, 20), date(2026, 12, 10), date(2027, 3, 8), date(2027, 6, 1)],
    ("C", "UCY"): [date(2026, 9, 25), date(2026, 12, 18), date(2027, 3, 15), date(2027, 6, 10)],
    ("D", "UDEE"): [date(2026, 9, 28), date(2026, 12, 21), date(2027, 3, 18)],
    ("E", "UELI"): [date(2026, 9, 24), date(2026, 12, 15), date(2027, 3, 12), date(2027, 6, 8)],
}


@dataclass(frozen=True)
class PlannedPause:
    pair: str
    who: str
    on: date
    length: str  # a choice of the form
    until: date  # the end the rules give for that choice
    resumed_on: date | None = None


PAUSES = [
    # A two-month pause mid-quarter: Ada, Aug 17 until Oct 17 (a Saturday).
    PlannedPause("A", "UADA", date(2026, 8, 17), "until_date", date(2026, 10, 17)),
    # A pause ended early: Dr. Bell, three months from Oct 5, back after four weeks.
    PlannedPause("B", "UBELL", date(2026, 10, 5), "three_months", date(2027, 1, 5), resumed_on=date(2026, 11, 2)),
    # Across the next year's round: Dee (whose pairing then ends) and Dr. Cole (who has room for a second mentee).
    PlannedPause("D", "UDEE", date(2027, 6, 1), "three_months", date(2027, 9, 1)),
    PlannedPause("C", "UCOLE", date(2027, 6, 15), "until_date", date(2027, 8, 16)),
]
UNPAIRED = {"D": date(2027, 6, 10)}  # the coordinator ends Dee's pairing while she is paused


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), NEW_YORK).astimezone(UTC)


@dataclass
class World:
    pairing_ids: dict[str, int] = field(default_factory=dict)
    person_ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def world(arrange, fake_slack) -> World:
    found = World()
    with arrange() as session:
        program = factories.program(session)
        factories.matching_round(session, program, academic_year=2026, state=RoundState.CLOSED)
        people = {}
        for user_id, (name, role) in PEOPLE.items():
            people[user_id] = factories.person(session, program, role=role, name=name, slack_user_id=user_id)
            people[user_id].slack_time_zone = "America/New_York"
            people[user_id].slack_time_zone_checked_at = at(FIRST_DAY, 0)
            found.person_ids[user_id] = people[user_id].id
            fake_slack.add_user(user_id, name=name)
        for pair, (mentor, resident) in PAIRS.items():
            found.pairing_ids[pair] = factories.pairing(
                session, program, people[mentor], people[resident], started_on=FIRST_DAY
            ).id
        # Next year's offers: Dr. Cole and Dr. Dana could each take another mentee.
        for mentor in ("UCOLE", "UDANA"):
            factories.offer(session, program, mentor=people[mentor], capacity=2, academic_year=2027)
        # Eve waits for a mentor, and would rather have Dr. Cole.
        factories.preference(session, program, resident=people["UEVE"], ranking=[people["UCOLE"], people["UDANA"]])
        factories.queued(session, program, people["UEVE"], since=at(date(2027, 5, 3), 12))
    fake_slack.add_channel("C0COORD1", name="coordinators")
    return found


# --- the oracle: what the rules say, day by day ---------------------------------------------------


def pauses_seen_on(pair: str, day: date) -> list[Pause]:
    """The pair's pauses as the 05:00 sweep of `day` knows them (people act at 15:00)."""
    seen = []
    for planned in PAUSES:
        if planned.pair != pair or planned.on >= day:
            continue
        ended_early = planned.resumed_on is not None and planned.resumed_on < day
        seen.append(Pause(planned.on, planned.resumed_on if ended_early else planned.until))  # type: ignore[arg-type]
    return seen


def expected_decisions(pair: str) -> set[tuple[str, date, int, date]]:
    """(kind, due date, number, day decided) for every reminder the rules call for."""
    meetings = next(days for (p, _), days in MEETINGS.items() if p == pair)
    last_day = min(LAST_DAY, UNPAIRED.get(pair, LAST_DAY))
    decided: dict[tuple[str, date, int], date] = {}
    day = FIRST_DAY
    while day <= last_day:
        pauses = pauses_seen_on(pair, day)
        held = next((p for p in pauses if p.covers(day)), None)
        due = next_due(FIRST_DAY, max((m for m in meetings if m < day), default=None), pauses)
        nudges, _ = reminders_today(due, day, POLICY, paused_until=held.ends_on if held else None)
        for nudge in nudges:
            decided.setdefault((nudge.kind.value, nudge.due_on, nudge.sequence), day)
        day += timedelta(days=1)
    return {(kind, due_on, sequence, day) for (kind, due_on, sequence), day in decided.items()}


# --- driving the bot -----------------------------------------------------------------------------


def deliver_until(job_context, clock, stop: datetime) -> None:
    for _ in range(10_000):
        with job_context.session_factory() as session:
            moment = session.scalar(select(func.min(OutboxMessage.not_before)).where(OutboxMessage.state == OutboxState.PENDING))
        if moment is None or moment >= stop:
            break
        clock.set(max(moment, clock()))
        deliver_pending(job_context)
    clock.set(max(stop, clock()))


def pause_via_slack(bot, planned: PlannedPause) -> None:
    bot.command("pause", user_id=planned.who)
    values = {
        pause_views.LENGTH_INPUT: {
            pause_views.LENGTH_INPUT: {"type": "radio_buttons", "selected_option": {"value": planned.length}}
        },
        pause_views.DATE_INPUT: {
            pause_views.DATE_INPUT: {
                "type": "datepicker",
                "selected_date": planned.until.isoformat() if planned.length == "until_date" else None,
            }
        },
    }
    reply = bot.submit_view(bot.opened_view(), user_id=planned.who, values=values)
    assert reply.ack_json["response_action"] == "update", reply.ack


def log_via_slack(bot, who: str, met_on: date) -> None:
    bot.command(f"met {met_on.isoformat()}", user_id=who)
    values = {BLOCK_DATE: {ACTION_DATE: {"type": "datepicker", "selected_date": met_on.isoformat()}}}
    reply = bot.submit_view(bot.opened_view(), user_id=who, values=values)
    assert reply.ack_json["response_action"] == "update", reply.ack


def afternoon(bot, day: date) -> None:
    for (_, who), days in MEETINGS.items():
        if day in days:
            log_via_slack(bot, who, day)
    for planned in PAUSES:
        if planned.on == day:
            pause_via_slack(bot, planned)
        if planned.resumed_on == day:
            assert "are back on" in bot.command("resume", user_id=planned.who).only_response()["text"]
    for pair, ended_on in UNPAIRED.items():
        if ended_on == day:
            resident = PAIRS[pair][1]
            assert "has ended" in bot.command(f"admin unpair <@{resident}>", user_id="UCOORD").only_response()["text"]


def run_the_year(bot, job_context, clock) -> None:
    day = FIRST_DAY
    clock.set(at(day, 0))
    while day <= LAST_DAY:
        deliver_until(job_context, clock, at(day, 5))
        sweep_reminders(job_context)
        announce_pause_ends(job_context)
        round_sweep(job_context)
        deliver_until(job_context, clock, at(day, 15))
        afternoon(bot, day)
        day += timedelta(days=1)
    deliver_until(job_context, clock, at(LAST_DAY + timedelta(days=7), 0))


# --- the test ------------------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # storage's races have their own PostgreSQL tests
def test_a_year_with_pauses_reminds_on_the_days_the_rules_say(bot, world, job_context, clock, fake_slack, session_factory):
    run_the_year(bot, job_context, clock)

    with session_factory() as session:
        decided: dict[int, set[tuple[str, date, int, date]]] = {pairing_id: set() for pairing_id in world.pairing_ids.values()}
        for row in session.scalars(select(NudgeDecision)):
            decided[row.pairing_id].add((row.kind, row.due_on, row.sequence, row.decided_at.astimezone(NEW_YORK).date()))
        messages = list(session.scalars(select(OutboxMessage)))
        [proposal] = [p for p in session.scalars(select(Proposal)) if p.round_id is not None]
        proposed = {(pair.mentor_id, pair.resident_id) for pair in proposal.pairs}
        dee_waits = session.scalar(
            select(QueueEntry).where(QueueEntry.person_id == world.person_ids["UDEE"], QueueEntry.resolved_at.is_(None))
        )
        pairing_c = session.get(Pairing, world.pairing_ids["C"])

    # Every reminder the rules call for, on the very day they call for it, and no other.
    for pair, pairing_id in world.pairing_ids.items():
        assert decided[pairing_id] == expected_decisions(pair), pair

    # The two-month pause: Ada's pair was due Oct 1 with 45 days left on Aug 17; back on Oct 17, so due
    # Dec 1, and the ladder moved with it (heads-up 14 days before, then due).
    a = decided[world.pairing_ids["A"]]
    assert ("approaching", date(2026, 12, 1), 0, date(2026, 11, 17)) in a
    assert ("due", date(2026, 12, 1), 0, date(2026, 12, 1)) in a
    assert not any(date(2026, 8, 17) < on < date(2026, 10, 17) for *_, on in a)
    # The pause ended early: Bo's pair was due Nov 20 with 46 days left on Oct 5; back on Nov 2, so Dec 18.
    b = decided[world.pairing_ids["B"]]
    assert ("approaching", date(2026, 12, 18), 0, date(2026, 12, 4)) in b
    assert not any(date(2026, 10, 5) < on <= date(2026, 11, 2) for *_, on in b)

    # Nothing reached a pair while it was paused, and every reminder went out in working hours.
    posted = {m.id: m for m in messages if m.state is OutboxState.SENT}
    for message in posted.values():
        if message.kind.startswith("nudge.") and message.kind != "nudge.escalation":
            assert is_working_time(message.sent_at, NEW_YORK), (message.id, message.sent_at)
            pair = next(p for p, i in world.pairing_ids.items() if i == message.pairing_id)
            for planned in PAUSES:
                ends = planned.resumed_on or planned.until
                if planned.pair == pair:
                    sent_on = message.sent_at.astimezone(NEW_YORK).date()
                    assert not (planned.on < sent_on < ends), (pair, message.kind, sent_on)

    # Each pause ends with one "back on" message to the pair; Ada's ended on a Saturday and was
    # announced on Monday morning. Dee's pairing ended meanwhile, so she got none.
    back_on = sorted(
        (m.sent_at.astimezone(NEW_YORK), sorted(m.recipient_user_ids)) for m in messages if m.kind == "pause.back_on"
    )
    assert [(when.date(), who) for when, who in back_on] == [
        (date(2026, 10, 19), ["UADA", "UALBA"]),
        (date(2026, 11, 2), ["UBELL", "UBO"]),
        (date(2027, 8, 16), ["UCOLE", "UCY"]),
    ]
    assert back_on[0][0].time() == time(9)
    notices = sorted(
        (m.created_at.astimezone(NEW_YORK).date(), m.recipient_user_ids) for m in messages if m.kind == "pause.notice"
    )
    assert notices == [
        (date(2026, 8, 17), ["UALBA"]),
        (date(2026, 10, 5), ["UBO"]),
        (date(2027, 6, 1), ["UDANA"]),
        (date(2027, 6, 15), ["UCY"]),
    ]
    assert pairing_c.paused_until is None

    # The round of 2027-28 opened on July 1 and matched at its deadline, with neither paused person in it.
    assert proposed == {(world.person_ids["UDANA"], world.person_ids["UEVE"])}, "Eve asked for Dr. Cole, who is paused"
    assert world.person_ids["UDEE"] not in proposal.unmatched_resident_ids
    assert dee_waits is not None, "Dee stays on the waiting list until she is back"

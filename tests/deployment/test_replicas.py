"""Scale-out, proven: three `mentorbot run --http` replicas and two `mentorbot scheduler`
processes on one PostgreSQL database, against the fake Slack.

Signed requests are spread round-robin across the replicas (the load balancer); the schedulers
race for the same sweeps and the same outbox. Time is a clock file all five processes read
(MENTORBOT_CLOCK_FILE); moving it makes every scheduler run every job. The round-opening burst
(invitations, everyone opening and submitting their modals, double submissions, Slack retries,
two coordinators approving at once) and a quarter of meeting reminders go through them, and the
test checks from outside: every invitation and reminder delivered exactly once, every modal
saved once, no request failed, nothing logged as an error.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from mentoring.preferences import FocusArea
from sandbox import slack_requests as slack
from sandbox.fake_slack import Call, FakeSlack
from storage.db import make_engine, make_session_factory
from storage.models import MentorOffer, OutboxMessage, OutboxState, Pairing, Person, ResidentPreference
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.support.deployment import ClockFile, Deployment, run_command
from tests.support.forms import offer_values, request_values
from views.ids import ACTION_OPEN_OFFER, ACTION_OPEN_REQUEST, ACTION_PICK_MENTOR, ACTION_REVIEW_PROPOSAL, ACTION_WE_MET
from views.meetings import ACTION_DATE, BLOCK_DATE

pytestmark = pytest.mark.postgres

COORDINATORS = ["UCOORD1", "UCOORD2"]
FACULTY = [f"UFAC{n:02d}" for n in range(1, 21)]
RESIDENTS = [f"URES{n:02d}" for n in range(1, 31)]
SILENT = {"UFAC19", "UFAC20", "URES27", "URES28", "URES29", "URES30"}  # never answer: they get the round's reminder
DOUBLE_SUBMIT = {*FACULTY[::5], *RESIDENTS[1::5]}  # press Submit twice: two replicas get it at once
SLACK_RETRIES = {*FACULTY[2::7], *RESIDENTS[3::7]}  # Slack sends the same submission again
CHANNEL = "C0COORD1"
SORRY = "Sorry, something went wrong"
TIMEOUT = 30.0


def at(day: date) -> datetime:
    """11:00 in New York (10:00 in winter): inside everyone's working hours on a weekday."""
    return datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)


OPENING = date(2026, 7, 1)  # a Wednesday: the academic year starts, the round opens
ROUND_REMINDER = date(2026, 7, 12)  # three days before the deadline: a Sunday, so it waits...
MONDAY = date(2026, 7, 13)  # ...for Monday's working hours
AFTER_DEADLINE = date(2026, 7, 16)  # the matcher has run; first meetings due October 16
FRIDAYS = [date(2026, 7, 17) + timedelta(weeks=n) for n in range(17)]  # through November 6
MET_ON = date(2026, 10, 8)  # some pairs meet after the "approaching" reminder of October 2


@pytest.fixture
def fake() -> Any:
    with FakeSlack() as fake:
        fake.add_channel(CHANNEL, name="mentoring-coordinators")
        for user_id in [*COORDINATORS, *FACULTY, *RESIDENTS]:
            fake.add_user(user_id, name=user_id.lower())
        yield fake


def _roster(directory: Path) -> Path:
    rows = ["slack_user_id,name,role,pgy,subspecialty"]
    rows += [f"{u},Casey {u},coordinator,," for u in COORDINATORS]
    rows += [f"{u},Dr. {u},faculty,,{['cardiology', 'nephrology', 'oncology'][i % 3]}" for i, u in enumerate(FACULTY)]
    rows += [f"{u},Res {u},resident,{1 + i % 3}," for i, u in enumerate(RESIDENTS)]
    path = directory / "roster.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


class Client:
    """What Slack does for people: clicks their buttons, opens and submits their modals, signed,
    through the load balancer; and what the test saw in return."""

    def __init__(self, deployment: Deployment, fake: FakeSlack) -> None:
        self.deployment, self.fake = deployment, fake
        self.statuses: Counter[int] = Counter()
        self._triggers = count(1)

    def send(self, built: slack.Built, *, replica: int | None = None, headers: dict[str, str] | None = None) -> str:
        request = slack.signed(SIGNING_SECRET, built)
        request.headers.update(headers or {})
        status, body = self.deployment.post(request, replica=replica)
        self.statuses[status] += 1
        assert status == 200, (status, body)
        return body

    def wait(self, method: str, matches: Callable[[Call], bool], *, count: int = 1) -> list[Call]:
        """The calls to `method` that match, once there are `count` of them (work after an ack takes a moment)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            found = [c for c in self.fake.calls_to(method) if matches(c)]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"expected {count} {method} call(s), got {len(found)}"
                return found
            time.sleep(0.02)

    def click(self, user_id: str, message: dict[str, Any], action_id: str) -> dict[str, Any]:
        """Press a button in a message the bot sent; the modal it opened, as Slack stored it."""
        button = _button(message, action_id)
        trigger = f"trig-{user_id}-{next(self._triggers)}"
        self.send(
            slack.block_actions(
                action_id, user_id=user_id, value=button.get("value"), trigger_id=trigger, message_ts=message["ts"]
            )
        )
        [opened] = self.wait("views.open", lambda c: c.args.get("trigger_id") == trigger)
        assert opened.ok, opened.response
        return opened.response["view"]

    def submit(
        self, user_id: str, view: dict[str, Any], values: dict[str, Any], *, double: bool = False, retry: bool = False
    ) -> list[dict[str, Any]]:
        """Submit a modal (twice at once, or again as a Slack retry); the views it ended showing."""
        built = slack.view_submission(
            view["callback_id"], user_id=user_id, values=values, private_metadata=view["private_metadata"],
            view_id=view["id"], hash=view["hash"],
        )  # fmt: skip
        if double:
            with ThreadPoolExecutor(2) as pool:
                acks = list(pool.map(lambda replica: self.send(built, replica=replica), (0, 1)))
        else:
            acks = [self.send(built)]
            if retry:
                acks.append(self.send(built, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}))
        for ack in acks:
            assert json.loads(ack)["response_action"] == "update", ack  # "Saving…"; the outcome follows
        updates = self.wait("views.update", lambda c: c.args.get("view_id") == view["id"], count=len(acks))
        return [c.args["view"] for c in updates]


def _button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in message.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {message.get('text')!r}")


def _delivered(fake: FakeSlack) -> Counter[int]:
    """How many times each outbox row was posted to Slack (its id rides in the metadata)."""
    return Counter(
        int(call.args["metadata"]["event_payload"]["outbox_id"])
        for call in fake.calls_to("chat.postMessage")
        if call.ok and call.args.get("metadata")
    )


def test_three_replicas_and_two_schedulers_deliver_everything_exactly_once(pg_database_url, fake, tmp_path):
    clock = ClockFile(tmp_path / "clock", at(OPENING) - timedelta(days=1))
    env = {
        **os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.url,
        "DATABASE_URL": pg_database_url, "MENTORBOT_CLOCK_FILE": str(clock.path), "MENTORBOT_COORDINATOR_CHANNEL": CHANNEL,
        "MENTORBOT_LOG_LEVEL": "INFO",  # the clock file's "every job ran" lines are INFO
    }  # fmt: skip
    env.pop("SLACK_APP_TOKEN", None)
    run_command(["roster", "import", str(_roster(tmp_path))], env, tmp_path)
    rng = random.Random(13)

    with Deployment(tmp_path, env, settled=lambda: _nothing_in_flight(pg_database_url)) as deployment:
        people = Client(deployment, fake)

        # July 1: the round opens and everyone on the roster is invited, once.
        deployment.run_every_job(clock, at(OPENING))
        for user_id in FACULTY + RESIDENTS:
            [invitation] = fake.messages(user_id)
            assert "round" in invitation["text"].lower() or invitation["blocks"], invitation

        # The burst: faculty first (residents rank those who said yes), in a shuffled crowd.
        def faculty_answers(user_id: str) -> list[dict[str, Any]]:
            view = people.click(user_id, fake.messages(user_id)[0], ACTION_OPEN_OFFER)
            values = offer_values(available=True, capacity=2, focus_areas=[FocusArea.ACADEMIC.value])
            return people.submit(user_id, view, values, double=user_id in DOUBLE_SUBMIT, retry=user_id in SLACK_RETRIES)

        def resident_answers(user_id: str) -> list[dict[str, Any]]:
            view = people.click(user_id, fake.messages(user_id)[0], ACTION_OPEN_REQUEST)
            suggested = people.send(slack.block_suggestion(ACTION_PICK_MENTOR, user_id=user_id, view={"id": view["id"]}))
            offered = [o["value"] for o in json.loads(suggested)["options"]]
            assert len(offered) == len(FACULTY)  # nobody said no; those yet to answer may still say yes
            ranking = random.Random(user_id).sample(offered, 3)  # reproducible whatever the threads do
            values = request_values(ranking, focus_areas=[FocusArea.WELLBEING.value])
            return people.submit(user_id, view, values, double=user_id in DOUBLE_SUBMIT, retry=user_id in SLACK_RETRIES)

        def app_home(user_id: str) -> None:
            built = slack.app_home_opened(user_id, event_id=f"Ev-home-{user_id}")
            people.send(built)
            if user_id in SLACK_RETRIES:
                people.send(built, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})

        crowd_of_faculty = rng.sample([u for u in FACULTY if u not in SILENT], k=len(FACULTY) - 2)
        crowd_of_residents = rng.sample([u for u in RESIDENTS if u not in SILENT], k=len(RESIDENTS) - 4)
        with ThreadPoolExecutor(8) as crowd:
            outcomes = dict(zip(crowd_of_faculty, crowd.map(faculty_answers, crowd_of_faculty), strict=True))
        with ThreadPoolExecutor(8) as crowd:
            outcomes |= dict(zip(crowd_of_residents, crowd.map(resident_answers, crowd_of_residents), strict=True))
            list(crowd.map(app_home, FACULTY + RESIDENTS))
        for user_id, views in outcomes.items():
            for shown in views:
                assert "Thanks" in json.dumps(shown) and SORRY not in json.dumps(shown), (user_id, shown)

        # The round's reminder reaches only those who did not answer, on Monday, once.
        deployment.run_every_job(clock, at(ROUND_REMINDER))
        deployment.run_every_job(clock, at(MONDAY))
        for user_id in FACULTY + RESIDENTS:
            assert len(fake.messages(user_id)) == (2 if user_id in SILENT else 1), user_id

        # After the deadline the matcher runs once; both coordinators approve at the same moment.
        deployment.run_every_job(clock, at(AFTER_DEADLINE))
        reviews = [people.click(c, fake.messages(c)[-1], ACTION_REVIEW_PROPOSAL) for c in COORDINATORS]
        with ThreadPoolExecutor(2) as pool:
            approvals = list(pool.map(lambda pair: people.submit(pair[0], pair[1], {}), zip(COORDINATORS, reviews, strict=True)))
        shown = [json.dumps(views) for views in approvals]
        assert sum("*Approved.*" in s for s in shown) == 1 and not any(SORRY in s for s in shown), shown
        deployment.run_every_job(clock)  # the introductions go out

        # A quarter of meeting reminders, a sweep every Friday; some pairs meet in October.
        for friday in FRIDAYS:
            deployment.run_every_job(clock, at(friday))
            if friday == date(2026, 10, 9):
                met = _log_meetings(people, fake, pg_database_url)
                deployment.run_every_job(clock)

        statuses = deployment.stop()
        logs = {process.name: process.log() for process in deployment.processes}

    assert statuses == dict.fromkeys(statuses, 0), statuses
    for name, text in logs.items():
        assert " ERROR " not in text and "Traceback" not in text, f"{name}:\n{text}"
    assert set(people.statuses) == {200}
    assert fake.violations == []
    _check_every_message_once(fake, pg_database_url, met)
    _check_every_modal_saved_once(pg_database_url)


def _nothing_in_flight(database_url: str) -> bool:
    """No message is being sent: a scheduler's interval run may still be posting one after the passes."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return not session.scalar(select(func.count()).where(OutboxMessage.state == OutboxState.SENDING))
    finally:
        engine.dispose()


def _log_meetings(people: Client, fake: FakeSlack, database_url: str) -> set[int]:
    """Every third pair logs a meeting from its "approaching" reminder; both people press Submit
    at the same moment, through different replicas. The pairings that met."""
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        pairings = session.scalars(select(Pairing).order_by(Pairing.id)).all()
        pairs = [(p.id, p.mentor.slack_user_id, p.resident.slack_user_id) for p in pairings[::3]]
    engine.dispose()
    values = {BLOCK_DATE: {ACTION_DATE: {"type": "datepicker", "selected_date": MET_ON.isoformat()}}}
    for pairing_id, mentor, resident in pairs:
        forms = []
        for user_id in (mentor, resident):
            reminder = next(m for m in reversed(fake.messages(user_id)) if f'"{pairing_id}"' in json.dumps(m.get("blocks")))
            forms.append(people.click(user_id, reminder, ACTION_WE_MET))
        with ThreadPoolExecutor(2) as pool:
            shown = list(
                pool.map(lambda form: people.submit(form[0], form[1], values), zip((mentor, resident), forms, strict=True))
            )
        text = json.dumps(shown)
        assert SORRY not in text and text.count("already logged") == 1, text
    return {pairing_id for pairing_id, _, _ in pairs}


def _check_every_message_once(fake: FakeSlack, database_url: str, met: set[int]) -> None:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        pairings = session.scalars(select(Pairing)).all()
        active = [p for p in pairings if p.ended_on is None]
        rows_by_kind = Counter(r.kind for r in rows)
        states = Counter(r.state for r in rows)
        per_person: Counter[tuple[str, str]] = Counter()  # (kind, user)
        per_pair: Counter[tuple[int | None, str, str]] = Counter()  # (pairing, kind, user): a mentor may have two
        for row in rows:
            for user_id in row.recipient_user_ids or []:
                per_person[(row.kind, user_id)] += 1
                per_pair[(row.pairing_id, row.kind, user_id)] += 1
        escalations = Counter(r.pairing_id for r in rows if r.kind == "nudge.escalation")
        ids = [r.id for r in rows]
        uploads = {r.id for r in rows if r.attachment is not None}
        pair_people = {p.id: (p.mentor.slack_user_id, p.resident.slack_user_id) for p in active}
    engine.dispose()

    assert states == {OutboxState.SENT: len(rows)}, states  # nothing failed, nothing left behind
    posted = _delivered(fake)
    assert {i: n for i, n in posted.items() if n != 1} == {}, "posted more than once"
    assert set(posted) == set(ids) - uploads, "every message row posted"
    assert len(fake.uploaded_files) == len(uploads), "every chart uploaded once"
    # One invitation each, one round reminder for each who stayed silent, one introduction per pair.
    for user_id in FACULTY + RESIDENTS:
        assert per_person[("round.invitation", user_id)] == 1, user_id
        assert per_person[("round.reminder", user_id)] == (1 if user_id in SILENT else 0), user_id
    assert rows_by_kind["pairing.introduction"] == len(active) > 0
    # The quarter's ladder, once each: approaching, due, three missed; those who met stop after "approaching".
    for pairing_id, users in pair_people.items():
        expected = {"nudge.approaching": 1} if pairing_id in met else {
            "nudge.approaching": 1, "nudge.due": 1, "nudge.missed": 3,
        }  # fmt: skip
        for user_id in users:
            got = {
                kind: n for (p, kind, u), n in per_pair.items() if (p, u) == (pairing_id, user_id) and kind.startswith("nudge.")
            }
            assert got == expected, (pairing_id, user_id, got)
        assert escalations[pairing_id] == (0 if pairing_id in met else 1), pairing_id


def _check_every_modal_saved_once(database_url: str) -> None:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        offers = Counter(session.scalars(select(Person.slack_user_id).join(MentorOffer, MentorOffer.mentor_id == Person.id)))
        requests = Counter(
            session.scalars(select(Person.slack_user_id).join(ResidentPreference, ResidentPreference.resident_id == Person.id))
        )
        rankings = {len(r.ranking) for r in session.scalars(select(ResidentPreference))}
    engine.dispose()
    assert offers == Counter(u for u in FACULTY if u not in SILENT)
    assert requests == Counter(u for u in RESIDENTS if u not in SILENT)
    assert rankings == {3}

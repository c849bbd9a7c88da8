"""Nobody learns who withdrew or asked for a change from what appears or disappears (issue 9, class 1).

A difference check over every list and count a person can see: the pick lists, the App Home (each
role), `/mentor status`, the coordinator dashboard and `/mentor report`, the coordinators'
channel summary and quarter report, and the export a coordinator downloads. The same program is
built afresh for each event (its own database, the real Bolt app), and every surface is read as
every person. Then:

- people not in the pairing, and not coordinators, see exactly what they saw before the event;
- the other person in the pairing sees exactly the same whether their counterpart asked for a
  change (wanting a new match or not) or withdrew, and whichever of them asked: the neutral
  notice is all they learn, even when they are a coordinator too (Dr. Fran);
- an uninvolved coordinator (Casey) does see the difference: the check would notice one.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bot.app import build_app
from bot.runtime import Services
from mentorbot.config import Settings
from mentorbot.slack_client import make_web_client
from program import changes, pauses
from sandbox.fake_slack import FakeSlack
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Person, Program, Role
from storage.reports import program_snapshot, quarter_report
from storage.roster import Actor
from tests.conftest import SIGNING_SECRET
from tests.support import factories
from tests.support.clock import ManualClock
from tests.support.database import fresh_sqlite_url
from tests.support.harness import BotHarness
from views.ids import ACTION_PICK_MENTOR, ACTION_PICK_RESIDENT
from views.private_metadata import metadata_key
from views.reports import quarter_report_message, summary_message

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
# Who is who: Riley and Dr. Fran (faculty and a coordinator) are the pairing that changes.
PEOPLE = {
    "UCASEY": ("Casey Coordinator", Role.COORDINATOR, False),
    "UFRAN": ("Dr. Fran", Role.FACULTY, True),
    "URILEY": ("Riley Resident", Role.RESIDENT, False),
    "UGIL": ("Dr. Gil", Role.FACULTY, False),
    "UTESS": ("Tess Resident", Role.RESIDENT, False),
    "UHAL": ("Dr. Hal", Role.FACULTY, False),
    "UUNA": ("Una Resident", Role.RESIDENT, False),
    "UVIC": ("Vic Resident", Role.RESIDENT, False),
}
BYSTANDERS = ("UGIL", "UTESS", "UHAL", "UUNA", "UVIC")  # in no pairing concerned, not coordinators


@dataclass
class World:
    bot: BotHarness
    session_factory: Any
    program_id: int
    people: dict[str, int]
    pairing: int  # Riley and Dr. Fran

    def actor(self, user_id: str) -> Actor:
        with self.session_factory() as session:
            return Actor.of(session.get(Person, self.people[user_id]))


def build_world(tmp: Path, template: Path, fake: FakeSlack) -> World:
    url = fresh_sqlite_url(template, tmp)
    session_factory = make_session_factory(make_engine(url))
    clock = ManualClock(NOW)
    settings = Settings(
        bot_token="xoxb-test-token", signing_secret=SIGNING_SECRET, app_token=None, slack_api_url=fake.url,
        database_url=url, time_zone="America/New_York", coordinator_channel_id="C0COORD1",
    )  # fmt: skip
    services = Services(session_factory=session_factory, metadata_key=metadata_key(SIGNING_SECRET), clock=clock)
    app, router = build_app(
        services, client=make_web_client(settings), signing_secret=SIGNING_SECRET, process_before_response=True
    )
    with session_scope(session_factory) as session:
        program = factories.program(session, channel="C0COORD1")
        people = {
            uid: factories.person(
                session, program, role=role, name=name, slack_user_id=uid, is_coordinator=coordinator or None, pgy=2
            )
            for uid, (name, role, coordinator) in PEOPLE.items()
        }
        # Dr. Fran is full with Riley: a place that opened when the pairing ended must not show either.
        for mentor, capacity in (("UFRAN", 1), ("UGIL", 2), ("UHAL", 2)):
            factories.offer(session, program, mentor=people[mentor], capacity=capacity)
        pairing = factories.pairing(
            session, program, mentor=people["UFRAN"], resident=people["URILEY"], started_on=date(2026, 9, 1)
        )
        factories.pairing(session, program, mentor=people["UGIL"], resident=people["UTESS"], started_on=date(2026, 9, 1))
        factories.queued(session, program, people["UVIC"], since=datetime(2026, 11, 2, 14, tzinfo=UTC))
        ids = {uid: p.id for uid, p in people.items()}
        world = World(
            BotHarness(app=app, router=router, fake=fake, signing_secret=SIGNING_SECRET),
            session_factory,
            program.id,
            ids,
            pairing.id,
        )
    return world


# --- the events -----------------------------------------------------------------------------------


def change(user_id: str, *, rematch: bool) -> Callable[[World, Session], object]:
    return lambda w, s: changes.request_change(
        s, actor=w.actor(user_id), pairing_id=w.pairing, note="private", rematch=rematch, now=NOW
    )


def withdraw(user_id: str) -> Callable[[World, Session], object]:
    return lambda w, s: changes.withdraw(s, actor=w.actor(user_id), note="private", now=NOW)


def pause(user_id: str) -> Callable[[World, Session], object]:
    return lambda w, s: pauses.pause(s, actor=w.actor(user_id), pairing_ids=[w.pairing], ends_on=date(2027, 1, 10), now=NOW)


EVENTS: dict[str, Callable[[World, Session], object] | None] = {
    "nothing": None,
    "Riley asks for a change and a new match": change("URILEY", rematch=True),
    "Riley asks for a change, no new match for now": change("URILEY", rematch=False),
    "Riley withdraws": withdraw("URILEY"),
    "Dr. Fran asks for a change and a new match": change("UFRAN", rematch=True),
    "Dr. Fran asks for a change, no new match for now": change("UFRAN", rematch=False),
    "Dr. Fran withdraws": withdraw("UFRAN"),
    "Riley pauses their meetings": pause("URILEY"),
}
# The other person, for whom these must all look the same.
RILEY_LEFT_FRAN = ("Riley asks for a change and a new match", "Riley asks for a change, no new match for now", "Riley withdraws")
FRAN_LEFT_RILEY = ("Dr. Fran asks for a change and a new match", "Dr. Fran withdraws")


# --- every list and count each person can see ------------------------------------------------------


def surfaces(world: World, user_id: str) -> dict[str, Any]:
    bot, fake = world.bot, world.bot.fake
    _, role, coordinator = PEOPLE[user_id]
    seen: dict[str, Any] = {}
    bot.open_home(user_id)
    seen["App Home"] = (fake.home_view(user_id) or {}).get("blocks")  # without the view id and hash Slack adds
    seen["/mentor status"] = [r["text"] for r in bot.command("status", user_id=user_id).responses]
    if role is Role.RESIDENT:
        seen["faculty pick list"] = bot.suggest(ACTION_PICK_MENTOR, user_id=user_id)
    if role is Role.FACULTY:
        seen["resident pick list"] = bot.suggest(ACTION_PICK_RESIDENT, user_id=user_id)
    if role is Role.COORDINATOR or coordinator:
        seen["/mentor report"] = bot.command("report", user_id=user_id).only_response()["blocks"]
        uploads = len(fake.uploaded_files)
        bot.command("admin export", user_id=user_id)
        seen["export"] = [fake.file_content(f.file_id) for f in fake.uploaded_files[uploads:]]
        with world.session_factory() as session:
            program = session.get(Program, world.program_id)
            snapshot = program_snapshot(session, program=program, now=NOW)  # what the channel gets
            seen["channel summary"] = summary_message(snapshot)["blocks"]
            seen["quarter report"] = quarter_report_message(quarter_report(session, program=program, quarter=snapshot.quarter))
    return json.loads(json.dumps(seen, default=lambda b: b.decode("utf-8-sig")))


@pytest.fixture(scope="module")
def seen(sqlite_template, tmp_path_factory) -> dict[str, dict[str, dict[str, Any]]]:
    """event -> person -> surface -> what they see, each event in a program of its own."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    with FakeSlack() as fake:
        for user_id, (name, _, _) in PEOPLE.items():
            fake.add_user(user_id, name=name)
        for number, (event, happen) in enumerate(EVENTS.items()):
            world = build_world(tmp_path_factory.mktemp(f"world{number}"), sqlite_template, fake)
            if happen is not None:
                with session_scope(world.session_factory) as session:
                    happen(world, session)
            found[event] = {user_id: surfaces(world, user_id) for user_id in PEOPLE}
        assert fake.violations == []
    return found


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [
        f"{surface}: {before.get(surface)!r}\n  became {after.get(surface)!r}"
        for surface in before | after
        if before.get(surface) != after.get(surface)
    ]


@pytest.mark.parametrize("event", [e for e in EVENTS if e != "nothing"])
@pytest.mark.parametrize("user_id", BYSTANDERS)
def test_people_outside_the_pairing_see_exactly_what_they_saw_before(seen, event, user_id):
    assert differences(seen["nothing"][user_id], seen[event][user_id]) == []


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(RILEY_LEFT_FRAN, 2)))
def test_the_mentor_and_coordinator_cannot_tell_how_or_why_their_mentee_left(seen, first, second):
    assert differences(seen[first]["UFRAN"], seen[second]["UFRAN"]) == []


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(FRAN_LEFT_RILEY, 2)))
def test_the_resident_cannot_tell_whether_their_mentor_asked_for_a_change_or_left(seen, first, second):
    assert differences(seen[first]["URILEY"], seen[second]["URILEY"]) == []


def test_an_uninvolved_coordinator_sees_the_request_so_the_check_can_see_differences(seen):
    before, after = seen["nothing"]["UCASEY"], seen["Riley withdraws"]["UCASEY"]
    assert "/mentor report" in {line.split(":")[0] for line in differences(before, after)}
    assert "Change or withdrawal requests" in json.dumps(after["/mentor report"]) or after != before

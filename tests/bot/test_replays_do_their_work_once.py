"""A signed request that arrives twice does its work once: every `/mentor` subcommand, every
button and the App Home event, each sent as one signed request delivered twice (a replay within
Slack's five minutes; Slack's retry, for the event), and on PostgreSQL delivered to two app
instances at the same moment. The first delivery changes the database or calls Slack; the second
changes nothing at all: every row of every table, and the fake Slack's transcript, are compared.

The subcommands and buttons are read from the real app's registrations, so a new one fails here
until it has an entry in CASES (and so is walked too).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from slack_bolt import App
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_app
from bot.runtime import Services
from mentorbot.config import Settings
from mentorbot.slack_client import make_web_client
from mentoring.check_ins import CheckInKind
from program import changes, pauses
from sandbox import slack_requests as slack
from sandbox.fake_slack import FakeSlack
from storage import check_ins
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import Base, PersonStatus, Role, Workspace
from storage.roster import Actor
from tests.conftest import SIGNING_SECRET
from tests.support import factories
from tests.support.changes import HOME_VIEW
from tests.support.database import truncate_all
from tests.support.forms import selected
from tests.support.harness import BotHarness
from tests.support.listeners import registered_listeners, subcommand_lines
from views import ids
from views.private_metadata import metadata_key


@dataclass(frozen=True)
class World:
    ids: dict[str, int] = field(default_factory=dict)  # people, pairings, requests, prompts... by name


def build_world(session: Session, clock: Callable[[], Any]) -> World:
    program = factories.program(session)
    # Installed through the OAuth flow, so an uninstall has something to record (and pause).
    session.add(Workspace(team_id=program.team_id, name="Fake workspace", installed_at=clock()))
    add = lambda role, name, uid, **kw: factories.person(session, program, role=role, name=name, slack_user_id=uid, **kw)  # noqa: E731
    casey = add(Role.COORDINATOR, "Casey Coordinator", "UCASEY")
    fran, gil, hal = (
        add(Role.FACULTY, "Dr. Fran", "UFRAN"),
        add(Role.FACULTY, "Dr. Gil", "UGIL"),
        add(Role.FACULTY, "Dr. Hal", "UHAL"),
    )
    riley, tess, sam = (
        add(Role.RESIDENT, "Riley Resident", "URILEY"),
        add(Role.RESIDENT, "Tess Resident", "UTESS"),
        add(Role.RESIDENT, "Sam Resident", "USAM"),
    )
    una = add(Role.RESIDENT, "Una Unpaired", "UUNA")
    wren = add(Role.RESIDENT, "Wren Withdrawn", "UWREN")
    wren.status, wren.withdrawn_at = PersonStatus.WITHDRAWN, clock()
    rileys = factories.pairing(session, program, mentor=fran, resident=riley)
    tess_pair = factories.pairing(session, program, mentor=gil, resident=tess)
    sams = factories.pairing(session, program, mentor=hal, resident=sam)
    # The waiting list and a place for it: `admin match` proposes Una to Dr. Gil.
    factories.queued(session, program, una)
    factories.offer(session, program, mentor=gil, capacity=2)
    proposal = factories.proposal(session, program, pairs=[(gil, una, 1)])
    request = changes.request_change(
        session, actor=Actor.of(sam), pairing_id=sams.id, note="for coordinators", rematch=True, now=clock()
    )
    ask = lambda person, pairing, kind, on: check_ins.ask(  # noqa: E731
        session, program=program, person=person, pairing_id=pairing.id, kind=kind, subject_on=on, now=clock()
    )
    prompt = ask(riley, rileys, CheckInKind.MEETING, date(2026, 11, 20))
    skipped = ask(fran, rileys, CheckInKind.MEETING, date(2026, 11, 20))
    noted = ask(tess, tess_pair, CheckInKind.QUARTERLY, date(2026, 7, 1))
    note = check_ins.answer(session, prompt_id=noted.id, person=tess, score=3, text="for coordinators", now=clock()).note
    assert note is not None
    pauses.pause(session, actor=Actor.of(tess), pairing_ids=[tess_pair.id], ends_on=date(2027, 1, 15), now=clock())
    return World(
        {
            "casey": casey.id, "una": una.id, "hal": hal.id, "rileys": rileys.id, "tess_pair": tess_pair.id, "proposal": proposal.id,
            "request": request.summary.request_id, "prompt": prompt.id, "skipped": skipped.id, "note": note.id,
        }
    )  # fmt: skip


USERS = ("UCASEY", "UFRAN", "UGIL", "UHAL", "URILEY", "UTESS", "USAM", "UUNA", "UWREN")


# --- what each surface is sent (a Built body, from the world) -----------------------------------

Request = Callable[[World, FakeSlack, BotHarness], slack.Built]  # what to send; the bot may set the scene first


def command(user: str, words: str) -> Request:
    return lambda world, fake, bot: slack.slash_command(words, user_id=user, response_url=fake.response_url(f"r-{user}"))


def click(user: str, action_id: str, value: Callable[[World], str | None] = lambda w: None, *, home: bool = False) -> Request:
    def build(world: World, fake: FakeSlack, bot: BotHarness) -> slack.Built:
        if home:
            return slack.block_actions(action_id, user_id=user, value=value(world), view=HOME_VIEW)
        return slack.block_actions(action_id, user_id=user, value=value(world), response_url=fake.response_url(f"r-{user}"))

    return build


def the(name: str) -> Callable[[World], str]:
    return lambda world: str(world.ids[name])


def reassign_in_review(world: World, fake: FakeSlack, bot: BotHarness) -> slack.Built:
    """Inside the review modal: Una moves from Dr. Gil to Dr. Hal."""
    bot.click(ids.ACTION_REVIEW_PROPOSAL, user_id="UCASEY", value=str(world.ids["proposal"]))
    view = bot.opened_view()
    block = lambda prefix: next(b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith(prefix))  # noqa: E731
    state = {
        block("reassign_resident"): {ids.ACTION_PICK_PROPOSAL_RESIDENT: selected(world.ids["una"], "external_select")},
        block("reassign_mentor"): {ids.ACTION_PICK_PROPOSAL_MENTOR: selected(world.ids["hal"], "external_select")},
    }
    return slack.block_actions(ids.ACTION_REASSIGN, user_id="UCASEY", view=view | {"state": {"values": state}})


# Per subcommand line (`admin round` …) and per registered action: at least one case each.
COMMANDS: dict[str, list[Request]] = {
    "help": [command("URILEY", "help")],
    "status": [command("URILEY", "status")],
    "met": [command("URILEY", "met"), command("URILEY", "met 2026-11-20")],
    "pause": [command("URILEY", "pause")],
    "resume": [command("UTESS", "resume")],
    "plan": [command("URILEY", "plan")],
    "request": [command("UUNA", "request")],
    "offer": [command("UGIL", "offer")],
    "change": [command("URILEY", "change")],
    "withdraw": [command("URILEY", "withdraw")],
    "rejoin": [command("UWREN", "rejoin")],
    "report": [command("UCASEY", "report")],
    "admin round": [command("UCASEY", "admin round open"), command("UCASEY", "admin round close")],
    "admin match": [command("UCASEY", "admin match")],
    "admin pair": [command("UCASEY", "admin pair <@UHAL> <@UUNA>")],
    "admin unpair": [command("UCASEY", "admin unpair <@URILEY>")],
    "admin export": [command("UCASEY", "admin export")],
}
ACTIONS: dict[str, list[Request]] = {
    ids.ACTION_OPEN_REQUEST: [click("UUNA", ids.ACTION_OPEN_REQUEST)],
    ids.ACTION_OPEN_OFFER: [click("UGIL", ids.ACTION_OPEN_OFFER)],
    ids.ACTION_REVIEW_PROPOSAL: [click("UCASEY", ids.ACTION_REVIEW_PROPOSAL, the("proposal"))],
    ids.ACTION_REASSIGN: [reassign_in_review],
    ids.ACTION_WE_MET: [click("URILEY", ids.ACTION_WE_MET, the("rileys"))],
    ids.ACTION_PAUSE: [click("URILEY", ids.ACTION_PAUSE, home=True)],
    ids.ACTION_RESUME: [click("UTESS", ids.ACTION_RESUME, home=True)],
    ids.ACTION_PLAN: [click("URILEY", ids.ACTION_PLAN, the("rileys"))],
    ids.ACTION_CHECK_IN: [click("URILEY", ids.ACTION_CHECK_IN, the("prompt"))],
    ids.ACTION_CHECK_IN_SKIP: [click("UFRAN", ids.ACTION_CHECK_IN_SKIP, the("skipped"))],
    ids.ACTION_NOTE_READ: [click("UCASEY", ids.ACTION_NOTE_READ, the("note"))],
    ids.ACTION_CHANGE: [click("URILEY", ids.ACTION_CHANGE, the("rileys"))],
    ids.ACTION_WITHDRAW: [click("URILEY", ids.ACTION_WITHDRAW, home=True)],
    ids.ACTION_REJOIN: [click("UWREN", ids.ACTION_REJOIN, home=True)],
    ids.ACTION_RESOLVE_REMATCH: [click("UCASEY", ids.ACTION_RESOLVE_REMATCH, the("request"))],
    ids.ACTION_RESOLVE_CLOSE: [click("UCASEY", ids.ACTION_RESOLVE_CLOSE, the("request"))],
    ids.ACTION_OPEN_ROUND: [click("UCASEY", ids.ACTION_OPEN_ROUND, home=True)],
    ids.ACTION_RUN_MATCH: [click("UCASEY", ids.ACTION_RUN_MATCH, home=True)],
    ids.ACTION_EXPORT: [click("UCASEY", ids.ACTION_EXPORT, home=True)],
}
EVENTS: dict[str, list[Request]] = {
    ids.EVENT_APP_HOME_OPENED: [lambda world, fake, bot: slack.app_home_opened("URILEY")],
    # Idempotent by design (bot/listeners/workspaces.py), so not deduplicated: a retry completes a
    # first delivery that failed halfway. Here they fail the world's waiting messages.
    ids.EVENT_APP_UNINSTALLED: [lambda world, fake, bot: slack.app_uninstalled()],
    ids.EVENT_TOKENS_REVOKED: [lambda world, fake, bot: slack.tokens_revoked()],
}
# A second delivery as Slack's retry says it (events); the others are replays, byte for byte.
SLACK_RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
RETRY_HEADERS = dict.fromkeys((ids.EVENT_APP_HOME_OPENED, ids.EVENT_APP_UNINSTALLED, ids.EVENT_TOKENS_REVOKED), SLACK_RETRY)

CASES = [
    pytest.param(kind, name, build, id=f"{kind} {name} {number}")
    for kind, table in (("command", COMMANDS), ("action", ACTIONS), ("event", EVENTS))
    for name, builds in table.items()
    for number, build in enumerate(builds, 1)
]


def test_every_command_button_and_event_has_a_case(bot):
    registered = registered_listeners(bot.app)
    assert sorted(subcommand_lines(bot.router)) == sorted(COMMANDS)
    assert sorted(r.key for r in registered if r.kind == "action") == sorted(ACTIONS)
    assert sorted(r.key for r in registered if r.kind == "event") == sorted(EVENTS)
    assert {r.kind for r in registered} <= {"command", "action", "event", "view_submission", "options"}
    # Modal submissions have their own guard (a view's id: tests/bot/test_changes.py and others);
    # options only read, and answer in the ack.


# --- what changed ----------------------------------------------------------------------------


def database_rows(session_factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    with session_scope(session_factory) as session:
        return {
            table.name: sorted((tuple(row) for row in session.execute(text(f'SELECT * FROM "{table.name}"'))), key=repr)
            for table in Base.metadata.sorted_tables
        }


def work(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows a request's work writes, without the mark that it was handled."""
    return {name: table for name, table in rows.items() if name != "slack_deliveries"}


def changes_between(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> dict[str, tuple[list[Any], list[Any]]]:
    """Per table, the rows that appeared and the rows that went (a world's random ids cancel out)."""
    changed = {}
    for name in after:
        added = [row for row in after[name] if row not in before[name]]
        removed = [row for row in before[name] if row not in after[name]]
        if added or removed:
            changed[name] = (added, removed)
    return changed


def slack_transcript(fake: FakeSlack) -> list[tuple[str, str]]:
    return [(call.method, repr(sorted(call.args.items(), key=lambda item: item[0]))) for call in fake.calls]


def signed_twice(
    build: Request, world: World, fake: FakeSlack, bot: BotHarness, name: str
) -> tuple[slack.SignedRequest, slack.SignedRequest]:
    request = slack.signed(SIGNING_SECRET, build(world, fake, bot))
    again = slack.SignedRequest(request.body, {**request.headers, **RETRY_HEADERS.get(name, {})})
    return request, again


@pytest.fixture
def world(arrange, fake_slack, clock) -> World:
    with arrange() as session:
        made = build_world(session, clock)
    for user in USERS:
        fake_slack.add_user(user, name=user.lower())
    return made


@pytest.mark.parametrize(("kind", "name", "build"), CASES)
def test_the_same_request_twice_does_its_work_once(kind, name, build, bot: BotHarness, world, fake_slack, session_factory):
    first, again = signed_twice(build, world, fake_slack, bot, name)
    rows, calls = database_rows(session_factory), slack_transcript(fake_slack)

    assert bot.app.dispatch(first.to_bolt_request()).status == 200
    rows_after, calls_after = database_rows(session_factory), slack_transcript(fake_slack)
    assert (work(rows_after), calls_after) != (work(rows), calls), (
        f"{kind} {name}: the first delivery did nothing to check against"
    )

    answer = bot.app.dispatch(again.to_bolt_request())
    assert answer.status == 200
    assert database_rows(session_factory) == rows_after, f"{kind} {name}: the second delivery changed the database"
    assert slack_transcript(fake_slack) == calls_after, f"{kind} {name}: the second delivery called Slack again"


# --- two app instances, one PostgreSQL --------------------------------------------------------


def app_instance(settings: Settings, clock) -> App:
    """Another process's app: its own engine, connections and Web API client on the same database."""
    services = Services(
        session_factory=make_session_factory(make_engine(settings.database_url)),
        metadata_key=metadata_key(SIGNING_SECRET),
        clock=clock,
    )
    app, _ = build_app(services, client=make_web_client(settings), signing_secret=SIGNING_SECRET, process_before_response=True)
    return app


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(("kind", "name", "build"), CASES)
def test_two_instances_given_the_same_request_at_once_do_its_work_once(
    kind, name, build, bot, world, fake_slack, settings, clock, session_factory, arrange
):
    instances = [app_instance(settings, clock) for _ in range(2)]
    first, again = signed_twice(build, world, fake_slack, bot, name)
    go = threading.Barrier(2)
    statuses: list[int] = []

    def deliver(app: App, request: slack.SignedRequest) -> None:
        go.wait()
        statuses.append(app.dispatch(request.to_bolt_request()).status)

    before, calls_before = database_rows(session_factory), len(fake_slack.calls)
    threads = [threading.Thread(target=deliver, args=pair) for pair in zip(instances, (first, again), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    twice = changes_between(before, database_rows(session_factory)), sorted(c.method for c in fake_slack.calls[calls_before:])

    # The same request once, on the same world rebuilt from nothing (ids restart, the clock stands).
    truncate_all(settings.database_url)
    with arrange() as session:
        build_world(session, clock)
    before = database_rows(session_factory)
    calls_before = len(fake_slack.calls)
    assert instances[0].dispatch(first.to_bolt_request()).status == 200
    once = changes_between(before, database_rows(session_factory)), sorted(c.method for c in fake_slack.calls[calls_before:])
    assert work(once[0]) or once[1], f"{kind} {name}: one delivery did nothing to compare with"
    assert twice[1] == once[1], f"{kind} {name}: Slack was called as if the request had come twice"
    assert twice[0] == once[0], f"{kind} {name}: the database differs from what one delivery leaves"

"""Every listener the real Bolt app registers, sent generated and mutated payloads, signed exactly
as Slack signs them, over the real HTTP path (the WSGI app gunicorn serves), on SQLite and
PostgreSQL. Whatever arrives: never a 5xx, never a traceback in the log, and the database changes
only for a payload that is valid for the person it names.

How the valid payloads are found, with no hand-kept list of surfaces:
1. A world where every surface has something to show (a pairing, a pause, an open change request,
   check-ins and a note, an open round, a pending proposal, someone who withdrew).
2. The harvest: each person (and a stranger) opens the App Home and runs every `/mentor`
   subcommand the router knows; the outbox is delivered. Every button the bot rendered is clicked
   by the people it was shown to, and every modal it opened is kept, with its sealed metadata.
   Those requests, the modals' submissions (filled in from their own blocks) and their pick lists'
   searches are the seeds.
3. Each listener registered on the app (tests/support/listeners.py reads them from Bolt) must have
   a seed: a new listener the world cannot reach fails here until it can.
4. Hypothesis (fixed seed, bounded examples) picks a seed and mutates it: fields deleted or given
   the wrong type, huge strings, Unicode, ids that are no id or are other people's, tampered
   metadata, a stranger or another workspace as the sender.

"Valid for that user" is checked two ways. A sender who is not on this workspace's roster, and a
form whose sealed metadata was tampered with, must change nothing at all. Otherwise, a resident or
faculty member's request may only change their own rows: their person, their pairings and what
hangs off them (coordinators run the whole program, so theirs is not limited).
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_app
from bot.runtime import Services
from mentorbot.config import Settings
from mentorbot.slack_client import make_web_client
from program import changes, pauses
from program.check_ins import ask_after_meeting, record_answer
from sandbox import slack_requests as slack
from sandbox.fake_slack import FakeSlack
from scheduler.context import JobContext
from scheduler.delivery import deliver_pending
from storage.db import session_scope
from storage.models import Base, CheckInPrompt, Person, Role, SlackDelivery
from storage.roster import Actor
from tests.conftest import SIGNING_SECRET
from tests.support import factories
from tests.support.clock import ManualClock
from tests.support.listeners import Registered, registered_listeners, subcommand_lines
from tests.support.served import serving

EXAMPLES = 300  # per database, about 15 s on SQLite: one signed HTTP request and two snapshots each

TEAM, OTHER_TEAM = "T0001", "T0002"
STRANGER = "USTRANGER"
FOREIGN_TEAM = "T0FOREIGN"
COORDINATORS = frozenset({"UCASEY", "UCORA"})

# --- the world -------------------------------------------------------------------------------


@dataclass
class World:
    persons: dict[str, int]  # Slack user -> person id
    pairings_of: dict[str, set[int]]  # Slack user -> their pairing ids
    ids: list[int]  # every id in the world worth naming in a payload (pairings, check-ins, notes, ...)
    teams: dict[str, str] = field(default_factory=dict)  # users of another workspace than TEAM

    def team(self, user: str) -> str:
        return self.teams.get(user, TEAM)

    @property
    def users(self) -> list[str]:
        return [*self.persons, STRANGER]


def build_world(session_factory: sessionmaker[Session], clock: ManualClock) -> World:
    with session_scope(session_factory) as session:
        program = factories.program(session)
        people: dict[str, Person] = {}

        def add(uid: str, name: str, role: Role, **kwargs: Any) -> Person:
            people[uid] = factories.person(session, program, role=role, name=name, slack_user_id=uid, **kwargs)
            return people[uid]

        add("UCASEY", "Casey Coordinator", Role.COORDINATOR)
        fran, riley = add("UFRAN", "Dr. Fran", Role.FACULTY), add("URILEY", "Riley Resident", Role.RESIDENT)
        gil, tess = add("UGIL", "Dr. Gil", Role.FACULTY), add("UTESS", "Tess Resident", Role.RESIDENT)
        hal, sam = add("UHAL", "Dr. Hal", Role.FACULTY), add("USAM", "Sam Resident", Role.RESIDENT)
        ivy, uma = add("UIVY", "Dr. Ivy", Role.FACULTY, subspecialty="Cardiology"), add("UUMA", "Uma Resident", Role.RESIDENT)
        wes = add("UWES", "Wes Resident", Role.RESIDENT)
        own = factories.pairing(session, program, mentor=fran, resident=riley, started_on=date(2026, 7, 1))
        other = factories.pairing(session, program, mentor=gil, resident=tess, started_on=date(2026, 7, 1))
        sams = factories.pairing(session, program, mentor=hal, resident=sam, started_on=date(2026, 7, 1))
        now = clock()
        changes.request_change(session, actor=Actor.of(sam), pairing_id=sams.id, note="only coordinators", rematch=True, now=now)
        changes.withdraw(session, actor=Actor.of(wes), note="moving on", now=now)
        pauses.pause(session, actor=Actor.of(tess), pairing_ids=[other.id], ends_on=now.date() + timedelta(days=14), now=now)
        for pairing in (own, other):
            ask_after_meeting(session, program=program, pairing=pairing, met_on=date(2026, 11, 20), now=now)
        prompts = list(session.scalars(select(CheckInPrompt).order_by(CheckInPrompt.id)))
        tess_prompt = next(p for p in prompts if p.person_id == tess.id)
        note = record_answer(
            session, actor=Actor.of(tess), prompt_id=tess_prompt.id, score=3, text="only coordinators", now=now
        ).note
        round_ = factories.matching_round(session, program)
        factories.offer(session, program, mentor=ivy, capacity=1)
        factories.preference(session, program, resident=uma, ranking=[ivy], round_=round_)
        proposal = factories.proposal(session, program, pairs=[(ivy, uma, 1)], round_=round_)
        pairings_of = {uid: set() for uid in people}
        for pairing in (own, other, sams):
            pairings_of[pairing.mentor.slack_user_id].add(pairing.id)
            pairings_of[pairing.resident.slack_user_id].add(pairing.id)
        # A second workspace, whose coordinator has no round yet: the dashboard offers to open one.
        other_program = factories.program(session, team_id=OTHER_TEAM)
        cora = factories.person(session, other_program, role=Role.COORDINATOR, name="Cora Coordinator", slack_user_id="UCORA")
        people["UCORA"] = cora
        pairings_of["UCORA"] = set()
        ids = sorted({own.id, other.id, sams.id, *(p.id for p in prompts), proposal.id, round_.id, *(p.id for p in people.values())}
                     | ({note.id} if note else set()))  # fmt: skip
        return World({uid: p.id for uid, p in people.items()}, pairings_of, ids, teams={"UCORA": OTHER_TEAM})


# --- sending, as Slack does ------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """A valid request: which listener, who sends it, and its payload before encoding."""

    listener: Registered
    user: str
    encoding: str  # "form" (slash command), "interactive" (payload=...), "event" (JSON)
    payload: dict[str, Any]

    @property
    def has_sender(self) -> bool:
        """Whether a person sends it; events about a whole workspace (an uninstall) have none."""
        event = self.payload.get("event") if self.encoding == "event" else None
        return not isinstance(event, dict) or "user" in event

    @property
    def sealed_metadata(self) -> bool:
        view = self.payload.get("view") if self.encoding == "interactive" else None
        return isinstance(view, dict) and bool(view.get("private_metadata")) and self.listener.kind == "view_submission"

    def __str__(self) -> str:
        return f"{self.listener} as {self.user}"


def encode(encoding: str, payload: Any) -> slack.Built:
    if encoding == "form":
        fields = payload if isinstance(payload, dict) else {"payload": payload}
        return urlencode({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}), slack.FORM
    if encoding == "interactive":
        return urlencode({"payload": json.dumps(payload, ensure_ascii=False)}), slack.FORM
    return json.dumps(payload, ensure_ascii=False), slack.JSON


def decode(built: slack.Built) -> tuple[str, dict[str, Any]]:
    body, content_type = built
    if content_type == slack.JSON:
        return "event", json.loads(body)
    fields = dict(parse_qsl(body, keep_blank_values=True))
    return ("interactive", json.loads(fields["payload"])) if set(fields) == {"payload"} else ("form", fields)


@dataclass
class Sender:
    url: str
    fake: FakeSlack
    triggers: dict[str, str] = field(default_factory=dict)  # trigger_id -> the user it was given to
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def trigger(self, user: str) -> str:
        trigger_id = f"trig-{next(self._numbers)}"
        self.triggers[trigger_id] = user
        return trigger_id

    def response_url(self) -> str:
        return self.fake.response_url(f"fuzz{next(self._numbers)}")

    def post(self, encoding: str, payload: Any, signing: str = "signed") -> tuple[int, str]:
        """POST the payload, signed as Slack signs it, or as `signing` in UNSIGNED says."""
        body, content_type = encode(encoding, payload)
        headers = {"Content-Type": content_type, **UNSIGNED.get(signing, lambda body: slack.sign(SIGNING_SECRET, body))(body)}
        status, answer, _ = slack.post(self.url, body, headers, timeout=30)
        return status, answer


# --- the harvest -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    action_id: str
    value: str | None
    where: dict[str, Any]  # block_actions keyword arguments: the view, or the message it sits in


def buttons_in(thing: Any) -> Iterator[tuple[str, str | None]]:
    if isinstance(thing, dict):
        if thing.get("type") == "button" and "action_id" in thing:
            yield thing["action_id"], thing.get("value")
        for value in thing.values():
            yield from buttons_in(value)
    elif isinstance(thing, list):
        for value in thing:
            yield from buttons_in(value)


def external_selects_in(view: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (block.get("block_id", "b"), element["action_id"])
        for block in view.get("blocks", [])
        for element in [block.get("element") or {}, *(block.get("elements") or []), block.get("accessory") or {}]
        if element.get("type") in ("external_select", "multi_external_select")
    ]


def filled_values(view: dict[str, Any], today: date) -> dict[str, dict[str, Any]]:
    """What a person would leave in each input of the modal: its initial value, or the first choice."""
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        element = block.get("element") or {}
        if block.get("type") != "input" or "action_id" not in element:
            continue
        kind = element["type"]
        options = element.get("options") or [o for g in element.get("option_groups", []) for o in g.get("options", [])]
        if kind in ("static_select", "radio_buttons"):
            state = {"selected_option": element.get("initial_option") or (options[0] if options else None)}
        elif kind in ("multi_static_select", "checkboxes"):
            state = {"selected_options": element.get("initial_options") or options[:1]}
        elif kind == "external_select":
            state = {"selected_option": element.get("initial_option")}
        elif kind == "multi_external_select":
            state = {"selected_options": element.get("initial_options") or []}
        elif kind == "datepicker":
            state = {"selected_date": element.get("initial_date") or today.isoformat()}
        elif kind == "timepicker":
            state = {"selected_time": element.get("initial_time") or "10:00"}
        elif kind == "plain_text_input":
            state = {"value": element.get("initial_value") or "Going well, thanks."}
        else:
            raise AssertionError(f"a {kind} input: teach filled_values what a person would leave in it")
        values[block["block_id"]] = {element["action_id"]: {"type": kind, **state}}
    return values


# Slack's events about a workspace, as its docs show them (no person sends these).
WORKSPACE_EVENTS: dict[str, dict[str, Any]] = {
    "app_uninstalled": {"type": "app_uninstalled", "event_ts": "1700000000.000100"},
    "tokens_revoked": {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}, "event_ts": "1700000000.000200"},
}


def harvest(sender: Sender, world: World, registered: list[Registered], commands: list[str], job_context: JobContext,
            today: date) -> list[Seed]:  # fmt: skip
    fake = sender.fake
    by_key = {(r.kind, r.key): r for r in registered}
    seeds: list[Seed] = []
    buttons: dict[str, list[Button]] = {user: [] for user in world.users}

    def send(user: str, built: slack.Built) -> None:
        encoding, payload = decode(built)
        kind, key = {
            "form": lambda: ("command", payload["command"]),
            "event": lambda: ("event", payload["event"]["type"]),
            "interactive": lambda: {
                "block_actions": lambda: ("action", payload["actions"][0]["action_id"]),
                "view_submission": lambda: ("view_submission", payload["view"]["callback_id"]),
                "block_suggestion": lambda: ("options", payload["action_id"]),
            }[payload["type"]](),
        }[encoding]()
        if (kind, key) in by_key:
            seeds.append(Seed(by_key[(kind, key)], user, encoding, payload))
        status, _ = sender.post(encoding, payload)
        assert status < 500, f"the harvest's own valid request {kind} {key} as {user} got {status}"

    def collect(start: int) -> None:
        """Buttons the bot showed (App Homes, private replies, DMs) since call number `start`."""
        for call in fake.calls[start:]:
            if call.method == "views.publish" and call.ok:
                for action_id, value in buttons_in(call.args["view"]):
                    home = {"type": "home", "id": call.response["view"]["id"], "callback_id": ""}
                    buttons[call.args["user_id"]].append(Button(action_id, value, {"view": home, "response_url": None}))
            elif call.method == "chat.postMessage" and call.ok:
                channel, ts = call.response["channel"], call.response["ts"]
                members = [u for u in world.users if any(c == channel for c, _ in fake.conversations_of(u))]
                for action_id, value in buttons_in(call.args.get("blocks") or []):
                    for user in members:
                        buttons[user].append(Button(action_id, value, {"channel_id": channel, "message_ts": ts}))

    start = len(fake.calls)
    for user in world.users:
        team = world.team(user)
        send(user, slack.app_home_opened(user, team_id=team))
        for line in commands:
            name = f"fuzz-cmd-{len(seeds)}"
            send(
                user,
                slack.slash_command(line, user_id=user, response_url=fake.response_url(name), trigger_id=sender.trigger(user)),
            )
            for response in fake.responses(name):
                for action_id, value in buttons_in(response.get("blocks") or []):
                    buttons[user].append(Button(action_id, value, {"response_url": sender.response_url()}))
    # Events Slack sends about a workspace, not from a person: to the second workspace, whose
    # coordinator stands as their sender, so that an uninstall leaves the first one serving.
    for listener in registered:
        if listener.kind == "event" and listener.key != "app_home_opened":
            assert listener.key in WORKSPACE_EVENTS, f"no sample of a {listener.key} event: add one to WORKSPACE_EVENTS"
            send("UCORA", slack.event_callback(WORKSPACE_EVENTS[listener.key], team_id=OTHER_TEAM))
    deliver_pending(job_context)
    collect(start)

    # Click every button shown, by whoever it was shown to; then the buttons inside the modals opened.
    modals: list[tuple[str, dict[str, Any]]] = []
    seen_modal_ids: set[str] = set()
    for _ in range(2):
        start = len(fake.calls)
        for user, shown in buttons.items():
            unique = {(b.action_id, b.value, "view" in b.where): b for b in shown}
            for button in unique.values():
                where = dict(button.where)
                where.setdefault("response_url", sender.response_url())
                send(user, slack.block_actions(button.action_id, user_id=user, value=button.value, team_id=world.team(user),
                                               trigger_id=sender.trigger(user), **where))  # fmt: skip
        buttons = {user: [] for user in world.users}
        for call in fake.calls[start:]:
            if call.method == "views.open" and call.ok and call.response["view"]["id"] not in seen_modal_ids:
                view, user = call.response["view"], sender.triggers[call.args["trigger_id"]]
                seen_modal_ids.add(view["id"])
                modals.append((user, view))
                for action_id, value in buttons_in(view.get("blocks")):
                    buttons[user].append(Button(action_id, value, {"view": view, "response_url": None}))
        collect(start)

    for user, view in modals:
        for block_id, action_id in external_selects_in(view):
            send(user, slack.block_suggestion(action_id, user_id=user, value="a", block_id=block_id, view=view,
                                              team_id=world.team(user)))  # fmt: skip
        if view.get("callback_id"):
            send(user, slack.view_submission(view["callback_id"], user_id=user, values=filled_values(view, today),
                                             private_metadata=view.get("private_metadata", ""), view_id=view["id"],
                                             hash=view["hash"], team_id=world.team(user)))  # fmt: skip
    return seeds


# --- mutations -------------------------------------------------------------------------------

Path = tuple[str | int, ...]


def paths_in(thing: Any, prefix: Path = ()) -> list[Path]:
    found: list[Path] = []
    items = thing.items() if isinstance(thing, dict) else enumerate(thing) if isinstance(thing, list) else ()
    for key, value in items:
        found.append((*prefix, key))
        found += paths_in(value, (*prefix, key))
    return found


def _parent(thing: Any, path: Path) -> Any:
    for key in path[:-1]:
        thing = thing[key]
    return thing


def replace_at(thing: Any, path: Path, value: Any) -> None:
    _parent(thing, path)[path[-1]] = value


def delete_at(thing: Any, path: Path) -> None:
    del _parent(thing, path)[path[-1]]


NOT_IDS = ["", "abc", "1" * 40, "2147483648", "²", "١٢", "-1", "0", "1e3", " 7", "7\x00"]
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False),
    st.sampled_from(NOT_IDS), st.text(max_size=40), st.just("x" * 100_000), st.just("\u202e😀\u200b\u0000\ud7ff\ufffd"),
    st.just([]), st.just({}), st.just([{}]), st.just({"value": "1"}),
)  # fmt: skip


def _sender_paths(payload: dict[str, Any]) -> list[Path]:
    return [p for p in paths_in(payload) if p[-1] in ("user_id", "user") or p[-2:] == ("user", "id")]


def _team_paths(payload: dict[str, Any]) -> list[Path]:
    return [p for p in paths_in(payload) if p[-1] == "team_id" or p[-2:] == ("team", "id")]


def _id_like_paths(payload: dict[str, Any]) -> list[Path]:
    """Where a payload names one of our ids: button values and chosen options."""
    return [p for p in paths_in(payload) if p[-1] == "value" and isinstance(_parent(payload, p)[p[-1]], str)]


@dataclass(frozen=True)
class Mutated:
    seed: Seed
    family: str
    payload: Any
    must_not_write: bool  # a payload no one valid sends: nothing may change
    signing: str = "signed"  # or one of UNSIGNED: refused (400/401/413) before anything reads it


# How a request may fail to be Slack's: its signature headers, from the body.
UNSIGNED: dict[str, Callable[[str], dict[str, str]]] = {
    "no signature": lambda body: {},
    "the wrong secret": lambda body: slack.sign("not-the-secret", body),
    "a stale signature": lambda body: slack.sign(SIGNING_SECRET, body, timestamp=int(time.time()) - 600),
    "a timestamp that is no number": lambda body: {**slack.sign(SIGNING_SECRET, body), "X-Slack-Request-Timestamp": "abc"},
    "a signature of another body": lambda body: slack.sign(SIGNING_SECRET, body + " "),
    "a garbled signature": lambda body: {**slack.sign(SIGNING_SECRET, body), "X-Slack-Signature": "v0=" + "g" * 64},
}
FAMILIES = [
    "noise", "noise", "noise", "odd ids", "others' ids", "stranger", "another workspace", "tampered metadata", "as sent",
    "unsigned", "unsigned",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seeds: list[Seed], world: World, *, signed_only: bool = False) -> Mutated:
    family = draw(st.sampled_from([f for f in FAMILIES if f != "unsigned"] if signed_only else FAMILIES))
    if family == "tampered metadata":
        seed = draw(st.sampled_from([s for s in seeds if s.sealed_metadata]))
    else:  # every listener as often as any other, whatever number of seeds it has
        listener = draw(st.sampled_from(sorted({s.listener for s in seeds}, key=str)))
        seed = draw(st.sampled_from([s for s in seeds if s.listener == listener]))
    payload = json.loads(json.dumps(seed.payload))
    must_not_write = False
    if family == "noise":
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            paths = paths_in(payload)
            if not paths:
                break
            path = draw(st.sampled_from(paths))
            if draw(st.booleans()):
                delete_at(payload, path)
            else:
                replace_at(payload, path, copy.deepcopy(draw(ODD_VALUES)))  # st.just hands out one object
        if draw(st.integers(min_value=0, max_value=9)) == 0:  # now and then, not even an object
            payload = draw(st.sampled_from([[], "payload", 7, None, [payload]]))
    elif family == "odd ids":
        for path in _id_like_paths(payload):
            replace_at(payload, path, draw(st.sampled_from(NOT_IDS)))
        if seed.encoding == "form":  # a subcommand's arguments: dates, years, mentions, ids
            odd_words = st.one_of(st.sampled_from([*NOT_IDS, "9999-12-31", "0000", "2026-02-30", "<@U0>", "<@UNOBODY|x>", "<!channel>"]),
                                  st.text(max_size=30))  # fmt: skip
            payload["text"] = " ".join([payload["text"], *draw(st.lists(odd_words, min_size=1, max_size=3))])
    elif family == "others' ids":
        for path in _id_like_paths(payload):
            replace_at(payload, path, str(draw(st.sampled_from(world.ids))))
    elif family == "stranger":
        for path in _sender_paths(payload):
            if isinstance(_parent(payload, path)[path[-1]], str):
                replace_at(payload, path, STRANGER)
        must_not_write = seed.has_sender
    elif family == "another workspace":
        for path in _team_paths(payload):
            replace_at(payload, path, FOREIGN_TEAM)
        must_not_write = True
    elif family == "tampered metadata":
        metadata = payload["view"]["private_metadata"]
        tag, _, body = metadata.partition(".")
        payload["view"]["private_metadata"] = draw(st.sampled_from([
            "", "not json {", "[1, 2]", body, f"{'0' * len(tag)}.{body}", tag + "." + body.replace("1", "2"),
            metadata[:-1], metadata + " ",
        ]))  # fmt: skip
        must_not_write = payload["view"]["private_metadata"] != metadata
    elif family == "unsigned":  # any of the other mutations, or none, sent without Slack's signature
        inner = draw(mutated(seeds, world, signed_only=True))
        return Mutated(inner.seed, family, inner.payload, True, draw(st.sampled_from(sorted(UNSIGNED))))
    return Mutated(seed, family, payload, must_not_write)


# --- what may change -------------------------------------------------------------------------


Rows = dict[str, set[tuple[tuple[str, Any], ...]]]


def rows(session_factory: sessionmaker[Session]) -> Rows:
    """Every row of the program's data; not the record of which Slack deliveries were seen, which
    any signed request adds to (bot/kit.py first_delivery), whoever sent it."""
    with session_factory() as session:
        return {
            table.name: {tuple((k, repr(v)) for k, v in row._mapping.items()) for row in session.execute(select(table))}
            for table in Base.metadata.sorted_tables
            if table is not SlackDelivery.__table__
        }


def changed_rows(before: Rows, after: Rows) -> dict[str, list[dict[str, str]]]:
    return {name: [dict(row) for row in before[name] ^ after[name]] for name in before if before[name] != after[name]}


def not_theirs(changed: dict[str, list[dict[str, str]]], world: World, user: str) -> list[str]:
    """Changed rows that are not the user's own: another person, or another pairing's data."""
    own_pairings = {repr(i) for i in world.pairings_of.get(user, set())}
    own_person = repr(world.persons.get(user))
    problems = []
    for table, found in changed.items():
        for row in found:
            if table == "people" and row["id"] != own_person:
                problems.append(f"people row {row['id']}")
            elif table == "pairings" and row["id"] not in own_pairings:
                problems.append(f"pairing {row['id']}")
            elif row.get("pairing_id") not in (None, "None") and row["pairing_id"] not in own_pairings:
                problems.append(f"{table} row of pairing {row['pairing_id']}")
    return problems


# --- the test --------------------------------------------------------------------------------


@pytest.fixture
def fuzz_app(settings: Settings, session_factory: sessionmaker[Session], clock: ManualClock) -> tuple[Any, Any]:
    from views.private_metadata import metadata_key

    services = Services(session_factory=session_factory, metadata_key=metadata_key(SIGNING_SECRET), clock=clock)
    app, router = build_app(
        services, client=make_web_client(settings), signing_secret=SIGNING_SECRET, process_before_response=True
    )
    return app, router


def _tracebacks(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in records if r.exc_info or "Traceback" in r.getMessage()]


def test_every_listener_takes_any_payload_without_a_5xx_a_traceback_or_a_write_it_should_not_make(
    fuzz_app, fake_slack, session_factory, clock, job_context, caplog
):
    caplog.set_level(logging.INFO)
    app, router = fuzz_app
    world = build_world(session_factory, clock)
    for user in world.users:
        fake_slack.add_user(user, name=user.lower())
    registered = registered_listeners(app)
    with serving(app, signing_secret=SIGNING_SECRET) as url:
        sender = Sender(url, fake_slack)
        seeds = harvest(sender, world, registered, subcommand_lines(router), job_context, clock().date())
        unreached = sorted(str(r) for r in set(registered) - {s.listener for s in seeds})
        assert unreached == [], f"the fuzz world never reached these listeners; give it what they need: {unreached}"
        assert _tracebacks(caplog.records) == [], "the harvest's valid requests logged tracebacks"

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                         HealthCheck.data_too_large])  # fmt: skip
        @given(mutated(seeds, world))
        def send_one(case: Mutated) -> None:
            if isinstance(case.payload, dict):  # what Slack makes anew for each request, unless mutated
                if case.payload.get("response_url") == case.seed.payload.get("response_url") is not None:
                    case.payload["response_url"] = sender.response_url()  # five answers per URL
                for name in ("trigger_id", "event_id"):  # each delivery's key (bot/kit.py delivery_key)
                    if case.payload.get(name) == case.seed.payload.get(name) is not None:
                        case.payload[name] = f"{name}-{next(fresh)}"
            logged = len(caplog.records)
            before = rows(session_factory)
            status, body = sender.post(case.seed.encoding, case.payload, case.signing)
            after = rows(session_factory)
            what = f"{case.seed} ({case.family}): {json.dumps(case.payload)[:600]}"
            assert status < 500, f"{status} for {what}\n{body[:500]}"
            if case.signing != "signed":
                assert status in (400, 401, 413), f"{status} for {what} with {case.signing}"
            assert _tracebacks(caplog.records[logged:]) == [], f"traceback for {what}"
            changed = changed_rows(before, after)
            seen[case.family] = seen.get(case.family, 0) + 1
            seen["wrote"] = seen.get("wrote", 0) + bool(changed)
            seen[f"{status // 100}xx"] = seen.get(f"{status // 100}xx", 0) + 1
            if case.must_not_write:
                assert changed == {}, f"{what} changed {changed}"
            elif changed and case.seed.user not in COORDINATORS:
                assert not_theirs(changed, world, case.seed.user) == [], f"{what} changed others' rows: {changed}"

        seen: dict[str, int] = {}
        fresh = itertools.count()
        send_one()
    # The oracle is not vacuous: every kind of mutation was sent, some payloads were valid enough
    # to write, and some were refused at the door.
    assert set(seen) >= set(FAMILIES), seen
    assert seen["wrote"] > 0 and seen["2xx"] > 0 and seen.get("4xx", 0) > 0, seen

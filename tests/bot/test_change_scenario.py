"""A term's worth of changes and withdrawals, through the real Bolt app and the fake Slack.

A mentee asks for a change, a mentor with two mentees leaves, and a proposed mentor leaves in the
middle of a matching round while a proposal awaits approval. Then every Web API call the bot made
is checked: nothing went to a channel, and nobody but the initiator and the coordinators who are
not part of the request ever saw who asked, or any part of a note.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select, text

from sandbox.fake_slack import Call
from scheduler.delivery import deliver_pending
from storage.db import session_scope
from storage.models import EndReason, Pairing, Person, PersonStatus, Proposal, QueueEntry, Role
from tests.support import factories
from tests.support.changes import HOME_VIEW, Seen, change_values, observe, withdraw_values
from tests.support.harness import Reply
from views.changes import NEUTRAL_NOTICE
from views.ids import ACTION_RESOLVE_CLOSE, ACTION_RESOLVE_REMATCH, ACTION_WITHDRAW

RILEY_NOTE = "Dr. Fran keeps rescheduling; I'd feel easier with someone in cardiology."
GIL_NOTE = "Family leave this spring, back in the autumn."
PEOPLE = {
    "UCASEY": ("Casey Coordinator", Role.COORDINATOR, False),
    "UDANA": ("Dr. Dana Okafor", Role.FACULTY, True),
    "UFRAN": ("Dr. Fran Ortiz", Role.FACULTY, False),
    "UGIL": ("Dr. Gil Moreau", Role.FACULTY, False),
    "UHAL": ("Dr. Hal Brandt", Role.FACULTY, False),
    "UIVY": ("Dr. Ivy Chen", Role.FACULTY, False),
    "URILEY": ("Riley Lindqvist", Role.RESIDENT, False),
    "USAM": ("Sam Adeyemi", Role.RESIDENT, False),
    "UTESS": ("Tess Novak", Role.RESIDENT, False),
    "UUMA": ("Uma Patel", Role.RESIDENT, False),
    "UAVA": ("Ava Rossi", Role.RESIDENT, False),
    "UBEN": ("Ben Kowalski", Role.RESIDENT, False),
    "UCAL": ("Cal Jensen", Role.RESIDENT, False),
}
COORDINATORS = {"UCASEY", "UDANA"}


@dataclass(frozen=True)
class Initiated:
    """One request: who asked, who was on the other side, what they wrote."""

    user_id: str
    counterparts: frozenset[str]
    note: str | None

    @property
    def allowed_to_know(self) -> set[str]:
        return {self.user_id} | (COORDINATORS - self.counterparts)

    def giveaways(self) -> list[str]:
        name = PEOPLE[self.user_id][0]
        words = [name, *name.replace("Dr. ", "").split(), self.user_id]
        if self.note:
            tokens = self.note.split()
            words += [" ".join(tokens[i : i + 3]) for i in range(max(1, len(tokens) - 2))]  # any part of it
        return words


@dataclass
class Transcript:
    """Attributes every Web API call to whoever sees it."""

    fake: object
    by_actor: list[tuple[str, list[Call]]] = field(default_factory=list)

    def act(self, user_id: str, action: Callable[[], Reply]) -> Seen:
        seen = observe(self.fake, action)  # type: ignore[arg-type]
        self.by_actor.append((user_id, seen.calls))
        return seen


@pytest.fixture
def program_ids(arrange, fake_slack) -> dict[str, int]:
    with arrange() as session:
        program = factories.program(session)
        people = {
            uid: factories.person(session, program, role=role, name=name, slack_user_id=uid, is_coordinator=coord or None)
            for uid, (name, role, coord) in PEOPLE.items()
        }
        pair = lambda m, r: factories.pairing(session, program, mentor=people[m], resident=people[r])  # noqa: E731
        pair("UFRAN", "URILEY"), pair("UFRAN", "USAM"), pair("UGIL", "UTESS"), pair("UGIL", "UUMA")
        # Mid-round: preferences are in and a proposal awaits approval.
        round_ = factories.matching_round(session, program)
        for resident, first in (("UAVA", "UHAL"), ("UBEN", "UHAL"), ("UCAL", "UIVY")):
            factories.preference(session, program, resident=people[resident], ranking=[people[first]], round_=round_)
        factories.proposal(
            session, program, round_=round_,
            pairs=[(people["UHAL"], people["UAVA"], 1), (people["UHAL"], people["UBEN"], 1), (people["UIVY"], people["UCAL"], 1)],
        )  # fmt: skip
        ids = {uid: p.id for uid, p in people.items()}
    for uid, (name, _, _) in PEOPLE.items():
        fake_slack.add_user(uid, name=name)
    return ids


def _alert_for(fake_slack, coordinator: str, requester: str) -> dict:
    return next(m for m in fake_slack.messages(coordinator) if f"<@{requester}>" in m["text"])


def _button_value(message: dict, action_id: str) -> str:
    return next(
        e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
    )


def test_changes_and_withdrawals_keep_every_confidence(bot, program_ids, fake_slack, session_factory, engine, job_context):
    ids = program_ids
    log = Transcript(fake_slack)

    # 1. A mentee asks for a different mentor, with a note.
    log.act("URILEY", lambda: bot.command("change", user_id="URILEY"))
    log.act("URILEY", lambda: bot.submit_view(bot.opened_view(), user_id="URILEY", values=change_values(note=RILEY_NOTE)))
    # 2. A mentor with two mentees leaves, from the App Home, with a note; and clicks submit twice.
    log.act("UGIL", lambda: bot.click(ACTION_WITHDRAW, user_id="UGIL", view=HOME_VIEW, response_url=None, trigger_id="t-gil"))
    gil_view = bot.opened_view()
    for _ in range(2):
        log.act("UGIL", lambda: bot.submit_view(gil_view, user_id="UGIL", values=withdraw_values(note=GIL_NOTE)))
    # 3. A proposed mentor leaves mid-round, while the proposal awaits approval.
    log.act("UHAL", lambda: bot.command("withdraw", user_id="UHAL", trigger_id="t-hal"))
    log.act("UHAL", lambda: bot.submit_view(bot.opened_view(), user_id="UHAL", values=withdraw_values()))

    report = deliver_pending(job_context)
    assert (report.sent, report.failed) == (3 + 3 + 3 * 2, 0)  # notices, confirmations, two alerts each

    # 4. The coordinators resolve: Casey rematches Riley's request, Dana closes Gil's.
    riley_alert = _alert_for(fake_slack, "UCASEY", "URILEY")
    assert RILEY_NOTE.split(";")[0] in str(riley_alert["blocks"])
    log.act("UCASEY", lambda: bot.click(
        ACTION_RESOLVE_REMATCH, user_id="UCASEY", value=_button_value(riley_alert, ACTION_RESOLVE_REMATCH),
        channel_id=fake_slack.dm_channel("UCASEY"), message_ts=riley_alert["ts"],
    ))  # fmt: skip
    gil_alert = _alert_for(fake_slack, "UDANA", "UGIL")
    log.act("UDANA", lambda: bot.click(
        ACTION_RESOLVE_CLOSE, user_id="UDANA", value=_button_value(gil_alert, ACTION_RESOLVE_CLOSE),
        channel_id=fake_slack.dm_channel("UDANA"), message_ts=gil_alert["ts"],
    ))  # fmt: skip
    # Each resolution edits its alert in both coordinators' DMs; withdrawn people get nothing more.
    assert (deliver_pending(job_context).sent, deliver_pending(job_context).attempted) == (2 * 2, 0)

    # --- the right pairings ended, for the right reasons ----------------------------------
    with session_scope(session_factory) as session:
        pairings = {(p.mentor_id, p.resident_id): p for p in session.scalars(select(Pairing))}
        reason = lambda m, r: pairings[(ids[m], ids[r])].end_reason  # noqa: E731
        assert reason("UFRAN", "URILEY") is EndReason.CHANGE_REQUEST
        assert reason("UFRAN", "USAM") is None and pairings[(ids["UFRAN"], ids["USAM"])].active
        assert reason("UGIL", "UTESS") is reason("UGIL", "UUMA") is EndReason.WITHDRAWAL
        statuses = {p.slack_user_id: p.status for p in session.scalars(select(Person))}
        assert {u for u, s in statuses.items() if s is PersonStatus.WITHDRAWN} == {"UGIL", "UHAL"}

        # --- queues filled ----------------------------------------------------------------
        waiting = session.scalars(select(QueueEntry.person_id).where(QueueEntry.resolved_at.is_(None))).all()
        assert sorted(waiting) == sorted(ids[u] for u in ("UFRAN", "URILEY", "UTESS", "UUMA"))

        # --- the proposal awaiting approval was updated --------------------------------------
        proposal = session.scalars(select(Proposal)).one()
        assert [(p.mentor_id, p.resident_id) for p in proposal.pairs] == [(ids["UIVY"], ids["UCAL"])]
        assert proposal.unmatched_resident_ids == [ids["UAVA"], ids["UBEN"]]

    # --- notices sent: neutral, to the other people ------------------------------------------
    for counterpart in ("UFRAN", "UTESS", "UUMA"):
        assert [m["text"] for m in fake_slack.messages(counterpart)] == [NEUTRAL_NOTICE]
    for requester in ("URILEY", "UGIL", "UHAL"):
        assert len(fake_slack.messages(requester)) == 1  # the confirmation, and nothing else
    for untouched in ("USAM", "UAVA", "UBEN", "UCAL", "UIVY"):
        assert fake_slack.messages(untouched) == []

    # --- the notes are gone from the database and from the coordinators' DMs -----------------
    with engine.connect() as connection:
        notes = connection.execute(text("SELECT note FROM change_requests WHERE note IS NOT NULL")).all()
        states = connection.execute(text("SELECT state FROM change_requests ORDER BY id")).scalars().all()
        stored = json.dumps([list(r) for r in connection.execute(text("SELECT text, blocks FROM outbox")).all()])
        audit = json.dumps([r[0] for r in connection.execute(text("SELECT details FROM audit_log")).all()])
    assert notes == [] or states.count("open") == len(notes)  # Hal's request (no note) stays open
    assert states == ["resolved", "resolved", "open"]
    for note in (RILEY_NOTE, GIL_NOTE):
        assert note not in stored and note not in audit
        for coordinator in COORDINATORS:
            assert all(note not in json.dumps(m) for m in fake_slack.messages(coordinator))

    # --- the leak check, over every call the fake Slack recorded -------------------------------
    requests_made = [
        Initiated("URILEY", frozenset({"UFRAN"}), RILEY_NOTE),
        Initiated("UGIL", frozenset({"UTESS", "UUMA"}), GIL_NOTE),
        Initiated("UHAL", frozenset(), None),
    ]
    _assert_no_leaks(fake_slack, log, requests_made)


def _audience(call: Call, actor: str | None, dm_members: dict[str, str]) -> set[str] | None:
    """Who sees what a call carries; None for calls that carry no content."""
    method = call.method
    if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
        channel = str(call.args["channel"])
        if channel in PEOPLE:
            return {channel}
        if channel in dm_members:
            return {dm_members[channel]}
        return {f"channel:{channel}"}
    if method == "views.publish":
        return {str(call.args["user_id"])}
    if method in ("views.open", "views.update", "views.push", "response_url"):
        assert actor is not None, f"{method} outside any person's action"
        return {actor}
    return None


def _assert_no_leaks(fake_slack, log: Transcript, initiated: list[Initiated]) -> None:
    dm_members = {fake_slack.dm_channel(uid): uid for uid in PEOPLE if fake_slack.dm_channel(uid)}
    actor_of = {id(call): actor for actor, calls in log.by_actor for call in calls}
    checked = 0
    for call in fake_slack.calls:
        audience = _audience(call, actor_of.get(id(call)), dm_members)
        if audience is None:
            continue
        assert not any(a.startswith("channel:") for a in audience), f"posted in a channel: {call.method} {call.args}"
        content = json.dumps(call.args)
        for request in initiated:
            if audience <= request.allowed_to_know:
                continue
            for giveaway in request.giveaways():
                assert not re.search(re.escape(giveaway), content), (
                    f"{call.method} to {sorted(audience)} gives away {giveaway!r} from {request.user_id}'s request"
                )
        checked += 1
    assert checked > 20  # the check really looked at the transcript

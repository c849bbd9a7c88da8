"""Taking a note out of Slack is as reliable as sending it (issue 9, class 3).

Every kind of message that carries a note (a change request's or withdrawal's alert, a check-in
note) is delivered to every coordinator, then resolved or read through the real bot while the
fake Slack refuses chat.update every way it can (429, 5xx, `ok: false` ratelimited, a timeout
after the edit was made, a whole outage, a worker killed mid-edit), and the delivery worker is
restarted. Every delivered copy must end up without the note, edited exactly once, and the
coordinator who acted must be told while it is late and again when it is done.
"""

from __future__ import annotations

import json
import queue
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from program import cleanups
from sandbox.fake_slack import FakeSlack
from scheduler import delivery
from scheduler.context import JobContext
from scheduler.delivery import deliver_pending
from storage import delivery as store
from storage.db import session_scope
from storage.models import CheckInNote, OutboxMessage, OutboxState, Role
from storage.outbox_kinds import CLEANUP_KIND_OF, OutboxKind
from tests.support import factories
from tests.support.changes import change_values, withdraw_values
from tests.support.races import run_together
from views.check_ins import TEXT_INPUT
from views.ids import ACTION_CHECK_IN, ACTION_NOTE_READ, ACTION_RESOLVE_CLOSE

COORDINATORS = ("UCASEY", "UDANA")
RESOLVER = "UCASEY"
SECRET = "SECRET-note & <the whole story>"
MARK = "SECRET-note"  # what is found of it in Slack and the database, escaped or not
CLIENT_TIMEOUT = 1  # seconds: a "timeout" below answers after 2
LATE = "I couldn't take"
DONE = "is now gone from every coordinator's DM"


@pytest.fixture
def world(arrange, fake_slack):
    with arrange() as session:
        program = factories.program(session)
        add = lambda role, uid, **kw: factories.person(session, program, role=role, name=uid.title(), slack_user_id=uid, **kw)  # noqa: E731
        add(Role.COORDINATOR, "UCASEY")
        add(Role.FACULTY, "UDANA", is_coordinator=True)
        fran, gil = add(Role.FACULTY, "UFRAN"), add(Role.FACULTY, "UGIL")
        riley, tess = add(Role.RESIDENT, "URILEY"), add(Role.RESIDENT, "UTESS")
        factories.pairing(session, program, mentor=fran, resident=riley)
        factories.pairing(session, program, mentor=gil, resident=tess)
    for uid in ("UCASEY", "UDANA", "UFRAN", "UGIL", "URILEY", "UTESS"):
        fake_slack.add_user(uid, name=uid.lower())


def fresh_worker(job_context: JobContext, fake_slack: FakeSlack) -> JobContext:
    """A delivery worker as a restarted process has it: a new client and no memory of rate limits."""
    client = WebClient(token="xoxb-test", base_url=fake_slack.url, timeout=CLIENT_TIMEOUT, retry_handlers=[])
    return JobContext(session_factory=job_context.session_factory, clock=job_context.clock, slack=client)


# --- every way a note reaches coordinators, and how a coordinator takes it out ------------------


def change_request(bot) -> None:
    bot.command("change", user_id="URILEY")
    bot.submit_view(bot.opened_view(), user_id="URILEY", values=change_values(note=SECRET))


def withdrawal(bot) -> None:
    bot.command("withdraw", user_id="UGIL")
    bot.submit_view(bot.opened_view(), user_id="UGIL", values=withdraw_values(note=SECRET))


def ending_check_in_note(bot) -> None:
    bot.command("change", user_id="URILEY")  # no note: Fran's word when the pairing ends carries it
    bot.submit_view(bot.opened_view(), user_id="URILEY", values=change_values())
    bot.click(ACTION_CHECK_IN, user_id="UFRAN")
    bot.submit_view(
        bot.opened_view(), user_id="UFRAN", values={TEXT_INPUT: {TEXT_INPUT: {"type": "plain_text_input", "value": SECRET}}}
    )


def resolve(bot, copy: dict) -> None:
    value = next(
        e["value"]
        for b in copy["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ACTION_RESOLVE_CLOSE
    )
    bot.click(ACTION_RESOLVE_CLOSE, user_id=RESOLVER, value=value, channel_id=copy["channel"], message_ts=copy["ts"])


def read(bot, copy: dict) -> None:
    value = next(
        e["value"] for b in copy["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == ACTION_NOTE_READ
    )
    bot.click(ACTION_NOTE_READ, user_id=RESOLVER, value=value, channel_id=copy["channel"], message_ts=copy["ts"])


@dataclass(frozen=True)
class Flow:
    kind: OutboxKind
    send: Callable[..., None]
    take_out: Callable[..., None]


FLOWS = {
    "change request": Flow(OutboxKind.REQUEST_ALERT, change_request, resolve),
    "withdrawal": Flow(OutboxKind.REQUEST_ALERT, withdrawal, resolve),
    "check-in note": Flow(OutboxKind.CHECK_IN_NOTE, ending_check_in_note, read),
}


def test_the_walk_covers_every_kind_that_resolution_cleans():
    assert {flow.kind for flow in FLOWS.values()} == set(CLEANUP_KIND_OF)


@pytest.mark.parametrize("flow", list(FLOWS))
def test_a_note_is_stored_only_under_a_kind_that_resolution_cleans(bot, world, session_factory, flow):
    """The class: a new kind of message carrying a note fails here until resolution cleans it
    (storage/outbox_kinds.CLEANUP_KIND_OF) and the walk below covers it."""
    FLOWS[flow].send(bot)
    with session_factory() as session:
        carrying = {m.kind for m in session.scalars(select(OutboxMessage)) if MARK in m.text + json.dumps(m.blocks)}
    assert carrying == {FLOWS[flow].kind.value}


# --- how Slack may refuse an edit -----------------------------------------------------------------


def fail_429(fake: FakeSlack) -> None:
    fake.fail_next("chat.update", status=429, retry_after=20, times=2)


def fail_5xx(fake: FakeSlack) -> None:
    fake.fail_next("chat.update", status=503, times=3)


def fail_ratelimited(fake: FakeSlack) -> None:
    fake.fail_next("chat.update", error="ratelimited", times=2)


def fail_timeout_after_editing(fake: FakeSlack) -> None:
    """Slack makes the edit but the answer comes too late: a blind retry would edit twice."""
    fake.fail_next("chat.update", status=200, delay=CLIENT_TIMEOUT + 1, times=1)


def fail_outage(fake: FakeSlack) -> None:
    fake.fail_next("*", status=500, times=6)


FAILURES = {
    "429 Retry-After": fail_429,
    "5xx": fail_5xx,
    "ok false ratelimited": fail_ratelimited,
    "timeout after the edit was made": fail_timeout_after_editing,
    "Slack outage": fail_outage,
}


def delivered_copies(fake: FakeSlack) -> list[dict]:
    copies = []
    for user in COORDINATORS:
        channel = fake.dm_channel(user)
        copies += [m | {"channel": channel} for m in fake.messages(channel) if MARK in json.dumps(m)]
    return copies


def edit_calls(fake: FakeSlack) -> list:
    """Edits of the coordinators' DMs (a check-in's own DM loses its buttons by an edit too)."""
    dms = {fake.dm_channel(user) for user in COORDINATORS}
    return [c for c in fake.calls_to("chat.update") if c.args["channel"] in dms]


def applied_edits(fake: FakeSlack) -> Counter[tuple[str, str]]:
    return Counter((c.args["channel"], c.args["ts"]) for c in edit_calls(fake) if c.applied)


def said_to_resolver(fake: FakeSlack) -> list[str]:
    return [m["text"] for m in fake.messages(fake.dm_channel(RESOLVER)) if MARK not in json.dumps(m)]


def run_until_settled(ctx: JobContext, clock) -> None:
    """The scheduler's 15-second runs over the next hours, until nothing is left to deliver."""
    for _ in range(100):
        deliver_pending(ctx)
        with ctx.session_factory() as session:
            unsettled = session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.SENDING]))
            ).all()
        if not unsettled:
            return
        clock.advance(minutes=5)
    raise AssertionError("the outbox never settled")


def assert_cleaned_once(fake: FakeSlack, copies: list[dict], session_factory) -> None:
    edits = applied_edits(fake)
    for copy in copies:
        now = next(m for m in fake.messages(copy["channel"]) if m["ts"] == copy["ts"])
        assert MARK not in json.dumps(now), "a copy still shows the note"
        assert edits[(copy["channel"], copy["ts"])] == 1, f"copy {copy['ts']} edited {edits[(copy['channel'], copy['ts'])]} times"
    with session_factory() as session:
        stored = [m.text + json.dumps(m.blocks) for m in session.scalars(select(OutboxMessage))]
        assert not any(MARK in s for s in stored)
        assert all(n.text is None for n in session.scalars(select(CheckInNote)))


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("flow", list(FLOWS))
def test_a_note_leaves_every_copy_once_whatever_slack_answers(
    bot, world, fake_slack, session_factory, job_context, clock, flow, failure
):
    FLOWS[flow].send(bot)
    deliver_pending(job_context)
    copies = delivered_copies(fake_slack)
    assert sorted(c["channel"] for c in copies) == sorted(fake_slack.dm_channel(u) for u in COORDINATORS)

    FAILURES[failure](fake_slack)
    FLOWS[flow].take_out(bot, next(c for c in copies if c["channel"] == fake_slack.dm_channel(RESOLVER)))
    worker = fresh_worker(job_context, fake_slack)
    for _ in range(3):  # the first runs meet the failure
        deliver_pending(worker)
        clock.advance(seconds=15)
    late = [t for t in said_to_resolver(fake_slack) if LATE in t]
    if failure != "timeout after the edit was made":  # that one is settled by reading the message back
        assert late, "the coordinator should hear that the note is not out of Slack yet"
        assert all(MARK in json.dumps(c) for c in copies)  # (the copies as first delivered)

    run_until_settled(fresh_worker(job_context, fake_slack), clock)  # a restarted worker finishes the job
    assert_cleaned_once(fake_slack, copies, session_factory)
    told = said_to_resolver(fake_slack)
    if late:
        assert sum(DONE in t for t in told) == 1, told
    assert not any("still shows it" in t for t in told)


@pytest.mark.parametrize("flow", list(FLOWS))
def test_a_worker_killed_mid_edit_is_finished_by_the_next_once(bot, world, fake_slack, session_factory, job_context, clock, flow):
    FLOWS[flow].send(bot)
    deliver_pending(job_context)
    copies = delivered_copies(fake_slack)
    FLOWS[flow].take_out(bot, next(c for c in copies if c["channel"] == fake_slack.dm_channel(RESOLVER)))

    # A worker claims an edit, makes it in Slack, and dies before recording that it did.
    with session_scope(session_factory) as session:
        claim = store.claim_next(session, owner="killed-worker", now=clock(), lease=timedelta(minutes=5))
    assert claim is not None and claim.edits is not None
    target_ts = claim.edits.ts
    job_context.slack.chat_update(channel=claim.edits.channel, ts=target_ts, text=claim.text, blocks=claim.blocks)

    clock.advance(minutes=6)  # its lease runs out
    run_until_settled(fresh_worker(job_context, fake_slack), clock)
    assert_cleaned_once(fake_slack, copies, session_factory)
    assert not any(LATE in t for t in said_to_resolver(fake_slack))  # nothing was late to the coordinator


@pytest.mark.parametrize("flow", list(FLOWS))
def test_an_edit_waits_for_a_copy_still_on_its_way(bot, world, fake_slack, session_factory, job_context, clock, flow):
    """Resolved while a worker is posting one copy (with the note, as it read it): the edit must
    come after that post, or the post would put the note back."""
    FLOWS[flow].send(bot)
    kind = FLOWS[flow].kind
    set_danas_not_before(session_factory, kind, clock() + timedelta(days=365))  # held back while the rest goes out
    deliver_pending(job_context)
    set_danas_not_before(session_factory, kind, clock())
    with session_scope(session_factory) as session:
        in_flight = store.claim_next(session, owner="slow-worker", now=clock(), lease=timedelta(minutes=5))
    assert in_flight is not None and MARK in in_flight.text + json.dumps(in_flight.blocks)

    casey_copy = delivered_copies(fake_slack)[0]
    FLOWS[flow].take_out(bot, casey_copy)
    deliver_pending(job_context)  # Casey's copy is edited; Dana's edit waits for its post
    assert applied_edits(fake_slack)[(casey_copy["channel"], casey_copy["ts"])] == 1
    assert len(edit_calls(fake_slack)) == 1

    report = delivery.DeliveryReport()
    outcome = delivery._Attempt(job_context.slack, job_context.rate_limits, in_flight, clock(), {}).run()
    delivery._record(job_context, in_flight, outcome, report)  # the slow post lands, note and all
    assert report.sent == 1 and MARK in json.dumps(fake_slack.messages(fake_slack.dm_channel("UDANA")))

    clock.advance(seconds=15)
    run_until_settled(job_context, clock)
    assert_cleaned_once(fake_slack, delivered_copies_before_cleanup(fake_slack, casey_copy), session_factory)


def set_danas_not_before(session_factory, kind: OutboxKind, moment) -> None:
    with session_scope(session_factory) as session:
        pending = select(OutboxMessage).where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.kind == kind)
        for message in session.scalars(pending):
            if message.recipient_user_ids == ["UDANA"]:
                message.not_before = moment


def delivered_copies_before_cleanup(fake: FakeSlack, casey_copy: dict) -> list[dict]:
    dana = fake.dm_channel("UDANA")
    return [casey_copy, *({"channel": dana, "ts": m["ts"]} for m in fake.messages(dana) if m.get("edited"))]


@pytest.mark.parametrize("flow", list(FLOWS))
def test_a_copy_slack_will_not_edit_is_reported_and_not_retried(
    bot, world, fake_slack, session_factory, job_context, clock, flow
):
    FLOWS[flow].send(bot)
    deliver_pending(job_context)
    copies = delivered_copies(fake_slack)
    fake_slack.fail_next("chat.update", error="cant_update_message", times=1)
    FLOWS[flow].take_out(bot, next(c for c in copies if c["channel"] == fake_slack.dm_channel(RESOLVER)))
    run_until_settled(job_context, clock)

    assert len(edit_calls(fake_slack)) == 2  # one refused for good, one made; no retry
    told = said_to_resolver(fake_slack)
    [failed] = [t for t in told if "still shows it" in t]
    assert "cant_update_message" in failed and "A Slack admin can delete that message" in failed
    with session_factory() as session:
        states = Counter(m.state for m in session.scalars(select(OutboxMessage).where(OutboxMessage.edits_id.is_not(None))))
    assert states == Counter({OutboxState.SENT: 1, OutboxState.FAILED: 1})


def test_two_workers_finishing_the_last_edits_at_once_still_say_done(
    bot, world, fake_slack, session_factory, job_context, clock, engine
):
    """PostgreSQL: each worker records its edit and then looks at the others before either has
    committed; one of them must still see both settled and tell the coordinator it is done."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's single writer cannot let two workers record at once")
    change_request(bot)
    deliver_pending(job_context)
    copies = delivered_copies(fake_slack)
    fake_slack.fail_next("chat.update", status=503, times=2)
    resolve(bot, next(c for c in copies if c["channel"] == fake_slack.dm_channel(RESOLVER)))
    deliver_pending(job_context)  # both edits late: the coordinator is told so
    clock.advance(minutes=5)
    claims = []
    for owner in ("worker-1", "worker-2"):
        with session_scope(session_factory) as session:
            claims.append(store.claim_next(session, owner=owner, now=clock(), lease=timedelta(minutes=5)))
    assert all(c is not None and c.edits is not None for c in claims)
    for claim in claims:
        job_context.slack.chat_update(channel=claim.edits.channel, ts=claim.edits.ts, text=claim.text, blocks=claim.blocks)

    handed_out: queue.SimpleQueue = queue.SimpleQueue()
    for claim in claims:
        handed_out.put(claim)

    def finish(barrier) -> None:
        claim = handed_out.get_nowait()  # one claim per worker
        with session_scope(session_factory) as session:
            assert store.record_sent(session, claim=claim, channel=claim.edits.channel, ts=claim.edits.ts, now=clock())
            session.flush()
            barrier.wait()  # both recorded, neither committed
            cleanups.after_edit(session, edit_id=claim.id, now=clock())

    outcomes = run_together(finish)
    assert outcomes == [None, None]
    deliver_pending(job_context)
    told = said_to_resolver(fake_slack)
    assert sum(LATE in t for t in told) == 1 and sum(DONE in t for t in told) == 1, told

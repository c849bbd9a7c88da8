"""/mentor change, withdraw and rejoin, their buttons and modals, through the real Bolt app."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from scheduler.delivery import deliver_pending
from storage.db import session_scope
from storage.models import ChangeRequest, EndReason, OutboxMessage, Pairing, Person, PersonStatus, RequestState, Role
from storage.outbox_kinds import OutboxKind
from tests.support import factories
from tests.support.changes import HOME_VIEW, change_values, sealed, snapshot, withdraw_values
from views.ids import ACTION_CHANGE, ACTION_REJOIN, ACTION_RESOLVE_CLOSE, ACTION_RESOLVE_REMATCH, ACTION_WITHDRAW, VIEW_CHANGE

NOTE = "We never managed to find a time that works."


@dataclass(frozen=True)
class World:
    riley_pairing: int
    sam_pairing: int
    tess_pairing: int


@pytest.fixture
def world(arrange, fake_slack) -> World:
    with arrange() as session:
        program = factories.program(session)
        add = lambda role, name, uid, **kw: factories.person(session, program, role=role, name=name, slack_user_id=uid, **kw)  # noqa: E731
        add(Role.COORDINATOR, "Casey Coordinator", "UCASEY")
        add(Role.FACULTY, "Dr. Dana", "UDANA", is_coordinator=True)
        fran = add(Role.FACULTY, "Dr. Fran", "UFRAN")
        gil = add(Role.FACULTY, "Dr. Gil", "UGIL")
        riley = add(Role.RESIDENT, "Riley Resident", "URILEY")
        sam = add(Role.RESIDENT, "Sam Resident", "USAM")
        tess = add(Role.RESIDENT, "Tess Resident", "UTESS")
        add(Role.RESIDENT, "Una Unpaired", "UUNA")
        world = World(
            factories.pairing(session, program, mentor=fran, resident=riley).id,
            factories.pairing(session, program, mentor=fran, resident=sam).id,
            factories.pairing(session, program, mentor=gil, resident=tess).id,
        )
    for uid in ("UCASEY", "UDANA", "UFRAN", "UGIL", "URILEY", "USAM", "UTESS", "UUNA"):
        fake_slack.add_user(uid, name=uid.lower())
    return world


def test_change_opens_a_modal_that_says_no_reason_is_needed_and_who_sees_what(bot, world, fake_slack):
    reply = bot.command("change", user_id="URILEY")
    assert reply.status == 200 and reply.ack == ""
    view = bot.opened_view()
    text = str(view["blocks"])
    assert view["callback_id"] == VIEW_CHANGE
    assert "You don't need to give a reason" in text
    assert "Dr. Fran" in text and "doesn't say who asked" in text
    assert "only the program coordinators see that you asked" in text
    note = next(b for b in view["blocks"] if b.get("block_id") == "note")
    assert note["optional"] is True and "Only the program coordinators can read this" in note["hint"]["text"]
    assert "Tess" not in text and "Sam" not in text


def test_a_mentor_with_two_mentees_picks_which_pairing(bot, world):
    bot.command("change", user_id="UFRAN")
    choice = next(b for b in bot.opened_view()["blocks"] if b.get("block_id") == "pairing")
    assert [o["text"]["text"] for o in choice["element"]["options"]] == ["Riley Resident", "Sam Resident"]


def test_submitting_a_change_ends_the_pairing_and_confirms_privately(bot, world, session_factory, fake_slack):
    bot.command("change", user_id="UFRAN")
    reply = bot.submit_view(bot.opened_view(), user_id="UFRAN", values=change_values(note=NOTE, pairing_id=world.sam_pairing))
    assert reply.ack_json["response_action"] == "update"
    assert "Ending the pairing…" in str(reply.ack_json["view"])  # said only once it is so:
    assert "Done. Your pairing with *Sam Resident* has ended" in str(fake_slack.calls_to("views.update")[-1].args["view"])
    with session_scope(session_factory) as session:
        assert session.get(Pairing, world.sam_pairing).end_reason is EndReason.CHANGE_REQUEST
        assert session.get(Pairing, world.riley_pairing).active
        assert session.scalars(select(ChangeRequest)).one().note == NOTE
    assert fake_slack.calls_to("chat.postMessage") == []  # everything else goes through the outbox


def test_the_same_submission_twice_or_retried_does_nothing_twice(bot, world, session_factory):
    bot.command("change", user_id="URILEY")
    view = bot.opened_view()
    first = bot.submit_view(view, user_id="URILEY", values=change_values(note=NOTE))
    after_first = snapshot(session_factory)
    second = bot.submit_view(view, user_id="URILEY", values=change_values(note=NOTE))
    retried = bot.submit_view(
        view,
        user_id="URILEY",
        values=change_values(note=NOTE),
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert snapshot(session_factory) == after_first
    assert "Ending the pairing" in str(first.ack_json)
    assert second.ack_json == retried.ack_json and "Done. Your pairing" in str(second.ack_json)  # what the first did


def test_asking_a_moment_after_the_other_person_is_told_the_truth_and_the_note_still_reaches_coordinators(
    bot, world, session_factory, fake_slack
):
    bot.command("change", user_id="URILEY")
    riley_view = bot.opened_view()
    bot.command("change", user_id="UFRAN", trigger_id="trig-2")
    fran_view = bot.opened_view()
    bot.submit_view(riley_view, user_id="URILEY", values=change_values())
    late = bot.submit_view(fran_view, user_id="UFRAN", values=change_values(note=NOTE, pairing_id=world.riley_pairing))
    assert "Pairing changed" not in str(late.ack_json) and "Done" not in str(late.ack_json)
    shown = str(fake_slack.calls_to("views.update")[-1].args["view"])
    assert "had already ended a moment before you asked" in shown and "Your note has gone to the program coordinators" in shown
    assert "Riley" not in shown.replace("*Riley Resident*", "")  # the name of the pairing only, never who asked
    with session_scope(session_factory) as session:
        fran = session.scalars(select(Person).where(Person.slack_user_id == "UFRAN")).one()
        fran_request = session.scalars(select(ChangeRequest).where(ChangeRequest.requester_id == fran.id)).one()
        assert fran_request.note == NOTE and fran_request.state is RequestState.OPEN
        alerts = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.REQUEST_ALERT)).all()
        assert sorted(a.recipient_user_ids[0] for a in alerts if NOTE in str(a.blocks)) == ["UCASEY", "UDANA"]
        notices = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.PAIRING_ENDED)).all()
        assert [n.recipient_user_ids for n in notices] == [["UFRAN"]]  # one neutral notice, from the first request


def test_change_with_no_pairing_gets_a_kind_answer(bot, world):
    answer = bot.command("change", user_id="UUNA").only_response()
    assert "don't have a mentoring pairing right now" in answer["text"]
    assert answer["response_type"] == "ephemeral"


def test_a_tampered_private_metadata_is_refused_and_writes_nothing(bot, world, session_factory):
    bot.command("change", user_id="URILEY")
    view = bot.opened_view()
    before = snapshot(session_factory)
    forged = view["private_metadata"].replace(str(world.riley_pairing), str(world.tess_pairing))
    reply = bot.submit_view(view, user_id="URILEY", values=change_values(), private_metadata=forged)
    assert "didn't check out" in str(reply.ack_json["view"])
    assert snapshot(session_factory) == before


def test_a_choice_that_was_never_offered_is_refused(bot, world, session_factory):
    bot.command("change", user_id="UFRAN")
    before = snapshot(session_factory)
    reply = bot.submit_view(bot.opened_view(), user_id="UFRAN", values=change_values(pairing_id=world.tess_pairing))
    assert "didn't check out" in str(reply.ack_json["view"])
    assert snapshot(session_factory) == before


def test_a_sealed_payload_naming_someone_elses_pairing_is_refused(bot, world, session_factory):
    before = snapshot(session_factory)
    metadata = sealed({"k": "change", "u": "URILEY", "p": [world.tess_pairing]})
    reply = bot.submit(VIEW_CHANGE, user_id="URILEY", values=change_values(), private_metadata=metadata)
    assert "isn't one of your own pairings" in str(reply.ack_json["view"])
    assert snapshot(session_factory) == before


def test_metadata_sealed_for_someone_else_is_refused(bot, world, session_factory):
    before = snapshot(session_factory)
    metadata = sealed({"k": "change", "u": "UTESS", "p": [world.tess_pairing]})
    reply = bot.submit(VIEW_CHANGE, user_id="URILEY", values=change_values(), private_metadata=metadata)
    assert "didn't check out" in str(reply.ack_json["view"])
    assert snapshot(session_factory) == before


def test_the_change_button_from_a_reminder_names_the_pairing(bot, world, fake_slack):
    reply = bot.click(ACTION_CHANGE, user_id="URILEY", value=str(world.riley_pairing))
    assert reply.responses == []
    view = bot.opened_view()
    assert "Dr. Fran" in str(view["blocks"]) and not any(b.get("block_id") == "pairing" for b in view["blocks"])


def test_the_change_button_naming_someone_elses_pairing_is_refused_privately(bot, world, session_factory, fake_slack):
    before = snapshot(session_factory)
    from_home = bot.click(ACTION_CHANGE, user_id="URILEY", value=str(world.tess_pairing), view=HOME_VIEW, response_url=None)
    assert "isn't one of your own pairings" in str(bot.opened_view())  # a private modal: no response_url on Home
    from_dm = bot.click(ACTION_CHANGE, user_id="URILEY", value=str(world.tess_pairing))
    assert from_dm.only_response()["response_type"] == "ephemeral"
    assert "isn't one of your own pairings" in from_dm.only_response()["text"]
    assert from_home.status == from_dm.status == 200
    assert snapshot(session_factory) == before


def test_withdraw_modal_explains_and_submission_ends_every_pairing(bot, world, session_factory, fake_slack):
    bot.click(ACTION_WITHDRAW, user_id="UFRAN", view=HOME_VIEW, response_url=None)
    view = bot.opened_view()
    text = str(view["blocks"])
    assert "You don't need to give a reason" in text and "*Riley Resident* and *Sam Resident*" in text
    assert "`/mentor rejoin`" in text
    reply = bot.submit_view(view, user_id="UFRAN", values=withdraw_values(note=NOTE))
    assert "You've left the mentorship program" in str(reply.ack_json["view"])
    with session_scope(session_factory) as session:
        assert session.scalars(select(Person).where(Person.slack_user_id == "UFRAN")).one().status is PersonStatus.WITHDRAWN
        ended = session.scalars(select(Pairing).where(Pairing.ended_on.is_not(None))).all()
        assert sorted(p.id for p in ended) == [world.riley_pairing, world.sam_pairing]
    home = fake_slack.home_view("UFRAN")
    assert "Rejoin the program" in str(home)  # the Home was refreshed


def test_withdrawing_when_already_withdrawn_and_rejoining(bot, world, session_factory):
    bot.command("withdraw", user_id="UUNA")
    bot.submit_view(bot.opened_view(), user_id="UUNA", values=withdraw_values())
    assert "already left" in bot.command("withdraw", user_id="UUNA", trigger_id="t2").only_response()["text"]
    assert "already left" in bot.command("change", user_id="UUNA", trigger_id="t3").only_response()["text"]
    assert "Welcome back" in bot.command("rejoin", user_id="UUNA").only_response()["text"]
    assert "already in the mentorship program" in bot.command("rejoin", user_id="UUNA").only_response()["text"]
    with session_scope(session_factory) as session:
        assert session.scalars(select(Person).where(Person.slack_user_id == "UUNA")).one().status is PersonStatus.ACTIVE


def test_a_coordinator_without_a_pairing_has_nothing_to_withdraw_from(bot, world):
    assert "nothing to withdraw from" in bot.command("withdraw", user_id="UCASEY").only_response()["text"]


def test_the_rejoin_button_on_home_answers_in_a_modal(bot, world):
    bot.click(ACTION_REJOIN, user_id="URILEY", view=HOME_VIEW, response_url=None)
    assert "already in the mentorship program" in str(bot.opened_view())


def test_home_shows_change_and_leave_buttons_to_people_in_a_pairing(bot, world, fake_slack):
    bot.open_home("URILEY")
    bot.open_home("UCASEY")
    riley_home, casey_home = str(fake_slack.home_view("URILEY")), str(fake_slack.home_view("UCASEY"))
    assert ACTION_CHANGE in riley_home and ACTION_WITHDRAW in riley_home
    assert ACTION_CHANGE not in casey_home and ACTION_WITHDRAW not in casey_home


def _open_request(bot, fake_slack, job_context) -> dict:
    bot.command("change", user_id="UTESS")
    bot.submit_view(bot.opened_view(), user_id="UTESS", values=change_values(note=NOTE))
    assert deliver_pending(job_context).failed == 0
    casey = fake_slack.messages("UCASEY")[-1]
    assert NOTE in str(casey["blocks"])
    return casey


def test_a_coordinator_resolves_and_the_note_leaves_every_copy(bot, world, session_factory, fake_slack, job_context):
    casey_alert = _open_request(bot, fake_slack, job_context)
    request_id = next(
        e["value"]
        for b in casey_alert["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ACTION_RESOLVE_CLOSE
    )
    reply = bot.click(
        ACTION_RESOLVE_CLOSE, user_id="UCASEY", value=request_id,
        channel_id=fake_slack.dm_channel("UCASEY"), message_ts=casey_alert["ts"],
    )  # fmt: skip
    assert "I'm taking it out of the coordinators' DMs now" in reply.only_response()["text"]
    assert NOTE in str(fake_slack.messages("UDANA")[-1])  # until the outbox edits every delivered copy
    assert deliver_pending(job_context).sent == 2
    for coordinator in ("UCASEY", "UDANA"):
        alert = fake_slack.messages(coordinator)[-1]
        assert "resolved by Casey Coordinator" in alert["text"] and NOTE not in str(alert)
        assert "actions" not in str(alert["blocks"])  # no buttons left to click
    with session_scope(session_factory) as session:
        request = session.scalars(select(ChangeRequest)).one()
        assert (request.state, request.note) == (RequestState.RESOLVED, None)
        assert all(
            NOTE not in str(m.blocks)
            for m in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.REQUEST_ALERT))
        )

    again = bot.click(ACTION_RESOLVE_REMATCH, user_id="UDANA", value=request_id)
    assert "already resolved by Casey Coordinator" in again.only_response()["text"]


@pytest.mark.parametrize(
    ("user_id", "expected"),
    [
        ("URILEY", "for the program coordinators"),
        ("UFRAN", "for the program coordinators"),
        ("USTRANGER", "not on the mentorship program's roster"),
    ],
)
def test_resolve_buttons_refuse_anyone_but_coordinators(bot, world, session_factory, fake_slack, job_context, user_id, expected):
    _open_request(bot, fake_slack, job_context)
    with session_scope(session_factory) as session:
        request_id = str(session.scalars(select(ChangeRequest.id)).one())
    before = snapshot(session_factory)
    reply = bot.click(ACTION_RESOLVE_REMATCH, user_id=user_id, value=request_id)
    assert expected in reply.only_response()["text"]
    assert snapshot(session_factory) == before


def test_a_coordinator_may_not_handle_a_request_about_their_own_pairing(
    bot, arrange, world, session_factory, fake_slack, job_context
):
    with arrange() as session:
        program = factories.program(session)
        dana = session.scalars(select(Person).where(Person.slack_user_id == "UDANA")).one()
        una = session.scalars(select(Person).where(Person.slack_user_id == "UUNA")).one()
        factories.pairing(session, program, mentor=dana, resident=una)
    bot.command("change", user_id="UUNA")
    bot.submit_view(bot.opened_view(), user_id="UUNA", values=change_values(note=NOTE))
    assert deliver_pending(job_context).failed == 0
    assert all(NOTE not in str(m) for m in fake_slack.messages("UDANA"))  # Dana never got the alert
    with session_scope(session_factory) as session:
        request_id = session.scalars(select(ChangeRequest.id)).one()
    before = snapshot(session_factory)
    reply = bot.click(ACTION_RESOLVE_CLOSE, user_id="UDANA", value=str(request_id))
    nonexistent = bot.click(ACTION_RESOLVE_CLOSE, user_id="UDANA", value=str(request_id + 1000))
    # The same answer as for a request that does not exist: nothing confirms that one does.
    assert reply.only_response() == nonexistent.only_response()
    assert "couldn't find that request" in reply.only_response()["text"]
    assert snapshot(session_factory) == before


def test_a_failure_after_the_ack_is_apologised_for_privately(bot, world, session_factory, fake_slack, monkeypatch):
    from storage import change_requests as requests

    def broken(*args, **kwargs):
        raise RuntimeError("database exploded")

    monkeypatch.setattr(requests, "request_change", broken)
    bot.command("change", user_id="URILEY")
    bot.submit_view(bot.opened_view(), user_id="URILEY", values=change_values())
    apology = str(fake_slack.calls_to("views.update")[-1].args["view"])  # "Ending the pairing…" does not stay
    assert "something went wrong" in apology and "exploded" not in apology

"""`/mentor met`, `/mentor status`, the "We met" button and its modal, through the real Bolt app."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from scheduler.delivery import deliver_pending
from storage.models import Meeting, OutboxMessage, Pairing, Role
from tests.conftest import SIGNING_SECRET
from tests.support import factories
from views.ids import ACTION_WE_MET, VIEW_MEETING
from views.meetings import ACTION_DATE, ACTION_PAIRING, BLOCK_DATE, BLOCK_PAIRING
from views.private_metadata import metadata_key, unseal

# The clock fixture: Wed 25 Nov 2026, 10:00 in New York.


@pytest.fixture
def pair(arrange, fake_slack):
    with arrange() as session:
        prog = factories.program(session)
        mentor = factories.person(session, prog, role=Role.FACULTY, name="Dr. Fran Ortiz", slack_user_id="UFAC1")
        resident = factories.person(session, prog, role=Role.RESIDENT, name="Riley Chen", slack_user_id="URES1")
        pairing = factories.pairing(session, prog, mentor, resident, started_on=date(2026, 7, 1))
    for p in (mentor, resident):
        fake_slack.add_user(p.slack_user_id, name=p.name)
    return prog, mentor, resident, pairing


def _opened_view(fake_slack) -> dict:
    [call] = fake_slack.calls_to("views.open")
    assert call.ok
    return call.response["view"]  # as Slack stored it: with its id, which the submission carries


def _submit(bot, view: dict, *, user_id: str, met_on: str | None, pairing_id: int | None = None):
    values: dict = {BLOCK_DATE: {ACTION_DATE: {"type": "datepicker", "selected_date": met_on}}}
    if pairing_id is not None:
        values[BLOCK_PAIRING] = {ACTION_PAIRING: {"type": "static_select", "selected_option": {"value": str(pairing_id)}}}
    return bot.submit_view(view, user_id=user_id, values=values)


def _datepicker(view: dict) -> dict:
    return next(b["element"] for b in view["blocks"] if b.get("block_id") == BLOCK_DATE)


def test_met_opens_the_modal_with_today_in_the_persons_zone(bot, pair, fake_slack):
    reply = bot.command("met", user_id="URES1")
    assert reply.responses == []
    view = _opened_view(fake_slack)
    assert view["callback_id"] == VIEW_MEETING
    assert _datepicker(view)["initial_date"] == "2026-11-25"
    assert "Dr. Fran Ortiz" in json.dumps(view["blocks"])


def test_met_with_a_date_prefills_it(bot, pair, fake_slack):
    bot.command("met 2026-11-02", user_id="UFAC1")
    assert _datepicker(_opened_view(fake_slack))["initial_date"] == "2026-11-02"


def test_met_with_an_unreadable_date_says_how_to_write_one(bot, pair, fake_slack):
    answer = bot.command("met yesterday", user_id="UFAC1").only_response()
    assert answer["response_type"] == "ephemeral" and "2026-11-02" in answer["text"]
    assert fake_slack.calls_to("views.open") == []


def test_without_a_pairing_there_is_nothing_to_log(bot, arrange, fake_slack):
    with arrange() as session:
        factories.person(session, factories.program(session), slack_user_id="ULONE")
    answer = bot.command("met", user_id="ULONE").only_response()
    assert "don't have a mentoring pairing" in answer["text"]


def test_submitting_logs_the_meeting_and_tells_the_pair(bot, pair, fake_slack, session_factory, job_context):
    _, _mentor, _resident, pairing = pair
    bot.command("met", user_id="URES1")
    reply = _submit(bot, _opened_view(fake_slack), user_id="URES1", met_on="2026-11-20")
    ack = reply.ack_json
    assert ack["response_action"] == "update" and "Saving" in json.dumps(ack["view"])
    [updated] = fake_slack.calls_to("views.update")  # after the ack, the modal shows the outcome
    assert "Feb 20, 2027" in json.dumps(updated.args["view"])
    with session_factory() as session:
        assert session.get(Pairing, pairing.id).last_met_on == date(2026, 11, 20)
        [notice] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "meeting.logged"))
        assert sorted(notice.recipient_user_ids) == ["UFAC1", "URES1"]
    deliver_pending(job_context)
    [message] = fake_slack.messages(fake_slack.dm_channel("UFAC1", "URES1"))
    assert "<@URES1> logged a meeting with <@UFAC1>" in message["text"]
    # Both home tabs were refreshed.
    assert {c.args["user_id"] for c in fake_slack.calls_to("views.publish")} == {"UFAC1", "URES1"}


def test_the_same_day_twice_is_a_no_op(bot, pair, fake_slack, session_factory):
    bot.command("met", user_id="URES1")
    _submit(bot, _opened_view(fake_slack), user_id="URES1", met_on="2026-11-20")
    bot.command("met", user_id="UFAC1")
    _submit(bot, fake_slack.calls_to("views.open")[-1].response["view"], user_id="UFAC1", met_on="2026-11-20")
    first, again = fake_slack.calls_to("views.update")
    assert "already logged" not in json.dumps(first.args["view"])
    assert "already logged" in json.dumps(again.args["view"])
    with session_factory() as session:
        assert len(session.scalars(select(Meeting)).all()) == 1
        # One note to the pair, and one check-in each, however often the day is logged.
        kinds = sorted(m.kind for m in session.scalars(select(OutboxMessage)))
        assert kinds == ["check_in.ask", "check_in.ask", "meeting.logged"]


@pytest.mark.parametrize(
    ("met_on", "error"),
    [("2026-11-26", "hasn't happened yet"), ("2026-06-30", "started on Wed, Jul 1, 2026"), (None, "Pick the day")],
)
def test_bad_dates_are_shown_in_the_modal(bot, pair, fake_slack, session_factory, met_on, error):
    bot.command("met", user_id="URES1")
    reply = _submit(bot, _opened_view(fake_slack), user_id="URES1", met_on=met_on)
    assert reply.ack_json["response_action"] == "errors"
    assert error in reply.ack_json["errors"][BLOCK_DATE]
    with session_factory() as session:
        assert session.scalars(select(Meeting)).all() == []


def test_a_mentor_with_two_mentees_picks_which_one(bot, pair, arrange, fake_slack, session_factory):
    prog, mentor, _, first = pair
    with arrange() as session:
        second_mentee = factories.person(session, session.merge(prog), name="Sam Park", slack_user_id="URES2")
        second = factories.pairing(session, session.merge(prog), session.merge(mentor), second_mentee, mentor_slot=2)
    bot.command("met", user_id="UFAC1")
    view = _opened_view(fake_slack)
    select_block = next(b for b in view["blocks"] if b.get("block_id") == BLOCK_PAIRING)
    assert [o["text"]["text"] for o in select_block["element"]["options"]] == ["Riley Chen", "Sam Park"]
    missing = _submit(bot, view, user_id="UFAC1", met_on="2026-11-20")
    assert BLOCK_PAIRING in missing.ack_json["errors"]
    _submit(bot, view, user_id="UFAC1", met_on="2026-11-20", pairing_id=second.id)
    with session_factory() as session:
        assert session.get(Pairing, second.id).last_met_on == date(2026, 11, 20)
        assert session.get(Pairing, first.id).last_met_on is None


def test_someone_else_cannot_log_for_a_pairing(bot, pair, arrange, fake_slack):
    prog, _, _, _pairing = pair
    with arrange() as session:
        factories.person(session, session.merge(prog), slack_user_id="UOTHER")
    bot.command("met", user_id="URES1")
    # The form was sealed for URES1: anyone else submitting it is refused.
    reply = _submit(bot, _opened_view(fake_slack), user_id="UOTHER", met_on="2026-11-20")
    assert "didn't check out" in reply.ack_json["view"]["blocks"][0]["text"]["text"]


def test_the_we_met_button_on_a_reminder_opens_the_modal_for_that_pairing(bot, pair, fake_slack):
    pairing = pair[3]
    reply = bot.click(ACTION_WE_MET, user_id="UFAC1", value=str(pairing.id))
    assert reply.status == 200 and reply.responses == []
    view = _opened_view(fake_slack)
    assert unseal(view["private_metadata"], key=metadata_key(SIGNING_SECRET)) == {"k": "meeting", "u": "UFAC1", "p": [pairing.id]}


def test_the_we_met_button_of_an_ended_pairing_says_so_privately(bot, pair, arrange, fake_slack):
    pairing = pair[3]
    with arrange() as session:
        session.get(Pairing, pairing.id).ended_on = date(2026, 11, 1)
    answer = bot.click(ACTION_WE_MET, user_id="UFAC1", value=str(pairing.id)).only_response()
    assert answer["response_type"] == "ephemeral" and "has ended" in answer["text"]
    assert fake_slack.calls_to("views.open") == []


def test_status_shows_the_pairing_and_dates_privately(bot, pair, arrange):
    answer = bot.command("status", user_id="URES1").only_response()
    assert answer["response_type"] == "ephemeral"
    assert "Your mentor:" in answer["text"] and "<@UFAC1>" in answer["text"]
    assert "none logged yet" in answer["text"] and "Thu, Oct 1, 2026" in answer["text"]
    assert any(b["type"] == "actions" for b in answer["blocks"])


def test_status_without_a_pairing(bot, arrange):
    with arrange() as session:
        factories.person(session, factories.program(session), role=Role.COORDINATOR, slack_user_id="UCOORD1")
    answer = bot.command("status", user_id="UCOORD1").only_response()
    assert "don't have a mentoring pairing" in answer["text"]


def test_help_lists_status_and_met(bot, pair):
    text = bot.command("help", user_id="URES1").only_response()["text"]
    assert "/mentor status" in text and "/mentor met [YYYY-MM-DD]" in text

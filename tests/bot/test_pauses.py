"""`/mentor pause`, `/mentor resume` and the pause form, through the real Bolt app."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from scheduler.delivery import deliver_pending
from scheduler.pauses import announce_pause_ends
from storage.models import OutboxMessage, Pairing, PairingPause, Role
from tests.support import factories
from tests.support.changes import HOME_VIEW
from views import pauses as views
from views.ids import ACTION_PAUSE, ACTION_RESUME

# The clock fixture: Wed 25 Nov 2026, 10:00 in New York.


@pytest.fixture
def pairs(arrange, fake_slack):
    with arrange() as session:
        prog = factories.program(session)
        fran = factories.person(session, prog, role=Role.FACULTY, name="Dr. Fran Ortiz", slack_user_id="UFAC1")
        riley = factories.person(session, prog, role=Role.RESIDENT, name="Riley Chen", slack_user_id="URES1")
        sam = factories.person(session, prog, role=Role.RESIDENT, name="Sam Park", slack_user_id="URES2")
        first = factories.pairing(session, prog, fran, riley, started_on=date(2026, 9, 1))
        second = factories.pairing(session, prog, fran, sam, started_on=date(2026, 9, 1))
    for uid, name in (("UFAC1", "Dr. Fran Ortiz"), ("URES1", "Riley Chen"), ("URES2", "Sam Park")):
        fake_slack.add_user(uid, name=name)
    return first.id, second.id


def _length(value: str, picked: str | None = None) -> dict:
    values: dict = {views.LENGTH_INPUT: {views.LENGTH_INPUT: {"type": "radio_buttons", "selected_option": {"value": value}}}}
    values[views.DATE_INPUT] = {views.DATE_INPUT: {"type": "datepicker", "selected_date": picked}}
    return values


def _pick(values: dict, pairing_ids: list[int]) -> dict:
    chosen = [{"value": str(i)} for i in pairing_ids]
    return values | {views.PAIRINGS_INPUT: {views.PAIRINGS_INPUT: {"type": "checkboxes", "selected_options": chosen}}}


def test_a_resident_pauses_for_a_month_and_the_mentor_gets_a_neutral_notice(
    bot, pairs, fake_slack, session_factory, job_context, clock
):
    first, _ = pairs
    bot.command("pause", user_id="URES1")
    view = bot.opened_view()
    text = json.dumps(view)
    assert "Dr. Fran Ortiz" in text and "No reason needed" in text and "Until a date I pick" in text
    assert "until Fri, Dec 25, 2026" in text  # a month from today, shown beside the choice
    reply = bot.submit_view(view, user_id="URES1", values=_length("one_month"))
    assert reply.ack_json["response_action"] == "update"
    [update] = fake_slack.calls_to("views.update")
    assert "back on *Fri, Dec 25, 2026*" in json.dumps(update.args["view"])
    with session_factory() as session:
        pairing = session.get(Pairing, first)
        # Due Dec 1 with 6 days left on Nov 25; back on Dec 25, so due Dec 31.
        assert (pairing.paused_until, pairing.next_due_on) == (date(2026, 12, 25), date(2026, 12, 31))
        [notice] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "pause.notice"))
        assert notice.recipient_user_ids == ["UFAC1"]
        assert "paused until *Fri, Dec 25, 2026*; nothing for you to do" in notice.text
    deliver_pending(job_context)
    [dm] = [c.args for c in fake_slack.calls_to("chat.postMessage") if "paused until" in c.args.get("text", "")]
    assert "reason" not in dm["text"].lower() and "Riley" not in dm["text"]  # the mention is <@URES1>, never a reason

    # The day the pause ends, the pair hears once, in their group DM.
    clock.set(clock() + timedelta(days=30))
    assert announce_pause_ends(job_context) == 1
    assert announce_pause_ends(job_context) == 0
    with session_factory() as session:
        [back_on] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "pause.back_on"))
        assert sorted(back_on.recipient_user_ids) == ["UFAC1", "URES1"]
        assert "due by *Thu, Dec 31, 2026*" in back_on.text
        assert session.get(Pairing, first).paused_until is None


def test_a_mentor_picks_one_mentee_or_both(bot, pairs, fake_slack, session_factory):
    first, second = pairs
    bot.command("pause", user_id="UFAC1")
    view = bot.opened_view()
    assert "Riley Chen" in json.dumps(view) and "Sam Park" in json.dumps(view)
    reply = bot.submit_view(view, user_id="UFAC1", values=_pick(_length("two_weeks"), []))
    assert reply.ack_json == {"response_action": "errors", "errors": {views.PAIRINGS_INPUT: views.no_pairing_picked_error()}}
    bot.submit_view(view, user_id="UFAC1", values=_pick(_length("two_weeks"), [second, 999]))
    with session_factory() as session:
        assert [p.pairing_id for p in session.scalars(select(PairingPause))] == [second]
    assert first != second


@pytest.mark.parametrize(
    ("picked", "error"),
    [(None, "Pick the day"), ("2026-11-25", "after today"), ("2027-05-26", "at most six months")],
)
def test_a_date_the_rules_refuse_shows_in_the_form(bot, pairs, session_factory, picked, error):
    bot.command("pause", user_id="URES1")
    reply = bot.submit_view(bot.opened_view(), user_id="URES1", values=_length("until_date", picked))
    assert reply.ack_json["response_action"] == "errors"
    assert error in reply.ack_json["errors"][views.DATE_INPUT]
    with session_factory() as session:
        assert list(session.scalars(select(PairingPause))) == []


def test_a_tampered_form_is_refused(bot, pairs, session_factory):
    first, _ = pairs
    bot.command("pause", user_id="URES1")
    view = bot.opened_view()
    forged = f'0000.{{"k":"pause","p":[{first}],"u":"URES1"}}'
    reply = bot.submit_view(view, user_id="URES1", values=_length("two_weeks"), private_metadata=forged)
    assert "didn't check out" in reply.ack
    with session_factory() as session:
        assert list(session.scalars(select(PairingPause))) == []


def test_resume_ends_the_pause_and_the_other_person_cannot(bot, pairs, session_factory):
    first, _ = pairs
    bot.command("pause", user_id="URES1")
    bot.submit_view(bot.opened_view(), user_id="URES1", values=_length("three_months"))
    assert "Paused until *Thu, Feb 25, 2027*" in bot.command("status", user_id="UFAC1").only_response()["text"]
    told = bot.command("resume", user_id="UFAC1").only_response()
    assert "paused until *Thu, Feb 25, 2027*" in told["text"] and "nothing for you to do" in told["text"]
    answer = bot.command("resume", user_id="URES1").only_response()
    assert "are back on" in answer["text"] and "due by *Tue, Dec 1, 2026*" in answer["text"]
    with session_factory() as session:
        assert session.get(Pairing, first).paused_until is None
        [back_on] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "pause.back_on"))
        assert sorted(back_on.recipient_user_ids) == ["UFAC1", "URES1"]
    assert "Nothing is paused" in bot.command("resume", user_id="URES1").only_response()["text"]


def test_the_buttons_open_the_form_and_resume(bot, pairs, fake_slack, session_factory):
    first, second = pairs
    bot.click(ACTION_PAUSE, user_id="URES1", value=str(second), view=HOME_VIEW, response_url=None)
    assert "isn't one of your own pairings" in json.dumps(bot.opened_view())
    bot.click(ACTION_PAUSE, user_id="URES1", value=str(first), view=HOME_VIEW, response_url=None)
    view = bot.opened_view()
    assert view["callback_id"] == "pause.submit"
    bot.submit_view(view, user_id="URES1", values=_length("two_weeks"))
    bot.click(ACTION_RESUME, user_id="URES1", value=str(first), view=HOME_VIEW, response_url=None)
    assert "are back on" in json.dumps(bot.opened_view())
    with session_factory() as session:
        assert session.get(Pairing, first).paused_until is None

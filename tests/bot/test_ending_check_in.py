"""The optional word when a pairing ends: a button on the neutral notice, free text only, to the
coordinators; asked once per ended pairing, and never of anyone whose pairing did not end."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from scheduler.delivery import deliver_pending
from storage.models import CheckInAnswer, CheckInNote, OutboxMessage, Role
from tests.support import factories
from views.check_ins import SCORE_INPUT, TEXT_INPUT
from views.ids import ACTION_CHECK_IN


def test_the_neutral_notice_offers_an_optional_word_to_the_coordinators(bot, arrange, fake_slack, session_factory, job_context):
    with arrange() as session:
        program = factories.program(session)
        factories.person(session, program, role=Role.COORDINATOR, name="Casey Coordinator", slack_user_id="UCASEY")
        fran = factories.person(session, program, role=Role.FACULTY, name="Dr. Fran", slack_user_id="UFRAN")
        riley = factories.person(session, program, role=Role.RESIDENT, name="Riley", slack_user_id="URILEY")
        factories.pairing(session, program, fran, riley, started_on=date(2026, 9, 1))
    for user in ("UCASEY", "UFRAN", "URILEY"):
        fake_slack.add_user(user, name=user.lower())
    assert "has ended" in bot.command("admin unpair <@URILEY>", user_id="UCASEY").only_response()["text"]
    with session_factory() as session:
        [notice] = [m for m in session.scalars(select(OutboxMessage)) if m.recipient_user_ids == ["URILEY"]]
    [button] = [e for b in notice.blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == ACTION_CHECK_IN and "value" not in button  # the same notice for everyone

    bot.click(ACTION_CHECK_IN, user_id="URILEY")
    view = bot.opened_view()
    assert SCORE_INPUT not in json.dumps(view) and "optional" in json.dumps(view)  # free text only
    values = {TEXT_INPUT: {TEXT_INPUT: {"type": "plain_text_input", "value": "It was fine, just not a fit."}}}
    assert bot.submit_view(view, user_id="URILEY", values=values).ack_json["response_action"] == "update"
    bot.click(ACTION_CHECK_IN, user_id="URILEY")
    assert "already answered or skipped" in json.dumps(fake_slack.calls_to("response_url")[-1].args)

    deliver_pending(job_context)
    with session_factory() as session:
        [note] = session.scalars(select(CheckInNote))
        assert (note.text, note.subject_on) == ("It was fine, just not a fit.", date(2026, 11, 25))
        assert list(session.scalars(select(CheckInAnswer))) == []
        [alert] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "check_in.note"))
        assert alert.recipient_user_ids == ["UCASEY"] and "when their pairing ended" in json.dumps(alert.blocks)

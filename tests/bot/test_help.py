"""`/mentor` and `/mentor help` through the real Bolt app and the fake Slack."""

from __future__ import annotations

import pytest

from storage.models import Role
from tests.support import factories


@pytest.fixture
def roster(arrange):
    with arrange() as session:
        program = factories.program(session)
        return {
            "coordinator": factories.person(
                session, program, role=Role.COORDINATOR, name="Casey Coordinator", slack_user_id="UCOORD1"
            ),
            "resident": factories.person(session, program, role=Role.RESIDENT, name="Riley Resident", slack_user_id="URES1"),
            "faculty": factories.person(session, program, role=Role.FACULTY, name="Dr. Fran Faculty", slack_user_id="UFAC1"),
        }


def test_help_is_private_and_acked_with_an_empty_body(bot, roster):
    reply = bot.command("help", user_id="URES1")
    assert reply.status == 200
    assert reply.ack == ""  # ack first; the answer follows through response_url
    answer = reply.only_response()
    assert answer["response_type"] == "ephemeral"
    assert "/mentor help" in answer["text"]


@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
def test_empty_text_and_help_show_help(bot, roster, text):
    answer = bot.command(text, user_id="URES1").only_response()
    assert "Here is what you can do" in answer["text"]


def test_unknown_subcommand_gets_unknown_plus_help(bot, roster):
    answer = bot.command("frobnicate now", user_id="UFAC1").only_response()
    assert answer["response_type"] == "ephemeral"
    assert "don't know `/mentor frobnicate`" in answer["text"]
    assert "/mentor help" in answer["text"]


def test_someone_not_on_the_roster_is_told_who_the_coordinators_are(bot, roster):
    answer = bot.command("help", user_id="USTRANGER").only_response()
    assert answer["response_type"] == "ephemeral"
    assert "not on the mentorship program's roster" in answer["text"]
    assert "<@UCOORD1>" in answer["text"]


def test_not_on_roster_without_any_coordinator_says_so(bot, arrange):
    with arrange() as session:
        factories.program(session)
    answer = bot.command("help", user_id="USTRANGER").only_response()
    assert "no coordinator set up yet" in answer["text"]


def test_help_lists_only_what_the_callers_role_may_use(bot, roster):
    from bot.access import Audience

    calls = []
    bot.router.add("only-coords", summary="coordinators' tool", audience=Audience.COORDINATORS, handler=calls.append)
    bot.router.add("only-residents", summary="residents' tool", audience=Audience.RESIDENTS, handler=calls.append)

    resident_help = bot.command("help", user_id="URES1").only_response()["text"]
    coordinator_help = bot.command("help", user_id="UCOORD1").only_response()["text"]
    assert "only-residents" in resident_help and "only-coords" not in resident_help
    assert "only-coords" in coordinator_help and "only-residents" not in coordinator_help

    refused = bot.command("only-coords", user_id="URES1").only_response()["text"]
    assert "is for program coordinators" in refused
    assert calls == []  # the handler never ran

    bot.command("only-coords extra words", user_id="UCOORD1")
    assert [c.args for c in calls] == [("extra", "words")]


def test_a_failing_handler_gets_a_private_apology_not_a_stack_trace(bot, roster):
    from bot.access import Audience

    def broken(request):
        raise RuntimeError("database exploded")

    bot.router.add("broken", summary="breaks", audience=Audience.EVERYONE, handler=broken)
    reply = bot.command("broken", user_id="URES1")
    assert reply.status == 200
    answer = reply.only_response()
    assert "something went wrong" in answer["text"]
    assert "exploded" not in answer["text"] and "Traceback" not in answer["text"]


def test_tampered_signature_is_refused_and_nothing_is_sent(bot, roster, fake_slack):
    from sandbox import slack_requests as slack

    built = slack.slash_command("help", user_id="URES1", response_url=fake_slack.response_url("tampered"))
    request = slack.signed("wrong-secret", built)
    response = bot.app.dispatch(request.to_bolt_request())
    assert response.status == 401
    assert fake_slack.responses("tampered") == []


def test_stale_signature_is_refused(bot, roster, fake_slack):
    import time

    from sandbox import slack_requests as slack

    built = slack.slash_command("help", user_id="URES1", response_url=fake_slack.response_url("stale"))
    request = slack.signed(bot.signing_secret, built, timestamp=int(time.time()) - 600)
    assert bot.app.dispatch(request.to_bolt_request()).status == 401
    assert fake_slack.responses("stale") == []

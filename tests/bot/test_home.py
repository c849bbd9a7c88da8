from __future__ import annotations

import pytest

from storage.models import Role
from tests.support import factories


@pytest.fixture
def people(arrange):
    with arrange() as session:
        program = factories.program(session)
        factories.person(session, program, role=Role.COORDINATOR, slack_user_id="UCOORD1", name="Casey")
        factories.person(session, program, role=Role.FACULTY, slack_user_id="UFAC1", name="Dr. Fran", is_coordinator=True)


def test_home_is_published_for_a_roster_member(bot, people, fake_slack):
    reply = bot.open_home("UFAC1")
    assert reply.status == 200
    view = fake_slack.home_view("UFAC1")
    text = str(view)
    assert view["type"] == "home"
    assert "Dr. Fran" in text and "faculty and a coordinator" in text


def test_home_for_someone_not_on_the_roster_names_the_coordinators(bot, people, fake_slack):
    bot.open_home("USTRANGER")
    assert "<@UCOORD1>" in str(fake_slack.home_view("USTRANGER"))


def test_messages_tab_publishes_nothing(bot, people, fake_slack):
    bot.open_home("UFAC1", tab="messages")
    assert fake_slack.calls_to("views.publish") == []


def test_the_home_tab_opens_the_matching_forms(bot, arrange, fake_slack):
    from views.ids import ACTION_OPEN_OFFER, ACTION_OPEN_REQUEST

    with arrange() as session:
        program = factories.program(session)
        factories.person(session, program, role=Role.RESIDENT, slack_user_id="URES1")
        factories.person(session, program, role=Role.FACULTY, slack_user_id="UFAC1")
        factories.person(session, program, role=Role.COORDINATOR, slack_user_id="UCOORD1")
    for user_id, action_id in (("URES1", ACTION_OPEN_REQUEST), ("UFAC1", ACTION_OPEN_OFFER), ("UCOORD1", None)):
        bot.open_home(user_id)
        buttons = [
            e["action_id"] for b in fake_slack.home_view(user_id)["blocks"] if b["type"] == "actions" for e in b["elements"]
        ]
        matching = [b for b in buttons if b in (ACTION_OPEN_REQUEST, ACTION_OPEN_OFFER)]
        assert matching == ([action_id] if action_id else [])

"""The listener kit, through the real Bolt app: the class of every button, whatever its feature.

Each button acks at once and does its work after the ack; when that work fails (here: the
database loses its roster table), the person who clicked still gets a private, human answer,
in the App Home too (a small modal), never silence and never the error.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.models import Role
from tests.support import factories
from views import ids

BUTTONS = sorted(value for name, value in vars(ids).items() if name.startswith("ACTION_") and "PICK" not in name)
APOLOGY = "Sorry, something went wrong on my side and nothing was changed."


@pytest.fixture
def someone(arrange, fake_slack):
    with arrange() as session:
        program = factories.program(session)
        factories.person(session, program, role=Role.FACULTY, name="Dr. Fran", slack_user_id="UFRAN", is_coordinator=True)
    fake_slack.add_user("UFRAN", name="fran")


def _lose_the_roster(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE people RENAME TO people_gone"))


def test_every_button_is_handled(bot):
    """Bolt answers 404 to a click nobody listens for."""
    for action_id in BUTTONS:
        reply = bot.click(action_id, user_id="UNOBODY", value="1", view={"type": "home"}, response_url=None)
        assert reply.status == 200, f"{action_id} has no listener"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("action_id", BUTTONS)
def test_a_click_whose_work_fails_is_answered_with_an_apology_in_the_app_home(action_id, bot, someone, engine, fake_slack):
    _lose_the_roster(engine)
    reply = bot.click(action_id, user_id="UFRAN", value="1", view={"type": "home"}, response_url=None)
    assert reply.status == 200 and reply.ack == ""
    (opened,) = [c for c in fake_slack.calls_to("views.open") if c.ok]
    shown = str(opened.args["view"])
    assert APOLOGY in shown and "people" not in shown


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("action_id", BUTTONS)
def test_a_click_whose_work_fails_is_answered_with_an_apology_in_the_conversation(action_id, bot, someone, engine):
    _lose_the_roster(engine)
    reply = bot.click(action_id, user_id="UFRAN", value="1")
    assert APOLOGY in reply.only_response()["text"]

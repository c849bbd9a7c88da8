"""An answer never claims what did not happen (issue 9, class 5), walked over every admin subcommand.

- Every `/mentor admin` subcommand (read from `/mentor admin help`, so a new one must join the
  table) gets a table of bad arguments. Each gets a private answer saying what was wrong, never the
  generic apology or a claim of success, and the database, the outbox and Slack are left exactly as
  they were.
- Each success message is checked against what happened: "sent" only when Slack has both files in
  the coordinator's DM (and an upload Slack refuses is said to have failed, and not recorded);
  "round open" only with the round stored and everyone it counts invited.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from storage.db import session_scope
from storage.models import AuditEntry, Base, OutboxMessage, Role, Round, RoundState
from storage.outbox_kinds import OutboxKind
from tests.support import factories
from views.help import something_went_wrong_message
from views.ids import ACTION_EXPORT

APOLOGY = something_went_wrong_message()["text"]
CLAIMS = ("Sent:", "on its way", "is open", "Done:", "The matcher ran")

# (the words after `/mentor admin`, a phrase the answer must contain). The clock's today is Nov 25, 2026.
BAD_ARGUMENTS = [
    ("round", "Usage: `/mentor admin round open [YYYY-MM-DD] | round close`"),
    ("round reopen", "I don't know `reopen` here"),
    ("round open 2026-13-01", "I couldn't read `2026-13-01` as a date"),
    ("round open next-friday", "I couldn't read `next-friday` as a date"),
    ("round open 2026-11-24", "must be today or later"),
    ("round open 0001-01-01", "must be today or later"),
    ("round open 9999-12-31", "June 30, 2027 at the latest"),
    ("round open 2027-07-01", "June 30, 2027 at the latest"),
    ("round open 2026-12-10 please", "takes nothing after it (I got `please`)"),
    ("round close", "There's no matching round this academic year"),
    ("round close now", "takes nothing after it (I got `now`)"),
    ("match", "Nobody is waiting for a mentor right now"),
    ("match everyone", "takes nothing after it (I got `everyone`)"),
    ("pair", "Usage: `/mentor admin pair @mentor @resident`"),
    ("pair <@UADA>", "Usage: `/mentor admin pair @mentor @resident`"),
    ("pair ada ria", "Usage: `/mentor admin pair @mentor @resident`"),
    ("pair <@UADA> <@URES1> <@URES2>", "Usage: `/mentor admin pair @mentor @resident`"),
    ("pair <@UNOBODY> <@URES1>", "<@UNOBODY> is not on the program's roster"),
    ("pair <@URES1> <@UADA>", "Dr. Ada is not on the roster as a resident"),
    ("pair <@UADA> <@URES3>", "Teo already has an active mentor (Dr. Ada)"),
    ("unpair", "Usage: `/mentor admin unpair @resident`"),
    ("unpair <@URES1> <@URES2>", "Usage: `/mentor admin unpair @resident`"),
    ("unpair <@UNOBODY>", "<@UNOBODY> is not on the program's roster"),
    ("unpair <@URES1>", "Ria has no active mentor"),
    ("export 0000", "There's nothing to export for `0000`: the program has the 2026–27 academic year"),
    ("export 9999", "There's nothing to export for `9999`"),
    ("export 2025", "There's nothing to export for `2025`"),
    ("export twenty", "`twenty` isn't a year"),
    ("export 20261", "`20261` isn't a year"),
    ("export 2026 2027", "Usage: `/mentor admin export [YYYY]`"),
    ("frobnicate", "Sorry, I don't know `/mentor admin frobnicate`"),
]


@pytest.fixture
def roster(arrange, fake_slack):
    """Dr. Ada mentors Teo; Ria and Sam have no mentor and nobody is waiting; no round this year."""
    with arrange() as session:
        program = factories.program(session)
        add = lambda uid, name, role: factories.person(session, program, role=role, name=name, slack_user_id=uid)  # noqa: E731
        add("UCOORD1", "Casey", Role.COORDINATOR)
        ada = add("UADA", "Dr. Ada", Role.FACULTY)
        add("URES1", "Ria", Role.RESIDENT)
        add("URES2", "Sam", Role.RESIDENT)
        teo = add("URES3", "Teo", Role.RESIDENT)
        factories.offer(session, program, mentor=ada, capacity=2)
        factories.pairing(session, program, mentor=ada, resident=teo, started_on=date(2026, 9, 1))
    for uid in ("UCOORD1", "UADA", "URES1", "URES2", "URES3"):
        fake_slack.add_user(uid, name=uid.lower())


def everything(session_factory) -> dict[str, Any]:
    """Every row of every table: what a refused command must leave as it was (bar the mark that
    the request was handled, which every request leaves: bot/kit.py first_delivery)."""
    with session_scope(session_factory) as session:
        return {
            table.name: sorted(map(repr, session.execute(select(table)).all()))
            for table in Base.metadata.sorted_tables
            if table.name != "slack_deliveries"
        }


def admin_subcommands(bot) -> set[str]:
    help_text = bot.command("admin help", user_id="UCOORD1").only_response()["text"]
    return set(re.findall(r"`/mentor admin (\w+)", help_text))


def test_the_table_covers_every_admin_subcommand(bot, roster):
    names = admin_subcommands(bot)
    assert {"round", "match", "pair", "unpair", "export"} <= names
    assert names <= {words.split()[0] for words, _ in BAD_ARGUMENTS}


@pytest.mark.parametrize(("words", "expected"), BAD_ARGUMENTS, ids=[w for w, _ in BAD_ARGUMENTS])
def test_bad_arguments_get_a_specific_answer_and_change_nothing(bot, roster, session_factory, fake_slack, words, expected):
    before = everything(session_factory)
    calls = len(fake_slack.calls)
    answer = bot.command(f"admin {words}", user_id="UCOORD1").only_response()
    assert expected in answer["text"], answer["text"]
    assert APOLOGY not in answer["text"]
    assert not any(claim in answer["text"] for claim in CLAIMS), answer["text"]
    assert answer["response_type"] == "ephemeral"
    assert everything(session_factory) == before
    assert [c.method for c in fake_slack.calls[calls:]] == ["response_url"]  # nothing sent, uploaded or published


# --- success is said only once it is so -----------------------------------------------------------


def test_export_says_sent_only_with_both_files_in_the_coordinators_dm(bot, roster, session_factory, fake_slack):
    answer = bot.command("admin export 2026", user_id="UCOORD1").only_response()["text"]
    assert answer.startswith("Sent: the 2026–27 pairings and program figures are in your DM")
    files = fake_slack.uploaded_files
    assert [f.filename for f in files] == ["mentorship-pairings-2026-27.csv", "mentorship-figures-2026-27.csv"]
    assert {f.channel_id for f in files} == {fake_slack.dm_channel("UCOORD1")}
    assert b"Dr. Ada" in fake_slack.file_content(files[0].file_id)
    with session_scope(session_factory) as session:
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "export.pairings")).all() == [
            "export.pairings"
        ]


def test_an_upload_slack_refuses_is_said_to_have_failed_and_is_not_recorded(bot, roster, session_factory, fake_slack):
    fake_slack.fail_next("files.getUploadURLExternal", error="not_allowed_token_type")
    before = everything(session_factory)
    answer = bot.command("admin export", user_id="UCOORD1").only_response()["text"]
    assert "I couldn't send the export to your DM (Slack answered `not_allowed_token_type`), so no file was sent" in answer
    assert "Sent" not in answer and fake_slack.uploaded_files == []
    assert everything(session_factory) == before


def test_the_export_button_answers_with_what_happened(bot, roster, fake_slack):
    bot.click(ACTION_EXPORT, user_id="UCOORD1", value="2026", view={"type": "home"}, response_url=None)
    assert len(fake_slack.uploaded_files) == 2
    (told,) = fake_slack.calls_to("views.open")
    assert "Sent: the 2026–27 pairings" in str(told.args["view"])
    bot.click(ACTION_EXPORT, user_id="UCOORD1", value="1999", view={"type": "home"}, response_url=None)
    assert "There's nothing to export for `1999`" in str(fake_slack.calls_to("views.open")[-1].args["view"])
    assert len(fake_slack.uploaded_files) == 2


def test_round_open_says_open_only_with_the_round_stored_and_everyone_it_counts_invited(bot, roster, session_factory):
    answer = bot.command("admin round open 2026-12-10", user_id="UCOORD1").only_response()["text"]
    invited = int(re.search(r"(\d+) (?:people|person)", answer).group(1))
    assert "is open" in answer and "December 10, 2026" in answer
    with session_scope(session_factory) as session:
        (round_,) = session.scalars(select(Round)).all()
        assert round_.state is RoundState.OPEN
        invitations = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.ROUND_INVITATION)).all()
        assert len(invitations) == invited

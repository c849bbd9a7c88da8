"""A deleted note is gone from the disk, not only from the tables (SQLite).

Notes (a change request's, a withdrawal's, a check-in's free text) are written to the database,
to the outbox rows of the coordinators' DMs, and so to SQLite's write-ahead log and its pages;
deleting a row or overwriting a column leaves the old bytes in WAL frames and free space until
they happen to be reused. Here every kind of note goes through the real bot, is delivered and then
resolved or read, and the raw bytes of the database file and its WAL must no longer hold any of
them. (PostgreSQL: see "Privacy: what is kept where" in the README.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from scheduler.delivery import deliver_pending
from storage.models import CheckInNote, CheckInPrompt, CheckInState, OutboxMessage, Person, Role
from tests.support import factories
from tests.support.changes import HOME_VIEW, change_values, withdraw_values
from views.check_ins import SCORE_INPUT, TEXT_INPUT
from views.ids import ACTION_CHECK_IN, ACTION_NOTE_READ, ACTION_RESOLVE_CLOSE, ACTION_RESOLVE_REMATCH, ACTION_WITHDRAW
from views.meetings import ACTION_DATE, BLOCK_DATE

CHANGE_NOTE = "Periwinkle harbour: please do not tell Dr. Fran why I asked."
WITHDRAW_NOTE = "Saffron kettle: leaving because of a hard rotation at home."
CHECK_IN_NOTE = "Obsidian meadow: the meetings feel rushed and I dread them."
NOTES = (CHANGE_NOTE, WITHDRAW_NOTE, CHECK_IN_NOTE)


def files_on_disk(database_url: str) -> dict[str, bytes]:
    path = Path(make_url(database_url).database or "")
    return {p.name: p.read_bytes() for p in path.parent.glob(path.name + "*")}


def notes_in(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """Which note (by its first two words) is in which file; any run of 20 of its characters counts."""
    found = []
    for note in NOTES:
        pieces = {note[i : i + 20].encode() for i in range(0, len(note) - 20, 5)}
        found += [(name, " ".join(note.split()[:2])) for name, data in files.items() if any(p in data for p in pieces)]
    return found


@pytest.fixture
def people(arrange, fake_slack) -> None:
    with arrange() as session:
        program = factories.program(session)
        add = lambda role, name, uid, **kw: factories.person(session, program, role=role, name=name, slack_user_id=uid, **kw)  # noqa: E731
        add(Role.COORDINATOR, "Casey Coordinator", "UCASEY")
        fran, gil, hal = (
            add(Role.FACULTY, "Dr. Fran", "UFRAN"),
            add(Role.FACULTY, "Dr. Gil", "UGIL"),
            add(Role.FACULTY, "Dr. Hal", "UHAL"),
        )
        riley, tess, uma = (add(Role.RESIDENT, f"{n} Resident", f"U{n.upper()}") for n in ("Riley", "Tess", "Uma"))
        factories.pairing(session, program, mentor=fran, resident=riley)
        factories.pairing(session, program, mentor=gil, resident=tess)
        factories.pairing(session, program, mentor=hal, resident=uma)
    for uid in ("UCASEY", "UFRAN", "UGIL", "UHAL", "URILEY", "UTESS", "UUMA"):
        fake_slack.add_user(uid, name=uid.lower())


def _resolve_every_alert(bot, fake_slack, action: str) -> None:
    for message in fake_slack.messages("UCASEY"):
        for block in message.get("blocks", []):
            for element in block.get("elements", []) if block["type"] == "actions" else []:
                if element["action_id"] == action:
                    bot.click(
                        action, user_id="UCASEY", value=element["value"], channel_id=fake_slack.dm_channel("UCASEY"),
                        message_ts=message["ts"], trigger_id=f"t-{message['ts']}-{action}",
                    )  # fmt: skip


# SQLite's own files; what PostgreSQL keeps is the operator's (README, "Privacy").
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_resolved_and_read_notes_leave_no_bytes_in_the_database_or_its_log(
    database_url, bot, people, fake_slack, session_factory, job_context, clock
):
    # A change request and a withdrawal, each with a note; a check-in answered with free text.
    bot.command("change", user_id="URILEY", trigger_id="t-change")
    bot.submit_view(bot.opened_view(), user_id="URILEY", values=change_values(note=CHANGE_NOTE))
    bot.click(ACTION_WITHDRAW, user_id="UGIL", view=HOME_VIEW, response_url=None, trigger_id="t-withdraw")
    bot.submit_view(bot.opened_view(), user_id="UGIL", values=withdraw_values(note=WITHDRAW_NOTE))
    day = clock().date().isoformat()
    bot.command(f"met {day}", user_id="UUMA", trigger_id="t-met")
    values = {BLOCK_DATE: {ACTION_DATE: {"type": "datepicker", "selected_date": day}}}
    bot.submit_view(bot.opened_view(), user_id="UUMA", values=values)
    deliver_pending(job_context)
    with session_factory() as session:
        uma = session.scalars(select(Person).where(Person.slack_user_id == "UUMA")).one()
        prompt = session.scalars(
            select(CheckInPrompt).where(CheckInPrompt.person_id == uma.id, CheckInPrompt.state == CheckInState.OPEN)
        ).one()
        asked = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"check_in:{prompt.id}")).one()
    bot.click(ACTION_CHECK_IN, user_id="UUMA", value=str(prompt.id), channel_id=asked.slack_channel, message_ts=asked.slack_ts)
    answers = {
        SCORE_INPUT: {SCORE_INPUT: {"type": "radio_buttons", "selected_option": {"value": "2"}}},
        TEXT_INPUT: {TEXT_INPUT: {"type": "plain_text_input", "value": CHECK_IN_NOTE}},
    }
    bot.submit_view(bot.opened_view(), user_id="UUMA", values=answers)
    deliver_pending(job_context)

    # Before: every note is on disk (the test can see them), and in the coordinator's DMs.
    assert {note for _, note in notes_in(files_on_disk(database_url))} == {" ".join(n.split()[:2]) for n in NOTES}

    # The coordinator resolves both requests and reads the check-in note.
    _resolve_every_alert(bot, fake_slack, ACTION_RESOLVE_REMATCH)
    _resolve_every_alert(bot, fake_slack, ACTION_RESOLVE_CLOSE)
    with session_factory() as session:
        note = session.scalars(select(CheckInNote)).one()
        copy = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "check_in.note")).one()
    bot.click(ACTION_NOTE_READ, user_id="UCASEY", value=str(note.id), channel_id=copy.slack_channel, message_ts=copy.slack_ts)
    with session_factory() as session:
        assert session.get(CheckInNote, note.id).text is None

    assert notes_in(files_on_disk(database_url)) == []
    # Zeroed, not only freed: on every connection (some SQLite builds default to it, others not).
    with session_factory() as session:
        assert session.connection().exec_driver_sql("PRAGMA secure_delete").scalar() == 1

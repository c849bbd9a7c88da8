"""Check-ins keep their promise, end to end through the real Bolt app and jobs:
- four answers in a quarter: nothing of them is shown anywhere; five: only the average;
- one more answer within an open quarter changes no report and no dashboard (the difference check);
- free text reaches the coordinators' DMs and nowhere else (no channel, no other person, no log),
  and is gone from Slack's copy and the database once a coordinator marks it read.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from mentorbot.cli import PAYLOAD_LOGGERS
from mentoring.cadence import AcademicQuarter
from mentoring.check_ins import last_closed_quarter
from scheduler.check_ins import ask_quarterly
from scheduler.delivery import deliver_pending
from scheduler.reports import coordinator_posts_job
from storage.models import CheckInNote, CheckInPrompt, CheckInState, OutboxMessage, Person, Program, Role
from storage.programs import academic_calendar, program_today
from storage.reports import program_snapshot, quarter_report
from tests.support import factories
from tests.support.clock import ManualClock
from views.check_ins import SCORE_INPUT, TEXT_INPUT
from views.ids import ACTION_CHECK_IN, ACTION_CHECK_IN_SKIP, ACTION_NOTE_READ
from views.meetings import ACTION_DATE, BLOCK_DATE
from views.reports import quarter_report_message, summary_message

NEW_YORK = "America/New_York"
PAIRS = 6
COORDINATOR = "UCASEY"
CHANNEL = "C0COORD1"


def at(day: date, hour: int = 10) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hour), ZoneInfo(NEW_YORK)).astimezone(UTC)


def secret(user: str, label: str) -> str:
    return f"SECRET-{user}-{label}"


@pytest.fixture
def program_id(arrange, fake_slack) -> int:
    with arrange() as session:
        program = factories.program(session)
        factories.person(session, program, role=Role.COORDINATOR, name="Casey Coordinator", slack_user_id=COORDINATOR)
        for n in range(PAIRS):
            mentor = factories.person(session, program, role=Role.FACULTY, name=f"Dr. M{n}", slack_user_id=f"UM{n}")
            resident = factories.person(session, program, role=Role.RESIDENT, name=f"Resident R{n}", slack_user_id=f"UR{n}")
            factories.pairing(session, program, mentor, resident, started_on=date(2026, 7, 1))
        found = program.id
    for user in [COORDINATOR, *(f"UM{n}" for n in range(PAIRS)), *(f"UR{n}" for n in range(PAIRS))]:
        fake_slack.add_user(user, name=user.lower())
    fake_slack.add_channel(CHANNEL, name="coordinators")
    return found


def meet_all(bot, job_context, day: date) -> None:
    for n in range(PAIRS):
        bot.command(f"met {day.isoformat()}", user_id=f"UR{n}")
        values = {BLOCK_DATE: {ACTION_DATE: {"type": "datepicker", "selected_date": day.isoformat()}}}
        assert bot.submit_view(bot.opened_view(), user_id=f"UR{n}", values=values).ack_json["response_action"] == "update"
    deliver_pending(job_context)


def open_check_in(session_factory, user: str) -> tuple[int, OutboxMessage]:
    with session_factory() as session:
        person = session.scalars(select(Person).where(Person.slack_user_id == user)).one()
        prompt = session.scalars(
            select(CheckInPrompt)
            .where(CheckInPrompt.person_id == person.id, CheckInPrompt.state == CheckInState.OPEN)
            .order_by(CheckInPrompt.id.desc())
        ).first()
        asked = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"check_in:{prompt.id}")).one()
        return prompt.id, asked


def answer(bot, session_factory, user: str, score: int, text: str | None) -> None:
    prompt_id, asked = open_check_in(session_factory, user)
    bot.click(ACTION_CHECK_IN, user_id=user, value=str(prompt_id), channel_id=asked.slack_channel, message_ts=asked.slack_ts)
    values = {
        SCORE_INPUT: {SCORE_INPUT: {"type": "radio_buttons", "selected_option": {"value": str(score)}}},
        TEXT_INPUT: {TEXT_INPUT: {"type": "plain_text_input", "value": text}},
    }
    assert bot.submit_view(bot.opened_view(), user_id=user, values=values).ack_json["response_action"] == "update"


def skip(bot, session_factory, user: str) -> None:
    prompt_id, asked = open_check_in(session_factory, user)
    bot.click(ACTION_CHECK_IN_SKIP, user_id=user, value=str(prompt_id), channel_id=asked.slack_channel, message_ts=asked.slack_ts)


def every_report(bot, session_factory, program_id: int, clock: ManualClock) -> dict[str, str]:
    """Everything a coordinator can read about the program, as rendered now."""
    seen = {"/mentor report": json.dumps(bot.command("report", user_id=COORDINATOR).only_response(), ensure_ascii=False)}
    before = len(bot.fake.calls)
    bot.open_home(COORDINATOR)
    [published] = [c for c in bot.fake.calls[before:] if c.method == "views.publish"]
    seen["dashboard"] = json.dumps(published.args["view"], ensure_ascii=False)
    with session_factory() as session:
        program = session.get(Program, program_id)
        today = program_today(program, clock())
        seen["weekly summary"] = json.dumps(
            summary_message(program_snapshot(session, program=program, now=clock())), ensure_ascii=False
        )
        for quarter in (last_closed_quarter(academic_calendar(program), today), academic_calendar(program).quarter_of(today)):
            report = quarter_report(session, program=program, quarter=quarter, today=today)
            seen[f"report {quarter}"] = json.dumps(quarter_report_message(report), ensure_ascii=False) + repr(
                report.program_figures
            )
    return seen


def texts_sent_to(fake_slack) -> list[tuple[str, str]]:
    """(where, what) for everything the bot put in Slack: 'channel', a DM's one user, or 'ephemeral'."""
    dm_of = {}
    for call in fake_slack.calls_to("conversations.open"):
        if call.ok:
            users = call.args["users"].split(",")
            dm_of[call.response["channel"]["id"]] = users[0] if len(users) == 1 else "group"
    sent = []
    for call in fake_slack.calls:
        text = json.dumps(call.args, ensure_ascii=False)
        if call.method in ("chat.postMessage", "chat.update", "files.completeUploadExternal"):
            channel = call.args.get("channel") or ""
            sent.append(("channel" if channel.startswith("C") else dm_of.get(channel, channel), text))
        elif call.method in ("views.publish", "views.open", "views.update", "response_url"):
            sent.append((call.method, text))
    return sent


def test_check_ins_show_only_aggregates_of_closed_quarters_and_notes_reach_only_coordinators(
    bot, program_id, job_context, clock, fake_slack, session_factory, caplog
):
    caplog.set_level(logging.DEBUG)  # as `mentorbot run --verbose` logs
    for name in PAYLOAD_LOGGERS:
        caplog.set_level(logging.INFO, logger=name)
    # Q1 (Jul-Sep): every pair meets; four residents answer (with a note), the rest skip.
    clock.set(at(date(2026, 8, 3)))
    meet_all(bot, job_context, date(2026, 8, 3))
    for n in range(4):
        answer(bot, session_factory, f"UR{n}", 5 - n % 2, secret(f"UR{n}", "q1"))
    for n in range(4, PAIRS):
        skip(bot, session_factory, f"UR{n}")
    deliver_pending(job_context)

    # Q2: the Q1 report and the dashboard show nothing of four answers.
    clock.set(at(date(2026, 10, 5)))
    coordinator_posts_job(job_context)
    ask_quarterly(job_context)
    deliver_pending(job_context)
    q2_views = every_report(bot, session_factory, program_id, clock)
    for name, text in q2_views.items():
        assert "answers)" not in text, name
    assert "Check-ins, 2026–27 Q1" in q2_views["dashboard"] and "too few answers to show" in q2_views["dashboard"]
    channel_posts = [text for where, text in texts_sent_to(fake_slack) if where == "channel"]
    assert any("Quarter report: 2026–27 Q1" in post for post in channel_posts)

    # Within Q2: four answers, then the difference check around a fifth.
    clock.set(at(date(2026, 11, 2)))
    meet_all(bot, job_context, date(2026, 11, 2))
    for n in range(4):
        answer(bot, session_factory, f"UR{n}", 4, secret(f"UR{n}", "q2"))
    before = every_report(bot, session_factory, program_id, clock)
    answer(bot, session_factory, "UM0", 1, None)
    after = every_report(bot, session_factory, program_id, clock)
    assert after == before, "one more answer in an open quarter must change no report and no dashboard"

    # Q3: Q2's five answers are shown, as an average only.
    clock.set(at(date(2027, 1, 4)))
    coordinator_posts_job(job_context)
    deliver_pending(job_context)
    q3_views = every_report(bot, session_factory, program_id, clock)
    assert "3.4 of 5 (5 answers)" in q3_views["dashboard"]  # (4 + 4 + 4 + 4 + 1) / 5
    assert "3.4 of 5 (5 answers)" in q3_views[f"report {AcademicQuarter(2026, 2)}"]
    quarter_posts = [
        text for where, text in texts_sent_to(fake_slack) if where == "channel" and "Quarter report: 2026–27 Q2" in text
    ]
    assert quarter_posts and all("3.4 of 5 (5 answers)" in post for post in quarter_posts)

    # Free text went to the coordinator's DM and nowhere else: not a channel, not another person, no log.
    sent = texts_sent_to(fake_slack)
    for where, text in sent:
        if "SECRET-" in text:
            assert where == COORDINATOR, (where, text[:200])
    assert any(where == COORDINATOR and secret("UR0", "q2") in text for where, text in sent)
    for record in caplog.records:
        assert "SECRET-" not in record.getMessage()

    # Read: the text leaves the database and the coordinator's copy in Slack.
    with session_factory() as session:
        notes = list(session.scalars(select(CheckInNote)))
        copies = {m.dedupe_key: m for m in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "check_in.note"))}
    assert len(notes) == 8
    for note in notes:
        copy = copies[f"check_in_note:{note.id}:coordinator:{_person_id(session_factory, COORDINATOR)}"]
        bot.click(
            ACTION_NOTE_READ, user_id=COORDINATOR, value=str(note.id), channel_id=copy.slack_channel, message_ts=copy.slack_ts
        )
    deliver_pending(job_context)  # the outbox edits each copy in Slack
    with session_factory() as session:
        assert all(note.text is None for note in session.scalars(select(CheckInNote)))
        assert not any(
            "SECRET-" in (m.text or "") + json.dumps(m.blocks, ensure_ascii=False) for m in session.scalars(select(OutboxMessage))
        )
    updates = [
        c for c in fake_slack.calls_to("chat.update") if "was read by Casey Coordinator" in json.dumps(c.args, ensure_ascii=False)
    ]
    assert len(updates) == 8 and not any("SECRET-" in json.dumps(c.args, ensure_ascii=False) for c in updates)


def _person_id(session_factory, user: str) -> int:
    with session_factory() as session:
        return session.scalars(select(Person.id).where(Person.slack_user_id == user)).one()

"""Meetings: reminders, the "We met" modal, confirmations and `/mentor status`. Pure functions.

Voice (DESIGN.md): short and warm; a missed meeting gets an easy way to set one up, never blame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mentoring.meeting_guides import Guide
from mentoring.nudges import NudgeKind
from storage.my_pairings import MyPairing
from views.changes import change_button
from views.common import Block, Message, actions, button, context, echo, escape, mention, plain, private_message, section
from views.ids import ACTION_PAUSE, ACTION_PLAN, ACTION_WE_MET, ACTION_WITHDRAW, VIEW_MEETING
from views.payload import payload_id

BLOCK_PAIRING = "meeting_pairing"
ACTION_PAIRING = "pairing"
BLOCK_DATE = "meeting_date"
ACTION_DATE = "met_on"


def day(d: date) -> str:
    """'Fri, Feb 27, 2027': unambiguous for everyone, whatever their locale."""
    return f"{d:%a, %b} {d.day}, {d.year}"


def we_met_element(pairing_id: int | None, *, label: str = "We met") -> dict[str, Any]:
    return button(label, ACTION_WE_MET, value=str(pairing_id) if pairing_id is not None else None, style="primary")


def we_met_button(pairing_id: int | None, *, label: str = "We met") -> Block:
    return actions(we_met_element(pairing_id, label=label))


# --- reminders ----------------------------------------------------------------------------

_SET_ONE_UP = "Here's an easy way to set one up: send {other} two times that suit you this week."


def guide_block(guide: Guide) -> Block:
    """A short agenda for the meeting (the coordinators' meeting guides)."""
    points = "\n".join(f"• {escape(point)}" for point in guide.points)
    return section(f"*Ideas for this meeting: {escape(guide.title)}*\n{points}")


def nudge_message(
    kind: NudgeKind, *, pairing: MyPairing, due_on: date, sequence: int = 0, missed_limit: int = 0, guide: Guide | None = None
) -> Message:
    """The DM each person in a pair gets (`pairing` as they see it); one action: log the meeting.
    The heads-up may carry a meeting guide."""
    other = mention(pairing.counterpart.slack_user_id)
    pairing_id = pairing.pairing_id
    if kind is NudgeKind.APPROACHING:
        lead = f"Your next mentorship meeting with {other} is due by *{day(due_on)}*."
        tail = _SET_ONE_UP.format(other=other) + " Already met? Log it below."
    elif kind is NudgeKind.DUE:
        lead = f"Your mentorship meeting with {other} is due on *{day(due_on)}*."
        tail = "If it isn't in your calendars yet, " + _SET_ONE_UP.format(other=other).replace("Here's", "here's")
    elif kind is NudgeKind.MISSED:
        lead = f"Rotations get busy, so here's a friendly nudge: a meeting with {other} was due on *{day(due_on)}*."
        tail = _SET_ONE_UP.format(other=other) + " Already met? Log it and the reminders stop."
        if sequence >= missed_limit:
            tail += " This is the last reminder about it."
    else:
        raise ValueError(f"{kind.value} goes to the coordinators, not the pair")
    text = f"{lead} {tail}"
    return {
        "text": text,
        "blocks": [
            section(lead + "\n" + tail),
            *([guide_block(guide)] if guide is not None else []),
            # Logging is the one action asked for; changing or leaving stays one click away.
            actions(
                we_met_element(pairing_id),
                button("Plan a meeting", ACTION_PLAN, value=str(pairing_id)),
                button("Pause meetings", ACTION_PAUSE, value=str(pairing_id)),
                change_button(pairing_id),
                button("Leave the program", ACTION_WITHDRAW),
            ),
            context("Sent only to you. Pausing (for leave or a rotation), changing your pairing or leaving needs no reason."),
        ],
    }


def escalation_message(mentors_side: MyPairing, *, due_on: date, overdue_days: int) -> Message:
    """For the coordinators: one overdue pair (as the mentor sees it), the facts, and no verdict."""
    since = (
        f"last logged a meeting on {day(mentors_side.last_met_on)}"
        if mentors_side.last_met_on
        else f"have not logged a meeting since they were paired on {day(mentors_side.started_on)}"
    )
    mentor, resident = mentors_side.me.slack_user_id, mentors_side.counterpart.slack_user_id
    text = (
        f"{mention(mentor)} (mentor) and {mention(resident)} {since}. "
        f"A meeting was due on {day(due_on)}, {overdue_days} days ago, and both had reminders. "
        "You may want to check in with them personally."
    )
    return {"text": text, "blocks": [section(f"*Overdue meeting*\n{text}"), context("Visible to the program coordinators only.")]}


def meeting_logged_notice(*, logger_user_id: str, other_user_id: str, met_on: date, next_due_on: date) -> Message:
    """In the pair's group DM: the other person learns that the meeting was logged."""
    text = (
        f"{mention(logger_user_id)} logged a meeting with {mention(other_user_id)} on {day(met_on)}. "
        f"Thanks! The next one is due by {day(next_due_on)}."
    )
    return {"text": text, "blocks": [section(text)]}


# --- the "We met" modal -------------------------------------------------------------------


def meeting_modal(choices: Sequence[MyPairing], *, initial_date: date, private_metadata: str) -> dict[str, Any]:
    """A date picker (default: today for the person) and, for a mentor with two mentees, a select.
    `private_metadata` is sealed by the caller (which pairings were offered, to whom)."""
    blocks: list[Block] = []
    if len(choices) == 1:
        blocks.append(section(f"When did you and *{choices[0].counterpart.name}* meet?"))
    else:
        options = [{"text": plain(c.counterpart.name[:75]), "value": str(c.pairing_id)} for c in choices]
        blocks.append(
            {
                "type": "input",
                "block_id": BLOCK_PAIRING,
                "label": plain("Who did you meet?"),
                "element": {"type": "static_select", "action_id": ACTION_PAIRING, "options": options},
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": BLOCK_DATE,
            "label": plain("Date of the meeting"),
            "element": {"type": "datepicker", "action_id": ACTION_DATE, "initial_date": initial_date.isoformat()},
        }
    )
    blocks.append(context("Logging it stops the reminders until the next meeting is due. Your pair will see a short note."))
    return {
        "type": "modal",
        "callback_id": VIEW_MEETING,
        "title": plain("Log a meeting"),
        "submit": plain("Log it"),
        "close": plain("Cancel"),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


@dataclass(frozen=True)
class MeetingForm:
    pairing_id: int | None
    met_on: date | None


def read_meeting_form(view: dict[str, Any], offered: Sequence[int]) -> MeetingForm:
    """The submitted modal, as typed values (None where nothing usable was given): the pairing
    must be one of those `offered` (from the sealed metadata)."""
    values = view.get("state", {}).get("values", {})
    selected = (values.get(BLOCK_PAIRING, {}).get(ACTION_PAIRING, {}).get("selected_option") or {}).get("value")
    pairing_id = payload_id(selected) if payload_id(selected) in offered else None
    if pairing_id is None and len(offered) == 1:
        pairing_id = offered[0]
    raw_date = values.get(BLOCK_DATE, {}).get(ACTION_DATE, {}).get("selected_date")
    try:
        met_on = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        met_on = None
    return MeetingForm(pairing_id, met_on)


def missing_pairing_error() -> str:
    return "Pick who you met."


def missing_date_error() -> str:
    return "Pick the day you met."


def not_saved_error() -> str:
    return "Something went wrong on our side and nothing was saved. Please try again in a minute."


def not_in_pairing_error() -> str:
    return "That pairing has ended or isn't yours, so there's nothing to log for it. `/mentor status` shows your pairing."


def future_date_error() -> str:
    return "That day hasn't happened yet. Pick the day you met."


def before_start_error(started_on: date) -> str:
    return f"Your pairing started on {day(started_on)}. Pick a day on or after that."


def saving_meeting_view() -> dict[str, Any]:
    return {"type": "modal", "title": plain("Log a meeting"), "blocks": [section("Saving…")]}


def meeting_not_saved_view(problem: str) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Log a meeting"), "close": plain("Close"), "blocks": [section(problem)]}


def meeting_logged_view(*, other_name: str, met_on: date, next_due_on: date, new: bool) -> dict[str, Any]:
    lead = (
        f"Logged: you met *{other_name}* on {day(met_on)}."
        if new
        else f"Your meeting with *{other_name}* on {day(met_on)} was already logged."
    )
    return {
        "type": "modal",
        "callback_id": VIEW_MEETING + ".done",
        "title": plain("Meeting logged"),
        "close": plain("Done"),
        "blocks": [section(f"{lead}\nThe next one is due by *{day(next_due_on)}*.")],
    }


# --- /mentor status and private answers ---------------------------------------------------


def status_message(lines: Sequence[MyPairing]) -> Message:
    if not lines:
        return private_message(
            "You don't have a mentoring pairing right now. When you're matched, your pairing and meeting dates will show up here."
        )
    blocks: list[Block] = []
    summary: list[str] = []
    for line in lines:
        who = "Your mentee" if line.i_mentor else "Your mentor"
        last = day(line.last_met_on) if line.last_met_on else "none logged yet"
        text = (
            f"*{who}:* {mention(line.counterpart.slack_user_id)} (since {day(line.started_on)})\n"
            f"Last meeting: {last}\nNext meeting due by: *{day(line.due_on)}*"
        )
        if line.paused_until is not None:
            text += f"\nPaused until *{day(line.paused_until)}*: no reminders until then."
        summary.append(text)
        blocks += [section(text), we_met_button(line.pairing_id)]
    blocks.append(context("Only you can see this."))
    return private_message("\n\n".join(summary), blocks)


def no_pairing_to_log_message() -> Message:
    return private_message(
        "You don't have a mentoring pairing right now, so there's no meeting to log. "
        "If that seems wrong, the program coordinators can help."
    )


def bad_date_message(text: str) -> Message:
    return private_message(
        f"I couldn't read “{echo(text)}” as a date. Try `/mentor met 2026-11-02`, or just `/mentor met` and pick the day."
    )


def pairing_gone_message() -> Message:
    return private_message(
        "That pairing has ended, so there's nothing to log for it any more. `/mentor status` shows your current pairing."
    )

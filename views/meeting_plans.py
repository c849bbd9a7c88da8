"""The "we'll meet on…" form and what the pair's group DM gets: a Google Calendar link and an .ics
file for the day (and time) they picked, with the next due date. Pure functions.

The calendar file follows RFC 5545: CRLF line ends, lines folded at 75 octets, text escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from views.common import Block, Message, View, context, escape, input_block, mention, modal, option, plain, section
from views.ids import VIEW_PLAN
from views.meetings import day
from views.payload import payload_id

PAIRING_INPUT = "plan_pairing"
DATE_INPUT = "plan_day"
TIME_INPUT = "plan_time"
MEETING_MINUTES = 45
GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
ICS_LINE_OCTETS = 75


@dataclass(frozen=True)
class PlanChoice:
    pairing_id: int
    other_name: str
    due_on: date


def plan_modal(choices: Sequence[PlanChoice], *, today: date, private_metadata: str) -> View:
    blocks: list[Block] = []
    if len(choices) == 1:
        only = choices[0]
        blocks.append(
            section(f"When will you meet *{escape(only.other_name)}*? Your next meeting is due by *{day(only.due_on)}*.")
        )
    else:
        options = [option(c.other_name, str(c.pairing_id)) for c in choices]
        blocks.append(
            input_block(
                PAIRING_INPUT, "Who will you meet?", {"type": "static_select", "action_id": PAIRING_INPUT, "options": options}
            )
        )
        blocks.append(context(" · ".join(f"{escape(c.other_name)}: due by {day(c.due_on)}" for c in choices)))
    blocks += [
        input_block(
            DATE_INPUT, "We'll meet on", {"type": "datepicker", "action_id": DATE_INPUT, "initial_date": today.isoformat()}
        ),
        input_block(
            TIME_INPUT,
            "At (optional)",
            {"type": "timepicker", "action_id": TIME_INPUT},
            optional=True,
            hint="In your own time zone. Leave it empty for an all-day entry.",
        ),
        context("Your pair's group DM gets calendar links (Google Calendar and an .ics file for Outlook or Apple Calendar)."),
    ]
    return modal(
        "Plan a meeting", blocks, callback_id=VIEW_PLAN, submit="Share", close="Cancel", private_metadata=private_metadata
    )


@dataclass(frozen=True)
class PlanForm:
    pairing_id: int | None
    planned_on: date | None
    at: time | None


def read_plan_form(view: dict[str, Any], offered: Sequence[int]) -> PlanForm:
    values = view.get("state", {}).get("values", {})
    selected = (values.get(PAIRING_INPUT, {}).get(PAIRING_INPUT, {}).get("selected_option") or {}).get("value")
    pairing_id = payload_id(selected) if payload_id(selected) in offered else None
    if pairing_id is None and len(offered) == 1:
        pairing_id = offered[0]
    raw_day = values.get(DATE_INPUT, {}).get(DATE_INPUT, {}).get("selected_date")
    raw_time = values.get(TIME_INPUT, {}).get(TIME_INPUT, {}).get("selected_time")
    try:
        planned_on = date.fromisoformat(raw_day) if raw_day else None
        at = time.fromisoformat(raw_time) if raw_time else None
    except ValueError:
        planned_on, at = None, None
    return PlanForm(pairing_id, planned_on, at)


def missing_pairing_error() -> str:
    return "Pick who you'll meet."


def date_error(past: bool) -> str:
    return "Pick today or a day to come." if past else "Pick a day within the next year."


def saving_view() -> View:
    return {"type": "modal", "title": plain("Plan a meeting"), "blocks": [section("Sharing…")]}


def shared_view(*, other_name: str, when: str, next_due_on: date) -> View:
    text = (
        f"Shared with *{escape(other_name)}* in your group DM: {when}, with calendar links. "
        f"The meeting counts once you log it (*We met*); it's due by *{day(next_due_on)}*."
    )
    return {"type": "modal", "title": plain("Meeting planned"), "close": plain("Done"), "blocks": [section(text)]}


def not_saved_view(problem: str) -> View:
    return {"type": "modal", "title": plain("Plan a meeting"), "close": plain("Close"), "blocks": [section(problem)]}


def not_yours_error() -> str:
    return "That pairing has ended or isn't yours, so there's nothing to plan. `/mentor status` shows your pairing."


def no_pairing_to_plan_text() -> str:
    return "You don't have a mentoring pairing right now, so there's no meeting to plan."


def when_text(planned_on: date, starts_at: datetime | None, zone: Any) -> str:
    """ "Thu, Dec 3, 2026 at 3:00 PM EST", or just the day."""
    if starts_at is None:
        return day(planned_on)
    local = starts_at.astimezone(zone)
    return f"{day(planned_on)} at {local:%-I:%M %p} {local.tzname()}"


# --- the calendar entries ------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    title: str
    details: str
    planned_on: date
    starts_at: datetime | None  # aware; None: an all-day entry

    def span(self) -> tuple[str, str]:
        """Start and end as iCalendar / Google Calendar write them (UTC, or whole days)."""
        if self.starts_at is None:
            return f"{self.planned_on:%Y%m%d}", f"{self.planned_on + timedelta(days=1):%Y%m%d}"
        start = self.starts_at.astimezone(UTC)
        return f"{start:%Y%m%dT%H%M%SZ}", f"{start + timedelta(minutes=MEETING_MINUTES):%Y%m%dT%H%M%SZ}"


def google_calendar_link(entry: CalendarEntry) -> str:
    start, end = entry.span()
    query = urlencode({"action": "TEMPLATE", "text": entry.title, "dates": f"{start}/{end}", "details": entry.details})
    return f"{GOOGLE_TEMPLATE}?{query}"


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 3.1: at most 75 octets a line; continuation lines start with a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= ICS_LINE_OCTETS:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        piece = char.encode("utf-8")
        limit = ICS_LINE_OCTETS if not parts else ICS_LINE_OCTETS - 1
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def ics_file(entry: CalendarEntry, *, stamped_at: datetime) -> bytes:
    start, end = entry.span()
    kind = "" if entry.starts_at is not None else ";VALUE=DATE"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Mentorbot//Meeting plan//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{entry.uid}",
        f"DTSTAMP:{stamped_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART{kind}:{start}",
        f"DTEND{kind}:{end}",
        f"SUMMARY:{_ics_text(entry.title)}",
        f"DESCRIPTION:{_ics_text(entry.details)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")


def plan_comment(*, mentor_user_id: str, resident_user_id: str, when: str, link: str, next_due_on: date) -> Message:
    """The text that comes with the .ics file in the pair's group DM (a file upload carries text, not blocks)."""
    text = (
        f"{mention(mentor_user_id)} and {mention(resident_user_id)} plan to meet on *{when}*. "
        f"<{link}|Add it to Google Calendar>, or open the attached .ics file in Outlook or Apple Calendar. "
        f"Your next meeting is due by *{day(next_due_on)}*; log it with *We met* once you've met."
    )
    return {"text": text, "blocks": [section(text)]}


def ics_file_name(planned_on: date) -> str:
    return f"mentoring-meeting-{planned_on.isoformat()}.ics"

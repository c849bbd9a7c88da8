"""App Home tab. Pure functions returning a `home` view.

Residents and faculty see their pairing(s), when they last met, when the next meeting is due,
and buttons for what they can do next. Coordinators see the program dashboard: the weekly
summary's figures and lists, with buttons to run the program. Someone who is both sees both.
Someone who withdrew sees a kind note and a way back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from storage.models import Role, RoundState
from storage.my_pairings import MyPairing, PersonHome
from storage.reports import ProgramSnapshot
from storage.rounds import DEFAULT_ANSWER_DAYS
from views.changes import change_button
from views.common import Block, actions, button, confirm_dialog, context, divider, escape, header, month_day_year, section
from views.help import CommandLine, not_on_roster_message
from views.ids import (
    ACTION_EXPORT,
    ACTION_OPEN_OFFER,
    ACTION_OPEN_REQUEST,
    ACTION_OPEN_ROUND,
    ACTION_PLAN,
    ACTION_REJOIN,
    ACTION_REVIEW_PROPOSAL,
    ACTION_RUN_MATCH,
    ACTION_WE_MET,
    ACTION_WITHDRAW,
)
from views.pauses import pause_button, resume_button
from views.reports import detail_sections, figure_fields, plural, program_figure_fields

View = dict[str, Any]

# The dashboard's lists are longer than the channel summary's; the export has everything.
DASHBOARD_LIST_LIMIT = 20
DASHBOARD_MORE_HINT = "the CSV export below lists every pairing"


def home_view(
    *,
    name: str,
    role_label: str,
    commands: Sequence[CommandLine],
    personal: PersonHome | None = None,
    dashboard: ProgramSnapshot | None = None,
    today: date | None = None,
) -> View:
    """`personal` for residents and faculty, `dashboard` for coordinators (both for faculty
    who coordinate); `today` is the person's local date, for "due in N days"."""
    blocks: list[Block] = [
        header("Mentorship program"),
        section(f"Hi {escape(name)}! You're in the program as *{role_label}*."),
    ]
    if personal is not None:
        blocks += personal_blocks(personal, today=today)
    if dashboard is not None:
        blocks += dashboard_blocks(dashboard)
    lines = "\n".join(f"• `/mentor {c.usage}`: {c.summary}" for c in commands)
    blocks += [divider(), section("*Commands*\n" + lines), context("This tab is visible only to you.")]
    # Bounded by construction (at most two pairings, capped lists): well under Slack's 100 blocks.
    return {"type": "home", "blocks": blocks}


def not_on_roster_home(coordinator_user_ids: Sequence[str]) -> View:
    message = not_on_roster_message(coordinator_user_ids)
    return {"type": "home", "blocks": [header("Mentorship program"), *message["blocks"]]}


# --- residents and faculty -----------------------------------------------------------------------


def personal_blocks(home: PersonHome, *, today: date | None) -> list[Block]:
    if home.withdrawn:
        return withdrawn_blocks()
    is_mentor = home.role is Role.FACULTY
    blocks: list[Block] = [divider()]
    if home.pairings:
        title = "Your mentees" if is_mentor and len(home.pairings) > 1 else ("Your mentee" if is_mentor else "Your mentor")
        blocks.append(section(f"*{title}*"))
        for pairing in home.pairings:
            blocks += pairing_blocks(pairing, today=today)
    else:
        blocks.append(section(no_pairing_text(home)))
    update = (
        button("Update my availability", ACTION_OPEN_OFFER) if is_mentor else button("Update my preferences", ACTION_OPEN_REQUEST)
    )
    blocks.append(actions(update, button("Leave the program", ACTION_WITHDRAW)))
    blocks.append(
        context(
            "Changing your pairing or leaving needs no reason. Only the coordinators see who asked; "
            "the other person only gets a neutral notice."
        )
    )
    return blocks


def no_pairing_text(home: PersonHome) -> str:
    if home.role is Role.FACULTY:
        text = "You have no mentees right now."
        if home.waiting_since:
            text += " You're on the coordinator's list for a new match."
        return text
    if home.waiting_since:
        return (
            f"You don't have a mentor yet. You've been on the list for a match since {month_day_year(home.waiting_since)}, "
            "and the coordinator will follow up."
        )
    return "You don't have a mentor yet. Tell me your preferences and the coordinator will match you."


def due_text(due_on: date, today: date | None) -> str:
    when = month_day_year(due_on)
    if today is None:
        return f"Next meeting due: *{when}*"
    days = (due_on - today).days
    if days > 1:
        return f"Next meeting due: *{when}* (in {days} days)"
    if days == 1:
        return f"Next meeting due: *{when}* (tomorrow)"
    if days == 0:
        return f"Next meeting due: *today* ({when})"
    return f"Next meeting was due *{when}*. Here's an easy way to catch up: pick a time together, then log it below."


def pairing_blocks(pairing: MyPairing, *, today: date | None) -> list[Block]:
    role = "your mentee" if pairing.i_mentor else "your mentor"
    met = f"Last met: {month_day_year(pairing.last_met_on)}" if pairing.last_met_on else "You haven't logged a meeting yet."
    text = (
        f"*{escape(pairing.counterpart.name)}* (<@{pairing.counterpart.slack_user_id}>), {role} since {month_day_year(pairing.started_on)}\n"
        f"{met}\n{due_text(pairing.due_on, today)}"
    )
    value = str(pairing.pairing_id)  # the buttons' listeners take the pairing id
    if pairing.paused_until is not None:
        text += f"\nMeetings paused until *{month_day_year(pairing.paused_until)}*: no reminders until then."
        hold = resume_button(pairing.pairing_id) if pairing.paused_by_me else None
    else:
        hold = pause_button(pairing.pairing_id)
    buttons = [
        button("We met: log a meeting", ACTION_WE_MET, value=value, style="primary"),
        button("Plan a meeting", ACTION_PLAN, value=value),
        change_button(pairing.pairing_id),
    ]
    return [section(text), actions(*buttons, *([hold] if hold else []))]


def withdrawn_blocks() -> list[Block]:
    return [
        divider(),
        section(
            "You've left the mentorship program, and that's completely fine. You won't get reminders "
            "or messages from me. Whenever you'd like to take part again, you're welcome back."
        ),
        actions(button("Rejoin the program", ACTION_REJOIN, style="primary")),
    ]


# --- coordinators -------------------------------------------------------------------------------


def dashboard_blocks(snapshot: ProgramSnapshot) -> list[Block]:
    blocks: list[Block] = [
        divider(),
        header("Program dashboard"),
        context(f"{escape(snapshot.program_name)} · {snapshot.quarter_label} · as of {month_day_year(snapshot.today)}"),
        figure_fields(snapshot),
        program_figure_fields(snapshot),
        *detail_sections(snapshot, limit=DASHBOARD_LIST_LIMIT, more=DASHBOARD_MORE_HINT),
    ]
    if not snapshot.meetings.overdue:
        blocks.append(section("*Overdue pairs*\nNone: every pair is on time."))
    blocks.append(actions(*dashboard_buttons(snapshot)))
    blocks.append(
        context(
            f"Export sends you a CSV of this academic year's pairings by DM: start and end dates and meetings "
            f"per quarter, nothing else. {plural(snapshot.open_requests, 'change or withdrawal request')} open."
        )
    )
    return blocks


# The two buttons that do what `/mentor admin round open` and `/mentor admin match` do. Typing the
# command is deliberate; a click on a tab is not, so Slack asks first.
OPEN_ROUND_CONFIRM = confirm_dialog(
    "Open this year's matching round?",
    "Every resident and faculty member on the roster gets a DM asking for their answers, "
    f"due in {DEFAULT_ANSWER_DAYS} days. `/mentor admin round open YYYY-MM-DD` sets another last day.",
    confirm="Open the round",
)
RUN_MATCH_CONFIRM = confirm_dialog(
    "Run the matcher now?",
    "It proposes pairs for you to review; nobody is told anything until a coordinator approves them. "
    "A proposal already waiting for review is replaced by the new one.",
    confirm="Run the matcher",
)


def dashboard_buttons(snapshot: ProgramSnapshot) -> list[Block]:
    found = snapshot.round
    buttons = []
    round_running = found is not None and found.state in (RoundState.OPEN, RoundState.PROPOSED)
    if not round_running:
        buttons.append(button("Open a matching round", ACTION_OPEN_ROUND, confirm=OPEN_ROUND_CONFIRM))
    if (found is not None and found.state is RoundState.OPEN) or snapshot.waiting:
        buttons.append(button("Run the matcher", ACTION_RUN_MATCH, confirm=RUN_MATCH_CONFIRM))
    if snapshot.proposal is not None:
        buttons.append(
            button("Review the proposal", ACTION_REVIEW_PROPOSAL, value=str(snapshot.proposal.proposal_id), style="primary")
        )
    buttons.append(button("Export CSV", ACTION_EXPORT, value=str(snapshot.quarter.year)))
    return buttons

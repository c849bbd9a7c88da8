"""Messages of the matching path (sent through the outbox): invitations, reminders, notices to
coordinators, introductions, and the kind word to those not matched. Pure functions returning
{"text": ..., "blocks": [...]}."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from storage.models import RoundState
from storage.rounds import RoundError, RoundProblem
from views.common import (
    Message,
    actions,
    button,
    context,
    escape,
    every_months,
    long_date,
    mention,
    months_word,
    private_message,
    section,
)
from views.ids import ACTION_OPEN_OFFER, ACTION_OPEN_REQUEST, ACTION_REVIEW_PROPOSAL

ONLY_YOU = "Only you can see this message."
ONLY_COORDINATORS = "Only the program coordinators get this message."


def _message(text: str, *extra_blocks: dict) -> Message:
    return {"text": text, "blocks": [section(text), *extra_blocks]}


def invitation(*, is_resident: bool, year_label: str, last_day: date) -> Message:
    if is_resident:
        text = (
            f"The mentorship program's matching round for {year_label} is open. :wave:\n"
            f"Tell me which faculty you'd like as your mentor by *{long_date(last_day)}*. It takes two minutes."
        )
        button_ = button("Choose my preferences", ACTION_OPEN_REQUEST, style="primary")
    else:
        text = (
            f"The mentorship program's matching round for {year_label} is open. :wave:\n"
            f"Can you mentor a resident this year? Please let me know by *{long_date(last_day)}*, even if the answer is no."
        )
        button_ = button("Answer", ACTION_OPEN_OFFER, style="primary")
    return _message(text, actions(button_), context(ONLY_YOU))


def reminder(*, is_resident: bool, last_day: date) -> Message:
    if is_resident:
        text = f"A gentle reminder: the mentor matching closes on *{long_date(last_day)}*. If you'd like a say in who mentors you, now is a good time."
        button_ = button("Choose my preferences", ACTION_OPEN_REQUEST, style="primary")
    else:
        text = f"A gentle reminder: the mentor matching closes on *{long_date(last_day)}*. Can you mentor a resident this year?"
        button_ = button("Answer", ACTION_OPEN_OFFER, style="primary")
    return _message(text, actions(button_), context(ONLY_YOU))


def proposal_ready(*, proposal_id: int, matched: int, unmatched: int, first_choice: int, source: str) -> Message:
    text = (
        f"A mentor match proposal is ready for your review ({source}): *{matched}* matched, "
        f"*{unmatched}* not matched, {first_choice} got their first choice. Nothing happens until a coordinator approves it."
    )
    return _message(
        text,
        actions(button("Review the proposal", ACTION_REVIEW_PROPOSAL, value=str(proposal_id), style="primary")),
        context(ONLY_COORDINATORS),
    )


def resident_queued(*, resident_user_id: str, waiting: int) -> Message:
    others = "nobody else is waiting" if waiting <= 1 else f"{waiting} residents are waiting now"
    text = (
        f"{mention(resident_user_id)} asked for a mentor outside the matching round and is on the waiting list ({others}). "
        "Run `/mentor admin match` to match the waiting list against the faculty's free places, "
        "or `/mentor admin pair @mentor @resident`."
    )
    return _message(text, context(ONLY_COORDINATORS))


def introduction(
    *, mentor_user_id: str, resident_user_id: str, first_due: date, cadence_months: int = 3, program_name: str | None = None
) -> Message:
    """`program_name`: said when the pair's people are in several programs (None: "the residency
    mentorship program", as for everyone in one)."""
    mentor, resident = mention(mentor_user_id), mention(resident_user_id)
    where = f"*{escape(program_name)}*" if program_name else "the residency mentorship program"
    greeting = f"Hi {mentor} and {resident}! :wave: You've been paired in {where}: {mentor} will mentor {resident}."
    expectations = (
        "*What the program asks of you both*\n"
        f"• Meet one-on-one at least once {every_months(cadence_months)}. Your first meeting is due by *{long_date(first_due)}*; "
        f"after that, {months_word(cadence_months)} after your last meeting.\n"
        "• Build the relationship on trust and respect: keep appointments, and say what would help.\n"
        "• Respect each other's boundaries and keep what you discuss confidential.\n"
        "• Either of you can ask for a change or step back at any time, without giving a reason (`/mentor change`). "
        "Only the coordinators will know who asked."
    )
    next_step = "A good first step: agree on a time for your first meeting. After you meet, log it with `/mentor met`."
    text = f"{greeting}\n{expectations}\n{next_step}"
    return {"text": text, "blocks": [section(greeting), section(expectations), section(next_step)]}


def not_matched(*, year_label: str | None) -> Message:
    when = f"The mentor matching for {year_label} is done" if year_label else "The coordinator just ran the mentor matching"
    text = (
        f"{when}, and I'm sorry: there were more residents than places this year, so you don't have a mentor yet. "
        "You're on the waiting list, and the program coordinator will follow up with you."
    )
    return _message(text, context(ONLY_YOU))


def approved_summary(*, approver_user_id: str, pairs: int, unmatched_user_ids: Sequence[str]) -> Message:
    text = f"{mention(approver_user_id)} approved the match proposal: *{pairs}* pair{'s' if pairs != 1 else ''} will be introduced in their working hours."
    if unmatched_user_ids:
        names = ", ".join(mention(u) for u in unmatched_user_ids)
        text += f"\nNot matched ({len(unmatched_user_ids)}): {names}. They've been told privately and are on the waiting list; please follow up."
    return _message(text, context(ONLY_COORDINATORS))


# --- private answers to a coordinator's own command -------------------------------------------


def round_opened_reply(*, year_label: str, last_day: date, invited: int) -> Message:
    text = (
        f"The {year_label} matching round is open until the end of *{long_date(last_day)}*. "
        f"I'm inviting {invited} {'person' if invited == 1 else 'people'} without a pairing, each in their working hours "
        "(anyone I can't reach is listed under *Couldn't reach by DM* on your dashboard), "
        "and I'll remind those who haven't answered 3 days before the deadline. "
        "At the deadline the matcher runs and you'll get its proposal to review."
    )
    return private_message(text, [section(text), context(ONLY_YOU)])


def proposal_made_reply(*, proposal_id: int, matched: int, unmatched: int, first_choice: int, source: str) -> Message:
    text = (
        f"The matcher ran on {source}: *{matched}* matched, *{unmatched}* not matched, {first_choice} got their first choice. "
        "Nothing is final until a coordinator approves it; I'm telling the other coordinators by DM."
    )
    return private_message(
        text,
        [
            section(text),
            actions(button("Review the proposal", ACTION_REVIEW_PROPOSAL, value=str(proposal_id), style="primary")),
            context(ONLY_YOU),
        ],
    )


# --- when a round command cannot be done ---------------------------------------------------------

ROUND_STATES = {
    RoundState.OPEN: "is open",
    RoundState.PROPOSED: "has a proposal waiting for review",
    RoundState.CLOSED: "is already closed; use `/mentor admin match` for anyone still waiting",
}
ROUND_PROBLEMS = {
    RoundProblem.DEADLINE_PAST: (
        "The last day for answers must be today or later, so no round was opened. "
        "Give a later date, or leave it out for two weeks from today."
    ),
    RoundProblem.OPENED_MEANWHILE: "This year's matching round was opened a moment ago by someone else.",
    RoundProblem.NOBODY_WAITING: "Nobody is waiting for a mentor right now, so there is nothing to match.",
    RoundProblem.NO_ROUND: "There's no matching round this academic year. Open one with `/mentor admin round open [YYYY-MM-DD]`.",
    RoundProblem.ALREADY_CLOSED: "This year's round is already closed. Anyone still waiting can be matched with `/mentor admin match`.",
    RoundProblem.AWAITING_REVIEW: (
        "Answers are already closed and the proposal is waiting for review: `/mentor admin match` makes a fresh one."
    ),
}


def round_problem_text(error: RoundError) -> str:
    if error.problem is RoundProblem.EXISTS:
        assert error.state is not None
        return f"The {error.year_label} matching round {ROUND_STATES[error.state]}."
    if error.problem is RoundProblem.DEADLINE_AFTER_YEAR:
        assert error.latest is not None
        return (
            f"The round is for the {error.year_label} academic year, so its last day for answers can be "
            f"{long_date(error.latest)} at the latest. No round was opened."
        )
    return ROUND_PROBLEMS[error.problem]


# --- coordinators' matching commands: answers that are not the outcome -----------------------------

ROUND_USAGE = "round open [YYYY-MM-DD] | round close"


def round_usage_message(word: str | None = None) -> Message:
    lead = f"I don't know `{word}` here, so nothing was done. " if word else ""
    return private_message(f"{lead}Usage: `/mentor admin {ROUND_USAGE}`")


def no_arguments_text(usage: str, extra: Sequence[str]) -> str:
    return f"`/mentor admin {usage}` takes nothing after it (I got `{' '.join(extra)}`), so nothing was done."


def bad_deadline_text(word: str) -> str:
    return (
        f"I couldn't read `{word}` as a date. Please give the last day for answers as YYYY-MM-DD, "
        "e.g. `/mentor admin round open 2026-07-15`, or leave it out for two weeks from today."
    )


def people_usage_text(usage: str) -> str:
    return f"Usage: `/mentor admin {usage}`. Mention people with @ so Slack fills in who they are."


def not_on_roster_text(user_id: str) -> str:
    return f"{mention(user_id)} is not on the program's roster."


def paired_reply(*, mentor_user_id: str, resident_user_id: str, first_due: date) -> Message:
    return private_message(
        f"Done: {mention(mentor_user_id)} now mentors {mention(resident_user_id)}. I'll introduce them in a group DM "
        f"in their working hours; their first meeting is due by {long_date(first_due)}."
    )


def unpaired_reply(*, resident_user_id: str, mentor_user_id: str) -> Message:
    return private_message(
        f"Done: {mention(resident_user_id)}'s pairing with {mention(mentor_user_id)} has ended. "
        f"Both get a neutral notice, and {mention(resident_user_id)} is on the waiting list for a new mentor."
    )

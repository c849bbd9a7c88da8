"""Change, withdraw and rejoin: the modals, the messages and the coordinators' alert. Pure.

The voice matters most here: say plainly that no reason is needed, what will happen and who will
see what; never name the person who asked to anyone but coordinators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.change_requests import NOTE_MAX_CHARS, RequestSummary, Resolution
from storage.models import RequestKind, Role
from storage.my_pairings import MyPairing
from storage.roster import PersonRef
from views.common import (
    Block,
    Message,
    PrivateAnswer,
    actions,
    button,
    context,
    join_names,
    mention,
    notice_modal,
    plain,
    private_message,
    quoted_sections,
    section,
)
from views.ids import (
    ACTION_CHANGE,
    ACTION_CHECK_IN,
    ACTION_REJOIN,
    ACTION_RESOLVE_CLOSE,
    ACTION_RESOLVE_REMATCH,
    ACTION_WITHDRAW,
    VIEW_CHANGE,
    VIEW_WITHDRAW,
)
from views.payload import payload_id

View = dict[str, Any]

# Input blocks of the two modals: block_id and action_id are the same string.
PAIRING_INPUT = "pairing"
REMATCH_INPUT = "rematch"
NOTE_INPUT = "note"
REMATCH_YES = "yes"
REMATCH_NO = "no"

NEUTRAL_NOTICE = "Your mentoring pairing has ended. The program coordinator will help with next steps."


def neutral_notice_blocks() -> list[Block]:
    """The notice, the same for everyone whose pairing ended, with an optional word to the
    coordinators (the ending check-in; the button names nobody and no pairing)."""
    return [
        section(NEUTRAL_NOTICE),
        actions(button("Anything to tell the coordinators? (optional)", ACTION_CHECK_IN)),
    ]


WHO_SEES_WHAT = (
    "*Who sees what:* only the program coordinators see that you asked, and your note if you write one. "
    "Nothing is posted in any channel."
)
NOTE_HINT = "Only the program coordinators can read this. It's deleted once they've handled your request."


def _bold_names(people: Sequence[PersonRef]) -> str:
    return join_names([f"*{p.name}*" for p in people], conjunction="and")


def _ended_phrase(names: Sequence[str]) -> str:
    """ "Your pairing with *A* has ended; they get" / "Your pairings with *A* and *B* have ended; each gets"."""
    bold = join_names([f"*{n}*" for n in names], conjunction="and")
    if len(names) == 1:
        return f"Your pairing with {bold} has ended; they get"
    return f"Your pairings with {bold} have ended; each gets"


@dataclass(frozen=True)
class ChangeForm:
    pairing_id: int | None  # from the choice, when a mentor picked one of two
    rematch: bool
    note: str | None


@dataclass(frozen=True)
class WithdrawForm:
    note: str | None


# --- modals ----------------------------------------------------------------------------------


def _note_input() -> Block:
    return {
        "type": "input",
        "block_id": NOTE_INPUT,
        "optional": True,
        "label": plain("A note for the coordinators (optional)"),
        "hint": plain(NOTE_HINT),
        "element": {
            "type": "plain_text_input",
            "action_id": NOTE_INPUT,
            "multiline": True,
            "max_length": NOTE_MAX_CHARS,
        },
    }


def _radio(block_id: str, label: str, options: Sequence[tuple[str, str]], *, initial: str | None = None) -> Block:
    rendered = [{"text": plain(text), "value": value} for value, text in options]
    element: dict[str, Any] = {"type": "radio_buttons", "action_id": block_id, "options": rendered}
    if initial is not None:
        element["initial_option"] = next(o for o in rendered if o["value"] == initial)
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}


def change_modal(choices: Sequence[MyPairing], *, role: Role, private_metadata: str) -> View:
    """The change modal; a mentor with two mentees first picks which pairing."""
    if len(choices) == 1:
        other = choices[0].counterpart.name
        intro = [section(f"You can end your pairing with *{other}* at any time. *You don't need to give a reason.*")]
        they = other
    else:
        intro = [
            section("You can end a pairing at any time. *You don't need to give a reason.*"),
            _radio(PAIRING_INPUT, "Which pairing?", [(str(c.pairing_id), c.counterpart.name) for c in choices]),
        ]
        they = "The other person"
    happens = (
        "*What happens*\n"
        "• The pairing ends now, and its reminders stop.\n"
        f"• {they} gets a short, neutral message: “{NEUTRAL_NOTICE}” It doesn't say who asked.\n"
        "• You two won't be matched with each other again."
    )
    new_match = "Find me a new mentor" if role is Role.RESIDENT else "I'm open to a new mentee"
    rematch = _radio(
        REMATCH_INPUT,
        "Would you like a new match?",
        [(REMATCH_YES, new_match), (REMATCH_NO, "Not for now")],
        initial=REMATCH_YES,
    )
    return {
        "type": "modal",
        "callback_id": VIEW_CHANGE,
        "private_metadata": private_metadata,
        "title": plain("Change your pairing"),
        "submit": plain("End the pairing"),
        "close": plain("Cancel"),
        "blocks": [*intro, section(happens), rematch, _note_input(), context(WHO_SEES_WHAT)],
    }


def withdraw_modal(counterpart_names: Sequence[str], *, private_metadata: str) -> View:
    if counterpart_names:
        names = join_names([f"*{n}*" for n in counterpart_names], conjunction="and")
        plural = len(counterpart_names) > 1
        pairings = (
            f"• Your {'pairings' if plural else 'pairing'} with {names} {'end' if plural else 'ends'} now. "
            f"{'Each gets' if plural else 'They get'} a short, neutral message that doesn't say who asked, "
            "and the coordinator will help with a new match.\n"
        )
    else:
        pairings = "• You don't have a pairing right now, so nobody else is affected.\n"
    happens = (
        "*What happens*\n" + pairings + "• You won't get any more messages from me, and you'll be left out of matching rounds.\n"
        "• You can come back whenever you like with `/mentor rejoin`."
    )
    return {
        "type": "modal",
        "callback_id": VIEW_WITHDRAW,
        "private_metadata": private_metadata,
        "title": plain("Leave the program"),
        "submit": plain("Leave the program"),
        "close": plain("Cancel"),
        "blocks": [
            section("You can leave the mentorship program at any time. *You don't need to give a reason.*"),
            section(happens),
            _note_input(),
            context(WHO_SEES_WHAT),
        ],
    }


def _state_value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(block_id, {}) or {}


def read_change_form(values: dict[str, Any]) -> ChangeForm:
    """From Slack's view.state.values. Values are only parsed here; they are checked by the caller."""
    chosen = (_state_value(values, PAIRING_INPUT).get("selected_option") or {}).get("value")
    rematch = (_state_value(values, REMATCH_INPUT).get("selected_option") or {}).get("value", REMATCH_YES)
    return ChangeForm(
        pairing_id=payload_id(chosen),
        rematch=rematch != REMATCH_NO,
        note=_state_value(values, NOTE_INPUT).get("value"),
    )


def read_withdraw_form(values: dict[str, Any]) -> WithdrawForm:
    return WithdrawForm(note=_state_value(values, NOTE_INPUT).get("value"))


def change_received_view(counterpart_name: str, *, rematch: bool) -> View:
    next_step = (
        "The coordinator will help you find a new match."
        if rematch
        else "You won't be matched again for now; if you change your mind, just tell the program coordinator."
    )
    text = (
        f"Done. Your pairing with *{counterpart_name}* has ended, and its reminders have stopped. "
        f"{counterpart_name} gets a short, neutral message that doesn't say who asked.\n\n{next_step}"
    )
    return notice_modal("Pairing changed", text, footer=WHO_SEES_WHAT)


def ending_view() -> View:
    """While the pairing is being ended (the outcome replaces it a moment later)."""
    return notice_modal("Change your pairing", "Ending the pairing…", footer=WHO_SEES_WHAT)


def already_ended_view(counterpart_name: str, *, wrote_note: bool) -> View:
    """The pairing had ended a moment before the request (the other person asked, or left, at the
    same moment): the truth, without saying who or why."""
    return notice_modal("Pairing had ended", _already_ended_text(counterpart_name, wrote_note=wrote_note), footer=WHO_SEES_WHAT)


def _already_ended_text(counterpart_name: str, *, wrote_note: bool) -> str:
    told = (
        "Your note has gone to the program coordinators, and only they will read it."
        if wrote_note
        else "The program coordinators know you asked too."
    )
    return (
        f"Your pairing with *{counterpart_name}* had already ended a moment before you asked, so there was nothing "
        f"left to end. You'll get the same short, neutral notice as anyone whose pairing ends. {told}"
    )


def withdraw_received_view(counterpart_names: Sequence[str]) -> View:
    ended = (
        f"{_ended_phrase(counterpart_names)} a short, neutral message that doesn't say who asked. " if counterpart_names else ""
    )
    text = (
        f"You've left the mentorship program. {ended}"
        "You won't get any more messages from me, apart from one confirming this.\n\n"
        "Whenever you'd like to come back, type `/mentor rejoin`."
    )
    return notice_modal("You've left", text, footer=WHO_SEES_WHAT)


# --- kind answers ----------------------------------------------------------------------------

NO_PAIRING = (
    "You don't have a mentoring pairing right now, so there's nothing to change. "
    "If you'd like to be matched, the program coordinator can help."
)
ALREADY_WITHDRAWN = (
    "You've already left the mentorship program, so there's nothing more to do. "
    "Whenever you'd like to come back, type `/mentor rejoin`."
)
PAIRING_ALREADY_ENDED = (
    "That pairing has already ended, so there's nothing more to do. The program coordinator will help with next steps."
)
NOTHING_TO_LEAVE = "You're in the program as a coordinator, without a mentoring pairing, so there's nothing to withdraw from."
REJOINED = (
    "Welcome back! You're in the mentorship program again, and you'll be included in the next matching round. "
    "The coordinators know you're back."
)
NOT_WITHDRAWN = "You're already in the mentorship program, so there's nothing to rejoin."
ONLY_YOU = "Only you can see this message."


def already_resolved_text(summary: RequestSummary) -> str:
    by = f" by {summary.resolved_by}" if summary.resolved_by else ""
    return f"This request was already resolved{by}, so nothing more was done."


def resolved_text(summary: RequestSummary, *, edits: int) -> str:
    how = "queued everyone involved for a new match" if summary.resolution is Resolution.REMATCH else "closed the request"
    if not edits:
        return f"Done: you {how}. The note is deleted."
    return (
        f"Done: you {how}. The note is deleted here, and I'm taking it out of the coordinators' DMs now; "
        "I'll tell you if Slack holds that up."
    )


def request_gone_text() -> str:
    return "I couldn't find that request any more, so nothing was done."


def private_answer(text: str) -> Message:
    return private_message(text, [section(text), context(ONLY_YOU)])


def answer_modal(text: str) -> View:
    return notice_modal("Mentorbot", text, footer=ONLY_YOU)


def click_answer(text: str) -> PrivateAnswer:
    """A private answer to a click on a change, withdraw or rejoin button."""
    return PrivateAnswer(private_answer(text), answer_modal(text))


# --- the App Home ----------------------------------------------------------------------------


def change_button(pairing_id: int | None = None) -> dict[str, Any]:
    """For reminders and the App Home; a pairing id skips the "which pairing" question."""
    return button("Change pairing", ACTION_CHANGE, value=str(pairing_id) if pairing_id else None)


def personal_actions(*, has_pairing: bool, withdrawn: bool, can_leave: bool) -> list[Block]:
    if withdrawn:
        return [
            section("You've left the mentorship program. You can come back whenever you like."),
            actions(button("Rejoin the program", ACTION_REJOIN, style="primary")),
        ]
    if not can_leave:
        return []
    elements = ([change_button()] if has_pairing else []) + [button("Leave the program", ACTION_WITHDRAW)]
    return [
        actions(*elements),
        context("Changing or leaving needs no reason. The other person only gets a neutral notice."),
    ]


# --- the messages a request sends (program/changes.py queues them) -----------------------------------------------------------


def _role(person: PersonRef) -> str:
    return {Role.RESIDENT: "resident", Role.FACULTY: "faculty", Role.COORDINATOR: "coordinator"}[person.role]


def _who(person: PersonRef) -> str:
    return f"*{person.name}* ({mention(person.slack_user_id)}, {_role(person)})"


def _resolve_buttons(request_id: int) -> Block:
    value = str(request_id)
    return actions(
        button("Rematch now", ACTION_RESOLVE_REMATCH, value=value, style="primary"),
        button("Close", ACTION_RESOLVE_CLOSE, value=value),
        block_id=f"resolve-{request_id}",
    )


def pairing_ended_notice() -> Message:
    """To each counterpart. Names nobody: it is the same for every pairing that ends by request."""
    return {"text": NEUTRAL_NOTICE, "blocks": neutral_notice_blocks()}


def requester_confirmation(summary: RequestSummary) -> Message:
    names = _bold_names(summary.counterparts)
    if summary.pairing_had_ended:
        text = _already_ended_text(join_names([c.name for c in summary.counterparts]), wrote_note=bool(summary.note))
    elif summary.kind is RequestKind.CHANGE:
        next_step = (
            "The coordinator will help you find a new match."
            if summary.requester_rematch
            else "You won't be matched again for now; if you change your mind, just tell the program coordinator."
        )
        text = (
            f"As you asked, your mentoring pairing with {names} has ended. "
            f"{names} gets a short, neutral message that doesn't say who asked. {next_step}"
        )
    else:
        ended = (
            f"{_ended_phrase([c.name for c in summary.counterparts])} a short, neutral message that doesn't say who asked. "
            if summary.counterparts
            else ""
        )
        text = (
            f"You've left the mentorship program. {ended}This is the last message you'll get from me. "
            "Whenever you'd like to come back, type `/mentor rejoin`."
        )
    footer = "Only you can see this message. The program coordinators can see that you asked, and your note if you wrote one."
    return {"text": text, "blocks": [section(text), context(footer)]}


def coordinator_alert(summary: RequestSummary) -> Message:
    text = _alert_text(summary)
    note = quoted_sections(summary.note, lead="*Their note:*") if summary.note else [section("_No note._")]
    blocks = [
        section(text),
        *note,
        _resolve_buttons(summary.request_id),
        context(
            "Confidential: only program coordinators get this message. The note is deleted when you resolve "
            "the request. *Rematch now* queues everyone involved for a mid-year match; *Close* ends it here."
        ),
    ]
    return {"text": f"Confidential: {text}", "blocks": blocks}


def coordinator_alert_resolved(summary: RequestSummary) -> Message:
    what = "change request" if summary.kind is RequestKind.CHANGE else "withdrawal"
    how = "queued for a new match" if summary.resolution is Resolution.REMATCH else "closed"
    when = f" on {summary.resolved_on:%B} {summary.resolved_on.day}" if summary.resolved_on else ""
    text = (
        f"The {what} from {_who(summary.requester)} was resolved by {summary.resolved_by}{when}: {how}. "
        "The note, if there was one, has been deleted."
    )
    return {"text": text, "blocks": [section(text), context("Only program coordinators get this message.")]}


def rejoined_notice(person: PersonRef) -> Message:
    text = (
        f"{_who(person)} is back in the mentorship program (they used `/mentor rejoin`). "
        "They'll be included in the next matching round."
    )
    return {"text": text, "blocks": [section(text), context("Only program coordinators get this message.")]}


def _alert_text(summary: RequestSummary) -> str:
    names = _bold_names(summary.counterparts)
    if summary.pairing_had_ended:
        text = (
            f"{_who(summary.requester)} asked to end their pairing with {names} after it had already ended "
            "(by a request, a withdrawal or a coordinator at about the same time). Nothing more ended; "
            f"{summary.requester.name} was told the pairing had already ended."
        )
    elif summary.kind is RequestKind.CHANGE:
        text = (
            f"{_who(summary.requester)} asked to end their pairing with {names}. The pairing has ended; "
            f"{names} gets a neutral notice that doesn't say who asked."
        )
    elif summary.counterparts:
        several = len(summary.counterparts) > 1
        text = (
            f"{_who(summary.requester)} left the program. Their {'pairings' if several else 'pairing'} "
            f"with {names} ended; {'each gets' if several else 'they get'} a neutral notice that doesn't say who asked."
        )
    else:
        text = f"{_who(summary.requester)} left the program. They had no pairing."
    if summary.queued:
        text += f"\nWaiting for a new match: {_bold_names(summary.queued)}."
    if summary.kind is RequestKind.CHANGE and not summary.requester_rematch:
        text += f"\n{summary.requester.name} doesn't want a new match for now."
    if summary.removed_from_proposal:
        text += "\nThey were taken out of the proposal awaiting approval"
        text += f"; now unmatched there: {_bold_names(summary.unmatched_in_proposal)}." if summary.unmatched_in_proposal else "."
    return text

"""What the coordinator who resolved a request or read a note is told when taking the note out of
the coordinators' DMs is late or fails. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from storage.outbox_kinds import OutboxKind
from views.common import Message, context, join_names, mention, section

WHAT = {
    OutboxKind.REQUEST_ALERT_CLEANUP: "the note of the request you resolved",
    OutboxKind.CHECK_IN_NOTE_CLEANUP: "the check-in note you marked read",
}
# Any other kind has no cleanup of its own; it is named plainly.
OTHER = "the note"
FOOTER = "Only you get this message. Mentorbot's own copy of the note is already deleted."


def _what(kind: OutboxKind) -> str:
    return WHAT.get(kind, OTHER)


def _dms(user_ids: Sequence[str]) -> str:
    names = [f"{mention(u)}’s" for u in user_ids]
    return f"{join_names(names, conjunction='and')} {'DM' if len(names) == 1 else 'DMs'}"


def _message(text: str, about: str) -> Message:
    return {
        "text": text,
        "blocks": [section(text), context(f"Which message: the one that now should read “{about}”"), context(FOOTER)],
    }


def cleanup_late(kind: OutboxKind, *, user_ids: Sequence[str], about: str) -> Message:
    """Slack has not taken an edit yet (busy, down, rate limited): it is retried."""
    text = (
        f"I couldn't take {_what(kind)} out of {_dms(user_ids)} yet: Slack didn't accept the change. "
        "I'll keep trying, and tell you when it's gone."
    )
    return _message(text, about)


def cleanup_failed(kind: OutboxKind, *, user_id: str, reason: str, about: str) -> Message:
    """Slack refused an edit for good, or it ran out of attempts: the copy stays in Slack."""
    text = (
        f"I couldn't take {_what(kind)} out of {_dms([user_id])}, so that message still shows it "
        f"(Slack answered: {reason}). A Slack admin can delete that message."
    )
    return _message(text, about)


def cleanup_done(kind: OutboxKind, *, failed_user_ids: Sequence[str], about: str) -> Message:
    """Every edit of one resolution has settled, after at least one was late."""
    if failed_user_ids:
        text = (
            f"{_what(kind)[0].upper()}{_what(kind)[1:]} is now gone from every coordinator's DM "
            f"except {_dms(failed_user_ids)} (see my message about it)."
        )
    else:
        text = f"Done: {_what(kind)} is now gone from every coordinator's DM."
    return _message(text, about)

"""Telling the coordinator who took a note out of Slack (resolved a request, read a check-in note)
how that goes: the edits themselves are outbox rows (storage/outbox.clean_copies), delivered by
scheduler/delivery.py, which calls `after_edit` in the transaction that records each outcome.

Told once per resolution when an edit is late (Slack busy, down or rate limited: it is retried),
once per copy Slack refused for good or that ran out of attempts, and once more when every edit
has settled after being late. A resolution whose edits all succeed at once says nothing more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from program.messages import queue_once
from storage.models import OutboxMessage, OutboxState
from storage.outbox import cleanup_edits, exists
from storage.outbox_kinds import OutboxKind, cleanup_group, cleanup_notice_key
from storage.programs import load_program
from storage.roster import person_by_user_id
from views import cleanups as words
from views.common import Message

UNSETTLED = (OutboxState.PENDING, OutboxState.SENDING)
LATE, DONE = "late", "done"


def _is_late(edit: OutboxMessage) -> bool:
    return edit.state in UNSETTLED and edit.last_error is not None


def _recipient(edit: OutboxMessage) -> str:
    return (edit.recipient_user_ids or [edit.channel_id or "?"])[0]


def after_edit(session: Session, *, edit_id: int, now: datetime) -> None:
    """Queue what the resolving coordinator should hear after this edit's latest attempt."""
    edit = session.get(OutboxMessage, edit_id)
    if edit is None or edit.edits_id is None or edit.report_to is None or edit.dedupe_key is None:
        return
    program = load_program(session, edit.program_id)
    person = person_by_user_id(session, program_id=program.id, slack_user_id=edit.report_to)
    if person is None:
        return
    group = cleanup_group(edit.dedupe_key)
    kind = OutboxKind(edit.kind)
    edits = cleanup_edits(session, group=group)

    def tell(event: str, message: Message) -> None:
        queue_once(
            session, program, OutboxKind.CLEANUP_NOTICE, message, now=now, to=[person],
            dedupe_key=cleanup_notice_key(group, event), respect_working_hours=False,  # they just acted
        )  # fmt: skip

    if _is_late(edit):
        late = [_recipient(e) for e in edits if _is_late(e)]
        tell(LATE, words.cleanup_late(kind, user_ids=late, about=edit.text))
    elif edit.state is OutboxState.FAILED:
        reason = (edit.last_error or "no answer").split(": ")[-1]
        tell(f"failed:{edit.id}", words.cleanup_failed(kind, user_id=_recipient(edit), reason=reason, about=edit.text))
    if all(e.state not in UNSETTLED for e in edits) and exists(session, cleanup_notice_key(group, LATE)):
        failed = [_recipient(e) for e in edits if e.state is OutboxState.FAILED]
        tell(DONE, words.cleanup_done(kind, failed_user_ids=failed, about=edit.text))

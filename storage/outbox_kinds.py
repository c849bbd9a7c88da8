"""Every kind of message the outbox carries, and the dedupe keys that make each exist once.

A kind names what a message is (stored on its outbox row: delivery logs it, and a few queries
select by it); a dedupe key names one decision to send it (a unique column: a sweep that runs
twice, or two processes, decide it once). Both are spelled here and nowhere else. Keys already
stored must keep their spelling: a changed one would decide again what was decided before.
"""

from __future__ import annotations

import enum
from datetime import date

from mentoring.cadence import AcademicQuarter
from mentoring.nudges import NudgeKind
from mentoring.reporting import quarter_key


class OutboxKind(enum.StrEnum):
    # Matching rounds and proposals
    ROUND_INVITATION = "round.invitation"
    ROUND_REMINDER = "round.reminder"
    PROPOSAL_READY = "proposal.ready"
    PROPOSAL_NOT_MATCHED = "proposal.not_matched"
    PROPOSAL_APPROVED = "proposal.approved"
    QUEUE_JOINED = "queue.joined"
    # Pairings
    PAIRING_INTRODUCTION = "pairing.introduction"
    PAIRING_ENDED = "pairing.ended"  # the neutral notice, however the pairing ended
    # Confidential change requests, withdrawal, rejoining
    REQUEST_CONFIRMATION = "request.confirmation"
    REQUEST_ALERT = "request.alert"  # to coordinators; holds the note until the request is resolved
    REQUEST_REJOINED = "request.rejoined"
    # Meetings and reminders
    MEETING_LOGGED = "meeting.logged"
    MEETING_PLAN = "meeting.plan"  # the pair's planned meeting, with its calendar file
    PAUSE_NOTICE = "pause.notice"  # to the other person: meetings paused until a date
    PAUSE_BACK_ON = "pause.back_on"  # to the pair: the pause is over
    NUDGE_APPROACHING = "nudge.approaching"
    NUDGE_DUE = "nudge.due"
    NUDGE_MISSED = "nudge.missed"
    NUDGE_ESCALATION = "nudge.escalation"
    # Check-ins
    CHECK_IN_ASK = "check_in.ask"
    CHECK_IN_NOTE = "check_in.note"  # free text, to each coordinator not in the pairing; deleted once read
    # Coordinator reports
    REPORT_SUMMARY = "report.summary"
    REPORT_QUARTER = "report.quarter"
    REPORT_QUARTER_CHART = "report.quarter_chart"  # its own row: the delivery job uploads a file without blocks
    REPORT_NOTICE = "report.notice"  # to each coordinator: a post could not go out, or has nowhere to go
    # Taking a note out of Slack: an edit of one delivered copy (outbox.edits_id), and what the
    # coordinator who resolved or read it is told when an edit is late or fails.
    REQUEST_ALERT_CLEANUP = "request.alert_cleanup"
    CHECK_IN_NOTE_CLEANUP = "check_in.note_cleanup"
    CLEANUP_NOTICE = "cleanup.notice"

    @classmethod
    def nudge(cls, kind: NudgeKind) -> OutboxKind:
        return cls(NUDGE_PREFIX + kind.value)


# Reminders about a due date: a meeting logged for it cancels those still waiting.
NUDGE_PREFIX = "nudge."
NUDGE_KINDS = tuple(kind for kind in OutboxKind if kind.value.startswith(NUDGE_PREFIX))
# The coordinator channel's posts: one that fails gets a notice to every coordinator.
CHANNEL_POST_KINDS = (OutboxKind.REPORT_SUMMARY, OutboxKind.REPORT_QUARTER, OutboxKind.REPORT_QUARTER_CHART)
# The messages that carry a note, each with the kind of the edit that takes the note out again:
# a new kind that carries confidential text belongs here (tests/scheduler/test_note_cleanup.py
# walks every one).
CLEANUP_KIND_OF = {
    OutboxKind.REQUEST_ALERT: OutboxKind.REQUEST_ALERT_CLEANUP,
    OutboxKind.CHECK_IN_NOTE: OutboxKind.CHECK_IN_NOTE_CLEANUP,
}
CLEANUP_KINDS = tuple(CLEANUP_KIND_OF.values())


# --- dedupe keys ---------------------------------------------------------------------------------


def invitation_key(round_id: int, person_id: int) -> str:
    return f"round:{round_id}:invite:{person_id}"


def round_reminder_key(round_id: int, person_id: int) -> str:
    return f"round:{round_id}:remind:{person_id}"


def proposal_ready_key(proposal_id: int, coordinator_id: int) -> str:
    return f"proposal:{proposal_id}:ready:{coordinator_id}"


def not_matched_key(proposal_id: int, person_id: int) -> str:
    return f"proposal:{proposal_id}:not_matched:{person_id}"


def approved_key(proposal_id: int, coordinator_id: int) -> str:
    return f"proposal:{proposal_id}:approved:{coordinator_id}"


def queue_joined_key(entry_id: int, coordinator_id: int) -> str:
    return f"queue:{entry_id}:notify:{coordinator_id}"


def introduction_key(pairing_id: int) -> str:
    return f"pairing:{pairing_id}:intro"


def unpaired_notice_key(pairing_id: int, person_id: int) -> str:
    """A coordinator's unpairing; a request's own notices need no key (they are decided once, with it)."""
    return f"pairing:{pairing_id}:ended:{person_id}"


def request_alert_prefix(request_id: int) -> str:
    """Every coordinator's copy of one request's alert: resolving it rewrites them all."""
    return f"change_request:{request_id}:coordinator:"


def request_alert_key(request_id: int, coordinator_id: int) -> str:
    return f"{request_alert_prefix(request_id)}{coordinator_id}"


def meeting_logged_key(pairing_id: int, met_on: date) -> str:
    return f"meeting:{pairing_id}:{met_on.isoformat()}"


def nudge_key(pairing_id: int, kind: NudgeKind, due_on: date, sequence: int, person_id: int) -> str:
    return f"nudge:{pairing_id}:{kind.value}:{due_on.isoformat()}:{sequence}:{person_id}"


def escalation_key(pairing_id: int, due_on: date, coordinator_id: int | None = None) -> str:
    """One channel post (no coordinator), or one DM per coordinator."""
    key = f"escalation:{pairing_id}:{due_on.isoformat()}"
    return key if coordinator_id is None else f"{key}:{coordinator_id}"


def check_in_ask_key(prompt_id: int) -> str:
    return f"check_in:{prompt_id}"


def check_in_note_prefix(note_id: int) -> str:
    """Every coordinator's copy of one check-in note: reading it rewrites them all."""
    return f"check_in_note:{note_id}:coordinator:"


def check_in_note_key(note_id: int, coordinator_id: int) -> str:
    return f"{check_in_note_prefix(note_id)}{coordinator_id}"


def summary_key(program_id: int, week: str) -> str:
    return f"summary:{program_id}:{week}"


def quarter_report_key(program_id: int, quarter: AcademicQuarter) -> str:
    return f"quarter-report:{program_id}:{quarter_key(quarter)}"


def quarter_chart_key(program_id: int, quarter: AcademicQuarter) -> str:
    return f"quarter-chart:{program_id}:{quarter_key(quarter)}"


def report_key_of_chart(chart_key: str | None) -> str | None:
    """The key of the report a chart belongs to (their notices about one channel are one)."""
    prefix = "quarter-chart:"
    return "quarter-report:" + chart_key[len(prefix) :] if chart_key and chart_key.startswith(prefix) else None


def undelivered_notice_key(post_key: str, coordinator_user_id: str) -> str:
    return f"undelivered:{post_key}:{coordinator_user_id}"


def no_channel_notice_key(program_id: int, week: str, coordinator_user_id: str) -> str:
    return f"no-channel:{program_id}:{week}:{coordinator_user_id}"


def cleanup_key(copy_key: str) -> str:
    """The edit that takes the note out of one delivered copy (e.g. of `request_alert_key(...)`)."""
    return f"cleanup:{copy_key}"


def cleanup_group(cleanup_key_: str) -> str:
    """What one resolution's edits share: their key up to the coordinator the copy went to."""
    return cleanup_key_.rsplit(":", 1)[0] + ":"


def cleanup_notice_key(group: str, event: str) -> str:
    """`event`: "late" (an edit could not be made yet), "done" (all made, after being late),
    "failed:<edit id>" (one refused for good)."""
    return f"notice:{group}{event}"

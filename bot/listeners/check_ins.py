"""Check-ins: the Answer and Skip buttons on the DM that asks, the check-in form, and a
coordinator's Mark as read on a note.

Thin: parse, call one operation (program/check_ins.py), render one view (views/check_ins.py).
Only the person asked can answer or skip (the id in a button is never trusted alone), and only
coordinators who are not in the pairing can mark a note read.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.access import authorize
from bot.kit import Click, Done, ListenerContext, Submission, Verdict
from mentoring.access import Refusal
from program.check_ins import read_note, record_answer, record_skip
from storage.check_ins import AnswerOutcome, NoteOutcome, NotYourCheckInError, ending_prompt, note_parties, prompt_for
from storage.models import CheckInState, Pairing
from storage.pairings import counterpart_of
from storage.roster import person_of
from views import check_ins as views
from views.access import refusal_text
from views.common import click_answer
from views.ids import ACTION_CHECK_IN, ACTION_CHECK_IN_SKIP, ACTION_NOTE_READ, VIEW_CHECK_IN
from views.payload import payload_id
from views.private_metadata import seal

log = logging.getLogger(__name__)
METADATA_KIND = "check_in"
TITLE = "Check-in"


def _tell(click: Click, text: str) -> None:
    click.answer(click_answer(text, title=TITLE))


def answer_clicked(click: Click) -> None:
    """The form for the check-in the button names (or, from the neutral notice, the ending one)."""
    lookup, prompt_id = click.who.lookup, payload_id(click.value)
    actor = lookup.actor
    if actor is None:
        _tell(click, refusal_text(Refusal.NOT_ON_ROSTER, lookup.coordinator_user_ids))
        return
    # A unit of work, not a read: the neutral notice's button asks the ending check-in on first click.
    with click.services.unit_of_work() as session:
        person = person_of(session, actor)
        try:
            prompt = (
                prompt_for(session, prompt_id=prompt_id, person=person)
                if prompt_id is not None
                else ending_prompt(session, person=person, now=click.services.clock())
            )
        except NotYourCheckInError:
            _tell(click, refusal_text(authorize(ACTION_CHECK_IN, actor) or Refusal.NOT_YOURS))
            return
        if prompt is None:
            _tell(click, views.nothing_to_answer_text())
            return
        if prompt.state is CheckInState.DONE:
            _tell(click, views.already_done_text())
            return
        pairing = session.get(Pairing, prompt.pairing_id)
        assert pairing is not None
        other_name = counterpart_of(pairing, person.id).name
        kind, subject_on, found_id = prompt.kind, prompt.subject_on, prompt.id
    container = click.body.get("container") or {}
    sealed = seal(
        {
            "k": METADATA_KIND,
            "u": actor.slack_user_id,
            "p": found_id,
            "c": container.get("channel_id"),
            "t": container.get("message_ts"),
        },
        key=click.services.metadata_key,
    )
    click.open(views.check_in_modal(kind=kind, other_name=other_name, subject_on=subject_on, private_metadata=sealed))


def skip_clicked(click: Click) -> None:
    lookup, prompt_id = click.who.lookup, payload_id(click.value)
    if lookup.actor is None:
        _tell(click, refusal_text(Refusal.NOT_ON_ROSTER, lookup.coordinator_user_ids))
        return
    try:
        if prompt_id is None:
            raise NotYourCheckInError("no check-in named")
        with click.services.unit_of_work() as session:
            result = record_skip(session, actor=lookup.actor, prompt_id=prompt_id)
    except NotYourCheckInError:
        _tell(click, refusal_text(Refusal.NOT_YOURS))
        return
    if result.outcome is AnswerOutcome.ALREADY_DONE:
        _tell(click, views.already_done_text())
    elif click.body.get("response_url"):
        click.respond(replace_original=True, **views.skipped_message())
    else:
        _tell(click, views.skipped_message()["text"])


def check_check_in(submission: Submission) -> Verdict:
    services, lookup = submission.services, submission.who.lookup
    payload = submission.sealed(METADATA_KIND)
    if payload is None:
        return Verdict.show(views.not_saved_view(refusal_text(Refusal.TAMPERED)))
    prompt_id = payload_id(payload.get("p"))
    if prompt_id is None:
        return Verdict.show(views.not_saved_view(refusal_text(Refusal.TAMPERED)))
    actor = lookup.actor
    form = views.read_check_in_form(submission.view)
    try:
        with services.reading() as session:
            prompt = prompt_for(session, prompt_id=prompt_id, person=person_of(session, actor)) if actor else None
            scored = prompt is not None and prompt.kind.has_score
    except NotYourCheckInError:
        return Verdict.show(views.not_saved_view(refusal_text(Refusal.NOT_YOURS)))
    if actor is None:
        return Verdict.show(views.not_saved_view(refusal_text(Refusal.NOT_ON_ROSTER, lookup.coordinator_user_ids)))
    if scored and form.score is None:
        return Verdict.errors({views.SCORE_INPUT: views.missing_score_error()})
    asked_in = (payload.get("c"), payload.get("t"))

    def save() -> Done:
        with services.unit_of_work() as session:
            result = record_answer(
                session, actor=actor, prompt_id=prompt_id, score=form.score, text=form.text, now=services.clock()
            )
            wrote = result.note is not None
        if result.outcome is AnswerOutcome.ALREADY_DONE:
            return Done(view=views.not_saved_view(views.already_done_text()))
        channel, ts = asked_in
        if result.outcome is AnswerOutcome.DONE and channel and ts:
            try:  # the DM that asked loses its buttons
                submission.client.chat_update(channel=channel, ts=ts, **views.answered_message())
            except SlackApiError as error:
                log.warning("could not update the check-in DM: %s", error.response.get("error"))
        return Done(view=views.thanks_view(wrote=wrote))

    return Verdict.show(views.saving_view(), then=save)


def note_read_clicked(click: Click) -> None:
    """Only a coordinator who is not in the pairing; the note's text is deleted everywhere."""
    who, note_id = click.who, payload_id(click.value)
    with click.services.unit_of_work() as session:
        parties = note_parties(session, note_id=note_id) if note_id is not None else None
        refusal = who.refusal_about(
            ACTION_NOTE_READ,
            subject_ids=sorted(parties.person_ids) if parties else (),
            program_id=parties.program_id if parties else None,
        )
        if refusal is not None:
            _tell(click, refusal)
            return
        assert who.actor is not None
        if parties is None or note_id is None:
            _tell(click, views.note_gone_text())
            return
        result, replacement = read_note(session, note_id=note_id, actor=who.actor, now=click.services.clock())
    if result.outcome is not NoteOutcome.READ or replacement is None:
        _tell(click, views.note_gone_text() if result.outcome is NoteOutcome.NOT_FOUND else views.already_read_text())
        return
    assert result.cleanup is not None
    # The copies in coordinators' DMs are edited by the outbox, retried until Slack takes it.
    _tell(click, views.note_read_text(edits=result.cleanup.edits))


def register(ctx: ListenerContext) -> None:
    ctx.on_click(ACTION_CHECK_IN, answer_clicked, what=ACTION_CHECK_IN)
    ctx.on_click(ACTION_CHECK_IN_SKIP, skip_clicked, what=ACTION_CHECK_IN_SKIP)
    ctx.on_click(ACTION_NOTE_READ, note_read_clicked, what=ACTION_NOTE_READ)
    ctx.on_submit(
        VIEW_CHECK_IN,
        check_check_in,
        what="recording a check-in",
        check_failed=lambda: Verdict.show(views.not_saved_view(views.not_saved_error())),
        work_failed=lambda submission: Done(view=views.not_saved_view(views.not_saved_error())),
    )

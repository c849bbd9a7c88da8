"""Meetings: `/mentor met [date]`, `/mentor status`, the "We met" button and its modal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from slack_sdk import WebClient

from bot.access import Audience, authorize
from bot.commands import CommandRequest
from bot.kit import Click, Done, ListenerContext, Submission, Verdict
from bot.runtime import Services
from mentoring.access import Refusal
from program import meetings
from storage.meetings import MeetingError, MeetingProblem
from storage.models import Pairing
from storage.my_pairings import my_pairings
from storage.programs import load_program, person_today
from storage.roster import Actor, person_of
from views import meetings as views
from views.access import refusal_text
from views.common import Message, PrivateAnswer, private_message
from views.help import not_on_roster_message
from views.ids import ACTION_WE_MET, VIEW_MEETING
from views.payload import payload_id, payload_ids
from views.private_metadata import seal

METADATA_KIND = "meeting"
Say = Callable[[Message], object]  # answers privately where it can (never in the App Home)


def open_meeting_modal(
    services: Services, client: WebClient, trigger_id: str, actor: Actor, say: Say, *, pairing_id: int | None, wanted: str | None
) -> None:
    """The "We met" modal for the actor's pairing(s); a button may name one, which must be theirs."""
    with services.reading() as session:
        person = person_of(session, actor)
        choices = my_pairings(session, person_id=person.id)
        named: Pairing | None = None
        if pairing_id is not None:
            choices = [p for p in choices if p.pairing_id == pairing_id]
            named = session.get(Pairing, pairing_id)
        today = person_today(person, load_program(session, actor.program_id), services.clock())
        # A payload naming a pairing is never trusted: only its own people may log for it.
        refusal = (
            None
            if pairing_id is None or choices
            else authorize(ACTION_WE_MET, actor, subject_ids=[named.mentor_id, named.resident_id] if named else [-1])
        )
    if refusal is not None:
        say(private_message(refusal_text(refusal)))
        return
    if not choices:
        say(views.no_pairing_to_log_message() if pairing_id is None else views.pairing_gone_message())
        return
    initial = today
    if wanted is not None:
        try:
            initial = date.fromisoformat(wanted)
        except ValueError:
            say(views.bad_date_message(wanted))
            return
    sealed = seal({"k": METADATA_KIND, "u": actor.slack_user_id, "p": [c.pairing_id for c in choices]}, key=services.metadata_key)
    client.views_open(trigger_id=trigger_id, view=views.meeting_modal(choices, initial_date=initial, private_metadata=sealed))


def met_command(request: CommandRequest) -> None:
    wanted = request.args[0] if request.args else None
    say: Say = lambda message: request.respond(**message)  # noqa: E731
    open_meeting_modal(request.services, request.client, request.trigger_id, request.actor, say, pairing_id=None, wanted=wanted)


def status_command(request: CommandRequest) -> None:
    with request.services.reading() as session:
        lines = my_pairings(session, person_id=request.actor.person_id)
    request.respond(**views.status_message(lines))


def we_met_clicked(click: Click) -> None:
    say: Say = lambda message: click.answer(PrivateAnswer(message))  # noqa: E731 -- nothing opens in the App Home
    lookup = click.who.lookup
    if lookup.actor is None:
        say(not_on_roster_message(lookup.coordinator_user_ids))
        return
    value = click.value
    pairing_id = payload_id(value)
    open_meeting_modal(click.services, click.client, click.trigger_id, lookup.actor, say, pairing_id=pairing_id, wanted=None)


def _problem_text(error: MeetingError) -> str:
    if error.problem is MeetingProblem.IN_THE_FUTURE:
        return views.future_date_error()
    if error.problem is MeetingProblem.BEFORE_START:
        assert error.started_on is not None
        return views.before_start_error(error.started_on)
    return views.not_in_pairing_error()


def check_meeting_form(submission: Submission) -> Verdict:
    """A quick read-only check before the ack, so a problem (a date in the future, a pairing that
    ended) shows in the modal; the write happens after the ack and then updates the modal."""
    payload = submission.sealed(METADATA_KIND)
    if payload is None:
        return Verdict.show(views.meeting_not_saved_view(refusal_text(Refusal.TAMPERED)))
    form = views.read_meeting_form(submission.view, offered=payload_ids(payload.get("p")))
    errors = {}
    if form.pairing_id is None:
        errors[views.BLOCK_PAIRING] = views.missing_pairing_error()
    if form.met_on is None:
        errors[views.BLOCK_DATE] = views.missing_date_error()
    if errors or form.pairing_id is None or form.met_on is None:
        return Verdict.errors(errors)
    services, pairing_id, met_on = submission.services, form.pairing_id, form.met_on
    try:
        actor = submission.who.actor
        if actor is None:
            raise MeetingError(MeetingProblem.NOT_IN_PAIRING)
        with services.reading() as session:
            meetings.check_meeting(session, actor=actor, pairing_id=pairing_id, met_on=met_on, now=services.clock())
    except MeetingError as error:
        return Verdict.errors({views.BLOCK_DATE: _problem_text(error)})

    def work() -> Done:
        try:
            with services.unit_of_work() as session:
                logged = meetings.log_meeting(session, actor=actor, pairing_id=pairing_id, met_on=met_on, now=services.clock())
        except MeetingError as error:  # the pairing ended in the meantime
            return Done(view=views.meeting_not_saved_view(_problem_text(error)))
        shown = views.meeting_logged_view(
            other_name=logged.other.name, met_on=logged.met_on, next_due_on=logged.next_due_on, new=logged.new
        )
        return Done(view=shown, refresh=[logged.logged_by.slack_user_id, logged.other.slack_user_id] if logged.new else [])

    return Verdict.show(views.saving_meeting_view(), then=work)


def register(ctx: ListenerContext) -> None:
    ctx.router.add(
        "status", summary="your pairing, last meeting and next due date", audience=Audience.EVERYONE, handler=status_command
    )
    ctx.router.add(
        "met", summary="log a meeting with your mentor or mentee", audience=Audience.EVERYONE, handler=met_command,
        usage="met [YYYY-MM-DD]",
    )  # fmt: skip
    ctx.on_click(ACTION_WE_MET, we_met_clicked, what="We met button")
    ctx.on_submit(
        VIEW_MEETING,
        check_meeting_form,
        what="logging a meeting",
        check_failed=lambda: Verdict.errors({views.BLOCK_DATE: views.not_saved_error()}),
        work_failed=lambda submission: Done(view=views.meeting_not_saved_view(views.not_saved_error())),
    )

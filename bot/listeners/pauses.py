"""Pauses: `/mentor pause`, `/mentor resume`, the Pause and Resume buttons, and the pause form.

Thin: each listener parses, calls one operation (program/pauses.py) and renders one view
(views/pauses.py). The form is checked before the ack (a bad date shows in the modal) and saved
after it.
"""

from __future__ import annotations

from datetime import date

from bot.access import Audience
from bot.commands import CommandRequest
from bot.kit import Click, Done, ListenerContext, Submission, Verdict
from bot.listeners.own_pairings import own_pairings
from bot.runtime import Services
from mentoring.access import Refusal
from mentoring.pauses import PauseLength, PauseLengthError, latest_end, pause_end
from program.pauses import end_pause_early, pause
from storage.pauses import NotInPairingError, PauseOutcome, ResumeOutcome
from storage.programs import load_program, program_today
from storage.roster import Actor
from views import pauses as views
from views.access import refusal_text
from views.common import Message, PrivateAnswer, View, click_answer, notice_modal, private_message
from views.help import not_on_roster_message
from views.ids import ACTION_PAUSE, ACTION_RESUME, VIEW_PAUSE
from views.payload import payload_id, payload_ids
from views.private_metadata import seal

METADATA_KIND = "pause"
TITLE = "Pause meetings"


def pause_modal_for(services: Services, actor: Actor, *, pairing_id: int | None) -> View | str:
    """The pause form for the actor's pairing(s), or (in words) why there is none to pause."""
    with services.reading() as session:
        pairings, refusal = own_pairings(session, actor, surface=ACTION_PAUSE, pairing_id=pairing_id)
        program = load_program(session, actor.program_id)
        today, cadence_months = program_today(program, services.clock()), program.cadence_months
    if refusal is not None:
        return refusal_text(refusal)
    if not pairings:
        return views.no_pairing_to_pause_message()["text"]
    choices = [views.PauseChoice(p.pairing_id, p.counterpart.name) for p in pairings]
    ends: dict[PauseLength, date] = {
        length: pause_end(length, today=today) for length in PauseLength if length is not PauseLength.UNTIL_DATE
    }
    sealed = seal({"k": METADATA_KIND, "u": actor.slack_user_id, "p": [c.pairing_id for c in choices]}, key=services.metadata_key)
    return views.pause_modal(choices, ends=ends, latest=latest_end(today), private_metadata=sealed, cadence_months=cadence_months)


def resume_now(services: Services, actor: Actor, *, pairing_id: int | None) -> tuple[Message, list[str]]:
    """End the actor's pause(s) today: what to tell them, and whose App Home changed."""
    with services.unit_of_work() as session:
        results = end_pause_early(
            session, actor=actor, now=services.clock(), pairing_ids=None if pairing_id is None else [pairing_id]
        )
        resumed = [
            (r.other.name if r.other else "", r.next_due_on)
            for r in results
            if r.outcome in (ResumeOutcome.RESUMED, ResumeOutcome.LEAVE_ENDED)
        ]
        theirs = [(r.other.name, r.ends_on) for r in results if r.outcome is ResumeOutcome.NOT_YOURS and r.other and r.ends_on]
        affected = [p.slack_user_id for r in results if r.pairing is not None for p in (r.pairing.mentor, r.pairing.resident)]
    if resumed:
        return views.resumed_message(resumed), affected
    if theirs:
        return views.not_yours_to_resume_message(theirs), []
    return views.nothing_to_resume_message(), []


# --- the commands ------------------------------------------------------------------------------


def pause_command(request: CommandRequest) -> None:
    shown = pause_modal_for(request.services, request.actor, pairing_id=None)
    if isinstance(shown, str):
        request.respond(**private_message(shown))
    else:
        request.client.views_open(trigger_id=request.trigger_id, view=shown)


def resume_command(request: CommandRequest) -> None:
    message, affected = resume_now(request.services, request.actor, pairing_id=None)
    request.respond(**private_message(message["text"]))
    request.home.refresh(request.client, team_id=request.actor.team_id, user_ids=affected)


# --- the buttons -------------------------------------------------------------------------------


def _not_on_roster(click: Click) -> bool:
    lookup = click.who.lookup
    if lookup.actor is not None:
        return False
    refused = notice_modal(TITLE, refusal_text(Refusal.NOT_ON_ROSTER, lookup.coordinator_user_ids))
    click.answer(PrivateAnswer(not_on_roster_message(lookup.coordinator_user_ids), refused))
    return True


def pause_clicked(click: Click) -> None:
    if _not_on_roster(click):
        return
    assert click.who.actor is not None
    shown = pause_modal_for(click.services, click.who.actor, pairing_id=payload_id(click.value))
    if isinstance(shown, str):
        click.answer(click_answer(shown, title=TITLE))
    else:
        click.open(shown)


def resume_clicked(click: Click) -> None:
    if _not_on_roster(click):
        return
    assert click.who.actor is not None
    message, affected = resume_now(click.services, click.who.actor, pairing_id=payload_id(click.value))
    click.answer(click_answer(message["text"], title=TITLE))
    click.refresh_homes(affected)


# --- the form ---------------------------------------------------------------------------------


def check_pause(submission: Submission) -> Verdict:
    services = submission.services
    payload = submission.sealed(METADATA_KIND)
    if payload is None:
        return Verdict.show(views.not_saved_view(refusal_text(Refusal.TAMPERED)))
    offered = payload_ids(payload.get("p"))
    form = views.read_pause_form(submission.view)
    pairing_ids = offered if form.pairing_ids is None else [i for i in form.pairing_ids if i in offered]
    if form.pairing_ids is not None and not pairing_ids:
        return Verdict.errors({views.PAIRINGS_INPUT: views.no_pairing_picked_error()})
    lookup = submission.who.lookup
    actor = lookup.actor
    if actor is None:
        return Verdict.show(views.not_saved_view(refusal_text(Refusal.NOT_ON_ROSTER, lookup.coordinator_user_ids)))
    with services.reading() as session:
        today = program_today(load_program(session, actor.program_id), services.clock())
    try:
        ends_on = pause_end(form.length or PauseLength.UNTIL_DATE, today=today, picked=form.picked)
    except PauseLengthError as error:
        block, text = views.length_error(error.problem, error.latest)
        return Verdict.errors({block: text})

    def save() -> Done:
        try:
            with services.unit_of_work() as session:
                results = pause(session, actor=actor, pairing_ids=pairing_ids, ends_on=ends_on, now=services.clock())
                lines = [
                    views.PausedLine(r.other.name, r.ends_on, r.next_due_on, already=r.outcome is PauseOutcome.ALREADY_PAUSED)
                    for r in results
                ]
                affected = [p.slack_user_id for r in results for p in (r.pairing.mentor, r.pairing.resident)]
        except (NotInPairingError, PauseLengthError):  # the pairing ended meanwhile, or the day turned
            return Done(view=views.not_saved_view(views.not_in_pairing_error()))
        return Done(view=views.paused_view(lines), refresh=affected)

    return Verdict.show(views.saving_view(), then=save)


def register(ctx: ListenerContext) -> None:
    ctx.router.add(
        "pause", summary="pause your meetings for leave or a rotation (no reason needed)", audience=Audience.EVERYONE,
        handler=pause_command,
    )  # fmt: skip
    ctx.router.add(
        "resume", summary="end your pause early: meetings are back on today", audience=Audience.EVERYONE, handler=resume_command
    )
    ctx.on_click(ACTION_PAUSE, pause_clicked, what=ACTION_PAUSE)
    ctx.on_click(ACTION_RESUME, resume_clicked, what=ACTION_RESUME)
    ctx.on_submit(
        VIEW_PAUSE,
        check_pause,
        what="pausing meetings",
        check_failed=lambda: Verdict.show(views.not_saved_view(views.not_saved_error())),
        work_failed=lambda submission: Done(view=views.not_saved_view(views.not_saved_error())),
    )

"""Planning a meeting: `/mentor plan`, the Plan a meeting button, and the "we'll meet on…" form.

Thin: parse, call one operation (program/meeting_plans.py), render one view (views/meeting_plans.py).
The form is checked before the ack (a day in the past shows in the modal) and shared after it.
"""

from __future__ import annotations

from bot.access import Audience
from bot.commands import CommandRequest
from bot.kit import Click, Done, ListenerContext, Submission, Verdict
from bot.listeners.own_pairings import own_pairings
from bot.runtime import Services
from mentoring.access import Refusal
from program.meeting_plans import plan
from storage.meeting_plans import PlanError, PlanProblem, check_plan_date
from storage.programs import load_program, person_today
from storage.roster import Actor, person_of
from views import meeting_plans as views
from views.access import refusal_text
from views.common import View, click_answer, private_message
from views.ids import ACTION_PLAN, VIEW_PLAN
from views.payload import payload_id, payload_ids
from views.private_metadata import seal

METADATA_KIND = "plan"
TITLE = "Plan a meeting"
NOT_SHARED = "Something went wrong on our side and nothing was shared. Please try again in a minute."


def plan_modal_for(services: Services, actor: Actor, *, pairing_id: int | None) -> View | str:
    """The form for the actor's pairing(s), or (in words) why there is none to plan."""
    with services.reading() as session:
        pairings, refusal = own_pairings(session, actor, surface=ACTION_PLAN, pairing_id=pairing_id)
        today = person_today(person_of(session, actor), load_program(session, actor.program_id), services.clock())
    if refusal is not None:
        return refusal_text(refusal)
    if not pairings:
        return views.no_pairing_to_plan_text()
    choices = [views.PlanChoice(p.pairing_id, p.counterpart.name, p.due_on) for p in pairings]
    sealed = seal({"k": METADATA_KIND, "u": actor.slack_user_id, "p": [c.pairing_id for c in choices]}, key=services.metadata_key)
    return views.plan_modal(choices, today=today, private_metadata=sealed)


def plan_command(request: CommandRequest) -> None:
    shown = plan_modal_for(request.services, request.actor, pairing_id=None)
    if isinstance(shown, str):
        request.respond(**private_message(shown))
    else:
        request.client.views_open(trigger_id=request.trigger_id, view=shown)


def plan_clicked(click: Click) -> None:
    lookup = click.who.lookup
    if lookup.actor is None:
        shown: View | str = refusal_text(Refusal.NOT_ON_ROSTER, lookup.coordinator_user_ids)
    else:
        shown = plan_modal_for(click.services, lookup.actor, pairing_id=payload_id(click.value))
    if isinstance(shown, str):
        click.answer(click_answer(shown, title=TITLE))
    else:
        click.open(shown)


def check_plan(submission: Submission) -> Verdict:
    services = submission.services
    payload = submission.sealed(METADATA_KIND)
    if payload is None:
        return Verdict.show(views.not_saved_view(refusal_text(Refusal.TAMPERED)))
    offered = payload_ids(payload.get("p"))
    form = views.read_plan_form(submission.view, offered)
    if form.pairing_id is None:
        return Verdict.errors({views.PAIRING_INPUT: views.missing_pairing_error()})
    lookup = submission.who.lookup
    actor = lookup.actor
    if actor is None:
        return Verdict.show(views.not_saved_view(refusal_text(Refusal.NOT_ON_ROSTER, lookup.coordinator_user_ids)))
    with services.reading() as session:
        today = person_today(person_of(session, actor), load_program(session, actor.program_id), services.clock())
    problem = check_plan_date(form.planned_on, today=today) if form.planned_on else PlanProblem.IN_THE_PAST
    if problem is not None:
        return Verdict.errors({views.DATE_INPUT: views.date_error(past=problem is PlanProblem.IN_THE_PAST)})
    pairing_id, planned_on, at = form.pairing_id, form.planned_on, form.at
    assert planned_on is not None

    def share() -> Done:
        try:
            with services.unit_of_work() as session:
                planned, when = plan(
                    session, actor=actor, pairing_id=pairing_id, planned_on=planned_on, at=at, now=services.clock()
                )
                return Done(view=views.shared_view(other_name=planned.other.name, when=when, next_due_on=planned.next_due_on))
        except PlanError:
            return Done(view=views.not_saved_view(views.not_yours_error()))

    return Verdict.show(views.saving_view(), then=share)


def register(ctx: ListenerContext) -> None:
    ctx.router.add(
        "plan", summary="pick a day to meet; your pair gets calendar links", audience=Audience.EVERYONE, handler=plan_command
    )
    ctx.on_click(ACTION_PLAN, plan_clicked, what=ACTION_PLAN)
    ctx.on_submit(
        VIEW_PLAN,
        check_plan,
        what="planning a meeting",
        check_failed=lambda: Verdict.show(views.not_saved_view(NOT_SHARED)),
        work_failed=lambda submission: Done(view=views.not_saved_view(NOT_SHARED)),
    )

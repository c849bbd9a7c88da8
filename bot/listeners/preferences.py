"""`/mentor request` (residents) and `/mentor offer` (faculty): their modals, the buttons that
open them, their submissions, and the searchable pick lists inside them.

Every submission and option request re-checks the caller's role on the roster: a payload is
never trusted to say who someone is or what they may do. Each form: read the answers, check them
with a quick read before the ack (problems go back in the modal), show "Saving…", then save
after the ack in a transaction that checks again (a mentor may have filled up meanwhile) and
replace the modal with the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.access import Audience
from bot.commands import CommandRequest
from bot.kit import Click, Done, ListenerContext, Submission, Suggestion, Verdict
from bot.runtime import Services
from mentoring.preferences import Blocked, Problems
from program.matching import answers
from program.matching.answers import Named
from storage.models import Person
from storage.roster import Actor
from views.common import View, click_answer, notice_modal, option, private_message
from views.ids import ACTION_OPEN_OFFER, ACTION_OPEN_REQUEST, ACTION_PICK_MENTOR, ACTION_PICK_RESIDENT, VIEW_OFFER, VIEW_REQUEST
from views.preferences import (
    NOT_SAVED,
    OFFER_TITLE,
    REQUEST_TITLE,
    SAVING,
    Picked,
    changed_meanwhile_text,
    offer_blocked_text,
    offer_modal,
    offer_saved_view,
    person_label,
    read_offer,
    read_request,
    request_blocked_text,
    request_modal,
    request_saved_view,
)


def _picked(named: Named) -> Picked:
    return Picked(named.person_id, person_label(named.name, named.subspecialty))


# --- the two forms ---------------------------------------------------------------------------


def request_view(services: Services, actor: Actor) -> View | str:
    """The preferences modal, or why this resident cannot ask now."""
    with services.reading() as session:
        form = answers.request_form(session, actor=actor, now=services.clock())
    if isinstance(form, Blocked):
        return request_blocked_text(form)
    return request_modal(
        saved_choices=[_picked(n) if n else None for n in form.saved_choices],
        catalogue=form.catalogue,
        saved_subspecialties=form.saved_subspecialties,
        saved_focus_areas=form.saved_focus_areas,
        saved_note=form.saved_note,
        last_day=form.last_day,
    )


def offer_view(services: Services, actor: Actor) -> View | str:
    """The availability modal, or why this faculty member cannot answer now."""
    with services.reading() as session:
        form = answers.offer_form(session, actor=actor, now=services.clock())
    if isinstance(form, Blocked):
        return offer_blocked_text(form)
    return offer_modal(
        max_capacity=form.max_capacity,
        catalogue=form.catalogue,
        year_label=form.year_label,
        available=form.available,
        capacity=form.capacity,
        saved_subspecialties=form.saved_subspecialties,
        saved_focus_areas=form.saved_focus_areas,
        saved_preferred=[_picked(n) for n in form.saved_preferred],
        last_day=form.last_day,
        cadence_months=form.cadence_months,
    )


def save_request(services: Services, session: Session, actor: Actor, values: dict[str, Any]) -> View | str:
    saved = answers.submit_request(session, actor=actor, answers=read_request(values), now=services.clock())
    if isinstance(saved, Blocked):
        return changed_meanwhile_text(request_blocked_text(saved), {})
    if isinstance(saved, answers.RequestSaved):
        return request_saved_view(ranked_names=saved.ranked_names, last_day=saved.last_day, queued=saved.queued)
    return changed_meanwhile_text(None, saved)


def save_offer(services: Services, session: Session, actor: Actor, values: dict[str, Any]) -> View | str:
    saved = answers.submit_offer(session, actor=actor, answers=read_offer(values), now=services.clock())
    if isinstance(saved, Blocked):
        return changed_meanwhile_text(offer_blocked_text(saved), {})
    if isinstance(saved, answers.OfferSaved):
        return offer_saved_view(available=saved.available, capacity=saved.capacity)
    return changed_meanwhile_text(None, saved)


@dataclass(frozen=True)
class Form:
    """One of the two forms, as its listeners need it."""

    title: str
    surface: str  # the submission's callback id
    build: Callable[[Services, Actor], View | str]
    check: Callable[[Services, Session, Actor, dict[str, Any]], Blocked | Problems]
    blocked_text: Callable[[Blocked], str]
    save: Callable[[Services, Session, Actor, dict[str, Any]], View | str]


REQUEST = Form(
    REQUEST_TITLE, VIEW_REQUEST, request_view,
    lambda services, session, actor, values: answers.check_request_answers(
        session, actor=actor, answers=read_request(values), now=services.clock()
    ),
    request_blocked_text, save_request,
)  # fmt: skip
OFFER = Form(
    OFFER_TITLE, VIEW_OFFER, offer_view,
    lambda services, session, actor, values: answers.check_offer_answers(session, actor=actor, answers=read_offer(values)),
    offer_blocked_text, save_offer,
)  # fmt: skip


# --- opening a form: the command, or a button (invitations, reminders, App Home) ----------------


def open_from_command(form: Form) -> Callable[[CommandRequest], None]:
    def handler(request: CommandRequest) -> None:
        view = form.build(request.services, request.actor)
        if isinstance(view, str):
            request.respond(**private_message(view))
        else:
            request.client.views_open(trigger_id=request.trigger_id, view=view)

    return handler


def open_from_click(form: Form, action_id: str) -> Callable[[Click], None]:
    def handler(click: Click) -> None:
        actor, problem = click.who.actor, click.who.refusal(action_id)
        view = problem if problem or actor is None else form.build(click.services, actor)
        if isinstance(view, str) or view is None:
            click.answer(click_answer(view or ""))
        else:
            click.open(view)

    return handler


# --- submitting it ---------------------------------------------------------------------------


def check_submission(form: Form) -> Callable[[Submission], Verdict]:
    def check(submission: Submission) -> Verdict:
        services, values = submission.services, submission.values
        actor, problem = submission.who.actor, submission.who.refusal(form.surface)
        if problem or actor is None:
            return Verdict.show(notice_modal(form.title, problem or NOT_SAVED))
        with services.reading() as session:
            outcome = form.check(services, session, actor, values)
        if isinstance(outcome, Blocked):
            return Verdict.show(notice_modal(form.title, form.blocked_text(outcome)))
        if outcome:
            return Verdict.errors(outcome)

        def work() -> Done:
            with services.unit_of_work() as session:
                saved = form.save(services, session, actor, values)
            return Done(view=notice_modal(form.title, saved) if isinstance(saved, str) else saved)

        return Verdict.show(notice_modal(form.title, SAVING), then=work)

    return check


# --- pick lists --------------------------------------------------------------------------------


def _options(people: list[Person]) -> list[dict[str, Any]]:
    return [option(person_label(p.name, p.subspecialty if p.is_faculty else None), str(p.id)) for p in people]


def mentors_to_rank(suggestion: Suggestion) -> list[dict[str, Any]]:
    services = suggestion.services
    with services.reading() as session:
        return _options(answers.mentors_to_rank(session, actor=suggestion.actor, query=suggestion.query, now=services.clock()))


def residents_to_prefer(suggestion: Suggestion) -> list[dict[str, Any]]:
    with suggestion.services.reading() as session:
        return _options(answers.residents_to_prefer(session, actor=suggestion.actor, query=suggestion.query))


def not_saved_ack(form: Form) -> Callable[[], Verdict]:
    return lambda: Verdict.show(notice_modal(form.title, NOT_SAVED))


def not_saved(form: Form) -> Callable[[Submission], Done]:
    return lambda submission: Done(view=notice_modal(form.title, NOT_SAVED))


def register(ctx: ListenerContext) -> None:
    ctx.router.add("request", summary="rank the faculty you'd like as your mentor", audience=Audience.RESIDENTS,
                   handler=open_from_command(REQUEST))  # fmt: skip
    ctx.router.add("offer", summary="say whether you can mentor this year, and how many mentees", audience=Audience.FACULTY,
                   handler=open_from_command(OFFER))  # fmt: skip
    for form, action_id in ((REQUEST, ACTION_OPEN_REQUEST), (OFFER, ACTION_OPEN_OFFER)):
        ctx.on_click(action_id, open_from_click(form, action_id), what=action_id)
        ctx.on_submit(
            form.surface, check_submission(form), what=form.title, check_failed=not_saved_ack(form), work_failed=not_saved(form)
        )
    ctx.on_options(ACTION_PICK_MENTOR, mentors_to_rank)
    ctx.on_options(ACTION_PICK_RESIDENT, residents_to_prefer)

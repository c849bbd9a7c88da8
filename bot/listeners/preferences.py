"""`/mentor request` (residents) and `/mentor offer` (faculty): their modals, the buttons that
open them, their submissions, and the searchable pick lists inside them.

Every submission and option request re-checks the caller's role on the roster: a payload is
never trusted to say who someone is or what they may do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.access import Audience
from bot.commands import CommandRequest
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from bot.listeners.interactions import permitted, refusal, tell
from mentoring.preferences import Blocked, OfferAnswers, Problems, RequestAnswers
from program.matching import answers
from program.matching.answers import Named
from storage.models import Person
from storage.roster import Actor, lookup_actor
from views.common import View, notice_modal, option, private_message
from views.ids import (
    ACTION_OPEN_OFFER,
    ACTION_OPEN_REQUEST,
    ACTION_PICK_MENTOR,
    ACTION_PICK_RESIDENT,
    VIEW_OFFER,
    VIEW_REQUEST,
)
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

log = logging.getLogger(__name__)

# A form's check for its author (before the ack, and again while saving): Blocked for the whole
# form, problems per field (empty: fine).
Check = Callable[[Session, Actor], Blocked | Problems]
# Saves a form after checking it again: the outcome view, or (in words) why it no longer can.
Save = Callable[[Session, Actor], View | str]
# Builds a modal for someone, or says why they cannot have it now.
BuildModal = Callable[[Actor], tuple[View | None, str | None]]


def _picked(named: Named) -> Picked:
    return Picked(named.person_id, person_label(named.name, named.subspecialty))


def register(ctx: ListenerContext) -> None:
    app, services, router = ctx.app, ctx.services, ctx.router

    # --- building the modals ------------------------------------------------------------------

    def request_view(actor: Actor) -> tuple[View | None, str | None]:
        """(modal, None), or (None, why not) for a resident who cannot ask now."""
        with services.unit_of_work() as session:
            form = answers.request_form(session, actor=actor, now=services.clock())
        if isinstance(form, Blocked):
            return None, request_blocked_text(form)
        view = request_modal(
            saved_choices=[_picked(n) if n else None for n in form.saved_choices],
            catalogue=form.catalogue,
            saved_subspecialties=form.saved_subspecialties,
            saved_focus_areas=form.saved_focus_areas,
            saved_note=form.saved_note,
            last_day=form.last_day,
        )
        return view, None

    def offer_view(actor: Actor) -> tuple[View | None, str | None]:
        with services.unit_of_work() as session:
            form = answers.offer_form(session, actor=actor, now=services.clock())
        if isinstance(form, Blocked):
            return None, offer_blocked_text(form)
        view = offer_modal(
            max_capacity=form.max_capacity,
            catalogue=form.catalogue,
            year_label=form.year_label,
            available=form.available,
            capacity=form.capacity,
            saved_subspecialties=form.saved_subspecialties,
            saved_focus_areas=form.saved_focus_areas,
            saved_preferred=[_picked(n) for n in form.saved_preferred],
            last_day=form.last_day,
        )
        return view, None

    def open_from_command(build: BuildModal) -> Callable[[CommandRequest], None]:
        def handler(request: CommandRequest) -> None:
            view, refused = build(request.actor)
            if refused or view is None:
                request.respond(**private_message(refused or ""))
            else:
                request.client.views_open(trigger_id=request.trigger_id, view=view)

        return handler

    router.add(
        "request",
        summary="rank the faculty you'd like as your mentor",
        audience=Audience.RESIDENTS,
        handler=open_from_command(request_view),
    )
    router.add(
        "offer",
        summary="say whether you can mentor this year, and how many mentees",
        audience=Audience.FACULTY,
        handler=open_from_command(offer_view),
    )

    # --- buttons (invitations, reminders, App Home) ---------------------------------------------

    def open_from_click(action_id: str, build: BuildModal) -> None:
        @app.action(action_id)
        def clicked(ack: Ack, body: dict, client: WebClient, context: BoltContext, respond: Any) -> None:
            ack()
            services.after_ack(lambda: answer(body, client, context, respond), action_id)

        def answer(body: dict, client: WebClient, context: BoltContext, respond: Any) -> None:
            with apologise_on_error(respond if body.get("response_url") else None, action_id):
                actor, problem = permitted(services, context, action_id)
                view, refused = (None, problem) if actor is None else build(actor)
                if refused or view is None:
                    tell(client, body, respond, refused or "")
                else:
                    client.views_open(trigger_id=body["trigger_id"], view=view)

    open_from_click(ACTION_OPEN_REQUEST, request_view)
    open_from_click(ACTION_OPEN_OFFER, offer_view)

    # --- submissions -----------------------------------------------------------------------------
    #
    # Each form: read the answers, check them with a quick read before ack (problems go back in
    # the modal), show "Saving…", then save after ack in a transaction that checks again (a
    # mentor may have filled up meanwhile) and replace the modal with the outcome.

    def on_submit(
        title: str,
        surface: str,
        check: Callable[[Any], Check],
        save: Callable[[Any], Save],
        blocked_text: Callable[[Blocked], str],
        read: Callable[[dict[str, Any]], Any],
    ) -> Callable[..., None]:
        def submitted(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
            form = read(view["state"]["values"])
            actor, problem, problems = validate(context, surface, check(form), blocked_text)
            if problem or actor is None:
                ack(response_action="update", view=notice_modal(title, problem or NOT_SAVED))
                return
            if problems:
                ack(response_action="errors", errors=problems)
                return
            ack(response_action="update", view=notice_modal(title, SAVING))

            def work() -> View:
                with services.unit_of_work() as session:
                    outcome = save(form)(session, actor)
                return notice_modal(title, outcome) if isinstance(outcome, str) else outcome

            services.after_ack(lambda: finish(client, view["id"], title, work), title)

        return submitted

    def validate(
        context: BoltContext, surface: str, check: Check, blocked_text: Callable[[Blocked], str]
    ) -> tuple[Actor | None, str | None, Problems]:
        """A quick read before ack: (actor, refusal, field problems)."""
        with services.reading() as session:
            found = lookup_actor(session, team_id=context["team_id"], user_id=context["user_id"])
            problem = refusal(found, surface)
            if problem or found.actor is None:
                return None, problem, {}
            outcome = check(session, found.actor)
            if isinstance(outcome, Blocked):
                return None, blocked_text(outcome), {}
            return found.actor, None, outcome

    def finish(client: WebClient, view_id: str, title: str, work: Callable[[], View]) -> None:
        try:
            outcome_view = work()
        except Exception:
            log.exception("failed while saving the %s form", title)
            outcome_view = notice_modal(title, NOT_SAVED)
        try:
            client.views_update(view_id=view_id, view=outcome_view)
        except Exception:
            log.exception("could not show the outcome of the %s form", title)

    def check_request_form(form: RequestAnswers) -> Check:
        return lambda session, actor: answers.check_request_answers(session, actor=actor, answers=form, now=services.clock())

    def save_request_form(form: RequestAnswers) -> Save:
        def save(session: Session, actor: Actor) -> View | str:
            saved = answers.submit_request(session, actor=actor, answers=form, now=services.clock())
            if isinstance(saved, Blocked):
                return changed_meanwhile_text(request_blocked_text(saved), {})
            if not isinstance(saved, answers.RequestSaved):
                return changed_meanwhile_text(None, saved)
            return request_saved_view(ranked_names=saved.ranked_names, last_day=saved.last_day, queued=saved.queued)

        return save

    def check_offer_form(form: OfferAnswers) -> Check:
        return lambda session, actor: answers.check_offer_answers(session, actor=actor, answers=form)

    def save_offer_form(form: OfferAnswers) -> Save:
        def save(session: Session, actor: Actor) -> View | str:
            saved = answers.submit_offer(session, actor=actor, answers=form, now=services.clock())
            if isinstance(saved, Blocked):
                return changed_meanwhile_text(offer_blocked_text(saved), {})
            if not isinstance(saved, answers.OfferSaved):
                return changed_meanwhile_text(None, saved)
            return offer_saved_view(available=saved.available, capacity=saved.capacity)

        return save

    app.view(VIEW_REQUEST)(
        on_submit(REQUEST_TITLE, VIEW_REQUEST, check_request_form, save_request_form, request_blocked_text, read_request)
    )
    app.view(VIEW_OFFER)(on_submit(OFFER_TITLE, VIEW_OFFER, check_offer_form, save_offer_form, offer_blocked_text, read_offer))

    # --- pick lists --------------------------------------------------------------------------------

    def pick_list(action_id: str, find: Callable[[Session, Actor, str], list[Person]]) -> None:
        """Options for an external select, searched as the person types; empty for anyone else."""

        @app.options(action_id)
        def options(ack: Ack, body: dict, context: BoltContext) -> None:
            with services.reading() as session:
                found = lookup_actor(session, team_id=context["team_id"], user_id=context["user_id"])
                people = []
                if refusal(found, action_id) is None and found.actor is not None:
                    people = find(session, found.actor, str(body.get("value") or ""))
                choices = [option(person_label(p.name, p.subspecialty if p.is_faculty else None), str(p.id)) for p in people]
            ack(options=choices)

    pick_list(
        ACTION_PICK_MENTOR,
        lambda session, actor, query: answers.mentors_to_rank(session, actor=actor, query=query, now=services.clock()),
    )
    pick_list(ACTION_PICK_RESIDENT, lambda session, actor, query: answers.residents_to_prefer(session, actor=actor, query=query))

"""`/mentor request` (residents) and `/mentor offer` (faculty): their modals, the buttons that
open them, their submissions, and the searchable pick lists inside them.

Every submission and option request re-checks the caller's role on the roster: a payload is
never trusted to say who someone is or what they may do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.access import Actor, Audience, lookup_actor
from bot.commands import CommandRequest
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from bot.listeners.interactions import permitted, refusal, rows, tell
from bot.matching import request_problems, request_refusal, submit_request
from mentoring.preferences import OfferAnswers, Problems, RequestAnswers, check_offer, subspecialty_key
from storage.capacity import academic_year, people_by_id
from storage.models import Person, PersonStatus, Program
from storage.preferences import (
    OfferInput,
    mentor_candidates,
    resident_candidates,
    save_offer,
    saved_offer,
    saved_request,
    subspecialty_choices,
)
from storage.rounds import last_answer_day, open_round_of, year_label
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
    Picked,
    offer_modal,
    offer_saved_view,
    person_label,
    read_offer,
    read_request,
    request_modal,
    request_saved_view,
)

log = logging.getLogger(__name__)

# Checks a form for its author: a refusal for the whole form, problems per field, or nothing.
Check = Callable[[Session, Person, Program], Problems | str | None]
# Builds a modal for someone, or says why they cannot have it now.
BuildModal = Callable[[Actor], tuple[View | None, str | None]]
Answers = TypeVar("Answers", RequestAnswers, OfferAnswers)

REQUEST_TITLE = "Mentor preferences"
OFFER_TITLE = "Mentoring this year"
SAVING = "Saving your answers…"
NOT_SAVED = "Sorry, something went wrong on my side and nothing was saved. Please try again in a minute."
WITHDRAWN = "You've stepped back from the program, so there's nothing to answer right now. If you'd like to come back, use `/mentor rejoin`."


def _picked(session: Session, ids: list[int]) -> list[Picked | None]:
    people = people_by_id(session, ids)
    return [Picked(i, person_label(people[i].name, people[i].subspecialty)) if i in people else None for i in ids]


def register(ctx: ListenerContext) -> None:
    app, services, router = ctx.app, ctx.services, ctx.router

    # --- building the modals ------------------------------------------------------------------

    def request_view(actor: Actor) -> tuple[View | None, str | None]:
        """(modal, None), or (None, why not) for a resident who cannot ask now."""
        with services.unit_of_work() as session:
            resident, program = rows(session, actor)
            refused = request_refusal(session, resident=resident)
            if refused:
                return None, refused
            now = services.clock()
            round_ = open_round_of(session, program=program, now=now)
            saved = saved_request(session, resident_id=resident.id)
            view = request_modal(
                saved_choices=_picked(session, [int(i) for i in saved.ranking]) if saved else [],
                catalogue=subspecialty_choices(session, program_id=program.id),
                saved_subspecialties=saved.subspecialties if saved else (),
                saved_focus_areas=saved.focus_areas if saved else (),
                saved_note=(saved.note or "") if saved else "",
                last_day=last_answer_day(program, round_.deadline_at) if round_ else None,
            )
            return view, None

    def offer_view(actor: Actor) -> tuple[View | None, str | None]:
        with services.unit_of_work() as session:
            mentor, program = rows(session, actor)
            if mentor.status is PersonStatus.WITHDRAWN:
                return None, WITHDRAWN
            now = services.clock()
            year = academic_year(program, now)
            round_ = open_round_of(session, program=program, now=now)
            saved = saved_offer(session, mentor_id=mentor.id)
            this_year = saved is not None and saved.academic_year == year
            roster_subspecialty = [subspecialty_key(mentor.subspecialty)] if mentor.subspecialty else []
            preferred = [p for p in _picked(session, [int(i) for i in saved.preferred_residents]) if p] if saved else []
            view = offer_modal(
                max_capacity=program.max_mentees_per_mentor,
                catalogue=subspecialty_choices(session, program_id=program.id),
                year_label=year_label(program, year),
                available=saved.available if this_year and saved else None,
                capacity=saved.capacity if this_year and saved and saved.available else None,
                saved_subspecialties=saved.subspecialties if saved else roster_subspecialty,
                saved_focus_areas=saved.focus_areas if saved else (),
                saved_preferred=preferred,
                last_day=last_answer_day(program, round_.deadline_at) if round_ else None,
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
        read: Callable[[dict[str, Any]], Answers],
        check_for: Callable[[Answers], Check],
        save: Callable[[Session, Person, Program, Answers], View],
    ) -> Callable[..., None]:
        def submitted(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
            answers = read(view["state"]["values"])
            check: Check = check_for(answers)
            actor, problem, problems = validate(context, surface, check)
            if problem or actor is None:
                ack(response_action="update", view=notice_modal(title, problem or NOT_SAVED))
                return
            if problems:
                ack(response_action="errors", errors=problems)
                return
            ack(response_action="update", view=notice_modal(title, SAVING))

            def work() -> View:
                with services.unit_of_work() as session:
                    person, program = rows(session, actor)
                    outcome = check(session, person, program)
                    if outcome:
                        text = (
                            outcome
                            if isinstance(outcome, str)
                            else "Something changed while you were answering: " + " ".join(outcome.values())
                        )
                        return notice_modal(title, f"{text} Nothing was saved.")
                    return save(session, person, program, answers)

            services.after_ack(lambda: finish(client, view["id"], title, work), title)

        return submitted

    def validate(context: BoltContext, surface: str, check: Check) -> tuple[Actor | None, str | None, Problems]:
        """A quick read before ack: (actor, refusal, field problems)."""
        with services.reading() as session:
            found = lookup_actor(session, team_id=context["team_id"], user_id=context["user_id"])
            problem = refusal(found, surface)
            if problem or found.actor is None:
                return None, problem, {}
            outcome = check(session, *rows(session, found.actor))
            if isinstance(outcome, str):
                return None, outcome, {}
            return found.actor, None, outcome or {}

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

    def check_request_form(answers: RequestAnswers) -> Check:
        def check(session: Session, resident: Person, program: Program) -> Problems | str | None:
            return request_refusal(session, resident=resident) or request_problems(
                session, program=program, resident=resident, answers=answers, now=services.clock()
            )

        return check

    def save_request_form(session: Session, resident: Person, program: Program, answers: RequestAnswers) -> View:
        saved = submit_request(session, program=program, resident=resident, answers=answers, now=services.clock())
        return request_saved_view(ranked_names=saved.ranked_names, last_day=saved.last_day, queued=saved.queued)

    def check_offer_form(answers: OfferAnswers) -> Check:
        def check(session: Session, mentor: Person, program: Program) -> Problems | str | None:
            if mentor.status is PersonStatus.WITHDRAWN:
                return WITHDRAWN
            residents = resident_candidates(session, program=program, ids=answers.preferred_residents, limit=None)
            return check_offer(
                answers,
                max_capacity=program.max_mentees_per_mentor,
                eligible_resident_ids=[r.id for r in residents],
                known_subspecialties=[c.key for c in subspecialty_choices(session, program_id=program.id)],
            )

        return check

    def save_offer_form(session: Session, mentor: Person, program: Program, answers: OfferAnswers) -> View:
        offer = OfferInput(
            available=bool(answers.available),
            capacity=answers.capacity or 0,
            subspecialties=answers.subspecialties,
            focus_areas=answers.focus_areas,
            preferred_residents=answers.preferred_residents,
        )
        now = services.clock()
        row = save_offer(session, mentor=mentor, year=academic_year(program, now), offer=offer, now=now)
        return offer_saved_view(available=row.available, capacity=row.capacity)

    app.view(VIEW_REQUEST)(on_submit(REQUEST_TITLE, VIEW_REQUEST, read_request, check_request_form, save_request_form))
    app.view(VIEW_OFFER)(on_submit(OFFER_TITLE, VIEW_OFFER, read_offer, check_offer_form, save_offer_form))

    # --- pick lists --------------------------------------------------------------------------------

    def pick_list(action_id: str, find: Callable[[Session, Person, Program, str], list[Person]]) -> None:
        """Options for an external select, searched as the person types; empty for anyone else."""

        @app.options(action_id)
        def options(ack: Ack, body: dict, context: BoltContext) -> None:
            with services.reading() as session:
                found = lookup_actor(session, team_id=context["team_id"], user_id=context["user_id"])
                people = []
                if refusal(found, action_id) is None and found.actor is not None:
                    people = find(session, *rows(session, found.actor), str(body.get("value") or ""))
                choices = [option(person_label(p.name, p.subspecialty if p.is_faculty else None), str(p.id)) for p in people]
            ack(options=choices)

    def faculty_for(session: Session, resident: Person, program: Program, query: str) -> list[Person]:
        if request_refusal(session, resident=resident):
            return []  # a resident with a mentor (or who left) has nobody to rank
        year = academic_year(program, services.clock())
        return mentor_candidates(session, program=program, resident_id=resident.id, year=year, query=query)

    def residents_for(session: Session, mentor: Person, program: Program, query: str) -> list[Person]:
        return resident_candidates(session, program=program, query=query)

    pick_list(ACTION_PICK_MENTOR, faculty_for)
    pick_list(ACTION_PICK_RESIDENT, residents_for)

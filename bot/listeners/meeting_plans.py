"""Planning a meeting: `/mentor plan`, the Plan a meeting button, and the "we'll meet on…" form.

Thin: parse, call one operation (program/meeting_plans.py), render one view (views/meeting_plans.py).
The form is checked before the ack (a day in the past shows in the modal) and shared after it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.access import Actor, Audience, lookup_actor
from bot.commands import CommandRequest, PrivateAnswer
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from bot.listeners.own_pairings import own_pairings
from mentoring.access import Refusal
from program.meeting_plans import plan
from storage.meeting_plans import PlanError, PlanProblem, check_plan_date
from storage.meetings import other_person, person_today
from storage.models import Person, Program
from views import meeting_plans as views
from views.access import refusal_text
from views.common import notice_modal, private_message
from views.ids import ACTION_PLAN, VIEW_PLAN
from views.private_metadata import seal, unseal

log = logging.getLogger(__name__)
METADATA_KIND = "plan"


def register(ctx: ListenerContext) -> None:
    app, services, router = ctx.app, ctx.services, ctx.router
    key = services.metadata_key

    def tell(client: WebClient, trigger_id: str, reply: PrivateAnswer | None, text: str) -> None:
        if reply is not None:
            reply(**private_message(text))
        else:  # a click in the App Home has no response_url
            client.views_open(trigger_id=trigger_id, view=notice_modal("Plan a meeting", text))

    def open_plan_modal(
        client: WebClient, trigger_id: str, actor: Actor, reply: PrivateAnswer | None, *, pairing_id: int | None
    ) -> None:
        with services.reading() as session:
            person, program = session.get(Person, actor.person_id), session.get(Program, actor.program_id)
            assert person is not None and program is not None
            pairings, refusal = own_pairings(session, actor, surface=ACTION_PLAN, pairing_id=pairing_id)
            choices = [views.PlanChoice(p.id, other_person(p, person.id).name, p.next_due_on or p.started_on) for p in pairings]
            today = person_today(person, program, services.clock())
        if refusal is not None:
            tell(client, trigger_id, reply, refusal_text(refusal))
        elif not choices:
            tell(client, trigger_id, reply, views.no_pairing_to_plan_text())
        else:
            sealed = seal({"k": METADATA_KIND, "u": actor.slack_user_id, "p": [c.pairing_id for c in choices]}, key=key)
            client.views_open(trigger_id=trigger_id, view=views.plan_modal(choices, today=today, private_metadata=sealed))

    def plan_command(request: CommandRequest) -> None:
        open_plan_modal(request.client, request.trigger_id, request.actor, request.respond, pairing_id=None)

    router.add(
        "plan", summary="pick a day to meet; your pair gets calendar links", audience=Audience.EVERYONE, handler=plan_command
    )

    @app.action(ACTION_PLAN)
    def plan_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any], respond: Any) -> None:
        ack()
        reply = respond if body.get("response_url") else None
        value = (body.get("actions") or [{}])[0].get("value")

        def answer() -> None:
            with apologise_on_error(reply, ACTION_PLAN):
                with services.reading() as session:
                    found = lookup_actor(session, team_id=context["team_id"], user_id=body["user"]["id"])
                if found.actor is None:
                    tell(client, body["trigger_id"], reply, refusal_text(Refusal.NOT_ON_ROSTER, found.coordinator_user_ids))
                    return
                pairing_id = int(value) if value and value.isdigit() else None
                open_plan_modal(client, body["trigger_id"], found.actor, reply, pairing_id=pairing_id)

        services.after_ack(answer, ACTION_PLAN)

    @app.view(VIEW_PLAN)
    def plan_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        team_id, user_id = context["team_id"], body["user"]["id"]
        payload = unseal(view.get("private_metadata"), key=key)
        if payload is None or payload.get("k") != METADATA_KIND or payload.get("u") != user_id:
            ack(response_action="update", view=views.not_saved_view(refusal_text(Refusal.TAMPERED)))
            return
        offered = [int(i) for i in payload.get("p", []) if isinstance(i, int)]
        form = views.read_plan_form(view, offered)
        if form.pairing_id is None:
            ack(response_action="errors", errors={views.PAIRING_INPUT: views.missing_pairing_error()})
            return
        with services.reading() as session:
            found = lookup_actor(session, team_id=team_id, user_id=user_id)
            person = session.get(Person, found.actor.person_id) if found.actor else None
            program = session.get(Program, found.program_id) if found.program_id else None
            today = person_today(person, program, services.clock()) if person and program else None
        if found.actor is None or today is None:
            ack(
                response_action="update",
                view=views.not_saved_view(refusal_text(Refusal.NOT_ON_ROSTER, found.coordinator_user_ids)),
            )
            return
        problem = check_plan_date(form.planned_on, today=today) if form.planned_on else PlanProblem.IN_THE_PAST
        if problem is not None:
            ack(response_action="errors", errors={views.DATE_INPUT: views.date_error(past=problem is PlanProblem.IN_THE_PAST)})
            return
        ack(response_action="update", view=views.saving_view())
        actor, pairing_id, planned_on, at = found.actor, form.pairing_id, form.planned_on, form.at
        assert planned_on is not None

        def share() -> None:
            try:
                with services.unit_of_work() as session:
                    person = session.get(Person, actor.person_id)
                    assert person is not None
                    planned, when = plan(
                        session, person=person, pairing_id=pairing_id, planned_on=planned_on, at=at, now=services.clock()
                    )
                    outcome = views.shared_view(other_name=planned.other.name, when=when, next_due_on=planned.next_due_on)
            except PlanError:
                outcome = views.not_saved_view(views.not_yours_error())
            except Exception:
                log.exception("planning a meeting failed")
                outcome = views.not_saved_view(
                    "Something went wrong on our side and nothing was shared. Please try again in a minute."
                )
            client.views_update(view_id=view["id"], view=outcome)

        services.after_ack(share, "planning a meeting")

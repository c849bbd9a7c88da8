"""Pauses: `/mentor pause`, `/mentor resume`, the Pause and Resume buttons, and the pause form.

Thin: each listener parses, calls one operation (program/pauses.py) and renders one view
(bot/views/pauses.py). The form is checked before the ack (a bad date shows in the modal) and
saved after it.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.access import Actor, Audience, lookup_actor
from bot.commands import CommandRequest, PrivateAnswer
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from bot.listeners.own_pairings import own_pairings
from mentoring.access import Refusal
from mentoring.pauses import PauseLength, PauseLengthError, latest_end, pause_end
from program.pauses import end_pause_early, pause
from storage.meetings import other_person
from storage.models import Person, Program
from storage.pauses import NotInPairingError, PauseOutcome, ResumeOutcome
from storage.programs import program_today
from views import pauses as views
from views.access import refusal_text
from views.common import notice_modal, private_message
from views.help import not_on_roster_message
from views.ids import ACTION_PAUSE, ACTION_RESUME, VIEW_PAUSE
from views.private_metadata import seal, unseal

log = logging.getLogger(__name__)
METADATA_KIND = "pause"


def _pairing_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def register(ctx: ListenerContext) -> None:
    app, services, router = ctx.app, ctx.services, ctx.router
    key = services.metadata_key

    def open_pause_modal(
        client: WebClient, trigger_id: str, actor: Actor, reply: PrivateAnswer | None, *, pairing_id: int | None
    ) -> None:
        with services.reading() as session:
            person, program = session.get(Person, actor.person_id), session.get(Program, actor.program_id)
            assert person is not None and program is not None
            pairings, refusal = own_pairings(session, actor, surface=ACTION_PAUSE, pairing_id=pairing_id)
            choices = [views.PauseChoice(p.id, other_person(p, person.id).name) for p in pairings]
            today = program_today(program, services.clock())
        if refusal is not None:
            _tell(client, trigger_id, reply, refusal_text(refusal))
            return
        if not choices:
            _tell(client, trigger_id, reply, views.no_pairing_to_pause_message()["text"])
            return
        ends: dict[PauseLength, date] = {
            length: pause_end(length, today=today) for length in PauseLength if length is not PauseLength.UNTIL_DATE
        }
        sealed = seal({"k": METADATA_KIND, "u": actor.slack_user_id, "p": [c.pairing_id for c in choices]}, key=key)
        client.views_open(
            trigger_id=trigger_id, view=views.pause_modal(choices, ends=ends, latest=latest_end(today), private_metadata=sealed)
        )

    def _tell(client: WebClient, trigger_id: str, reply: PrivateAnswer | None, text: str) -> None:
        if reply is not None:
            reply(**private_message(text))
        else:  # a click in the App Home has no response_url: answer in a modal
            client.views_open(trigger_id=trigger_id, view=notice_modal("Pause meetings", text))

    def resume_now(
        actor: Actor, reply: PrivateAnswer | None, client: WebClient, *, pairing_id: int | None, trigger_id: str
    ) -> None:
        with services.unit_of_work() as session:
            person = session.get(Person, actor.person_id)
            assert person is not None
            results = end_pause_early(
                session, person=person, now=services.clock(), pairing_ids=None if pairing_id is None else [pairing_id]
            )
            resumed = [
                (r.other.name if r.other else "", r.next_due_on)
                for r in results
                if r.outcome in (ResumeOutcome.RESUMED, ResumeOutcome.LEAVE_ENDED)
            ]
            theirs = [
                (r.other.name, r.ends_on) for r in results if r.outcome is ResumeOutcome.NOT_YOURS and r.other and r.ends_on
            ]
            affected = [p.slack_user_id for r in results if r.pairing is not None for p in (r.pairing.mentor, r.pairing.resident)]
        if resumed:
            message = views.resumed_message(resumed)
        elif theirs:
            message = views.not_yours_to_resume_message(theirs)
        else:
            message = views.nothing_to_resume_message()
        _tell(client, trigger_id, reply, message["text"])
        if resumed:
            ctx.home.refresh(client, team_id=actor.team_id, user_ids=affected)

    router.add(
        "pause",
        summary="pause your meetings for leave or a rotation (no reason needed)",
        audience=Audience.EVERYONE,
        handler=lambda request: open_pause_modal(
            request.client, request.trigger_id, request.actor, request.respond, pairing_id=None
        ),
    )

    def resume_command(request: CommandRequest) -> None:
        resume_now(request.actor, request.respond, request.client, pairing_id=None, trigger_id=request.trigger_id)

    router.add(
        "resume", summary="end your pause early: meetings are back on today", audience=Audience.EVERYONE, handler=resume_command
    )

    def clicked(action_id: str, body: dict[str, Any], client: WebClient, context: dict[str, Any], respond: Any) -> None:
        reply = respond if body.get("response_url") else None  # none for clicks in the App Home
        value = (body.get("actions") or [{}])[0].get("value")

        def answer() -> None:
            with apologise_on_error(reply, action_id):
                with services.reading() as session:
                    found = lookup_actor(session, team_id=context["team_id"], user_id=body["user"]["id"])
                if found.actor is None:
                    if reply is not None:
                        reply(**not_on_roster_message(found.coordinator_user_ids))
                    else:
                        client.views_open(
                            trigger_id=body["trigger_id"],
                            view=notice_modal("Pause meetings", refusal_text(Refusal.NOT_ON_ROSTER, found.coordinator_user_ids)),
                        )
                    return
                if action_id == ACTION_PAUSE:
                    open_pause_modal(client, body["trigger_id"], found.actor, reply, pairing_id=_pairing_id(value))
                else:
                    resume_now(found.actor, reply, client, pairing_id=_pairing_id(value), trigger_id=body["trigger_id"])

        services.after_ack(answer, action_id)

    @app.action(ACTION_PAUSE)
    def pause_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any], respond: Any) -> None:
        ack()
        clicked(ACTION_PAUSE, body, client, context, respond)

    @app.action(ACTION_RESUME)
    def resume_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any], respond: Any) -> None:
        ack()
        clicked(ACTION_RESUME, body, client, context, respond)

    @app.view(VIEW_PAUSE)
    def pause_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        team_id, user_id = context["team_id"], body["user"]["id"]
        payload = unseal(view.get("private_metadata"), key=key)
        if payload is None or payload.get("k") != METADATA_KIND or payload.get("u") != user_id:
            ack(response_action="update", view=views.not_saved_view(refusal_text(Refusal.TAMPERED)))
            return
        offered = [int(i) for i in payload.get("p", []) if isinstance(i, int)]
        form = views.read_pause_form(view)
        pairing_ids = offered if form.pairing_ids is None else [i for i in form.pairing_ids if i in offered]
        if form.pairing_ids is not None and not pairing_ids:
            ack(response_action="errors", errors={views.PAIRINGS_INPUT: views.no_pairing_picked_error()})
            return
        try:
            with services.reading() as session:
                found = lookup_actor(session, team_id=team_id, user_id=user_id)
                program = session.get(Program, found.program_id) if found.program_id else None
                today = program_today(program, services.clock()) if program else None
            if found.actor is None or today is None:
                ack(
                    response_action="update",
                    view=views.not_saved_view(refusal_text(Refusal.NOT_ON_ROSTER, found.coordinator_user_ids)),
                )
                return
            ends_on = pause_end(form.length or PauseLength.UNTIL_DATE, today=today, picked=form.picked)
        except PauseLengthError as error:
            block, text = views.length_error(error.problem, error.latest)
            ack(response_action="errors", errors={block: text})
            return
        ack(response_action="update", view=views.saving_view())
        actor = found.actor

        def save() -> None:
            try:
                with services.unit_of_work() as session:
                    person = session.get(Person, actor.person_id)
                    assert person is not None
                    results = pause(session, person=person, pairing_ids=pairing_ids, ends_on=ends_on, now=services.clock())
                    lines = [
                        views.PausedLine(r.other.name, r.ends_on, r.next_due_on, already=r.outcome is PauseOutcome.ALREADY_PAUSED)
                        for r in results
                    ]
                    affected = [p.slack_user_id for r in results for p in (r.pairing.mentor, r.pairing.resident)]
                outcome = views.paused_view(lines)
            except (NotInPairingError, PauseLengthError):  # the pairing ended meanwhile, or the day turned
                outcome, affected = views.not_saved_view(views.not_in_pairing_error()), []
            except Exception:
                log.exception("pausing failed")
                outcome, affected = views.not_saved_view(views.not_saved_error()), []
            client.views_update(view_id=view["id"], view=outcome)
            if affected:
                ctx.home.refresh(client, team_id=team_id, user_ids=affected)

        services.after_ack(save, "pausing meetings")

"""Meetings: `/mentor met [date]`, `/mentor status`, the "We met" button and its modal."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.access import Actor, Audience, authorize, lookup_actor
from bot.commands import CommandRequest, PrivateAnswer
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from program.check_ins import ask_after_meeting
from storage.meetings import (
    MeetingError,
    MeetingLogged,
    MeetingProblem,
    active_pairings_of,
    check_meeting,
    log_meeting,
    other_person,
    person_today,
    status_of,
)
from storage.models import Pairing, Person, Program
from storage.outbox import enqueue
from views import meetings as views
from views.access import refusal_text
from views.common import private_message
from views.help import not_on_roster_message
from views.ids import ACTION_WE_MET, VIEW_MEETING

log = logging.getLogger(__name__)


def register(ctx: ListenerContext) -> None:
    app, services, router = ctx.app, ctx.services, ctx.router

    def open_meeting_modal(
        client: WebClient,
        trigger_id: str,
        actor: Actor,
        respond: PrivateAnswer | None,
        *,
        pairing_id: int | None,
        wanted: str | None,
    ) -> None:
        with services.unit_of_work() as session:
            person = session.get(Person, actor.person_id)
            program = session.get(Program, actor.program_id)
            assert person is not None and program is not None
            pairings = active_pairings_of(session, person.id)
            named: Pairing | None = None
            if pairing_id is not None:
                pairings = [p for p in pairings if p.id == pairing_id]
                named = session.get(Pairing, pairing_id)
            choices = [views.PairingChoice(p.id, other_person(p, person.id).name) for p in pairings]
            today = person_today(person, program, services.clock())
            # A payload naming a pairing is never trusted: only its own people may log for it.
            refusal = (
                None
                if pairing_id is None or choices
                else authorize(ACTION_WE_MET, actor, subject_ids=[named.mentor_id, named.resident_id] if named else [-1])
            )
        if refusal is not None:
            if respond is not None:
                respond(**private_message(refusal_text(refusal)))
            return
        if not choices:
            message = views.no_pairing_to_log_message() if pairing_id is None else views.pairing_gone_message()
            if respond is not None:
                respond(**message)
            return
        initial = today
        if wanted is not None:
            try:
                initial = date.fromisoformat(wanted)
            except ValueError:
                if respond is not None:
                    respond(**views.bad_date_message(wanted))
                return
        client.views_open(trigger_id=trigger_id, view=views.meeting_modal(choices, initial_date=initial))

    def met(request: CommandRequest) -> None:
        wanted = request.args[0] if request.args else None
        open_meeting_modal(request.client, request.trigger_id, request.actor, request.respond, pairing_id=None, wanted=wanted)

    def status(request: CommandRequest) -> None:
        with services.unit_of_work() as session:
            person = session.get(Person, request.actor.person_id)
            assert person is not None
            lines = [
                views.StatusLine(
                    s.pairing_id, s.other.slack_user_id, s.i_am_mentor, s.started_on, s.last_met_on, s.next_due_on, s.paused_until
                )
                for s in status_of(session, person)
            ]
        request.respond(**views.status_message(lines))

    router.add("status", summary="your pairing, last meeting and next due date", audience=Audience.EVERYONE, handler=status)
    router.add(
        "met",
        summary="log a meeting with your mentor or mentee",
        audience=Audience.EVERYONE,
        handler=met,
        usage="met [YYYY-MM-DD]",
    )

    @app.action(ACTION_WE_MET)
    def we_met_clicked(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: dict[str, Any]) -> None:
        ack()
        value = (body.get("actions") or [{}])[0].get("value")
        reply = respond if body.get("response_url") else None  # none for clicks in the App Home

        def answer() -> None:
            with apologise_on_error(reply, "the We met button"):
                with services.unit_of_work() as session:
                    found = lookup_actor(session, team_id=context["team_id"], user_id=body["user"]["id"])
                if found.actor is None:
                    if reply is not None:
                        reply(**not_on_roster_message(found.coordinator_user_ids))
                    return
                pairing_id = int(value) if value and value.isdigit() else None
                open_meeting_modal(client, body["trigger_id"], found.actor, reply, pairing_id=pairing_id, wanted=None)

        services.after_ack(answer, "We met button")

    @app.view(VIEW_MEETING)
    def meeting_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: dict[str, Any]
    ) -> None:
        # A quick read-only check before ack, so a problem (a date in the future, a pairing that
        # ended) shows in the modal; the write happens after the ack and then updates the modal.
        form = views.read_meeting_form(view)
        errors = {}
        if form.pairing_id is None:
            errors[views.BLOCK_PAIRING] = views.missing_pairing_error()
        if form.met_on is None:
            errors[views.BLOCK_DATE] = views.missing_date_error()
        if errors:
            ack(response_action="errors", errors=errors)
            return
        assert form.pairing_id is not None and form.met_on is not None
        pairing_id, met_on = form.pairing_id, form.met_on
        team_id, user_id = context["team_id"], body["user"]["id"]
        try:
            with services.reading() as session:
                logger = _logger(session, team_id, user_id)
                check_meeting(session, pairing_id=pairing_id, logged_by=logger, met_on=met_on, now=services.clock())
        except MeetingError as error:
            ack(response_action="errors", errors={views.BLOCK_DATE: _problem_text(error)})
            return
        except Exception:
            log.exception("checking a meeting failed")
            ack(response_action="errors", errors={views.BLOCK_DATE: views.not_saved_error()})
            return
        ack(response_action="update", view=views.saving_meeting_view())

        def save() -> None:
            logged: MeetingLogged | None = None
            try:
                logged = _log(team_id, user_id, pairing_id, met_on)
            except MeetingError as error:  # the pairing ended in the meantime
                outcome = views.meeting_not_saved_view(_problem_text(error))
            except Exception:
                log.exception("logging a meeting failed")
                outcome = views.meeting_not_saved_view(views.not_saved_error())
            else:
                outcome = views.meeting_logged_view(
                    other_name=logged.other.name, met_on=logged.met_on, next_due_on=logged.next_due_on, new=logged.new
                )
            client.views_update(view_id=view["id"], view=outcome)
            if logged is not None and logged.new:
                ctx.home.refresh(client, team_id=team_id, user_ids=[logged.logged_by.slack_user_id, logged.other.slack_user_id])

        services.after_ack(save, "logging a meeting")

    def _logger(session: Session, team_id: str, user_id: str) -> Person:
        found = lookup_actor(session, team_id=team_id, user_id=user_id)
        if found.actor is None:
            raise MeetingError(MeetingProblem.NOT_IN_PAIRING)
        person = session.get(Person, found.actor.person_id)
        assert person is not None
        return person

    def _log(team_id: str, user_id: str, pairing_id: int, met_on: date) -> MeetingLogged:
        with services.unit_of_work() as session:
            person = _logger(session, team_id, user_id)
            now = services.clock()
            logged = log_meeting(session, pairing_id=pairing_id, logged_by=person, met_on=met_on, now=now)
            if logged.new:
                program = session.get(Program, person.program_id)
                assert program is not None
                notice = views.meeting_logged_notice(
                    logger_user_id=person.slack_user_id, other_user_id=logged.other.slack_user_id,
                    met_on=met_on, next_due_on=logged.next_due_on,
                )  # fmt: skip
                enqueue(
                    session, program=program, kind="meeting.logged", text=notice["text"], blocks=notice["blocks"],
                    now=now, recipients=[logged.pairing.mentor, logged.pairing.resident], pairing_id=pairing_id,
                    dedupe_key=f"meeting:{pairing_id}:{met_on.isoformat()}",
                )  # fmt: skip
                ask_after_meeting(session, program=program, pairing=logged.pairing, met_on=met_on, now=now)
            return logged


def _problem_text(error: MeetingError) -> str:
    if error.problem is MeetingProblem.IN_THE_FUTURE:
        return views.future_date_error()
    if error.problem is MeetingProblem.BEFORE_START:
        assert error.started_on is not None
        return views.before_start_error(error.started_on)
    return views.not_in_pairing_error()

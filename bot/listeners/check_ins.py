"""Check-ins: the Answer and Skip buttons on the DM that asks, the check-in form, and a
coordinator's Mark as read on a note.

Thin: parse, call one operation (program/check_ins.py), render one view (bot/views/check_ins.py).
Only the person asked can answer or skip (the id in a button is never trusted alone), and only
coordinators who are not in the pairing can mark a note read.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access import Actor, authorize, lookup_actor
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from mentoring.access import Refusal
from program.check_ins import read_note, record_answer, record_skip
from storage.check_ins import AnswerOutcome, NoteOutcome, NotYourCheckInError, ending_prompt, note_parties, prompt_for
from storage.meetings import other_person
from storage.models import CheckInState, Pairing, Person
from views import check_ins as views
from views.access import refusal_text
from views.common import notice_modal, private_message
from views.ids import ACTION_CHECK_IN, ACTION_CHECK_IN_SKIP, ACTION_NOTE_READ, VIEW_CHECK_IN
from views.private_metadata import seal, unseal

log = logging.getLogger(__name__)
METADATA_KIND = "check_in"


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def register(ctx: ListenerContext) -> None:
    app, services = ctx.app, ctx.services
    key = services.metadata_key

    def tell(body: dict[str, Any], client: WebClient, respond: Any, text: str) -> None:
        if body.get("response_url"):
            respond(**private_message(text))
        else:
            client.views_open(trigger_id=body["trigger_id"], view=notice_modal("Check-in", text))

    def whoever_clicked(body: dict[str, Any], context: dict[str, Any]) -> tuple[Actor | None, tuple[str, ...]]:
        with services.reading() as session:
            found = lookup_actor(session, team_id=context["team_id"], user_id=body["user"]["id"])
        return found.actor, found.coordinator_user_ids

    @app.action(ACTION_CHECK_IN)
    def answer_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any], respond: Any) -> None:
        ack()
        prompt_id = _number((body.get("actions") or [{}])[0].get("value"))
        container = body.get("container") or {}

        def answer() -> None:
            with apologise_on_error(respond if body.get("response_url") else None, ACTION_CHECK_IN):
                actor, coordinator_ids = whoever_clicked(body, context)
                if actor is None:
                    tell(body, client, respond, refusal_text(Refusal.NOT_ON_ROSTER, coordinator_ids))
                    return
                # A unit of work, not a read: the neutral notice's button asks the ending check-in on first click.
                with services.unit_of_work() as session:
                    person = session.get(Person, actor.person_id)
                    assert person is not None
                    try:
                        prompt = (
                            prompt_for(session, prompt_id=prompt_id, person=person)
                            if prompt_id is not None
                            else ending_prompt(session, person=person, now=services.clock())
                        )
                    except NotYourCheckInError:
                        tell(body, client, respond, refusal_text(authorize(ACTION_CHECK_IN, actor) or Refusal.NOT_YOURS))
                        return
                    if prompt is None:
                        tell(body, client, respond, views.nothing_to_answer_text())
                        return
                    if prompt.state is CheckInState.DONE:
                        tell(body, client, respond, views.already_done_text())
                        return
                    pairing = session.get(Pairing, prompt.pairing_id)
                    assert pairing is not None
                    other_name = other_person(pairing, person.id).name
                    kind, subject_on, found_id = prompt.kind, prompt.subject_on, prompt.id
                sealed = seal(
                    {"k": METADATA_KIND, "u": actor.slack_user_id, "p": found_id,
                     "c": container.get("channel_id"), "t": container.get("message_ts")},
                    key=key,
                )  # fmt: skip
                view = views.check_in_modal(kind=kind, other_name=other_name, subject_on=subject_on, private_metadata=sealed)
                client.views_open(trigger_id=body["trigger_id"], view=view)

        services.after_ack(answer, ACTION_CHECK_IN)

    @app.action(ACTION_CHECK_IN_SKIP)
    def skip_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any], respond: Any) -> None:
        ack()
        prompt_id = _number((body.get("actions") or [{}])[0].get("value"))

        def skip() -> None:
            with apologise_on_error(respond if body.get("response_url") else None, ACTION_CHECK_IN_SKIP):
                actor, coordinator_ids = whoever_clicked(body, context)
                if actor is None:
                    tell(body, client, respond, refusal_text(Refusal.NOT_ON_ROSTER, coordinator_ids))
                    return
                try:
                    with services.unit_of_work() as session:
                        person = session.get(Person, actor.person_id)
                        assert person is not None
                        if prompt_id is None:
                            raise NotYourCheckInError("no check-in named")
                        result = record_skip(session, person=person, prompt_id=prompt_id)
                except NotYourCheckInError:
                    tell(body, client, respond, refusal_text(Refusal.NOT_YOURS))
                    return
                if result.outcome is AnswerOutcome.ALREADY_DONE:
                    tell(body, client, respond, views.already_done_text())
                elif body.get("response_url"):
                    respond(replace_original=True, **views.skipped_message())
                else:
                    tell(body, client, respond, views.skipped_message()["text"])

        services.after_ack(skip, ACTION_CHECK_IN_SKIP)

    @app.view(VIEW_CHECK_IN)
    def check_in_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: dict[str, Any]
    ) -> None:
        team_id, user_id = context["team_id"], body["user"]["id"]
        payload = unseal(view.get("private_metadata"), key=key)
        if (
            payload is None
            or payload.get("k") != METADATA_KIND
            or payload.get("u") != user_id
            or not isinstance(payload.get("p"), int)
        ):
            ack(response_action="update", view=views.not_saved_view(refusal_text(Refusal.TAMPERED)))
            return
        prompt_id = payload["p"]
        form = views.read_check_in_form(view)
        try:
            with services.reading() as session:
                found = lookup_actor(session, team_id=team_id, user_id=user_id)
                person = session.get(Person, found.actor.person_id) if found.actor else None
                prompt = prompt_for(session, prompt_id=prompt_id, person=person) if person else None
                scored = prompt is not None and prompt.kind.has_score
        except NotYourCheckInError:
            ack(response_action="update", view=views.not_saved_view(refusal_text(Refusal.NOT_YOURS)))
            return
        if found.actor is None:
            ack(
                response_action="update",
                view=views.not_saved_view(refusal_text(Refusal.NOT_ON_ROSTER, found.coordinator_user_ids)),
            )
            return
        if scored and form.score is None:
            ack(response_action="errors", errors={views.SCORE_INPUT: views.missing_score_error()})
            return
        ack(response_action="update", view=views.saving_view())
        actor = found.actor

        def save() -> None:
            try:
                with services.unit_of_work() as session:
                    person = session.get(Person, actor.person_id)
                    assert person is not None
                    result = record_answer(
                        session, person=person, prompt_id=prompt_id, score=form.score, text=form.text, now=services.clock()
                    )
                    wrote = result.note is not None
                outcome = (
                    views.not_saved_view(views.already_done_text())
                    if result.outcome is AnswerOutcome.ALREADY_DONE
                    else views.thanks_view(wrote=wrote)
                )
            except Exception:
                log.exception("recording a check-in failed")  # never the text: it is the person's own words
                outcome, result = views.not_saved_view(views.not_saved_error()), None
            client.views_update(view_id=view["id"], view=outcome)
            channel, ts = payload.get("c"), payload.get("t")
            if result is not None and result.outcome is AnswerOutcome.DONE and channel and ts:
                try:  # the DM that asked loses its buttons
                    client.chat_update(channel=channel, ts=ts, **views.answered_message())
                except SlackApiError as error:
                    log.warning("could not update the check-in DM: %s", error.response.get("error"))

        services.after_ack(save, "recording a check-in")

    @app.action(ACTION_NOTE_READ)
    def note_read_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any], respond: Any) -> None:
        ack()
        note_id = _number((body.get("actions") or [{}])[0].get("value"))

        def mark() -> None:
            with apologise_on_error(respond if body.get("response_url") else None, ACTION_NOTE_READ):
                actor, coordinator_ids = whoever_clicked(body, context)
                with services.unit_of_work() as session:
                    parties = note_parties(session, note_id=note_id) if note_id is not None else None
                    refusal = authorize(
                        ACTION_NOTE_READ,
                        actor,
                        subject_ids=parties.person_ids if parties else (),
                        program_id=parties.program_id if parties else None,
                    )
                    if refusal is not None:
                        tell(body, client, respond, refusal_text(refusal, coordinator_ids))
                        return
                    assert actor is not None
                    if parties is None or note_id is None:
                        tell(body, client, respond, views.note_gone_text())
                        return
                    coordinator = session.get(Person, actor.person_id)
                    assert coordinator is not None
                    result, replacement = read_note(session, note_id=note_id, coordinator=coordinator, now=services.clock())
                if result.outcome is not NoteOutcome.READ or replacement is None:
                    tell(
                        body,
                        client,
                        respond,
                        views.note_gone_text() if result.outcome is NoteOutcome.NOT_FOUND else "Already read.",
                    )
                    return
                clicked = (
                    str((body.get("container") or {}).get("channel_id")),
                    str((body.get("container") or {}).get("message_ts")),
                )
                if body.get("response_url") and clicked not in result.delivered_copies:
                    respond(replace_original=True, **replacement)
                for channel, ts in result.delivered_copies:
                    try:
                        client.chat_update(channel=channel, ts=ts, **replacement)
                    except SlackApiError as error:
                        # The stored copy is already clean; this one stays in Slack until someone deletes it.
                        log.warning("could not edit a note's copy %s/%s: %s", channel, ts, error.response.get("error"))

        services.after_ack(mark, ACTION_NOTE_READ)

"""`/mentor change`, `/mentor withdraw`, `/mentor rejoin`, their buttons and their modals.

Every answer is private: an ephemeral reply, a modal, or (for the lasting confirmation) a DM
through the outbox. Modal submissions are checked before the ack with a quick indexed read, so a
refusal shows in the modal itself and nothing is written; the work itself runs after the ack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.access import Actor, Audience, Lookup, authorize, lookup_actor
from bot.commands import CommandRequest
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from mentoring.access import Refusal
from storage import requests
from storage.idempotency import was_claimed
from storage.models import Pairing, Role
from views.access import refusal_text
from views.changes import (
    ALREADY_WITHDRAWN,
    NO_PAIRING,
    NOT_WITHDRAWN,
    NOTHING_TO_LEAVE,
    PAIRING_ALREADY_ENDED,
    REJOINED,
    PairingChoice,
    RequestMessageTexts,
    answer_modal,
    change_modal,
    change_received_view,
    private_answer,
    read_change_form,
    read_withdraw_form,
    withdraw_modal,
    withdraw_received_view,
)
from views.help import something_went_wrong_message
from views.ids import ACTION_CHANGE, ACTION_REJOIN, ACTION_WITHDRAW, VIEW_CHANGE, VIEW_WITHDRAW
from views.private_metadata import seal, unseal

log = logging.getLogger(__name__)

Reply = Callable[[str], object]
View = dict[str, Any]


def team_of(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body["user"]["team_id"])


def private_reply(body: dict[str, Any], client: WebClient, respond: Respond) -> Reply:
    """Answer a click privately: ephemeral where the click came from a message, else a modal."""

    def reply(text: str) -> None:
        if body.get("response_url"):
            respond(**private_answer(text))
        else:
            client.views_open(trigger_id=body["trigger_id"], view=answer_modal(text))

    return reply


def as_respond(reply: Reply) -> Callable[..., object]:
    """For apologise_on_error, which hands over a whole message."""
    return lambda **message: reply(message["text"])


def respond_by_dm(client: WebClient, user_id: str) -> Callable[..., object]:
    """After a modal was acked there is nothing left to answer in: say it in their DM."""
    return lambda **message: client.chat_postMessage(channel=user_id, text=message["text"], blocks=message.get("blocks"))


def pairing_parties(pairing: Pairing | None) -> tuple[int, ...]:
    return (pairing.mentor_id, pairing.resident_id) if pairing is not None else ()


def choice_of(pairing: Pairing, actor: Actor) -> PairingChoice:
    other = requests.counterpart_of(pairing, actor.person_id)
    return PairingChoice(pairing.id, other.name)


@dataclass(frozen=True)
class Checked:
    """A submission checked before the ack: either an answer to show (and nothing to do), or the work."""

    answer: View | None = None
    person_id: int = 0
    pairing_id: int = 0
    names: tuple[str, ...] = ()
    duplicate: bool = False


def register(ctx: ListenerContext) -> None:
    app, services, router = ctx.app, ctx.services, ctx.router
    key = services.metadata_key
    messages = RequestMessageTexts()

    def find(body: dict[str, Any]) -> Lookup:
        with services.unit_of_work() as session:
            return lookup_actor(session, team_id=team_of(body), user_id=body["user"]["id"])

    def refuse(reply: Reply, refusal: Refusal, found: Lookup) -> None:
        reply(refusal_text(refusal, found.coordinator_user_ids))

    def acting_for_self(surface: str, found: Lookup, reply: Reply) -> Actor | None:
        """The actor, if they may use `surface` on their own record; else refused (privately)."""
        actor = found.actor
        refusal = authorize(surface, actor, subject_ids=(actor.person_id,) if actor else ())
        if refusal is not None or actor is None:
            refuse(reply, refusal or Refusal.NOT_ON_ROSTER, found)
            return None
        return actor

    # --- opening the modals ---------------------------------------------------------------

    def open_change(found: Lookup, pairing_id: int | None, trigger_id: str, client: WebClient, reply: Reply) -> None:
        if pairing_id is None:  # the command, or a button that does not name a pairing: their own
            actor = acting_for_self(ACTION_CHANGE, found, reply)
            if actor is None:
                return
            with services.unit_of_work() as session:
                pairings = requests.active_pairings_of(session, person_id=actor.person_id)
                choices = [choice_of(p, actor) for p in pairings]
        else:  # a button naming a pairing: it must be one of theirs
            actor, choices = found.actor, []
            with services.unit_of_work() as session:
                named = session.get(Pairing, pairing_id)
                program_id = named.program_id if named else None
                refusal = authorize(ACTION_CHANGE, actor, subject_ids=pairing_parties(named), program_id=program_id)
                if refusal is None and actor is not None and named is not None and named.active:
                    choices = [choice_of(named, actor)]
            if refusal is not None or actor is None:
                refuse(reply, refusal or Refusal.NOT_ON_ROSTER, found)
                return
        if actor.withdrawn:
            reply(ALREADY_WITHDRAWN)
        elif not choices:
            reply(NO_PAIRING if pairing_id is None else PAIRING_ALREADY_ENDED)
        else:
            sealed = seal({"k": "change", "u": actor.slack_user_id, "p": [c.pairing_id for c in choices]}, key=key)
            client.views_open(trigger_id=trigger_id, view=change_modal(choices, role=actor.role, private_metadata=sealed))

    def open_withdraw(found: Lookup, trigger_id: str, client: WebClient, reply: Reply) -> None:
        actor = acting_for_self(ACTION_WITHDRAW, found, reply)
        if actor is None:
            return
        if actor.withdrawn:
            reply(ALREADY_WITHDRAWN)
            return
        with services.unit_of_work() as session:
            pairings = requests.active_pairings_of(session, person_id=actor.person_id)
            names = [requests.counterpart_of(p, actor.person_id).name for p in pairings]
        if actor.role is Role.COORDINATOR and not names:
            reply(NOTHING_TO_LEAVE)
            return
        sealed = seal({"k": "withdraw", "u": actor.slack_user_id}, key=key)
        client.views_open(trigger_id=trigger_id, view=withdraw_modal(names, private_metadata=sealed))

    def do_rejoin(found: Lookup, team_id: str, client: WebClient, reply: Reply) -> None:
        actor = acting_for_self(ACTION_REJOIN, found, reply)
        if actor is None:
            return
        with services.unit_of_work() as session:
            result = requests.rejoin(session, person_id=actor.person_id, now=services.clock(), messages=messages)
        reply(REJOINED if result.outcome is requests.Outcome.DONE else NOT_WITHDRAWN)
        ctx.home.refresh(client, team_id=team_id, user_ids=result.affected_user_ids)

    # --- slash commands (the router has acked, found the actor and checked the audience) ----

    def command_reply(request: CommandRequest) -> tuple[Lookup, Reply]:
        found = Lookup(actor=request.actor, program_id=request.actor.program_id, coordinator_user_ids=())
        return found, lambda text: request.respond(**private_answer(text))

    def change_command(request: CommandRequest) -> None:
        found, reply = command_reply(request)
        open_change(found, None, request.trigger_id, request.client, reply)

    def withdraw_command(request: CommandRequest) -> None:
        found, reply = command_reply(request)
        open_withdraw(found, request.trigger_id, request.client, reply)

    def rejoin_command(request: CommandRequest) -> None:
        found, reply = command_reply(request)
        do_rejoin(found, request.actor.team_id, request.client, reply)

    router.add(
        "change",
        summary="end your pairing; no reason needed, and it stays private",
        audience=Audience.EVERYONE,
        handler=change_command,
    )
    router.add(
        "withdraw",
        summary="leave the program; no reason needed, and it stays private",
        audience=Audience.EVERYONE,
        handler=withdraw_command,
    )
    router.add("rejoin", summary="come back to the program after leaving", audience=Audience.EVERYONE, handler=rejoin_command)

    # --- buttons (App Home, reminders) ----------------------------------------------------

    def on_click(what: str, handle: Callable[[dict[str, Any], WebClient, Reply], None]) -> Callable[..., None]:
        def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            ack()

            def run() -> None:
                reply = private_reply(body, client, respond)
                with apologise_on_error(as_respond(reply), what):
                    handle(body, client, reply)

            services.after_ack(run, what)

        return listener

    def change_clicked(body: dict[str, Any], client: WebClient, reply: Reply) -> None:
        value = str(body["actions"][0].get("value") or "")
        if value and not value.isdigit():
            refuse(reply, Refusal.TAMPERED, find(body))
            return
        open_change(find(body), int(value) if value else None, body["trigger_id"], client, reply)

    app.action(ACTION_CHANGE)(on_click("change button", change_clicked))
    app.action(ACTION_WITHDRAW)(
        on_click("withdraw button", lambda body, client, reply: open_withdraw(find(body), body["trigger_id"], client, reply))
    )
    app.action(ACTION_REJOIN)(
        on_click("rejoin button", lambda body, client, reply: do_rejoin(find(body), team_of(body), client, reply))
    )

    # --- modal submissions ----------------------------------------------------------------

    def sealed_payload(view: dict[str, Any], kind: str, user_id: str) -> dict[str, Any] | None:
        payload = unseal(view.get("private_metadata"), key=key)
        if payload is None or payload.get("k") != kind or payload.get("u") != user_id:
            return None
        return payload

    def check_change(body: dict[str, Any], view: dict[str, Any], once: str) -> Checked:
        user_id = body["user"]["id"]
        payload = sealed_payload(view, "change", user_id)
        offered = payload.get("p") if payload else None
        if not isinstance(offered, list) or not offered:
            return Checked(answer=answer_modal(refusal_text(Refusal.TAMPERED)))
        chosen = offered[0] if len(offered) == 1 else read_change_form(view["state"]["values"]).pairing_id
        if chosen not in offered:  # a choice we never offered
            return Checked(answer=answer_modal(refusal_text(Refusal.TAMPERED)))
        with services.reading() as session:
            found = lookup_actor(session, team_id=team_of(body), user_id=user_id)
            pairing = session.get(Pairing, chosen)
            program_id = pairing.program_id if pairing else None
            refusal = authorize(VIEW_CHANGE, found.actor, subject_ids=pairing_parties(pairing), program_id=program_id)
            if refusal is not None or found.actor is None or pairing is None:
                refused = refusal_text(refusal or Refusal.NOT_YOURS, found.coordinator_user_ids)
                return Checked(answer=answer_modal(refused))
            name = requests.counterpart_of(pairing, found.actor.person_id).name
            if was_claimed(session, once):
                return Checked(names=(name,), duplicate=True)
            if not pairing.active:
                return Checked(answer=answer_modal(PAIRING_ALREADY_ENDED))
            return Checked(person_id=found.actor.person_id, pairing_id=pairing.id, names=(name,))

    def check_withdraw(body: dict[str, Any], view: dict[str, Any], once: str) -> Checked:
        user_id = body["user"]["id"]
        if sealed_payload(view, "withdraw", user_id) is None:
            return Checked(answer=answer_modal(refusal_text(Refusal.TAMPERED)))
        refused: list[str] = []
        with services.reading() as session:
            found = lookup_actor(session, team_id=team_of(body), user_id=user_id)
            actor = acting_for_self(VIEW_WITHDRAW, found, refused.append)
            if actor is None:
                return Checked(answer=answer_modal(refused[0]))
            pairings = requests.active_pairings_of(session, person_id=actor.person_id)
            names = tuple(requests.counterpart_of(p, actor.person_id).name for p in pairings)
            if was_claimed(session, once):
                return Checked(duplicate=True)
            if actor.withdrawn:
                return Checked(answer=answer_modal(ALREADY_WITHDRAWN))
            if actor.role is Role.COORDINATOR and not names:
                return Checked(answer=answer_modal(NOTHING_TO_LEAVE))
            return Checked(person_id=actor.person_id, names=names)

    def on_submit(
        what: str,
        check: Callable[[dict[str, Any], dict[str, Any], str], Checked],
        received: Callable[[Checked, dict[str, Any]], View],
        apply: Callable[[Checked, dict[str, Any], str], requests.RequestResult],
    ) -> Callable[..., None]:
        def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
            # One key per opened modal: a double click or a Slack retry carries the same view id.
            once = f"{view['callback_id']}:{view['id']}"
            try:
                checked = check(body, view, once)
            except Exception:
                log.exception("failed while checking %s", what)
                ack(response_action="update", view=answer_modal(something_went_wrong_message()["text"]))
                return
            if checked.answer is not None:
                ack(response_action="update", view=checked.answer)
                return
            ack(response_action="update", view=received(checked, view))
            if checked.duplicate:
                return
            user_id, team_id = body["user"]["id"], team_of(body)

            def run() -> None:
                with apologise_on_error(respond_by_dm(client, user_id), what):
                    result = apply(checked, view, once)
                    ctx.home.refresh(client, team_id=team_id, user_ids=result.affected_user_ids)

            services.after_ack(run, what)

        return listener

    def apply_change(checked: Checked, view: dict[str, Any], once: str) -> requests.RequestResult:
        form = read_change_form(view["state"]["values"])
        with services.unit_of_work() as session:
            return requests.request_change(
                session,
                requester_id=checked.person_id,
                pairing_id=checked.pairing_id,
                note=form.note,
                requester_rematch=form.rematch,
                now=services.clock(),
                messages=messages,
                idempotency_key=once,
            )

    def apply_withdraw(checked: Checked, view: dict[str, Any], once: str) -> requests.RequestResult:
        form = read_withdraw_form(view["state"]["values"])
        with services.unit_of_work() as session:
            return requests.withdraw(
                session,
                person_id=checked.person_id,
                note=form.note,
                now=services.clock(),
                messages=messages,
                idempotency_key=once,
            )

    app.view(VIEW_CHANGE)(
        on_submit(
            "change request",
            check_change,
            lambda checked, view: change_received_view(
                checked.names[0], rematch=read_change_form(view["state"]["values"]).rematch
            ),
            apply_change,
        )
    )
    app.view(VIEW_WITHDRAW)(
        on_submit("withdrawal", check_withdraw, lambda checked, view: withdraw_received_view(checked.names), apply_withdraw)
    )

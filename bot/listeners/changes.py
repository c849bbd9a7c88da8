"""`/mentor change`, `/mentor withdraw`, `/mentor rejoin`, their buttons and their modals.

Every answer is private: an ephemeral reply, a modal, or (for the lasting confirmation) a DM
through the outbox. Modal submissions are checked before the ack with a quick indexed read, so a
refusal shows in the modal itself and nothing is written; the work itself runs after the ack.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk import WebClient

from bot.access import Audience, authorize
from bot.commands import CommandRequest
from bot.kit import Click, Done, ListenerContext, Submission, Verdict, apology_by_dm
from bot.runtime import Services
from mentoring.access import Refusal
from program import changes
from storage.change_requests import Outcome
from storage.idempotency import was_claimed
from storage.models import Pairing, Role
from storage.my_pairings import as_seen_by, my_pairings
from storage.pairings import counterpart_of
from storage.roster import Actor, Lookup
from views.access import refusal_text
from views.changes import (
    ALREADY_WITHDRAWN,
    NO_PAIRING,
    NOT_WITHDRAWN,
    NOTHING_TO_LEAVE,
    PAIRING_ALREADY_ENDED,
    REJOINED,
    already_ended_view,
    answer_modal,
    change_modal,
    change_received_view,
    click_answer,
    ending_view,
    private_answer,
    read_change_form,
    read_withdraw_form,
    withdraw_modal,
    withdraw_received_view,
)
from views.help import something_went_wrong_message
from views.ids import ACTION_CHANGE, ACTION_REJOIN, ACTION_WITHDRAW, VIEW_CHANGE, VIEW_WITHDRAW
from views.payload import payload_id, payload_ids
from views.private_metadata import seal

Reply = Callable[[str], object]  # says a text privately, wherever the person asked


def _acting_for_self(surface: str, lookup: Lookup, reply: Reply) -> Actor | None:
    """The actor, if they may use `surface` on their own record; else refused (privately)."""
    actor = lookup.actor
    refusal = authorize(surface, actor, subject_ids=(actor.person_id,) if actor else ())
    if refusal is not None or actor is None:
        reply(refusal_text(refusal or Refusal.NOT_ON_ROSTER, lookup.coordinator_user_ids))
        return None
    return actor


def _parties(pairing: Pairing | None) -> tuple[int, ...]:
    return (pairing.mentor_id, pairing.resident_id) if pairing is not None else ()


# --- opening the modals, and rejoining --------------------------------------------------------


def open_change(
    services: Services, lookup: Lookup, pairing_id: int | None, trigger_id: str, client: WebClient, reply: Reply
) -> None:
    """The change modal for the actor's pairing(s); a button may name one, which must be theirs."""
    if pairing_id is None:  # the command, or a button that does not name a pairing: their own
        actor = _acting_for_self(ACTION_CHANGE, lookup, reply)
        if actor is None:
            return
        with services.reading() as session:
            choices = my_pairings(session, person_id=actor.person_id)
    else:
        actor, choices = lookup.actor, []
        with services.reading() as session:
            named = session.get(Pairing, pairing_id)
            program_id = named.program_id if named else None
            refusal = authorize(ACTION_CHANGE, actor, subject_ids=_parties(named), program_id=program_id)
            if refusal is None and actor is not None and named is not None and named.active:
                choices = [as_seen_by(named, actor.person_id)]
        if refusal is not None or actor is None:
            reply(refusal_text(refusal or Refusal.NOT_ON_ROSTER, lookup.coordinator_user_ids))
            return
    if actor.withdrawn:
        reply(ALREADY_WITHDRAWN)
    elif not choices:
        reply(NO_PAIRING if pairing_id is None else PAIRING_ALREADY_ENDED)
    else:
        sealed = seal({"k": "change", "u": actor.slack_user_id, "p": [c.pairing_id for c in choices]}, key=services.metadata_key)
        client.views_open(trigger_id=trigger_id, view=change_modal(choices, role=actor.role, private_metadata=sealed))


def open_withdraw(services: Services, lookup: Lookup, trigger_id: str, client: WebClient, reply: Reply) -> None:
    actor = _acting_for_self(ACTION_WITHDRAW, lookup, reply)
    if actor is None:
        return
    if actor.withdrawn:
        reply(ALREADY_WITHDRAWN)
        return
    with services.reading() as session:
        names = [person.name for person in changes.counterparts_of(session, actor=actor)]
    if actor.role is Role.COORDINATOR and not names:
        reply(NOTHING_TO_LEAVE)
        return
    sealed = seal({"k": "withdraw", "u": actor.slack_user_id}, key=services.metadata_key)
    client.views_open(trigger_id=trigger_id, view=withdraw_modal(names, private_metadata=sealed))


def rejoin(services: Services, lookup: Lookup, reply: Reply) -> tuple[str, ...]:
    """Back in the program; returns whose App Home changed."""
    actor = _acting_for_self(ACTION_REJOIN, lookup, reply)
    if actor is None:
        return ()
    with services.unit_of_work() as session:
        result = changes.rejoin(session, actor=actor, now=services.clock())
    reply(REJOINED if result.outcome is Outcome.DONE else NOT_WITHDRAWN)
    return result.affected_user_ids


# --- slash commands (the router has acked, found the actor and checked the audience) -----------


def _command(request: CommandRequest) -> tuple[Lookup, Reply]:
    lookup = Lookup(actor=request.actor, program_id=request.actor.program_id, coordinator_user_ids=())
    return lookup, lambda text: request.respond(**private_answer(text))


def change_command(request: CommandRequest) -> None:
    lookup, reply = _command(request)
    open_change(request.services, lookup, None, request.trigger_id, request.client, reply)


def withdraw_command(request: CommandRequest) -> None:
    lookup, reply = _command(request)
    open_withdraw(request.services, lookup, request.trigger_id, request.client, reply)


def rejoin_command(request: CommandRequest) -> None:
    lookup, reply = _command(request)
    affected = rejoin(request.services, lookup, reply)
    request.home.refresh(request.client, team_id=request.actor.team_id, user_ids=affected)


# --- buttons (App Home, reminders) ----------------------------------------------------------


def _reply(click: Click) -> Reply:
    return lambda text: click.answer(click_answer(text))


def change_clicked(click: Click) -> None:
    value = click.value
    pairing_id = payload_id(value)
    if value and pairing_id is None:
        _reply(click)(refusal_text(Refusal.TAMPERED, click.who.lookup.coordinator_user_ids))
        return
    open_change(click.services, click.who.lookup, pairing_id, click.trigger_id, click.client, _reply(click))


def withdraw_clicked(click: Click) -> None:
    open_withdraw(click.services, click.who.lookup, click.trigger_id, click.client, _reply(click))


def rejoin_clicked(click: Click) -> None:
    click.refresh_homes(rejoin(click.services, click.who.lookup, _reply(click)))


# --- modal submissions ------------------------------------------------------------------------


def _refused(text: str) -> Verdict:
    return Verdict.show(answer_modal(text))


def check_change(submission: Submission) -> Verdict:
    """The pairing chosen must be one the form offered, the caller's own, and still active."""
    payload = submission.sealed("change")
    offered = payload_ids(payload.get("p")) if payload else []
    if not offered:
        return _refused(refusal_text(Refusal.TAMPERED))
    form = read_change_form(submission.values)
    chosen = offered[0] if len(offered) == 1 else form.pairing_id
    if chosen not in offered:  # a choice we never offered
        return _refused(refusal_text(Refusal.TAMPERED))
    services, lookup = submission.services, submission.who.lookup
    with services.reading() as session:
        pairing = session.get(Pairing, chosen)
        program_id = pairing.program_id if pairing else None
        refusal = authorize(VIEW_CHANGE, lookup.actor, subject_ids=_parties(pairing), program_id=program_id)
        if refusal is not None or lookup.actor is None or pairing is None:
            return _refused(refusal_text(refusal or Refusal.NOT_YOURS, lookup.coordinator_user_ids))
        actor, pairing_id = lookup.actor, pairing.id
        other_name = counterpart_of(pairing, actor.person_id).name
        if was_claimed(session, submission.once):
            return Verdict.show(change_received_view(other_name, rematch=form.rematch))

    def work() -> Done:
        # Only now is it known whether this request ended the pairing or came a moment too late
        # (the other person asked, or left, at the same time): the modal says which.
        with services.unit_of_work() as session:
            result = changes.request_change(
                session,
                actor=actor,
                pairing_id=pairing_id,
                note=form.note,
                rematch=form.rematch,
                now=services.clock(),
                idempotency_key=submission.once,
            )
        if result.outcome is Outcome.PAIRING_ENDED:
            view = already_ended_view(other_name, wrote_note=bool(result.summary and result.summary.note))
        else:
            view = change_received_view(other_name, rematch=form.rematch)
        return Done(view=view, refresh=result.affected_user_ids)

    return Verdict.show(ending_view(), then=work)


def check_withdraw(submission: Submission) -> Verdict:
    if submission.sealed("withdraw") is None:
        return _refused(refusal_text(Refusal.TAMPERED))
    services, refused = submission.services, list[str]()
    actor = _acting_for_self(VIEW_WITHDRAW, submission.who.lookup, refused.append)
    if actor is None:
        return _refused(refused[0])
    with services.reading() as session:
        names = tuple(person.name for person in changes.counterparts_of(session, actor=actor))
        if was_claimed(session, submission.once):
            return Verdict.show(withdraw_received_view(()))
    if actor.withdrawn:
        return _refused(ALREADY_WITHDRAWN)
    if actor.role is Role.COORDINATOR and not names:
        return _refused(NOTHING_TO_LEAVE)
    note = read_withdraw_form(submission.values).note

    def work() -> Done:
        with services.unit_of_work() as session:
            result = changes.withdraw(session, actor=actor, note=note, now=services.clock(), idempotency_key=submission.once)
        return Done(refresh=result.affected_user_ids)

    return Verdict.show(withdraw_received_view(names), then=work)


def _check_failed() -> Verdict:
    return _refused(something_went_wrong_message()["text"])


def _change_failed(submission: Submission) -> Done:
    """The modal said "Ending the pairing…": it must not stay that way."""
    return Done(view=answer_modal(something_went_wrong_message()["text"]))


def register(ctx: ListenerContext) -> None:
    router = ctx.router
    router.add("change", summary="end your pairing; no reason needed, and it stays private", audience=Audience.EVERYONE,
               handler=change_command)  # fmt: skip
    router.add("withdraw", summary="leave the program; no reason needed, and it stays private", audience=Audience.EVERYONE,
               handler=withdraw_command)  # fmt: skip
    router.add("rejoin", summary="come back to the program after leaving", audience=Audience.EVERYONE, handler=rejoin_command)
    ctx.on_click(ACTION_CHANGE, change_clicked, what="change button")
    ctx.on_click(ACTION_WITHDRAW, withdraw_clicked, what="withdraw button")
    ctx.on_click(ACTION_REJOIN, rejoin_clicked, what="rejoin button")
    ctx.on_submit(VIEW_CHANGE, check_change, what="change request", check_failed=_check_failed, work_failed=_change_failed)
    ctx.on_submit(VIEW_WITHDRAW, check_withdraw, what="withdrawal", check_failed=_check_failed, work_failed=apology_by_dm)

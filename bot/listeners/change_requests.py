"""The coordinators' buttons on a change-request alert: rematch now, or close.

Resolving deletes the note: from the database and the stored copies of the alert at once, and
from the alerts already in coordinators' DMs by edits the outbox delivers (program/changes.py).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.kit import Click, ListenerContext
from program import changes
from storage.change_requests import Outcome, Resolution, ResolveResult, request_parties
from views.changes import already_resolved_text, click_answer, request_gone_text, resolved_text
from views.ids import ACTION_RESOLVE_CLOSE, ACTION_RESOLVE_REMATCH
from views.payload import payload_id


def resolve(click: Click, action_id: str, resolution: Resolution) -> None:
    """Only a coordinator who is not in the pairing concerned may resolve a request.

    To a coordinator, a request they may not handle (about their own pairing, or another
    program's) is answered exactly like one that does not exist: "it's about you" would confirm
    that someone asked to leave their pairing."""
    services, who = click.services, click.who
    role_refusal = who.refusal(action_id) if who.actor is None or not who.actor.is_coordinator else None
    if role_refusal is not None:
        click.answer(click_answer(role_refusal))
        return
    request_id = payload_id(click.value)
    result: ResolveResult | None = None
    with services.unit_of_work() as session:
        parties = request_parties(session, request_id=request_id) if request_id else None
        refusal = who.refusal_about(
            action_id,
            subject_ids=sorted(parties.person_ids) if parties else (),
            program_id=parties.program_id if parties else None,
        )
        if refusal is None and who.actor is not None and request_id is not None and parties is not None:
            result = changes.resolve(session, actor=who.actor, request_id=request_id, resolution=resolution, now=services.clock())
    if refusal is not None or result is None or result.outcome is Outcome.NOT_FOUND:
        click.answer(click_answer(request_gone_text()))
    elif result.outcome is Outcome.ALREADY_RESOLVED:
        assert result.summary is not None
        click.answer(click_answer(already_resolved_text(result.summary)))
    else:
        show_resolved(click, result)


def show_resolved(click: Click, result: ResolveResult) -> None:
    """Say privately what was done; the alert's copies are edited by the outbox, retried until
    Slack takes the edit (the coordinator is told if that is late or fails)."""
    assert result.summary is not None and result.cleanup is not None
    click.answer(click_answer(resolved_text(result.summary, edits=result.cleanup.edits)))


def resolving(action_id: str, resolution: Resolution) -> Callable[[Click], None]:
    return lambda click: resolve(click, action_id, resolution)


def register(ctx: ListenerContext) -> None:
    ctx.on_click(ACTION_RESOLVE_REMATCH, resolving(ACTION_RESOLVE_REMATCH, Resolution.REMATCH), what=ACTION_RESOLVE_REMATCH)
    ctx.on_click(ACTION_RESOLVE_CLOSE, resolving(ACTION_RESOLVE_CLOSE, Resolution.CLOSE), what=ACTION_RESOLVE_CLOSE)

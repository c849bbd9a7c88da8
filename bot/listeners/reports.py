"""Coordinator reports: `/mentor report` (the current summary, privately) and the dashboard's
Export button (the pairings CSV, sent to the coordinator's own DM).

The export is a direct answer to the coordinator's click, like an ephemeral reply: it is
uploaded at once with files_upload_v2 to their DM rather than queued in the outbox, so it
arrives while they wait, whatever the hour, and the CSV is never stored in the database.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.access import Audience, lookup_actor
from bot.commands import CommandRequest
from bot.exports import export_pairings
from bot.ids import ACTION_EXPORT
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from bot.views.export_csv import export_comment
from bot.views.reports import private_summary_message
from storage.models import Person, Program
from storage.reports import academic_calendar, local_today, program_snapshot

log = logging.getLogger(__name__)


def show_report(request: CommandRequest) -> None:
    with request.services.unit_of_work() as session:
        program = session.get(Program, request.actor.program_id)
        assert program is not None
        snapshot = program_snapshot(session, program=program, now=request.services.clock())
    request.respond(**private_summary_message(snapshot))


def register(ctx: ListenerContext) -> None:
    services = ctx.services
    ctx.router.add(
        "report",
        summary="this week's program summary, shown only to you",
        audience=Audience.COORDINATORS,
        handler=show_report,
    )

    @ctx.app.action(ACTION_EXPORT)
    def export_clicked(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        team_id = body["user"].get("team_id") or body["team"]["id"]
        value = body["actions"][0].get("value")
        services.after_ack(lambda: send_export(client, team_id=team_id, user_id=user_id, value=value), "export button")

    def send_export(client: WebClient, *, team_id: str, user_id: str, value: str | None) -> None:
        with apologise_on_error(None, f"the export for {user_id}"):
            now = services.clock()
            with services.unit_of_work() as session:
                found = lookup_actor(session, team_id=team_id, user_id=user_id)
                if found.actor is None or not found.actor.is_coordinator:
                    log.warning("export refused: %s is not a coordinator", user_id)
                    return
                program = session.get(Program, found.actor.program_id)
                person = session.get(Person, found.actor.person_id)
                assert program is not None and person is not None
                year = int(value) if value and value.isdigit() else academic_calendar(program).year_of(local_today(program, now))
                export = export_pairings(session, program=program, year=year, now=now, actor=person)
            channel = client.conversations_open(users=user_id)["channel"]["id"]
            client.files_upload_v2(
                channel=channel,
                content=export.content,
                filename=export.filename,
                title=f"Mentorship pairings {export.year_label}",
                initial_comment=export_comment(export),
            )

"""Coordinator reports: `/mentor report` (the current summary, privately) and the dashboard's
Export button (the pairings CSV, sent to the coordinator's own DM).

The export is a direct answer to the coordinator's click, like an ephemeral reply: it is
uploaded at once with files_upload_v2 to their DM rather than queued in the outbox, so it
arrives while they wait, whatever the hour, and the CSV is never stored in the database.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.access import Actor, Audience
from bot.commands import CommandRequest
from bot.exports import export_figures, export_pairings
from bot.listeners.context import ListenerContext
from bot.listeners.errors import apologise_on_error
from bot.listeners.interactions import permitted, rows, tell
from storage.models import Program
from storage.programs import academic_calendar, program_today
from storage.reports import program_snapshot
from views.common import private_message
from views.export_csv import export_comment, figures_comment
from views.ids import ACTION_EXPORT
from views.reports import private_summary_message

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
    def export_clicked(ack: Ack, body: dict, client: WebClient, respond: Respond, context: BoltContext) -> None:
        ack()
        value = body["actions"][0].get("value")

        def answer() -> None:
            actor, problem = permitted(services, context, ACTION_EXPORT)
            if actor is None:
                tell(client, body, respond, problem or "", title="Export")
                return
            send_export(client, actor, year=int(value) if value and value.isdigit() else None)

        services.after_ack(answer, "export button")

    def export_command(request: CommandRequest) -> None:
        wanted = request.args[0] if request.args else None
        if wanted is not None and not (wanted.isdigit() and len(wanted) == 4):
            request.respond(
                **private_message(f"`{wanted}` isn't a year. Try `/mentor admin export 2026` for the 2026–27 academic year.")
            )
            return
        send_export(request.client, request.actor, year=int(wanted) if wanted else None)
        request.respond(
            **private_message(
                "The pairings file is on its way to your DM with me, with a second one of program figures. Only you can see this message."
            )
        )

    ctx.admin.add(
        "export",
        summary="the pairings of an academic year as a CSV, sent to your DM (default: this year)",
        audience=Audience.COORDINATORS,
        handler=export_command,
        usage="export [YYYY]",
    )

    def send_export(client: WebClient, actor: Actor, *, year: int | None) -> None:
        """Upload the CSV to the coordinator's own DM at once: it answers their own request."""
        with apologise_on_error(None, f"the export for {actor.slack_user_id}"):
            now = services.clock()
            with services.unit_of_work() as session:
                person, program = rows(session, actor)
                if year is None:
                    year = academic_calendar(program).year_of(program_today(program, now))
                export = export_pairings(session, program=program, year=year, now=now, actor=person)
                figures = export_figures(session, program=program, year=year, now=now)
            channel = client.conversations_open(users=actor.slack_user_id)["channel"]["id"]
            client.files_upload_v2(
                channel=channel,
                content=export.content,
                filename=export.filename,
                title=f"Mentorship pairings {export.year_label}",
                initial_comment=export_comment(export),
            )
            client.files_upload_v2(
                channel=channel,
                content=figures.content,
                filename=figures.filename,
                title=f"Mentorship figures {figures.year_label}",
                initial_comment=figures_comment(figures),
            )

"""Coordinator reports: `/mentor report` (the current summary, privately) and the dashboard's
Export button (the pairings CSV, sent to the coordinator's own DM).

The export is a direct answer to the coordinator's click, like an ephemeral reply: it is
uploaded at once with files_upload_v2 to their DM rather than queued in the outbox, so it
arrives while they wait, whatever the hour, and the CSV is never stored in the database.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.access import Audience
from bot.commands import CommandRequest
from bot.kit import Click, ListenerContext
from bot.runtime import Services
from program import reports
from storage.programs import load_program
from storage.roster import Actor, person_of
from views.common import click_answer, private_message
from views.export_csv import EXPORT_ON_ITS_WAY, export_comment, export_title, figures_comment, figures_title, not_a_year_text
from views.ids import ACTION_EXPORT
from views.payload import payload_year
from views.reports import private_summary_message

log = logging.getLogger(__name__)


def report_command(request: CommandRequest) -> None:
    services = request.services
    with services.reading() as session:
        program = load_program(session, request.actor.program_id)
        snapshot = reports.current_summary(session, program=program, now=services.clock())
    request.respond(**private_summary_message(snapshot))


def send_export(services: Services, client: WebClient, actor: Actor, *, year: int | None) -> None:
    """Upload the CSV to the coordinator's own DM at once: it answers their own request."""
    try:
        now = services.clock()
        with services.unit_of_work() as session:
            program = load_program(session, actor.program_id)
            export, figures = reports.export_for_coordinator(
                session, program=program, year=year, now=now, actor=person_of(session, actor)
            )
        channel = client.conversations_open(users=actor.slack_user_id)["channel"]["id"]
        for file, title, comment in ((export, export_title, export_comment), (figures, figures_title, figures_comment)):
            client.files_upload_v2(
                channel=channel, content=file.content, filename=file.filename, title=title(file), initial_comment=comment(file)
            )
    except Exception:
        log.exception("failed while handling the export for %s", actor.slack_user_id)


def export_clicked(click: Click) -> None:
    actor, problem = click.who.actor, click.who.refusal(ACTION_EXPORT)
    if problem or actor is None:
        click.answer(click_answer(problem or "", title="Export"))
        return
    send_export(click.services, click.client, actor, year=payload_year(click.value))


def export_command(request: CommandRequest) -> None:
    wanted = request.args[0] if request.args else None
    year = payload_year(wanted)
    if wanted is not None and year is None:
        request.respond(**private_message(not_a_year_text(wanted)))
        return
    send_export(request.services, request.client, request.actor, year=year)
    request.respond(**private_message(EXPORT_ON_ITS_WAY))


def register(ctx: ListenerContext) -> None:
    ctx.router.add(
        "report", summary="this week's program summary, shown only to you", audience=Audience.COORDINATORS, handler=report_command
    )
    ctx.admin.add(
        "export", summary="the pairings of an academic year as a CSV, sent to your DM (default: this year)",
        audience=Audience.COORDINATORS, handler=export_command, usage="export [YYYY]",
    )  # fmt: skip
    ctx.on_click(ACTION_EXPORT, export_clicked, what="export button")

"""Coordinator reports: `/mentor report` (the current summary, privately) and the dashboard's
Export button (the pairings CSV, sent to the coordinator's own DM).

The export is a direct answer to the coordinator's click, like an ephemeral reply: it is
uploaded at once with files_upload_v2 to their DM rather than queued in the outbox, so it
arrives while they wait, whatever the hour, and the CSV is never stored in the database. The
answer says "sent" only once Slack has both files; otherwise it says nothing was sent, and why.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access import Audience
from bot.commands import CommandRequest
from bot.kit import Click, ListenerContext
from bot.runtime import Services
from program import reports
from storage.programs import load_program
from storage.roster import Actor, person_of
from storage.rounds import year_label
from views.common import click_answer, private_message
from views.export_csv import (
    export_comment,
    export_failed_text,
    export_sent_text,
    export_title,
    export_usage_text,
    figures_comment,
    figures_title,
    not_a_year_text,
    year_out_of_range_text,
)
from views.ids import ACTION_EXPORT
from views.payload import payload_year
from views.reports import private_summary_message

log = logging.getLogger(__name__)


def report_command(request: CommandRequest) -> None:
    services = request.services
    with services.reading() as session:
        program = load_program(session, request.actor.program_id)
        snapshot = reports.current_summary(
            session, program=program, now=services.clock(), seen_by=person_of(session, request.actor)
        )
    request.respond(**private_summary_message(snapshot))


def send_export(services: Services, client: WebClient, actor: Actor, *, wanted: str | None) -> str:
    """Upload the CSVs to the coordinator's own DM at once (it answers their own request), and say
    what happened: sent, or why nothing was. Nothing is recorded unless both files arrived."""
    now = services.clock()
    with services.reading() as session:
        program = load_program(session, actor.program_id)
        years = reports.export_years(session, program=program, now=now)
        label = lambda year: year_label(program, year)  # noqa: E731
        year = payload_year(wanted) if wanted is not None else years[-1]
        if year is None:
            return not_a_year_text(wanted or "")
        if year not in years:
            return year_out_of_range_text(wanted or str(year), years, label)
        export, figures = reports.export_for_coordinator(
            session, program=program, year=year, now=now, seen_by=person_of(session, actor)
        )
    try:
        channel = client.conversations_open(users=actor.slack_user_id)["channel"]["id"]
        for file, title, comment in ((export, export_title, export_comment), (figures, figures_title, figures_comment)):
            client.files_upload_v2(
                channel=channel, content=file.content, filename=file.filename, title=title(file), initial_comment=comment(file)
            )
    except SlackApiError as error:
        code = str(error.response.get("error") or "") if error.response is not None else ""
        log.warning("could not upload the export for %s: %s", actor.slack_user_id, code or error)
        return export_failed_text(code or None)
    with services.unit_of_work() as session:
        reports.record_export(
            session, program=load_program(session, actor.program_id), year=year, rows=export.rows, now=now,
            actor=person_of(session, actor),
        )  # fmt: skip
    return export_sent_text(export.year_label)


def export_clicked(click: Click) -> None:
    actor, problem = click.who.actor, click.who.refusal(ACTION_EXPORT)
    if problem or actor is None:
        click.answer(click_answer(problem or "", title="Export"))
        return
    click.answer(click_answer(send_export(click.services, click.client, actor, wanted=click.value or None), title="Export"))


def export_command(request: CommandRequest) -> None:
    if len(request.args) > 1:
        request.respond(**private_message(export_usage_text()))
        return
    wanted = request.args[0] if request.args else None
    request.respond(**private_message(send_export(request.services, request.client, request.actor, wanted=wanted)))


def register(ctx: ListenerContext) -> None:
    ctx.router.add(
        "report", summary="this week's program summary, shown only to you", audience=Audience.COORDINATORS, handler=report_command
    )
    ctx.admin.add(
        "export", summary="the pairings of an academic year as a CSV, sent to your DM (default: this year)",
        audience=Audience.COORDINATORS, handler=export_command, usage="export [YYYY]",
    )  # fmt: skip
    ctx.on_click(ACTION_EXPORT, export_clicked, what="export button")

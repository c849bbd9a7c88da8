"""The coordinators' weekly summary, quarter-end report, and the notices sent when either
cannot be posted. Pure functions: snapshots in, Block Kit out.

Counts and the names needed for action (overdue pairs, people waiting); never who asked for a
change or withdrew, never a note, never why a pairing ended.
"""

from __future__ import annotations

from collections.abc import Sequence

from mentoring.cadence import QuarterStatus
from mentoring.check_ins import CheckInFigures, ScoreSummary
from mentoring.program_figures import Share
from mentoring.reporting import QuarterFigures
from storage.models import RoundState
from storage.program_figures import QuarterProgramFigures
from storage.reports import PairRef, ProgramSnapshot, QuarterReport
from views.common import (
    Block,
    Message,
    context,
    divider,
    escape,
    fields,
    header,
    month_day_year,
    private_message,
    section,
    short_date,
)

# Lists in a channel message stop here; the App Home shows more, the export shows all.
SUMMARY_LIST_LIMIT = 10
PAIR_TABLE_LIMIT = 25
MORE_HINT = "see the coordinator dashboard on Mentorbot's *Home* tab"
NAME_WIDTH = 20
# A section holds 3000 characters: room for its title, the bullets, and the "…and N more" line.
LIST_TEXT_BUDGET = 2700
MORE_LINE_ROOM = 120
LIST_ENDS_SHOWN = 5


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def pair_name(pair: PairRef) -> str:
    return f"{escape(pair.mentor.name)} &amp; {escape(pair.resident.name)}"  # "&" must be escaped in mrkdwn


def bulleted(lines: Sequence[str], *, limit: int, more: str = MORE_HINT, budget: int = LIST_TEXT_BUDGET) -> str:
    """One bullet per line, at most `limit` and `budget` characters; the rest become
    "…and N more: <where>", so a long list never overflows a section."""
    shown: list[str] = []
    for line in lines[:limit]:
        bullet = f"• {line}"
        if sum(len(s) + 1 for s in shown) + len(bullet) + MORE_LINE_ROOM > budget:
            break
        shown.append(bullet)
    if len(lines) > len(shown):
        shown.append(f"…and {len(lines) - len(shown)} more: {more}.")
    return "\n".join(shown)


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{round(rate * 100)}%"


# --- the figures both the summary and the dashboard show -----------------------------------------


def round_line(snapshot: ProgramSnapshot) -> str:
    found = snapshot.round
    if found is None:
        return "No round opened this year"
    year = f"{found.academic_year}–{(found.academic_year + 1) % 100:02d}"
    if found.state is RoundState.OPEN:
        return f"{year}: open, preferences due {month_day_year(found.deadline_on)}"
    if found.state is RoundState.PROPOSED:
        return f"{year}: proposal made, awaiting approval"
    return f"{year}: closed"


def figure_fields(snapshot: ProgramSnapshot) -> Block:
    meetings, capacity = snapshot.meetings, snapshot.capacity
    waiting = len(snapshot.waiting_residents)
    return fields(
        f"*Active pairs*\n{meetings.active_pairs}",
        f"*Met this quarter ({snapshot.quarter_label})*\n{meetings.pairs_met_this_quarter} of "
        f"{plural(meetings.pairs_due_this_quarter, 'pair')} due · {plural(meetings.meetings_this_quarter, 'meeting')} logged",
        f"*Overdue*\n{plural(len(meetings.overdue), 'pair')}",
        f"*Waiting for a match*\n{plural(waiting, 'resident')}",
        f"*Open change or withdrawal requests*\n{snapshot.open_requests}",
        f"*Faculty places*\n{capacity.used} used · {capacity.free} free"
        + (f" ({plural(capacity.mentors_with_room, 'mentor')} with room)" if capacity.free else ""),
        f"*Matching round*\n{round_line(snapshot)}",
        f"*Couldn't reach by DM (7 days)*\n{plural(len(snapshot.unreachable), 'person', 'people')}",
    )


TOO_FEW = "too few answers to show"
SMALL_GROUP_NOTE = (
    "Check-in scores: answers given in a finished quarter, shown only as averages of at least {minimum} answers; "
    "nobody's own answer can be told apart."
)


def score_text(summary: ScoreSummary | None) -> str:
    return TOO_FEW if summary is None else f"{summary.mean:.1f} of 5 ({summary.answers} answers)"


def check_in_lines(figures: CheckInFigures) -> str:
    return f"Usefulness of meetings: {score_text(figures.usefulness)}\nRelationship: {score_text(figures.relationship)}"


def paused_text(snapshot: ProgramSnapshot) -> str:
    paused = snapshot.figures.paused
    if not paused.count:
        return "None"
    ends = ", ".join(short_date(day) for day in paused.ends[:LIST_ENDS_SHOWN])
    more = f" and {paused.count - LIST_ENDS_SHOWN} more" if paused.count > LIST_ENDS_SHOWN else ""
    return f"{plural(paused.count, 'pair')}, until {ends}{more}"


def without_mentor_text(snapshot: ProgramSnapshot) -> str:
    counts = snapshot.figures.without_mentor
    if not counts:
        return "None"
    return " · ".join(f"{'PGY-' + str(pgy) if pgy else 'year not on roster'}: {count}" for pgy, count in counts)


def program_figure_fields(snapshot: ProgramSnapshot) -> Block:
    """Pauses (counts and end dates, never who or why), residents still without a mentor by
    training year, and the check-in scores of the last finished quarter."""
    figures, so_far = snapshot.figures, snapshot.this_quarter
    median = so_far.median_days_between_meetings
    return fields(
        f"*Paused now*\n{paused_text(snapshot)}",
        f"*Residents without a mentor*\n{without_mentor_text(snapshot)}",
        f"*3 or more meetings this year*\n{share_text(so_far.full_participation, 'pair', ' paired all year')}",
        f"*Median days between meetings ({snapshot.quarter_label})*\n{'–' if median is None else f'{median:g}'}",
        f"*Check-ins, {figures.check_ins_label}*\n{check_in_lines(figures.check_ins)}",
    )


def overdue_lines(snapshot: ProgramSnapshot) -> list[str]:
    return [f"{pair_name(pair)}: {plural(days, 'day')} overdue" for pair, days in snapshot.overdue]


def waiting_lines(snapshot: ProgramSnapshot) -> list[str]:
    return [f"{escape(w.person.name)}, since {short_date(w.since)}" for w in snapshot.waiting_residents]


UNREACHABLE_REASONS = {
    "user_disabled": "account deactivated",
    "account_inactive": "account deactivated",
    "user_not_found": "not found in Slack",
    "cannot_dm_bot": "a bot account",
}


def unreachable_lines(snapshot: ProgramSnapshot) -> list[str]:
    lines = []
    for person in snapshot.unreachable:
        reason = next((text for code, text in UNREACHABLE_REASONS.items() if code in (person.error or "")), None)
        detail = f"{reason}, " if reason else ""
        lines.append(f"{escape(person.name)}: {detail}{plural(person.messages, 'message')} not delivered")
    return lines


def proposal_line(snapshot: ProgramSnapshot) -> str | None:
    proposal = snapshot.proposal
    if proposal is None:
        return None
    unmatched = f", {plural(proposal.unmatched_count, 'resident')} left unmatched" if proposal.unmatched_count else ""
    return f"{plural(proposal.pair_count, 'pair')} proposed on {month_day_year(proposal.created_on)}{unmatched}."


def detail_sections(snapshot: ProgramSnapshot, *, limit: int, more: str = MORE_HINT) -> list[Block]:
    """The lists behind the figures, each only when it has something in it."""
    blocks = []
    lists = [
        ("Overdue pairs", overdue_lines(snapshot)),
        ("Residents waiting for a match", waiting_lines(snapshot)),
        ("Couldn't reach by DM", unreachable_lines(snapshot)),
    ]
    for title, lines in lists:
        if lines:
            blocks.append(section(f"*{title} ({len(lines)})*\n" + bulleted(lines, limit=limit, more=more)))
    proposal = proposal_line(snapshot)
    if proposal:
        blocks.append(section(f"*Proposal awaiting review*\n{proposal}"))
    return blocks


# --- the weekly summary ------------------------------------------------------------------------


def summary_blocks(snapshot: ProgramSnapshot) -> list[Block]:
    return [
        header(f"Weekly mentorship summary: {short_date(snapshot.today)}"),
        context(f"{escape(snapshot.program_name)} · {snapshot.quarter_label} · as of {month_day_year(snapshot.today)}"),
        figure_fields(snapshot),
        program_figure_fields(snapshot),
        *detail_sections(snapshot, limit=SUMMARY_LIST_LIMIT),
        context(
            "Change and withdrawal requests are shown as a count only; pauses as a count and end dates. "
            "Buttons to act on all this are on Mentorbot's *Home* tab."
        ),
    ]


def summary_text(snapshot: ProgramSnapshot) -> str:
    meetings = snapshot.meetings
    return (
        f"Weekly mentorship summary: {plural(meetings.active_pairs, 'active pair')}, "
        f"{len(meetings.overdue)} overdue, {len(snapshot.waiting_residents)} waiting for a match."
    )


def summary_message(snapshot: ProgramSnapshot) -> Message:
    """For the coordinator channel, through the outbox."""
    return {"text": summary_text(snapshot), "blocks": summary_blocks(snapshot)}


def private_summary_message(snapshot: ProgramSnapshot) -> Message:
    """`/mentor report`: the same summary, shown only to the coordinator who asked."""
    blocks = summary_blocks(snapshot)
    blocks.append(context("Only you can see this message."))
    return private_message(summary_text(snapshot), blocks)


# --- the quarter report ------------------------------------------------------------------------

STATUS_MARKS = {
    QuarterStatus.MET: "met",
    QuarterStatus.MISSED: "MISSED",
    QuarterStatus.NOT_DUE: "not due",
    QuarterStatus.PARTIAL: "part",
    QuarterStatus.INACTIVE: "",
}


def compliance_text(figures: QuarterFigures[int]) -> str:
    compliance = figures.compliance
    if not compliance.judged_count:
        return "No pair had a meeting due yet"
    return f"{percent(figures.rate)}: {compliance.met_count} of {plural(compliance.judged_count, 'pair')} due met"


def per_pair(figures: QuarterFigures[int]) -> str:
    if not figures.active_pairs:
        return "–"
    return f"{figures.meeting_count / figures.active_pairs:.1f}"


def trend_lines(report: QuarterReport) -> list[str]:
    lines = []
    for figures in report.figures:
        compliance = figures.compliance
        judged = f" ({compliance.met_count} of {compliance.judged_count})" if compliance.judged_count else " (none due)"
        lines.append(f"Q{figures.quarter.quarter}: {percent(figures.rate)}{judged} · {per_pair(figures)} meetings per pair")
    return lines


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def pair_table(report: QuarterReport) -> str:
    """A monospace table: each pair's meetings per quarter, and this quarter's verdict."""
    quarters = [f.quarter.quarter for f in report.figures]
    head = f"{'Mentor':<{NAME_WIDTH}} {'Resident':<{NAME_WIDTH}} " + " ".join(f"Q{q}" for q in quarters) + "  this quarter"
    rows = [head]
    current = report.current
    listed = [key for key in report.pairs if current.compliance.statuses.get(key) is not QuarterStatus.INACTIVE]
    for key in listed[:PAIR_TABLE_LIMIT]:
        pair = report.pairs[key]
        counts = " ".join(f"{f.meetings[key]:>2}" if key in f.meetings else " –" for f in report.figures)
        status = STATUS_MARKS[current.compliance.statuses[key]]
        mentor, resident = (escape(_cell(name, NAME_WIDTH)).ljust(NAME_WIDTH) for name in (pair.mentor.name, pair.resident.name))
        rows.append(f"{mentor} {resident} {counts}  {status}")
    table = "```" + "\n".join(rows) + "```"
    if len(listed) > PAIR_TABLE_LIMIT:
        table += f"\n…and {len(listed) - PAIR_TABLE_LIMIT} more pairs: the export on Mentorbot's *Home* tab has them all."
    return table


def share_text(share: Share, of_what: str, qualifier: str = "") -> str:
    """ "40% (4 of 10 pairs paired all year)"; "–" when there is nothing to share out."""
    if not share.of:
        return f"– (no {of_what}s{qualifier} yet)"
    return f"{percent(share.rate)} ({share.count} of {plural(share.of, of_what)}{qualifier})"


def program_figure_lines(figures: QuarterProgramFigures) -> list[str]:
    """The literature's figures for one quarter; check-ins only once it is over."""
    median = figures.median_days_between_meetings
    lines = [
        f"Pairs due that met: {share_text(figures.pairs_met, 'pair')}",
        f"Full participation (3 or more meetings in the year so far): {share_text(figures.full_participation, 'pair', ' paired all year')}",
        f"Median days between meetings: {'–' if median is None else f'{median:g}'}",
        f"Pauses: {plural(figures.pauses.begun, 'pause')} begun, {plural(figures.pauses.pairs_paused, 'pair')} paused at some point",
    ]
    if figures.check_ins is None:
        lines.append("Check-ins: shown once the quarter is over")
    else:
        lines.append(
            f"Check-ins given this quarter: usefulness {score_text(figures.check_ins.usefulness)}; "
            f"relationship {score_text(figures.check_ins.relationship)}"
        )
    return lines


def quarter_report_blocks(report: QuarterReport) -> list[Block]:
    current = report.current
    compliance = current.compliance
    not_judged = current.active_pairs - compliance.judged_count
    missed = sorted(pair_name(report.pairs[key]) for key in compliance.missed)
    blocks = [
        header(f"Quarter report: {report.label}"),
        context(f"{escape(report.program_name)} · {month_day_year(report.first_day)} – {month_day_year(report.last_day)}"),
        fields(
            f"*Compliance*\n{compliance_text(current)}",
            f"*Meetings logged*\n{current.meeting_count} across {plural(current.active_pairs, 'pair')} "
            f"({per_pair(current)} per pair)",
            f"*Not judged*\n{plural(not_judged, 'pair')}: first meeting not yet due, or paired for only part of the quarter",
        ),
        section("*This year so far*\n" + "\n".join(trend_lines(report))),
    ]
    if report.program_figures:
        blocks.append(
            section(f"*Program figures, {report.label}*\n" + bulleted(program_figure_lines(report.program_figures[-1]), limit=10))
        )
    if missed:
        blocks.append(section(f"*No meeting though one was due ({len(missed)})*\n" + bulleted(missed, limit=SUMMARY_LIST_LIMIT)))
    if report.pairs:
        blocks += [divider(), section("*By pair* (meetings logged per quarter)\n" + pair_table(report))]
    blocks.append(
        context(
            "Compliance counts the pairs active for the whole quarter whose meeting fell due in it. "
            "Check-in scores are averages of at least a handful of answers given in the quarter, never anyone's own. "
            "The chart shows the year so far; the CSV export on Mentorbot's *Home* tab has every pairing."
        )
    )
    return blocks


def quarter_report_text(report: QuarterReport) -> str:
    return f"Quarter report {report.label}: compliance {compliance_text(report.current)}."


def quarter_report_message(report: QuarterReport) -> Message:
    return {"text": quarter_report_text(report), "blocks": quarter_report_blocks(report)}


def chart_caption(report: QuarterReport) -> str:
    """The comment under the uploaded chart (a file upload carries text, not blocks)."""
    return f"Chart for the {report.label} report: share of pairs due that met, and meetings per pair, each quarter so far."


def chart_file_name(report: QuarterReport) -> str:
    return f"mentorship-{report.year_label.replace('–', '-')}-Q{report.quarter.quarter}.png"


# --- when a post cannot be delivered -----------------------------------------------------------

# Slack's error -> (what happened, what to do). Matched as a substring: the delivery job may add
# detail around the code.
CHANNEL_PROBLEMS = {
    "not_in_channel": (
        "Mentorbot isn't a member of {channel}",
        "Open {channel} and type `/invite @Mentorbot`.",
    ),
    "is_archived": (
        "{channel} has been archived",
        "Unarchive it, or create a new private channel, invite @Mentorbot to it, and ask whoever runs "
        "Mentorbot to put its ID in `MENTORBOT_COORDINATOR_CHANNEL`.",
    ),
    "channel_not_found": (
        "Mentorbot can't see the channel {channel}",
        "If it's a private channel, open it and type `/invite @Mentorbot`. Otherwise ask whoever runs "
        "Mentorbot to check the channel ID in `MENTORBOT_COORDINATOR_CHANNEL`.",
    ),
}
GENERIC_PROBLEM = (
    "Slack refused the post to {channel}",
    "Check that the channel still exists and that @Mentorbot is a member (type `/invite @Mentorbot` there).",
)
UNTIL_THEN = "Until then, `/mentor report` shows you the current summary privately."


def undelivered_notice(*, what: str, channel_id: str, error: str | None) -> Message:
    """A DM to each coordinator: a summary or report could not be posted, and how to fix it."""
    channel = f"<#{channel_id}>"
    problem, fix = next((texts for code, texts in CHANNEL_PROBLEMS.items() if code in (error or "")), GENERIC_PROBLEM)
    lead = f"I couldn't post {what} to {channel}: {problem.format(channel=channel)}."
    blocks = [
        section(lead),
        section(f"*To fix it:* {fix.format(channel=channel)}"),
        context(f"{UNTIL_THEN} Every coordinator got this message."),
    ]
    return {"text": lead, "blocks": blocks}


def no_channel_notice() -> Message:
    lead = "This week's mentorship summary has nowhere to go: no coordinator channel is set up."
    fix = (
        "*To fix it:* create a private channel for the coordinators and type `/invite @Mentorbot` in it. "
        "Then ask whoever runs Mentorbot to put the channel's ID (channel details → *About* → Channel ID, "
        "starting with C) in `MENTORBOT_COORDINATOR_CHANNEL` and restart it. Quarter reports wait until then."
    )
    blocks = [section(lead), section(fix), context(f"{UNTIL_THEN} Every coordinator got this message.")]
    return {"text": lead, "blocks": blocks}

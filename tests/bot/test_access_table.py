"""Every surface, called as every role: what each may see and do.

The table is `SURFACES`, a list of cases. A feature adds its own surfaces (slash commands,
buttons, modal submissions, App Home, exports) by appending cases; every surface listed in
bot/access.py POLICY must appear here (`test_every_policy_surface_is_in_the_table`).

Each case says, per role, a phrase the person must be shown and whether the database may change.
Refusals are private and write nothing; nobody but a coordinator ever sees a pairing they are not in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select

from bot.access import POLICY
from mentoring.check_ins import CheckInKind
from program import changes
from storage import check_ins
from storage.db import session_scope
from storage.models import Base, Pairing, Person, Program, Role
from storage.programs import ProgramOptions, add_program
from storage.roster import Actor
from tests.support import factories
from tests.support.changes import HOME_VIEW, change_values, observe, sealed, snapshot, withdraw_values
from tests.support.forms import offer_values, request_values
from tests.support.harness import BotHarness, Reply
from views import meetings as meeting_views
from views.ids import (
    ACTION_CHANGE,
    ACTION_CHECK_IN,
    ACTION_CHECK_IN_SKIP,
    ACTION_EXPORT,
    ACTION_NOTE_READ,
    ACTION_OPEN_OFFER,
    ACTION_OPEN_REQUEST,
    ACTION_OPEN_ROUND,
    ACTION_PAUSE,
    ACTION_PICK_MENTOR,
    ACTION_PICK_PROPOSAL_MENTOR,
    ACTION_PICK_PROPOSAL_RESIDENT,
    ACTION_PICK_RESIDENT,
    ACTION_PLAN,
    ACTION_REASSIGN,
    ACTION_REJOIN,
    ACTION_RESOLVE_CLOSE,
    ACTION_RESOLVE_REMATCH,
    ACTION_RESUME,
    ACTION_REVIEW_PROPOSAL,
    ACTION_RUN_MATCH,
    ACTION_WE_MET,
    ACTION_WITHDRAW,
    EVENT_APP_HOME_OPENED,
    VIEW_CHANGE,
    VIEW_CHECK_IN,
    VIEW_MEETING,
    VIEW_OFFER,
    VIEW_PAUSE,
    VIEW_PLAN,
    VIEW_PROPOSAL,
    VIEW_REQUEST,
    VIEW_WITHDRAW,
)

ROLES = ("resident", "faculty", "coordinator", "not_on_roster")
USERS = {"resident": "URILEY", "faculty": "UFRAN", "coordinator": "UCASEY", "not_on_roster": "USTRANGER"}
# Names each role must never see: people in pairings they are not part of.
NOT_THEIRS = ("Dr. Gil", "Tess Resident", "Sam Resident", "Dr. Hal")
HIDDEN_FROM = {
    "resident": NOT_THEIRS,
    "faculty": NOT_THEIRS,
    "coordinator": (),  # coordinators see the program
    "not_on_roster": (*NOT_THEIRS, "Riley Resident", "Dr. Fran"),
}


@dataclass(frozen=True)
class TableWorld:
    """Riley and Dr. Fran are paired; Tess and Dr. Gil too; Sam asked to leave Dr. Hal (open request)."""

    own_pairing: int  # Riley and Dr. Fran
    other_pairing: int  # Tess and Dr. Gil
    open_request: int  # Sam's, about Dr. Hal
    # Check-ins after Riley and Fran's meeting (by Slack user), Tess's, and a note Tess wrote to the coordinators.
    check_ins: dict[str, int] = field(default_factory=dict)
    other_check_in: int = 0
    other_note: int = 0


@dataclass(frozen=True)
class Expect:
    shows: str
    writes: bool = False


ROSTER = Expect("not on the mentorship program's roster")
COORDINATORS_ONLY = Expect("for the program coordinators")
NOT_YOURS = Expect("isn't one of your own pairings")
TAMPERED = Expect("didn't check out")
HELP = Expect("Here is what you can do")
NO_REASON = Expect("You don't need to give a reason")
NO_PAIRING = Expect("don't have a mentoring pairing right now")
NOTHING_TO_LEAVE = Expect("nothing to withdraw from")
ALREADY_IN = Expect("already in the mentorship program")
LOG_MEETING = Expect("Log a meeting")


@dataclass(frozen=True)
class SurfaceCase:
    name: str
    surface: str  # the command, or the POLICY key of the action/view/event
    run: Callable[[BotHarness, str, TableWorld], Reply]
    expect: dict[str, Expect]
    # A pick list of the roster shows names (the roster is no secret), never who is paired with whom.
    shows_roster: bool = False

    def __str__(self) -> str:
        return self.name


def _same_for_roster(expect: Expect) -> dict[str, Expect]:
    return {"resident": expect, "faculty": expect, "coordinator": expect, "not_on_roster": ROSTER}


def _home_click(action_id: str, value: str | None = None) -> Callable[[BotHarness, str, TableWorld], Reply]:
    """A click on the App Home; the value "OWN" stands for the clicker-facing pairing (Riley and Dr. Fran's)."""
    return lambda bot, user, w: bot.click(
        action_id, user_id=user, value=str(w.own_pairing) if value == "OWN" else value, view=HOME_VIEW, response_url=None
    )


def _meeting_values(pairing_id: int) -> dict:
    return {
        meeting_views.BLOCK_PAIRING: {
            meeting_views.ACTION_PAIRING: {"type": "static_select", "selected_option": {"value": str(pairing_id)}}
        },
        meeting_views.BLOCK_DATE: {meeting_views.ACTION_DATE: {"type": "datepicker", "selected_date": "2026-11-20"}},
    }


def _dm_click(action_id: str) -> Callable[[BotHarness, str, TableWorld], Reply]:
    return lambda bot, user, w: bot.click(action_id, user_id=user, value=str(w.open_request))


SURFACES: list[SurfaceCase] = [
    SurfaceCase("/mentor help", "/mentor help", lambda bot, user, w: bot.command("help", user_id=user), _same_for_roster(HELP)),
    SurfaceCase(
        "App Home",
        EVENT_APP_HOME_OPENED,
        lambda bot, user, w: bot.open_home(user),
        {
            "resident": Expect("Leave the program"),
            "faculty": Expect("Leave the program"),
            "coordinator": Expect("Hi Casey Coordinator"),
            "not_on_roster": ROSTER,
        },
    ),
    SurfaceCase(
        "/mentor change",
        "/mentor change",
        lambda bot, user, w: bot.command("change", user_id=user),
        {"resident": Expect("Dr. Fran"), "faculty": Expect("Riley Resident"), "coordinator": NO_PAIRING, "not_on_roster": ROSTER},
    ),
    SurfaceCase(
        "/mentor withdraw",
        "/mentor withdraw",
        lambda bot, user, w: bot.command("withdraw", user_id=user),
        {"resident": NO_REASON, "faculty": NO_REASON, "coordinator": NOTHING_TO_LEAVE, "not_on_roster": ROSTER},
    ),
    SurfaceCase(
        "/mentor rejoin", "/mentor rejoin", lambda bot, user, w: bot.command("rejoin", user_id=user), _same_for_roster(ALREADY_IN)
    ),
    SurfaceCase(
        "change button on the App Home",
        ACTION_CHANGE,
        _home_click(ACTION_CHANGE),
        {"resident": Expect("Dr. Fran"), "faculty": Expect("Riley Resident"), "coordinator": NO_PAIRING, "not_on_roster": ROSTER},
    ),
    SurfaceCase(
        "change button naming someone else's pairing",
        ACTION_CHANGE,
        lambda bot, user, w: bot.click(ACTION_CHANGE, user_id=user, value=str(w.other_pairing)),
        _same_for_roster(NOT_YOURS),
    ),
    SurfaceCase(
        "withdraw button on the App Home",
        ACTION_WITHDRAW,
        _home_click(ACTION_WITHDRAW),
        {"resident": NO_REASON, "faculty": NO_REASON, "coordinator": NOTHING_TO_LEAVE, "not_on_roster": ROSTER},
    ),
    SurfaceCase("rejoin button on the App Home", ACTION_REJOIN, _home_click(ACTION_REJOIN), _same_for_roster(ALREADY_IN)),
    SurfaceCase(
        "change submitted for one's own pairing",
        VIEW_CHANGE,
        lambda bot, user, w: bot.submit(
            VIEW_CHANGE,
            user_id=user,
            values=change_values(),
            private_metadata=sealed({"k": "change", "u": user, "p": [w.own_pairing]}),
        ),
        {
            "resident": Expect("Your pairing with *Dr. Fran* has ended", writes=True),
            "faculty": Expect("Your pairing with *Riley Resident* has ended", writes=True),
            "coordinator": NOT_YOURS,
            "not_on_roster": ROSTER,
        },
    ),
    SurfaceCase(
        "change submitted naming someone else's pairing",
        VIEW_CHANGE,
        lambda bot, user, w: bot.submit(
            VIEW_CHANGE,
            user_id=user,
            values=change_values(),
            private_metadata=sealed({"k": "change", "u": user, "p": [w.other_pairing]}),
        ),
        _same_for_roster(NOT_YOURS),
    ),
    SurfaceCase(
        "change submitted with tampered private_metadata",
        VIEW_CHANGE,
        lambda bot, user, w: bot.submit(
            VIEW_CHANGE,
            user_id=user,
            values=change_values(),
            private_metadata=f'0000.{{"k":"change","p":[{w.other_pairing}],"u":"{user}"}}',
        ),
        dict.fromkeys(ROLES, TAMPERED),
    ),
    SurfaceCase(
        "withdrawal submitted",
        VIEW_WITHDRAW,
        lambda bot, user, w: bot.submit(
            VIEW_WITHDRAW,
            user_id=user,
            values=withdraw_values(note="private"),
            private_metadata=sealed({"k": "withdraw", "u": user}),
        ),
        {
            "resident": Expect("You've left the mentorship program", writes=True),
            "faculty": Expect("You've left the mentorship program", writes=True),
            "coordinator": NOTHING_TO_LEAVE,
            "not_on_roster": ROSTER,
        },
    ),
    SurfaceCase(
        "/mentor status",
        "/mentor status",
        lambda bot, user, w: bot.command("status", user_id=user),
        {"resident": Expect("<@UFRAN>"), "faculty": Expect("<@URILEY>"), "coordinator": NO_PAIRING, "not_on_roster": ROSTER},
    ),
    SurfaceCase(
        "/mentor met",
        "/mentor met",
        lambda bot, user, w: bot.command("met", user_id=user),
        {"resident": LOG_MEETING, "faculty": LOG_MEETING, "coordinator": NO_PAIRING, "not_on_roster": ROSTER},
    ),
    SurfaceCase(
        "We met button naming one's own pairing",
        ACTION_WE_MET,
        lambda bot, user, w: bot.click(ACTION_WE_MET, user_id=user, value=str(w.own_pairing)),
        {"resident": LOG_MEETING, "faculty": LOG_MEETING, "coordinator": NOT_YOURS, "not_on_roster": ROSTER},
    ),
    SurfaceCase(
        "We met button naming someone else's pairing",
        ACTION_WE_MET,
        lambda bot, user, w: bot.click(ACTION_WE_MET, user_id=user, value=str(w.other_pairing)),
        _same_for_roster(NOT_YOURS),
    ),
    SurfaceCase(
        "meeting logged for one's own pairing",
        VIEW_MEETING,
        lambda bot, user, w: bot.submit(
            VIEW_MEETING,
            user_id=user,
            values=_meeting_values(w.own_pairing),
            private_metadata=sealed({"k": "meeting", "u": user, "p": [w.own_pairing]}),
        ),
        {
            "resident": Expect("Saving", writes=True),
            "faculty": Expect("Saving", writes=True),
            "coordinator": Expect("isn't yours, so there's nothing to log"),
            "not_on_roster": Expect("isn't yours, so there's nothing to log"),
        },
    ),
    SurfaceCase(
        "meeting logged naming someone else's pairing",
        VIEW_MEETING,
        lambda bot, user, w: bot.submit(
            VIEW_MEETING,
            user_id=user,
            values=_meeting_values(w.other_pairing),
            private_metadata=sealed({"k": "meeting", "u": user, "p": [w.other_pairing]}),
        ),
        {role: Expect("isn't yours, so there's nothing to log") for role in ROLES},
    ),
    SurfaceCase(
        "meeting submitted with tampered private_metadata",
        VIEW_MEETING,
        lambda bot, user, w: bot.submit(
            VIEW_MEETING,
            user_id=user,
            values=_meeting_values(w.other_pairing),
            private_metadata=f'0000.{{"k":"meeting","p":[{w.other_pairing}],"u":"{user}"}}',
        ),
        dict.fromkeys(ROLES, TAMPERED),
    ),
    SurfaceCase(
        "Export button on the coordinator dashboard",
        ACTION_EXPORT,
        _home_click(ACTION_EXPORT),
        {
            "resident": COORDINATORS_ONLY,
            "faculty": COORDINATORS_ONLY,
            # The file goes to the coordinator's DM (tests/bot/test_reports.py checks the upload);
            # here: nothing is shown in place, and the export is audited.
            "coordinator": Expect("", writes=True),
            "not_on_roster": ROSTER,
        },
    ),
    SurfaceCase(
        "/mentor admin export",
        "/mentor admin export",
        lambda bot, user, w: bot.command("admin export 2026", user_id=user),
        {
            "resident": Expect("is for program coordinators"),
            "faculty": Expect("is for program coordinators"),
            "coordinator": Expect("are in your DM with me", writes=True),
            "not_on_roster": ROSTER,
        },
    ),
    SurfaceCase(
        "rematch now, on a coordinator alert",
        ACTION_RESOLVE_REMATCH,
        _dm_click(ACTION_RESOLVE_REMATCH),
        {
            "resident": COORDINATORS_ONLY,
            "faculty": COORDINATORS_ONLY,
            "coordinator": Expect("Done: you queued everyone involved for a new match", writes=True),
            "not_on_roster": ROSTER,
        },
    ),
    SurfaceCase(
        "close, on a coordinator alert",
        ACTION_RESOLVE_CLOSE,
        _dm_click(ACTION_RESOLVE_CLOSE),
        {
            "resident": COORDINATORS_ONLY,
            "faculty": COORDINATORS_ONLY,
            "coordinator": Expect("Done: you closed the request", writes=True),
            "not_on_roster": ROSTER,
        },
    ),
]


# --- matching (bot/listeners/preferences.py, proposals.py, rounds.py) ------------------------------
# Riley is paired, so has nobody to rank; faculty see the roster of residents. The proposal named in the
# review surfaces (999) does not exist, so a coordinator is told there is nothing to review.

FOR_RESIDENTS = Expect("This is for residents")
FOR_FACULTY = Expect("This is for faculty")
ADMIN_ONLY = Expect("is for program coordinators")
NO_OPTIONS = Expect('"options": []')
NOTHING_TO_REVIEW = Expect("no proposal waiting for review")
REVIEW_VIEW = {"type": "modal", "id": "VREVIEW", "callback_id": VIEW_PROPOSAL}


def _review_metadata(proposal_id: int = 999) -> str:
    return sealed({"k": "proposal", "p": proposal_id, "fp": "0" * 16})


def _by_role(resident: Expect, faculty: Expect, coordinator: Expect) -> dict[str, Expect]:
    return {"resident": resident, "faculty": faculty, "coordinator": coordinator, "not_on_roster": ROSTER}


def _suggest(action_id: str, metadata: str = "") -> Callable[[BotHarness, str, TableWorld], Reply]:
    view = {"private_metadata": metadata}
    return lambda bot, user, w: bot.suggest_reply(action_id, user_id=user, view=view)


HAS_MENTOR = Expect("You already have a mentor, Dr. Fran")
OFFER_FORM = Expect("Can you mentor a resident in")

SURFACES += [
    SurfaceCase(
        "/mentor request",
        "/mentor request",
        lambda bot, user, w: bot.command("request", user_id=user),
        _by_role(HAS_MENTOR, Expect("`/mentor request` is for residents"), Expect("`/mentor request` is for residents")),
    ),
    SurfaceCase(
        "/mentor offer",
        "/mentor offer",
        lambda bot, user, w: bot.command("offer", user_id=user),
        _by_role(Expect("`/mentor offer` is for faculty"), OFFER_FORM, Expect("`/mentor offer` is for faculty")),
    ),
    SurfaceCase(
        "preferences button on the App Home",
        ACTION_OPEN_REQUEST,
        _home_click(ACTION_OPEN_REQUEST),
        _by_role(HAS_MENTOR, FOR_RESIDENTS, FOR_RESIDENTS),
    ),
    SurfaceCase(
        "availability button on the App Home",
        ACTION_OPEN_OFFER,
        _home_click(ACTION_OPEN_OFFER),
        _by_role(FOR_FACULTY, OFFER_FORM, FOR_FACULTY),
    ),
    SurfaceCase(
        "preferences submitted",
        VIEW_REQUEST,
        lambda bot, user, w: bot.submit(VIEW_REQUEST, user_id=user, values=request_values([])),
        _by_role(HAS_MENTOR, FOR_RESIDENTS, FOR_RESIDENTS),
    ),
    SurfaceCase(
        "availability submitted",
        VIEW_OFFER,
        lambda bot, user, w: bot.submit(VIEW_OFFER, user_id=user, values=offer_values(available=True, capacity=1)),
        _by_role(FOR_FACULTY, Expect("Saving your answers", writes=True), FOR_FACULTY),
    ),
    SurfaceCase("faculty pick list", ACTION_PICK_MENTOR, _suggest(ACTION_PICK_MENTOR), dict.fromkeys(ROLES, NO_OPTIONS)),
    SurfaceCase(
        "resident pick list",
        ACTION_PICK_RESIDENT,
        _suggest(ACTION_PICK_RESIDENT),
        _by_role(NO_OPTIONS, Expect("Tess Resident"), NO_OPTIONS) | {"not_on_roster": NO_OPTIONS},
        shows_roster=True,
    ),
    SurfaceCase(
        "/mentor admin round open",
        "/mentor admin",
        lambda bot, user, w: bot.command("admin round open", user_id=user),
        _by_role(ADMIN_ONLY, ADMIN_ONLY, Expect("matching round is open", writes=True)),
    ),
    SurfaceCase(
        "dashboard: open a matching round",
        ACTION_OPEN_ROUND,
        _home_click(ACTION_OPEN_ROUND),
        _by_role(COORDINATORS_ONLY, COORDINATORS_ONLY, Expect("matching round is open", writes=True)),
    ),
    SurfaceCase(
        "dashboard: run the matcher",
        ACTION_RUN_MATCH,
        _home_click(ACTION_RUN_MATCH),
        _by_role(COORDINATORS_ONLY, COORDINATORS_ONLY, Expect("The matcher ran on the waiting list", writes=True)),
    ),
    SurfaceCase(
        "/mentor admin unpair",
        "/mentor admin",
        lambda bot, user, w: bot.command("admin unpair <@UTESS|tess>", user_id=user),
        _by_role(ADMIN_ONLY, ADMIN_ONLY, Expect("pairing with <@UGIL> has ended", writes=True)),
    ),
    SurfaceCase(
        "review button on a coordinator DM",
        ACTION_REVIEW_PROPOSAL,
        lambda bot, user, w: bot.click(ACTION_REVIEW_PROPOSAL, user_id=user, value="999"),
        _by_role(COORDINATORS_ONLY, COORDINATORS_ONLY, NOTHING_TO_REVIEW),
    ),
    SurfaceCase(
        "reassign in the review",
        ACTION_REASSIGN,
        lambda bot, user, w: bot.click(
            ACTION_REASSIGN, user_id=user, response_url=None, view=REVIEW_VIEW | {"private_metadata": _review_metadata()}
        ),
        _by_role(COORDINATORS_ONLY, COORDINATORS_ONLY, NOTHING_TO_REVIEW),
    ),
    SurfaceCase(
        "proposal approved",
        VIEW_PROPOSAL,
        lambda bot, user, w: bot.submit(VIEW_PROPOSAL, user_id=user, values={}, private_metadata=_review_metadata()),
        _by_role(COORDINATORS_ONLY, COORDINATORS_ONLY, Expect("Approving the pairs")),
    ),
    SurfaceCase(
        "proposal approved with tampered private_metadata",
        VIEW_PROPOSAL,
        lambda bot, user, w: bot.submit(
            VIEW_PROPOSAL, user_id=user, values={}, private_metadata='0000.{"fp":"x","k":"proposal","p":1}'
        ),
        _by_role(COORDINATORS_ONLY, COORDINATORS_ONLY, TAMPERED),
    ),
    SurfaceCase(
        "review's resident pick list",
        ACTION_PICK_PROPOSAL_RESIDENT,
        _suggest(ACTION_PICK_PROPOSAL_RESIDENT, _review_metadata()),
        dict.fromkeys(ROLES, NO_OPTIONS),
    ),
    SurfaceCase(
        "review's mentor pick list",
        ACTION_PICK_PROPOSAL_MENTOR,
        _suggest(ACTION_PICK_PROPOSAL_MENTOR, _review_metadata()),
        _by_role(NO_OPTIONS, NO_OPTIONS, Expect("Leave unmatched")) | {"not_on_roster": NO_OPTIONS},
    ),
]


# --- pauses (bot/listeners/pauses.py) ---------------------------------------------------------------
# Riley and Dr. Fran may pause their own pairing; nobody may pause another's, and `resume` only ever
# ends the caller's own pause (so it has nothing to end here).

PAUSE_FORM = Expect("Pause your mentoring meetings with")
NOTHING_TO_PAUSE = Expect("so there's nothing to pause")
NOTHING_PAUSED = Expect("Nothing is paused right now")


def _pause_values() -> dict:
    return {"pause_length": {"pause_length": {"type": "radio_buttons", "selected_option": {"value": "two_weeks"}}}}


SURFACES += [
    SurfaceCase(
        "/mentor pause",
        "/mentor pause",
        lambda bot, user, w: bot.command("pause", user_id=user),
        _by_role(PAUSE_FORM, PAUSE_FORM, NOTHING_TO_PAUSE),
    ),
    SurfaceCase(
        "/mentor resume",
        "/mentor resume",
        lambda bot, user, w: bot.command("resume", user_id=user),
        _same_for_roster(NOTHING_PAUSED),
    ),
    SurfaceCase(
        "pause button naming one's own pairing",
        ACTION_PAUSE,
        _home_click(ACTION_PAUSE, "OWN"),
        _by_role(PAUSE_FORM, PAUSE_FORM, NOT_YOURS),
    ),
    SurfaceCase(
        "pause button naming someone else's pairing",
        ACTION_PAUSE,
        lambda bot, user, w: bot.click(ACTION_PAUSE, user_id=user, value=str(w.other_pairing)),
        _same_for_roster(NOT_YOURS),
    ),
    SurfaceCase(
        "resume button on the App Home", ACTION_RESUME, _home_click(ACTION_RESUME, "OWN"), _same_for_roster(NOTHING_PAUSED)
    ),
    SurfaceCase(
        "pause submitted for one's own pairing",
        VIEW_PAUSE,
        lambda bot, user, w: bot.submit(
            VIEW_PAUSE,
            user_id=user,
            values=_pause_values(),
            private_metadata=sealed({"k": "pause", "u": user, "p": [w.own_pairing]}),
        ),
        _by_role(
            Expect("back on *Wed, Dec 9, 2026*", writes=True),
            Expect("back on *Wed, Dec 9, 2026*", writes=True),
            Expect("isn't yours, so there's nothing to pause"),
        ),
    ),
    SurfaceCase(
        "pause submitted with tampered private_metadata",
        VIEW_PAUSE,
        lambda bot, user, w: bot.submit(
            VIEW_PAUSE,
            user_id=user,
            values=_pause_values(),
            private_metadata=f'0000.{{"k":"pause","p":[{w.other_pairing}],"u":"{user}"}}',
        ),
        dict.fromkeys(ROLES, TAMPERED),
    ),
]


# --- planning a meeting (bot/listeners/meeting_plans.py) -------------------------------------------

PLAN_FORM = Expect("When will you meet")


def _plan_values() -> dict:
    return {"plan_day": {"plan_day": {"type": "datepicker", "selected_date": "2026-12-02"}}}


SURFACES += [
    SurfaceCase(
        "/mentor plan",
        "/mentor plan",
        lambda bot, user, w: bot.command("plan", user_id=user),
        _by_role(PLAN_FORM, PLAN_FORM, Expect("no meeting to plan")),
    ),
    SurfaceCase(
        "Plan a meeting naming one's own pairing",
        ACTION_PLAN,
        _home_click(ACTION_PLAN, "OWN"),
        _by_role(PLAN_FORM, PLAN_FORM, NOT_YOURS),
    ),
    SurfaceCase(
        "Plan a meeting naming someone else's pairing",
        ACTION_PLAN,
        lambda bot, user, w: bot.click(ACTION_PLAN, user_id=user, value=str(w.other_pairing)),
        _same_for_roster(NOT_YOURS),
    ),
    SurfaceCase(
        "plan submitted for one's own pairing",
        VIEW_PLAN,
        lambda bot, user, w: bot.submit(
            VIEW_PLAN,
            user_id=user,
            values=_plan_values(),
            private_metadata=sealed({"k": "plan", "u": user, "p": [w.own_pairing]}),
        ),
        _by_role(
            Expect("Wed, Dec 2, 2026, with calendar links", writes=True),
            Expect("Wed, Dec 2, 2026, with calendar links", writes=True),
            Expect("isn't yours, so there's nothing to plan"),
        ),
    ),
    SurfaceCase(
        "plan submitted with tampered private_metadata",
        VIEW_PLAN,
        lambda bot, user, w: bot.submit(
            VIEW_PLAN,
            user_id=user,
            values=_plan_values(),
            private_metadata=f'0000.{{"k":"plan","p":[{w.other_pairing}],"u":"{user}"}}',
        ),
        dict.fromkeys(ROLES, TAMPERED),
    ),
]


# --- check-ins (bot/listeners/check_ins.py) -----------------------------------------------------------
# Riley and Dr. Fran each have a check-in about their meeting; Tess has one too, and wrote a note that
# only coordinators outside her pairing may mark read.

NOT_YOUR_CHECK_IN = NOT_YOURS
CHECK_IN_FORM = Expect("How useful was your meeting with")


def _own_check_in(action_id: str) -> Callable[[BotHarness, str, TableWorld], Reply]:
    return lambda bot, user, w: bot.click(action_id, user_id=user, value=str(w.check_ins.get(user, w.check_ins["URILEY"])))


def _check_in_values() -> dict:
    return {"check_in_score": {"check_in_score": {"type": "radio_buttons", "selected_option": {"value": "4"}}}}


SURFACES += [
    SurfaceCase(
        "Answer on one's own check-in",
        ACTION_CHECK_IN,
        _own_check_in(ACTION_CHECK_IN),
        _by_role(CHECK_IN_FORM, CHECK_IN_FORM, NOT_YOURS),
    ),
    SurfaceCase(
        "Answer on someone else's check-in",
        ACTION_CHECK_IN,
        lambda bot, user, w: bot.click(ACTION_CHECK_IN, user_id=user, value=str(w.other_check_in)),
        _same_for_roster(NOT_YOURS),
    ),
    SurfaceCase(
        "the ending check-in on the neutral notice, with no pairing ended",
        ACTION_CHECK_IN,
        lambda bot, user, w: bot.click(ACTION_CHECK_IN, user_id=user),
        _same_for_roster(Expect("no check-in waiting for you")),
    ),
    SurfaceCase(
        "Skip on one's own check-in",
        ACTION_CHECK_IN_SKIP,
        _own_check_in(ACTION_CHECK_IN_SKIP),
        _by_role(Expect("nothing was recorded", writes=True), Expect("nothing was recorded", writes=True), NOT_YOURS),
    ),
    SurfaceCase(
        "Skip on someone else's check-in",
        ACTION_CHECK_IN_SKIP,
        lambda bot, user, w: bot.click(ACTION_CHECK_IN_SKIP, user_id=user, value=str(w.other_check_in)),
        _same_for_roster(NOT_YOURS),
    ),
    SurfaceCase(
        "check-in submitted",
        VIEW_CHECK_IN,
        lambda bot, user, w: bot.submit(
            VIEW_CHECK_IN,
            user_id=user,
            values=_check_in_values(),
            private_metadata=sealed({"k": "check_in", "u": user, "p": w.check_ins.get(user, w.check_ins["URILEY"])}),
        ),
        _by_role(Expect("Saving", writes=True), Expect("Saving", writes=True), NOT_YOURS),
    ),
    SurfaceCase(
        "check-in submitted with tampered private_metadata",
        VIEW_CHECK_IN,
        lambda bot, user, w: bot.submit(
            VIEW_CHECK_IN,
            user_id=user,
            values=_check_in_values(),
            private_metadata=f'0000.{{"k":"check_in","p":{w.other_check_in},"u":"{user}"}}',
        ),
        dict.fromkeys(ROLES, TAMPERED),
    ),
    SurfaceCase(
        "Mark as read, on a coordinator's check-in note",
        ACTION_NOTE_READ,
        lambda bot, user, w: bot.click(ACTION_NOTE_READ, user_id=user, value=str(w.other_note)),
        _by_role(COORDINATORS_ONLY, COORDINATORS_ONLY, Expect("Marked read. Its text is deleted", writes=True)),
    ),
]


@pytest.fixture
def table_world(arrange, fake_slack, clock) -> TableWorld:
    with arrange() as session:
        program = factories.program(session)
        add = lambda role, name, uid: factories.person(session, program, role=role, name=name, slack_user_id=uid)  # noqa: E731
        add(Role.COORDINATOR, "Casey Coordinator", "UCASEY")
        fran, riley = add(Role.FACULTY, "Dr. Fran", "UFRAN"), add(Role.RESIDENT, "Riley Resident", "URILEY")
        gil, tess = add(Role.FACULTY, "Dr. Gil", "UGIL"), add(Role.RESIDENT, "Tess Resident", "UTESS")
        hal, sam = add(Role.FACULTY, "Dr. Hal", "UHAL"), add(Role.RESIDENT, "Sam Resident", "USAM")
        own = factories.pairing(session, program, mentor=fran, resident=riley).id
        other = factories.pairing(session, program, mentor=gil, resident=tess).id
        sams = factories.pairing(session, program, mentor=hal, resident=sam).id
        request = changes.request_change(
            session, actor=Actor.of(sam), pairing_id=sams, note="only coordinators", rematch=True, now=clock()
        )
        asked = {
            person: check_ins.ask(
                session,
                program=program,
                person=person,
                pairing_id=pairing_id,
                kind=CheckInKind.MEETING,
                subject_on=date(2026, 11, 20),
                now=clock(),
            )
            for person, pairing_id in ((riley, own), (fran, own), (tess, other))
        }
        tess_note = check_ins.answer(session, prompt_id=check_ins.ask(
            session, program=program, person=tess, pairing_id=other, kind=CheckInKind.QUARTERLY, subject_on=date(2026, 7, 1),
            now=clock()).id, person=tess, score=3, text="only coordinators", now=clock()).note  # fmt: skip
        world = TableWorld(
            own, other, request.summary.request_id,
            check_ins={"URILEY": asked[riley].id, "UFRAN": asked[fran].id}, other_check_in=asked[tess].id, other_note=tess_note.id,
        )  # fmt: skip
    for uid in USERS.values():
        fake_slack.add_user(uid, name=uid.lower())
    return world


# Access decisions do not depend on the database engine (storage tests cover both): SQLite only.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", SURFACES, ids=str)
def test_surface_as_role(case: SurfaceCase, role: str, bot, table_world, fake_slack, session_factory):
    user = USERS[role]
    expected = case.expect[role]
    before = snapshot(session_factory)

    seen = observe(fake_slack, lambda: case.run(bot, user, table_world))

    assert seen.reply.status == 200
    assert expected.shows in seen.text, f"{case.name} as {role} showed:\n{seen.text}"
    changed = snapshot(session_factory) != before
    assert changed == expected.writes, f"{case.name} as {role}: database {'changed' if changed else 'unchanged'}"
    for hidden in () if case.shows_roster else HIDDEN_FROM[role]:
        assert hidden not in seen.text, f"{case.name} showed {hidden!r} to a {role}"
    posted = [c for c in seen.calls if c.method in ("chat.postMessage", "chat.postEphemeral")]
    assert posted == [], "a direct answer is ephemeral or a modal; everything else goes through the outbox"
    for call in seen.calls:
        if call.method == "response_url":
            assert call.args.get("response_type") == "ephemeral" or call.args.get("replace_original"), call.args


def test_every_policy_surface_is_in_the_table():
    assert set(POLICY) <= {case.surface for case in SURFACES}


def test_every_roster_role_is_a_person_in_the_table(table_world, session_factory):
    with session_scope(session_factory) as session:
        roles = {p.slack_user_id: p.role for p in session.scalars(select(Person))}
    assert (roles["URILEY"], roles["UFRAN"], roles["UCASEY"]) == (Role.RESIDENT, Role.FACULTY, Role.COORDINATOR)
    assert "USTRANGER" not in roles


# --- the program dimension ---------------------------------------------------------------------------
# Surgery is a second program in the same workspace, with its own coordinator, faculty, resident and
# pairing. Every surface above, used by each of them on internal medicine's people, pairings, requests,
# check-ins and notes (the same payloads), shows nothing of internal medicine and changes nothing of it.

OTHER_PROGRAM_USERS = {"surgery coordinator": "UPATSURG", "surgery faculty": "UXUSURG", "surgery resident": "UIVYSURG"}
INTERNAL_MEDICINE_NAMES = (
    "Riley Resident",
    "Dr. Fran",
    "Dr. Gil",
    "Tess Resident",
    "Sam Resident",
    "Dr. Hal",
    "Casey Coordinator",
)


@pytest.fixture
def surgery(table_world, arrange, fake_slack) -> int:
    with arrange() as session:
        medicine = session.scalars(select(Program)).one()
        program = add_program(
            session, team_id=medicine.team_id, handle="surgery", name="General Surgery", options=ProgramOptions(),
            now=factories.EPOCH, actor_label="test",
        )  # fmt: skip
        add = lambda role, name, uid: factories.person(session, program, role=role, name=name, slack_user_id=uid)  # noqa: E731
        add(Role.COORDINATOR, "Pat Surgery", "UPATSURG")
        xu, ivy = add(Role.FACULTY, "Dr. Xu", "UXUSURG"), add(Role.RESIDENT, "Ivy Intern", "UIVYSURG")
        factories.pairing(session, program, mentor=xu, resident=ivy)
        medicine_id = medicine.id
    for uid in OTHER_PROGRAM_USERS.values():
        fake_slack.add_user(uid, name=uid.lower())
    return medicine_id


def _program_rows(session_factory, program_id: int) -> dict[str, list[tuple]]:
    """Every row of one program: tables with a program_id, and those hanging off its pairings."""
    rows: dict[str, list[tuple]] = {}
    with session_scope(session_factory) as session:
        for table in Base.metadata.sorted_tables:
            if "program_id" in table.c:
                query = select(table).where(table.c.program_id == program_id)
            elif "pairing_id" in table.c:
                query = (
                    select(table)
                    .join(Pairing.__table__, Pairing.__table__.c.id == table.c.pairing_id)
                    .where(Pairing.__table__.c.program_id == program_id)
                )
            else:
                continue
            rows[table.name] = sorted((tuple(r) for r in session.execute(query)), key=repr)
    return rows


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("someone", OTHER_PROGRAM_USERS)
@pytest.mark.parametrize("case", SURFACES, ids=str)
def test_surface_as_someone_of_another_program(
    case: SurfaceCase, someone: str, bot, table_world, surgery, fake_slack, session_factory
):
    before = _program_rows(session_factory, surgery)

    seen = observe(fake_slack, lambda: case.run(bot, OTHER_PROGRAM_USERS[someone], table_world))

    assert seen.reply.status == 200
    for name in INTERNAL_MEDICINE_NAMES:
        assert name not in seen.text, f"{case.name} showed {name!r} to the {someone}"
    assert _program_rows(session_factory, surgery) == before, f"{case.name} by the {someone} changed internal medicine"
    posted = [c for c in seen.calls if c.method in ("chat.postMessage", "chat.postEphemeral")]
    assert posted == []

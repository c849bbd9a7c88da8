"""Every interactive element the bot renders has a listener (issue 9, class 4).

The walk:
1. Every public function in `views/` that builds Block Kit (it returns a view, a message, blocks or
   a private answer) is found by reading the modules, and rendered with sample arguments chosen by
   the parameters' types: every member of an enum, both booleans, with and without each optional
   value, one parameter varied at a time. A new view function whose parameter type has no sample
   fails here until one is added, so nothing the bot can say is left out.
2. Every `action_id` of a button, select or overflow outside an input block, every external
   select's `action_id` (its options are loaded from the bot) and every submittable modal's
   `callback_id` is collected.
3. Each must be matched by a listener registered in the real Bolt app (its matchers are asked),
   must be listed in the access policy, and, sent signed by the role it is meant for, must not get
   Bolt's 404 "unhandled request".
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import json
import pkgutil
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

import views
from bot.access import POLICY
from bot.kit import AUDIENCE, Audience
from mentoring.access import Reach
from mentoring.meeting_guides import Guide
from mentoring.nudges import NudgeKind
from mentoring.pauses import PauseLength
from mentoring.preferences import Choice
from sandbox import slack_requests as slack
from sandbox.fake_slack import FakeSlack, block_problems, view_problems
from storage.change_requests import RequestSummary, Resolution
from storage.models import Person, Proposal, RequestKind, Role
from storage.my_pairings import MyPairing, PersonHome, my_pairings, person_home
from storage.proposals import ProposalReview, review_of
from storage.reports import ProgramSnapshot, QuarterReport, program_snapshot, quarter_report
from storage.roster import PersonRef, ProgramRef
from tests.support import sample_program
from tests.support.harness import BotHarness
from views.common import PrivateAnswer
from views.help import CommandLine
from views.meeting_plans import PlanChoice
from views.pauses import PauseChoice, PausedLine
from views.preferences import Picked

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
TODAY = NOW.date()

# Modules of generic builders (their ids come from the callers rendered here) and of no Block Kit.
NOT_VIEWS = {"views.common", "views.private_metadata", "views.ids"}
BUILDS = ("dict[str, typing.Any]", "list[dict[str, typing.Any]]", "PrivateAnswer")
# Elements whose click reaches the app as block_actions (outside an input block).
CLICKABLE = {
    "button", "overflow", "static_select", "external_select", "users_select", "conversations_select",
    "channels_select", "multi_static_select", "multi_external_select", "datepicker", "timepicker",
    "radio_buttons", "checkboxes",
}  # fmt: skip
EXTERNAL = {"external_select", "multi_external_select"}


# --- 1. the view functions -----------------------------------------------------------------------


def view_builders() -> list[Callable[..., Any]]:
    found = []
    for info in pkgutil.iter_modules(views.__path__):
        module = importlib.import_module(f"views.{info.name}")
        if module.__name__ in NOT_VIEWS:
            continue
        for name, function in sorted(vars(module).items()):
            if name.startswith("_") or not inspect.isfunction(function) or function.__module__ != module.__name__:
                continue
            returns = str(typing.get_type_hints(function).get("return"))
            if any(kind in returns for kind in BUILDS):
                found.append(function)
    return found


def qualified(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__name__}"


class Samples:
    """Values for each parameter type (first one: the default), some read from a sample program."""

    def __init__(
        self, by_type: dict[Any, list[Any]], by_name: dict[str, list[Any]], by_function: dict[str, dict[str, list[Any]]]
    ) -> None:
        self.by_type, self.by_name, self.by_function = by_type, by_name, by_function

    def of(self, name: str, hint: Any) -> list[Any]:
        if name in self.by_name:
            return self.by_name[name]
        if hint in self.by_type:
            return self.by_type[hint]
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (types.UnionType, typing.Union) and type(None) in args:
            (inner,) = [a for a in args if a is not type(None)]
            return [*self.of(name, inner), None]
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return list(hint)
        if origin in (list, Sequence, tuple) and args and (origin is not tuple or args[-1] is Ellipsis or len(args) == 1):
            items = self.of(name, args[0])
            return [list(items[:1]), list(items[:2]) if len(items) > 1 else list(items) * 2]
        if origin is tuple:
            return [tuple(self.of(name, a)[0] for a in args)]
        raise LookupError(f"no sample for parameter {name}: {hint}")

    def calls(self, function: Callable[..., Any]) -> Iterator[dict[str, Any]]:
        """The default call, then each parameter varied in turn."""
        hints = {n: h for n, h in typing.get_type_hints(function).items() if n != "return"}
        special = self.by_function.get(qualified(function), {})
        variants = {name: special.get(name) or self.of(name, hint) for name, hint in hints.items()}
        default = {name: values[0] for name, values in variants.items()}
        yield default
        for name, values in variants.items():
            for value in values[1:]:
                yield default | {name: value}


def ref(name: str, uid: str, role: Role, person_id: int = 1) -> PersonRef:
    return PersonRef(person_id=person_id, name=name, slack_user_id=uid, role=role)


def sample_values(session_factory: Any, sample: sample_program.SampleProgram) -> Samples:
    riley, fran = ref("Riley Chen", "URES1", Role.RESIDENT, 8), ref("Dr. Fran Ortiz", "UFAC1", Role.FACULTY, 2)
    summary = RequestSummary(
        request_id=5, kind=RequestKind.CHANGE, requester=riley, counterparts=(fran,), note="a note",
        requester_rematch=True, queued=(fran, riley),
    )  # fmt: skip
    summaries = [
        summary,
        dataclasses.replace(
            summary, kind=RequestKind.WITHDRAW, requester_rematch=False, queued=(fran,), removed_from_proposal=True
        ),
        dataclasses.replace(summary, kind=RequestKind.WITHDRAW, counterparts=(), queued=(), note=None),
        dataclasses.replace(summary, requester_rematch=False, note=None),
        dataclasses.replace(summary, pairing_had_ended=True, queued=()),
        dataclasses.replace(summary, note=None, resolution=Resolution.CLOSE, resolved_by="Casey", resolved_on=TODAY),
        dataclasses.replace(summary, note=None, resolution=Resolution.REMATCH, resolved_by="Casey", resolved_on=TODAY),
    ]
    with session_factory() as session:
        program = sample_program.program(session, sample)
        person = lambda uid: session.get(Person, sample.people[uid])  # noqa: E731
        snapshot = program_snapshot(session, program=program, now=NOW)
        report = quarter_report(session, program=program, quarter=snapshot.quarter, today=TODAY)
        homes = [person_home(session, person=person(uid), program=program) for uid in ("URES1", "UFAC1", "UFAC5", "URES8")]
        pairings = my_pairings(session, person_id=sample.people["UFAC1"]) + my_pairings(session, person_id=sample.people["URES3"])
        proposal = session.query(Proposal).filter_by(program_id=program.id).one()
        review = review_of(session, proposal=proposal)
    paused = [dataclasses.replace(pairings[0], paused_until=date(2026, 12, 20), paused_by_me=b) for b in (True, False)]
    withdrawn = PersonHome(role=Role.RESIDENT, withdrawn=True, pairings=(), waiting_since=None)
    return Samples(
        by_type={
            str: ["Dr. Sam Lee & <Co>"],
            int: [2, 1, 0],
            bool: [True, False],
            bytes: [b"k" * 32],
            date: [date(2026, 11, 2), TODAY, date(2026, 12, 20)],
            dict[str, typing.Any]: [{}],
            ProgramSnapshot: [snapshot],
            QuarterReport: [report],
            PersonHome: [*homes, withdrawn],
            MyPairing: [*pairings, *paused],
            ProposalReview: [review],
            RequestSummary: summaries,
            PersonRef: [riley, fran],
            ProgramRef: [ProgramRef(1, "residency-mentorship", "Internal Medicine"), ProgramRef(2, "im-peer", "IM peer")],
            CommandLine: [CommandLine("help", "this list"), CommandLine("admin …", "run the program")],
            Guide: [Guide("First meeting", ("Get to know each other", "Agree how often to meet"))],
            PlanChoice: [PlanChoice(1, "Riley Chen", date(2027, 1, 2)), PlanChoice(2, "Alex Novak", date(2027, 2, 2))],
            PauseChoice: [PauseChoice(1, "Riley Chen"), PauseChoice(2, "Alex Novak")],
            PausedLine: [PausedLine("Riley Chen", date(2026, 12, 20), None, False), PausedLine("Alex", None, TODAY, True)],
            Picked: [Picked(2, "Dr. Fran Ortiz (Cardiology)"), Picked(3, "Dr. Sam Lee")],
            Choice: [Choice("cardiology", "Cardiology"), Choice("nephrology", "Nephrology")],
            dict[PauseLength, date]: [{length: date(2026, 12, 9) for length in PauseLength}],
        },
        by_name={"source": ["the 2026–27 round", "the waiting list"], "private_metadata": ["sealed"]},
        # Kinds a function refuses by design (an escalation is worded for coordinators elsewhere).
        by_function={"views.meetings.nudge_message": {"kind": [k for k in NudgeKind if k is not NudgeKind.ESCALATION]}},
    )


# --- 2. the ids in what they render ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Element:
    kind: str  # "click", "options" or "submit"
    id: str
    value: str | None = None


def elements(rendered: Any, *, in_input: bool = False) -> Iterator[Element]:
    if isinstance(rendered, PrivateAnswer):
        yield from elements(rendered.message)
        yield from elements(rendered.modal)
        return
    if isinstance(rendered, list):
        for item in rendered:
            yield from elements(item, in_input=in_input)
        return
    if not isinstance(rendered, dict):
        return
    kind = rendered.get("type")
    if kind == "modal" and rendered.get("submit"):
        assert rendered.get("callback_id"), f"a submittable modal without a callback_id: {rendered.get('title')}"
        yield Element("submit", rendered["callback_id"])
    if kind in CLICKABLE and "action_id" in rendered:
        if kind in EXTERNAL:
            yield Element("options", rendered["action_id"])
        if not in_input or rendered.get("dispatch_action"):
            yield Element("click", rendered["action_id"], rendered.get("value"))
    for value in rendered.values():
        yield from elements(value, in_input=in_input or kind == "input")


def check_valid(function: Callable[..., Any], rendered: Any) -> None:
    """What it renders, Slack would accept."""
    if isinstance(rendered, PrivateAnswer):
        check_valid(function, rendered.message)
        check_valid(function, rendered.modal)
    elif isinstance(rendered, dict) and rendered.get("type") in ("modal", "home"):
        assert view_problems(rendered, expected_type=rendered["type"]) == [], qualified(function)
    elif isinstance(rendered, dict) and "blocks" in rendered:
        assert rendered.get("text"), f"{qualified(function)}: a message needs text for notifications"
        assert block_problems(rendered["blocks"], limit=50) == [], qualified(function)


@pytest.fixture
def sample(arrange):
    with arrange() as session:
        return sample_program.build(session, meetings_through=TODAY)


@pytest.fixture
def rendered_elements(session_factory, sample) -> dict[Element, set[str]]:
    """Every element rendered by any view function, with the functions that render it."""
    samples = sample_values(session_factory, sample)
    found: dict[Element, set[str]] = {}
    missing = []
    for function in view_builders():
        try:
            calls = list(samples.calls(function))
        except LookupError as error:
            missing.append(f"{qualified(function)}: {error}")
            continue
        for kwargs in calls:
            rendered = function(**kwargs)
            check_valid(function, rendered)
            for element in elements(rendered):
                found.setdefault(element, set()).add(qualified(function))
    assert missing == [], "view functions this test cannot render yet (add a sample):\n" + "\n".join(missing)
    return found


def test_the_walk_finds_every_view_function_and_the_dashboard_buttons(rendered_elements):
    builders = {qualified(f) for f in view_builders()}
    assert {"views.home.home_view", "views.changes.coordinator_alert", "views.meetings.nudge_message"} <= builders
    assert len(builders) > 80
    ids = {e.id for e in rendered_elements}
    assert {"admin.round_open", "admin.match", "admin.export", "request.pick_mentor", "change.submit"} <= ids


# --- 3. a listener for each -----------------------------------------------------------------------


def request_for(element: Element, user_id: str = "UCOORD1") -> BoltRequest:
    if element.kind == "click":
        body, content_type = slack.block_actions(element.id, user_id=user_id, value=element.value, response_url="")
    elif element.kind == "options":
        body, content_type = slack.block_suggestion(element.id, user_id=user_id, value="")
    else:
        body, content_type = slack.view_submission(element.id, user_id=user_id, values={})
    return BoltRequest(body=body, headers={"content-type": content_type})


def listeners_for(bot: BotHarness, element: Element) -> list[Any]:
    request = request_for(element)
    return [listener for listener in bot.app._listeners if listener.matches(req=request, resp=BoltResponse(status=200))]


def test_every_rendered_element_has_a_registered_listener(bot, rendered_elements):
    unhandled = [
        f"{element.kind} {element.id!r} (rendered by {', '.join(sorted(where))})"
        for element, where in sorted(rendered_elements.items(), key=lambda item: str(item[0]))
        if not listeners_for(bot, element)
    ]
    assert unhandled == [], "rendered, but no listener in the Bolt app:\n" + "\n".join(unhandled)


def test_every_rendered_element_is_in_the_access_policy(rendered_elements):
    unlisted = sorted({e.id for e in rendered_elements if e.id not in POLICY})
    assert unlisted == [], f"rendered, with a listener, but bot/access.py POLICY does not say who may use it: {unlisted}"


def role_for(surface: str) -> str:
    """The Slack user of the sample program meant to use `surface`."""
    audience = AUDIENCE.get(surface)
    if audience is Audience.RESIDENTS:
        return "URES8"  # without a mentor: may ask for one
    if audience is Audience.FACULTY:
        return "UFAC5"
    if POLICY.get(surface) in (Reach.PROGRAM, Reach.PROGRAM_NOT_PARTY):
        return "UCOORD1"
    return "URES1"


def test_each_element_used_by_its_role_is_answered_not_404(bot, rendered_elements, fake_slack: FakeSlack):
    refused = []
    for element in sorted(set(rendered_elements), key=str):
        user = role_for(element.id)
        if element.kind == "click":
            reply = bot.click(element.id, user_id=user, value=element.value)
        elif element.kind == "options":
            reply = bot.suggest_reply(element.id, user_id=user)
        else:
            reply = bot.submit(element.id, user_id=user, values={})
        if reply.status == 404 or "unhandled" in reply.ack:
            refused.append(f"{element.kind} {element.id!r} as {user}: {reply.status} {reply.ack}")
    assert refused == []


def test_the_dashboard_buttons_that_act_on_everyone_ask_first(rendered_elements, session_factory, sample):
    samples = sample_values(session_factory, sample)
    from views.home import dashboard_buttons

    buttons = {b["action_id"]: b for b in dashboard_buttons(samples.by_type[ProgramSnapshot][0])}
    for action_id in ("admin.round_open", "admin.match"):
        confirm = buttons[action_id].get("confirm")
        assert confirm and confirm["confirm"]["text"] and confirm["deny"]["text"] == "Cancel", action_id
    assert json.dumps(buttons["admin.match"]["confirm"]).count("replaced") == 1
    assert "confirm" not in buttons["admin.export"]  # sends a file to the coordinator only: nothing to undo

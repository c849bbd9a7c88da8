"""The listener kit: what every feature's listeners are built from.

- `resolve_actor`, Bolt middleware: puts `Who` in each request's context; it looks the caller up
  on the roster once (from Slack's signed user and team, never the payload's other fields), the
  first time a listener asks, so commands and clicks still ack before touching the database.
- `on_click`: a button. Ack at once; the feature's handler runs after the ack with a `Click`,
  which answers privately wherever the click came from. A failure is apologised for, privately.
- `on_submit`: a modal submission. The feature's check runs before the ack (a quick read) and
  says what the ack shows and what work follows it (`Verdict`); the work runs after the ack, and
  its outcome (`Done`) replaces the modal and refreshes the App Homes it changed.
- `on_options`: an external select's options, for someone the access policy lets use it.
- `first_delivery`: a command, a click or an event does its work once, however many times the
  same signed request arrives (a replay within Slack's five minutes, Slack's own retry, the same
  request at two replicas). Modal submissions have their own guard, on the view's id.
- Several programs: someone in more than one acts in one program per request. A click or form
  names its program (`views/programs.py` stamps it when the button or form was made for them);
  `Who.choose` takes it, checked against their own memberships, and everything that request
  shows them is headed by that program's name, its buttons and forms stamped again.

Feature modules (bot/listeners/) hold their handlers as module-level functions and wire them in
a short `register(ctx)`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from slack_bolt import Ack, App, BoltContext, Respond
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.access import Audience, allows, authorize
from bot.commands import CommandRouter
from bot.home import HomePublisher
from bot.payloads import malformed
from bot.runtime import Services
from mentoring.access import Refusal
from storage.roster import Actor, Lookup, ProgramRef, lookup_actor
from storage.workspaces import workspace_key
from views import ids
from views.access import refusal_text
from views.common import PrivateAnswer, View, notice_modal
from views.help import something_went_wrong_message
from views.private_metadata import unseal
from views.programs import for_program, read_stamp, view_for_program

log = logging.getLogger(__name__)

WHO = "mentorbot_who"  # the context key
QUERY_MAX_CHARS = 100

# Surfaces meant for one role, beyond what POLICY says about whose data they reach.
AUDIENCE = {
    ids.ACTION_OPEN_REQUEST: Audience.RESIDENTS,
    ids.VIEW_REQUEST: Audience.RESIDENTS,
    ids.ACTION_PICK_MENTOR: Audience.RESIDENTS,
    ids.ACTION_OPEN_OFFER: Audience.FACULTY,
    ids.VIEW_OFFER: Audience.FACULTY,
    ids.ACTION_PICK_RESIDENT: Audience.FACULTY,
}
ROLE_REFUSALS = {
    Audience.RESIDENTS: "This is for residents, so nothing was done.",
    Audience.FACULTY: "This is for faculty, so nothing was done.",
}


# --- who is asking ---------------------------------------------------------------------------


class Who:
    """The caller of one request, looked up on the roster at most once (on first use)."""

    def __init__(self, services: Services, *, team_id: str | None, user_id: str | None) -> None:
        self._services, self.team_id, self.user_id = services, team_id, user_id
        self._lock = threading.Lock()
        self._lookup: Lookup | None = None
        self._program_id: int | None = None  # the program this request is about, once chosen

    @property
    def everywhere(self) -> Lookup:
        """Every membership of the caller, whichever program this request is about."""
        with self._lock:
            if self._lookup is None:
                if not self.team_id or not self.user_id:
                    self._lookup = Lookup(actor=None, program_id=None, coordinator_user_ids=())
                else:
                    with self._services.reading() as session:
                        self._lookup = lookup_actor(session, team_id=self.team_id, user_id=self.user_id)
            return self._lookup

    @property
    def lookup(self) -> Lookup:
        """The caller in the program this request is about (their first unless one was chosen)."""
        everywhere = self.everywhere
        return everywhere if self._program_id is None else everywhere.in_program(self._program_id)

    def choose(self, program_id: int) -> None:
        """This request is about `program_id`: the caller acts through their membership there,
        or (when they have none) as someone on no roster."""
        self._program_id = program_id

    @property
    def program(self) -> ProgramRef | None:
        """The program to name in what this request shows, for someone in several; else None."""
        lookup = self.lookup
        if not lookup.several or lookup.actor is None:
            return None
        return lookup.program(lookup.actor.program_id)

    def client_for(self, client: WebClient) -> WebClient:
        """The Slack client to show this request's answers through: forms it opens carry the
        program, for someone in several."""
        program = self.program
        return client if program is None else cast(WebClient, ProgramClient(client, program))

    def respond_for(self, respond: Callable[..., Any]) -> Callable[..., Any]:
        """Private answers headed by the program (and its buttons stamped), for someone in several."""
        program = self.program
        if program is None:
            return respond

        def answer(**message: Any) -> Any:
            if "text" in message or "blocks" in message:
                message = {**message, **for_program({"text": message.get("text", ""), **message}, program)}
            return respond(**message)

        return answer

    @property
    def actor(self) -> Actor | None:
        return self.lookup.actor

    def refusal(self, surface: str) -> str | None:
        """Why this caller may not use `surface` on their own answers (or, as a coordinator, on the
        program), in words; None if they may."""
        lookup = self.lookup
        actor = lookup.actor
        refused = authorize(surface, actor, subject_ids=(actor.person_id,) if actor else ())
        if refused is not None or actor is None:
            return refusal_text(refused or Refusal.NOT_ON_ROSTER, lookup.coordinator_user_ids)
        audience = AUDIENCE.get(surface)
        if audience is not None and not allows(audience, actor):
            return ROLE_REFUSALS[audience]
        return None

    def refusal_about(self, surface: str, *, subject_ids: Sequence[int], program_id: int | None) -> str | None:
        """Why this caller may not use `surface` on data belonging to `subject_ids` (as found in
        the database), in words; None if they may."""
        refused = authorize(surface, self.actor, subject_ids=subject_ids, program_id=program_id)
        return None if refused is None else refusal_text(refused, self.lookup.coordinator_user_ids)


def refuse_malformed(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
    """Global middleware, right after the signature check: a payload without Slack's shape reaches
    no listener (bot/payloads.py). In HTTP mode the edge refuses it even before Bolt parses it
    (mentorbot/http_server.py); this covers Socket Mode and in-process dispatch."""
    problem = malformed(body)
    if problem is not None:
        log.warning("refused a malformed payload: %s", problem)
        return BoltResponse(status=400, body="malformed request")
    return next()


class ProgramClient:
    """A Slack client whose modals carry one program (for someone in several); everything else
    goes to the client it wraps."""

    def __init__(self, client: WebClient, program: ProgramRef) -> None:
        self._client, self._program = client, program

    def _shown(self, method: str, kwargs: dict[str, Any]) -> Any:
        if isinstance(kwargs.get("view"), dict):
            kwargs["view"] = view_for_program(kwargs["view"], self._program)
        return getattr(self._client, method)(**kwargs)

    def views_open(self, **kwargs: Any) -> Any:
        return self._shown("views_open", kwargs)

    def views_push(self, **kwargs: Any) -> Any:
        return self._shown("views_push", kwargs)

    def views_update(self, **kwargs: Any) -> Any:
        return self._shown("views_update", kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def program_team(context: BoltContext) -> str | None:
    """The workspace key the request's programs carry: its team, or for an org-wide install on
    Enterprise Grid its organization (storage/workspaces.py)."""
    return workspace_key(
        team_id=context.team_id, enterprise_id=context.enterprise_id, is_enterprise_install=context.is_enterprise_install
    )


def resolve_actor(services: Services) -> Callable[..., BoltResponse | None]:
    """Global middleware: every request's context gets its `Who`."""

    def middleware(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        context[WHO] = Who(services, team_id=program_team(context), user_id=context.user_id)
        return next()

    return middleware


def who_of(context: BoltContext) -> Who:
    who: Who = context[WHO]
    return who


# --- once per request -------------------------------------------------------------------------

_KEY_ROOM = 150  # idempotency_keys.key holds 200 characters


def delivery_key(body: dict[str, Any]) -> str | None:
    """What every delivery of one request shares and no other request has: Slack gives each event
    its own event_id (kept by its retries) and each command or click its own trigger_id. Both are
    inside the signed body, so a replay cannot change them. None if the body has neither."""
    for field_name, prefix in (("event_id", "slack-event"), ("trigger_id", "slack-trigger")):
        value = body.get(field_name)
        if isinstance(value, str) and value:
            if len(value) > _KEY_ROOM:
                value = hashlib.sha256(value.encode()).hexdigest()
            return f"{prefix}:{value}"
    return None


def first_delivery(services: Services, body: dict[str, Any], what: str) -> bool:
    """Call after the ack, before the work: True the first time this request is seen, anywhere."""
    key = delivery_key(body)
    if key is None or services.first_delivery(key):
        return True
    log.info("%s: the same request again (a replay or a retry); its work was already done", what)
    return False


# --- answering privately ---------------------------------------------------------------------


def apology() -> PrivateAnswer:
    message = something_went_wrong_message()
    return PrivateAnswer(message, notice_modal("Mentorbot", message["text"]))


@contextmanager
def apologising(answer: Callable[[PrivateAnswer], object], what: str) -> Iterator[None]:
    """After the ack, a failure still owes the person a private, human answer, never a stack trace."""
    try:
        yield
    except Exception:
        log.exception("failed while handling %s", what)
        try:
            answer(apology())
        except Exception:
            log.exception("could not tell the user that %s failed", what)


# --- clicks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Click:
    body: dict[str, Any]
    client: WebClient
    respond: Respond
    who: Who
    services: Services
    home: HomePublisher

    @property
    def value(self) -> str:
        """The clicked button's value ("" for none), without its program. Never trusted to say
        whose data it is."""
        return read_stamp(raw_value(self.body))[1]

    @property
    def trigger_id(self) -> str:
        return str(self.body.get("trigger_id") or "")

    def answer(self, answer: PrivateAnswer) -> None:
        """Privately: in the conversation if the click came from a message (through its
        response_url), else in a small modal (the App Home has no response_url)."""
        if self.body.get("response_url"):
            self.respond(**answer.message)
        elif answer.modal is not None and self.trigger_id:
            self.client.views_open(trigger_id=self.trigger_id, view=answer.modal)

    def open(self, view: View) -> None:
        self.client.views_open(trigger_id=self.trigger_id, view=view)

    def refresh_homes(self, user_ids: Sequence[str]) -> None:
        self.home.refresh(self.client, team_id=self.who.team_id or "", user_ids=user_ids)


ClickHandler = Callable[[Click], None]


def raw_value(body: dict[str, Any]) -> str:
    return str(((body.get("actions") or [{}])[0]).get("value") or "")


def on_click(app: App, services: Services, home: HomePublisher, action_id: str, handle: ClickHandler, *, what: str) -> None:
    """Ack at once; `handle` runs after the ack, and a failure there is apologised for privately."""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        ack()
        who = who_of(context)
        program_id, _ = read_stamp(raw_value(body))
        if program_id is not None:
            who.choose(program_id)

        def run() -> None:
            plain = Click(body, client, respond, who, services, home)
            with apologising(plain.answer, what):
                if first_delivery(services, body, what):
                    click = Click(body, who.client_for(client), cast(Respond, who.respond_for(respond)), who, services, home)
                    handle(click)

        services.after_ack(run, what)

    app.action(action_id)(listener)


# --- modal submissions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    body: dict[str, Any]
    view: dict[str, Any]
    client: WebClient
    who: Who
    services: Services

    @property
    def values(self) -> dict[str, Any]:
        return dict((self.view.get("state") or {}).get("values") or {})

    def sealed(self, kind: str) -> dict[str, Any] | None:
        """The modal's private_metadata if we sealed it for this kind of form and for this very
        person (views/private_metadata.py); None for anything else: tampered, or someone else's."""
        payload = unseal(self.view.get("private_metadata"), key=self.services.metadata_key)
        if payload is None or payload.get("k") != kind or payload.get("u") != self.who.user_id:
            return None
        return payload

    @property
    def once(self) -> str:
        """One key per opened modal: a double click or a Slack retry carries the same view id."""
        return f"{self.view['callback_id']}:{self.view['id']}"


@dataclass(frozen=True)
class Done:
    """What the work after the ack leaves: the modal's new content, and whose App Home changed."""

    view: View | None = None
    refresh: Sequence[str] = ()


@dataclass(frozen=True)
class Verdict:
    """What a submission's check decided: the ack's arguments, and the work that follows it."""

    ack: dict[str, Any]
    work: Callable[[], Done] | None = None

    @classmethod
    def show(cls, view: View, then: Callable[[], Done] | None = None) -> Verdict:
        """Replace the modal with `view` (an answer, or "Saving…" while `then` runs)."""
        return cls({"response_action": "update", "view": view}, then)

    @classmethod
    def errors(cls, errors: dict[str, str]) -> Verdict:
        """Keep the modal open with these problems under their fields; nothing is done."""
        return cls({"response_action": "errors", "errors": errors})


def on_submit(
    app: App,
    services: Services,
    home: HomePublisher,
    callback_id: str,
    check: Callable[[Submission], Verdict],
    *,
    what: str,
    check_failed: Callable[[], Verdict],
    work_failed: Callable[[Submission], Done],
) -> None:
    """Check (a quick read before the ack) -> ack -> the work, after the ack.

    `check_failed` says what the ack shows when the check itself fails; `work_failed` what the
    person is left with when the work fails (the failure is logged, never shown)."""

    def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        who = who_of(context)
        program_id, metadata = read_stamp(view.get("private_metadata"))
        if program_id is not None:
            who.choose(program_id)
            view = {**view, "private_metadata": metadata}
            body = {**body, "view": view}
        try:
            submission = Submission(body, view, who.client_for(client), who, services)
            verdict = check(submission)
            if isinstance(verdict.ack.get("view"), dict) and who.program is not None:
                verdict = Verdict({**verdict.ack, "view": view_for_program(verdict.ack["view"], who.program)}, verdict.work)
        except Exception:
            log.exception("failed while checking %s", what)
            submission = Submission(body, view, client, who, services)
            verdict = check_failed()
        ack(**verdict.ack)
        if verdict.work is not None:
            work = verdict.work
            services.after_ack(lambda: _finish(submission, work), what)

    def _finish(submission: Submission, work: Callable[[], Done]) -> None:
        try:
            done = work()
        except Exception:
            log.exception("failed after acknowledging %s", what)
            done = work_failed(submission)
        if done.view is not None:
            try:
                submission.client.views_update(view_id=submission.view["id"], view=done.view)
            except SlackApiError as error:  # the person closed the modal meanwhile, most often
                log.warning("could not show the outcome of %s: %s", what, error.response.get("error"))
            except Exception:
                log.exception("could not show the outcome of %s", what)
        if done.refresh:
            home.refresh(submission.client, team_id=submission.who.team_id or "", user_ids=done.refresh)

    app.view(callback_id)(listener)


def apology_by_dm(submission: Submission) -> Done:
    """For work whose modal was already answered: say it in the person's DM with the bot."""
    message = something_went_wrong_message()
    submission.client.chat_postMessage(channel=submission.who.user_id or "", text=message["text"], blocks=message["blocks"])
    return Done()


# --- pick lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """An external select asking for options as someone types."""

    body: dict[str, Any]
    actor: Actor
    services: Services

    @property
    def query(self) -> str:
        """What was typed so far; a name is never this long, and a long pattern overwhelms LIKE."""
        return str(self.body.get("value") or "")[:QUERY_MAX_CHARS]


def on_options(app: App, services: Services, action_id: str, options: Callable[[Suggestion], list[dict[str, Any]]]) -> None:
    """Options for someone the access policy lets use `action_id` (on their own data, in the
    role it is for); none for anyone else."""

    def listener(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        who = who_of(context)
        shown = body.get("view") or {}
        program_id, metadata = read_stamp(str(shown.get("private_metadata") or ""))
        if program_id is not None:
            who.choose(program_id)
            body = {**body, "view": {**shown, "private_metadata": metadata}}
        actor = who.actor
        ack(options=options(Suggestion(body, actor, services)) if actor is not None and who.refusal(action_id) is None else [])

    app.options(action_id)(listener)


# --- what each feature's register() is handed ------------------------------------------------


@dataclass(frozen=True)
class ListenerContext:
    app: App
    services: Services
    router: CommandRouter
    home: HomePublisher
    # `/mentor admin <name> …`: coordinators' subcommands (bot/listeners/admin.py dispatches).
    admin: CommandRouter = field(default_factory=CommandRouter)

    def on_click(self, action_id: str, handle: ClickHandler, *, what: str) -> None:
        on_click(self.app, self.services, self.home, action_id, handle, what=what)

    def on_submit(
        self,
        callback_id: str,
        check: Callable[[Submission], Verdict],
        *,
        what: str,
        check_failed: Callable[[], Verdict],
        work_failed: Callable[[Submission], Done],
    ) -> None:
        on_submit(
            self.app, self.services, self.home, callback_id, check, what=what, check_failed=check_failed, work_failed=work_failed
        )

    def on_options(self, action_id: str, options: Callable[[Suggestion], list[dict[str, Any]]]) -> None:
        on_options(self.app, self.services, action_id, options)

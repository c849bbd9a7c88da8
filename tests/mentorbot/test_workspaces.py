"""Several workspaces from one process: Slack's OAuth install flow over real HTTP, a token per
workspace for requests and for the outbox, an org-wide install, and an uninstall."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sandbox import slack_requests as slack
from sandbox.fake_slack import FakeSlack
from scheduler.delivery import deliver_pending
from scheduler.jobs import job_by_id, run_job
from scheduler.reports import coordinator_posts_job
from scheduler.time_zones import refresh_time_zones
from storage.db import session_scope
from storage.delivery import NO_TOKEN_ERROR
from storage.models import (
    OutboxMessage,
    OutboxState,
    Person,
    Program,
    Role,
    Workspace,
    slack_bots,
    slack_installations,
    slack_oauth_states,
)
from storage.outbox import enqueue
from storage.outbox_kinds import OutboxKind
from storage.programs import program_for_team
from storage.roster import RosterEntry, upsert_people
from storage.workspaces import UNINSTALLED_ERROR
from tests.support.clock import ManualClock
from tests.support.workspaces import ServedBot, get, install, oauth_settings

ORG = "E0ORG"
ORG_WORKSPACE = "T0ORGWS"  # a workspace of the organization, where its members use the app
# Who is on each roster: a resident per workspace, and one in the organization.
PEOPLE = {"T0AAA": ("UAAA1", "Ada Alvarez"), "T0BBB": ("UBBB1", "Bo Brennan"), ORG: ("WORG1", "Orla Osei")}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_workspace("T0AAA", name="General Hospital", bot_user_id="UBOTA")
        fake.add_workspace("T0BBB", name="Children's Hospital", bot_user_id="UBOTB")
        fake.add_organization(ORG, name="Health System", bot_user_id="UBOTO")
        for user_id, name in PEOPLE.values():
            fake.add_user(user_id, name=name)
        yield fake
        assert fake.violations == [], "\n".join(fake.violations)


@pytest.fixture
def served(fake: FakeSlack, database_url: str, clock: ManualClock) -> Iterator[ServedBot]:
    bot = ServedBot(oauth_settings(fake=fake, database_url=database_url), clock=clock)
    fake.set_oauth_app(client_id="1111.2222", client_secret="client-secret", redirect_url=bot.redirect_url)
    yield bot
    bot.stop()


def _add_resident(served: ServedBot, key: str, clock: ManualClock) -> None:
    user_id, name = PEOPLE[key]
    with session_scope(served.runtime.services.session_factory) as session:
        program = program_for_team(session, key)
        assert program is not None, f"the install created no program for {key}"
        upsert_people(
            session, program=program, entries=[RosterEntry(user_id, name, Role.RESIDENT, pgy=1)], now=clock(), actor_label="test"
        )


def _install_all(served: ServedBot, fake: FakeSlack, clock: ManualClock) -> None:
    for key in PEOPLE:
        page = install(served, fake, team=key)
        assert page.status == 200, page.body
        _add_resident(served, key, clock)


def _queue_dm(served: ServedBot, key: str, text: str, clock: ManualClock) -> int:
    user_id, _ = PEOPLE[key]
    with session_scope(served.runtime.services.session_factory) as session:
        program = program_for_team(session, key)
        assert program is not None
        person = session.scalars(select(Person).where(Person.program_id == program.id, Person.slack_user_id == user_id)).one()
        message = enqueue(
            session, program=program, kind=OutboxKind.ROUND_INVITATION, text=text, now=clock(), recipients=[person],
            respect_working_hours=False,
        )  # fmt: skip
        return message.id


def _token_rows(served: ServedBot, table) -> list[tuple]:
    with served.runtime.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(table.c.team_id, table.c.enterprise_id, table.c.bot_token))]


def test_two_workspaces_and_an_organization_install_and_are_served_each_with_its_own_token(served, fake, clock):
    _install_all(served, fake, clock)

    tokens = {key: fake.tokens_of(key) for key in PEOPLE}
    assert all(len(issued) == 1 for issued in tokens.values()), tokens
    token = {key: issued[0] for key, issued in tokens.items()}
    assert set(_token_rows(served, slack_bots)) == {
        ("T0AAA", None, token["T0AAA"]),
        ("T0BBB", None, token["T0BBB"]),
        (None, ORG, token[ORG]),
    }
    with session_scope(served.runtime.services.session_factory) as session:
        workspaces = {w.team_id: (w.name, w.is_enterprise_install) for w in session.scalars(select(Workspace))}
        programs = {p.team_id for p in session.scalars(select(Program))}
    assert workspaces == {
        "T0AAA": ("General Hospital", False),
        "T0BBB": ("Children's Hospital", False),
        ORG: ("Health System", True),
    }
    assert programs == set(PEOPLE)

    # Each person opens the App Home in their own workspace; one process serves all three.
    fake.reset_calls()
    for key, org_wide in (("T0AAA", False), ("T0BBB", False), (ORG, True)):
        user_id, _ = PEOPLE[key]
        where = {"team_id": ORG_WORKSPACE, "enterprise_id": ORG, "is_enterprise_install": True} if org_wide else {"team_id": key}
        status, _ = served.post(slack.app_home_opened(user_id, **where))
        assert status == 200
    # Published after the ack, on the process's work threads.
    published = {call.args["user_id"]: call for call in fake.wait_for("views.publish", 3)}
    assert set(published) == {user_id for user_id, _ in PEOPLE.values()}
    for key, (user_id, name) in PEOPLE.items():
        call = published[user_id]
        assert call.ok and call.token == token[key], (key, call.token)
        assert name in str(call.args["view"]), f"{name} was not recognised on {key}'s roster"

    # A slash command from each workspace: the answer speaks of that workspace's roster.
    for answered, (key, org_wide) in enumerate((("T0AAA", False), ("T0BBB", False), (ORG, True)), start=1):
        user_id, _ = PEOPLE[key]
        where = {"team_id": ORG_WORKSPACE, "enterprise_id": ORG, "is_enterprise_install": True} if org_wide else {"team_id": key}
        response = fake.response_url(f"status-{key}")
        status, _ = served.post(slack.slash_command("status", user_id=user_id, response_url=response, **where))
        assert status == 200
        fake.wait_for("response_url", answered)
        answer = str(fake.responses(f"status-{key}"))
        assert "not on the roster" not in answer.lower() and answer != "[]", (key, answer)
    # Bolt checked each token once (auth.test), with that token.
    assert sorted(call.token for call in fake.calls_to("auth.test")) == sorted(token.values())

    # The outbox delivers each workspace's messages with that workspace's token.
    fake.reset_calls()
    queued = {key: _queue_dm(served, key, f"hello {key}", clock) for key in PEOPLE}
    report = deliver_pending(served.jobs)
    assert report.sent == 3, report
    posts = {call.args["text"]: call.token for call in fake.calls_to("chat.postMessage")}
    assert posts == {f"hello {key}": token[key] for key in PEOPLE}
    opened = {call.args["users"]: call.token for call in fake.calls_to("conversations.open")}
    assert opened == {PEOPLE[key][0]: token[key] for key in PEOPLE}
    with session_scope(served.runtime.services.session_factory) as session:
        assert {session.get(OutboxMessage, i).state for i in queued.values()} == {OutboxState.SENT}


def test_an_uninstall_forgets_that_workspaces_tokens_and_stops_its_deliveries(served, fake, clock):
    _install_all(served, fake, clock)
    token_b = fake.tokens_of("T0BBB")[0]
    waiting = _queue_dm(served, "T0BBB", "queued before the uninstall", clock)

    fake.uninstall("T0BBB")
    status, _ = served.post(slack.app_uninstalled(team_id="T0BBB"))
    assert status == 200
    status, _ = served.post(slack.app_uninstalled(team_id="T0BBB"))  # Slack resends: nothing changes
    assert status == 200

    assert [row for row in _token_rows(served, slack_bots) if row[0] == "T0BBB"] == []
    assert [row for row in _token_rows(served, slack_installations) if row[0] == "T0BBB"] == []
    assert {row[0] or row[1] for row in _token_rows(served, slack_bots)} == {"T0AAA", ORG}
    with session_scope(served.runtime.services.session_factory) as session:
        workspace = session.get(Workspace, "T0BBB")
        assert workspace is not None and workspace.uninstalled_at == clock()
        program = program_for_team(session, "T0BBB")
        assert program is not None and program.paused  # the data is kept, the sweeps leave it alone
        people = session.scalar(select(func.count(Person.id)).where(Person.program_id == program.id))
        assert people == 1
        before = session.get(OutboxMessage, waiting)
        assert (before.state, before.last_error) == (OutboxState.FAILED, UNINSTALLED_ERROR)

    # A message queued for it afterwards fails at once, with no call to Slack; the others go.
    fake.reset_calls()
    after = _queue_dm(served, "T0BBB", "queued after the uninstall", clock)
    sent = _queue_dm(served, "T0AAA", "still here", clock)
    report = deliver_pending(served.jobs)
    assert (report.sent, report.failed, report.retrying) == (1, 1, 0), report
    assert [call.args["text"] for call in fake.calls_to("chat.postMessage")] == ["still here"]
    assert all(call.token != token_b for call in fake.calls)
    with session_scope(served.runtime.services.session_factory) as session:
        failed = session.get(OutboxMessage, after)
        assert failed.state is OutboxState.FAILED and failed.last_error.startswith(NO_TOKEN_ERROR)
        assert session.get(OutboxMessage, sent).state is OutboxState.SENT
    assert deliver_pending(served.jobs).attempted == 0  # nothing left to retry

    # Nor is anything more decided for it: this week's summaries go to the other programs only.
    with session_scope(served.runtime.services.session_factory) as session:
        for program in session.scalars(select(Program)):
            program.coordinator_channel_id = f"C0{program.team_id}"
    clock.advance(days=5)  # Monday, 10:00 in New York: the summary is due
    coordinator_posts_job(served.jobs)
    with session_scope(served.runtime.services.session_factory) as session:
        summarised = session.scalars(
            select(Program.team_id)
            .join(OutboxMessage, OutboxMessage.program_id == Program.id)
            .where(OutboxMessage.kind == OutboxKind.REPORT_SUMMARY)
        ).all()
    assert sorted(summarised) == sorted(["T0AAA", ORG])


def test_a_revoked_token_an_org_uninstall_and_a_reinstall(served, fake, clock):
    _install_all(served, fake, clock)
    fake.uninstall("T0AAA")
    status, _ = served.post(slack.tokens_revoked(team_id="T0AAA", bot_user_ids=["UBOTA"]))
    assert status == 200
    fake.uninstall(ORG)
    status, _ = served.post(slack.app_uninstalled(team_id=ORG_WORKSPACE, enterprise_id=ORG, is_enterprise_install=True))
    assert status == 200
    assert {row[0] or row[1] for row in _token_rows(served, slack_bots)} == {"T0BBB"}
    with session_scope(served.runtime.services.session_factory) as session:
        assert session.get(Workspace, "T0AAA").uninstall_reason == "tokens_revoked"
        assert session.get(Workspace, ORG).uninstall_reason == "app_uninstalled"
        assert program_for_team(session, "T0AAA").paused and program_for_team(session, ORG).paused

    # Jobs leave them alone meanwhile: time zones are looked up where the app still is, and the
    # people of the others do not hold up the batch.
    fake.reset_calls()
    assert refresh_time_zones(served.jobs, batch=1) == 1
    assert [(call.args["user"], call.token) for call in fake.calls_to("users.info")] == [("UBBB1", fake.tokens_of("T0BBB")[0])]

    # Installing again resumes the workspace, with its new token.
    page = install(served, fake, team="T0AAA")
    assert page.status == 200, page.body
    new_token = fake.tokens_of("T0AAA")[-1]
    with session_scope(served.runtime.services.session_factory) as session:
        assert session.get(Workspace, "T0AAA").uninstalled_at is None
        assert not program_for_team(session, "T0AAA").paused and program_for_team(session, ORG).paused
    fake.reset_calls()
    _queue_dm(served, "T0AAA", "welcome back", clock)
    assert deliver_pending(served.jobs).sent == 1
    assert [(call.args["text"], call.token) for call in fake.calls_to("chat.postMessage")] == [("welcome back", new_token)]


def test_the_states_of_installs_never_finished_are_pruned(served, fake, clock):
    for _ in range(3):  # three visits to the install page, none finished
        assert get(served.base + "/slack/install").status == 200
    install(served, fake, team="T0AAA")  # a finished one consumes its own
    spec = job_by_id("maintenance.prune_oauth_states")
    assert spec is not None
    run_job(spec, served.jobs)
    assert _count(served, slack_oauth_states) == 3  # not expired yet
    clock.set(datetime.now(UTC) + timedelta(minutes=11))  # slack-sdk stamps states with the wall clock
    run_job(spec, served.jobs)
    assert _count(served, slack_oauth_states) == 0


def _count(served: ServedBot, table) -> int:
    with served.runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

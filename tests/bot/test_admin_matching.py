"""Coordinators' matching commands: rounds, the matcher on demand, manual pair and unpair."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.commands import parse_user_reference
from storage.models import (
    AuditEntry,
    EndReason,
    OutboxMessage,
    OutboxState,
    Pairing,
    Person,
    Proposal,
    QueueEntry,
    QueueReason,
    Role,
    Round,
    RoundState,
)
from storage.preferences import queue_person
from tests.support import factories
from views.ids import ACTION_REVIEW_PROPOSAL


@pytest.fixture
def roster(arrange, clock):
    with arrange() as session:
        program = factories.program(session)
        people = {
            "UCOORD1": factories.person(session, program, role=Role.COORDINATOR, name="Casey", slack_user_id="UCOORD1"),
            "UCOORD2": factories.person(session, program, role=Role.COORDINATOR, name="Cam", slack_user_id="UCOORD2"),
            "UADA": factories.person(session, program, role=Role.FACULTY, name="Dr. Ada", slack_user_id="UADA"),
            "UBEN": factories.person(session, program, role=Role.FACULTY, name="Dr. Ben", slack_user_id="UBEN"),
            "URES1": factories.person(session, program, name="Ria", slack_user_id="URES1"),
            "URES2": factories.person(session, program, name="Sam", slack_user_id="URES2"),
            "URES3": factories.person(session, program, name="Teo", slack_user_id="URES3"),
        }
        factories.offer(session, program, mentor=people["UADA"], capacity=2)
        factories.offer(session, program, mentor=people["UBEN"], capacity=1)
        return {"program": program.id, **{u: p.id for u, p in people.items()}}


def _count(session_factory, model, *where):
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize(
    ("word", "user_id"),
    [
        ("<@U0123ABC|ada>", "U0123ABC"),
        ("<@U0123ABC>", "U0123ABC"),
        ("W0123ABC", "W0123ABC"),
        ("@ada", None),
        ("<#C123|general>", None),
        ("ada", None),
    ],
)
def test_parse_user_reference(word, user_id):
    assert parse_user_reference(word) == user_id


def test_admin_help_lists_the_matching_commands(bot, roster):
    text = bot.command("admin", user_id="UCOORD1").only_response()["text"]
    for usage in (
        "admin round open [YYYY-MM-DD] | round close",
        "admin match",
        "admin pair @mentor @resident",
        "admin unpair @resident",
    ):
        assert f"/mentor {usage}" in text
    assert "don't know `/mentor admin frob`" in bot.command("admin frob", user_id="UCOORD1").only_response()["text"]


@pytest.mark.parametrize("user_id", ["URES1", "UADA", "USTRANGER"])
@pytest.mark.parametrize("text", ["admin round open", "admin match", "admin pair <@UADA> <@URES1>", "admin unpair <@URES1>"])
def test_only_coordinators_may_use_admin(bot, roster, session_factory, user_id, text):
    answer = bot.command(text, user_id=user_id).only_response()
    assert answer["response_type"] == "ephemeral"
    assert "is for program coordinators" in answer["text"] or "not on the mentorship program's roster" in answer["text"]
    assert (
        _count(session_factory, Round) == 0 and _count(session_factory, Proposal) == 0 and _count(session_factory, Pairing) == 0
    )


def test_round_open_invites_everyone_and_refuses_a_second_round(bot, roster, session_factory):
    answer = bot.command("admin round open 2026-12-15", user_id="UCOORD1").only_response()
    assert "2026–27 matching round is open until the end of *Tuesday, December 15, 2026*" in answer["text"]
    assert "inviting 5 people" in answer["text"]
    assert _count(session_factory, OutboxMessage, OutboxMessage.kind == "round.invitation") == 5
    assert "is open" in bot.command("admin round open", user_id="UCOORD1").only_response()["text"]
    assert _count(session_factory, Round) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("admin round open 15/12/2026", "as YYYY-MM-DD"),
        ("admin round open 2026-11-01", "must be today or later"),
        ("admin round", "Usage"),
    ],
)
def test_round_open_explains_a_bad_deadline(bot, roster, session_factory, text, expected):
    assert expected in bot.command(text, user_id="UCOORD1").only_response()["text"]
    assert _count(session_factory, Round) == 0


def test_round_open_without_a_deadline_gives_two_weeks(bot, roster, session_factory):
    bot.command("admin round open", user_id="UCOORD1")
    with session_factory() as session:
        round_ = session.scalars(select(Round)).one()
        assert round_.deadline_at.isoformat() == "2026-12-10T05:00:00+00:00"  # end of Dec 9 in New York


def test_round_close_runs_the_matcher_and_offers_the_review(bot, roster, session_factory, arrange):
    bot.command("admin round open 2026-12-15", user_id="UCOORD1")
    with arrange() as session:
        round_ = session.scalars(select(Round)).one()
        for user_id in ("URES1", "URES2"):
            factories.preference(
                session,
                factories.program_of(session, session.get(Person, roster[user_id])),
                resident=session.get(Person, roster[user_id]),
                round_=round_,
            )
    answer = bot.command("admin round close", user_id="UCOORD1").only_response()
    assert "*2* matched" in answer["text"]
    review_button = answer["blocks"][1]["elements"][0]
    assert review_button["action_id"] == ACTION_REVIEW_PROPOSAL
    with session_factory() as session:
        assert session.scalars(select(Round.state)).one() is RoundState.PROPOSED
        notices = session.scalars(select(OutboxMessage.recipient_user_ids).where(OutboxMessage.kind == "proposal.ready")).all()
        assert notices == [["UCOORD2"]]  # the one who asked got the answer above
    assert "waiting for review" in bot.command("admin round close", user_id="UCOORD1").only_response()["text"]


def test_match_outside_a_round_uses_the_waiting_list(bot, roster, session_factory, arrange, clock):
    assert "Nobody is waiting" in bot.command("admin match", user_id="UCOORD1").only_response()["text"]
    with arrange() as session:
        queue_person(session, person=session.get(Person, roster["URES3"]), reason=QueueReason.MIDYEAR_REQUEST, now=clock())
    answer = bot.command("admin match", user_id="UCOORD1").only_response()
    assert "The matcher ran on the waiting list: *1* matched" in answer["text"]
    with session_factory() as session:
        proposal = session.scalars(select(Proposal)).one()
        assert proposal.round_id is None and [p.resident_id for p in proposal.pairs] == [roster["URES3"]]


def test_pair_creates_the_pairing_and_the_introduction(bot, roster, session_factory, fake_slack, clock):
    answer = bot.command("admin pair <@UADA|ada> <@URES1|ria>", user_id="UCOORD1").only_response()
    assert "<@UADA> now mentors <@URES1>" in answer["text"] and "Thursday, February 25, 2027" in answer["text"]
    with session_factory() as session:
        pairing = session.scalars(select(Pairing)).one()
        assert (pairing.mentor_id, pairing.resident_id, pairing.started_on) == (
            roster["UADA"],
            roster["URES1"],
            date(2026, 11, 25),
        )
        intro = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "pairing.introduction")).one()
        assert intro.recipient_user_ids == ["UADA", "URES1"] and intro.pairing_id == pairing.id
        assert session.scalars(select(AuditEntry.details).where(AuditEntry.action == "pairing.created")).one()["manual"] is True
    assert {c.args["user_id"] for c in fake_slack.calls_to("views.publish")} == {"UADA", "URES1"}


@pytest.mark.parametrize(
    ("setup", "text", "expected"),
    [
        ("full", "admin pair <@UBEN> <@URES2>", "Dr. Ben already has as many mentees as they can take (1)"),
        ("has_mentor", "admin pair <@UBEN> <@URES1>", "Ria already has an active mentor (Dr. Ada)"),
        ("ended_by_request", "admin pair <@UADA> <@URES2>", "never paired again"),
        ("", "admin pair <@URES1> <@URES2>", "Ria is not on the roster as faculty"),
        ("", "admin pair <@UNOBODY> <@URES2>", "<@UNOBODY> is not on the program's roster"),
        ("", "admin pair @ada @ria", "Usage: `/mentor admin pair @mentor @resident`"),
        ("", "admin pair <@UADA>", "Usage"),
    ],
)
def test_pair_refuses_what_the_rules_forbid_and_writes_nothing(bot, roster, arrange, session_factory, setup, text, expected):
    with arrange() as session:
        get = lambda u: session.get(Person, roster[u])  # noqa: E731
        if setup == "full":
            factories.pairing(session, factories.program_of(session, get("UBEN")), mentor=get("UBEN"), resident=get("URES3"))
        elif setup == "has_mentor":
            factories.pairing(session, factories.program_of(session, get("UADA")), mentor=get("UADA"), resident=get("URES1"))
        elif setup == "ended_by_request":
            factories.pairing(
                session,
                factories.program_of(session, get("UADA")),
                mentor=get("UADA"),
                resident=get("URES2"),
                ended_on=date(2026, 10, 1),
                end_reason=EndReason.CHANGE_REQUEST,
            )
    before = _count(session_factory, Pairing)
    answer = bot.command(text, user_id="UCOORD1").only_response()
    assert expected in answer["text"]
    assert _count(session_factory, Pairing) == before and _count(session_factory, OutboxMessage) == 0


def test_unpair_ends_the_pairing_with_neutral_notices(bot, roster, arrange, session_factory):
    bot.command("admin pair <@UADA> <@URES1>", user_id="UCOORD1")
    answer = bot.command("admin unpair <@URES1|ria>", user_id="UCOORD1").only_response()
    assert "<@URES1>'s pairing with <@UADA> has ended" in answer["text"]
    with session_factory() as session:
        pairing = session.scalars(select(Pairing)).one()
        assert (pairing.ended_on, pairing.end_reason, pairing.next_check_on) == (
            date(2026, 11, 25),
            EndReason.COORDINATOR,
            None,
        )
        intro = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "pairing.introduction")).one()
        assert intro.state is OutboxState.CANCELLED  # never sent: the pairing is gone
        notices = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "pairing.ended")).all()
        assert sorted(n.recipient_user_ids[0] for n in notices) == ["UADA", "URES1"]
        assert all("Casey" not in n.text and "UCOORD1" not in n.text for n in notices)
        assert session.scalars(select(QueueEntry.reason)).all() == [QueueReason.REMATCH]
    assert "has no active mentor" in bot.command("admin unpair <@URES1>", user_id="UCOORD1").only_response()["text"]
    # Ended by a coordinator, not by request: they may be paired again.
    assert "now mentors" in bot.command("admin pair <@UADA> <@URES1>", user_id="UCOORD1").only_response()["text"]
    assert _count(session_factory, QueueEntry, QueueEntry.resolved_at.is_(None)) == 0

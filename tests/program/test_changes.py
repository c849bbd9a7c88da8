"""Change requests, withdrawal, rejoining and resolution (program/changes.py over
storage/change_requests.py), against real databases: what changes, and who is told what."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from program import changes
from storage import change_requests as requests
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import (
    AuditEntry,
    ChangeRequest,
    EndReason,
    OutboxMessage,
    OutboxState,
    Pairing,
    Person,
    PersonStatus,
    Program,
    Proposal,
    ProposalPair,
    QueueEntry,
    RequestState,
    ResidentPreference,
    Role,
)
from storage.outbox import Cleanup, enqueue
from storage.outbox_kinds import OutboxKind
from storage.preferences import people_waiting_for_match
from storage.proposals import review_of
from storage.roster import Actor
from tests.support import factories
from views.changes import NEUTRAL_NOTICE

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday, 10:00 in New York
NOTE = "My mentor keeps cancelling; I'd rather talk about it in person."


@dataclass(frozen=True)
class World:
    program_id: int
    casey: int  # coordinator
    dana: int  # faculty and coordinator, mentor of nobody here
    fran: int  # faculty, mentors riley and sam
    gil: int  # faculty, mentors tess
    riley: int
    sam: int
    tess: int
    riley_pairing: int
    sam_pairing: int
    tess_pairing: int


@pytest.fixture
def world(arrange) -> World:
    with arrange() as session:
        program = factories.program(session)
        person = lambda role, name, **kw: factories.person(session, program, role=role, name=name, **kw)  # noqa: E731
        casey = person(Role.COORDINATOR, "Casey Coordinator", slack_user_id="UCASEY")
        dana = person(Role.FACULTY, "Dr. Dana", slack_user_id="UDANA", is_coordinator=True)
        fran = person(Role.FACULTY, "Dr. Fran", slack_user_id="UFRAN")
        gil = person(Role.FACULTY, "Dr. Gil", slack_user_id="UGIL")
        riley = person(Role.RESIDENT, "Riley Resident", slack_user_id="URILEY")
        sam = person(Role.RESIDENT, "Sam Resident", slack_user_id="USAM")
        tess = person(Role.RESIDENT, "Tess Resident", slack_user_id="UTESS")
        riley_pairing = factories.pairing(session, program, mentor=fran, resident=riley)
        sam_pairing = factories.pairing(session, program, mentor=fran, resident=sam)
        tess_pairing = factories.pairing(session, program, mentor=gil, resident=tess)
        return World(
            program.id, casey.id, dana.id, fran.id, gil.id, riley.id, sam.id, tess.id,
            riley_pairing.id, sam_pairing.id, tess_pairing.id,
        )  # fmt: skip


def _outbox(session, **filters) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for field, value in filters.items():
        query = query.where(getattr(OutboxMessage, field) == value)
    return list(session.scalars(query))


def _waiting(session) -> set[int]:
    return set(session.scalars(select(QueueEntry.person_id).where(QueueEntry.resolved_at.is_(None))))


def _actor(session, person_id: int) -> Actor:
    return Actor.of(session.get(Person, person_id))


def _change(session, world, *, requester, pairing, note=NOTE, rematch=True, key=None):
    return changes.request_change(
        session, actor=_actor(session, requester), pairing_id=pairing, note=note, rematch=rematch, now=NOW, idempotency_key=key
    )


def test_a_change_ends_the_pairing_at_once_and_tells_the_other_person_neutrally(session_factory, world):
    with session_scope(session_factory) as session:
        program = session.get(Person, world.riley).program_id
        reminder = enqueue(
            session, program=session.get(Program, program), kind=OutboxKind.NUDGE_DUE, text="Time to meet!",
            now=NOW, recipients=[session.get(Person, world.riley)], pairing_id=world.riley_pairing,
        )  # fmt: skip
        result = _change(session, world, requester=world.riley, pairing=world.riley_pairing)
        assert result.outcome is requests.Outcome.DONE
        reminder_id = reminder.id

    with session_scope(session_factory) as session:
        pairing = session.get(Pairing, world.riley_pairing)
        assert pairing.ended_on == date(2026, 11, 25)
        assert pairing.end_reason is EndReason.CHANGE_REQUEST  # what keeps the matcher from repeating it
        assert pairing.next_check_on is None
        assert session.get(OutboxMessage, reminder_id).state is OutboxState.CANCELLED
        assert session.get(Pairing, world.sam_pairing).active  # Fran's other pairing is untouched

        notices = _outbox(session, kind=OutboxKind.PAIRING_ENDED)
        assert [n.recipient_user_ids for n in notices] == [["UFRAN"]]
        assert notices[0].text == NEUTRAL_NOTICE
        assert "Riley" not in str(notices[0].blocks) and "URILEY" not in str(notices[0].blocks)

        confirmation = _outbox(session, kind=OutboxKind.REQUEST_CONFIRMATION)[0]
        assert confirmation.recipient_user_ids == ["URILEY"]
        assert confirmation.not_before == NOW  # not held for working hours
        assert NOTE not in confirmation.text

        alerts = _outbox(session, kind=OutboxKind.REQUEST_ALERT)
        assert sorted(a.recipient_user_ids[0] for a in alerts) == ["UCASEY", "UDANA"]
        assert all(NOTE in str(a.blocks) and NOTE not in a.text for a in alerts)

        assert _waiting(session) == {world.fran, world.riley}
        request = session.scalars(select(ChangeRequest)).one()
        assert (request.note, request.state, request.counterpart_ids) == (NOTE, RequestState.OPEN, [world.fran])


def test_a_change_without_rematch_queues_only_the_other_person(session_factory, world):
    with session_scope(session_factory) as session:
        result = _change(session, world, requester=world.tess, pairing=world.tess_pairing, rematch=False, note="  ")
        assert result.summary.queued[0].person_id == world.gil
    with session_scope(session_factory) as session:
        assert _waiting(session) == {world.gil}
        assert session.scalars(select(ChangeRequest)).one().note is None  # blank notes are not kept


def test_a_coordinator_in_the_pairing_does_not_get_the_alert(session_factory, arrange, world):
    with arrange() as session:
        program = session.get(Program, world.program_id)
        new = factories.person(session, program, role=Role.RESIDENT, name="Nico", slack_user_id="UNICO")
        pairing_id = factories.pairing(session, program, mentor=session.get(Person, world.dana), resident=new).id
    with session_scope(session_factory) as session:
        _change(session, world, requester=new.id, pairing=pairing_id)
    with session_scope(session_factory) as session:
        alerts = _outbox(session, kind=OutboxKind.REQUEST_ALERT)
        assert [a.recipient_user_ids for a in alerts] == [["UCASEY"]]  # Dana, the other person, is left out
        assert [r.id for r in requests.open_requests_for(session, coordinator=session.get(Person, world.dana))] == []
        assert len(requests.open_requests_for(session, coordinator=session.get(Person, world.casey))) == 1


def test_someone_outside_the_pairing_cannot_change_it(session_factory, world):
    with session_scope(session_factory) as session:
        with pytest.raises(requests.NotAPartyError):
            _change(session, world, requester=world.tess, pairing=world.riley_pairing)


def test_a_request_for_an_ended_pairing_ends_nothing_more_but_reaches_the_coordinators(session_factory, world):
    with session_scope(session_factory) as session:
        _change(session, world, requester=world.riley, pairing=world.riley_pairing)
    with session_scope(session_factory) as session:
        again = _change(session, world, requester=world.fran, pairing=world.riley_pairing)
        assert again.outcome is requests.Outcome.PAIRING_ENDED and again.summary.pairing_had_ended
    with session_scope(session_factory) as session:
        assert len(session.scalars(select(ChangeRequest)).all()) == 2
        assert len(_outbox(session, kind=OutboxKind.PAIRING_ENDED)) == 1  # the other person was told once
        late_alert = [a for a in _outbox(session, kind=OutboxKind.REQUEST_ALERT) if "after it had already ended" in a.text]
        assert sorted(a.recipient_user_ids[0] for a in late_alert) == ["UCASEY", "UDANA"]


def test_the_same_submission_twice_does_nothing_the_second_time(session_factory, world):
    for _ in range(2):
        with session_scope(session_factory) as session:
            outcome = _change(session, world, requester=world.riley, pairing=world.riley_pairing, key="change.submit:V1").outcome
    assert outcome is requests.Outcome.DUPLICATE
    with session_scope(session_factory) as session:
        assert len(session.scalars(select(ChangeRequest)).all()) == 1
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "change_request.made")).all()) == 1


def test_a_mentor_who_withdraws_ends_both_pairings(session_factory, world):
    with session_scope(session_factory) as session:
        fran = session.get(Person, world.fran)
        program = session.get(Program, world.program_id)
        earlier = enqueue(
            session, program=program, kind=OutboxKind.ROUND_INVITATION, text="Round open", now=NOW, recipients=[fran]
        )
        result = changes.withdraw(session, actor=_actor(session, world.fran), note=None, now=NOW)
        assert result.outcome is requests.Outcome.DONE
        assert set(result.affected_user_ids) == {"UFRAN", "URILEY", "USAM"}
        earlier_id = earlier.id

    with session_scope(session_factory) as session:
        fran = session.get(Person, world.fran)
        assert fran.status is PersonStatus.WITHDRAWN and fran.withdrawn_at == NOW
        ended = {p.id: p.end_reason for p in session.scalars(select(Pairing).where(Pairing.mentor_id == world.fran))}
        assert ended == {world.riley_pairing: EndReason.WITHDRAWAL, world.sam_pairing: EndReason.WITHDRAWAL}
        notices = _outbox(session, kind=OutboxKind.PAIRING_ENDED)
        assert sorted(n.recipient_user_ids[0] for n in notices) == ["URILEY", "USAM"]
        assert _waiting(session) == {world.riley, world.sam}
        assert session.get(OutboxMessage, earlier_id).state is OutboxState.CANCELLED
        confirmation = _outbox(session, kind=OutboxKind.REQUEST_CONFIRMATION)[0]
        assert (confirmation.recipient_user_ids, confirmation.state) == (["UFRAN"], OutboxState.PENDING)

        # No more DMs after the confirmation, whoever tries to send one.
        later = enqueue(
            session,
            program=session.get(Program, world.program_id),
            kind=OutboxKind.NUDGE_DUE,
            text="x",
            now=NOW,
            recipients=[fran],
        )
        assert later.state is OutboxState.CANCELLED


def test_withdrawing_twice_is_a_kind_no_op(session_factory, world):
    with session_scope(session_factory) as session:
        changes.withdraw(session, actor=_actor(session, world.tess), note=None, now=NOW)
    with session_scope(session_factory) as session:
        again = changes.withdraw(session, actor=_actor(session, world.tess), note=None, now=NOW)
        assert again.outcome is requests.Outcome.ALREADY_WITHDRAWN
    with session_scope(session_factory) as session:
        assert len(session.scalars(select(ChangeRequest)).all()) == 1


def test_withdrawing_without_a_pairing_mid_round_with_preferences(session_factory, arrange, world):
    with arrange() as session:
        program = session.get(Program, world.program_id)
        round_ = factories.matching_round(session, program)
        una = factories.person(session, program, role=Role.RESIDENT, name="Una", slack_user_id="UUNA")
        factories.preference(session, program, resident=una, ranking=[session.get(Person, world.gil)], round_=round_)
        session.add(
            QueueEntry(program_id=program.id, person_id=una.id, reason=requests.QueueReason.MIDYEAR_REQUEST, queued_at=NOW)
        )
    with session_scope(session_factory) as session:
        result = changes.withdraw(session, actor=_actor(session, una.id), note=None, now=NOW)
        assert result.summary.counterparts == ()
    with session_scope(session_factory) as session:
        assert session.get(Person, una.id).status is PersonStatus.WITHDRAWN
        assert una.id not in _waiting(session)  # out of the queue, as out of rounds
        assert session.scalars(select(ResidentPreference)).one()  # kept for when they rejoin
        assert _outbox(session, kind=OutboxKind.PAIRING_ENDED) == []


def test_a_withdrawing_mentor_leaves_a_pending_proposal(session_factory, arrange, world):
    with arrange() as session:
        program = session.get(Program, world.program_id)
        hal = factories.person(session, program, role=Role.FACULTY, name="Dr. Hal", slack_user_id="UHAL")
        ava = factories.person(session, program, role=Role.RESIDENT, name="Ava", slack_user_id="UAVA")
        ben = factories.person(session, program, role=Role.RESIDENT, name="Ben", slack_user_id="UBEN")
        cal = factories.person(session, program, role=Role.RESIDENT, name="Cal", slack_user_id="UCAL")
        gil = session.get(Person, world.gil)
        factories.preference(session, program, resident=cal, ranking=[gil])
        proposal_id = factories.proposal(session, program, pairs=[(hal, ava, 1), (hal, ben, 2), (gil, cal, 1)]).id
    with session_scope(session_factory) as session:
        result = changes.withdraw(session, actor=_actor(session, hal.id), note=None, now=NOW)
        assert result.summary.removed_from_proposal
        assert [p.name for p in result.summary.unmatched_in_proposal] == ["Ava", "Ben"]
    with session_scope(session_factory) as session:
        proposal = session.get(Proposal, proposal_id)
        assert [(p.mentor_id, p.resident_id) for p in proposal.pairs] == [(world.gil, cal.id)]
        assert proposal.unmatched_resident_ids == [ava.id, ben.id]
        review = review_of(session, proposal=proposal)  # the review's figures are computed from the pairs, live
        assert (len(review.pairs), len(review.unmatched), review.first_choice) == (1, 2, 1)
        assert session.scalars(select(ProposalPair).where(ProposalPair.mentor_id == hal.id)).all() == []


def test_a_withdrawing_resident_leaves_a_pending_proposal(session_factory, arrange, world):
    with arrange() as session:
        program = session.get(Program, world.program_id)
        hal = factories.person(session, program, role=Role.FACULTY, name="Dr. Hal", slack_user_id="UHAL")
        ava = factories.person(session, program, role=Role.RESIDENT, name="Ava", slack_user_id="UAVA")
        ben = factories.person(session, program, role=Role.RESIDENT, name="Ben", slack_user_id="UBEN")
        proposal_id = factories.proposal(session, program, pairs=[(hal, ava, 1)], unmatched=[ben]).id
    with session_scope(session_factory) as session:
        changes.withdraw(session, actor=_actor(session, ava.id), note=None, now=NOW)
        changes.withdraw(session, actor=_actor(session, ben.id), note=None, now=NOW)
    with session_scope(session_factory) as session:
        proposal = session.get(Proposal, proposal_id)
        assert (proposal.pairs, proposal.unmatched_resident_ids) == ([], [])


def test_rejoin_brings_someone_back(session_factory, world):
    with session_scope(session_factory) as session:
        changes.withdraw(session, actor=_actor(session, world.tess), note=None, now=NOW)
    with session_scope(session_factory) as session:
        assert changes.rejoin(session, actor=_actor(session, world.tess), now=NOW).outcome is requests.Outcome.DONE
        assert changes.rejoin(session, actor=_actor(session, world.tess), now=NOW).outcome is requests.Outcome.NOT_WITHDRAWN
    with session_scope(session_factory) as session:
        tess = session.get(Person, world.tess)
        assert (tess.status, tess.withdrawn_at) == (PersonStatus.ACTIVE, None)
        assert sorted(m.recipient_user_ids[0] for m in _outbox(session, kind=OutboxKind.REQUEST_REJOINED)) == ["UCASEY", "UDANA"]
        # The old pairing stays ended: rejoining is not undoing.
        assert session.get(Pairing, world.tess_pairing).end_reason is EndReason.WITHDRAWAL


def test_resolving_deletes_the_note_everywhere_it_was_stored(session_factory, engine, world):
    with session_scope(session_factory) as session:
        request_id = _change(session, world, requester=world.riley, pairing=world.riley_pairing).summary.request_id
    with session_scope(session_factory) as session:  # Casey's copy was delivered, Dana's not yet
        for alert in _outbox(session, kind=OutboxKind.REQUEST_ALERT):
            if alert.recipient_user_ids == ["UCASEY"]:
                alert.state, alert.slack_channel, alert.slack_ts = OutboxState.SENT, "DCASEY", "1700000000.000009"
    with session_scope(session_factory) as session:
        result = changes.resolve(
            session, request_id=request_id, actor=_actor(session, world.casey),
            resolution=requests.Resolution.CLOSE, now=NOW,
        )  # fmt: skip
        assert result.outcome is requests.Outcome.DONE
        assert result.cleanup == Cleanup(cancelled=1, edits=1)  # Dana's copy stopped, Casey's to be edited in Slack
        [edit] = _outbox(session, kind=OutboxKind.REQUEST_ALERT_CLEANUP)
        casey_copy = session.get(OutboxMessage, edit.edits_id)
        assert (casey_copy.slack_ts, edit.report_to, edit.text) == ("1700000000.000009", "UCASEY", casey_copy.text)
        assert NOTE not in str(result.resolved_message)

    with engine.connect() as connection:  # straight from the database, past the ORM
        row = connection.execute(
            text("SELECT note, state, resolution, resolved_by_id FROM change_requests WHERE id = :id"), {"id": request_id}
        ).one()
        assert tuple(row) == (None, "resolved", "closed", world.casey)
        stored = connection.execute(text("SELECT text, blocks, state FROM outbox")).all()
        assert not any(NOTE in (t or "") or NOTE in str(b or "") for t, b, _ in stored)
        audit = connection.execute(text("SELECT details FROM audit_log")).all()
        assert audit and not any(NOTE in str(d) for (d,) in audit)
    with session_scope(session_factory) as session:
        states = {a.recipient_user_ids[0]: a.state for a in _outbox(session, kind=OutboxKind.REQUEST_ALERT)}
        assert states == {"UCASEY": OutboxState.SENT, "UDANA": OutboxState.CANCELLED}
        again = changes.resolve(
            session, request_id=request_id, actor=_actor(session, world.dana),
            resolution=requests.Resolution.REMATCH, now=NOW,
        )  # fmt: skip
        assert again.outcome is requests.Outcome.ALREADY_RESOLVED
        assert again.summary.resolved_by == "Casey Coordinator"


def test_rematch_now_queues_everyone_involved(session_factory, world):
    with session_scope(session_factory) as session:
        request_id = _change(session, world, requester=world.tess, pairing=world.tess_pairing, rematch=False).summary.request_id
    with session_scope(session_factory) as session:
        assert _waiting(session) == {world.gil}
        changes.resolve(
            session, request_id=request_id, actor=_actor(session, world.casey),
            resolution=requests.Resolution.REMATCH, now=NOW,
        )  # fmt: skip
    with session_scope(session_factory) as session:
        assert _waiting(session) == {world.gil, world.tess}


def test_summary_queries_give_counts_and_who_waits_without_why(session_factory, world):
    with session_scope(session_factory) as session:
        _change(session, world, requester=world.riley, pairing=world.riley_pairing, rematch=False)
        changes.withdraw(session, actor=_actor(session, world.gil), note=None, now=NOW)
    with session_scope(session_factory) as session:
        assert requests.open_request_count(session, program_id=world.program_id) == 2
        waiting = people_waiting_for_match(session, program_id=world.program_id)
        assert [p.name for p in waiting] == ["Dr. Fran", "Tess Resident"]


def test_the_audit_log_says_who_did_what_to_whom_but_never_the_note(session_factory, world):
    with session_scope(session_factory) as session:
        _change(session, world, requester=world.riley, pairing=world.riley_pairing)
    with session_scope(session_factory) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action != "program.created").order_by(AuditEntry.id)).all()
        assert [(e.action, e.actor_id, e.subject_id) for e in entries] == [
            ("pairing.ended", world.riley, world.fran),
            ("change_request.made", world.riley, world.fran),
        ]
        assert all(NOTE not in str(e.details) for e in entries)


def _change_at_the_same_moment(
    factory, asks: list[tuple[int, int]], notes: dict[int, str] | None = None
) -> list[requests.Outcome]:
    """Each (person, pairing) asks in its own transaction, all released at once."""
    barrier = threading.Barrier(len(asks))
    outcomes: list[requests.Outcome] = []

    def ask(person_id: int, pairing_id: int) -> None:
        with session_scope(factory) as session:
            session.execute(text("SELECT 1"))  # each transaction has begun before any of them asks
            barrier.wait(timeout=10)
            result = changes.request_change(
                session, actor=_actor(session, person_id), pairing_id=pairing_id, note=(notes or {}).get(person_id),
                rematch=True, now=NOW,
            )  # fmt: skip
            outcomes.append(result.outcome)

    threads = [threading.Thread(target=ask, args=a) for a in asks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.postgres
def test_both_people_asking_at_the_same_moment_end_the_pairing_once_and_both_notes_reach_the_coordinators(pg_database_url):
    engine = make_engine(pg_database_url)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        program = factories.program(session)
        fran = factories.person(session, program, role=Role.FACULTY, name="Fran")
        riley = factories.person(session, program, role=Role.RESIDENT, name="Riley")
        factories.person(session, program, role=Role.COORDINATOR, name="Casey", slack_user_id="UCASEY")
        pairing_id = factories.pairing(session, program, mentor=fran, resident=riley).id
    notes = {fran.id: "Fran's note", riley.id: "Riley's note"}
    outcomes = _change_at_the_same_moment(factory, [(fran.id, pairing_id), (riley.id, pairing_id)], notes)
    with session_scope(factory) as session:
        assert sorted(o.value for o in outcomes) == ["done", "pairing_ended"]
        requests_made = session.scalars(select(ChangeRequest).order_by(ChangeRequest.id)).all()
        assert sorted(r.note for r in requests_made) == sorted(notes.values())  # the loser's note is not dropped
        _winner, loser = requests_made
        assert session.get(Pairing, pairing_id).end_reason is EndReason.CHANGE_REQUEST
        (notice,) = _outbox(session, kind=OutboxKind.PAIRING_ENDED)  # ended once: one neutral notice
        assert notice.recipient_user_ids == [session.get(Person, loser.requester_id).slack_user_id]
        alerts = {a.text: a.recipient_user_ids for a in _outbox(session, kind=OutboxKind.REQUEST_ALERT)}
        assert len(alerts) == 2 and all(r == ["UCASEY"] for r in alerts.values())
        assert sum("after it had already ended" in text for text in alerts) == 1
        confirmations = {c.recipient_user_ids[0]: c.text for c in _outbox(session, kind=OutboxKind.REQUEST_CONFIRMATION)}
        loser_user = session.get(Person, loser.requester_id).slack_user_id
        assert "had already ended a moment before you asked" in confirmations[loser_user]
        assert "Pairing changed" not in confirmations[loser_user] and "As you asked" not in confirmations[loser_user]
    engine.dispose()


@pytest.mark.postgres
def test_two_mentees_of_one_mentor_asking_at_once_queue_the_mentor_once(pg_database_url):
    engine = make_engine(pg_database_url)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        program = factories.program(session)
        fran = factories.person(session, program, role=Role.FACULTY, name="Fran")
        riley = factories.person(session, program, role=Role.RESIDENT, name="Riley")
        sam = factories.person(session, program, role=Role.RESIDENT, name="Sam")
        asks = [(riley.id, factories.pairing(session, program, mentor=fran, resident=riley).id),
                (sam.id, factories.pairing(session, program, mentor=fran, resident=sam).id)]  # fmt: skip
    outcomes = _change_at_the_same_moment(factory, asks)
    with session_scope(factory) as session:
        assert [o.value for o in outcomes] == ["done", "done"]
        assert sorted(_waiting(session)) == sorted([fran.id, riley.id, sam.id])
        assert len(session.scalars(select(QueueEntry).where(QueueEntry.person_id == fran.id)).all()) == 1
    engine.dispose()


def test_the_neutral_notice_is_the_same_whoever_ended_the_pairing(session_factory, world):
    """The other person must not be able to tell a change request or a withdrawal from a
    coordinator's unpairing by the notice they get: one message, byte for byte."""
    from program.matching.pairs import unpair_and_notify

    with session_scope(session_factory) as session:
        _change(session, world, requester=world.riley, pairing=world.riley_pairing)  # Fran is told
        changes.withdraw(session, actor=_actor(session, world.sam), note=None, now=NOW, idempotency_key=None)
        program = session.get(Program, session.get(Person, world.tess).program_id)
        unpair_and_notify(
            session, program=program, resident=session.get(Person, world.tess),
            coordinator=session.get(Person, world.casey), now=NOW,
        )  # fmt: skip

    with session_scope(session_factory) as session:
        notices = _outbox(session, kind=OutboxKind.PAIRING_ENDED)
        by_recipient = {n.recipient_user_ids[0]: (n.text, n.blocks) for n in notices}
        assert {"UFRAN", "UGIL", "UTESS"} <= by_recipient.keys()
        assert len(set(map(repr, by_recipient.values()))) == 1, by_recipient

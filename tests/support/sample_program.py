"""A small, realistic program for report tests and the README's chart: academic year 2026–27
(July 1 start), six faculty, nine residents, one coordinator, pairs that meet, one that meets
once and stops, one that never meets, one that ended early and a rematch.

`build(session, meetings_through=day)` logs the planned meetings up to `day`; the year test
logs the rest as its clock passes them (`log_meetings`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from mentoring.check_ins import CheckInKind
from storage.models import CheckInAnswer, EndReason, Pairing, Person, Program, QueueReason, RequestKind, Role, RoundState
from tests.support import factories

JULY_1 = date(2026, 7, 1)

# (mentor, resident, started_on, ended_on)
PAIRS = {
    "ortiz-chen": ("UFAC1", "URES1", JULY_1, None),
    "ortiz-novak": ("UFAC1", "URES2", JULY_1, None),
    "lee-diaz": ("UFAC2", "URES3", JULY_1, None),
    "lee-brooks": ("UFAC2", "URES4", JULY_1, None),
    "patel-park": ("UFAC3", "URES5", JULY_1, None),
    "haddad-wong": ("UFAC4", "URES6", JULY_1, date(2026, 9, 15)),
    "haddad-rivera": ("UFAC4", "URES7", date(2026, 10, 1), None),
}
MEETINGS = {
    "ortiz-chen": [date(2026, 8, 10), date(2026, 11, 2), date(2027, 1, 20), date(2027, 4, 15)],
    "ortiz-novak": [date(2026, 9, 1), date(2026, 9, 29), date(2026, 12, 10), date(2027, 3, 5), date(2027, 6, 1)],
    "lee-diaz": [date(2026, 7, 20)],  # met once, then nothing: overdue from Oct 20
    "lee-brooks": [],  # never met: overdue from Oct 1
    "patel-park": [date(2026, 8, 5), date(2026, 10, 30), date(2027, 1, 25), date(2027, 4, 20)],
    "haddad-wong": [date(2026, 8, 1)],
    "haddad-rivera": [date(2026, 11, 15), date(2027, 2, 10), date(2027, 5, 5)],
}
PEOPLE = [
    ("UCOORD1", "Casey Morgan", Role.COORDINATOR, False),
    ("UFAC1", "Dr. Fran Ortiz", Role.FACULTY, True),
    ("UFAC2", "Dr. Sam Lee", Role.FACULTY, False),
    ("UFAC3", "Dr. Priya Patel", Role.FACULTY, False),
    ("UFAC4", "Dr. Omar Haddad", Role.FACULTY, False),
    ("UFAC5", "Dr. Jo Kim", Role.FACULTY, False),
    ("UFAC6", "Dr. Ana Silva", Role.FACULTY, False),
    ("URES1", "Riley Chen", Role.RESIDENT, False),
    ("URES2", "Alex Novak", Role.RESIDENT, False),
    ("URES3", "Morgan Diaz", Role.RESIDENT, False),
    ("URES4", "Taylor Brooks", Role.RESIDENT, False),
    ("URES5", "Jamie Park", Role.RESIDENT, False),
    ("URES6", "Chris Wong", Role.RESIDENT, False),
    ("URES7", "Sam Rivera", Role.RESIDENT, False),
    ("URES8", "Dana White", Role.RESIDENT, False),
    ("URES9", "Eli Stone", Role.RESIDENT, False),
]
# Check-in scores given each quarter (anonymous: no person, no pairing), by kind. Q3 has too few to show.
CHECK_IN_SCORES = {
    (1, CheckInKind.MEETING): [5, 4, 4, 5, 3, 4],
    (2, CheckInKind.MEETING): [4, 4, 5, 3, 4, 5, 4],
    (2, CheckInKind.QUARTERLY): [4, 5, 4, 4, 3],
    (3, CheckInKind.MEETING): [5, 4, 4],
}
# Faculty offers for 2026–27: (capacity, available)
OFFERS = {"UFAC1": (2, True), "UFAC2": (2, True), "UFAC3": (2, True), "UFAC4": (1, True), "UFAC5": (1, True), "UFAC6": (2, False)}
SECRET_NOTE = "PRIVATE NOTE: never shown in a report"


@dataclass
class SampleProgram:
    program_id: int
    people: dict[str, int]  # slack user id -> person id
    pairings: dict[str, int]  # PAIRS key -> pairing id
    logged: set[tuple[str, date]] = field(default_factory=set)


def build(session: Session, *, meetings_through: date | None = None, channel: str | None = "C0COORD1") -> SampleProgram:
    program = factories.program(session, channel=channel)
    people = {
        uid: factories.person(session, program, role=role, name=name, slack_user_id=uid, is_coordinator=coordinator or None)
        for uid, name, role, coordinator in PEOPLE
    }
    for uid, (capacity, available) in OFFERS.items():
        factories.offer(session, program, mentor=people[uid], capacity=capacity, available=available)
    pairings: dict[str, Pairing] = {}
    for key, (mentor, resident, started_on, _ended_on) in PAIRS.items():
        pairings[key] = factories.pairing(
            session, program, mentor=people[mentor], resident=people[resident], started_on=started_on
        )
    factories.matching_round(session, program, state=RoundState.CLOSED, deadline_at=datetime(2026, 6, 15, 21, tzinfo=UTC))
    sample = SampleProgram(program.id, {uid: p.id for uid, p in people.items()}, {k: p.id for k, p in pairings.items()})
    if meetings_through is not None:
        log_meetings(session, sample, upto=meetings_through)
    # Things that happen once the year is under way; the year test gets them too, early.
    _end(session, sample, "haddad-wong", date(2026, 9, 15))
    factories.change_request(session, program, people["URES5"], kind=RequestKind.CHANGE, note=SECRET_NOTE)
    factories.queued(session, program, people["URES8"], since=datetime(2026, 11, 2, 14, tzinfo=UTC))
    factories.queued(session, program, people["URES9"], since=datetime(2026, 11, 20, 14, tzinfo=UTC), reason=QueueReason.REMATCH)
    factories.proposal(
        session, program, pairs=[(people["UFAC5"], people["URES8"], 1)], unmatched=[people["URES9"]],
        created_at=datetime(2026, 11, 23, 15, tzinfo=UTC),
    )  # fmt: skip
    factories.failed_delivery(
        session, program, [people["URES9"]], error="user_disabled", at=datetime(2026, 11, 24, 14, tzinfo=UTC)
    )
    for (quarter, kind), scores in CHECK_IN_SCORES.items():
        for number, score in enumerate(scores):
            session.add(CheckInAnswer(id=f"sample-{quarter}-{kind.value}-{number}", program_id=program.id, kind=kind,
                                      academic_year=2026, quarter=quarter, score=score))  # fmt: skip
    return sample


def _end(session: Session, sample: SampleProgram, key: str, ended_on: date) -> None:
    pair = session.get(Pairing, sample.pairings[key])
    assert pair is not None
    factories.end_pairing(session, pair, ended_on, EndReason.CHANGE_REQUEST)


def pending_meetings(sample: SampleProgram, *, upto: date) -> list[tuple[str, date]]:
    """Planned meetings on or before `upto` that are not logged yet."""
    return [(key, day) for key, days in MEETINGS.items() for day in days if day <= upto and (key, day) not in sample.logged]


def log_meetings(session: Session, sample: SampleProgram, *, upto: date) -> int:
    """Log every planned meeting on or before `upto` not logged yet; returns how many."""
    pending = pending_meetings(sample, upto=upto)
    for key, day in pending:
        pair = session.get(Pairing, sample.pairings[key])
        assert pair is not None
        factories.meeting(session, pair, day, logged_by=session.get(Person, pair.resident_id))
        sample.logged.add((key, day))
    return len(pending)


def program(session: Session, sample: SampleProgram) -> Program:
    found = session.get(Program, sample.program_id)
    assert found is not None
    return found

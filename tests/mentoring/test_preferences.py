"""The rules residents' and faculty's answers must keep, table-driven."""

from __future__ import annotations

import pytest

from mentoring.preferences import (
    CATALOGUE_LIMIT,
    DEFAULT_SUBSPECIALTIES,
    NOTE_MAX_CHARS,
    PREFERRED_RESIDENTS_LIMIT,
    FocusArea,
    OfferAnswers,
    RequestAnswers,
    check_offer,
    check_request,
    ordinal,
    subspecialty_catalogue,
    subspecialty_key,
)

KNOWN = ["cardiology", "nephrology"]
ME = 7
ELIGIBLE = [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (RequestAnswers(choices=(1, 2, 3, 4, 5)), {}),
        (RequestAnswers(choices=(None, 2, None, 4, None)), {}),  # gaps close up
        (RequestAnswers(choices=()), {}),  # ranking nobody is fine: matched by interests
        (RequestAnswers(choices=(1, 2, 1)), {"choice_3": "You already picked this person as your 1st choice."}),
        (
            RequestAnswers(choices=(9,)),
            {"choice_1": "This person isn't taking mentees this year. Please pick someone else."},
        ),
        (RequestAnswers(choices=(None, ME)), {"choice_2": "You can't pick yourself. Please choose a faculty member."}),
        (
            RequestAnswers(choices=(-1,)),
            {"choice_1": "This person isn't taking mentees this year. Please pick someone else."},
        ),
        (
            RequestAnswers(choices=(1,), subspecialties=("astrology",)),
            {"subspecialties": "Please pick subspecialties from the list."},
        ),
        (RequestAnswers(choices=(1,), focus_areas=("fun",)), {"focus_areas": "Please pick focus areas from the list."}),
        (RequestAnswers(choices=(1,), note="x" * NOTE_MAX_CHARS), {}),
    ],
)
def test_check_request(answers, expected):
    assert check_request(answers, resident_id=ME, eligible_mentor_ids=ELIGIBLE, known_subspecialties=KNOWN) == expected


def test_an_over_long_note_is_refused_with_its_length():
    problems = check_request(
        RequestAnswers(choices=(), note="x" * (NOTE_MAX_CHARS + 1)),
        resident_id=ME,
        eligible_mentor_ids=[],
        known_subspecialties=[],
    )
    assert problems == {"note": f"Please keep the note under {NOTE_MAX_CHARS} characters (it has {NOTE_MAX_CHARS + 1})."}


def test_more_than_five_choices_is_refused():
    problems = check_request(
        RequestAnswers(choices=(1, 2, 3, 4, 5, 6)),
        resident_id=ME,
        eligible_mentor_ids=ELIGIBLE,
        known_subspecialties=[],
    )
    assert problems == {"choice_5": "You can rank up to 5 faculty."}


def test_ranking_closes_up_gaps():
    assert RequestAnswers(choices=(None, 4, None, 2, None)).ranking == [4, 2]


@pytest.mark.parametrize(
    ("answers", "max_capacity", "expected"),
    [
        (OfferAnswers(available=True, capacity=2), 2, {}),
        (OfferAnswers(available=False, capacity=None), 2, {}),
        (OfferAnswers(available=None, capacity=1), 2, {"available": "Please say whether you can mentor this year."}),
        (OfferAnswers(available=True, capacity=None), 2, {"capacity": "Please say how many mentees you can take."}),
        (OfferAnswers(available=True, capacity=2), 1, {"capacity": "The program allows at most 1 mentee per mentor."}),
        (OfferAnswers(available=True, capacity=3), 2, {"capacity": "The program allows at most 2 mentees per mentor."}),
        (OfferAnswers(available=True, capacity=0), 2, {"capacity": "The program allows at most 2 mentees per mentor."}),
        (
            OfferAnswers(available=True, capacity=1, preferred_residents=(1, 1)),
            2,
            {"preferred_residents": "Please pick each resident only once."},
        ),
        (
            OfferAnswers(available=True, capacity=1, preferred_residents=(99,)),
            2,
            {"preferred_residents": "Please pick residents from the list."},
        ),
        (
            OfferAnswers(available=True, capacity=1, preferred_residents=tuple(range(PREFERRED_RESIDENTS_LIMIT + 1))),
            2,
            {"preferred_residents": f"Please pick at most {PREFERRED_RESIDENTS_LIMIT} residents."},
        ),
        (
            OfferAnswers(available=True, capacity=1, subspecialties=("cardiology",), focus_areas=(FocusArea.WELLBEING.value,)),
            2,
            {},
        ),
    ],
)
def test_check_offer(answers, max_capacity, expected):
    assert (
        check_offer(answers, max_capacity=max_capacity, eligible_resident_ids=range(20), known_subspecialties=KNOWN) == expected
    )


def test_catalogue_merges_roster_spellings_and_stays_within_slacks_limit():
    catalogue = subspecialty_catalogue(["  cardiology ", "Transplant  Hepatology", None, "transplant hepatology"])
    keys = [c.key for c in catalogue]
    assert keys.count("cardiology") == 1 and "transplant hepatology" in keys
    assert next(c.label for c in catalogue if c.key == "transplant hepatology") == "Transplant Hepatology"
    assert [c.label.lower() for c in catalogue] == sorted(c.label.lower() for c in catalogue)

    huge = subspecialty_catalogue(f"Niche {i}" for i in range(500))
    assert len(huge) == CATALOGUE_LIMIT
    assert {subspecialty_key(s) for s in DEFAULT_SUBSPECIALTIES} <= {c.key for c in huge}


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (102, "102nd"),
    ],
)
def test_ordinal(n, text):
    assert ordinal(n) == text

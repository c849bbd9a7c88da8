from __future__ import annotations

import pytest

from mentorbot.roster_csv import RosterFileError, parse_roster_csv
from storage.models import Role

HEADER = "slack_user_id,email,name,role,pgy,subspecialty\n"


def test_parses_every_role_and_optional_fields():
    rows = parse_roster_csv(
        HEADER
        + "U0000001,,Riley Resident,resident,2,cardiology\n"
        + ",fran@example.org,Dr. Fran Faculty,Faculty,,\n"
        + "U0000003,,Cam Coord,coordinator,,\n"
        + "U0000004,,Dr. Both,faculty+coordinator,,GI\n"
    )
    assert [(r.line, r.role, r.is_coordinator) for r in rows] == [
        (2, Role.RESIDENT, False),
        (3, Role.FACULTY, False),
        (4, Role.COORDINATOR, True),
        (5, Role.FACULTY, True),
    ]
    assert rows[0].pgy == 2 and rows[0].subspecialty == "cardiology"
    assert rows[1].slack_user_id is None and rows[1].email == "fran@example.org"


def test_columns_may_come_in_any_order_and_blank_lines_are_skipped():
    rows = parse_roster_csv("Name,Role,Slack_User_ID\nRiley,resident,U0000001\n\n")
    assert rows[0].name == "Riley" and rows[0].pgy is None


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("U0000001,,Riley,surgeon,,", "role 'surgeon' is not one of"),
        (",,Riley,resident,,", "give a slack_user_id or an email"),
        ("bob,,Riley,resident,,", "is not a Slack member ID"),
        (",not-an-email,Riley,resident,,", "is not an e-mail address"),
        ("U0000001,,,resident,,", "name is empty"),
        ("U0000001,,Riley,resident,11,", "not a year from 1 to 10"),
        ("U0000001,,Dr. F,faculty,3,", "pgy is only for residents"),
        ("U0000001,,Riley,resident", "expected 6 fields, found 4"),
    ],
)
def test_bad_rows_are_reported_with_their_line_number(line, problem):
    with pytest.raises(RosterFileError) as error:
        parse_roster_csv(HEADER + "U0000009,,Fine Person,resident,1,\n" + line + "\n")
    assert len(error.value.problems) == 1
    assert error.value.problems[0].startswith("line 3: ")
    assert problem in error.value.problems[0]


def test_every_bad_line_is_listed_not_just_the_first():
    with pytest.raises(RosterFileError) as error:
        parse_roster_csv(HEADER + "U0000001,,A,nope,,\nU0000002,,B,nope,,\n")
    assert [p.split(":")[0] for p in error.value.problems] == ["line 2", "line 3"]


def test_duplicate_people_are_refused():
    with pytest.raises(RosterFileError, match="already appears on line 2"):
        parse_roster_csv(HEADER + "U0000001,,A,resident,,\nU0000001,,A again,resident,,\n")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("name,role\n", "needs a slack_user_id or an email column"),
        ("slack_user_id,name\n", "missing column(s) role"),
        ("slack_user_id,name,role,shoe_size\n", "unknown column(s) shoe_size"),
    ],
)
def test_bad_headers(text, problem):
    with pytest.raises(RosterFileError) as error:
        parse_roster_csv(text)
    assert problem in str(error.value)

"""The roster CSV format: parsing and checking, pure. Slack lookups happen in the caller.

Columns (header row required, order free, names case-insensitive):
    slack_user_id  the member ID (U…); or leave it empty and give
    email          an address Slack can resolve with users.lookupByEmail
    name           the person's name as coordinators know them (required)
    role           resident | faculty | coordinator | faculty+coordinator, or mentee | mentor
                   (the same two sides by their plain names, for a peer-mentoring track)
    pgy            postgraduate year 1-10, residents and peer mentors only (optional)
    subspecialty   e.g. cardiology (optional)
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from mentoring.text_files import cut, first_control_character, shown
from storage.models import Role

REQUIRED_COLUMNS = {"name", "role"}
KNOWN_COLUMNS = {"slack_user_id", "email", "name", "role", "pgy", "subspecialty"}
ROLE_WORDS = {
    "resident": (Role.RESIDENT, False),
    "faculty": (Role.FACULTY, False),
    "coordinator": (Role.COORDINATOR, True),
    "faculty+coordinator": (Role.FACULTY, True),
    # The mentee and mentor sides by their plain names, for a peer-mentoring track whose
    # mentors are senior residents (a mentor's row may then carry a PGY).
    "mentee": (Role.RESIDENT, False),
    "mentor": (Role.FACULTY, False),
}
PGY_ROLE_WORDS = {"resident", "mentee", "mentor"}
USER_ID = re.compile(r"[UW][A-Z0-9]{4,31}")
PGY = re.compile(r"[0-9]{1,2}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class RosterRow:
    line: int
    slack_user_id: str | None
    email: str | None
    name: str
    role: Role
    is_coordinator: bool
    pgy: int | None
    subspecialty: str | None


class RosterFileError(ValueError):
    """Every problem found in the file, each with its line number."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _row(line: int, fields: dict[str, str], problems: list[str]) -> RosterRow | None:
    before = len(problems)

    def bad(message: str) -> None:
        problems.append(f"line {line}: {message}")

    user_id = fields.get("slack_user_id", "").strip() or None
    email = fields.get("email", "").strip() or None
    name = fields.get("name", "").strip()
    role_word = fields.get("role", "").strip().lower()
    pgy_text = fields.get("pgy", "").strip()
    subspecialty = fields.get("subspecialty", "").strip() or None

    if user_id is None and email is None:
        bad("give a slack_user_id or an email")
    if user_id is not None and not USER_ID.fullmatch(user_id):
        bad(f"slack_user_id {shown(user_id)} is not a Slack member ID (U…)")
    if email is not None and (len(email) > 254 or not EMAIL.fullmatch(email)):
        bad(f"email {shown(email)} is not an e-mail address")
    if not name:
        bad("name is empty")
    elif len(name) > 200:
        bad("name is longer than 200 characters")
    if role_word not in ROLE_WORDS:
        bad(f"role {shown(role_word)} is not one of {', '.join(ROLE_WORDS)}")
    pgy: int | None = None
    if pgy_text:
        if not PGY.fullmatch(pgy_text) or not 1 <= int(pgy_text) <= 10:
            bad(f"pgy {shown(pgy_text)} is not a year from 1 to 10")
        elif role_word not in PGY_ROLE_WORDS:
            bad("pgy is only for residents (and peer mentors: role mentor)")
        else:
            pgy = int(pgy_text)
    if subspecialty is not None and len(subspecialty) > 120:
        bad("subspecialty is longer than 120 characters")
    if len(problems) > before:
        return None
    role, is_coordinator = ROLE_WORDS[role_word]
    return RosterRow(line, user_id, email.lower() if email else None, name, role, is_coordinator, pgy, subspecialty)


def parse_roster_csv(text: str) -> list[RosterRow]:
    """All rows, or RosterFileError listing every bad line (nothing partial)."""
    text = text.lstrip("\ufeff")
    control = first_control_character(text)
    if control is not None:  # a NUL would otherwise reach the database (PostgreSQL refuses it there)
        raise RosterFileError([control.problem()])
    reader = csv.reader(io.StringIO(text))
    try:
        return _parse_rows(reader)
    except csv.Error as error:  # a field longer than csv.field_size_limit(), a stray quote at the end
        raise RosterFileError([f"line {reader.line_num}: not readable as CSV ({error})"]) from None


def _parse_rows(reader: Any) -> list[RosterRow]:
    try:
        header = next(reader)
    except StopIteration:
        raise RosterFileError(["line 1: the file is empty; expected a header row"]) from None
    columns = [c.strip().lower() for c in header]
    missing = REQUIRED_COLUMNS - set(columns)
    unknown = [cut(c) for c in columns if c and c not in KNOWN_COLUMNS]
    if missing or unknown or not {"slack_user_id", "email"} & set(columns):
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(sorted(missing))}")
        if not {"slack_user_id", "email"} & set(columns):
            parts.append("needs a slack_user_id or an email column")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        raise RosterFileError([f"line 1: {'; '.join(parts)} (expected {', '.join(sorted(KNOWN_COLUMNS))})"])

    rows: list[RosterRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(columns):
            problems.append(f"line {line}: expected {len(columns)} fields, found {len(values)}")
            continue
        row = _row(line, dict(zip(columns, values, strict=False)), problems)
        if row is None:
            continue
        key = row.slack_user_id or row.email or ""
        if key in seen:
            problems.append(f"line {line}: {key} already appears on line {seen[key]}")
            continue
        seen[key] = line
        rows.append(row)
    if problems:
        raise RosterFileError(problems)
    return rows


@dataclass(frozen=True)
class RosterExportRow:
    slack_user_id: str
    email: str | None
    name: str
    role: Role
    is_coordinator: bool
    pgy: int | None
    subspecialty: str | None


def role_word(role: Role, is_coordinator: bool, pgy: int | None = None) -> str:
    """The import's word for a role (the inverse of ROLE_WORDS); a mentor with a PGY is a peer
    mentor, "mentor", so that the row imports back."""
    if role is Role.FACULTY and not is_coordinator and pgy is not None:
        return "mentor"
    for word, meaning in ROLE_WORDS.items():
        if meaning == (role, is_coordinator):
            return word
    return role.value


def roster_csv(rows: list[RosterExportRow]) -> str:
    """A program's roster in the import's own columns, so the file imports back unchanged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["slack_user_id", "email", "name", "role", "pgy", "subspecialty"])
    for row in rows:
        writer.writerow(
            [
                row.slack_user_id,
                row.email or "",
                row.name,
                role_word(row.role, row.is_coordinator, row.pgy),
                row.pgy or "",
                row.subspecialty or "",
            ]
        )
    return out.getvalue()

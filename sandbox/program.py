"""The sandbox's fictional program: an internal-medicine residency of about thirty people.

Every name here is invented. Time zones vary the way a real program's do (rotations away,
research years, people who never changed their laptop's zone), so reminders visibly wait for
each person's working hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

TEAM_ID = "T0SANDBOX"
COORDINATOR_CHANNEL_ID = "C0MENTORS"
COORDINATOR_CHANNEL_NAME = "im-mentoring-coordinators"
PROGRAM_TIME_ZONE = "America/New_York"
# Monday, August 3, 2026, 13:00 in New York (10:00 on the west coast, so most people are at work):
# a month into the academic year, after the window in which the bot opens a round by itself, so a
# coordinator opens this year's round by hand.
START = datetime(2026, 8, 3, 17, 0, tzinfo=UTC)


@dataclass(frozen=True)
class SandboxPerson:
    user_id: str
    name: str
    role: str  # "coordinator", "faculty" or "resident"
    tz: str
    pgy: int | None = None
    subspecialty: str | None = None


EAST, CENTRAL, MOUNTAIN, PACIFIC = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"

PEOPLE: tuple[SandboxPerson, ...] = (
    SandboxPerson("U0COORD01", "Dana Whitfield", "coordinator", EAST),
    SandboxPerson("U0COORD02", "Marcus Oyelaran", "coordinator", CENTRAL),
    SandboxPerson("U0FAC0001", "Dr. Fran Ortiz", "faculty", EAST, subspecialty="Nephrology"),
    SandboxPerson("U0FAC0002", "Dr. Samuel Achebe", "faculty", PACIFIC, subspecialty="Cardiology"),
    SandboxPerson("U0FAC0003", "Dr. Helena Varga", "faculty", CENTRAL, subspecialty="Pulmonology"),
    SandboxPerson("U0FAC0004", "Dr. Ravi Menon", "faculty", EAST, subspecialty="Gastroenterology"),
    SandboxPerson("U0FAC0005", "Dr. Grace Liu", "faculty", PACIFIC, subspecialty="Infectious disease"),
    SandboxPerson("U0FAC0006", "Dr. Tomás Herrera", "faculty", EAST, subspecialty="Hospital medicine"),
    SandboxPerson("U0FAC0007", "Dr. Ingrid Solberg", "faculty", MOUNTAIN, subspecialty="Endocrinology"),
    SandboxPerson("U0FAC0008", "Dr. Kwame Boateng", "faculty", EAST, subspecialty="Hematology/Oncology"),
    SandboxPerson("U0FAC0009", "Dr. Naomi Feld", "faculty", CENTRAL, subspecialty="Rheumatology"),
    SandboxPerson("U0FAC0010", "Dr. Omar Haddad", "faculty", EAST, subspecialty="Cardiology"),
    SandboxPerson("U0FAC0011", "Dr. Priya Raman", "faculty", "Europe/London", subspecialty="Geriatrics"),
    SandboxPerson("U0FAC0012", "Dr. Lucas Moreau", "faculty", EAST, subspecialty="Critical care"),
    SandboxPerson("U0RES0001", "Riley Chen", "resident", EAST, pgy=1, subspecialty="Cardiology"),
    SandboxPerson("U0RES0002", "Amara Nwosu", "resident", EAST, pgy=1, subspecialty="Nephrology"),
    SandboxPerson("U0RES0003", "Jonah Pike", "resident", CENTRAL, pgy=1, subspecialty="Hospital medicine"),
    SandboxPerson("U0RES0004", "Sofia Castellanos", "resident", EAST, pgy=1, subspecialty="Infectious disease"),
    SandboxPerson("U0RES0005", "Ethan Brooks", "resident", PACIFIC, pgy=1),
    SandboxPerson("U0RES0006", "Mei Tanaka", "resident", EAST, pgy=1, subspecialty="Gastroenterology"),
    SandboxPerson("U0RES0007", "Daniel Okafor", "resident", EAST, pgy=2, subspecialty="Cardiology"),
    SandboxPerson("U0RES0008", "Leah Goldberg", "resident", MOUNTAIN, pgy=2, subspecialty="Endocrinology"),
    SandboxPerson("U0RES0009", "Arjun Patel", "resident", EAST, pgy=2, subspecialty="Pulmonology"),
    SandboxPerson("U0RES0010", "Hannah Becker", "resident", CENTRAL, pgy=2, subspecialty="Rheumatology"),
    SandboxPerson("U0RES0011", "Marco Rossi", "resident", EAST, pgy=2),
    SandboxPerson("U0RES0012", "Zainab Yusuf", "resident", "Pacific/Honolulu", pgy=2, subspecialty="Critical care"),
    SandboxPerson("U0RES0013", "Caleb Johnson", "resident", EAST, pgy=3, subspecialty="Hematology/Oncology"),
    SandboxPerson("U0RES0014", "Isabel Ferreira", "resident", EAST, pgy=3, subspecialty="Geriatrics"),
    SandboxPerson("U0RES0015", "Noah Kim", "resident", PACIFIC, pgy=3, subspecialty="Cardiology"),
    SandboxPerson("U0RES0016", "Ava Lindqvist", "resident", CENTRAL, pgy=3, subspecialty="Pulmonology"),
)

"""Every `mentorbot` command that reads a file, handed hostile files: one clear line on stderr,
exit status 2, no traceback, nothing written.

The commands are found in the real parser (every positional argument named FILE…), so a new
command that reads a file fails here until it has a sample below and refuses these files too.
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from mentorbot.cli import build_parser, main
from tests.support.database import all_rows

# A valid file for each command; the hostile files are made from it.
SAMPLES = {
    ("roster", "import"): (
        "slack_user_id,email,name,role,pgy,subspecialty\n"
        "U0000001,,Riley Resident,resident,2,cardiology\n"
        "U0000002,,Dr. Fran Faculty,faculty,,nephrology\n"
    ),
    ("match",): (
        '{\n "max_mentees_per_mentor": 2,\n "residents": [{"id": "riley", "ranking": ["fran"]}],\n'
        ' "mentors": [{"id": "fran", "capacity": 1}]\n}\n'
    ),
    (
        "guides",
        "check",
    ): "# a comment\n[PGY-1 Q1] Settling in\n- How is the move going?\n[default] Anything\n- What is on your mind?\n",
}


def file_commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command (as its words) with a positional FILE argument."""
    found: list[tuple[str, ...]] = []
    for action in parser._actions:  # argparse has no public walk of its tree
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += file_commands(sub, (*path, name))
        elif not action.option_strings and str(action.metavar or "").startswith("FILE"):
            found.append(path)
    return found


# The first number that stands alone (a count or a year, not the digits of an id).
_NUMBER = re.compile(r"(?<![A-Za-z0-9])[0-9]+")


def _first_number_made_huge(text: str) -> str:
    return _NUMBER.sub("9" * 5000, text, count=1)


def _first_number_nested(text: str) -> str:
    return _NUMBER.sub(lambda number: "[" * 100_000 + number.group() + "]" * 100_000, text, count=1)


def _nul_in_a_name(text: str) -> str:
    """A NUL byte inside the first word of the second line (a name, an id, a title)."""
    first, second, *rest = text.split("\n")
    second = re.sub(r"([A-Za-z])([A-Za-z])", "\\1\x00\\2", second, count=1)
    return "\n".join([first, second, *rest])


def _control_in_a_name(text: str) -> str:
    first, second, *rest = text.split("\n")
    second = re.sub(r"([A-Za-z])([A-Za-z])", "\\1\x1b[2J\x07\\2", second, count=1)
    return "\n".join([first, second, *rest])


HOSTILE: dict[str, Callable[[str], bytes]] = {
    "nested 100,000 levels deep": lambda sample: ("[" * 100_000 + "]" * 100_000).encode(),
    "nested 100,000 levels deep inside the sample": lambda sample: _first_number_nested(sample).encode(),
    "a 5,000-digit integer": lambda sample: _first_number_made_huge(sample).encode(),
    "a 5,000-digit id": lambda sample: re.sub(r"[0-9]+", "9" * 5000, sample, count=1).encode(),
    "a NUL byte in a name": lambda sample: _nul_in_a_name(sample).encode(),
    "control characters in a name": lambda sample: _control_in_a_name(sample).encode(),
    "invalid UTF-8": lambda sample: sample.encode() + b"\xff\xfe\xc3\x28\n",
    "empty": lambda sample: b"",
    "only whitespace": lambda sample: b" \n\t\n",
    "binary": lambda sample: random.Random(6).randbytes(4096),
    "binary that is valid UTF-8": lambda sample: bytes(random.Random(6).choice(range(0, 32)) for _ in range(4096)),
    "a 10 MB line": lambda sample: sample.encode() + b"x" * 10_000_000,
    "a 10 MB line inside the sample": lambda sample: sample.replace("\n", "," + "y" * 10_000_000 + "\n", 2).encode(),
}

MAX_LINE = 400  # one line a person reads, not the file echoed back


@pytest.fixture
def env(monkeypatch, fake_slack, database_url, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "MENTORBOT_COORDINATOR_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    return tmp_path


def test_every_file_reading_command_has_a_sample():
    assert sorted(file_commands(build_parser())) == sorted(SAMPLES)


def test_the_samples_are_accepted(env, capsys):
    for words, sample in SAMPLES.items():
        (env / "sample").write_text(sample)
        assert main([*words, "sample"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("words", SAMPLES, ids=" ".join)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_file_gets_one_clear_line_and_exit_2(hostile, words, env, session_factory, capsys):
    path: Path = env / "hostile"
    path.write_bytes(HOSTILE[hostile](SAMPLES[words]))
    before = all_rows(session_factory)
    status = main([*words, str(path)])
    out, err = capsys.readouterr()
    what = f"mentorbot {' '.join(words)} on {hostile}"
    assert status == 2, f"{what}: exit {status}; stderr:\n{err[:2000]}"
    assert out == "", what
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mentorbot: ") and len(lines[0]) <= MAX_LINE, f"{what}:\n{err[:2000]}"
    assert "Traceback" not in err, what
    assert all_rows(session_factory) == before, f"{what} wrote to the database"

"""`mentorbot --help` and `mentorbot match` load neither the database nor Slack nor the bot.

What a command imports is checked here; how long it takes is measured by benchmarks/cli_start.py
(timing is never a test).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "slack_sdk", "slack_bolt", "apscheduler", "alembic", "gunicorn", "matplotlib")
OURS_THAT_NEED_THEM = ("storage", "views", "program", "bot", "scheduler")
PROBE = """
import json, sys
from mentorbot.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _imported(*arguments: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *arguments], capture_output=True, text=True, timeout=60, check=True)
    return {name.split(".")[0] for name in json.loads(done.stderr.strip().splitlines()[-1])}


@pytest.mark.parametrize("arguments", [("--help",), ("match", "--help"), ("export", "--help")])
def test_help_loads_nothing_heavy(arguments):
    assert _imported(*arguments) & {*HEAVY, *OURS_THAT_NEED_THEM} == set()


def test_match_loads_only_the_rules(tmp_path):
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps({"residents": [{"id": "r1", "ranking": ["m1"]}], "mentors": [{"id": "m1", "capacity": 1}]}))
    imported = _imported("match", str(scenario))
    assert "mentoring" in imported
    assert imported & {*HEAVY, *OURS_THAT_NEED_THEM} == set()

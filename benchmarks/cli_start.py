"""Start time of the `mentorbot` command line: `--help`, and `match` on a tiny scenario file.

Each command runs as a fresh process (the installed console script next to this Python), several
times; prints the median and the fastest wall time, and which of our modules and which heavy
libraries (SQLAlchemy, Bolt, APScheduler) the command imported. The target is well under 0.2 s.
Usage: .venv/bin/python benchmarks/cli_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENARIO = {
    "residents": [{"id": "r1", "ranking": ["m1"]}, {"id": "r2", "ranking": ["m1", "m2"]}],
    "mentors": [{"id": "m1", "capacity": 1}, {"id": "m2", "capacity": 2}],
}
HEAVY = ("sqlalchemy", "slack_bolt", "slack_sdk", "apscheduler", "alembic", "gunicorn", "matplotlib")
# Imports what the console script's entry point names, runs it, then reports what got imported.
PROBE = """
import sys, importlib.metadata as md
(entry,) = [e for e in md.entry_points(group="console_scripts") if e.name == "mentorbot"]
sys.argv = ["mentorbot", *sys.argv[1:]]
try:
    entry.load()()
except SystemExit:
    pass
print("\\n@@" + " ".join(sorted(sys.modules)), file=sys.stderr)
"""


def _console_script() -> str:
    script = Path(sys.executable).parent / "mentorbot"
    if not script.exists():
        sys.exit(f"{script} is missing: install the project first (scripts/test does)")
    return str(script)


def _time(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def _imported(arguments: list[str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *arguments], capture_output=True, text=True, check=True)
    modules = done.stderr.rsplit("@@", 1)[1].split()
    return modules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    script = _console_script()
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "scenario.json"
        scenario.write_text(json.dumps(SCENARIO), encoding="utf-8")
        cases = {"mentorbot --help": ["--help"], "mentorbot match FILE": ["match", str(scenario)]}
        _time([sys.executable, "-c", "pass"], 3)  # warm the file cache
        baseline = _time([sys.executable, "-c", "pass"], runs)
        print(f"bare python start: median {statistics.median(baseline) * 1000:.0f} ms")
        for label, arguments in cases.items():
            _time([script, *arguments], 2)
            times = _time([script, *arguments], runs)
            modules = _imported(arguments)
            ours = sorted(
                {
                    m.split(".")[0]
                    for m in modules
                    if m.split(".")[0] in ("bot", "storage", "scheduler", "mentoring", "program", "mentorbot")
                }
            )
            heavy = [name for name in HEAVY if name in modules]
            print(
                f"{label:22s} median {statistics.median(times) * 1000:4.0f} ms, fastest {min(times) * 1000:4.0f} ms "
                f"({runs} runs); our packages imported: {', '.join(ours) or 'none'}; heavy libraries: {', '.join(heavy) or 'none'}"
            )


if __name__ == "__main__":
    main()

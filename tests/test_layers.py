"""The layers' import rules, read from the source with ast (imports inside functions count too).

Dependencies point inward: mentoring/ (the rules) imports nothing of ours; storage/ imports no
view; views/ words what storage and the rules return; program/ (the operations) sits under both
the Slack surfaces (bot/) and the scheduled jobs (scheduler/), which never import each other;
only the composition roots know them all: mentorbot/ (the command line and serving) and sandbox/
(the real bot against a stand-in Slack in the browser).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("mentoring", "storage", "views", "program", "bot", "scheduler", "mentorbot", "sandbox")

# package -> the packages of ours it may import (itself always).
MAY_IMPORT = {
    "mentoring": set(),
    "storage": {"mentoring"},
    "views": {"mentoring", "storage"},
    "program": {"mentoring", "storage", "views"},
    "bot": {"mentoring", "storage", "views", "program"},
    "scheduler": {"mentoring", "storage", "program"},
    "mentorbot": {"mentoring", "storage", "views", "program", "bot", "scheduler", "sandbox"},
    # The sandbox runs the real bot and jobs against its stand-in Slack: a composition root of its own.
    "sandbox": {"mentoring", "storage", "views", "program", "bot", "scheduler", "mentorbot"},
}


def imported_packages(path: Path) -> set[str]:
    """Every package of ours that `path` imports, at any depth of the module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names if name.split(".")[0] in OURS}
    return found


def modules_of(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_package_imports_only_the_layers_below_it(package):
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) - MAY_IMPORT[package] - {package})
        for path in modules_of(package)
    }
    assert {module: packages for module, packages in wrong.items() if packages} == {}


def test_every_package_of_ours_has_a_rule():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"}
    assert packages == set(MAY_IMPORT)


def test_the_rules_read_imports_wherever_they_are(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("import json\n\ndef f():\n    from bot.app import build_app\n    import scheduler.jobs\n")
    assert imported_packages(module) == {"bot", "scheduler"}


def _kind_strings(path: Path) -> list[str]:
    """String constants used as a kind: `kind="..."` arguments, and comparisons with `.kind` or `.kind.startswith`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.keyword) and node.arg == "kind":
            values = [node.value]
        elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "kind":
            values = list(node.comparators)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Attribute):
            values = list(node.args) if node.func.value.attr == "kind" else []
        else:
            continue
        found += [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return found


def test_outbox_kinds_are_spelled_only_where_they_are_named():
    """storage/outbox_kinds.py names every kind; a kind written as a string elsewhere would drift."""
    spelled = {
        str(path.relative_to(ROOT)): _kind_strings(path)
        for package in OURS
        for path in modules_of(package)
        if path != ROOT / "storage" / "outbox_kinds.py"
    }
    assert {module: found for module, found in spelled.items() if found} == {}


def test_kind_strings_are_found_where_they_hide(tmp_path):
    module = tmp_path / "sneaky.py"
    module.write_text(
        'enqueue(kind="summary")\nrows.where(OutboxMessage.kind == "nudge.due")\nOutboxMessage.kind.startswith("nudge.")\n'
    )
    assert sorted(_kind_strings(module)) == ["nudge.", "nudge.due", "summary"]

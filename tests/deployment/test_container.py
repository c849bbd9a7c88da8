"""The container files, checked statically: Docker's engine does not run where the tests run, so
the image is never built here. What can be known without building it is checked: a slim Python
base that satisfies pyproject's requires-python, installs pinned by constraints.txt, a non-root
user, a health check on /healthz at the port the command serves, commands that are real
`mentorbot` subcommands, a compose file whose services and environment the README documents,
and a .dockerignore that keeps out nothing the install needs."""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per logical line: continuations joined, comments dropped."""
    instructions, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, rest = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def only(instruction: str) -> str:
    found = [rest for keyword, rest in dockerfile() if keyword == instruction]
    assert found, f"the Dockerfile has no {instruction}"
    return found[-1]  # the one in force


def mentorbot_parser() -> argparse.ArgumentParser:
    """The real command line, found through the console script pyproject installs."""
    module, _, _ = PYPROJECT["project"]["scripts"]["mentorbot"].partition(":")
    return importlib.import_module(module).build_parser()


def parse_command(command: list[str]) -> argparse.Namespace:
    assert command[0] == "mentorbot", command
    try:
        return mentorbot_parser().parse_args(command[1:])
    except SystemExit:
        pytest.fail(f"not a mentorbot command: {' '.join(command)}")


def serves_http(command: list[str]) -> bool:
    args = parse_command(command)
    return args.command == "run" and args.http


def documented_variables() -> set[str]:
    """The variables in the README's Configuration table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE))


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]


def mentorbot_services() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose().items() if (s.get("command") or [""])[0] == "mentorbot"}


# --- the image ---------------------------------------------------------------------------------


def test_the_base_is_a_slim_python_the_package_supports():
    image = only("FROM").split()[0]
    match = re.fullmatch(r"python:3\.(\d+)-slim(-\w+)?", image)
    assert match, f"{image}: use an official python:3.N-slim image"
    required = re.fullmatch(r">=3\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert required and int(match[1]) >= int(required[1])


def test_the_install_is_pinned_by_the_constraints_file():
    installs = [rest for keyword, rest in dockerfile() if keyword == "RUN" and "pip install" in rest]
    assert installs and all(re.search(r"(--constraint|-c) \S*constraints\.txt", rest) for rest in installs), installs


def test_the_process_runs_as_a_user_the_image_creates_not_root():
    user = only("USER").split(":")[0]
    assert user not in ("root", "0"), user
    created = [rest for keyword, rest in dockerfile() if keyword == "RUN" and "useradd" in rest]
    assert any(re.search(rf"useradd .*\b{re.escape(user)}$", rest.split("&&")[0].strip()) for rest in created), created


def test_the_health_check_asks_healthz_at_the_port_the_command_serves():
    command = json.loads(only("CMD"))
    args = parse_command(command)
    assert serves_http(command), "the default command should be an HTTP replica"
    check = only("HEALTHCHECK")
    assert f"127.0.0.1:{args.port}/healthz" in check, check
    assert only("EXPOSE").split() == [str(args.port)]


def test_dockerignore_keeps_everything_the_install_needs():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    packages = [p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]
    files = ["pyproject.toml", "constraints.txt", PYPROJECT["project"]["readme"]]
    assert all((ROOT / name).exists() for name in files), files
    for name in [*files, *packages]:
        assert not any(fnmatch.fnmatch(name, p) for p in patterns if not p.startswith("!")), f"{name} is kept out of the image"


# --- the compose example -------------------------------------------------------------------------


def test_compose_has_postgres_two_http_replicas_and_a_scheduler():
    services = compose()
    assert services["postgres"]["image"].startswith("postgres:")
    commands = {name: parse_command(s["command"]) for name, s in mentorbot_services().items()}
    http = [name for name, s in mentorbot_services().items() if serves_http(s["command"])]
    assert len(http) == 2, http
    assert all(commands[name].no_scheduler for name in http), "the replicas leave the jobs to the scheduler"
    assert [name for name, args in commands.items() if args.command == "scheduler"] == ["scheduler"]


def test_every_mentorbot_service_is_configured_with_documented_variables_on_postgres():
    documented = documented_variables()
    assert {"SLACK_BOT_TOKEN", "DATABASE_URL"} <= documented
    services = compose()
    for name, service in mentorbot_services().items():
        environment = service["environment"]
        assert set(environment) <= documented, (name, set(environment) - documented)
        database = urlsplit(re.sub(r"\$\{[^}]*\}", "secret", environment["DATABASE_URL"]))  # compose fills ${…} in
        assert database.scheme == "postgresql" and database.hostname in services, (name, database)
        required = {"SLACK_BOT_TOKEN"} | ({"SLACK_SIGNING_SECRET"} if serves_http(service["command"]) else set())
        assert required <= set(environment), (name, required - set(environment))


def test_only_http_replicas_keep_the_images_health_check():
    """Socket Mode, the scheduler and migrations serve no HTTP: /healthz would mark them unhealthy."""
    for name, service in mentorbot_services().items():
        disabled = (service.get("healthcheck") or {}).get("disable", False)
        assert disabled != serves_http(service["command"]), name
        if serves_http(service["command"]):
            port = parse_command(service["command"]).port
            assert all(str(mapping).endswith(f":{port}") for mapping in service["ports"]), (name, service["ports"])

from __future__ import annotations

import pytest

from bot.commands import ParsedCommand, parse_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ParsedCommand("help", ())),
        ("", ParsedCommand("help", ())),
        ("   ", ParsedCommand("help", ())),
        ("help", ParsedCommand("help", ())),
        ("Met 2026-11-02", ParsedCommand("met", ("2026-11-02",))),
        ("admin  round   open 2026-08-15", ParsedCommand("admin", ("round", "open", "2026-08-15"))),
        ("pair <@U1|a> <@U2|b>", ParsedCommand("pair", ("<@U1|a>", "<@U2|b>"))),
    ],
)
def test_parse_command(text, expected):
    assert parse_command(text) == expected

"""Every modal the bot registers, submitted with private_metadata it never wrote, or with ids in
its choices that could never be ours: a clear, private refusal, nothing written, no stack trace.

The forms are read from the real app's registrations, so a new modal is covered the day it is
added (tests/bot/test_fuzz_listeners.py sends it generated payloads too).
"""

from __future__ import annotations

import hashlib
import hmac
import logging

import pytest

from tests.bot import test_access_table
from tests.bot.test_access_table import TableWorld
from tests.support.changes import sealed
from tests.support.database import all_rows
from tests.support.forms import request_values, selected
from tests.support.listeners import registered_listeners
from views.ids import VIEW_MEETING, VIEW_REQUEST
from views.meetings import ACTION_DATE, ACTION_PAIRING, BLOCK_DATE, BLOCK_PAIRING
from views.payload import ID_MAX, payload_id
from views.private_metadata import _METADATA_CONTEXT

table_world = test_access_table.table_world  # the fixture: Riley and Dr. Fran paired, and others

RILEY = "URILEY"
APOLOGY = "went wrong"  # what the bot says when it failed, not when it refused


def _tagged(body: str) -> str:
    """A body carrying a valid tag, as only the bot could have sealed it (but not a mapping)."""
    key = hmac.new(b"test-signing-secret", _METADATA_CONTEXT, hashlib.sha256).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32] + "." + body


# The forms whose sealed metadata names ids (the withdrawal form's names only its person).
NAMES_IDS = ("meeting", "pause", "plan", "change", "check_in")


def tampered_metadata(kind: str, world: TableWorld) -> dict[str, str]:
    tampered = {
        "empty": "",
        "not JSON": "not json {",
        "a list": "[1, 2]",
        "plain JSON, as the We met form used to carry": f'{{"pairings": [{world.other_pairing}]}}',
        "forged tag": f'0000.{{"k":"{kind}","p":[{world.other_pairing}],"u":"{RILEY}"}}',
        "sealed, but a list": _tagged("[1,2]"),
        "sealed for another form": sealed({"k": "not-a-form", "u": RILEY, "p": [world.own_pairing]}),
        "sealed for someone else": sealed({"k": kind, "u": "UTESS", "p": [world.other_pairing]}),
    }
    if kind in NAMES_IDS:  # impossible without the key, but a bug of ours must not reach the database either
        tampered["sealed with ids that are not integers"] = sealed({"k": kind, "u": RILEY, "p": ["abc", 1e40, None, [1]]})
        tampered["sealed with a 40-digit id"] = sealed({"k": kind, "u": RILEY, "p": [10**40]})
        tampered["sealed with no list of ids"] = sealed({"k": kind, "u": RILEY, "p": {"1": 1}})
    return tampered


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


def test_every_form_refuses_metadata_it_never_sealed(bot, table_world, session_factory, caplog):
    caplog.set_level(logging.INFO)
    forms = [r.key for r in registered_listeners(bot.app) if r.kind == "view_submission"]
    assert VIEW_MEETING in forms and len(forms) >= 8
    for callback_id in forms:
        kind = callback_id.split(".")[0]
        for name, metadata in tampered_metadata(kind, table_world).items():
            before = all_rows(session_factory)
            reply = bot.submit(callback_id, user_id=RILEY, values={}, private_metadata=metadata)
            what = f"{callback_id} with {name}"
            assert reply.status == 200, what
            assert reply.ack_json.get("response_action") in ("update", "errors"), f"{what}: {reply.ack}"
            assert APOLOGY not in reply.ack, f"{what}: apologised instead of refusing: {reply.ack}"
            assert _tracebacks(caplog) == [], what
            assert all_rows(session_factory) == before, f"{what} wrote to the database"


def _meeting_values(pairing_value: str) -> dict:
    return {
        BLOCK_PAIRING: {ACTION_PAIRING: selected(pairing_value)},
        BLOCK_DATE: {ACTION_DATE: {"type": "datepicker", "selected_date": "2026-11-20"}},
    }


NOT_IDS = ["abc", "1" * 40, str(ID_MAX + 1), "²", "-1", "0", " 1", "1e3", ""]


@pytest.mark.parametrize("value", NOT_IDS)
def test_the_we_met_choice_must_be_one_offered(value, bot, table_world, session_factory, caplog):
    before = all_rows(session_factory)
    metadata = sealed({"k": "meeting", "u": RILEY, "p": [table_world.own_pairing, table_world.other_pairing]})
    reply = bot.submit(VIEW_MEETING, user_id=RILEY, values=_meeting_values(value), private_metadata=metadata)
    assert reply.ack_json == {"response_action": "errors", "errors": {BLOCK_PAIRING: "Pick who you met."}}
    assert _tracebacks(caplog) == []
    assert all_rows(session_factory) == before


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_ranking_choice_that_is_no_id_is_refused_under_the_choice(value, bot, table_world, session_factory, caplog):
    """A 40-digit id used to reach SQLite (OverflowError) and answer with an apology."""
    before = all_rows(session_factory)
    reply = bot.submit(VIEW_REQUEST, user_id=RILEY, values=request_values([value]))
    assert reply.status == 200
    assert APOLOGY not in reply.ack and reply.ack_json.get("response_action") in ("errors", "update"), reply.ack
    assert _tracebacks(caplog) == []
    assert all_rows(session_factory) == before


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1), ("2147483647", ID_MAX), (7, 7), ("0", None), ("2147483648", None), ("1" * 40, None), (10**40, None),
     ("²", None), ("١٢", None), ("-1", None), ("+1", None), (" 1", None), ("1.0", None), (True, None), (None, None),
     (1.0, None), ([1], None)],
)  # fmt: skip
def test_payload_id_reads_only_what_could_be_one_of_our_ids(value, expected):
    assert payload_id(value) == expected

"""Two programs in one workspace, and one person in both, through the real Bolt app and the fake Slack.

Internal medicine (the first program: a meeting every 3 months) and its peer-mentoring track
(every 2 months). Riley Chen, a PGY-3, is a mentee of Dr. Fran in internal medicine and the peer
mentor of Sam, an intern, in the peer track. Casey coordinates internal medicine, Pat the peer
track. Each program's rounds, reminders, summaries and confidences stay its own; Riley sees both,
each under its name, with buttons that act in that program only; Fran and Sam, in one program
each, see nothing new.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scheduler.delivery import deliver_pending
from scheduler.reminders import sweep_reminders
from scheduler.reports import post_weekly_summary
from storage.db import session_scope
from storage.models import AuditEntry, ChangeRequest, Meeting, Pairing, Role, Round
from storage.pairings import create_pairing
from storage.programs import ProgramOptions, add_program
from tests.support import factories
from tests.support.changes import HOME_VIEW, change_values
from views import meetings as meeting_views
from views.ids import ACTION_PICK_RESIDENT, ACTION_WE_MET
from views.programs import read_stamp

NEW_YORK = ZoneInfo("America/New_York")
IM, PEER = "Internal Medicine", "IM peer mentoring"
SECRET = "Riley is lovely but our shifts never line up"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), NEW_YORK).astimezone(UTC)


@pytest.fixture
def world(arrange, fake_slack, clock):
    clock.set(at(date(2026, 7, 1)))
    with arrange() as session:
        medicine = factories.program(session, channel="C0IMCOORD")
        medicine.name = IM
        peer = add_program(
            session, team_id=medicine.team_id, handle="im-peer", name=PEER,
            options=ProgramOptions(cadence_months=2, peer_mentoring=True, coordinator_channel_id="C0PEERCRD"),
            now=clock(), actor_label="test",
        )  # fmt: skip
        person = factories.person
        casey = person(session, medicine, role=Role.COORDINATOR, name="Casey Coordinator", slack_user_id="UCASEY")
        fran = person(session, medicine, role=Role.FACULTY, name="Dr. Fran Ortiz", slack_user_id="UFRAN")
        riley_im = person(session, medicine, role=Role.RESIDENT, name="Riley Chen", slack_user_id="URILEY")
        pat = person(session, peer, role=Role.COORDINATOR, name="Pat Coordinator", slack_user_id="UPAT")
        riley_peer = person(session, peer, role=Role.FACULTY, name="Riley Chen", slack_user_id="URILEY")
        sam = person(session, peer, role=Role.RESIDENT, name="Sam Intern", slack_user_id="USAM")
        im_pair = create_pairing(session, program=medicine, mentor=fran, resident=riley_im, now=clock()).pairing
        peer_pair = create_pairing(session, program=peer, mentor=riley_peer, resident=sam, now=clock()).pairing
        ids = {
            "im": medicine.id, "peer": peer.id, "im_pair": im_pair.id, "peer_pair": peer_pair.id,
            "riley_im": riley_im.id, "riley_peer": riley_peer.id, "casey": casey.id, "pat": pat.id,
        }  # fmt: skip
    for uid, name in (("UCASEY", "casey"), ("UFRAN", "fran"), ("URILEY", "riley"), ("UPAT", "pat"), ("USAM", "sam")):
        fake_slack.add_user(uid, name=name, tz="America/New_York")
    fake_slack.add_channel("C0IMCOORD", name="im-coordinators")
    fake_slack.add_channel("C0PEERCRD", name="peer-coordinators")
    return ids


def _texts(messages) -> str:
    return json.dumps(messages)


def _buttons(view_or_message, action_id: str) -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("action_id") == action_id and "value" in node:
                found.append(node["value"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(view_or_message)
    return found


def test_each_program_keeps_its_own_rounds_reminders_summaries_and_confidences(
    bot, world, fake_slack, clock, job_context, session_factory
):
    # --- the pairs fall due on their own program's cadence ----------------------------------
    with session_scope(session_factory) as session:
        assert session.get(Pairing, world["im_pair"]).next_due_on == date(2026, 10, 1)
        assert session.get(Pairing, world["peer_pair"]).next_due_on == date(2026, 9, 1)

    # --- status: one answer per program, each under its name --------------------------------
    bot.command("status", user_id="URILEY")
    answers = fake_slack.calls_to("response_url")
    status = [c.args["text"] for c in answers[-2:]]
    assert status[0].startswith(f"{IM}:") and "<@UFRAN>" in status[0] and "USAM" not in status[0]
    assert status[1].startswith(f"{PEER}:") and "<@USAM>" in status[1] and "UFRAN" not in status[1]
    # Fran, in one program, sees what she always saw: no program name.
    bot.command("status", user_id="UFRAN")
    assert not fake_slack.calls_to("response_url")[-1].args["text"].startswith(IM)

    # --- help names both programs; each form goes to the program where her role uses it ------
    bot.command("help", user_id="URILEY")
    help_text = fake_slack.calls_to("response_url")[-1].args["text"]
    assert "You're in 2 programs" in help_text and "/mentor request" in help_text and "/mentor offer" in help_text
    bot.command("request", user_id="URILEY")  # a resident in internal medicine only, where she has a mentor
    request_answer = fake_slack.calls_to("response_url")[-1].args["text"]
    assert request_answer.startswith(f"{IM}:") and "Dr. Fran Ortiz" in request_answer
    bot.command("offer", user_id="URILEY", trigger_id="t-offer")  # a mentor in the peer track only
    offer_form = bot.opened_view()
    assert read_stamp(offer_form["private_metadata"])[0] == world["peer"]
    assert "at least once every two months" in json.dumps(offer_form)  # the peer track's cadence
    residents = bot.suggest(ACTION_PICK_RESIDENT, user_id="URILEY", view={"private_metadata": offer_form["private_metadata"]})
    assert [o["text"]["text"] for o in residents] == ["Sam Intern"]  # the peer track's residents, not herself

    # --- the App Home: two sections, each with its own buttons -------------------------------
    bot.open_home("URILEY")
    home = fake_slack.home_view("URILEY")
    headers = [b["text"]["text"] for b in home["blocks"] if b["type"] == "header"]
    assert headers == [IM, PEER]
    stamps = {read_stamp(v)[0] for v in _buttons(home, ACTION_WE_MET)}
    assert stamps == {world["im"], world["peer"]}
    bot.open_home("UFRAN")
    fran_home = fake_slack.home_view("UFRAN")
    assert all(read_stamp(v)[0] is None for v in _buttons(fran_home, ACTION_WE_MET))
    assert not [b for b in fran_home["blocks"] if b["type"] == "header" and b["text"]["text"] == IM]

    # --- a meeting: the command without a program asks which; with one, acts there -----------
    bot.command("met", user_id="URILEY")
    asked = fake_slack.calls_to("response_url")[-1].args["text"]
    assert "/mentor met im-peer" in asked and "/mentor met residency-mentorship" in asked
    clock.set(at(date(2026, 7, 20)))
    bot.command("met im-peer", user_id="URILEY", trigger_id="t-met")
    modal = bot.opened_view()
    assert read_stamp(modal["private_metadata"])[0] == world["peer"]
    values = {meeting_views.BLOCK_DATE: {meeting_views.ACTION_DATE: {"type": "datepicker", "selected_date": "2026-07-20"}}}
    assert bot.submit_view(modal, user_id="URILEY", values=values).status == 200
    with session_scope(session_factory) as session:
        logged = {(m.pairing_id, m.met_on) for m in session.scalars(select(Meeting))}
        assert logged == {(world["peer_pair"], date(2026, 7, 20))}  # the peer pair's; the IM pair untouched
        assert session.get(Pairing, world["peer_pair"]).next_due_on == date(2026, 9, 20)
    # A We met button of the internal-medicine section opens the form for that pairing only.
    im_button = next(v for v in _buttons(home, ACTION_WE_MET) if read_stamp(v)[0] == world["im"])
    bot.click(ACTION_WE_MET, user_id="URILEY", value=im_button, view=HOME_VIEW, response_url=None, trigger_id="t-im")
    im_modal = bot.opened_view()
    assert read_stamp(im_modal["private_metadata"])[0] == world["im"]
    assert "Sam Intern" not in json.dumps(im_modal)
    # Casey, who is in internal medicine only, cannot act in the peer track with a stamped button.
    peer_button = next(v for v in _buttons(home, ACTION_WE_MET) if read_stamp(v)[0] == world["peer"])
    before = len(fake_slack.calls)
    casey_try = bot.click(ACTION_WE_MET, user_id="UCASEY", value=peer_button, trigger_id="t-c")  # as if from a DM
    assert casey_try.status == 200
    casey_saw = json.dumps([c.args for c in fake_slack.calls[before:]])
    assert "not on the mentorship program's roster" in casey_saw and "Sam" not in casey_saw and "USAM" not in casey_saw

    # --- reminders: each program's on its own days, each under its own name -------------------
    fake_slack.reset_calls()
    day = date(2026, 7, 21)
    while day <= date(2026, 10, 1):
        clock.set(at(day, 6))
        sweep_reminders(job_context)
        clock.set(at(day, 11))
        deliver_pending(job_context)
        day += timedelta(days=1)
    riley_dms = fake_slack.messages(fake_slack.dm_channel("URILEY"))
    peer_reminders = [m for m in riley_dms if m["text"].startswith(f"{PEER}:")]
    im_reminders = [m for m in riley_dms if m["text"].startswith(f"{IM}:")]
    assert peer_reminders and im_reminders and len(peer_reminders) + len(im_reminders) == len(riley_dms)
    assert all("USAM" in _texts(m) or "Sam" in _texts(m) for m in peer_reminders)
    assert all("USAM" not in _texts(m) and "Sam" not in _texts(m) for m in im_reminders)
    assert all({read_stamp(v)[0] for v in _buttons(m, ACTION_WE_MET)} <= {world["peer"]} for m in peer_reminders)
    fran_dms = fake_slack.messages(fake_slack.dm_channel("UFRAN"))
    assert fran_dms and not any(m["text"].startswith(IM) for m in fran_dms)  # one program: nothing new
    assert all(read_stamp(v)[0] is None for m in fran_dms for v in _buttons(m, ACTION_WE_MET))

    # --- a confidential change request in the peer track --------------------------------------
    clock.set(at(date(2026, 10, 5)))
    bot.command("change", user_id="USAM", trigger_id="t-sam")
    bot.submit_view(bot.opened_view(), user_id="USAM", values=change_values(note=SECRET))
    clock.set(at(date(2026, 10, 5), 11))
    deliver_pending(job_context)
    pat_dms, casey_dms = fake_slack.messages(fake_slack.dm_channel("UPAT")), fake_slack.dm_channel("UCASEY")
    assert any("<@USAM>" in m["text"] for m in pat_dms)  # the peer track's coordinator is told
    assert casey_dms is None or not fake_slack.messages(casey_dms)  # the other program's is not
    notice = [m for m in fake_slack.messages(fake_slack.dm_channel("URILEY")) if "Sam" not in m["text"]][-1]
    assert notice["text"].startswith(f"{PEER}:")
    with session_scope(session_factory) as session:
        request = session.scalars(select(ChangeRequest)).one()
        assert request.program_id == world["peer"]
        actions = {
            (e.program_id, e.action) for e in session.scalars(select(AuditEntry).where(AuditEntry.action.like("change_request%")))
        }
        assert actions and {program_id for program_id, _ in actions} == {world["peer"]}
        assert session.get(Pairing, world["im_pair"]).ended_on is None  # Riley's own mentoring goes on

    # --- weekly summaries: each program's channel, each program's people ------------------------
    clock.set(at(date(2026, 10, 12), 9))
    for program_id in (world["im"], world["peer"]):
        post_weekly_summary(job_context, program_id)
    deliver_pending(job_context)
    im_summary, peer_summary = _texts(fake_slack.messages("C0IMCOORD")), _texts(fake_slack.messages("C0PEERCRD"))
    assert im_summary != "[]" and peer_summary != "[]"
    assert "Sam" not in im_summary and SECRET not in im_summary and SECRET not in peer_summary
    assert IM in im_summary and PEER in peer_summary
    # Casey's dashboard and report are internal medicine's only.
    bot.command("report", user_id="UCASEY")
    assert "Sam" not in fake_slack.calls_to("response_url")[-1].args["text"]
    bot.open_home("UCASEY")
    assert "Sam" not in json.dumps(fake_slack.home_view("UCASEY"))


def test_a_coordinator_of_one_program_runs_only_that_program(bot, world, fake_slack, session_factory):
    """Pat's dashboard counts the peer track alone, and her `/mentor admin round open` opens its
    round; Casey's opens internal medicine's."""
    bot.open_home("UPAT")
    dashboard = json.dumps(fake_slack.home_view("UPAT"))
    assert "Faculty places*\\n1 used" in dashboard and "Dr. Fran" not in dashboard
    bot.command("admin round open", user_id="UPAT")
    with session_scope(session_factory) as session:
        opened = {r.program_id for r in session.scalars(select(Round))}
    assert opened == {world["peer"]}
    bot.command("admin round open", user_id="UCASEY")
    with session_scope(session_factory) as session:
        opened = {r.program_id for r in session.scalars(select(Round))}
    assert opened == {world["peer"], world["im"]}

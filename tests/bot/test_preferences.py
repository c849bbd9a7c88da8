"""`/mentor request` and `/mentor offer`: the modals, their validation and who may use them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mentoring.preferences import NOTE_MAX_CHARS, FocusArea
from storage.models import (
    EndReason,
    MentorOffer,
    OutboxMessage,
    Person,
    PersonStatus,
    Program,
    QueueEntry,
    ResidentPreference,
    Role,
)
from storage.rounds import open_round
from tests.support import factories
from tests.support.forms import offer_values, request_values
from views.ids import (
    ACTION_OPEN_OFFER,
    ACTION_OPEN_REQUEST,
    ACTION_PICK_MENTOR,
    ACTION_PICK_RESIDENT,
    VIEW_OFFER,
    VIEW_REQUEST,
)


@pytest.fixture
def roster(arrange):
    with arrange() as session:
        program = factories.program(session)
        people = {
            "UCOORD1": factories.person(session, program, role=Role.COORDINATOR, name="Casey", slack_user_id="UCOORD1"),
            "UFC": factories.person(
                session, program, role=Role.FACULTY, name="Dr. Fay Coord", slack_user_id="UFC", is_coordinator=True
            ),
            "UADA": factories.person(
                session, program, role=Role.FACULTY, name="Dr. Ada", slack_user_id="UADA", subspecialty="Cardiology"
            ),
            "UBEN": factories.person(session, program, role=Role.FACULTY, name="Dr. Ben", slack_user_id="UBEN"),
            "UAWAY": factories.person(session, program, role=Role.FACULTY, name="Dr. Away", slack_user_id="UAWAY"),
            "URES1": factories.person(session, program, name="Ria", slack_user_id="URES1"),
            "URES2": factories.person(session, program, name="Sam", slack_user_id="URES2"),
        }
        factories.offer(session, program, mentor=people["UAWAY"], available=False)
        return {"program": program.id, **{u: p.id for u, p in people.items()}}


def _opened(fake_slack):
    return fake_slack.calls_to("views.open")[-1].response["view"]


def _count(session_factory, model):
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


# --- the resident's request ----------------------------------------------------------------------


def test_request_opens_a_modal_with_five_searchable_choices(bot, roster, fake_slack):
    reply = bot.command("request", user_id="URES1", trigger_id="trig-request")
    assert reply.responses == []  # nothing to say: the modal is the answer
    call = fake_slack.calls_to("views.open")[-1]
    assert call.args["trigger_id"] == "trig-request"
    view = call.response["view"]
    assert view["callback_id"] == VIEW_REQUEST
    choices = [b for b in view["blocks"] if b.get("block_id", "").startswith("choice_")]
    assert [b["label"]["text"] for b in choices] == [
        "1st choice",
        "2nd choice",
        "3rd choice",
        "4th choice",
        "5th choice",
    ]
    assert {b["element"]["type"] for b in choices} == {"external_select"}
    note = next(b for b in view["blocks"] if b.get("block_id") == "note")
    assert "Only the program coordinators will see this note" in note["hint"]["text"]
    assert "waiting list" in str(view["blocks"][0])  # no round is open


def test_the_pick_list_offers_faculty_who_can_take_a_mentee(bot, roster):
    names = [o["text"]["text"] for o in bot.suggest(ACTION_PICK_MENTOR, user_id="URES1")]
    assert names == ["Dr. Ada (Cardiology)", "Dr. Ben", "Dr. Fay Coord"]
    assert [o["value"] for o in bot.suggest(ACTION_PICK_MENTOR, user_id="URES1", value="ad")] == [str(roster["UADA"])]


@pytest.mark.parametrize("user_id", ["UADA", "USTRANGER"])
def test_the_pick_list_is_empty_for_anyone_but_a_resident(bot, roster, user_id):
    assert bot.suggest(ACTION_PICK_MENTOR, user_id=user_id) == []


def test_a_request_outside_a_round_joins_the_waiting_list_and_tells_the_coordinators(bot, roster, fake_slack, session_factory):
    bot.command("request", user_id="URES1")
    view = _opened(fake_slack)
    values = request_values([roster["UBEN"], None, roster["UADA"]], subspecialties=["cardiology"],
                            focus_areas=[FocusArea.WELLBEING.value], note="I work nights")  # fmt: skip
    reply = bot.submit_view(view, user_id="URES1", values=values)
    assert reply.ack_json["response_action"] == "update"
    saved = str(fake_slack.view(view["id"]))
    assert "1. Dr. Ben" in saved and "2. Dr. Ada" in saved and "waiting list" in saved

    with session_factory() as session:
        row = session.scalars(select(ResidentPreference)).one()
        assert (row.ranking, row.subspecialties, row.focus_areas, row.note, row.round_id) == (
            [roster["UBEN"], roster["UADA"]], ["cardiology"], [FocusArea.WELLBEING.value], "I work nights", None,
        )  # fmt: skip
        assert session.scalars(select(QueueEntry.person_id)).all() == [roster["URES1"]]
        notices = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "queue.joined")).all()
        assert sorted(n.recipient_user_ids[0] for n in notices) == ["UCOORD1", "UFC"]
        assert all("I work nights" not in n.text for n in notices)  # the note stays in the database

    bot.command("request", user_id="URES1")  # changing answers does not notify again
    bot.submit_view(_opened(fake_slack), user_id="URES1", values=request_values([roster["UADA"]]))
    assert _count(session_factory, OutboxMessage) == 2
    assert _count(session_factory, QueueEntry) == 1


def test_reopening_shows_the_saved_answers(bot, roster, fake_slack):
    bot.command("request", user_id="URES1")
    values = request_values(
        [roster["UADA"], roster["UBEN"]],
        subspecialties=["cardiology"],
        focus_areas=[FocusArea.ACADEMIC.value],
        note="hello",
    )
    bot.submit_view(_opened(fake_slack), user_id="URES1", values=values)
    bot.command("request", user_id="URES1")
    blocks = {b.get("block_id"): b for b in _opened(fake_slack)["blocks"]}
    assert blocks["choice_1"]["element"]["initial_option"] == {
        "text": {"type": "plain_text", "text": "Dr. Ada (Cardiology)", "emoji": True},
        "value": str(roster["UADA"]),
    }
    assert blocks["choice_2"]["element"]["initial_option"]["value"] == str(roster["UBEN"])
    assert "initial_option" not in blocks["choice_3"]["element"]
    assert [o["value"] for o in blocks["subspecialties"]["element"]["initial_options"]] == ["cardiology"]
    assert [o["value"] for o in blocks["focus_areas"]["element"]["initial_options"]] == [FocusArea.ACADEMIC.value]
    assert blocks["note"]["element"]["initial_value"] == "hello"


def test_during_a_round_the_request_counts_for_the_round(bot, roster, fake_slack, session_factory, arrange, clock):
    with arrange() as session:
        round_ = open_round(session, program=session.get(Program, roster["program"]),
                            deadline_at=datetime(2026, 12, 11, 5, tzinfo=UTC), now=clock())  # fmt: skip
        round_id = round_.id
    bot.command("request", user_id="URES1")
    view = _opened(fake_slack)
    assert "Please answer by *Thursday, December 10, 2026*" in str(view["blocks"][0])
    bot.submit_view(view, user_id="URES1", values=request_values([roster["UADA"]]))
    with session_factory() as session:
        assert session.scalars(select(ResidentPreference.round_id)).one() == round_id
        assert session.scalar(select(func.count()).select_from(QueueEntry)) == 0
    assert "until Thursday, December 10, 2026" in str(fake_slack.view(view["id"]))


@pytest.mark.parametrize(
    ("choices", "note", "field", "message"),
    [
        (["ADA", "ADA"], "", "choice_2", "You already picked this person as your 1st choice."),
        (["AWAY"], "", "choice_1", "isn't taking mentees this year"),
        (["COORD_ONLY"], "", "choice_1", "isn't taking mentees this year"),
        (["RES2"], "", "choice_1", "isn't taking mentees this year"),
        (["not-a-number"], "", "choice_1", "isn't taking mentees this year"),
        (["ADA"], "x" * (NOTE_MAX_CHARS + 1), "note", "Please keep the note under"),
    ],
)
def test_problems_come_back_in_the_modal_and_nothing_is_saved(
    bot, roster, fake_slack, session_factory, choices, note, field, message
):
    ids = {"ADA": roster["UADA"], "AWAY": roster["UAWAY"], "COORD_ONLY": roster["UCOORD1"], "RES2": roster["URES2"]}
    bot.command("request", user_id="URES1")
    reply = bot.submit_view(
        _opened(fake_slack), user_id="URES1", values=request_values([ids.get(c, c) for c in choices], note=note)
    )
    assert reply.ack_json["response_action"] == "errors"
    assert message in reply.ack_json["errors"][field]
    assert _count(session_factory, ResidentPreference) == 0
    assert fake_slack.calls_to("views.update") == []


def test_a_resident_cannot_pick_a_mentor_whose_pairing_with_them_ended_by_request(bot, roster, arrange, fake_slack):
    with arrange() as session:
        ada = session.get(Person, roster["UADA"])
        factories.pairing(
            session, factories.program_of(session, ada), mentor=ada, resident=session.get(Person, roster["URES1"]),
            ended_on=date(2026, 9, 1), end_reason=EndReason.CHANGE_REQUEST,
        )  # fmt: skip
    assert str(roster["UADA"]) not in [o["value"] for o in bot.suggest(ACTION_PICK_MENTOR, user_id="URES1")]
    bot.command("request", user_id="URES1")
    reply = bot.submit_view(_opened(fake_slack), user_id="URES1", values=request_values([roster["UADA"]]))
    assert "isn't taking mentees" in reply.ack_json["errors"]["choice_1"]


def test_a_resident_with_a_mentor_is_pointed_to_change(bot, roster, arrange, fake_slack):
    with arrange() as session:
        factories.pairing(
            session,
            factories.program_of(session, session.get(Person, roster["UADA"])),
            mentor=session.get(Person, roster["UADA"]),
            resident=session.get(Person, roster["URES1"]),
        )
    answer = bot.command("request", user_id="URES1").only_response()
    assert "You already have a mentor, Dr. Ada" in answer["text"] and "/mentor change" in answer["text"]
    assert fake_slack.calls_to("views.open") == []


def test_a_withdrawn_resident_is_pointed_to_rejoin(bot, roster, arrange, fake_slack):
    with arrange() as session:
        session.get(Person, roster["URES1"]).status = PersonStatus.WITHDRAWN
    assert "/mentor rejoin" in bot.command("request", user_id="URES1").only_response()["text"]
    assert fake_slack.calls_to("views.open") == []


# --- who may use what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "command", "expected"),
    [
        ("UADA", "request", "`/mentor request` is for residents"),
        ("UCOORD1", "request", "`/mentor request` is for residents"),
        ("URES1", "offer", "`/mentor offer` is for faculty"),
        ("UCOORD1", "offer", "`/mentor offer` is for faculty"),
        ("USTRANGER", "request", "not on the mentorship program's roster"),
    ],
)
def test_commands_refuse_the_wrong_people_privately(bot, roster, fake_slack, user_id, command, expected):
    answer = bot.command(command, user_id=user_id).only_response()
    assert answer["response_type"] == "ephemeral" and expected in answer["text"]
    assert fake_slack.calls_to("views.open") == []


def test_buttons_check_the_role_of_whoever_clicks(bot, roster, fake_slack):
    refused = bot.click(ACTION_OPEN_REQUEST, user_id="UADA").only_response()
    assert refused["response_type"] == "ephemeral" and "for residents" in refused["text"]
    refused = bot.click(ACTION_OPEN_OFFER, user_id="URES1").only_response()
    assert "for faculty" in refused["text"]
    assert fake_slack.calls_to("views.open") == []
    bot.click(ACTION_OPEN_OFFER, user_id="UFC")  # faculty who coordinate are faculty too
    assert _opened(fake_slack)["callback_id"] == VIEW_OFFER


def test_a_click_on_the_app_home_is_answered_in_a_small_modal(bot, roster, fake_slack):
    bot.click(ACTION_OPEN_REQUEST, user_id="UADA", response_url=None, view={"type": "home"})
    view = _opened(fake_slack)
    assert "for residents" in str(view["blocks"]) and "submit" not in view


@pytest.mark.parametrize(
    ("user_id", "callback_id", "values", "refusal"),
    [
        ("UADA", VIEW_REQUEST, request_values([]), "for residents"),
        ("USTRANGER", VIEW_REQUEST, request_values([]), "not on the mentorship program's roster"),
        ("URES1", VIEW_OFFER, offer_values(), "for faculty"),
    ],
)
def test_a_forged_submission_is_refused_and_writes_nothing(bot, roster, session_factory, user_id, callback_id, values, refusal):
    reply = bot.submit(callback_id, user_id=user_id, values=values)
    assert reply.ack_json["response_action"] == "update"
    assert refusal in str(reply.ack_json["view"])
    assert _count(session_factory, ResidentPreference) == 0 and _count(session_factory, MentorOffer) == 1


# --- the faculty offer ------------------------------------------------------------------------------


def test_offer_saves_availability_and_reopens_with_it(bot, roster, fake_slack, session_factory):
    bot.command("offer", user_id="UADA")
    view = _opened(fake_slack)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert [o["value"] for o in blocks["capacity"]["element"]["options"]] == ["1", "2"]
    assert [o["value"] for o in blocks["subspecialties"]["element"]["initial_options"]] == ["cardiology"]  # from the roster
    assert "initial_option" not in blocks["available"]["element"]  # not answered this year yet

    values = offer_values(available=True, capacity=2, subspecialties=["cardiology", "research"],
                          focus_areas=[FocusArea.PROFESSIONAL.value], preferred=[roster["URES2"]])  # fmt: skip
    reply = bot.submit_view(view, user_id="UADA", values=values)
    assert reply.ack_json["response_action"] == "update"
    assert "available for 2 mentees" in str(fake_slack.view(view["id"]))
    with session_factory() as session:
        offer = session.scalars(select(MentorOffer).where(MentorOffer.mentor_id == roster["UADA"])).one()
        assert (offer.academic_year, offer.available, offer.capacity, offer.preferred_residents) == (
            2026,
            True,
            2,
            [roster["URES2"]],
        )

    bot.click(ACTION_OPEN_OFFER, user_id="UADA")
    blocks = {b.get("block_id"): b for b in _opened(fake_slack)["blocks"]}
    assert blocks["available"]["element"]["initial_option"]["value"] == "yes"
    assert blocks["capacity"]["element"]["initial_option"]["value"] == "2"
    assert [o["value"] for o in blocks["preferred_residents"]["element"]["initial_options"]] == [str(roster["URES2"])]


def test_not_this_year_saves_no_capacity(bot, roster, fake_slack, session_factory):
    bot.command("offer", user_id="UBEN")
    view = _opened(fake_slack)
    bot.submit_view(view, user_id="UBEN", values=offer_values(available=False, capacity=None))
    assert "won't be matched with a mentee this year" in str(fake_slack.view(view["id"]))
    with session_factory() as session:
        offer = session.scalars(select(MentorOffer).where(MentorOffer.mentor_id == roster["UBEN"])).one()
        assert (offer.available, offer.capacity) == (False, 0)


def test_capacity_never_exceeds_the_program_maximum(bot, roster, arrange, fake_slack, session_factory):
    with arrange() as session:
        session.get(Program, roster["program"]).max_mentees_per_mentor = 1
    bot.command("offer", user_id="UBEN")
    view = _opened(fake_slack)
    capacity = next(b for b in view["blocks"] if b.get("block_id") == "capacity")
    assert [o["value"] for o in capacity["element"]["options"]] == ["1"]
    reply = bot.submit_view(view, user_id="UBEN", values=offer_values(available=True, capacity=2))  # a forged value
    assert reply.ack_json == {
        "response_action": "errors",
        "errors": {"capacity": "The program allows at most 1 mentee per mentor."},
    }
    with session_factory() as session:
        assert session.scalars(select(MentorOffer).where(MentorOffer.mentor_id == roster["UBEN"])).first() is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (offer_values(available=None), "available"),
        (offer_values(available=True, capacity=None), "capacity"),
        (offer_values(available=True, capacity=1, subspecialties=["astrology"]), "subspecialties"),
        (offer_values(available=True, capacity=1, preferred=["UADA-id"]), "preferred_residents"),
    ],
)
def test_offer_problems_come_back_in_the_modal(bot, roster, fake_slack, values, field):
    bot.command("offer", user_id="UBEN")
    reply = bot.submit_view(_opened(fake_slack), user_id="UBEN", values=values)
    assert reply.ack_json["response_action"] == "errors" and field in reply.ack_json["errors"]


def test_preferred_residents_are_picked_from_the_roster(bot, roster):
    assert [o["text"]["text"] for o in bot.suggest(ACTION_PICK_RESIDENT, user_id="UADA")] == ["Ria", "Sam"]
    assert [o["text"]["text"] for o in bot.suggest(ACTION_PICK_RESIDENT, user_id="UADA", value="sa")] == ["Sam"]
    assert bot.suggest(ACTION_PICK_RESIDENT, user_id="URES1") == []

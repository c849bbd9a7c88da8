"""A program year in a real browser: the whole story a coordinator would try in the sandbox.

Open a round; two residents and two faculty answer through the modals (one ranking through the
searchable pick list, one choosing preferred residents); everyone else through "Fill in answers";
the deadline passes; the coordinator reviews and approves; the pair's group DM introduces them;
three months later the reminders arrive in each person's working hours; a meeting is logged with
the reminder's button (after an inline error); a resident asks for a change with a note, which
only the coordinators see; it is resolved; the quarter ends and its report arrives with its chart.
Every assertion is on what the page shows. Runs on SQLite and, in CI, PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from sandbox.app import Sandbox
from tests.sandbox.browser import NARROW, screenshot_dir
from tests.sandbox.sandbox_page import SandboxPage

COORDINATOR = "Dana Whitfield"
RESIDENT, SECOND_RESIDENT = "Riley Chen", "Amara Nwosu"
MENTOR, SECOND_MENTOR = "Dr. Samuel Achebe", "Dr. Fran Ortiz"
# User input shown back on the page: must appear as text, never as markup.
NOTE = "Please keep this between us: <b>night</b> rotations & clinic clash with Dr. Achebe's hours."
WORKDAY_TIME = re.compile(r"^(Mon|Tue|Wed|Thu|Fri) \w{3} \d{1,2}, (\d{2}):\d{2} ")


def _sent_in_working_hours(label: str) -> bool:
    found = WORKDAY_TIME.match(label)
    return bool(found) and 9 <= int(found.group(2)) < 17


def test_a_program_year_in_the_browser(page: Page, sandbox: Sandbox, tmp_path: Path) -> None:
    ui = SandboxPage(page, screenshot_dir(tmp_path))
    expect(page.locator("#now")).to_have_text(re.compile("^Monday, August 3, 2026"))

    # --- a coordinator opens the round --------------------------------------------------------
    ui.act_as(COORDINATOR)
    ui.mentor("admin round open")
    expect(ui.message_with("matching round is open until")).to_contain_text("Only visible to you")

    # --- a resident ranks through the searchable pick list, with an inline error on the way -----
    ui.act_as(RESIDENT)
    ui.mentorbot("Messages")
    invitation = ui.message_with("matching round for 2026–27 is open")
    invitation.get_by_role("button", name="Choose my preferences").click()
    form = ui.modal("Mentor preferences")
    ui.pick(form, "1st choice", "Ach", "Dr. Samuel Achebe (Cardiology)")
    ui.pick(form, "2nd choice", "achebe", "Dr. Samuel Achebe (Cardiology)")
    form.get_by_label("Academic support").check()
    ui.submit(form, "Save")
    expect(form.get_by_role("alert")).to_have_text("You already picked this person as your 1st choice.")
    form.get_by_role("button", name="Remove Dr. Samuel Achebe (Cardiology)").nth(1).click()
    ui.pick(form, "2nd choice", "haddad", "Dr. Omar Haddad (Cardiology)")
    ui.submit(form, "Save")
    expect(ui.modal()).to_contain_text("Thanks, your preferences are saved.")
    expect(ui.modal()).to_contain_text("1. Dr. Samuel Achebe")
    ui.close_modal()

    ui.act_as(SECOND_RESIDENT)
    ui.mentor("request")
    form = ui.modal("Mentor preferences")
    ui.pick(form, "1st choice", "ortiz", "Dr. Fran Ortiz (Nephrology)")
    form.get_by_label("Subspecialty interests").select_option(label="Nephrology")
    ui.submit(form, "Save")
    expect(ui.modal()).to_contain_text("Thanks, your preferences are saved.")
    ui.close_modal()

    # --- two faculty offer: radio buttons, a select, and residents picked from a multi-select -----
    ui.act_as(MENTOR)
    ui.mentor("offer")
    form = ui.modal("Mentoring this year")
    form.get_by_label("Yes, I can mentor this year").check()
    form.get_by_label("How many mentees can you take?").select_option(label="2 mentees")
    ui.pick(form, "Residents you'd especially like to mentor", "riley", re.compile("^Riley Chen"))
    assert ui.unnamed_controls() == []  # a form with every kind of input: each one is labelled
    assert "Save" in ui.tab_stops_from(form.get_by_label("Yes, I can mentor this year"), 12)
    ui.submit(form, "Save")
    expect(ui.modal()).to_contain_text("You're down as available for 2 mentees this year.")
    ui.close_modal()

    ui.act_as(SECOND_MENTOR)
    ui.mentorbot("Messages")
    ui.message_with("Can you mentor a resident this year?").get_by_role("button", name="Answer").click()
    form = ui.modal("Mentoring this year")
    form.get_by_label("Yes, I can mentor this year").check()
    form.get_by_label("How many mentees can you take?").select_option(label="1 mentee")
    ui.submit(form, "Save")
    expect(ui.modal()).to_contain_text("You're down as available for 1 mentee this year.")
    ui.close_modal()

    # --- everyone else, and the deadline ------------------------------------------------------
    page.get_by_role("button", name="Fill in answers").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Answered for \d+ people \(4 had answered already"))
    ui.go_to("2026-08-18")
    expect(page.locator("#now")).to_have_text(re.compile("^Tuesday, August 18, 2026, 13:00"))

    # --- review and approve ---------------------------------------------------------------------
    ui.act_as(COORDINATOR)
    ui.mentorbot("Messages")
    ui.message_with("A mentor match proposal is ready for your review").get_by_role("button", name="Review the proposal").click()
    review = ui.modal("Match proposal")
    expect(review).to_contain_text(re.compile(r"Riley Chen.*Dr\. Samuel Achebe|Dr\. Samuel Achebe.*Riley Chen"))
    ui.submit(review, "Approve all")
    expect(ui.modal()).to_contain_text("Approved.")
    ui.close_modal()
    ui.mentorbot("Home")
    expect(ui.home()).not_to_contain_text("awaiting approval")
    expect(ui.home()).to_contain_text(re.compile(r"Active pairs\s*1[0-9]"))

    # --- the pair's introduction in their group DM ---------------------------------------------
    ui.act_as(RESIDENT)
    ui.conversation(re.compile("Dr. Samuel Achebe and Mentorbot"))
    expect(ui.message_with("You've been paired in the residency mentorship program")).to_contain_text(
        "@Dr. Samuel Achebe will mentor @Riley Chen"
    )

    # --- three months on: reminders, each in its reader's working hours ------------------------
    ui.go_to("2026-11-18")
    ui.mentorbot("Messages")
    reminder = ui.message_with("Your next mentorship meeting with @Dr. Samuel Achebe is due by")
    assert _sent_in_working_hours(reminder.locator(".time").inner_text()), reminder.locator(".time").inner_text()
    ui.shoot("sandbox-reminder-dm")
    ui.act_as(MENTOR)  # in Los Angeles: his reminder waited for his morning
    ui.mentorbot("Messages")
    his = ui.message_with("Your next mentorship meeting with @Riley Chen is due by")
    assert _sent_in_working_hours(his.locator(".time").inner_text()), his.locator(".time").inner_text()
    assert his.locator(".time").inner_text().endswith("PST")

    # --- logging the meeting from the reminder's button -----------------------------------------
    ui.act_as(RESIDENT)
    ui.mentorbot("Messages")
    ui.message_with("Your mentorship meeting with @Dr. Samuel Achebe is due on").get_by_role("button", name="We met").click()
    form = ui.modal("Log a meeting")
    form.get_by_label("Date of the meeting").fill("2026-11-30")
    ui.submit(form, "Log it")
    expect(form.get_by_role("alert")).to_have_text("That day hasn't happened yet. Pick the day you met.")
    form.get_by_label("Date of the meeting").fill("2026-11-16")
    ui.submit(form, "Log it")
    expect(ui.modal("Meeting logged")).to_contain_text("Logged: you met Dr. Samuel Achebe on")
    ui.close_modal()
    ui.conversation(re.compile("Dr. Samuel Achebe and Mentorbot"))
    ui.message_with("@Riley Chen logged a meeting with @Dr. Samuel Achebe")

    # --- a confidential change request ----------------------------------------------------------
    ui.mentor("change")
    form = ui.modal("Change your pairing")
    expect(form).to_contain_text("You don't need to give a reason.")
    form.get_by_label("A note for the coordinators (optional)").fill(NOTE)
    ui.submit(form, "End the pairing")
    expect(ui.modal("Pairing changed")).to_contain_text("Your pairing with Dr. Samuel Achebe has ended")
    ui.close_modal()

    ui.act_as(MENTOR)
    ui.mentorbot("Messages")
    ui.message_with("Your mentoring pairing has ended. The program coordinator will help with next steps.")
    expect(page.locator("body")).not_to_contain_text("night")  # nothing of the note
    expect(page.locator("body")).not_to_contain_text("Riley Chen asked")

    ui.act_as(COORDINATOR)
    ui.mentorbot("Messages")
    alert = ui.message_with("asked to end their pairing with")
    expect(alert.locator("blockquote")).to_have_text(NOTE)  # shown as typed: the tags are text
    expect(alert.locator("b")).to_have_count(0)
    alert.get_by_role("button", name="Close", exact=True).click()
    resolved = ui.message_with("has been deleted")
    expect(resolved).to_contain_text("(edited)")
    expect(ui.messages().filter(has_text="night")).to_have_count(0)

    # --- the quarter ends: the report and its chart in the coordinators' channel ----------------
    ui.advance("Next quarter")
    expect(page.locator("#now")).to_have_text(re.compile("^Friday, January 1, 2027, 13:00"))
    ui.advance("+1 week")
    ui.conversation(re.compile("im-mentoring-coordinators"))
    report = ui.message_with("Quarter report: 2026–27 Q2")
    chart = ui.messages().locator("img").last
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), "the chart did not load"
    chart.scroll_into_view_if_needed()
    ui.shoot("sandbox-quarter-report")
    assert report.is_visible()
    ui.mentorbot("Home")
    expect(ui.home()).to_contain_text("2026–27 Q3")
    ui.shoot("sandbox-coordinator-dashboard")

    # --- usable as a person expects: names, keyboard, a narrow window -----------------------------
    assert ui.unnamed_controls() == []
    stops = ui.tab_stops(12)
    for control in ("+1 day", "+1 week", "Next quarter", "Go to date", "Fill in answers", "Act as"):
        assert any(control in stop for stop in stops), (control, stops)
    page.set_viewport_size(NARROW)
    assert ui.fits_width(), "the page scrolls sideways in a narrow window"
    ui.shoot("sandbox-narrow")

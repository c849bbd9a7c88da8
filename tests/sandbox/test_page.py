"""The sandbox page in a real browser: the seeded program, acting as someone, /mentor answers."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_the_page_shows_the_seeded_program_by_role_and_answers_mentor_help(page):
    people = page.get_by_role("navigation", name="People and conversations")
    expect(people.get_by_role("heading", name="Coordinators (2)")).to_be_visible()
    expect(people.get_by_role("heading", name="Faculty (12)")).to_be_visible()
    expect(people.get_by_role("heading", name="Residents (16)")).to_be_visible()
    expect(page.locator("#now")).to_have_text(re.compile(r"^Monday, August 3, 2026, 13:00"))

    # The coordinator's App Home is the bot's own dashboard, published through views.publish.
    expect(page.get_by_role("region", name="App Home")).to_contain_text("Program dashboard")

    page.get_by_role("button", name=re.compile("^Riley Chen")).click()
    expect(page.get_by_label("Act as")).to_have_value("U0RES0001")
    page.get_by_role("tab", name="Messages").click()
    page.get_by_label("Message Mentorbot (type a /mentor command)").fill("/mentor help")
    page.keyboard.press("Enter")
    answer = page.locator(".message.ephemeral").last
    expect(answer).to_contain_text("Only visible to you")
    expect(answer).to_contain_text("/mentor request")  # a resident's help lists the preferences form
    expect(answer).not_to_contain_text("/mentor admin")  # and no coordinator commands

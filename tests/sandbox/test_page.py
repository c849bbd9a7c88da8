"""The sandbox page in a real browser: the seeded program, acting as someone, /mentor answers."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from slack_sdk import WebClient


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


def test_mrkdwn_and_blocks_render_as_slack_shows_them_and_nothing_typed_becomes_markup(page, sandbox):
    """A message as the bot could send it, with every mrkdwn feature and text a person typed."""
    typed = "<img src=x onerror=alert(1)> & <script>alert(2)</script>"
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = (
        "*bold* _italic_ ~struck~ `code` <https://example.org/guide|the guide> <@U0FAC0002> <!here>\n"
        f"• first\n• second\n> {escaped}\n```\nkeep *as is*\n```"
    )
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "A header"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"_{escaped}_"}]},
    ]
    WebClient(token="xoxb-sandbox-token", base_url=sandbox.fake.url).chat_postMessage(
        channel="U0RES0001", text="fallback", blocks=blocks
    )
    page.get_by_label("Act as").select_option(label="Riley Chen")
    page.get_by_role("tab", name="Messages").click()
    message = page.locator(".message").filter(has_text="A header")
    expect(message.get_by_role("heading", name="A header")).to_be_visible()
    expect(message.locator("strong")).to_have_text("bold")
    expect(message.locator("em").first).to_have_text("italic")
    expect(message.locator("del")).to_have_text("struck")
    expect(message.locator("code")).to_have_text("code")
    expect(message.get_by_role("link", name="the guide")).to_have_attribute("href", "https://example.org/guide")
    expect(message.locator(".mention").first).to_have_text("@Dr. Samuel Achebe")
    expect(message.locator(".list-item")).to_have_count(2)
    expect(message.locator("blockquote")).to_have_text(typed)
    expect(message.locator("pre")).to_have_text("keep *as is*")
    expect(message.locator("hr")).to_have_count(1)
    expect(message.locator(".context")).to_have_text(typed)
    expect(message.locator("img, script")).to_have_count(0)  # the typed tags stayed text

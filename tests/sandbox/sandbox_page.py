"""Driving the sandbox page the way a person does: by labels, roles and visible text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

CLOCK_TIMEOUT_MS = 240_000  # a quarter is ~2,200 hourly runs of every job (slower on PostgreSQL)
# Every control on the page, and what gives it an accessible name (label, aria-*, text or title).
CONTROLS_WITHOUT_NAMES = """
() => {
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const by = el.getAttribute('aria-labelledby');
    if (by && by.split(/\\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
    if (el.labels && Array.from(el.labels).some((l) => l.textContent.trim())) return true;
    if (['BUTTON', 'A', 'SUMMARY'].includes(el.tagName) && el.textContent.trim()) return true;
    if (el.getAttribute('role') === 'option' && el.textContent.trim()) return true;
    return Boolean((el.getAttribute('title') || '').trim());
  };
  const visible = (el) => el.offsetParent !== null || el.getClientRects().length > 0;
  return Array.from(document.querySelectorAll('button, a[href], input, select, textarea, [role="combobox"], [tabindex]'))
    .filter((el) => visible(el) && el.tabIndex >= -1 && el.id !== 'pane' && !named(el))
    .map((el) => el.outerHTML.slice(0, 160));
}
"""


@dataclass
class SandboxPage:
    page: Page
    screenshots: Path

    # --- who and where -------------------------------------------------------------------------

    def act_as(self, name: str) -> None:
        self.page.get_by_label("Act as").select_option(label=name)
        expect(self.page.get_by_role("button", name=re.compile("^" + re.escape(name))).first).to_have_attribute(
            "aria-pressed", "true"
        )

    def conversation(self, title: str | re.Pattern[str]) -> None:
        self.page.locator("#conversations").get_by_role("button", name=title).click()
        expect(self.page.locator("#pane-title")).to_be_visible()

    def mentorbot(self, tab: str = "Messages") -> None:
        self.conversation(re.compile("^◉?\\s*Mentorbot"))
        self.page.get_by_role("tab", name=tab).click()

    def mentor(self, text: str) -> None:
        self.mentorbot("Messages")
        box = self.page.get_by_label("Message Mentorbot (type a /mentor command)")
        box.fill(f"/mentor {text}")
        box.press("Enter")
        expect(box).to_have_value("")

    def messages(self) -> Locator:
        return self.page.get_by_role("list", name="Messages").locator(".message")

    def message_with(self, text: str | re.Pattern[str]) -> Locator:
        found = self.messages().filter(has_text=text).last
        expect(found).to_be_visible()
        return found

    def home(self) -> Locator:
        return self.page.get_by_role("region", name="App Home")

    # --- modals --------------------------------------------------------------------------------

    def modal(self, title: str | None = None) -> Locator:
        dialog = self.page.get_by_role("dialog")
        if title is not None:
            expect(dialog.get_by_role("heading", name=title)).to_be_visible()
        return dialog

    def pick(self, dialog: Locator, label: str, search: str, option: str | re.Pattern[str]) -> None:
        """Type in a searchable pick list (the bot's options handler answers) and choose."""
        box = dialog.get_by_role("combobox", name=label)
        box.fill(search)
        listbox = dialog.locator("#" + str(box.get_attribute("aria-controls")))
        listbox.get_by_role("option", name=option).click()
        expect(listbox).to_be_hidden()

    def submit(self, dialog: Locator, button: str) -> None:
        dialog.get_by_role("button", name=button, exact=True).click()

    def close_modal(self) -> None:
        self.page.get_by_role("dialog").get_by_role("button", name="Close", exact=True).first.click()
        expect(self.page.get_by_role("dialog")).to_have_count(0)

    # --- the program clock ---------------------------------------------------------------------

    def advance(self, button: str) -> None:
        self.page.get_by_role("button", name=button, exact=True).click()
        expect(self.page.get_by_role("status")).to_contain_text("Moved to", timeout=CLOCK_TIMEOUT_MS)

    def go_to(self, day: str) -> None:
        self.page.get_by_label("Go to date").fill(day)
        self.advance("Go")

    def now(self) -> str:
        return self.page.locator("#now").inner_text()

    # --- checks --------------------------------------------------------------------------------

    def shoot(self, name: str, **options: Any) -> Path:
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=str(path), **options)
        return path

    def unnamed_controls(self) -> list[str]:
        return self.page.evaluate(CONTROLS_WITHOUT_NAMES)

    def fits_width(self) -> bool:
        return self.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")

    def tab_stops(self, count: int) -> list[str]:
        """Press Tab ``count`` times from the top of the page; the accessible names reached, in order."""
        return self.tab_stops_from(self.page.locator("a.skip"), count)  # the first stop: "Skip to the conversation"

    def tab_stops_from(self, start: Locator, count: int) -> list[str]:
        start.focus()
        reached = []
        for _ in range(count):
            self.page.keyboard.press("Tab")
            reached.append(
                self.page.evaluate(
                    "() => { const a = document.activeElement; return (a.getAttribute('aria-label') || "
                    "(a.labels && a.labels[0] && a.labels[0].textContent) || a.textContent || '').trim(); }"
                )
            )
        return reached

"""What a user does in the browser, found the way a user finds it: by label, role and text, never by
layout (other work changes the pages; these keep working as long as the words stay)."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Locator, Page, expect

DEMO_PASSWORD = "demo"
AANBIEDER = "aanbieder@example.nl"
GEMEENTE = "gemeente@example.nl"
BEHEER = "beheer@example.nl"


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()


def open_menu(page: Page, name: str) -> None:
    """Follow a link of the main menu."""
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=name,
                                                                 exact=True).click()


def choose(select: Locator, containing: str) -> None:
    """Pick the first option of a list whose text contains ``containing``."""
    options = select.locator("option").all_inner_texts()
    matching = [text for text in options if containing in text]
    assert matching, f"no option with {containing!r} in {options}"
    select.select_option(label=matching[0])


def flash(page: Page, text: str) -> Locator:
    """A message the portal shows after an action (role status or alert)."""
    return page.get_by_role("status").filter(has_text=text).or_(
        page.get_by_role("alert").filter(has_text=text))


def fill_every_field(form: Locator, text: str, today: date | None = None) -> None:
    """Answer every question of a form as a careful user would: text in every text box, today in
    every date, the highest choice in every list (an education level then satisfies any minimum),
    "Ja" for every yes/no question (consent must be "ja" to submit) and the first option of any
    other choice."""
    today = today or date.today()
    for box in form.get_by_role("textbox").all():
        if box.is_editable():
            box.fill(f"{text}: {box.get_attribute('name')}")
    for field in form.locator("input[type=date]").all():
        field.fill(today.isoformat())
    for choice in form.get_by_role("combobox").all():
        values = [v for v in choice.locator("option").evaluate_all(
            "options => options.map(o => o.value)") if v]
        if values:
            choice.select_option(values[-1])
    groups = form.locator("input[type=radio]").evaluate_all(
        "radios => [...new Set(radios.map(r => r.name))]")
    for name in groups:
        group = form.locator(f'input[type=radio][name="{name}"]')
        yes = group.and_(form.get_by_role("radio", name="Ja", exact=True))
        (yes if yes.count() else group.first).check()

"""The portal as its users work with it, in a real browser (chromium through Playwright) against
gunicorn serving the demo data (tests/browser/plugin.py): a plan written, returned with a comment,
revised and approved; a declaration with a refused line and its WMO325 answer; a toewijzing and a
tariff set by beheer. Elements are found by their labels, roles and texts, as a user finds them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.actions import AANBIEDER, BEHEER, GEMEENTE, choose, fill_every_field, flash, \
    log_in, log_out, open_menu
from tests.iwmo_messages import Client, Line, wmo323

# Also on the PostgreSQL pass of `make test` (-m db): the served portal then uses PostgreSQL.
pytestmark = [pytest.mark.browser, pytest.mark.db]

# Demo data (portal/demo/data.py): the demo gemeente user works for Geldrop-Mierlo, the first
# municipality by region name, where the demo aanbieder (AGB 98765432) has J. de Vries.
PLAN_CLIENT = "J. de Vries"
PLAN_GEMEENTE = "Geldrop-Mierlo"


def test_plan_is_written_returned_revised_and_approved(page: Page):
    log_in(page, AANBIEDER)
    page.get_by_role("link", name=PLAN_CLIENT).first.click()
    expect(page.get_by_role("heading", level=1, name=PLAN_CLIENT)).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Plan maken")).first.click()

    plan_url = page.url
    form = page.locator("form", has=page.get_by_role("button", name="Indienen bij de gemeente"))
    fill_every_field(form, "Eerste versie")
    page.get_by_role("button", name="Indienen bij de gemeente").click()
    expect(flash(page, f"versie 1 is ingediend bij {PLAN_GEMEENTE}")).to_be_visible()
    log_out(page)

    log_in(page, GEMEENTE)
    open_menu(page, "Te beoordelen")
    row = page.get_by_role("row").filter(has_text=PLAN_CLIENT)
    row.get_by_role("link", name=re.compile(r"versie 1")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PLAN_CLIENT)
    page.get_by_label("Opmerking bij het geheel").fill("Maak het eerste doel meetbaar.")
    page.get_by_role("button", name="Terugsturen met opmerkingen").click()
    expect(flash(page, "teruggestuurd naar de aanbieder")).to_be_visible()
    log_out(page)

    log_in(page, AANBIEDER)
    page.goto(plan_url)
    expect(page.get_by_text("Maak het eerste doel meetbaar.")).to_be_visible()
    page.get_by_role("button", name="Nieuwe versie maken").click()
    expect(flash(page, "Versie 2 is gemaakt")).to_be_visible()
    form = page.locator("form", has=page.get_by_role("button", name="Indienen bij de gemeente"))
    first_answer = form.get_by_role("textbox").first
    expect(first_answer).to_have_value(re.compile("Eerste versie"))  # version 2 starts from 1
    first_answer.fill("Zelf boodschappen doen, twee keer per week, binnen drie maanden.")
    page.get_by_role("button", name="Indienen bij de gemeente").click()
    expect(flash(page, "versie 2 is ingediend")).to_be_visible()
    log_out(page)

    log_in(page, GEMEENTE)
    open_menu(page, "Te beoordelen")
    page.get_by_role("row").filter(has_text=PLAN_CLIENT).get_by_role(
        "link", name=re.compile(r"versie 2")).click()
    expect(page.get_by_text("twee keer per week, binnen drie maanden")).to_be_visible()
    page.get_by_role("button", name="Goedkeuren").click()
    expect(flash(page, "is goedgekeurd")).to_be_visible()
    page.goto(plan_url)
    expect(page.get_by_text(re.compile(r"Versie 2: goedgekeurd", re.I))).to_be_visible()


# The demo aanbieder's client P. van der Berg has toewijzing 1028 for 02A16 Begeleiding
# Individueel Basis in Apeldoorn (0200), whose region states € 90,14 per uur (seed 000:1211):
# 60 minutes declare at 150 cent per minute, € 90,14.
DECLARED_BSN = "999900055"


def declaration_month(today: date) -> tuple[date, date]:
    """The month before this one, within this year: the demo toewijzingen run 1 January to
    31 December of the current year (in January that is January itself)."""
    first = today.replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1) if today.month > 1 else first
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


def test_declaration_with_a_refused_line_shows_the_line_and_why_and_gives_the_wmo325(
        page: Page, tmp_path):
    start, end = declaration_month(date.today())
    middle = start.replace(day=15)
    message = wmo323([Client(DECLARED_BSN, [
        Line("BROWSER-1", toewijzing_nummer=1028, code="02A16", begin=start.isoformat(),
             end=middle.isoformat(), volume=60, tariff=150, amount=9014),
        Line("BROWSER-2", toewijzing_nummer=1028, code="02A16",
             begin=(middle + timedelta(days=1)).isoformat(), end=end.isoformat(), volume=60,
             tariff=160),
    ])], sender="98765432", receiver="0200", identificatie="BROWSER1", nummer="BROWSER1",
        month=start.strftime("%Y-%m"), last_day=f"{end.day:02d}",
        dagtekening=date.today().isoformat())

    log_in(page, AANBIEDER)
    open_menu(page, "Berichten")
    page.get_by_role("link", name="Bericht aanleveren").click()
    page.get_by_label("Bericht (XML) of ZIP-bestand").set_input_files(
        {"name": "declaratie.xml", "mimeType": "text/xml", "buffer": message})
    page.get_by_role("button", name="Aanleveren en controleren").click()
    expect(page.get_by_role("heading", level=1, name="declaratie.xml")).to_be_visible()
    expect(page.get_by_text("2 prestatie(s), waarvan 1 afgewezen")).to_be_visible()

    page.get_by_role("link", name="uitkomst per prestatie bekijken").click()
    refused = page.get_by_role("row").filter(has_text="BROWSER-2")
    expect(refused).to_contain_text("Afgewezen")
    expect(refused).to_contain_text("0611")
    expect(refused).to_contain_text("wijkt af van het tarief van de regio")
    granted = page.get_by_role("row").filter(has_text="BROWSER-1")
    expect(granted).to_contain_text("Toegekend")

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="WMO325 downloaden").click()
    answer = (tmp_path / "antwoord.xml")
    download_info.value.save_as(answer)
    text = answer.read_text(encoding="utf-8")
    assert "wmo325" in text.lower()
    assert "BROWSER-2" in text and "0611" in text


NEW_CLIENT_BSN = "999990007"  # passes the elfproef; far above the demo's BSNs


def test_beheer_creates_a_toewijzing_and_sets_a_tariff(page: Page):
    year = date.today().year
    log_in(page, BEHEER)
    open_menu(page, "Nieuwe toewijzing")
    choose(page.get_by_label("Gemeente"), "Geldrop-Mierlo")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Geldrop-Mierlo")
    page.get_by_label("BSN van de cliënt").fill(NEW_CLIENT_BSN)
    page.get_by_label("Voorletters").fill("K.")
    page.get_by_label("Achternaam").fill("Willems")
    page.get_by_label("Geboortedatum").fill("1970-03-01")
    choose(page.get_by_label("Aanbieder"), "Zorg Dichtbij Begeleiding B.V.")
    page.get_by_label("Toewijzingnummer").fill("7001")
    choose(page.get_by_label("Product", exact=True), "Individuele begeleiding 1 (B1)")
    page.get_by_label("Omvang (volume)").fill("10")
    page.get_by_label("Ingangsdatum").fill(f"{year}-01-01")
    page.get_by_label("Einddatum").fill(f"{year}-12-31")
    page.get_by_role("button", name="Toewijzing opslaan").click()
    expect(flash(page, "Toewijzing 7001 is opgeslagen.")).to_be_visible()

    open_menu(page, "Regio's en producten")
    page.get_by_role("link", name="Geldrop-Mierlo").first.click()
    page.get_by_role("link", name="Individuele begeleiding 1 (B1)").first.click()
    page.get_by_label("Tarief in euro's").fill("72,50")
    choose(page.get_by_label("Per eenheid"), "uur")
    page.get_by_label("Geldig vanaf").fill(f"{year}-01-01")
    page.get_by_role("button", name="Tarief opslaan").click()
    expect(flash(page, "Het tarief van Individuele begeleiding 1 (B1) is opgeslagen.")) \
        .to_be_visible()
    expect(page.get_by_role("row").filter(has_text="€ 72,50 per uur")).to_be_visible()
    log_out(page)

    # The aanbieder sees the new client with the toewijzing on its dashboard.
    log_in(page, AANBIEDER)
    expect(page.get_by_role("row").filter(has_text="7001").first).to_be_visible()

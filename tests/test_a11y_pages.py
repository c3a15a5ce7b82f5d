"""The main pages of every role pass axe-core's checks with no serious or critical violation
(labels, landmarks, contrast, language, valid ARIA), in chromium against the served demo portal.

axe-core comes bundled in the axe-playwright-python package, pinned in constraints.txt like every
other dependency. Pages that need something to exist first (a plan, an upload) are reached by
doing what a user does, as in the journeys."""

from __future__ import annotations

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.actions import AANBIEDER, BEHEER, GEMEENTE, fill_every_field, flash, log_in, \
    log_out, open_menu
from tests.iwmo_messages import Client, Line, wmo323

# Also on the PostgreSQL pass of `make test` (-m db): the served portal then uses PostgreSQL.
pytestmark = [pytest.mark.browser, pytest.mark.db]

BLOCKING = ("serious", "critical")
AXE = Axe()


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    result = AXE.run(page).response
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
            f"{', '.join(str(node['target']) for node in v['nodes'][:3])}"
            for v in result["violations"] if v["impact"] in BLOCKING]


def check_pages(page: Page, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        found += violations(page)
    return found


def test_axe_finds_what_it_is_meant_to_find(page: Page):
    """The check can fail: a form field without a label and an image without text are reported."""
    page.goto("/inloggen")
    page.evaluate("""() => {
        document.querySelector('main').append(document.createElement('input'));
        const image = document.createElement('img'); image.src = '/static/portal.css';
        document.querySelector('main').append(image);
    }""")
    found = " ".join(violations(page))
    assert "label (critical)" in found and "image-alt (critical)" in found


def test_pages_without_login(page: Page):
    found = check_pages(page, ["/inloggen"])
    page.goto("/bestaat-niet")
    found += violations(page)
    page.goto("/inloggen")
    page.get_by_role("button", name="Inloggen").click()  # empty form: the errors are shown
    expect(page.get_by_text("Vul uw e-mailadres in.")).to_be_visible()
    found += violations(page)
    assert found == []


def test_aanbieder_pages(page: Page):
    log_in(page, AANBIEDER)
    found = check_pages(page, ["/", "/berichten/", "/berichten/aanleveren", "/declaraties/",
                               "/declaraties/toewijzingen", "/regios/", "/account/wachtwoord"])

    page.goto("/")
    page.get_by_role("link", name="A. van Dijk").first.click()
    found += violations(page)
    page.get_by_role("button", name=re.compile(r"^Plan maken")).first.click()
    found += violations(page)  # the plan form
    form = page.locator("form", has=page.get_by_role("button", name="Indienen bij de gemeente"))
    page.get_by_role("button", name="Indienen bij de gemeente").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found += violations(page)  # the plan form with what is missing beside the fields
    fill_every_field(form, "Toegankelijk")
    page.get_by_role("button", name="Indienen bij de gemeente").click()
    expect(flash(page, "is ingediend")).to_be_visible()
    found += violations(page)  # the plan as submitted

    open_menu(page, "Berichten")
    page.get_by_role("link", name="Bericht aanleveren").click()
    page.get_by_label("Bericht (XML) of ZIP-bestand").set_input_files({
        "name": "a11y.xml", "mimeType": "text/xml",
        "buffer": wmo323([Client("999900031", [Line("A11Y-1", toewijzing_nummer=1022,
                                                     code="02B01")])],
                         sender="98765432", receiver="1771", identificatie="A11Y1",
                         nummer="A11Y1", month=f"{date.today().year}-01",
                         dagtekening=date.today().isoformat())})
    page.get_by_role("button", name="Aanleveren en controleren").click()
    expect(page.get_by_role("heading", level=1, name="a11y.xml")).to_be_visible()
    found += violations(page)  # the upload with its findings
    page.get_by_role("link", name="uitkomst per prestatie bekijken").click()
    found += violations(page)  # the lines with filters
    assert found == []


def test_gemeente_pages(page: Page):
    log_in(page, GEMEENTE)
    found = check_pages(page, ["/", "/plannen/beoordelen", "/declaraties/", "/declaraties/maand",
                               "/berichten/", "/regios/"])
    page.goto("/")
    page.get_by_role("link", name="J. de Vries").first.click()
    found += violations(page)
    assert found == []


def test_beheer_pages(page: Page):
    log_in(page, BEHEER)
    found = check_pages(page, ["/", "/beheer/organisaties", "/beheer/gebruikers",
                               "/beheer/toewijzingen/nieuw", "/regios/",
                               "/regios/midden_ijssel/producten/02A16"])
    open_menu(page, "Nieuwe toewijzing")
    page.get_by_role("button", name="Verder").click()
    found += violations(page)  # the toewijzing form of the first gemeente
    page.get_by_role("button", name="Toewijzing opslaan").click()  # empty: errors beside fields
    expect(page.get_by_role("alert")).to_be_visible()
    found += violations(page)
    log_out(page)
    assert found == []

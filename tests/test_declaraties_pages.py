"""The declaration screens: an aanbieder's lines per declaration (filters, totals), what is used and
left of a toewijzing, a gemeente's month with its CSV export; each for its own organisation only,
with a Dutch message for a parameter the page does not know, and a fixed number of queries."""

from __future__ import annotations

import calendar
import codecs
import csv
import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.audit.models import AuditLog
from portal.extensions import db
from tests.conftest import counting_statements, login
from tests.factories import BSN_A, BSN_B
from tests.iwmo_messages import Client, Line, wmo323
from tests.test_berichten_upload import as_user
from tests.test_declaraties_matching import BSN_C, add_toewijzing, declare, set_region_tariff

YOUNG = "999900043"  # a client of 16: a 02A63 line for an adult's code gets the MIJ-D9 warning
EMAILS = {"aanbieder_a": "a@aanbieder.test", "aanbieder_b": "b@aanbieder.test",
          "apeldoorn": "apeldoorn@gemeente.test", "geldrop": "geldrop@gemeente.test",
          "beheer": "beheer@portal.test"}


def shown(page) -> str:
    """The page without its hidden CSRF tokens: random text that may contain "R1" or "G1"."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page.text)


def as_(app, who: str):
    """A browser of its own, logged in as ``who``."""
    browser = app.test_client()
    login(browser, EMAILS[who])
    return browser


def upload_of(app, identificatie: str) -> int:
    from portal.berichten.models import Upload

    with app.app_context():
        return db.session.scalar(select(Upload.id).where(Upload.identificatie == identificatie))


@pytest.fixture
def declared(app, world, client):
    """Aanbieder A declares October 2026 to Apeldoorn (D0001) and September (D0002); aanbieder B
    declares to Geldrop-Mierlo. 02A16 is € 90,00 per uur, so 60 minutes at 150 cent is € 90,00.

    D0001: R1 (BSN_A, 60 min, granted € 90,00), R2 (BSN_A, 30 min at a wrong tariff: refused 0611,
    € 48,00), R3 (BSN_C on 1201, 2 uur per week, 120 min, granted € 180,00), W1 (YOUNG, 02A63,
    granted € 11,03 with warning MIJ-D9). Submitted € 329,03, granted € 281,03.
    """
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    ids = {
        "1201": add_toewijzing(app, world.apeldoorn, world.provider_a, BSN_C, "02A16", 1201,
                               volume=2, frequentie="2"),
        "1301": add_toewijzing(app, world.apeldoorn, world.provider_a, YOUNG, "02A63", 1301,
                               geboortedatum=date(2010, 3, 1)),
    }
    as_user(client, "aanbieder_a")
    october = declare(client, app, wmo323([
        Client(BSN_A, [Line("R1", end="2026-10-15"),
                       Line("R2", begin="2026-10-16", volume=30, tariff=160)]),
        Client(BSN_C, [Line("R3", toewijzing_nummer=1201, volume=120)]),
        Client(YOUNG, [Line("W1", toewijzing_nummer=1301, code="02A63", volume=60, tariff=18,
                            amount=1103)])]))
    assert [october.outcome(r) for r in ("R1", "R2", "R3", "W1")] == \
        ["toegekend", "afgewezen", "toegekend", "toegekend"]
    assert october.retourcodes("R2") == ["0611"] and "MIJ-D9" in october.codes("W1")
    september = declare(client, app, wmo323([Client(BSN_A, [
        Line("R4", begin="2026-09-01", end="2026-09-30")])], identificatie="D0002",
        nummer="DEC0002", month="2026-09", last_day="30"))
    assert september.outcome("R4") == "toegekend"
    geldrop = declare(as_(app, "aanbieder_b"), app, wmo323([Client(BSN_B, [
        Line("G1", toewijzing_nummer=2001, code="02B01")])], sender="22222222", receiver="1771",
        identificatie="G0001", nummer="GEL0001"))
    assert geldrop.outcome("G1") == "afgewezen"  # the seed has no tariff
    return {**ids, "world": world, "october": upload_of(app, "D0001"),
            "september": upload_of(app, "D0002"), "geldrop": upload_of(app, "G0001")}


def stats(page: str) -> list[str]:
    """The figures of the page's totals list, tags removed."""
    block = re.search(r'<ul class="stats"[^>]*>(.*?)</ul>', page, re.S).group(1)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
            for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


def references(page: str) -> set[str]:
    return set(re.findall(r"<td>(R\d|W\d|C\d|G\d)(?:<br>|</td>)", page)) | \
        set(re.findall(r'<small class="meta">(R\d|W\d|C\d|G\d)</small>', page))


# -- an aanbieder's declaration, line by line ----------------------------------------------------

def test_aanbieder_sees_each_line_with_outcome_reason_and_retourcode(app, declared):
    browser = as_(app, "aanbieder_a")
    page = browser.get(f"/declaraties/bericht/{declared['october']}")
    assert page.status_code == 200
    text = shown(page)
    assert references(text) == {"R1", "R2", "R3", "W1"}
    assert "Afgewezen" in text and "retourcode 0611" in text
    assert "ProductTarief 160 cent wijkt af" in text  # the reason, in Dutch
    assert "Toegekend, met waarschuwing" in text and "MIJ-D9" in text
    assert stats(text) == ["4 prestatie(s)", "Ingediend € 329,03", "Toegekend € 281,03",
                           "Afgewezen 1 · € 48,00"]


def test_the_upload_result_page_links_to_its_lines(app, declared):
    page = as_(app, "aanbieder_a").get(f"/berichten/{declared['october']}").text
    assert f'href="/declaraties/bericht/{declared["october"]}"' in page


@pytest.mark.parametrize(("query", "shown", "figures"), [
    ("bsn=" + BSN_A, {"R1", "R2"}, ["2 prestatie(s) van 4", "Ingediend € 138,00",
                                    "Toegekend € 90,00", "Afgewezen 1 · € 48,00"]),
    ("product=02a63", {"W1"}, ["1 prestatie(s) van 4", "Ingediend € 11,03",
                               "Toegekend € 11,03", "Afgewezen 0 · € 0,00"]),
    ("uitkomst=afgewezen", {"R2"}, ["1 prestatie(s) van 4", "Ingediend € 48,00",
                                    "Toegekend € 0,00", "Afgewezen 1 · € 48,00"]),
    (f"bsn={BSN_A}&uitkomst=toegekend&product=02A16", {"R1"},
     ["1 prestatie(s) van 4", "Ingediend € 90,00", "Toegekend € 90,00", "Afgewezen 0 · € 0,00"]),
])
def test_filters_by_client_product_and_outcome_with_their_totals(app, declared, query, shown,
                                                                 figures):
    page = as_(app, "aanbieder_a").get(f"/declaraties/bericht/{declared['october']}?{query}")
    assert page.status_code == 200
    assert references(page.text) == shown
    assert stats(page.text) == figures


@pytest.mark.parametrize(("query", "message"), [
    ("bsn=12345", "Een BSN bestaat uit precies 9 cijfers."),
    ("bsn=999900007", "voldoet niet aan de elfproef"),
    ("product=ZZ999", "dat product komt in deze declaratie niet voor. Kies een van: 02A16, 02A63"),
    ("product=%3Cscript%3E", "dat product komt in deze declaratie niet voor"),
    ("uitkomst=misschien", "kies 'toegekend' of 'afgewezen'"),
])
def test_an_unknown_filter_value_gets_a_dutch_message_and_is_ignored(app, declared, query,
                                                                    message):
    page = as_(app, "aanbieder_a").get(f"/declaraties/bericht/{declared['october']}?{query}")
    assert page.status_code == 400
    assert message in html.unescape(page.text) and "niet toegepast" in page.text
    assert "<script>" not in page.text
    assert references(page.text) == {"R1", "R2", "R3", "W1"}  # the filter is left out


def test_aanbieder_lists_its_own_declarations(app, declared):
    page = as_(app, "aanbieder_a").get("/declaraties/")
    assert page.status_code == 200
    assert "DEC0001" in page.text and "DEC0002" in page.text and "GEL0001" not in page.text
    assert "Declaraties" in page.text.split("<main")[0]  # in the navigation


@pytest.mark.parametrize("who", ["aanbieder_b", "geldrop"])
def test_another_organisations_declaration_is_not_found(app, declared, who):
    page = as_(app, who).get(f"/declaraties/bericht/{declared['october']}")
    assert page.status_code == 404
    assert "R1" not in shown(page) and BSN_A not in shown(page)


def test_the_gemeente_addressed_and_beheer_see_the_declaration(app, declared):
    for who in ("apeldoorn", "beheer"):
        page = as_(app, who).get(f"/declaraties/bericht/{declared['october']}")
        assert page.status_code == 200, who
        assert references(page.text) == {"R1", "R2", "R3", "W1"}


def test_unknown_declaration_and_a_toewijzing_message_are_not_found(app, declared):
    browser = as_(app, "aanbieder_a")
    assert browser.get("/declaraties/bericht/999999").status_code == 404
    assert browser.get("/declaraties/bericht/abc").status_code == 404


# -- per toewijzing: used and left ----------------------------------------------------------------

def test_used_is_granted_minus_credited_in_the_toewijzings_unit(app, declared):
    world = declared["world"]
    browser = as_(app, "aanbieder_a")
    page = browser.get(f"/declaraties/toewijzingen/{world.toewijzing_a}")
    assert page.status_code == 200
    # 40 uur in total; R1 and R4 granted (60 + 60 minutes), R2 refused (does not count).
    assert stats(page.text) == ["Toegewezen 40 uur", "Gebruikt 2 uur", "Over 38 uur",
                                "Toegekend bedrag € 180,00"]
    assert references(page.text) >= {"R1", "R2", "R4"}

    credited = declare(browser, app, wmo323([Client(BSN_A, [
        Line("C1", end="2026-10-15", credit=True, previous="R1"),
        Line("R5", begin="2026-10-16", volume=90)])], identificatie="D0003", nummer="DEC0003"))
    assert credited.outcome("C1") == "toegekend" and credited.outcome("R5") == "toegekend"
    page = browser.get(f"/declaraties/toewijzingen/{world.toewijzing_a}")
    # 60 − 60 + 60 + 90 minutes = 150 minutes = 2,5 uur.
    assert stats(page.text) == ["Toegewezen 40 uur", "Gebruikt 2,5 uur", "Over 37,5 uur",
                                "Toegekend bedrag € 225,00"]
    assert "crediteert R1" in page.text


def test_a_toewijzing_per_week_shows_what_each_month_allows(app, declared):
    page = as_(app, "aanbieder_a").get(f"/declaraties/toewijzingen/{declared['1201']}")
    assert page.status_code == 200
    # 2 uur per week; October 2026 touches 5 ISO weeks: 10 uur allowed, 2 uur used, 8 uur left.
    row = re.search(r"<tr><td>oktober 2026</td>(.*?)</tr>", page.text, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]
    assert cells == ["10 uur", "2 uur", "8 uur"]
    # In total: 2 uur × the 53 ISO weeks that 1 January to 31 December 2026 touches.
    assert stats(page.text)[:3] == ["Toegewezen 106 uur (2 uur per week)", "Gebruikt 2 uur",
                                    "Over 104 uur"]


def test_the_toewijzingen_list_shows_used_and_left(app, declared):
    page = as_(app, "aanbieder_a").get("/declaraties/toewijzingen")
    assert page.status_code == 200
    row = re.search(rf'/declaraties/toewijzingen/{declared["world"].toewijzing_a}">1001</a></td>'
                    r'(.*?)</tr>', page.text, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row,
                                                                          re.S)]
    assert cells[-3:] == ["40 uur", "2 uur", "38 uur"]
    assert ">2001<" not in page.text  # aanbieder B's


@pytest.mark.parametrize("who", ["aanbieder_b", "geldrop"])
def test_another_organisations_toewijzing_is_not_found(app, declared, who):
    page = as_(app, who).get(f"/declaraties/toewijzingen/{declared['world'].toewijzing_a}")
    assert page.status_code == 404
    assert "Vries" not in page.text


# -- the gemeente's month ------------------------------------------------------------------------

def test_gemeente_sees_the_latest_month_with_totals_per_aanbieder_and_product(app, declared):
    page = as_(app, "apeldoorn").get("/declaraties/maand")
    assert page.status_code == 200
    text = shown(page)
    assert "oktober 2026" in text
    assert stats(text) == ["4 prestatie(s)", "Ingediend € 329,03", "Toegekend € 281,03",
                           "Afgewezen 1 · € 48,00", "Met waarschuwing 1"]
    rows = {}
    for row in re.findall(r"<tr>\s*<td>Aanbieder A.*?</tr>", text.split("<tfoot>")[0], re.S):
        cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[1].split()[0]] = cells[2:]
    assert rows == {"02A16": ["3 (1 afgewezen)", "€ 318,00", "€ 270,00", "€ 48,00"],
                    "02A63": ["1", "€ 11,03", "€ 11,03", "€ 0,00"]}
    refused = text.split('id="afgewezen"')[1].split('id="waarschuwingen"')[0]
    assert "R2" in refused and "0611" in refused and "ProductTarief 160 cent wijkt af" in refused
    assert "R1" not in refused
    warnings = text.split('id="waarschuwingen"')[1]
    assert "W1" in warnings and "MIJ-D9" in warnings
    assert "Aanbieder B" not in text and "G1" not in text


def test_gemeente_chooses_another_month(app, declared):
    page = as_(app, "apeldoorn").get("/declaraties/maand?maand=2026-09")
    assert page.status_code == 200
    assert "september 2026" in page.text
    assert stats(page.text)[:3] == ["1 prestatie(s)", "Ingediend € 90,00", "Toegekend € 90,00"]
    assert '<option value="2026-10">oktober 2026</option>' in page.text


def test_a_gemeente_sees_only_its_own_lines(app, declared):
    page = as_(app, "geldrop").get("/declaraties/maand")
    assert page.status_code == 200
    assert "Aanbieder A" not in page.text and "R1" not in shown(page)
    assert "Aanbieder B" in page.text and "G1" in page.text
    empty = as_(app, "geldrop").get("/declaraties/maand?maand=2026-09")
    assert "Er zijn geen declaratieregels in september 2026." in empty.text


@pytest.mark.parametrize("month", ["2026-13", "oktober", "2026-1", "0000-01", "x" * 300])
def test_an_unknown_month_gets_a_dutch_message(app, declared, month):
    browser = as_(app, "apeldoorn")
    page = browser.get("/declaraties/maand", query_string={"maand": month})
    assert page.status_code == 400
    assert "is geen maand; schrijf de maand als JJJJ-MM" in page.text
    assert "Getoond: oktober 2026" in page.text and "R2" in page.text
    export = browser.get("/declaraties/maand/export.csv", query_string={"maand": month})
    assert export.status_code == 400
    assert "is geen maand" in export.text


@pytest.mark.parametrize("who", ["aanbieder_a", "beheer"])
def test_the_month_and_its_export_are_for_a_gemeente_only(app, declared, who):
    browser = as_(app, who)
    assert browser.get("/declaraties/maand").status_code == 404
    assert browser.get("/declaraties/maand/export.csv").status_code == 404


def test_a_gemeente_is_sent_to_its_month(app, declared):
    page = as_(app, "apeldoorn").get("/declaraties/")
    assert page.status_code == 302 and page.headers["Location"].endswith("/declaraties/maand")


# -- the CSV export ------------------------------------------------------------------------------

def read_csv(response) -> list[dict]:
    assert response.data.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_reads_back_with_semicolons_and_decimal_commas(app, declared):
    response = as_(app, "apeldoorn").get("/declaraties/maand/export.csv?maand=2026-10")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="declaraties-0200-2026-10.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert len(rows) == 4
    assert list(rows[0]) == ["AGB-code aanbieder", "Naam aanbieder", "BSN", "Toewijzingnummer",
                             "Productcategorie", "Productcode", "Begindatum", "Einddatum",
                             "Volume", "Eenheid", "Bedrag", "Debet/credit", "Uitkomst",
                             "Retourcodes", "Redenen", "Waarschuwingen"]
    amounts = [Decimal(row["Bedrag"].replace(",", ".")) for row in rows]
    assert sum(amounts) == Decimal("329.03")
    first = rows[0]
    assert first["AGB-code aanbieder"] == "11111111" and first["Naam aanbieder"] == "Aanbieder A"
    assert (first["BSN"], first["Toewijzingnummer"], first["Productcode"]) == \
        (BSN_A, "1001", "02A16")
    assert (first["Begindatum"], first["Einddatum"]) == ("01-10-2026", "15-10-2026")
    assert (first["Volume"], first["Eenheid"], first["Bedrag"]) == ("60", "minuut", "90,00")
    assert (first["Uitkomst"], first["Retourcodes"]) == ("toegekend", "")
    refused = next(row for row in rows if row["Uitkomst"] == "afgewezen")
    assert refused["Bedrag"] == "48,00" and refused["Retourcodes"] == "0611"
    assert refused["Redenen"].startswith("TR418: ProductTarief 160 cent wijkt af")
    warned = next(row for row in rows if row["Productcode"] == "02A63")
    assert warned["Waarschuwingen"].startswith("MIJ-D9: ") and warned["Redenen"] == ""
    with app.app_context():
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "export"))
        assert audit.actor == "apeldoorn@gemeente.test" and '"regels": 4' in audit.detail


def test_csv_credit_is_negative_and_large_amounts_have_no_thousands_separator(app, declared):
    declare(as_(app, "aanbieder_a"), app, wmo323([Client(BSN_A, [
        Line("C1", end="2026-10-15", credit=True, previous="R1"),
        Line("R6", begin="2026-10-16", volume=1000)])], identificatie="D0003", nummer="DEC0003"))
    rows = read_csv(as_(app, "apeldoorn").get("/declaraties/maand/export.csv"))
    credit = next(row for row in rows if row["Debet/credit"] == "C")
    assert credit["Bedrag"] == "-90,00" and credit["Uitkomst"] == "toegekend"
    assert next(row for row in rows if row["Volume"] == "1000")["Bedrag"] == "1500,00"
    assert sum(Decimal(row["Bedrag"].replace(",", ".")) for row in rows) == \
        Decimal("329.03") - Decimal("90.00") + Decimal("1500.00")


def test_a_csv_of_a_month_without_lines_has_only_its_header(app, declared):
    response = as_(app, "geldrop").get("/declaraties/maand/export.csv?maand=2026-10")
    assert response.status_code == 200
    assert read_csv(response) != [] and all(r["Naam aanbieder"] == "Aanbieder B"
                                            for r in read_csv(response))
    empty = as_(app, "geldrop").get("/declaraties/maand/export.csv?maand=2026-09")
    assert empty.status_code == 200 and read_csv(empty) == []
    assert 'filename="declaraties-1771-2026-09.csv"' in empty.headers["Content-Disposition"]


# -- no login ------------------------------------------------------------------------------------

def test_every_page_asks_for_a_login(app, declared):
    browser = app.test_client()
    for url in ("/declaraties/", f"/declaraties/bericht/{declared['october']}",
                "/declaraties/toewijzingen",
                f"/declaraties/toewijzingen/{declared['world'].toewijzing_a}",
                "/declaraties/maand?maand=2026-10", "/declaraties/maand/export.csv"):
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/inloggen"), url


# -- a fixed number of queries per page ----------------------------------------------------------

def _many_lines(browser, app, count: int, month: str) -> int:
    """A declaration of ``count`` one-day lines of 1 minute on toewijzing 1001; its upload id."""
    identificatie = f"Q{count}"
    declared = declare(browser, app, wmo323([Client(BSN_A, [
        Line(f"{identificatie}-{day}", begin=f"{month}-{day:02d}", end=f"{month}-{day:02d}",
             volume=1, tariff=150) for day in range(1, count + 1)])],
        identificatie=identificatie, nummer=identificatie, month=month,
        last_day=str(calendar.monthrange(*map(int, month.split("-")))[1])))
    assert {line["outcome"] for line in declared.lines.values()} == {"toegekend"}
    return upload_of(app, identificatie)


def _statements(app, browser, url: str) -> int:
    with app.app_context():
        engine = db.engine
    with counting_statements(engine) as counted:
        response = browser.get(url)
    assert response.status_code == 200, url
    return counted.value


def test_queries_per_page_do_not_grow_with_the_lines(app, declared):
    aanbieder, gemeente = as_(app, "aanbieder_a"), as_(app, "apeldoorn")
    small = _many_lines(aanbieder, app, 3, "2026-06")
    large = _many_lines(aanbieder, app, 30, "2026-04")
    assert _statements(app, aanbieder, f"/declaraties/bericht/{small}") == \
        _statements(app, aanbieder, f"/declaraties/bericht/{large}")
    assert _statements(app, gemeente, "/declaraties/maand?maand=2026-06") == \
        _statements(app, gemeente, "/declaraties/maand?maand=2026-04")
    assert _statements(app, gemeente, "/declaraties/maand/export.csv?maand=2026-06") == \
        _statements(app, gemeente, "/declaraties/maand/export.csv?maand=2026-04")
    toewijzing = f"/declaraties/toewijzingen/{declared['world'].toewijzing_a}"
    before = _statements(app, aanbieder, toewijzing)
    _many_lines(aanbieder, app, 29, "2026-07")
    assert _statements(app, aanbieder, toewijzing) == before
    listed = _statements(app, aanbieder, "/declaraties/toewijzingen")
    assert listed <= 4, listed


def test_a_long_declaration_shows_its_first_lines_and_counts_them_all(app, declared, monkeypatch):
    from portal.declaraties import routes

    monkeypatch.setattr(routes, "LINES_SHOWN", 2)
    page = as_(app, "aanbieder_a").get(f"/declaraties/bericht/{declared['october']}")
    assert references(page.text) == {"R1", "R2"}
    assert "de eerste 2 van 4" in page.text
    assert stats(page.text)[:2] == ["4 prestatie(s)", "Ingediend € 329,03"]

"""Declaration lines matched to the toewijzingen the portal holds, through an upload: the line rows
stored with their outcome, every reason a line finds no toewijzing (with its retourcode in the
WMO325), nothing half-written, and a fixed number of queries per file.

The helpers here (declare, add_toewijzing, set_region_tariff) are shared by the other
tests/test_declaraties_*.py files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import func, select

from portal.accounts.models import Organisation, User
from portal.audit.models import AuditLog
from portal.berichten import services as berichten_services
from portal.berichten.models import Upload
from portal.berichten.services import Settings, receive
from portal.declaraties.models import DeclarationLine
from portal.extensions import db
from portal.regions import registry
from portal.regions.services import set_tariff
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import create_toewijzing
from tests.conftest import counting_statements
from tests.factories import BSN_A, toewijzing_input
from tests.iwmo_messages import Client, Line, wmo323
from tests.test_berichten_upload import WMO325_NS, as_user, upload, upload_id

BSN_C = "999900031"  # a second client of aanbieder A at Apeldoorn


@dataclass
class Declared:
    """What became of one uploaded declaration: the upload's verdict, its findings, the stored
    lines per reference, and the WMO325 answer."""

    status: str
    summary: str
    findings: list[dict]
    lines: dict[str, dict]
    answer: etree._Element | None

    def codes(self, reference: str) -> set[str]:
        """The rule codes of the findings on the line with this reference."""
        return {finding["code"] for finding in self.lines[reference]["findings"]}

    def retourcodes(self, reference: str) -> list[str]:
        return self.lines[reference]["retourcodes"]

    def outcome(self, reference: str) -> str:
        return self.lines[reference]["outcome"]

    def message(self, reference: str, code: str) -> str:
        return " ".join(f["message"] for f in self.lines[reference]["findings"]
                        if f["code"] == code)

    def answered(self, path: str) -> list[str]:
        return [str(value) for value in self.answer.xpath(path, namespaces=WMO325_NS)]


def upload_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Upload.id)))


def declare(client, app, data: bytes, filename: str = "declaratie.xml") -> Declared:
    """Upload ``data`` in the browser as the logged-in user and read back what was stored."""
    response = upload(client, data, filename)
    assert response.status_code == 200
    number = upload_id(response)
    with app.app_context():
        stored = db.session.get(Upload, number)
        lines = {line.reference: {"outcome": line.outcome, "retourcodes": line.retourcodes,
                                  "findings": line.findings, "toewijzing_id": line.toewijzing_id,
                                  "month": line.month, "debit_credit": line.debit_credit,
                                  "volume": line.volume}
                 for line in db.session.scalars(select(DeclarationLine).where(
                     DeclarationLine.upload_id == number).order_by(DeclarationLine.id))}
        answer = etree.fromstring(stored.answer) if stored.answer else None
        return Declared(stored.status, stored.summary, stored.findings, lines, answer)


def add_toewijzing(app, gemeente_id: int, aanbieder_id: int, bsn: str, product_key: str,
                   nummer: int, **changes) -> int:
    """A toewijzing made as beheer makes one (every region rule applies); returns its id."""
    with app.app_context():
        regions = registry()
        gemeente = db.session.get(Organisation, gemeente_id)
        aanbieder = db.session.get(Organisation, aanbieder_id)
        toewijzing, _warnings = create_toewijzing(regions, toewijzing_input(
            gemeente, aanbieder, bsn, product_key, nummer, **changes))
        db.session.commit()
        return toewijzing.id


def set_region_tariff(app, region: str, product_key: str, euros: str, unit: str,
                      variant: str | None = None) -> None:
    """A tariff as beheer sets one, valid from 1 January 2026."""
    with app.app_context():
        product = registry().product(region, product_key)
        set_tariff(region, product, Decimal(euros), unit, variant, date(2026, 1, 1), None, None)
        db.session.commit()


def change_toewijzing(app, toewijzing_id: int, **values) -> None:
    with app.app_context():
        toewijzing = db.session.get(Toewijzing, toewijzing_id)
        for name, value in values.items():
            setattr(toewijzing, name, value)
        db.session.commit()


@pytest.fixture
def apeldoorn(app, world):
    """`world`, with the 02A16 tariff at € 90,00 per uur (60 minutes at ProductTarief 150 cent
    is € 90,00, as tests/iwmo_messages.py writes a line) and aanbieder A logged in."""
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    return world


@pytest.fixture
def aanbieder_a(client, apeldoorn):
    return as_user(client, "aanbieder_a")


# -- a line that matches -------------------------------------------------------------------------

def test_a_matching_line_is_granted_and_stored_with_its_toewijzing(client, app, world,
                                                                   aanbieder_a):
    declared = declare(client, app, wmo323([Client(BSN_A, [Line("R1")])]))
    assert declared.status == "geldig", declared.findings
    line = declared.lines["R1"]
    assert line["outcome"] == "toegekend" and line["retourcodes"] == []
    assert line["toewijzing_id"] == world.toewijzing_a
    assert line["month"] == date(2026, 10, 1)
    with app.app_context():  # written in bulk, audited all the same
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.object_type == "declaration_line", AuditLog.action == "create",
            AuditLog.actor == "a@aanbieder.test")) == 1
    assert declared.answered("//a:DeclaratieAntwoord/a:RetourCodes/a:RetourCode/text()") == \
        ["8001"]


def test_every_line_is_checked_and_the_file_is_accepted_with_some_lines_refused(client, app,
                                                                                aanbieder_a):
    declared = declare(client, app, wmo323([
        Client(BSN_A, [Line("R1", begin="2026-10-01", end="2026-10-15"),
                       Line("R2", toewijzing_nummer=4242),
                       Line("R3", begin="2026-10-16", end="2026-10-31")])]))
    assert [declared.outcome(r) for r in ("R1", "R2", "R3")] == \
        ["toegekend", "afgewezen", "toegekend"]
    # The answer: the file was processed, the one refused line echoed with 9338.
    assert declared.answered("/a:Bericht/a:Header/a:RetourCodes/a:RetourCode/text()") == ["0200"]
    assert declared.answered("//a:Prestatie/a:ProductReferentie/i:ReferentieNummer/text()") == \
        ["R2"]
    assert declared.answered("//a:Prestatie/a:RetourCodes/a:RetourCode/text()") == ["9338"]
    assert declared.answered("//a:TotaalToegekendBedrag/i:TotaalBedrag/text()") == ["18000"]


def test_the_result_page_names_each_refused_line_as_the_file_does(client, app, aanbieder_a):
    """The labels (reference, product, period, volume, amount) come from the lines the check read;
    they say what the file says, credit amounts negative, for exactly the clients with findings."""
    data = wmo323([Client(BSN_A, [Line("R1", toewijzing_nummer=4242, begin="2026-10-02",
                                       end="2026-10-09", volume=45),
                                  Line("R2", toewijzing_nummer=4242, credit=True,
                                       previous="OLD-1")]),
                   Client(BSN_C, [Line("R3", toewijzing_nummer=1001)])])
    response = upload(client, data)
    number = upload_id(response)
    with app.app_context():
        stored = db.session.get(Upload, number)
        from_file = berichten_services.line_labels(lambda: io.BytesIO(data), {1, 2})
        expected = {str(c): {"bsn": label["bsn"],
                             "prestaties": {str(n): p for n, p in label["prestaties"].items()}}
                    for c, label in from_file.items()}
        assert set(stored.labels) == {"1", "2"}  # both clients have a refused line
        assert stored.labels == expected
        first = stored.labels["1"]["prestaties"]
        assert first["1"] == {"reference": "R1", "product": "02/02A16", "begin": "2026-10-02",
                              "end": "2026-10-09", "volume": "45", "unit": "01", "cents": 45 * 150}
        assert first["2"]["cents"] == -60 * 150
    page = client.get(f"/berichten/{number}").get_data(as_text=True)
    assert "R1" in page and "2026-10-02" in page


def test_a_declaration_of_more_than_21_million_euros_is_stored_with_its_totals(client, app,
                                                                             aanbieder_a):
    """A TotaalBedrag may have twelve digits; 32-bit columns made PostgreSQL refuse this one."""
    big = 99_999_999  # the largest amount one line may have (LDT_Bedrag)
    lines = [Line(f"B{n}", toewijzing_nummer=4242, volume=1, tariff=big,
                  begin=f"2026-10-{n:02d}", end=f"2026-10-{n:02d}") for n in range(1, 23)]
    declared = declare(client, app, wmo323([Client(BSN_A, lines)]))
    assert declared.status == "ongeldig"  # every line is refused (9338), the file is processed
    number = max(upload_ids(app))
    with app.app_context():
        stored = db.session.get(Upload, number)
        assert (stored.submitted_cents, stored.granted_cents) == (22 * big, 0)
        assert stored.submitted_cents > 2**31

# -- why a line finds no toewijzing --------------------------------------------------------------

def test_unknown_toewijzing_number_says_what_was_looked_for(client, app, aanbieder_a):
    declared = declare(client, app, wmo323([Client(BSN_A, [Line("R1", toewijzing_nummer=4242)])]))
    assert declared.retourcodes("R1") == ["9338"]
    message = declared.message("R1", "TR338")
    assert "gezocht naar ToewijzingNummer 4242" in message
    assert "gemeente 0200" in message and "aanbieder 11111111" in message
    assert "product 02/02A16" in message and "2026-10-01 t/m 2026-10-31" in message
    assert declared.lines["R1"]["toewijzing_id"] is None


def test_another_aanbieders_toewijzing_is_not_found(client, app, world, apeldoorn):
    add_toewijzing(app, world.apeldoorn, world.provider_b, BSN_C, "02A16", 3001)
    as_user(client, "aanbieder_b")
    declared = declare(client, app, wmo323([Client(BSN_C, [Line("R1", toewijzing_nummer=1001)])],
                                           sender="22222222"))
    assert declared.retourcodes("R1") == ["9338"]


def test_toewijzing_of_another_client(client, app, world, aanbieder_a):
    add_toewijzing(app, world.apeldoorn, world.provider_a, BSN_C, "02A16", 1002)
    declared = declare(client, app, wmo323([Client(BSN_C, [Line("R1", toewijzing_nummer=1001)])]))
    assert declared.retourcodes("R1") == ["8187"]
    assert "hoort bij een andere cliënt" in declared.message("R1", "TR304")
    assert BSN_A not in declared.message("R1", "TR304")  # masked: only the last three digits


def test_other_category_and_other_code_are_both_reported(client, app, aanbieder_a):
    declared = declare(client, app, wmo323([Client(BSN_A, [
        Line("R1", category="07", code="02A16"),
        Line("R2", code="02A19", begin="2026-10-01", end="2026-10-10")])]))
    assert "9339" in declared.retourcodes("R1")
    assert "TR339" in declared.codes("R1")
    assert "9340" in declared.retourcodes("R2")
    assert "is voor productcode 02A16; deze prestatie declareert 02A19" in \
        declared.message("R2", "TR340")


def test_period_before_the_start_and_after_the_end_of_the_toewijzing(client, app, world,
                                                                     aanbieder_a):
    change_toewijzing(app, world.toewijzing_a, ingangsdatum=date(2026, 10, 10),
                      einddatum=date(2026, 10, 20))
    declared = declare(client, app, wmo323([Client(BSN_A, [Line("R1")])]))
    assert declared.retourcodes("R1") == ["9307", "9308"]
    assert "vóór de ingangsdatum" in declared.message("R1", "TR307")
    assert "na de einddatum" in declared.message("R1", "TR308")


def test_removed_toewijzing_is_refused(client, app, world, aanbieder_a):
    change_toewijzing(app, world.toewijzing_a, status="verwijderd")
    declared = declare(client, app, wmo323([Client(BSN_A, [Line("R1")])]))
    assert declared.retourcodes("R1") == ["9384"]


# -- whole or nothing ----------------------------------------------------------------------------

def test_a_declaration_refused_whole_stores_no_lines(client, app, aanbieder_a):
    declared = declare(client, app, wmo323([Client(BSN_A, [Line("R1")])], total=1))  # TR358
    assert declared.answered("/a:Bericht/a:Header/a:RetourCodes/a:RetourCode/text()") == ["0001"]
    assert declared.lines == {}
    declare(client, app, wmo323([Client(BSN_A, [Line("R2")])], identificatie="D0002"))
    again = declare(client, app, wmo323([Client(BSN_A, [Line("R3")])], identificatie="D0003"))
    assert again.answered("//a:DeclaratieAntwoord/a:RetourCodes/a:RetourCode/text()") == ["9333"]
    assert again.lines == {}  # TR333: the DeclaratieNummer was used: nothing assessed


def test_lines_and_answer_are_written_together_or_not_at_all(client, app, aanbieder_a,
                                                             monkeypatch):
    def fail_after_the_lines(*_args, **_kwargs):
        raise berichten_services._Refused("geweigerd", "Verwerking mislukt (test).")

    monkeypatch.setattr(berichten_services, "_labels", fail_after_the_lines)
    declared = declare(client, app, wmo323([Client(BSN_A, [Line("R1")])]))
    assert declared.status == "geweigerd"
    assert declared.answer is None and declared.lines == {}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeclarationLine)) == 0


# -- a fixed number of queries per file ----------------------------------------------------------

def _statements_for(app, world, lines: int, month: str) -> int:
    identificatie = f"Q{lines}"
    data = wmo323([Client(BSN_A, [
        Line(f"{identificatie}-{day}", begin=f"{month}-{day:02d}", end=f"{month}-{day:02d}",
             volume=30) for day in range(1, lines + 1)])],
        identificatie=identificatie, nummer=identificatie, month=month, last_day="30")
    with app.app_context():
        user = db.session.get(User, world.users["aanbieder_a"])
        with counting_statements(db.engine) as counted:
            result = receive(registry(), user, "d.xml", data,
                             Settings(max_bytes=25 * 1024 * 1024, today=date(2026, 11, 23)))
            db.session.commit()
        assert result.status == "geldig", result.findings
        assert db.session.scalar(select(func.count()).select_from(DeclarationLine).where(
            DeclarationLine.upload_id == result.id)) == lines
    return counted.value


def test_statements_per_declaration_do_not_grow_with_its_lines(app, apeldoorn):
    three = _statements_for(app, apeldoorn, 3, "2026-09")
    thirty = _statements_for(app, apeldoorn, 30, "2026-06")
    assert three == thirty

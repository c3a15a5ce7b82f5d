"""Uploading iWmo messages in the browser: verdict per client and line, the stored original, the
WMO325 answer, duplicates, who may upload and see what, and the WMO301 import."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree
from sqlalchemy import func, select

from portal.accounts.models import Organisation
from portal.audit.models import AuditLog
from portal.berichten.models import Upload
from portal.extensions import db
from portal.iwmo.schemas import schema_for
from portal.iwmo.validate import validate_bytes
from portal.regions import registry
from portal.regions.services import set_tariff
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import create_toewijzing
from tests.conftest import csrf_token_from, login
from tests.factories import toewijzing_input
from tests.iwmo_messages import Client, Line, Product, wmo301, wmo323

BSN_1, BSN_2, BSN_3 = "999900006", "999900018", "999900031"
WMO325_NS = {"a": "http://www.istandaarden.nl/iwmo/3_2/wmo325/schema",
             "i": "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"}


def upload(client, data: bytes, filename: str = "declaratie.xml"):
    page = client.get("/berichten/aanleveren")
    assert page.status_code == 200
    return client.post("/berichten/aanleveren", data={
        "csrf_token": csrf_token_from(page.text), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data", follow_redirects=True)


def as_user(client, who: str):
    emails = {"aanbieder_a": "a@aanbieder.test", "aanbieder_b": "b@aanbieder.test",
              "apeldoorn": "apeldoorn@gemeente.test", "geldrop": "geldrop@gemeente.test",
              "beheer": "beheer@portal.test"}
    login(client, emails[who])
    return client


def upload_id(response) -> int:
    return int(re.search(r"/berichten/(\d+)/origineel", response.text).group(1))


@pytest.fixture
def declarable(app, world):
    """What the good declarations below declare on: besides toewijzing 1001 of `world`, 1002 (the
    same client) and 1003 (a second client) of aanbieder A at Apeldoorn for 02A16, and a tariff of
    € 90,00 per uur for 02A16, so 60 minutes at ProductTarief 150 cent is € 90,00 (TR418)."""
    with app.app_context():
        regions = registry()
        apeldoorn = db.session.get(Organisation, world.apeldoorn)
        provider = db.session.get(Organisation, world.provider_a)
        for nummer, bsn in ((1002, BSN_1), (1003, BSN_3)):
            create_toewijzing(regions, toewijzing_input(apeldoorn, provider, bsn, "02A16", nummer))
        set_tariff("midden_ijssel", regions.product("midden_ijssel", "02A16"), Decimal("90.00"),
                   "04", None, date(2026, 1, 1), None, None)
        db.session.commit()
    return world


def good_declaration(**changes) -> bytes:
    return wmo323([Client(BSN_1, [Line("R1", toewijzing_nummer=1001),
                                  Line("R2", toewijzing_nummer=1002)]),
                   Client(BSN_3, [Line("R3", toewijzing_nummer=1003)])], **changes)


def answer_of(client, response) -> etree._Element:
    answer = client.get(f"/berichten/{upload_id(response)}/antwoord")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment")
    root = etree.fromstring(answer.data)
    schema = schema_for("WMO325")
    assert schema.validate(root), schema.error_log
    # The answer also passes the portal's own rules for a 325 (TR137, CS325, ...).
    report = validate_bytes(answer.data, "antwoord.xml")
    assert report.valid, [f.text() for f in report.errors]
    return root


def codes_at(root, path: str) -> list[str]:
    return [str(value) for value in root.xpath(path, namespaces=WMO325_NS)]


# -- a declaration ---------------------------------------------------------------------------------

def test_valid_declaration_is_accepted_and_answered_fully_granted(client, declarable):
    as_user(client, "aanbieder_a")
    response = upload(client, good_declaration())
    assert response.status_code == 200
    assert "Geldig." in response.text
    assert "geen fouten" in response.text
    assert "3 prestatie(s), waarvan 0 afgewezen" in response.text
    assert "€ 270,00" in response.text  # ingediend and toegekend

    root = answer_of(client, response)
    assert codes_at(root, "/a:Bericht/a:Header/a:RetourCodes/a:RetourCode/text()") == ["0200"]
    assert codes_at(root, "//a:DeclaratieAntwoord/a:RetourCodes/a:RetourCode/text()") == ["8001"]
    assert codes_at(root, "//a:TotaalToegekendBedrag/i:TotaalBedrag/text()") == ["27000"]
    assert not root.xpath("//a:Clienten", namespaces=WMO325_NS)
    # Sender and receiver swapped; the declaration's identification answered (TR337).
    assert codes_at(root, "//a:Header/a:Afzender/text()") == ["0200"]
    assert codes_at(root, "//a:Header/a:Ontvanger/text()") == ["11111111"]
    assert codes_at(root, "//a:DeclaratieIdentificatie/i:Identificatie/text()") == ["D0001"]


def test_refused_line_is_shown_per_client_and_prestatie_and_echoed_in_the_answer(client, declarable):
    as_user(client, "aanbieder_a")
    data = wmo323([Client(BSN_1, [Line("R1", toewijzing_nummer=1001),
                                  Line("R2", toewijzing_nummer=1002, amount=9100)]),
                   Client(BSN_3, [Line("R3", toewijzing_nummer=1003)])])
    response = upload(client, data)
    assert "Ongeldig." in response.text
    page = response.text
    assert "Cliënt 1 · BSN 999900006" in page
    assert "Prestatie 2 · R2 · product 02/02A16" in page
    assert "TR346" in page and "retourcode 9346" in page
    line = next(n for n, text in enumerate(data.decode().splitlines(), 1) if "<iwmo:Bedrag>9100" in text)
    assert f"regel {line}" in page
    assert "Cliënt 2" not in page  # no findings there

    root = answer_of(client, response)
    echoed = root.xpath("//a:Client", namespaces=WMO325_NS)
    assert len(echoed) == 1
    assert codes_at(root, "//a:Client/a:Bsn/text()") == [BSN_1]
    assert codes_at(root, "//a:Prestatie/a:ProductReferentie/i:ReferentieNummer/text()") == ["R2"]
    assert codes_at(root, "//a:Prestatie/a:RetourCodes/a:RetourCode/text()") == ["9346"]
    assert codes_at(root, "//a:Client/a:RetourCodes/a:RetourCode/text()") == ["0200"]
    assert codes_at(root, "//a:DeclaratieAntwoord/a:RetourCodes/a:RetourCode/text()") == ["0200"]
    # Granted: the two good lines (2 × € 90,00); the echoed line keeps its own amount (TR342).
    assert codes_at(root, "//a:TotaalToegekendBedrag/i:TotaalBedrag/text()") == ["18000"]
    assert codes_at(root, "//a:Prestatie/a:IngediendBedrag/i:Bedrag/text()") == ["9100"]


def test_a_technical_error_gets_an_answer_with_the_header_only(client, world):
    as_user(client, "aanbieder_a")
    response = upload(client, good_declaration(total=1))  # TR358: the total is not the sum
    assert "TR358" in response.text
    assert "als geheel afgewezen" in response.text and "0 prestatie(s)" not in response.text
    root = answer_of(client, response)
    assert codes_at(root, "/a:Bericht/a:Header/a:RetourCodes/a:RetourCode/text()") == ["0001"]
    assert not root.xpath("//a:DeclaratieAntwoord", namespaces=WMO325_NS)


def test_schema_invalid_declaration_gets_dutch_errors_and_no_answer(client, world):
    as_user(client, "aanbieder_a")
    data = good_declaration().replace(b"<wmo323:Eenheid>01</wmo323:Eenheid>",
                                      b"<wmo323:Eenheid>99</wmo323:Eenheid>", 1)
    response = upload(client, data)
    assert "Ongeldig." in response.text
    assert "XSD" in response.text
    assert "99" in response.text and "regel " in response.text
    assert "WMO325 downloaden" not in response.text
    assert client.get(f"/berichten/{upload_id(response)}/antwoord").status_code == 404


def test_hostile_file_is_refused_with_a_message_and_kept(client, world):
    as_user(client, "aanbieder_a")
    data = (b'<?xml version="1.0"?>\r\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"\r\n<x>&e;</x>\r\n")
    response = upload(client, data, "boos.xml")
    assert response.status_code == 200
    assert "DOCTYPE" in response.text
    assert "root:" not in response.text
    assert "Traceback" not in response.text


def test_original_bytes_are_stored_unchanged_and_downloadable(client, app, world):
    as_user(client, "aanbieder_a")
    data = good_declaration()
    response = upload(client, data, "oktober.xml")
    number = upload_id(response)
    assert hashlib.sha256(data).hexdigest() in response.text
    original = client.get(f"/berichten/{number}/origineel")
    assert original.data == data
    assert 'filename="oktober.xml"' in original.headers["Content-Disposition"]
    with app.app_context():
        stored = db.session.get(Upload, number)
        assert stored.size == len(data)
        assert stored.uploaded_by.email == "a@aanbieder.test"
        assert stored.uploaded_at is not None


def test_downloads_of_an_upload_and_its_answer_are_in_the_audit_log(client, app, declarable):
    """A declaration names clients by BSN: who took a copy of which file is recorded."""
    as_user(client, "aanbieder_a")
    number = upload_id(upload(client, good_declaration()))
    assert client.get(f"/berichten/{number}/origineel").status_code == 200
    assert client.get(f"/berichten/{number}/antwoord").status_code == 200
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "download")
                                  .order_by(AuditLog.id)).all()
        assert [(r.actor, r.object_type, r.object_id, r.detail) for r in rows] == [
            ("a@aanbieder.test", "upload", str(number), '{"bestand": "origineel"}'),
            ("a@aanbieder.test", "upload", str(number), '{"bestand": "WMO325"}')]


def test_same_message_twice_is_refused_as_duplicate(client, app, declarable):
    as_user(client, "aanbieder_a")
    first = upload(client, good_declaration())
    assert "Geldig." in first.text
    # Other bytes (another DeclaratieNummer) but the same identification of the same sender.
    second = upload(client, good_declaration(nummer="DEC0002"))
    assert "Dubbel (geweigerd)" in second.text
    assert "al eerder ontvangen" in second.text
    assert "WMO325 downloaden" not in second.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Upload)) == 2  # both kept


def test_declaratie_nummer_used_before_refuses_the_declaration(client, declarable):
    as_user(client, "aanbieder_a")
    upload(client, good_declaration())
    response = upload(client, good_declaration(identificatie="D0002"))
    assert "TR333" in response.text
    root = answer_of(client, response)
    assert codes_at(root, "//a:DeclaratieAntwoord/a:RetourCodes/a:RetourCode/text()") == ["9333"]
    assert codes_at(root, "//a:TotaalToegekendBedrag/i:TotaalBedrag/text()") == ["0"]


def test_unknown_product_gets_the_regions_hint(client, world):
    as_user(client, "aanbieder_a")
    data = wmo323([Client(BSN_1, [Line("R1", code="02A1G")])])
    response = upload(client, data)
    assert "S329" in response.text
    assert "Bedoelt u 02A19?" in response.text  # the nearest known code


def test_provider_cannot_hand_in_another_providers_message(client, app, world):
    as_user(client, "aanbieder_b")
    response = upload(client, good_declaration())  # Afzender 11111111 is aanbieder A
    assert "Geweigerd." in response.text
    assert "niet door uw organisatie" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Upload)) == 1


def test_declaration_to_a_gemeente_outside_the_portal_is_refused(client, world):
    as_user(client, "aanbieder_a")
    response = upload(client, good_declaration(receiver="0363"))
    assert "Geweigerd." in response.text
    assert "0363" in response.text and "niet aangesloten" in response.text


def test_lists_show_uploads_to_sender_and_receiving_gemeente_only(client, declarable):
    as_user(client, "aanbieder_a")
    number = upload_id(upload(client, good_declaration(), "voor-apeldoorn.xml"))
    assert "voor-apeldoorn.xml" in client.get("/berichten/").text
    client.post("/uitloggen", data={"csrf_token": csrf_token_from(client.get("/").text)})

    as_user(client, "apeldoorn")
    listing = client.get("/berichten/").text
    assert "voor-apeldoorn.xml" in listing and "Geldig" in listing
    assert client.get(f"/berichten/{number}/antwoord").status_code == 200
    client.post("/uitloggen", data={"csrf_token": csrf_token_from(client.get("/").text)})

    for other in ("geldrop", "aanbieder_b"):
        as_user(client, other)
        assert "voor-apeldoorn.xml" not in client.get("/berichten/").text
        assert client.get(f"/berichten/{number}").status_code == 404
        assert client.get(f"/berichten/{number}/origineel").status_code == 404
        client.post("/uitloggen", data={"csrf_token": csrf_token_from(client.get("/").text)})


def test_upload_without_csrf_token_is_refused(client, app, world):
    as_user(client, "aanbieder_a")
    response = client.post("/berichten/aanleveren", data={
        "file": (io.BytesIO(good_declaration()), "d.xml")}, content_type="multipart/form-data")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Upload)) == 0


def test_upload_without_a_file_says_so(client, world):
    as_user(client, "aanbieder_a")
    page = client.get("/berichten/aanleveren")
    response = client.post("/berichten/aanleveren",
                           data={"csrf_token": csrf_token_from(page.text)},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Kies een bestand om aan te leveren." in response.text


# -- a ZIP of messages -----------------------------------------------------------------------------

def zipped(entries: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_of_declarations_gives_each_message_its_verdict(client, app, declarable):
    as_user(client, "aanbieder_a")
    data = zipped({"oktober.xml": good_declaration(),
                   "november.xml": good_declaration(identificatie="D0003", nummer="DEC0003",
                                                    total=5)})
    response = upload(client, data, "berichten.zip")
    assert "ZIP-bestand met 2 bericht(en), waarvan 1 zonder fouten." in response.text
    assert "oktober.xml" in response.text and "november.xml" in response.text
    with app.app_context():
        entries = db.session.scalars(select(Upload).where(Upload.archive_id.is_not(None))
                                     .order_by(Upload.id)).all()
        assert [(e.filename, e.status) for e in entries] == [("oktober.xml", "geldig"),
                                                             ("november.xml", "ongeldig")]
        assert entries[0].answer_identificatie is not None


def test_zip_with_a_folder_is_refused_whole(client, app, world):
    as_user(client, "aanbieder_a")
    response = upload(client, zipped({"../oktober.xml": good_declaration()}), "berichten.zip")
    assert "Geweigerd." in response.text
    assert "map of pad" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Upload)) == 1  # the ZIP itself


# -- toewijzingen from a WMO301 --------------------------------------------------------------------

def count_toewijzingen(app, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(Toewijzing)
        for name, value in where.items():
            query = query.where(getattr(Toewijzing, name) == value)
        return db.session.scalar(query)


def test_gemeente_imports_toewijzingen_and_a_later_301_updates_them(client, app, world):
    as_user(client, "apeldoorn")
    response = upload(client, wmo301([Product(501), Product(502, code="02A22")]), "t.xml")
    assert "Toewijzingen ingelezen: 2 nieuw, 0 gewijzigd, 0 ongewijzigd." in response.text
    assert count_toewijzingen(app, gemeente_id=world.apeldoorn) == 3
    with app.app_context():
        created = db.session.scalar(select(Toewijzing).where(Toewijzing.toewijzing_nummer == 501))
        assert (created.product_code, created.volume, created.eenheid) == ("02A16", 40, "04")
        assert created.client.achternaam == "Bakker"
        assert created.message is not None and created.message.identificatie == "T0001"

    # A new message: 501 ends earlier, 502 is removed (RedenWijziging 13).
    later = wmo301([Product(501, end="2026-06-30"),
                    Product(502, code="02A22", end="2026-01-01", reden_wijziging="13")], identificatie="T0002")
    response = upload(client, later, "t2.xml")
    assert "0 nieuw, 2 gewijzigd" in response.text
    assert count_toewijzingen(app, gemeente_id=world.apeldoorn) == 3
    with app.app_context():
        rows = {t.toewijzing_nummer: t for t in db.session.scalars(
            select(Toewijzing).where(Toewijzing.toewijzing_nummer.in_([501, 502])))}
        assert str(rows[501].einddatum) == "2026-06-30"
        assert rows[502].status == "verwijderd"

    # The same content once more, as a new message: nothing changes.
    response = upload(client, wmo301([Product(501, end="2026-06-30"),
                                      Product(502, code="02A22", end="2026-01-01", reden_wijziging="13")],
                                     identificatie="T0003"), "t3.xml")
    assert "0 nieuw, 0 gewijzigd, 2 ongewijzigd" in response.text


def test_301_with_one_bad_product_imports_nothing(client, app, world):
    as_user(client, "apeldoorn")
    response = upload(client, wmo301([Product(601), Product(602, code="02X99")]))
    assert "Geweigerd." in response.text
    assert "ToewijzingNummer 602" in response.text and "02X99" in response.text
    assert count_toewijzingen(app, toewijzing_nummer=601) == 0
    # The message was not processed, so it can be sent again once corrected.
    response = upload(client, wmo301([Product(601)]))
    assert "1 nieuw" in response.text


def test_301_of_another_gemeente_is_refused(client, app, world):
    as_user(client, "geldrop")
    response = upload(client, wmo301([Product(701)]))  # Afzender 0200 is Apeldoorn
    assert "Geweigerd." in response.text
    assert count_toewijzingen(app, toewijzing_nummer=701) == 0


def test_provider_cannot_upload_a_toewijzing(client, app, world):
    as_user(client, "aanbieder_a")
    response = upload(client, wmo301([Product(801)]))
    assert "Geweigerd." in response.text
    assert "door een gemeente verstuurd" in response.text
    assert count_toewijzingen(app, toewijzing_nummer=801) == 0


def test_beheer_may_import_for_a_gemeente(client, app, world):
    as_user(client, "beheer")
    response = upload(client, wmo301([Product(901)]))
    assert "1 nieuw" in response.text
    assert count_toewijzingen(app, toewijzing_nummer=901) == 1


@pytest.mark.parametrize("who", ["aanbieder_a", "apeldoorn", "beheer"])
def test_upload_page_is_offered_to_every_role(client, world, who):
    as_user(client, who)
    assert "Berichten" in client.get("/").text
    assert client.get("/berichten/aanleveren").status_code == 200


def test_findings_of_many_clients_are_shown_a_page_at_a_time(client, declarable):
    """A declaration refused for 60 clients (toewijzingen the gemeente never gave) shows 50
    clients on the first page of its result and the other 10 on the second."""
    from itertools import islice

    from portal.demo.data import demo_bsns

    as_user(client, "aanbieder_a")
    bsns = list(islice(demo_bsns(), 300, 360))
    response = upload(client, wmo323([Client(bsn, [Line(f"P{n}", toewijzing_nummer=9000 + n)])
                                      for n, bsn in enumerate(bsns)]))
    first = response.text
    shown = re.findall(r"<h3>Cliënt (\d+) ·", first)
    assert shown == [str(n) for n in range(1, 51)]
    assert "60 cliënten met bevindingen, pagina 1 van 2" in first
    second = client.get(f"/berichten/{upload_id(response)}?pagina=2").text
    assert re.findall(r"<h3>Cliënt (\d+) ·", second) == [str(n) for n in range(51, 61)]
    assert f"BSN {bsns[-1]}" in second and f"BSN {bsns[-1]}" not in first

"""The delivery registration's screens through the browser (Flask test client): the aanbieder adds,
corrects and deletes entries of its own toewijzingen (audit-logged), imports a CSV all or nothing,
the gemeente sets the fields only it decides, the hours report; another tenant gets 404."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from portal.audit.models import AuditLog
from portal.declaraties.models import DeliveryEntry
from portal.extensions import db
from portal.toewijzingen.models import Toewijzing
from tests.conftest import csrf_token_from, submit
from tests.test_berichten_upload import as_user
from tests.test_declaraties_registration_rules import present, register


def page_of(world) -> str:
    return f"/declaraties/toewijzingen/{world.toewijzing_a}/registratie"


def entries(app) -> list[tuple]:
    with app.app_context():
        return [(e.day.isoformat(), e.kind, e.attendance, e.activity, e.minutes)
                for e in db.session.scalars(select(DeliveryEntry).order_by(DeliveryEntry.id))]


def entry_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(DeliveryEntry.id).order_by(DeliveryEntry.id)))


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditLog.action).where(
            AuditLog.object_type == "delivery_entry").order_by(AuditLog.id)))


TIME_ENTRY = {"day": "2026-10-05", "kind": "tijd", "attendance": "", "activity": "direct",
              "minutes": "45", "start_time": "", "end_time": ""}


def test_the_aanbieder_adds_corrects_and_deletes_an_entry(client, app, world):
    as_user(client, "aanbieder_a")
    page = client.get(page_of(world))
    assert page.status_code == 200
    assert "De portal controleert alleen wat geregistreerd is" in page.text
    added = submit(client, page_of(world), TIME_ENTRY, follow_redirects=True)
    assert added.status_code == 200
    assert "Geregistreerd: 05-10-2026, 45 min direct." in added.text
    assert entries(app) == [("2026-10-05", "tijd", None, "direct", 45)]

    (entry_id,) = entry_ids(app)
    edit_url = f"/declaraties/registratie/{entry_id}/wijzigen"
    assert 'value="45"' in client.get(edit_url).text
    changed = submit(client, edit_url, {**TIME_ENTRY, "activity": "indirect", "minutes": "",
                                        "start_time": "09:00", "end_time": "10:30"},
                     follow_redirects=True)
    assert "De registratie is gewijzigd." in changed.text
    assert entries(app) == [("2026-10-05", "tijd", None, "indirect", 90)]

    removed = submit(client, f"/declaraties/registratie/{entry_id}/verwijderen", {},
                     page=page_of(world), follow_redirects=True)
    assert "Verwijderd: 05-10-2026, 90 min indirect." in removed.text
    assert entries(app) == []
    assert audit_actions(app) == ["create", "update", "delete"]


def test_bad_input_gets_a_dutch_message_and_nothing_is_stored(client, app, world):
    as_user(client, "aanbieder_a")
    response = submit(client, page_of(world), {**TIME_ENTRY, "minutes": "veel"})
    assert response.status_code == 400
    assert "Vul het aantal minuten in, een geheel getal van 1 tot en met 1440" in response.text
    response = submit(client, page_of(world), {**TIME_ENTRY, "day": "2027-01-04"})
    assert response.status_code == 400
    assert "ligt in de toekomst" in response.text or "valt buiten de toewijzing" in response.text
    response = submit(client, page_of(world), {**TIME_ENTRY, "kind": "aanwezigheid",
                                               "attendance": "", "activity": "",
                                               "minutes": "", "start_time": "10:00"})
    assert response.status_code == 400
    assert "Kies aanwezig, afwezig of no-show." in response.text
    assert "Vul begin- én eindtijd in" in response.text
    assert entries(app) == []


def test_another_tenant_gets_404(client, app, world):
    register(app, world.toewijzing_a, "2026-10-05", activity="direct", minutes=30)
    (entry_id,) = entry_ids(app)
    as_user(client, "aanbieder_b")
    assert client.get(page_of(world)).status_code == 404
    assert client.get(f"/declaraties/registratie/{entry_id}/wijzigen").status_code == 404
    own_page = f"/declaraties/toewijzingen/{world.toewijzing_b}/registratie"
    token = csrf_token_from(client.get(own_page).text)
    assert client.post(f"/declaraties/registratie/{entry_id}/verwijderen",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(page_of(world), data={**TIME_ENTRY, "csrf_token": token}).status_code == 404
    assert len(entries(app)) == 1
    gemeente = as_user(app.test_client(), "geldrop")  # only its own gemeente's toewijzingen
    assert gemeente.get(page_of(world)).status_code == 404


def test_the_gemeente_reads_but_does_not_register(client, app, world):
    register(app, world.toewijzing_a, "2026-10-05", activity="reistijd", minutes=20)
    as_user(client, "apeldoorn")
    page = client.get(page_of(world))
    assert page.status_code == 200
    assert "20 min · Reistijd" in page.text and "Registreren" not in page.text
    response = client.post(page_of(world), data={**TIME_ENTRY,
                                                 "csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 403
    assert len(entries(app)) == 1


def fields_url(world) -> str:
    return f"/declaraties/toewijzingen/{world.toewijzing_b}/gegevens"


def attributes_of(app, toewijzing_id: int) -> dict:
    with app.app_context():
        return dict(db.session.get(Toewijzing, toewijzing_id).attributes or {})


def test_the_gemeente_sets_the_flexibility_of_its_toewijzing(client, app, world):
    page = f"/declaraties/toewijzingen/{world.toewijzing_b}/registratie"
    as_user(client, "aanbieder_b")
    shown = client.get(page)
    assert "Flexibiliteit van de inzet" in shown.text and "niet vastgelegd" in shown.text
    assert client.post(fields_url(world), data={  # the policy answers 404 to other roles
        "csrf_token": csrf_token_from(shown.text), "attr_flexibiliteit": "veel"}).status_code == 404

    client = as_user(app.test_client(), "geldrop")
    wrong = submit(client, fields_url(world), {"attr_flexibiliteit": "geen",
                                               "attr_vaste_uren_per_week": "twee"}, page=page)
    assert wrong.status_code == 400
    assert "moet een geheel getal zijn" in wrong.text
    assert "flexibiliteit" not in attributes_of(app, world.toewijzing_b)
    saved = submit(client, fields_url(world), {"attr_flexibiliteit": "geen",
                                               "attr_vaste_uren_per_week": "2"}, page=page,
                   follow_redirects=True)
    assert "De gegevens van de toewijzing zijn opgeslagen." in saved.text
    assert attributes_of(app, world.toewijzing_b) == {"flexibiliteit": "geen",
                                                      "vaste_uren_per_week": "2"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.object_type == "toewijzing", AuditLog.action == "update")) == 1

    client = as_user(app.test_client(), "apeldoorn")
    token = csrf_token_from(client.get("/declaraties/urenoverzicht").text)
    assert client.post(fields_url(world), data={"csrf_token": token,
                                                "attr_flexibiliteit": "veel"}).status_code == 404
    assert client.get(page).status_code == 404


# -- CSV import ----------------------------------------------------------------------------------

def import_csv(client, text: str):
    page = client.get("/declaraties/registratie/import")
    return client.post("/declaraties/registratie/import", data={
        "csrf_token": csrf_token_from(page.text),
        "bestand": (io.BytesIO(text.encode("utf-8-sig")), "registratie.csv")},
        content_type="multipart/form-data", follow_redirects=True)


HEADER = "toewijzingnummer;gemeente;datum;soort;aanwezigheid;activiteit;minuten;begintijd;eindtijd\n"


def test_a_csv_import_stores_every_row(client, app, world):
    as_user(client, "aanbieder_a")
    response = import_csv(client, HEADER + "1001;0200;05-10-2026;tijd;;direct;45;;\n"
                                           "1001;0200;2026-10-06;aanwezigheid;no-show;;;;\n")
    assert response.status_code == 200
    assert "2 registratie(s) geïmporteerd." in response.text
    assert entries(app) == [("2026-10-05", "tijd", None, "direct", 45),
                            ("2026-10-06", "aanwezigheid", "no_show", None, None)]


def test_a_csv_import_with_a_bad_row_stores_nothing(client, app, world):
    as_user(client, "aanbieder_a")
    response = import_csv(client, HEADER + "1001;0200;2026-10-05;tijd;;direct;45;;\n"
                                           "1001;0200;2026-10-06;tijd;;koffie;45;;\n"
                                           "2001;1771;2026-10-06;tijd;;direct;45;;\n")
    assert response.status_code == 400
    assert "Niets geïmporteerd" in response.text
    assert "Regel 3, activiteit: Kies direct, indirect of reistijd." in response.text
    assert "Regel 4: geen toewijzing 2001 van gemeente 1771 aan uw organisatie." in response.text
    assert entries(app) == []
    wrong_header = import_csv(client, "nummer;datum\n1001;2026-10-05\n")
    assert wrong_header.status_code == 400
    assert "Regel 1: kolom(men) toewijzingnummer, gemeente, soort ontbreken." \
        in wrong_header.text


# -- the hours report (ML-D4) --------------------------------------------------------------------

def test_hours_report_per_client_for_aanbieder_and_gemeente(client, app, world):
    register(app, world.toewijzing_a, "2026-10-05", activity="direct", minutes=90)
    register(app, world.toewijzing_a, "2026-10-06", activity="reistijd", minutes=30)
    present(app, world.toewijzing_a, "2026-10-07", "no_show")
    register(app, world.toewijzing_b, "2026-10-05", activity="direct", minutes=60)
    period = "?van=2026-07-01&tot=2026-12-31"

    as_user(client, "aanbieder_a")
    page = client.get("/declaraties/urenoverzicht" + period)
    assert page.status_code == 200
    assert "de Vries" in page.text and "Jansen" not in page.text
    download = client.get("/declaraties/urenoverzicht.csv" + period)
    assert download.headers["Content-Disposition"].endswith('urenoverzicht-20260701-20261231.csv"')
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["BSN", "Naam", "Toewijzingen", "Uren direct", "Uren indirect",
                       "Uren reistijd", "No-shows"]
    assert rows[1][0] == "999900006" and rows[1][2:] == ["1001", "1,50", "0,00", "0,50", "1"]
    assert len(rows) == 2

    client = as_user(app.test_client(), "geldrop")
    rows = list(csv.reader(io.StringIO(client.get("/declaraties/urenoverzicht.csv" + period)
                                       .data.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["999900018"]
    assert client.get("/declaraties/urenoverzicht?van=gisteren").status_code == 400

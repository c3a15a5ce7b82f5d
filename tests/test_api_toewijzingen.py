"""The toewijzingen API: a gemeente creates them from JSON (every check of beheer's form) or by
a WMO301; each organisation lists and reads only its own, with the region's findings and
deadlines; bad input gets a problem naming the field."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.berichten.models import Upload
from portal.extensions import db
from portal.toewijzingen.models import Toewijzing
from tests.api_support import assert_problem, bearer, tokens  # noqa: F401
from tests.factories import BSN_A, BSN_B
from tests.iwmo_messages import Client, Line, Product, wmo301, wmo323

NEW = {"aanbieder_agb": "11111111", "bsn": "999900031", "voorletters": "K.L.",
       "voorvoegsel": "van", "achternaam": "Dam", "geboortedatum": "1958-02-03",
       "toewijzing_nummer": 1002, "product": "02A22", "volume": 20, "frequentie": "6",
       "ingangsdatum": "2026-01-01", "einddatum": "2026-06-30"}


def count_toewijzingen(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Toewijzing.id)))


# -- reading -------------------------------------------------------------------------------------

def test_each_organisation_lists_only_its_own_toewijzingen(client, world, tokens):
    own = client.get("/api/v1/toewijzingen", headers=bearer(tokens["aanbieder_a"])).get_json()
    assert [t["id"] for t in own["items"]] == [world.toewijzing_a]
    assert own["total"] == 1 and own["page"] == 1 and own["pages"] == 1
    item = own["items"][0]
    assert item["client"]["bsn"] == BSN_A and item["gemeente"]["code"] == "0200"
    assert item["aanbieder"]["code"] == "11111111" and item["region"] == "midden_ijssel"
    geldrop = client.get("/api/v1/toewijzingen", headers=bearer(tokens["geldrop"])).get_json()
    assert [t["client"]["bsn"] for t in geldrop["items"]] == [BSN_B]


def test_filters_by_client_product_status_and_period(client, world, tokens):
    headers = bearer(tokens["apeldoorn"])

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/toewijzingen?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [t["id"] for t in response.get_json()["items"]]

    assert ids(f"bsn={BSN_A}") == [world.toewijzing_a]
    assert ids("bsn=999900031") == []
    assert ids("product=02A16") == [world.toewijzing_a] and ids("product=02A22") == []
    assert ids("status=actief") == [world.toewijzing_a] and ids("status=beeindigd") == []
    assert ids("period_start=2026-12-01") == [world.toewijzing_a]
    assert ids("period_start=2027-01-01") == []
    assert ids("period_end=2025-12-31") == []


def test_lists_are_paginated(app, client, world, tokens):
    headers = bearer(tokens["apeldoorn"])
    for number in (1002, 1003):
        created = client.post("/api/v1/toewijzingen", headers=headers,
                              json={**NEW, "toewijzing_nummer": number})
        assert created.status_code == 201, created.get_json()
    first = client.get("/api/v1/toewijzingen?per_page=2", headers=headers).get_json()
    second = client.get("/api/v1/toewijzingen?per_page=2&page=2", headers=headers).get_json()
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == \
        (3, 2, 2, 1)
    assert {t["id"] for t in first["items"]}.isdisjoint(t["id"] for t in second["items"])


def test_bad_list_parameters_get_a_problem_per_parameter(client, tokens):
    headers = bearer(tokens["apeldoorn"])
    body = assert_problem(client.get("/api/v1/toewijzingen?bsn=12&per_page=0&status=x",
                                     headers=headers), 422)
    named = {e["parameter"]: e["detail"] for e in body["errors"]}
    assert named["bsn"] == "Een BSN is 9 cijfers."
    assert "Per pagina" in named["per_page"] and "actief" in named["status"]
    unknown = assert_problem(client.get("/api/v1/toewijzingen?klant=1", headers=headers), 422)
    assert unknown["errors"] == [{"parameter": "klant", "detail": "Onbekend veld."}]
    assert_problem(client.get("/api/v1/toewijzingen?period_start=31-12-2026", headers=headers),
                   422, "JJJJ-MM-DD")


def test_a_toewijzing_is_read_with_the_regions_findings(client, world, tokens):
    response = client.get(f"/api/v1/toewijzingen/{world.toewijzing_a}",
                          headers=bearer(tokens["aanbieder_a"]))
    assert response.status_code == 200
    body = response.get_json()
    assert body["toewijzing_nummer"] == 1001 and body["product_code"] == "02A16"
    assert isinstance(body["findings"], list) and isinstance(body["warnings"], list)
    for finding in body["findings"]:
        assert finding["rule"] and finding["severity"] in ("error", "warning") and \
            finding["message"]


def test_another_organisations_toewijzing_answers_404(client, world, tokens):
    for who in ("aanbieder_b", "geldrop"):
        assert_problem(client.get(f"/api/v1/toewijzingen/{world.toewijzing_a}",
                                  headers=bearer(tokens[who])), 404, "geen toegang")
        assert_problem(client.get(f"/api/v1/toewijzingen/{world.toewijzing_a}/termijnen",
                                  headers=bearer(tokens[who])), 404)
    assert_problem(client.get("/api/v1/toewijzingen/99999", headers=bearer(tokens["apeldoorn"])),
                   404)


def test_no_token_no_toewijzingen(client, world):
    for url in ("/api/v1/toewijzingen", f"/api/v1/toewijzingen/{world.toewijzing_a}",
                f"/api/v1/toewijzingen/{world.toewijzing_a}/termijnen"):
        assert_problem(client.get(url), 401)
    assert_problem(client.post("/api/v1/toewijzingen", json=NEW), 401)


def test_deadlines_of_a_toewijzing_are_the_regions(app, client, world, tokens):
    from portal.regions import registry
    from portal.toewijzingen.services import facts_of

    with app.app_context():
        toewijzing = db.session.get(Toewijzing, world.toewijzing_a)
        expected = [(d.kind, d.due.isoformat(), d.rule) for d in registry().deadlines(
            "midden_ijssel", facts_of(toewijzing, with_others=False))]
    response = client.get(f"/api/v1/toewijzingen/{world.toewijzing_a}/termijnen",
                          headers=bearer(tokens["apeldoorn"]))
    assert response.status_code == 200
    got = [(d["kind"], d["due"], d["id"]) for d in response.get_json()["deadlines"]]
    assert got == expected and got  # midden_ijssel sets deadlines for 02A16
    assert all(d["rule"] and d["source"] for d in response.get_json()["deadlines"])


# -- creating ------------------------------------------------------------------------------------

def test_a_gemeente_creates_a_toewijzing_from_json(app, client, world, tokens):
    response = client.post("/api/v1/toewijzingen", json=NEW, headers=bearer(tokens["apeldoorn"]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["toewijzing_nummer"] == 1002 and body["gemeente"]["code"] == "0200"
    assert body["client"]["achternaam"] == "Dam" and body["eenheid"]  # unit from the catalogue
    assert response.headers["Location"].endswith(f"/api/v1/toewijzingen/{body['id']}")
    # The aanbieder sees it at once.
    mine = client.get(response.headers["Location"], headers=bearer(tokens["aanbieder_a"]))
    assert mine.status_code == 200


def test_an_aanbieder_cannot_create_toewijzingen(client, tokens):
    assert_problem(client.post("/api/v1/toewijzingen", json=NEW,
                               headers=bearer(tokens["aanbieder_a"])), 403)


def test_missing_wrong_and_unknown_fields_are_named(app, client, tokens):
    body = {key: value for key, value in NEW.items() if key != "volume"}
    body.update(frequentie="9", geboortedatum="3-2-1958", kleur="blauw")
    problem = assert_problem(client.post("/api/v1/toewijzingen", json=body,
                                         headers=bearer(tokens["apeldoorn"])), 422)
    named = {e["pointer"]: e["detail"] for e in problem["errors"]}
    assert named["#/volume"] == "Dit veld is verplicht."
    assert "WMO757" in named["#/frequentie"]
    assert "JJJJ-MM-DD" in named["#/geboortedatum"]
    assert named["#/kleur"] == "Onbekend veld."
    assert count_toewijzingen(app) == 2


def test_a_nul_character_is_refused_in_bodies_and_filters(app, client, tokens):
    headers = bearer(tokens["apeldoorn"])
    problem = assert_problem(client.post("/api/v1/toewijzingen", headers=headers, json={
        **NEW, "achternaam": "Dam\x00"}), 422, "NUL")
    assert problem["errors"][0]["pointer"] == "#/achternaam"
    assert_problem(client.get("/api/v1/toewijzingen?product=%00", headers=headers), 422, "NUL")
    assert count_toewijzingen(app) == 2


def test_the_services_checks_come_back_per_field(app, client, world, tokens):
    headers = bearer(tokens["apeldoorn"])
    duplicate = assert_problem(client.post("/api/v1/toewijzingen", headers=headers, json={
        **NEW, "toewijzing_nummer": 1001}), 422, "bestaat al")
    assert duplicate["errors"][0]["pointer"] == "#/toewijzing_nummer"
    unknown = assert_problem(client.post("/api/v1/toewijzingen", headers=headers, json={
        **NEW, "aanbieder_agb": "99999999", "product": "XXXXX"}), 422)
    pointers = {e["pointer"] for e in unknown["errors"]}
    assert {"#/aanbieder_agb", "#/product"} <= pointers
    # Another gemeente's client: the BSN belongs to Geldrop-Mierlo.
    assert_problem(client.post("/api/v1/toewijzingen", headers=headers, json={
        **NEW, "bsn": BSN_B}), 422, "Geldrop")
    assert count_toewijzingen(app) == 2


def test_malformed_json_wrong_type_and_too_large_bodies(client, tokens):
    headers = bearer(tokens["apeldoorn"])
    assert_problem(client.post("/api/v1/toewijzingen", data=b'{"bsn": ', headers={
        **headers, "Content-Type": "application/json"}), 400, "geen geldige JSON")
    assert_problem(client.post("/api/v1/toewijzingen", data=b"bsn=1", headers={
        **headers, "Content-Type": "application/x-www-form-urlencoded"}), 415, "application/json")
    assert_problem(client.post("/api/v1/toewijzingen", json={"achternaam": "x" * 1_100_000},
                               headers=headers), 413, "1 MB")
    assert_problem(client.post("/api/v1/toewijzingen", json=[1, 2], headers=headers), 422)


def test_a_retry_with_the_same_idempotency_key_is_not_stored_twice(app, client, tokens):
    headers = bearer(tokens["apeldoorn"], **{"Idempotency-Key": "toewijzing-1002"})
    first = client.post("/api/v1/toewijzingen", json=NEW, headers=headers)
    again = client.post("/api/v1/toewijzingen", json=NEW, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert count_toewijzingen(app) == 3
    other = client.post("/api/v1/toewijzingen", json={**NEW, "toewijzing_nummer": 1003},
                        headers=headers)
    assert_problem(other, 422, "al gebruikt voor een ander verzoek")
    assert count_toewijzingen(app) == 3
    # The key is the token's own: another token may use the same key.
    assert client.post("/api/v1/toewijzingen", json={**NEW, "bsn": "999900043",
                                                      "toewijzing_nummer": 1004},
                       headers=bearer(tokens["apeldoorn"])).status_code == 201


def test_a_failed_request_does_not_use_up_its_idempotency_key(app, client, tokens):
    headers = bearer(tokens["apeldoorn"], **{"Idempotency-Key": "k1"})
    assert client.post("/api/v1/toewijzingen", json={**NEW, "product": "XXXXX"},
                       headers=headers).status_code == 422
    assert client.post("/api/v1/toewijzingen", json=NEW, headers=headers).status_code == 201


# -- WMO301 ----------------------------------------------------------------------------------------

def test_a_gemeente_imports_a_wmo301(app, client, world, tokens):
    data = wmo301([Product(3001)], bsn="999900043")
    response = client.post("/api/v1/toewijzingen/wmo301", data=data,
                           headers=bearer(tokens["apeldoorn"], **{"Content-Type": "application/xml"}))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["message_type"] == "WMO301" and body["status"] == "geldig", body
    assert [(i["toewijzing_nummer"], i["action"]) for i in body["imported"]] == [(3001, "nieuw")]
    listed = client.get("/api/v1/toewijzingen?bsn=999900043",
                        headers=bearer(tokens["aanbieder_a"])).get_json()
    assert [t["toewijzing_nummer"] for t in listed["items"]] == [3001]
    location = response.headers["Location"]
    assert location.endswith(f"/api/v1/berichten/{body['id']}")
    read = client.get(location, headers=bearer(tokens["apeldoorn"])).get_json()
    assert read["imported"] == body["imported"] and read["status"] == body["status"]
    assert client.get(location, headers=bearer(tokens["aanbieder_a"])).status_code == 200
    for who in ("geldrop", "aanbieder_b"):
        assert_problem(client.get(location, headers=bearer(tokens[who])), 404)
    assert_problem(client.get(location), 401)
    assert_problem(client.post(f"{location}/verwerken", headers=bearer(tokens["apeldoorn"])),
                   409, "al verwerkt")


def test_a_wmo301_of_another_gemeente_is_refused_and_kept(client, world, tokens):
    data = wmo301([Product(3003)], bsn="999900043")  # Afzender 0200: Apeldoorn's message
    response = client.post("/api/v1/toewijzingen/wmo301", data=data,
                           headers=bearer(tokens["geldrop"], **{"Content-Type": "application/xml"}))
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "geweigerd" and body["imported"] == []
    assert "niet door uw organisatie" in body["summary"]


def test_a_wmo301_as_multipart_and_refusals(app, client, world, tokens):
    from io import BytesIO

    data = wmo301([Product(3002)], bsn="999900043")
    assert_problem(client.post("/api/v1/toewijzingen/wmo301", data=data, headers=bearer(
        tokens["aanbieder_a"], **{"Content-Type": "application/xml"})), 403)
    declaration = wmo323([Client(BSN_A, [Line("R1")])])
    assert_problem(client.post("/api/v1/toewijzingen/wmo301", data=declaration, headers=bearer(
        tokens["apeldoorn"], **{"Content-Type": "application/xml"})), 422,
        "POST /api/v1/declaraties")
    with app.app_context():
        assert db.session.scalar(select(func.count(Upload.id))) == 0  # refused before storing
    response = client.post("/api/v1/toewijzingen/wmo301", headers=bearer(tokens["apeldoorn"]),
                           data={"bestand": (BytesIO(data), "toewijzing.xml")},
                           content_type="multipart/form-data")
    assert response.status_code == 201 and response.get_json()["filename"] == "toewijzing.xml"
    assert_problem(client.post("/api/v1/toewijzingen/wmo301", headers=bearer(tokens["apeldoorn"]),
                               data={"ander": (BytesIO(data), "x.xml")},
                               content_type="multipart/form-data"), 422, "bestand")


def test_a_unique_row_written_at_the_same_moment_is_a_409_or_the_twins_answer(
        app, client, tokens, monkeypatch):
    """Two requests that both pass the service's check for an existing toewijzingnummer: the
    database refuses the later one. Without a key that is a 409; with the key its twin used, the
    twin's kept answer."""
    from sqlalchemy.exc import IntegrityError

    import portal.api.toewijzingen as api_toewijzingen

    headers = bearer(tokens["apeldoorn"], **{"Idempotency-Key": "tweeling"})
    twin = client.post("/api/v1/toewijzingen", json=NEW, headers=headers)
    assert twin.status_code == 201

    def refused_by_the_database(*_args, **_kwargs):
        raise IntegrityError("INSERT INTO toewijzing ...", {}, Exception("duplicate key"))

    monkeypatch.setattr(api_toewijzingen, "create_toewijzing", refused_by_the_database)
    assert_problem(client.post("/api/v1/toewijzingen", json={**NEW, "toewijzing_nummer": 1005},
                               headers=bearer(tokens["apeldoorn"])), 409, "tegelijk")
    with app.app_context():
        from portal.api.models import IdempotencyKey

        kept = db.session.scalar(select(IdempotencyKey))
        db.session.delete(kept)  # as if the twin's answer were not yet visible to the check
        db.session.commit()
    late = client.post("/api/v1/toewijzingen", json=NEW, headers=headers)
    assert_problem(late, 409, "tegelijk")
    assert count_toewijzingen(app) == 3

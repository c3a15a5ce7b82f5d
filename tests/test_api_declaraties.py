"""The declarations API: an aanbieder hands in a WMO323 (raw XML or multipart) and reads the
outcome per prestatie (code, severity, Dutch message, line), downloads the WMO325, and lists its
declarations by month and status; a gemeente reads those addressed to it; nobody else sees them."""

from __future__ import annotations

from io import BytesIO

from lxml import etree
from sqlalchemy import func, select

from portal.berichten.models import Upload
from portal.declaraties.models import DeclarationLine
from portal.extensions import db
from tests.api_support import assert_problem, bearer, tokens  # noqa: F401
from tests.factories import BSN_A
from tests.iwmo_messages import Client, Line, Product, wmo301, wmo323
from tests.test_declaraties_matching import set_region_tariff

XML = {"Content-Type": "application/xml"}
OCTOBER = wmo323([Client(BSN_A, [
    Line("R1", end="2026-10-15"),
    Line("R2", begin="2026-10-16", volume=30, tariff=160)])])  # a wrong tariff: refused 0611


def hand_in(client, token: str, data: bytes = OCTOBER, **headers):
    return client.post("/api/v1/declaraties", data=data, headers=bearer(token, **XML, **headers))


def uploads(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Upload.id)))


def test_an_aanbieder_hands_in_a_wmo323_and_reads_the_outcome_per_prestatie(app, client, world,
                                                                             tokens):
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    response = hand_in(client, tokens["aanbieder_a"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["message_type"] == "WMO323" and body["answer_identificatie"]
    assert (body["line_count"], body["refused_count"]) == (2, 1)
    assert body["submitted_cents"] == 9000 + 4800 and body["granted_cents"] == 9000
    location = response.headers["Location"]
    assert client.get(location, headers=bearer(tokens["aanbieder_a"])).get_json() == body

    lines = client.get(f"{location}/prestaties", headers=bearer(tokens["aanbieder_a"])).get_json()
    by_reference = {line["reference"]: line for line in lines["items"]}
    assert by_reference["R1"]["outcome"] == "toegekend" and by_reference["R1"]["retourcodes"] == []
    refused = by_reference["R2"]
    assert refused["outcome"] == "afgewezen" and refused["retourcodes"] == ["0611"]
    assert refused["line"] and refused["toewijzing_id"] == world.toewijzing_a
    finding = next(f for f in refused["findings"] if f["retourcode"] == "0611")
    assert finding["severity"] == "error" and finding["code"] and "tarief" in \
        finding["message"].lower()
    only_refused = client.get(f"{location}/prestaties?outcome=afgewezen",
                              headers=bearer(tokens["aanbieder_a"])).get_json()
    assert [line["reference"] for line in only_refused["items"]] == ["R2"]

    answer = client.get(f"{location}/wmo325", headers=bearer(tokens["aanbieder_a"]))
    assert answer.status_code == 200 and answer.mimetype == "application/xml"
    root = etree.fromstring(answer.data)
    assert etree.QName(root).namespace.endswith("/wmo325/schema")


def test_the_gemeente_reads_declarations_addressed_to_it_and_others_get_404(app, client, world,
                                                                            tokens):
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    location = hand_in(client, tokens["aanbieder_a"]).headers["Location"]
    assert client.get(location, headers=bearer(tokens["apeldoorn"])).status_code == 200
    assert client.get(f"{location}/wmo325", headers=bearer(tokens["apeldoorn"])).status_code == 200
    for who in ("aanbieder_b", "geldrop"):
        for suffix in ("", "/prestaties", "/wmo325"):
            assert_problem(client.get(location + suffix, headers=bearer(tokens[who])), 404)
        assert client.get("/api/v1/declaraties", headers=bearer(tokens[who])).get_json()[
            "total"] == 0
    for suffix in ("", "/prestaties", "/wmo325"):
        assert_problem(client.get(location + suffix), 401)
    assert_problem(client.post("/api/v1/declaraties", data=OCTOBER, headers=XML), 401)


def test_a_gemeente_cannot_hand_in_a_declaration(client, tokens):
    assert_problem(hand_in(client, tokens["apeldoorn"]), 403, "aanbieder")


def test_a_declaration_of_another_aanbieder_is_refused_but_kept(app, client, world, tokens):
    response = hand_in(client, tokens["aanbieder_b"])  # Afzender is aanbieder A's AGB code
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "geweigerd" and "niet door uw organisatie" in body["summary"]
    assert body["answer_identificatie"] is None
    assert_problem(client.get(f"/api/v1/declaraties/{body['id']}/wmo325",
                              headers=bearer(tokens["aanbieder_b"])), 404, "geen WMO325")


def test_a_broken_file_is_kept_with_its_findings_and_lines(client, world, tokens):
    response = hand_in(client, tokens["aanbieder_a"], data=b"<?xml version='1.0'?>\n<wmo323:Bericht")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "ongeldig"
    assert body["findings"] and all(f["message"] and f["severity"] == "error"
                                    for f in body["findings"])


def test_multipart_upload_and_its_refusals(app, client, world, tokens):
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    headers = bearer(tokens["aanbieder_a"])
    response = client.post("/api/v1/declaraties", headers=headers, content_type="multipart/form-data",
                           data={"bestand": (BytesIO(OCTOBER), "oktober.xml")})
    assert response.status_code == 201 and response.get_json()["filename"] == "oktober.xml"
    assert_problem(client.post("/api/v1/declaraties", data=b"{}", headers={
        **headers, "Content-Type": "application/json"}), 415, "application/xml")
    assert_problem(client.post("/api/v1/declaraties", data=wmo301([Product(5)]), headers={
        **headers, **XML}), 422, "WMO301", "/api/v1/toewijzingen/wmo301")
    assert_problem(client.post("/api/v1/declaraties", data=b"", headers={**headers, **XML}), 422)
    assert uploads(app) == 1


def test_a_body_over_the_upload_limit_gets_413(app_config, tmp_path):
    from portal import create_app
    from tests.api_support import make_token
    from tests.factories import build_world

    app = create_app({**app_config, "MAX_UPLOAD_MB": 1})
    with app.app_context():
        world = build_world()
    secret = make_token(app, world.provider_a)
    response = app.test_client().post("/api/v1/declaraties", data=b"<" * (2 * 1024 * 1024),
                                      headers=bearer(secret, **XML))
    assert_problem(response, 413, "1 MB")


def test_a_retried_upload_with_the_same_key_is_stored_once(app, client, world, tokens):
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    first = hand_in(client, tokens["aanbieder_a"], **{"Idempotency-Key": "oktober-2026"})
    again = hand_in(client, tokens["aanbieder_a"], **{"Idempotency-Key": "oktober-2026"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert uploads(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(DeclarationLine.id))) == 2
    other = wmo323([Client(BSN_A, [Line("R9")])], identificatie="D0009", nummer="DEC0009")
    assert_problem(hand_in(client, tokens["aanbieder_a"], data=other,
                           **{"Idempotency-Key": "oktober-2026"}), 422, "ander verzoek")
    assert uploads(app) == 1
    # Without a key, the same file again is refused as a duplicate (TR056), and kept.
    duplicate = hand_in(client, tokens["aanbieder_a"]).get_json()
    assert duplicate["status"] == "dubbel" and uploads(app) == 2


def test_declarations_are_listed_by_month_and_status(app, client, world, tokens):
    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    headers = bearer(tokens["aanbieder_a"])
    october = hand_in(client, tokens["aanbieder_a"]).get_json()
    september = hand_in(client, tokens["aanbieder_a"], data=wmo323(
        [Client(BSN_A, [Line("S1", begin="2026-09-01", end="2026-09-30")])],
        identificatie="D0002", nummer="DEC0002", month="2026-09", last_day="30")).get_json()
    refused = hand_in(client, tokens["aanbieder_b"]).get_json()  # not aanbieder A's

    def ids(query: str = "") -> list[int]:
        response = client.get(f"/api/v1/declaraties?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert ids() == [september["id"], october["id"]]  # newest first, only its own
    assert ids("month=2026-10") == [october["id"]] and ids("month=2026-09") == [september["id"]]
    assert ids("status=geldig") == [september["id"]] and ids("status=ongeldig") == [october["id"]]
    assert refused["id"] not in ids()
    problem = assert_problem(client.get("/api/v1/declaraties?month=10-2026&status=x",
                                        headers=headers), 422)
    assert {e["parameter"] for e in problem["errors"]} == {"month", "status"}
    gemeente = client.get("/api/v1/declaraties?month=2026-10",
                          headers=bearer(tokens["apeldoorn"])).get_json()
    assert [item["id"] for item in gemeente["items"]] == [october["id"]]


def test_a_declaration_whose_processing_fails_is_kept_and_processed_again_once(
        app, client, world, tokens, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from portal.berichten import services as berichten_services

    set_region_tariff(app, "midden_ijssel", "02A16", "90.00", "04")
    check = berichten_services.check_declaration

    def database_error(*_args, **_kwargs):
        raise OperationalError("INSERT ...", {}, Exception("server closed the connection"))

    monkeypatch.setattr(berichten_services, "check_declaration", database_error)
    failed = hand_in(client, tokens["aanbieder_a"], **{"Idempotency-Key": "okt"})
    problem = assert_problem(failed, 503, "bewaard", "verwerken")
    location = failed.headers["Location"]
    kept = client.get(location, headers=bearer(tokens["aanbieder_a"])).get_json()
    assert kept["status"] == "ontvangen" and kept["answer_identificatie"] is None
    assert "Traceback" not in str(problem)

    monkeypatch.setattr(berichten_services, "check_declaration", check)
    assert_problem(client.post(f"{location}/verwerken", headers=bearer(tokens["aanbieder_b"])),
                   404)
    processed = client.post(f"{location}/verwerken", headers=bearer(tokens["aanbieder_a"]))
    assert processed.status_code == 200, processed.get_json()
    assert processed.get_json()["status"] == "ongeldig" and processed.get_json()["line_count"] == 2
    assert location.endswith("/api/v1/berichten/1")
    assert_problem(client.post(f"{location}/verwerken", headers=bearer(tokens["aanbieder_a"])),
                   409, "al verwerkt")
    assert uploads(app) == 1

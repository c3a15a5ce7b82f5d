"""The plan's workflow through the API (portal/api/werkwijze.py), as on the plan's page: the
aanbieder records the start of support and asks to deviate, the gemeente decides and plans the
evaluations, and records the results a region asks on the toewijzing; each endpoint for its own
organisation, refused for another organisation (404), for the other role (403) and without a token
(401). The Geldrop-Mierlo B1 toewijzing of aanbieder B has every plan term; its plan is approved
through the services first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.accounts.models import User
from portal.extensions import db
from portal.toewijzingen.models import Toewijzing
from tests.api_support import assert_problem, bearer, tokens  # noqa: F401
from tests.test_plan_workflow import GM_PLAN, gm_plan, planned

PAST, LATER = "2026-06-01", "2026-12-01"  # evaluation moments of the plan (written 2026-11-23)


@pytest.fixture
def plan_id(app, world) -> int:
    """An approved ondersteuningsplan of aanbieder B, discussed 2026-01-20, evaluations planned
    on PAST and LATER."""
    with app.app_context(), app.test_request_context():
        users = {name: db.session.get(User, user_id) for name, user_id in world.users.items()}
        toewijzing = db.session.get(Toewijzing, world.toewijzing_b)
        plan = gm_plan(users, toewijzing, {**planned(PAST, LATER),
                                           "datum_besproken": GM_PLAN["datum_besproken"]})
        db.session.commit()
        return plan.id


def refused_to_others(client, tokens, method: str, url: str, body: dict, own: str) -> None:
    """Another organisation of the same role gets 404, the other role 403, no token 401."""
    other = {"aanbieder_b": "aanbieder_a", "geldrop": "apeldoorn"}[own]
    wrong_role = "geldrop" if own == "aanbieder_b" else "aanbieder_b"
    assert_problem(client.open(url, method=method, json=body, headers=bearer(tokens[other])), 404)
    if method != "GET":
        role = "aanbieder" if own == "aanbieder_b" else "gemeente"
        assert_problem(client.open(url, method=method, json=body,
                                   headers=bearer(tokens[wrong_role])), 403, f"van een {role}")
    assert_problem(client.open(url, method=method, json=body), 401)


def test_both_parties_read_the_workflow_and_others_do_not(client, tokens, plan_id):
    url = f"/api/v1/plannen/{plan_id}/werkwijze"
    for own in ("aanbieder_b", "geldrop"):
        response = client.get(url, headers=bearer(tokens[own]))
        assert response.status_code == 200, response.get_json()
        state = response.get_json()
        assert state["support"]["rule"] == "GM-P6" and state["support"]["started"] is None
        assert state["support"]["discussed"] == "2026-01-20"
        assert "GM-P4" in state["deviable_rules"] and state["deviations"] == []
        assert [(d["due"], d["origin"]) for d in state["evaluations"]] == [
            (PAST, "gepland"), (LATER, "gepland")]
        refused_to_others(client, tokens, "GET", url, {}, own)


def test_the_aanbieder_records_the_start_of_support(client, tokens, plan_id):
    url = f"/api/v1/plannen/{plan_id}/start-ondersteuning"
    provider = bearer(tokens["aanbieder_b"])
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert_problem(client.post(url, json={"started_on": tomorrow}, headers=provider), 422,
                   "ligt in de toekomst")
    assert_problem(client.post(url, json={"started_on": "gisteren"}, headers=provider), 422,
                   "Geen geldige datum")
    response = client.post(url, json={"started_on": "2026-01-28"}, headers=provider)
    assert response.status_code == 200, response.get_json()
    support = response.get_json()["support"]
    assert (support["started"], support["due"], support["late"]) == (
        "2026-01-28", "2026-01-27", True)
    [late] = [f for f in response.get_json()["findings"] if f["rule"] == "GM-P6"]
    assert "28-01-2026" in late["message"]
    refused_to_others(client, tokens, "POST", url, {"started_on": "2026-01-27"}, "aanbieder_b")


def test_a_deviation_is_asked_by_the_aanbieder_and_decided_by_the_gemeente(client, tokens,
                                                                         plan_id):
    provider, gemeente = bearer(tokens["aanbieder_b"]), bearer(tokens["geldrop"])
    url = f"/api/v1/plannen/{plan_id}/afwijkingen"
    assert_problem(client.post(url, json={"rule": "GM-P7", "reason": "Ziek"}, headers=provider),
                   422, "Van regel ‘GM-P7’ kan niet worden afgeweken")
    asked = client.post(url, json={"rule": "GM-P4", "reason": "Cliënt opgenomen.",
                                   "new_due": "2026-02-27"}, headers=provider)
    assert asked.status_code == 200, asked.get_json()
    [deviation] = asked.get_json()["deviations"]
    assert (deviation["rule"], deviation["state"], deviation["new_due"]) == (
        "GM-P4", "aangevraagd", "2026-02-27")
    refused_to_others(client, tokens, "POST", url, {"rule": "GM-P5", "reason": "x"},
                      "aanbieder_b")

    decide = f"{url}/{deviation['id']}/besluit"
    assert_problem(client.post(decide, json={"action": "afwijzen"}, headers=gemeente), 422,
                   "Schrijf bij afwijzen waarom")
    refused_to_others(client, tokens, "POST", decide, {"action": "goedkeuren"}, "geldrop")
    assert_problem(client.post(f"{url}/987654/besluit", json={"action": "goedkeuren"},
                               headers=gemeente), 404)
    decided = client.post(decide, json={"action": "goedkeuren"}, headers=gemeente)
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["deviations"][0]["state"] == "goedgekeurd"
    assert_problem(client.post(decide, json={"action": "goedkeuren"}, headers=gemeente), 422,
                   "al besloten")


def test_the_gemeente_plans_an_extra_evaluation_a_later_date_and_signals_a_missing_one(
        client, tokens, plan_id):
    gemeente = bearer(tokens["geldrop"])
    base = f"/api/v1/plannen/{plan_id}"
    extra = f"{base}/extra-evaluatie"
    soon = (date.today() + timedelta(days=2)).isoformat()
    assert_problem(client.post(extra, json={"due": soon}, headers=gemeente), 422, "te vroeg",
                   "GM-E4")
    later = (date.today() + timedelta(days=60)).isoformat()
    response = client.post(extra, json={"due": later, "reason": "Zorgen"}, headers=gemeente)
    assert response.status_code == 200, response.get_json()
    assert (later, "extra") in [(d["due"], d["origin"]) for d in response.get_json()["evaluations"]]
    refused_to_others(client, tokens, "POST", extra, {"due": later}, "geldrop")

    agreed = f"{base}/afgesproken-datum"
    assert_problem(client.post(agreed, json={"replaces": LATER, "due": "2026-11-01"},
                               headers=gemeente), 422, "moet na 01-12-2026 liggen")
    response = client.post(agreed, json={"replaces": LATER, "due": "2026-12-15"},
                           headers=gemeente)
    assert response.status_code == 200, response.get_json()
    dates = {(d["due"], d["origin"], d["replaced"]) for d in response.get_json()["evaluations"]}
    assert {(LATER, "gepland", True), ("2026-12-15", "afgesproken", False)} <= dates
    refused_to_others(client, tokens, "POST", agreed, {"replaces": LATER, "due": "2026-12-20"},
                      "geldrop")

    signal = f"{base}/signaleringen"
    assert_problem(client.post(signal, json={"missed": "2026-12-15"}, headers=gemeente), 422,
                   "datum voorbij is")
    refused_to_others(client, tokens, "POST", signal, {"missed": PAST}, "geldrop")
    response = client.post(signal, json={"missed": PAST}, headers=gemeente)
    assert response.status_code == 200, response.get_json()
    assert [d["origin"] for d in response.get_json()["evaluations"]
            if not d["replaced"]].count("signalering") == 1


def test_unknown_fields_and_a_step_with_an_idempotency_key(client, tokens, plan_id):
    url = f"/api/v1/plannen/{plan_id}/start-ondersteuning"
    provider = bearer(tokens["aanbieder_b"], **{"Idempotency-Key": "start-1"})
    assert_problem(client.post(url, json={"started_on": "2026-01-26", "door": "Els"},
                               headers=provider), 422, "Onbekend veld")
    first = client.post(url, json={"started_on": "2026-01-26"}, headers=provider)
    again = client.post(url, json={"started_on": "2026-01-26"}, headers=provider)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()


def test_a_toewijzing_without_results_asked_answers_an_empty_list(client, tokens, world):
    url = f"/api/v1/toewijzingen/{world.toewijzing_b}/resultaten"
    for own in ("aanbieder_b", "geldrop"):
        response = client.get(url, headers=bearer(tokens[own]))
        assert response.status_code == 200, response.get_json()
        # Geldrop-Mierlo's plan does not repeat results set on the toewijzing.
        assert response.get_json() == {"toewijzing_id": world.toewijzing_b, "rule": None,
                                       "parts": [], "results": []}
        refused_to_others(client, tokens, "GET", url, {}, own)


def test_the_gemeente_records_results_on_a_toewijzing_and_a_new_plan_repeats_them(app, client,
                                                                                  tokens):
    """ML-P3 (Midden-Limburg): the results come from the region's template, as on the page."""
    from sqlalchemy import select

    from tests.api_support import make_token
    from tests.test_plan_pages import region_world

    ids = region_world(app, "midden_limburg", "BGI", perceel="1", grondslag="PSY")
    with app.app_context():
        toewijzing = db.session.scalar(select(Toewijzing).where(
            Toewijzing.client_id == ids["client"]))
        toewijzing_id, gemeente_id = toewijzing.id, toewijzing.gemeente_id
        aanbieder_id = toewijzing.aanbieder_id
    gemeente = bearer(make_token(app, gemeente_id))
    provider = bearer(make_token(app, aanbieder_id))
    url = f"/api/v1/toewijzingen/{toewijzing_id}/resultaten"

    asked = client.get(url, headers=gemeente).get_json()
    assert asked["rule"] == "ML-P3" and asked["results"] == []
    assert {part["key"] for part in asked["parts"]} == {"resultaat", "activiteitstype"}
    assert_problem(client.post(url, json={"values": {"resultaat": "", "activiteitstype":
                                                     "helpen"}}, headers=gemeente), 422,
                   "‘Resultaat (meetbaar)’ is niet ingevuld.")
    assert_problem(client.post(url, json={"values": {"resultaat": "Boodschappen", "cijfer": "8"}},
                               headers=gemeente), 422, "Onbekend deel")
    good = {"values": {"resultaat": "Zelf boodschappen doen", "activiteitstype": "helpen"}}
    recorded = client.post(url, json=good, headers=gemeente)
    assert recorded.status_code == 201, recorded.get_json()
    [result] = recorded.get_json()["results"]
    assert result["values"] == good["values"]
    assert client.get(url, headers=provider).get_json()["results"] == [result]
    assert_problem(client.post(url, json=good, headers=provider), 403, "van een gemeente")
    assert_problem(client.post(url, json=good, headers=bearer(tokens["apeldoorn"])), 404)
    assert_problem(client.post(url, json=good), 401)

    started = client.post("/api/v1/plannen", json={"toewijzing_id": toewijzing_id,
                                                   "kind": "plan"}, headers=provider)
    assert started.status_code == 201, started.get_json()
    assert "Zelf boodschappen doen" in str(started.get_json()["current"]["content"])

    one = f"{url}/{result['id']}"
    assert_problem(client.delete(one, headers=provider), 403)
    assert_problem(client.delete(one, headers=bearer(tokens["apeldoorn"])), 404)
    assert_problem(client.delete(one), 401)
    removed = client.delete(one, headers=gemeente)
    assert removed.status_code == 200 and removed.get_json()["results"] == []
    assert_problem(client.delete(one, headers=gemeente), 404, "geen resultaat")

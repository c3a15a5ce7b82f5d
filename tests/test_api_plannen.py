"""The plans API: the template as JSON, a concept built from it, saved and submitted; the
gemeente returns and approves; versions and comments; each step only for its own party, with the
state table's refusals, optimistic locking and content of the wrong form as problems."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api_support import assert_problem, bearer, tokens  # noqa: F401


def fill(field: dict):
    """A valid answer to one field of the template as the API describes it."""
    kind = field["kind"]
    if kind == "goals":
        return [{part["key"]: fill(part) for part in field["parts"]}]
    if kind == "date":
        return date.today().isoformat()
    if field.get("must_be"):
        return field["must_be"]
    if kind == "education_level":
        return field["options"][-1]["value"]  # the highest: the regions ask a minimum
    if field["options"]:
        return field["options"][0]["value"]
    if kind == "number":
        return "2"
    return f"Ingevuld: {field['label']}"


def filled(template: dict) -> dict:
    return {f["key"]: fill(f) for section in template["sections"] for f in section["fields"]
            if f["kind"] != "goal_review"}


@pytest.fixture
def plan(client, world, tokens) -> dict:
    """A concept plan of aanbieder A for its Apeldoorn toewijzing, started through the API."""
    response = client.post("/api/v1/plannen", json={"toewijzing_id": world.toewijzing_a,
                                                    "kind": "plan"},
                           headers=bearer(tokens["aanbieder_a"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_template_is_json_a_client_can_build_a_plan_from(client, world, tokens):
    response = client.get(f"/api/v1/toewijzingen/{world.toewijzing_a}/sjablonen/plan",
                          headers=bearer(tokens["aanbieder_a"]))
    assert response.status_code == 200
    template = response.get_json()
    assert template["kind"] == "plan" and template["region"] == "midden_ijssel"
    fields = [f for section in template["sections"] for f in section["fields"]]
    assert fields and all(f["key"] and f["label"] and f["kind"] for f in fields)
    assert any(f["required"] for f in fields) and any(f["source"] for f in fields)
    assert_problem(client.get(f"/api/v1/toewijzingen/{world.toewijzing_a}/sjablonen/plan",
                              headers=bearer(tokens["aanbieder_b"])), 404)
    assert_problem(client.get(f"/api/v1/toewijzingen/{world.toewijzing_a}/sjablonen/brief",
                              headers=bearer(tokens["aanbieder_a"])), 404)


def test_a_plan_goes_round_submit_return_revise_approve(client, world, tokens, plan):
    provider, gemeente = bearer(tokens["aanbieder_a"]), bearer(tokens["apeldoorn"])
    url = f"/api/v1/plannen/{plan['id']}"
    assert plan["state"] == "concept" and plan["actions"] == ["indienen"]
    template = client.get(f"{url}/sjabloon", headers=provider).get_json()

    # An empty concept is saved with warnings; submitting it is refused naming the fields.
    saved = client.put(f"{url}/concept", headers=provider,
                       json={"lock_version": plan["lock_version"], "content": {}})
    assert saved.status_code == 200 and saved.get_json()["warnings"]
    lock = saved.get_json()["plan"]["lock_version"]
    refused = assert_problem(client.post(f"{url}/indienen", json={"lock_version": lock},
                                         headers=provider), 422, "kan nog niet worden ingediend")
    assert refused["errors"] and all(e["pointer"].startswith("#/content") for e in
                                     refused["errors"])

    saved = client.put(f"{url}/concept", headers=provider, json={
        "lock_version": lock, "content": filled(template), "author_name": "Sam Schrijver"})
    assert saved.status_code == 200, saved.get_json()
    submitted = client.post(f"{url}/indienen", headers=provider,
                            json={"lock_version": saved.get_json()["plan"]["lock_version"]})
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["plan"]["state"] == "ingediend"

    section = template["sections"][0]["key"]
    returned = client.post(f"{url}/beoordeling", headers=gemeente, json={
        "action": "terugsturen", "comments": {section: "Maak dit concreter."}})
    assert returned.status_code == 200 and returned.get_json()["state"] == "teruggestuurd"
    read = client.get(url, headers=provider).get_json()
    assert read["current"]["comments"] == {section: "Maak dit concreter."}
    assert read["actions"] == ["nieuwe_versie"]

    revised = client.post(f"{url}/nieuwe-versie", headers=provider)
    assert revised.status_code == 201 and revised.get_json()["current"]["number"] == 2
    assert revised.get_json()["current"]["content"] == saved.get_json()["plan"]["current"][
        "content"]
    again = client.post(f"{url}/indienen", headers=provider,
                        json={"lock_version": revised.get_json()["lock_version"]})
    assert again.status_code == 200, again.get_json()
    approved = client.post(f"{url}/beoordeling", headers=gemeente, json={"action": "goedkeuren"})
    assert approved.status_code == 200 and approved.get_json()["state"] == "goedgekeurd"

    versions = client.get(f"{url}/versies", headers=gemeente).get_json()["versions"]
    assert [(v["number"], v["state"]) for v in versions] == [(1, "teruggestuurd"),
                                                             (2, "goedgekeurd")]
    listed = client.get("/api/v1/plannen?state=goedgekeurd", headers=gemeente).get_json()
    assert [p["id"] for p in listed["items"]] == [plan["id"]]

    # The evaluation looks back on the approved plan's goals, in the plan's words.
    evaluation = client.post("/api/v1/plannen", headers=provider, json={
        "toewijzing_id": world.toewijzing_a, "kind": "evaluatie"})
    assert evaluation.status_code == 201, evaluation.get_json()
    evaluation = evaluation.get_json()
    form = client.get(f"/api/v1/plannen/{evaluation['id']}/sjabloon", headers=provider).get_json()
    assert form["kind"] == "evaluation" and form["plan_goals"]
    review = next(f for s in form["sections"] for f in s["fields"] if f["kind"] == "goal_review")
    saved = client.put(f"/api/v1/plannen/{evaluation['id']}/concept", headers=provider, json={
        "lock_version": evaluation["lock_version"], "content": {review["key"]: [
            {"doel": "Een ander doel", "resultaat": "deels", "toelichting": "Gaat vooruit."}]}})
    assert saved.status_code == 200, saved.get_json()
    row = saved.get_json()["plan"]["current"]["content"][review["key"]][0]
    assert row["doel"] == form["plan_goals"][0] and row["resultaat"] == "deels"


def test_other_organisations_and_no_token_are_refused(client, world, tokens, plan):
    url = f"/api/v1/plannen/{plan['id']}"
    for who in ("aanbieder_b", "geldrop"):
        for suffix in ("", "/versies", "/sjabloon"):
            assert_problem(client.get(url + suffix, headers=bearer(tokens[who])), 404)
        assert client.get("/api/v1/plannen", headers=bearer(tokens[who])).get_json()["total"] == 0
    assert_problem(client.put(f"{url}/concept", headers=bearer(tokens["aanbieder_b"]), json={
        "lock_version": plan["lock_version"], "content": {}}), 404)
    assert_problem(client.post(f"{url}/beoordeling", headers=bearer(tokens["geldrop"]),
                               json={"action": "goedkeuren"}), 404)
    # The wrong party for a step: 403 by role, before anything is looked up.
    assert_problem(client.post(f"{url}/beoordeling", headers=bearer(tokens["aanbieder_a"]),
                               json={"action": "goedkeuren"}), 403)
    assert_problem(client.post(f"{url}/indienen", headers=bearer(tokens["apeldoorn"]),
                               json={"lock_version": 1}), 403)
    assert_problem(client.post("/api/v1/plannen", headers=bearer(tokens["aanbieder_b"]), json={
        "toewijzing_id": world.toewijzing_a, "kind": "plan"}), 404)
    for suffix in ("", "/versies", "/sjabloon"):
        assert_problem(client.get(url + suffix), 401)


def test_refused_transitions_and_a_stale_save(client, world, tokens, plan):
    provider = bearer(tokens["aanbieder_a"])
    url = f"/api/v1/plannen/{plan['id']}"
    assert_problem(client.post(f"{url}/beoordeling", headers=bearer(tokens["apeldoorn"]),
                               json={"action": "goedkeuren"}), 409, "concept")
    assert_problem(client.post(f"{url}/nieuwe-versie", headers=provider), 409)
    assert_problem(client.post("/api/v1/plannen", headers=provider, json={
        "toewijzing_id": world.toewijzing_a, "kind": "plan"}), 409, "Er is al")
    first = client.put(f"{url}/concept", headers=provider,
                       json={"lock_version": plan["lock_version"], "content": {}})
    assert first.status_code == 200
    assert_problem(client.put(f"{url}/concept", headers=provider,
                              json={"lock_version": plan["lock_version"], "content": {}}),
                   409, "opgeslagen nadat u het opende")


def test_content_of_the_wrong_form_is_refused_per_field(client, tokens, plan):
    provider = bearer(tokens["aanbieder_a"])
    url = f"/api/v1/plannen/{plan['id']}"
    template = client.get(f"{url}/sjabloon", headers=provider).get_json()
    fields = [f for section in template["sections"] for f in section["fields"]]
    date_field = next((f for f in fields if f["kind"] == "date"), None)
    content = {"geen_veld": "x"}
    if date_field:
        content[date_field["key"]] = "31-12-2026"
    problem = assert_problem(client.put(f"{url}/concept", headers=provider, json={
        "lock_version": plan["lock_version"], "content": content}), 422)
    pointers = {e["pointer"] for e in problem["errors"]}
    assert "#/content/geen_veld" in pointers
    if date_field:
        assert f"#/content/{date_field['key']}" in pointers and "jjjj-mm-dd" in problem["detail"]
    assert_problem(client.put(f"{url}/concept", headers=provider, json={
        "lock_version": plan["lock_version"], "content": {}, "kleur": 1}), 422, "kleur")
    assert_problem(client.put(f"{url}/concept", headers=provider, json={"content": {}}), 422,
                   "lock_version")
    read = client.get(url, headers=provider).get_json()
    assert read["lock_version"] == plan["lock_version"]  # nothing was saved


def test_a_return_without_comments_and_comments_on_unknown_sections(client, tokens, plan):
    provider, gemeente = bearer(tokens["aanbieder_a"]), bearer(tokens["apeldoorn"])
    url = f"/api/v1/plannen/{plan['id']}"
    template = client.get(f"{url}/sjabloon", headers=provider).get_json()
    saved = client.put(f"{url}/concept", headers=provider, json={
        "lock_version": plan["lock_version"], "content": filled(template)}).get_json()
    assert client.post(f"{url}/indienen", headers=provider, json={
        "lock_version": saved["plan"]["lock_version"]}).status_code == 200
    assert_problem(client.post(f"{url}/beoordeling", headers=gemeente,
                               json={"action": "terugsturen"}), 422, "opmerking")
    assert_problem(client.post(f"{url}/beoordeling", headers=gemeente, json={
        "action": "terugsturen", "comments": {"nergens": "x"}}), 422, "sectie")
    assert_problem(client.post(f"{url}/beoordeling", headers=gemeente,
                               json={"action": "afwijzen"}), 422, "goedkeuren")

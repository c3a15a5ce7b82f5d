"""Who may open what: every route declares a policy, login is required, tenants are isolated."""

import pytest

from tests.conftest import login, submit

PUBLIC_ENDPOINTS = {"auth.login", "static",
                    # The API's OpenAPI document and its documentation page (no data in them).
                    "api-docs.openapi_json", "api_docs_page.docs"}


def _example_url(rule) -> str:
    values = {arg: 1 for arg in rule.arguments}
    for arg, converter in rule._converters.items():  # <any(plan, evaluatie):kind>: one of those
        if getattr(converter, "items", None):
            values[arg] = sorted(converter.items)[0]
    if "code" in rule.arguments:
        values["code"] = "midden_ijssel"
    if "filename" in rule.arguments:
        values["filename"] = "portal.css"
    return rule.build(values)[1]


def test_every_route_declares_an_access_policy(app):
    from portal.auth.policy import PUBLIC

    undeclared = [rule.endpoint for rule in app.url_map.iter_rules()
                  if getattr(app.view_functions[rule.endpoint], "access_policy", None) is None]
    assert undeclared == []
    public = {rule.endpoint for rule in app.url_map.iter_rules()
              if app.view_functions[rule.endpoint].access_policy == PUBLIC}
    assert public == PUBLIC_ENDPOINTS


def test_every_non_public_route_requires_login(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _example_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if url.startswith("/api/"):
                # The API has no login page: without a token it answers 401 (tests/test_api_auth.py).
                assert response.status_code == 401, (rule.endpoint, method)
            elif method == "GET":
                assert response.status_code == 302, (rule.endpoint, method)
                assert response.headers["Location"].startswith("/inloggen"), rule.endpoint
            else:
                # A POST without a session has no CSRF token either: refused before the view runs.
                assert response.status_code in (302, 400), (rule.endpoint, method)
            checked += 1
    assert checked >= 10


def test_undeclared_route_is_refused_even_when_logged_in(app, world):
    app.add_url_rule("/vergeten", "forgotten", lambda: "geheim")
    client = app.test_client()
    login(client, "beheer@portal.test")
    assert client.get("/vergeten").status_code == 404


def test_aanbieder_cannot_open_another_aanbieders_client(app, world):
    client = app.test_client()
    login(client, "a@aanbieder.test")
    own = client.get(f"/clienten/{world.client_a}")
    assert own.status_code == 200 and "Vries" in own.text
    other = client.get(f"/clienten/{world.client_b}")
    assert other.status_code == 404
    assert "Jansen" not in other.text


def test_gemeente_sees_only_its_own_gemeente(app, world):
    client = app.test_client()
    login(client, "apeldoorn@gemeente.test")
    dashboard = client.get("/").text
    assert "Vries" in dashboard and "Jansen" not in dashboard
    assert client.get(f"/clienten/{world.client_b}").status_code == 404
    assert client.get(f"/clienten/{world.client_a}").status_code == 200


def test_aanbieder_dashboard_lists_only_own_clients(app, world):
    client = app.test_client()
    login(client, "b@aanbieder.test")
    dashboard = client.get("/").text
    assert "Jansen" in dashboard and "Vries" not in dashboard


@pytest.mark.parametrize("user", ["a@aanbieder.test", "apeldoorn@gemeente.test"])
@pytest.mark.parametrize("url", ["/beheer/organisaties", "/beheer/gebruikers",
                                 "/beheer/toewijzingen/nieuw"])
def test_beheer_pages_are_hidden_from_other_roles(app, world, user, url):
    client = app.test_client()
    login(client, user)
    assert client.get(url).status_code == 404


def test_beheer_sees_every_client(app, world):
    client = app.test_client()
    login(client, "beheer@portal.test")
    assert client.get(f"/clienten/{world.client_a}").status_code == 200
    assert client.get(f"/clienten/{world.client_b}").status_code == 200


def test_post_without_csrf_token_is_refused(app, world):
    client = app.test_client()
    login(client, "beheer@portal.test")
    response = client.post("/beheer/organisaties", data={"kind": "aanbieder", "code": "33333333",
                                                         "name": "Zonder token"})
    assert response.status_code == 400
    assert "beveiligingscode" in response.text
    with_token = submit(client, "/beheer/organisaties",
                        {"kind": "aanbieder", "code": "33333333", "name": "Met token",
                         "region_code": ""})
    assert with_token.status_code == 302

"""Plans and evaluations in the browser, for a client of every region: write, save, submit, be
returned with comments per section, revise, resubmit, be approved; then the evaluation. The
forms are filled from the region's own template, so the test knows no region's fields."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.accounts.models import Organisation
from portal.accounts.services import create_organisation, create_user
from portal.extensions import db
from portal.plans.models import Plan
from portal.plans.routes import template_for
from portal.plans.templates import TemplateContext
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import create_toewijzing
from tests.conftest import csrf_token_from, login
from tests.factories import PASSWORD, toewijzing_input

TODAY = date.today()


def answer(f, prefix: str = "") -> dict[str, str]:
    """A valid answer to one template field, as the browser posts it."""
    name = f"{prefix}{f.key}"
    if f.kind in ("goals",):
        return {k: v for part in f.parts for k, v in answer(part, f"{name}-0-").items()}
    if f.kind == "goal_review":
        return {f"{name}-0-resultaat": "deels", f"{name}-0-toelichting": "Gaat vooruit."}
    if f.kind == "date":
        return {name: TODAY.isoformat()}
    if f.kind == "yes_no":
        return {name: f.must_be or "ja"}
    if f.kind == "education_level":
        return {name: "wo"}
    if f.kind == "choice":
        return {name: f.choices[0][0]}
    if f.kind == "number":
        return {name: "2"}
    return {name: f"Ingevuld: {f.label}"}


def filled(template, context) -> dict[str, str]:
    data: dict[str, str] = {}
    for f in template.fields(context):
        data.update(answer(f))
    return data


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def logout(client):
    client.post("/uitloggen", data={"csrf_token": csrf_token_from(client.get("/").text)})


def post_form(client, url: str, data: dict, **extra):
    page = client.get(url)
    lock = re.search(r'name="lock_version" value="(\d+)"', page.text)
    payload = {"csrf_token": csrf_token_from(page.text), **data, **extra}
    if lock:
        payload["lock_version"] = lock.group(1)
    return client.post(url, data=payload, follow_redirects=True)


def start_document(client, client_id: int, kind: str) -> int:
    page = client.get(f"/clienten/{client_id}")
    action = re.search(rf'action="(/plannen/nieuw/\d+/{kind})"', page.text).group(1)
    response = client.post(action, data={"csrf_token": csrf_token_from(page.text)})
    assert response.status_code == 302, page_text(client.get(f"/clienten/{client_id}"))
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def round_trip(client, app, ids: dict, kind: str, overrides: dict | None = None) -> int:
    """Write, submit, return, revise, resubmit, approve; returns the plan id. ``overrides`` are
    answers a region's rules want other than the first choice."""
    login(client, ids["provider_email"])
    plan_id = start_document(client, ids["client"], kind)
    url = f"/plannen/{plan_id}"
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        template = template_for(plan.toewijzing, kind)
        from portal.plans.documents import document_of

        with app.test_request_context():
            context = document_of(plan).context
        fields = {**filled(template, context), **(overrides or {})}
        asks_something = any(f.is_required({}, context) for f in template.fields(context))

    # An empty concept is saved; what is still missing shows as warnings, and submitting it is
    # refused naming the rules (where the region requires anything at all).
    saved = post_form(client, url, {}, opslaan="1")
    assert "Het concept is opgeslagen." in saved.text
    if asks_something:
        assert "Nog te doen voor indienen" in saved.text
        refused = post_form(client, url, {}, indienen="1")
        assert refused.status_code == 422
        assert "kan nog niet worden ingediend" in refused.text

    submitted = post_form(client, url, fields, indienen="1")
    assert "is ingediend bij" in submitted.text, page_text(submitted)[:3000]
    logout(client)

    login(client, ids["gemeente_email"])
    assert plan_id_in(client.get("/plannen/beoordelen").text, plan_id)
    assert "wachten op beoordeling" in client.get("/").text  # on the gemeente's dashboard
    review = client.get(f"{url}/beoordelen")
    section = re.search(r'name="opmerking_(\w+)"', review.text).group(1)
    returned = post_form(client, f"{url}/beoordelen",
                         {f"opmerking_{section}": "Maak dit concreter.", "besluit": "terugsturen"})
    assert "teruggestuurd naar de aanbieder" in returned.text
    logout(client)

    login(client, ids["provider_email"])
    detail = client.get(url)
    assert "Maak dit concreter." in detail.text and "Teruggestuurd" in detail.text
    dashboard = client.get("/").text
    assert "Maak dit concreter." in dashboard and "Teruggestuurd" in dashboard
    post_form(client, f"{url}/nieuwe-versie", {})
    assert "Ingevuld: " in client.get(url).text  # version 2 starts from version 1's content
    again = post_form(client, url, fields, indienen="1")
    assert "versie 2 is ingediend" in again.text, page_text(again)[:2000]
    compare = client.get(f"{url}/versies")
    assert compare.status_code == 200 and "Versie 1 en 2 vergeleken" in compare.text
    logout(client)

    login(client, ids["gemeente_email"])
    approved = post_form(client, f"{url}/beoordelen", {"besluit": "goedkeuren"})
    assert "is goedgekeurd" in approved.text
    logout(client)
    return plan_id


def plan_id_in(html: str, plan_id: int) -> bool:
    return f"/plannen/{plan_id}/beoordelen" in html


def region_world(app, region_code: str, product_key: str, eenheid: str = "",
                 **attributes: str) -> dict:
    """A gemeente of the region, a provider, their users and one toewijzing of ``product_key``."""
    with app.app_context():
        regions = registry()
        region = regions.region(region_code)
        assert region.municipalities, f"{region_code} noemt geen gemeenten"
        gemeente = create_organisation(regions, "gemeente", region.municipalities[0].code, None,
                                       region.code)
        provider = create_organisation(regions, "aanbieder", "33333333", "Aanbieder C")
        db.session.flush()
        toewijzing, _ = create_toewijzing(regions, toewijzing_input(
            gemeente, provider, "999900031", product_key, 5001, attributes=attributes,
            eenheid=eenheid,
            einddatum=date(TODAY.year + 1, 12, 31)), today=TODAY)
        create_user("c@aanbieder.test", "Cas", "aanbieder", PASSWORD, provider)
        create_user("g@gemeente.test", "Gina", "gemeente", PASSWORD, gemeente)
        db.session.commit()
        return {"client": toewijzing.client_id, "provider_email": "c@aanbieder.test",
                "gemeente_email": "g@gemeente.test"}


def test_plan_and_evaluation_round_in_midden_ijssel(client, app, world):
    ids = {"client": world.client_a, "provider_email": "a@aanbieder.test",
           "gemeente_email": "apeldoorn@gemeente.test"}
    round_trip(client, app, ids, "plan")
    round_trip(client, app, ids, "evaluatie")


def test_plan_and_evaluation_round_in_geldrop_mierlo(client, app, world):
    ids = {"client": world.client_b, "provider_email": "b@aanbieder.test",
           "gemeente_email": "geldrop@gemeente.test"}
    round_trip(client, app, ids, "plan")
    # GM-E1: in the three months before the indicatie ends (31-12-2026) it is the eindevaluatie.
    end = date(2026, 12, 31)
    soort = "eind" if date(2026, 10, 1) <= TODAY <= end else "tussen"
    round_trip(client, app, ids, "evaluatie", overrides={"soort": soort})


def test_dagbesteding_1_alone_is_evaluated_in_the_browser_without_a_plan(client, app):
    """GM-P2 and GM-E6: D1 alone has no ondersteuningsplan, but is evaluated."""
    ids = region_world(app, "geldrop_mierlo", "07D01")
    login(client, ids["provider_email"])
    assert 'action="/plannen/nieuw/' in client.get(f"/clienten/{ids['client']}").text
    logout(client)
    # Without a plan to look back on, the aanbieder names the goals of the indicatie itself.
    round_trip(client, app, ids, "evaluatie",
               overrides={"soort": "tussen", "kijk_terug-0-doel": "Een vast dagritme houden"})


def test_plan_and_evaluation_round_in_midden_limburg(client, app):
    ids = region_world(app, "midden_limburg", "BGI", perceel="1", grondslag="PSY")
    round_trip(client, app, ids, "plan")
    round_trip(client, app, ids, "evaluatie")


@pytest.fixture
def generic_region_dir(tmp_path):
    """The generic seed-001 region as an operator would add it, with one municipality (the seed
    names none): the region file and its templates copied under a new region code."""
    from pathlib import Path

    data = Path(__file__).resolve().parent.parent / "regions" / "generic" / "data"
    directory = tmp_path / "regio"
    (directory / "templates").mkdir(parents=True)
    for source, code, cbs in (("generic_001", "samen_doen", "0999"),
                              ("generic_003", "sjabloon", "0998")):
        text = (data / f"{source}.toml").read_text(encoding="utf-8")
        text = text.replace(f'code = "{source}"', f'code = "{code}"', 1)
        text += f'\n[[municipalities]]\ncode = "{cbs}"\nname = "Proefgemeente {cbs}"\n'
        (directory / f"{code}.toml").write_text(text, encoding="utf-8")
        (directory / "templates" / f"{code}.toml").write_text(
            (data / "templates" / f"{source}.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return directory


@pytest.fixture
def app_config(app_config, request):
    if "generic_region_dir" in request.fixturenames:
        return {**app_config, "WMO_GENERIC_REGIONS_DIR": str(request.getfixturevalue(
            "generic_region_dir"))}
    return app_config


def test_plan_and_evaluation_round_in_a_generic_region(client, app, generic_region_dir):
    ids = region_world(app, "samen_doen", "02A04")
    round_trip(client, app, ids, "plan")
    round_trip(client, app, ids, "evaluatie")


def test_plan_round_in_the_generic_template_region(client, app, generic_region_dir):
    """Seed 003 has placeholder codes and prices: beheer sets them before anything is assigned
    (G3-O1); then its ondersteuningsplan goes round like any other."""
    from portal.extensions import utcnow
    from portal.regions.models import ConfiguredProductCode, ConfiguredTariff

    with app.app_context():
        db.session.add(ConfiguredProductCode(region_code="sjabloon", product_key="BI-regulier",
                                             code="02X01", created_at=utcnow()))
        db.session.add(ConfiguredTariff(region_code="sjabloon", product_key="BI-regulier",
                                        amount_cents=7000, tariff_unit="04",
                                        valid_from=date(TODAY.year, 1, 1), valid_until=None))
        db.session.commit()
    ids = region_world(app, "sjabloon", "BI-regulier", eenheid="04")
    round_trip(client, app, ids, "plan")


def test_typed_html_is_shown_as_text_and_printed_as_text(client, app, world):
    login(client, "a@aanbieder.test")
    plan_id = start_document(client, world.client_a, "plan")
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        text_field = next(f for f in template_for(plan.toewijzing, "plan").all_fields()
                          if f.kind in ("text", "textarea"))
    post_form(client, f"/plannen/{plan_id}", {text_field.key: "<script>alert(1)</script>"},
              opslaan="1")
    edit = client.get(f"/plannen/{plan_id}")
    assert "<script>alert(1)</script>" not in edit.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in edit.text
    printed = client.get(f"/plannen/{plan_id}/afdrukken")
    assert "&lt;script&gt;" in printed.text and "<script>" not in printed.text
    pdf = client.get(f"/plannen/{plan_id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert pdf.mimetype == "application/pdf"


def test_a_second_tab_cannot_overwrite_a_newer_save(client, app, world):
    login(client, "a@aanbieder.test")
    plan_id = start_document(client, world.client_a, "plan")
    url = f"/plannen/{plan_id}"
    old_tab = client.get(url)  # opened before the other tab saves
    post_form(client, url, {}, opslaan="1")
    response = client.post(url, data={"csrf_token": csrf_token_from(old_tab.text),
                                      "lock_version": re.search(
                                          r'name="lock_version" value="(\d+)"',
                                          old_tab.text).group(1),
                                      "opslaan": "1"})
    assert response.status_code == 409
    assert "niet opgeslagen maar staan nog in het formulier" in response.text


def test_other_provider_and_other_gemeente_get_404(client, app, world):
    login(client, "a@aanbieder.test")
    plan_id = start_document(client, world.client_a, "plan")
    logout(client)
    login(client, "b@aanbieder.test")
    for path in ("", "/afdrukken", "/pdf", "/versies"):
        assert client.get(f"/plannen/{plan_id}{path}").status_code == 404
    logout(client)
    login(client, "geldrop@gemeente.test")
    assert client.get(f"/plannen/{plan_id}/beoordelen").status_code == 404


def test_a_concept_cannot_be_reviewed(client, app, world):
    login(client, "a@aanbieder.test")
    plan_id = start_document(client, world.client_a, "plan")
    logout(client)
    login(client, "apeldoorn@gemeente.test")
    response = post_form(client, f"/plannen/{plan_id}/beoordelen", {"besluit": "goedkeuren"})
    assert response.status_code == 422
    assert "alleen bij: ingediend" in response.text
    assert f"/plannen/{plan_id}/beoordelen" not in client.get("/plannen/beoordelen").text

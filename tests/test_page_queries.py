"""No page issues a number of SQL statements that grows with the rows it shows (issue 9, load).

Each role's main list and detail pages are counted (SQLAlchemy's before_cursor_execute) with 3 rows
of everything, then again after the same data grew to 30: clients with a toewijzing, their
submitted plans, one-line declarations (the berichten list), a declaration of that many lines (its
result page), the toewijzingen of one client (its page), organisations and users (beheer's lists).
A page whose count changes loads something per row; with 10,000 clients that is what makes it slow.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from itertools import islice

from sqlalchemy import select

from portal.accounts.models import Organisation, User
from portal.accounts.services import create_organisation, create_user
from portal.berichten.services import Settings, receive
from portal.demo.data import demo_bsns
from portal.extensions import db
from portal.plans.models import PLAN
from portal.plans.services import Draft, save, start, submit
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import create_toewijzing
from tests.conftest import counting_statements
from tests.factories import PASSWORD, toewijzing_input
from tests.iwmo_messages import Client, Line, wmo323
from tests.test_plan_workflow import TODAY, gm, gm_plan, planned, templates  # noqa: F401 (gm)

SMALL, LARGE = 3, 30
FIRST_NUMBER = 5000  # toewijzingnummers of the grown clients, clear of the world's own
# BSNs clear of the ones the world and other tests' helpers use (999900006, 999900018, ...).
BSNS = list(islice(demo_bsns(), 100, 100 + LARGE))


def no_rules(_content):
    return []


def _grow(app, world, start_at: int, stop: int) -> None:
    """Rows ``start_at`` .. ``stop`` - 1 of everything the pages list."""
    with app.app_context():
        regions = registry()
        apeldoorn = db.session.get(Organisation, world.apeldoorn)
        provider_a = db.session.get(Organisation, world.provider_a)
        aanbieder = db.session.get(User, world.users["aanbieder_a"])
        settings = Settings(max_bytes=25 * 1024 * 1024, today=date(2026, 11, 2))
        for index in range(start_at, stop):
            toewijzing, _ = create_toewijzing(regions, toewijzing_input(
                apeldoorn, provider_a, BSNS[index], "02A16", FIRST_NUMBER + index,
                achternaam=f"Achternaam{index:02d}"))
            db.session.flush()
            plan = start(aanbieder, toewijzing, PLAN)
            save(aanbieder, plan, plan.lock_version, Draft({"doel": f"doel {index}"}), no_rules)
            submit(aanbieder, plan, plan.lock_version, no_rules)
            plan.submitted_at = datetime(2026, 11, 1, 10, tzinfo=timezone.utc)
            receive(regions, aanbieder, f"regel-{index}.xml", wmo323(
                [Client(BSNS[index], [Line(f"L{index}", toewijzing_nummer=FIRST_NUMBER + index)])],
                identificatie=f"L{index:04d}", nummer=f"LDEC{index:04d}"), settings)
            # One client with ever more toewijzingen (its page), in weeks that do not overlap.
            week = date(2026, 1, 5).toordinal() + 7 * index
            create_toewijzing(regions, toewijzing_input(
                apeldoorn, provider_a, "999900006", "02A16", FIRST_NUMBER + 100 + index,
                ingangsdatum=date.fromordinal(week), einddatum=date.fromordinal(week + 6)))
            organisation = create_organisation(regions, "aanbieder", f"{70000000 + index}",
                                               f"Aanbieder {index}")
            create_user(f"gebruiker{index}@aanbieder.test", f"Gebruiker {index}", "aanbieder",
                        PASSWORD, organisation)
            db.session.commit()


def _declaration(app, world, lines: int, identificatie: str) -> int:
    """One upload by aanbieder A of ``lines`` lines, each for one of the grown clients."""
    with app.app_context():
        aanbieder = db.session.get(User, world.users["aanbieder_a"])
        upload = receive(registry(), aanbieder, f"{identificatie}.xml", wmo323(
            [Client(BSNS[index], [Line(f"{identificatie}-{index}",
                                       toewijzing_nummer=FIRST_NUMBER + index)])
             for index in range(lines)], identificatie=identificatie, nummer=f"N{identificatie}"),
            Settings(max_bytes=25 * 1024 * 1024, today=date(2026, 11, 2)))
        db.session.commit()
        return upload.id


def _statements(app, browser, url: str, shown: list[str] | None = None) -> int:
    with app.app_context():
        engine = db.engine
    with counting_statements(engine) as counted:
        response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if shown is not None:
        shown.append(response.text)
    return counted.value


def _login(app, email: str):
    browser = app.test_client()
    response = browser.get("/inloggen")
    from tests.conftest import csrf_token_from

    browser.post("/inloggen", data={"email": email, "password": PASSWORD,
                                    "csrf_token": csrf_token_from(response.text)})
    return browser


def _pages(app, world, declaration: int) -> dict[tuple[str, str], str]:
    with app.app_context():
        toewijzing_id = db.session.scalar(select(Toewijzing.id).where(
            Toewijzing.toewijzing_nummer == FIRST_NUMBER))
    # The dashboards show 25 clients a page: the second page of the grown clients has the last.
    dashboard = "/?zoek=Achternaam&pagina=2"
    aanbieder = {
        "dashboard": dashboard,
        "termijnen": "/termijnen",
        "cliënt": f"/clienten/{world.client_a}",
        "berichten": "/berichten/",
        "bericht": f"/berichten/{declaration}",
        "declaraties": "/declaraties/",
        "regels van een declaratie": f"/declaraties/bericht/{declaration}",
        "toewijzingen (gebruikt en over)": "/declaraties/toewijzingen",
        "toewijzing (gebruikt en over)": f"/declaraties/toewijzingen/{toewijzing_id}",
        "uitvoeringsregistratie": f"/declaraties/toewijzingen/{toewijzing_id}/registratie",
        "urenoverzicht": "/declaraties/urenoverzicht",
    }
    gemeente = {
        "dashboard": dashboard,
        "termijnen": "/termijnen",
        "cliënt": f"/clienten/{world.client_a}",
        "berichten": "/berichten/",
        "bericht": f"/berichten/{declaration}",
        "te beoordelen": "/plannen/beoordelen",
        "maand": "/declaraties/maand?maand=2026-10",
        "toewijzingen (gebruikt en over)": "/declaraties/toewijzingen",
    }
    beheer = {
        "dashboard": "/",
        "organisaties": "/beheer/organisaties",
        "gebruikers": "/beheer/gebruikers",
        "api-sleutels": "/beheer/api-sleutels/",
        "berichten": "/berichten/",
        "inschrijvingen": f"/beheer/aanbieders/{world.provider_a}/inschrijvingen",
    }
    return {**{("aanbieder_a", name): url for name, url in aanbieder.items()},
            **{("gemeente_apeldoorn", name): url for name, url in gemeente.items()},
            **{("beheer", name): url for name, url in beheer.items()}}


EMAILS = {"aanbieder_a": "a@aanbieder.test", "gemeente_apeldoorn": "apeldoorn@gemeente.test",
          "beheer": "beheer@portal.test"}


def test_no_page_issues_queries_that_grow_with_its_rows(app, world):
    _grow(app, world, 0, SMALL)
    small_declaration = _declaration(app, world, SMALL, "Q0003")
    browsers = {who: _login(app, email) for who, email in EMAILS.items()}
    small = {key: _statements(app, browsers[key[0]], url)
             for key, url in _pages(app, world, small_declaration).items()}

    _grow(app, world, SMALL, LARGE)
    large_declaration = _declaration(app, world, LARGE, "Q0030")
    pages = _pages(app, world, large_declaration)
    texts: dict[tuple[str, str], list[str]] = {key: [] for key in pages}
    large = {key: _statements(app, browsers[key[0]], url, texts[key])
             for key, url in pages.items()}

    # The larger counts are of pages that show the larger data.
    last = LARGE - 1
    for who, name, marker in (
            ("aanbieder_a", "dashboard", f"Achternaam{last}"),
            ("gemeente_apeldoorn", "dashboard", f"Achternaam{last}"),
            ("gemeente_apeldoorn", "te beoordelen", f"Achternaam{last}"),
            ("aanbieder_a", "berichten", f"regel-{last}.xml"),
            ("aanbieder_a", "regels van een declaratie", f"Q0030-{last}"),
            ("beheer", "gebruikers", f"gebruiker{last}@aanbieder.test"),
            ("beheer", "organisaties", f"Aanbieder {last}")):
        assert marker in texts[(who, name)][0], (who, name, marker)
    assert texts[("aanbieder_a", "cliënt")][0].count("<tr") > LARGE
    growing = {f"{who}: {name}": f"{small[(who, name)]} statements with {SMALL} rows, "
                                 f"{large[(who, name)]} with {LARGE}"
               for who, name in small if large[(who, name)] != small[(who, name)]}
    assert not growing, growing


# The dashboards read stored deadlines (portal.deadlines), computed with the plans' workflow of many
# toewijzingen read at once (WorkflowRows); what they store must be what the workflow says of each
# toewijzing on its own.

def test_the_stored_deadlines_are_each_toewijzings_own(gm):  # noqa: F811
    from portal.deadlines.models import StoredDeadline
    from portal.plans import workflow
    from portal.toewijzingen.services import facts_of
    from tests.factories import BSN_B

    users, toewijzing = gm
    plan = gm_plan(users, toewijzing, planned("2026-06-01", "2026-12-01"))
    workflow.signal_missing(users["gemeente_geldrop"], plan, templates(plan), date(2026, 6, 1),
                            date(2026, 11, 23))
    deviation = workflow.request_deviation(users["aanbieder_b"], plan, templates(plan),
                                           "GM-P4", "Cliënt opgenomen.", date(2026, 2, 27))
    workflow.decide_deviation(users["gemeente_geldrop"], deviation, True)
    create_toewijzing(registry(), toewijzing_input(
        toewijzing.gemeente, toewijzing.aanbieder, BSN_B, "02G01", 2002, achternaam="Jansen",
        voorvoegsel=""))  # after the plan: GM-P13 asks a revision
    db.session.commit()

    rows = workflow.WorkflowRows.load(select(Toewijzing.id))
    toewijzingen = db.session.scalars(select(Toewijzing)).all()
    kinds = set()
    for each in toewijzingen:
        region = registry().deadlines(each.gemeente.region_code,
                                      facts_of(each, with_others=False))
        alone = workflow.toewijzing_deadlines(registry(), each, region)
        together = workflow.toewijzing_deadlines(registry(), each, region, rows)
        assert together == alone, each.toewijzing_nummer
        stored = db.session.scalars(select(StoredDeadline).where(
            StoredDeadline.toewijzing_id == each.id)).all()
        assert sorted((d.kind, d.due, d.rule, d.message, d.shown_from) for d in stored) == \
            sorted((d.kind, d.due, d.rule, d.message, d.shown_from) for d in alone), \
            each.toewijzing_nummer
        kinds |= {deadline.kind for deadline in alone}
    # The scenario reaches every part of the workflow the dashboards show.
    assert {"plan_revision", "evaluation", "signal"} <= kinds
    assert any(d.rule == "GM-P4" and d.due == date(2026, 2, 27) for d in workflow.adjusted(
        registry().deadlines("geldrop_mierlo", facts_of(toewijzing, with_others=False)),
        workflow.approved_deviations(plan)))

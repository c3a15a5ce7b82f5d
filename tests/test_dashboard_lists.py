"""The dashboards at the scale of a real organisation (thousands of clients): clients a page at a
time with a search, the most urgent deadlines with a page of all of them, and deadlines that follow
what happens (they are stored, portal.deadlines, and recomputed by every commit that changes them).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import islice

from sqlalchemy import delete, func, select

from portal.accounts.models import Organisation, User
from portal.deadlines.models import StoredDeadline
from portal.deadlines.store import refresh_all
from portal.demo.data import demo_bsns
from portal.extensions import db
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import create_toewijzing
from portal.workdays import add_working_days
from tests.conftest import csrf_token_from, login
from tests.factories import toewijzing_input
from tests.test_plan_workflow import GM_PLAN, gm_plan

MANY = 30  # more than one page of clients (25)
BSNS = list(islice(demo_bsns(), 200, 200 + MANY))


def _many_clients(app, world) -> None:
    """MANY clients of aanbieder B in Geldrop-Mierlo, each with a toewijzing starting today (a
    plan, a reply, the start of support are due in the coming weeks), named Klant00 .. Klant29."""
    with app.app_context():
        geldrop = db.session.get(Organisation, world.geldrop)
        provider_b = db.session.get(Organisation, world.provider_b)
        for index, bsn in enumerate(BSNS):
            create_toewijzing(registry(), toewijzing_input(
                geldrop, provider_b, bsn, "02B02", 7000 + index, achternaam=f"Klant{index:02d}",
                ingangsdatum=date.today(), einddatum=date.today() + timedelta(days=365)))
            db.session.flush()
        db.session.commit()


def _logged_in(app, email):
    browser = app.test_client()
    login(browser, email)
    return browser


def _names(page: str) -> list[str]:
    """The surnames on the client cards, in the order shown."""
    return re.findall(r'<h3><a href="/clienten/\d+">[^<]*?(\w+)</a></h3>', page)


def test_clients_are_shown_a_page_at_a_time(app, world):
    _many_clients(app, world)
    browser = _logged_in(app, "b@aanbieder.test")
    first = browser.get("/").text
    assert len(_names(first)) == 25 and "31 cliënten, pagina 1 van 2" in first
    assert 'href="/?pagina=2"' in first
    second = browser.get("/?pagina=2").text
    shown = _names(first) + _names(second)
    # Every client once, in name order, over the two pages (the world's own client is Jansen).
    assert shown == sorted(shown) and len(shown) == len(set(shown)) == MANY + 1
    assert {f"Klant{i:02d}" for i in range(MANY)} <= set(shown)
    assert "pagina 2 van 2" in second and "Volgende" not in second
    # A page beyond the last shows the last; nonsense shows the first.
    assert _names(browser.get("/?pagina=99").text) == _names(second)
    assert _names(browser.get("/?pagina=x").text) == _names(first)


def test_a_client_is_found_by_name_or_whole_bsn_and_never_another_tenants(app, world):
    _many_clients(app, world)
    browser = _logged_in(app, "b@aanbieder.test")
    found = browser.get("/?zoek=klant07").text
    assert _names(found) == ["Klant07"] and "1 cliënt gevonden bij „klant07”" in found
    assert _names(browser.get(f"/?zoek={BSNS[12]}").text) == ["Klant12"]
    # Page links keep the search.
    assert 'href="/?pagina=2&amp;zoek=Klant"' in browser.get("/?zoek=Klant").text
    nothing = browser.get("/?zoek=Bestaatniet").text
    assert "Geen cliënt gevonden bij „Bestaatniet”" in nothing
    # The client of aanbieder A is not aanbieder B's, by name or by BSN.
    with app.app_context():
        other = db.session.get(Toewijzing, world.toewijzing_a).client
        other_name, other_bsn = other.achternaam, other.bsn
    assert "Geen cliënt gevonden" in browser.get(f"/?zoek={other_bsn}").text
    assert f"{other_name}</a></h3>" not in browser.get(f"/?zoek={other_name}").text


def test_the_dashboard_shows_the_most_urgent_deadlines_and_links_to_all(app, world):
    _many_clients(app, world)
    browser = _logged_in(app, "b@aanbieder.test")
    dashboard = browser.get("/").text
    section = dashboard[dashboard.index('id="termijnen"'):dashboard.index('id="plannen"')]
    assert section.count("<tr") == 1 + 10  # header and the ten most urgent
    assert 'href="/termijnen?sorteer=datum"' in section
    everything = browser.get("/termijnen").text
    with app.app_context():
        stored = db.session.scalar(select(func.count(StoredDeadline.id)).join(Toewijzing).where(
            Toewijzing.aanbieder_id == world.provider_b,
            StoredDeadline.due.between(date.today() - timedelta(days=30),
                                       date.today() + timedelta(days=90))))
    assert stored > 50  # more than one page of them
    assert f"{stored} termijnen uit de regels van de regio" in everything
    rows = everything.count("<tr") - 1 + browser.get("/termijnen?pagina=2").text.count("<tr") - 1
    assert rows == stored
    days = [date(int(y), int(m), int(d)) for d, m, y in
            re.findall(r"<tr[^>]*>\s*<td>(\d\d)-(\d\d)-(\d{4})", everything)]
    assert days == sorted(days) and len(days) == 50
    by_client = browser.get("/termijnen?sorteer=client").text
    names = re.findall(r'">[^<]*?(Klant\d\d)</a></td>', by_client)
    assert names == sorted(names)
    # Another organisation's deadlines are not there.
    other = _logged_in(app, "a@aanbieder.test").get("/termijnen").text
    assert "Klant" not in other


def test_deadlines_follow_what_is_done_in_the_portal(app, world):
    """A plan discussed five werkdagen ago asks support to start by today (GM-P6); once the
    aanbieder records the start on the plan's page, the dashboard no longer asks it."""
    with app.app_context(), app.test_request_context():
        users = {name: db.session.get(User, user_id) for name, user_id in world.users.items()}
        discussed = add_working_days(date.today(), -5)
        plan = gm_plan(users, db.session.get(Toewijzing, world.toewijzing_b),
                       {**GM_PLAN, "datum_besproken": discussed.isoformat()})
        db.session.commit()
        plan_id = plan.id
    browser = _logged_in(app, "b@aanbieder.test")
    assert "GM-P6" in browser.get("/termijnen").text
    page = browser.get(f"/plannen/{plan_id}").text
    answer = browser.post(f"/plannen/{plan_id}/start-ondersteuning", data={
        "csrf_token": csrf_token_from(page), "start_ondersteuning": date.today().isoformat()},
        follow_redirects=True)
    assert "De start van de ondersteuning is vastgelegd." in answer.text
    assert "GM-P6" not in browser.get("/termijnen").text


def test_init_db_style_refresh_restores_what_bulk_writes_missed(app, world):
    """Rows written around the session's listener (bulk inserts) get their deadlines from
    refresh_all, which `wmo-portal init-db` and the demo data run."""
    with app.app_context():
        before = sorted(db.session.execute(select(
            StoredDeadline.toewijzing_id, StoredDeadline.kind, StoredDeadline.due,
            StoredDeadline.rule)).all())
        assert before
        db.session.execute(delete(StoredDeadline))
        db.session.commit()
        assert refresh_all(db.session) == len(before)
        db.session.commit()
        assert sorted(db.session.execute(select(
            StoredDeadline.toewijzing_id, StoredDeadline.kind, StoredDeadline.due,
            StoredDeadline.rule)).all()) == before


def test_a_failed_commit_leaves_the_stored_deadlines_as_they_were(app, world):
    with app.app_context():
        count_before = db.session.scalar(select(func.count(StoredDeadline.id)))
        toewijzing = db.session.get(Toewijzing, world.toewijzing_b)
        toewijzing.einddatum = toewijzing.einddatum + timedelta(days=400)
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count(StoredDeadline.id))) == count_before
        # And a commit that changes the toewijzing's period moves its deadlines.
        toewijzing = db.session.get(Toewijzing, world.toewijzing_b)
        last = db.session.scalar(select(func.max(StoredDeadline.due)).where(
            StoredDeadline.toewijzing_id == toewijzing.id))
        toewijzing.einddatum = toewijzing.einddatum + timedelta(days=400)
        db.session.commit()
        assert db.session.scalar(select(func.max(StoredDeadline.due)).where(
            StoredDeadline.toewijzing_id == toewijzing.id)) > last


def test_a_submitted_plan_and_a_recorded_start_leave_the_deadlines(app, world):
    """A new toewijzing asks a plan (GM-P4) and the start of support (GM-P8). Once the aanbieder
    has submitted a plan, the plan is no longer listed as due; once the start is recorded, the start
    is not either. The client's reply (GM-P5) stays: the portal does not see it
    (portal.plans.workflow.still_open)."""
    with app.app_context(), app.test_request_context():
        users = {name: db.session.get(User, user_id) for name, user_id in world.users.items()}
        toewijzing, _ = create_toewijzing(registry(), toewijzing_input(
            db.session.get(Organisation, world.geldrop),
            db.session.get(Organisation, world.provider_b), BSNS[0], "02B02", 7100,
            achternaam="Nieuwkomer", ingangsdatum=date.today(),
            einddatum=date.today() + timedelta(days=365)))
        db.session.commit()
        toewijzing_id = toewijzing.id
    browser = _logged_in(app, "b@aanbieder.test")

    def listed() -> set[str]:
        page = browser.get("/termijnen?sorteer=client").text
        rows = [row for row in page.split("<tr")[1:] if "Nieuwkomer" in row]
        return {rule for row in rows for rule in re.findall(r"\((GM-[A-Z]+\d+)", row)}

    assert {"GM-P4", "GM-P5", "GM-P8"} <= listed()
    with app.app_context(), app.test_request_context():
        users = {name: db.session.get(User, user_id) for name, user_id in world.users.items()}
        plan = gm_plan(users, db.session.get(Toewijzing, toewijzing_id), approve=False)
        db.session.commit()
        plan_id = plan.id
    after_plan = listed()
    assert "GM-P4" not in after_plan and {"GM-P5", "GM-P8"} <= after_plan
    page = browser.get(f"/plannen/{plan_id}").text
    answer = browser.post(f"/plannen/{plan_id}/start-ondersteuning", data={
        "csrf_token": csrf_token_from(page), "start_ondersteuning": date.today().isoformat()},
        follow_redirects=True)
    assert "De start van de ondersteuning is vastgelegd." in answer.text
    after_start = listed()
    assert "GM-P8" not in after_start and "GM-P5" in after_start

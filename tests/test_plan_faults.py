"""Nothing lost for plans, evaluations and review decisions: every step is one transaction. The
database fails in the middle of a step (after the step's first write was flushed, or just before
its commit with every write flushed, or it is gone altogether): the user gets a clear Dutch answer
(503: nothing was saved, try again), the database holds exactly what it held before, and the same
step, sent again as it was, then succeeds. Through the pages and through the API; and for real,
a gunicorn worker killed while its submission is written but not committed (SQLite and PostgreSQL).

And concurrent edits of one plan are refused, never merged: a save or submission that started from
an older state of the plan (another tab, another program) gets 409 and the newer save stays.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from portal.accounts.models import User
from portal.audit.models import AuditLog
from portal.extensions import db, utcnow
from portal.plans import workflow
from portal.plans.models import (
    EVALUATION,
    PLAN,
    Deviation,
    EvaluationDue,
    Plan,
    SupportStart,
    ToewijzingResult,
)
from portal.plans.services import Draft, decide, save, start, submit
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing
from portal.workdays import add_working_days
from tests.api_support import PROBLEM, bearer, make_token, tokens  # noqa: F401 (fixture)
from tests.conftest import csrf_token_from, login
from tests.test_berichten_upload import declarable  # noqa: F401  (a fixture)
from tests.test_plan_pages import region_world
from tests.test_plan_rules import GOOD
from tests.test_serve import free_port, log_in

TODAY = date.today()
NOTHING_SAVED = "Er ging iets mis bij het opslaan; er is niets opgeslagen. Probeer het opnieuw."

FIRST_WRITE, BEFORE_COMMIT, GONE = "first write flushed", "all flushed, before commit", "gone"


# -- the failing database --------------------------------------------------------------------------

class DatabaseFault:
    """Makes the database fail once, at one moment of the next step (``arm``), as a dropped
    connection or a full disk would: FIRST_WRITE raises after the first flush that wrote a row of
    the step (its audit rows are written in that flush too), BEFORE_COMMIT flushes everything the
    step wrote and raises instead of committing; GONE fails every statement until disarmed."""

    def __init__(self) -> None:
        self.armed: str | None = None
        self.fired = 0
        self.commits_to_let_through = 0

    def arm(self, moment: str, commits_to_let_through: int = 0) -> None:
        self.armed, self.commits_to_let_through = moment, commits_to_let_through

    def disarm(self) -> None:
        self.armed = None

    def _fail(self, statement: str):
        self.fired += 1
        if self.armed != GONE:
            self.armed = None  # once: the step sent again succeeds
        raise OperationalError(statement, {}, Exception("server closed the connection "
                                                        "unexpectedly"))

    def after_flush(self, session, _context) -> None:
        written = [*session.new, *session.dirty, *session.deleted]
        if self.armed == FIRST_WRITE and any(not isinstance(o, AuditLog) for o in written):
            self._fail("INSERT INTO audit_log ...")

    def before_commit(self, session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint's release: the transaction is still to commit
        if self.armed == BEFORE_COMMIT and self.commits_to_let_through:
            self.commits_to_let_through -= 1
        elif self.armed == BEFORE_COMMIT:
            session.flush()  # every write of the step is in the database's transaction
            self._fail("COMMIT")

    def before_cursor_execute(self, *_args) -> None:
        if self.armed == GONE:
            self._fail("SELECT 1")


@pytest.fixture
def fault():
    broken = DatabaseFault()
    listeners = [(Session, "after_flush", broken.after_flush),
                 (Session, "before_commit", broken.before_commit),
                 (Engine, "before_cursor_execute", broken.before_cursor_execute)]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    yield broken
    for target, name, listener in listeners:
        event.remove(target, name, listener)


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with app.app_context():
        return {table.name: [tuple(row) for row in db.session.execute(
            select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables}


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


# -- a browser's form ------------------------------------------------------------------------------

class _FormReader(HTMLParser):
    """The fields of one form as a browser posts them: inputs with their values (checked boxes
    only), textareas, and each select's selected option (or its first)."""

    def __init__(self, form_class: str) -> None:
        super().__init__()
        self.form_class, self.inside = form_class, False
        self.fields: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def _add(self, name: str | None, value: str) -> None:
        if name:
            self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.form_class in (a.get("class") or "").split():
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(a.get("name"), a.get("value") or "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._add(self._textarea, "")
        elif tag == "select":
            self._select, self._first_option, self._selected = a.get("name"), None, False
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._add(self._select, value)
                self._selected = True

    def handle_data(self, data):
        if self.inside and self._textarea:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._selected and self._first_option is not None:
                self._add(self._select, self._first_option)
            self._select = None


def form_fields(html: str, form_class: str = "plan-form") -> dict[str, list[str]]:
    reader = _FormReader(form_class)
    reader.feed(html)
    assert reader.fields, f"no form of class {form_class} on the page"
    return reader.fields


# -- the people and their plans --------------------------------------------------------------------

PROVIDER_A, APELDOORN = "a@aanbieder.test", "apeldoorn@gemeente.test"  # Midden-IJssel
PROVIDER_B, GELDROP = "b@aanbieder.test", "geldrop@gemeente.test"  # Geldrop-Mierlo


def no_rules(_content) -> list:
    """Setting up through the services: the contents are the regions' good ones (GOOD)."""
    return []


class Acting:
    """The services in an app and request context, as the users of the test world."""

    def __init__(self, app, world) -> None:
        self.app, self.world = app, world

    def __enter__(self):
        self._app_context = self.app.app_context()
        self._app_context.push()
        self._request_context = self.app.test_request_context()
        self._request_context.push()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            db.session.commit()
        self._request_context.pop()
        self._app_context.pop()

    def user(self, name: str) -> User:
        return db.session.get(User, self.world.users[name])

    def toewijzing(self, toewijzing_id: int) -> Toewijzing:
        return db.session.get(Toewijzing, toewijzing_id)

    def plan(self, toewijzing_id: int, provider: str, content: dict, kind: str = PLAN,
             to: str = "concept", gemeente: str | None = None) -> Plan:
        """A plan (or evaluation) saved with ``content`` and taken ``to`` a state."""
        plan = start(self.user(provider), self.toewijzing(toewijzing_id), kind)
        save(self.user(provider), plan, plan.lock_version, Draft(dict(content)), no_rules)
        if to != "concept":
            submit(self.user(provider), plan, plan.lock_version, no_rules)
        if to in ("goedgekeurd", "teruggestuurd"):
            decide(self.user(gemeente), plan, "goedkeuren" if to == "goedgekeurd"
                   else "terugsturen", {}, "Maak de doelen concreter.")
        db.session.flush()
        return plan


# Geldrop-Mierlo: an approved plan discussed two werkdagen ago, whose one evaluation moment was
# six werkdagen ago (so it can be signalled, or replaced by a later agreed date).
DISCUSSED, MISSED = add_working_days(TODAY, -2), add_working_days(TODAY, -6)


def gm_plan(acting: Acting) -> Plan:
    goal = GOOD[("geldrop_mierlo", "plan")]["doelen"][0]
    content = {**GOOD[("geldrop_mierlo", "plan")], "datum_besproken": DISCUSSED.isoformat(),
               "doelen": [{**goal, "evaluatiemoment": MISSED.isoformat()}]}
    return acting.plan(acting.world.toewijzing_b, "aanbieder_b", content, to="goedgekeurd",
                       gemeente="gemeente_geldrop")


def mij_plan(acting: Acting, to: str = "concept", content: dict | None = None) -> Plan:
    return acting.plan(acting.world.toewijzing_a, "aanbieder_a",
                       GOOD[("midden_ijssel", "plan")] if content is None else content, to=to,
                       gemeente="gemeente_apeldoorn")


def read(app, what: Callable):
    with app.app_context():
        return what()


def plan_state(app, plan_id: int) -> tuple[str, int]:
    """The plan's state and its number of versions."""
    def state():
        plan = db.session.get(Plan, plan_id)
        return plan.state, len(plan.versions)
    return read(app, state)


def count(app, model, *where) -> int:
    return read(app, lambda: len(db.session.scalars(select(model).where(*where)).all()))


# -- every step through the pages ------------------------------------------------------------------

@dataclass(frozen=True)
class PageStep:
    """One state-changing step in the browser: who takes it, what it starts from, the form as the
    browser posts it (the page is opened first), and what shows that it was taken."""

    name: str
    who: str
    prepare: Callable[[Acting], dict]
    form: Callable[[object, dict], tuple[str, dict]]
    done: Callable[[object, dict], bool]
    kept: str | None = None  # typed text the failed answer still holds in its form


def on_page(page: str, url: str | None = None, **data) -> Callable:
    """A small form (CSRF token and ``data``) on ``page``, posted to ``url``."""
    def form(client, ids):
        html = client.get(page.format(**ids)).text
        return (url or page).format(**ids), {"csrf_token": csrf_token_from(html), **data}
    return form


def plan_form(button: str, **typed) -> Callable:
    """The plan's own form as it stands on its page, with ``typed`` changes, and one button."""
    def form(client, ids):
        fields = form_fields(client.get(f"/plannen/{ids['plan']}").text)
        return f"/plannen/{ids['plan']}", {**fields, **typed, button: "1"}
    return form


def prepare_start(acting):
    return {"toewijzing": acting.world.toewijzing_a, "client": acting.world.client_a}


def prepare_concept(acting):
    return {"plan": mij_plan(acting, content={}).id}


def prepare_saved_plan(acting):
    return {"plan": mij_plan(acting).id}


def prepare_evaluation(acting):
    mij_plan(acting, to="goedgekeurd")
    # The evaluation looks back on the approved plan's own goal.
    review = [{**GOOD[("midden_ijssel", "evaluation")]["kijk_terug"][0],
               "doel": GOOD[("midden_ijssel", "plan")]["doelen"][0]["doel"]}]
    evaluation = acting.plan(acting.world.toewijzing_a, "aanbieder_a",
                             {**GOOD[("midden_ijssel", "evaluation")], "kijk_terug": review},
                             kind=EVALUATION)
    return {"plan": evaluation.id}


def prepare_submitted(acting):
    return {"plan": mij_plan(acting, to="ingediend").id}


def prepare_returned(acting):
    return {"plan": mij_plan(acting, to="teruggestuurd").id}


def prepare_gm(acting):
    return {"plan": gm_plan(acting).id}


def prepare_deviation(acting):
    plan = gm_plan(acting)
    deviation = workflow.request_deviation(
        acting.user("aanbieder_b"), plan, workflow.templates_for(registry(), plan), "GM-P6",
        "Cliënt op vakantie", DISCUSSED + timedelta(days=21))
    db.session.flush()
    return {"plan": plan.id, "deviation": deviation.id}


def prepare_results(acting):
    ids = region_world(acting.app, "midden_limburg", "BGI", perceel="1", grondslag="PSY")
    toewijzing = db.session.scalar(select(Toewijzing).where(Toewijzing.client_id == ids["client"]))
    return {"toewijzing": toewijzing.id, "gemeente": toewijzing.gemeente_id}


def prepare_result_to_remove(acting):
    ids = prepare_results(acting)
    gemeente = db.session.scalar(select(User).where(User.email == "g@gemeente.test"))
    row = ToewijzingResult(toewijzing_id=ids["toewijzing"], recorded_by_id=gemeente.id,
                           recorded_at=utcnow(),
                           values={"resultaat": "Zelf koken", "activiteitstype": "helpen"})
    db.session.add(row)
    db.session.flush()
    return {**ids, "result": row.id}


PAGE_STEPS = [
    PageStep("start a plan", PROVIDER_A, prepare_start,
             on_page("/clienten/{client}", "/plannen/nieuw/{toewijzing}/plan"),
             lambda app, ids: count(app, Plan, Plan.toewijzing_id == ids["toewijzing"]) == 1),
    PageStep("save the concept", PROVIDER_A, prepare_concept,
             plan_form("opslaan", opsteller="A. Jansen, begeleider"),
             lambda app, ids: read(app, lambda: db.session.get(Plan, ids["plan"]).current
                                   .content.get("opsteller")) == "A. Jansen, begeleider",
             kept="A. Jansen, begeleider"),
    PageStep("submit the plan", PROVIDER_A, prepare_saved_plan,
             plan_form("indienen", regie="Samen met de cliënt en zijn zus opgesteld"),
             lambda app, ids: plan_state(app, ids["plan"]) == ("ingediend", 1),
             kept="Samen met de cliënt en zijn zus opgesteld"),
    PageStep("submit the evaluation", PROVIDER_A, prepare_evaluation,
             plan_form("indienen", stand_van_zaken="Stabiel, de post ligt niet meer op de mat"),
             lambda app, ids: plan_state(app, ids["plan"]) == ("ingediend", 1),
             kept="Stabiel, de post ligt niet meer op de mat"),
    PageStep("approve", APELDOORN, prepare_submitted,
             on_page("/plannen/{plan}/beoordelen", besluit="goedkeuren"),
             lambda app, ids: plan_state(app, ids["plan"]) == ("goedgekeurd", 1)),
    PageStep("return with comments", APELDOORN, prepare_submitted,
             on_page("/plannen/{plan}/beoordelen", besluit="terugsturen",
                     opmerking_algemeen="Maak de doelen meetbaar."),
             lambda app, ids: plan_state(app, ids["plan"]) == ("teruggestuurd", 1)),
    PageStep("make a new version", PROVIDER_A, prepare_returned,
             on_page("/plannen/{plan}", "/plannen/{plan}/nieuwe-versie"),
             lambda app, ids: plan_state(app, ids["plan"]) == ("concept", 2)),
    PageStep("ask to deviate", PROVIDER_B, prepare_gm,
             on_page("/plannen/{plan}", "/plannen/{plan}/afwijking", regel="GM-P6",
                     reden="Cliënt op vakantie",
                     nieuwe_datum=(DISCUSSED + timedelta(days=21)).isoformat()),
             lambda app, ids: count(app, Deviation, Deviation.plan_id == ids["plan"]) == 1),
    PageStep("decide on a deviation", GELDROP, prepare_deviation,
             on_page("/plannen/{plan}", "/plannen/{plan}/afwijking/{deviation}",
                     besluit="goedkeuren"),
             lambda app, ids: read(app, lambda: db.session.get(
                 Deviation, ids["deviation"]).state) == "goedgekeurd"),
    PageStep("record the start of support", PROVIDER_B, prepare_gm,
             on_page("/plannen/{plan}", "/plannen/{plan}/start-ondersteuning",
                     start_ondersteuning=TODAY.isoformat()),
             lambda app, ids: count(app, SupportStart) == 1),
    PageStep("signal a missing report", GELDROP, prepare_gm,
             on_page("/plannen/{plan}", "/plannen/{plan}/signaleren", gemist=MISSED.isoformat()),
             lambda app, ids: count(app, EvaluationDue, EvaluationDue.kind == "signalering") == 1),
    PageStep("ask an extra evaluation", GELDROP, prepare_gm,
             on_page("/plannen/{plan}", "/plannen/{plan}/extra-evaluatie",
                     uiterlijk=add_working_days(TODAY, 20).isoformat(), reden="Zorgen"),
             lambda app, ids: count(app, EvaluationDue, EvaluationDue.kind == "extra") == 1),
    PageStep("agree a later date", GELDROP, prepare_gm,
             on_page("/plannen/{plan}", "/plannen/{plan}/afgesproken-datum",
                     vervangt=MISSED.isoformat(),
                     nieuwe_datum=(MISSED + timedelta(days=30)).isoformat(), reden="Vakantie"),
             lambda app, ids: count(app, EvaluationDue, EvaluationDue.kind == "afgesproken") == 1),
    PageStep("record a result of the toewijzing", "g@gemeente.test", prepare_results,
             on_page("/plannen/toewijzing/{toewijzing}/resultaten",
                     deel_resultaat="Zelf boodschappen doen", deel_activiteitstype="helpen"),
             lambda app, ids: count(app, ToewijzingResult) == 1),
    PageStep("remove a result of the toewijzing", "g@gemeente.test", prepare_result_to_remove,
             on_page("/plannen/toewijzing/{toewijzing}/resultaten", verwijder="{result}"),
             lambda app, ids: count(app, ToewijzingResult) == 0),
]


def _formatted(data: dict, ids: dict) -> dict:
    return {key: value.format(**ids) if isinstance(value, str) else value
            for key, value in data.items()}


@pytest.mark.parametrize("moment", [FIRST_WRITE, BEFORE_COMMIT])
@pytest.mark.parametrize("step", PAGE_STEPS, ids=[s.name for s in PAGE_STEPS])
def test_a_step_on_the_pages_that_fails_in_the_middle_leaves_nothing_and_can_be_retried(
        client, app, world, fault, step, moment):
    with Acting(app, world) as acting:
        ids = step.prepare(acting)
    login(client, step.who)
    url, data = step.form(client, ids)
    data = _formatted(data, ids)
    before = snapshot(app)

    fault.arm(moment)
    failed = client.post(url, data=data)
    assert fault.fired == 1, "the step never reached the database"
    assert failed.status_code == 503
    assert failed.mimetype == "text/html"
    assert NOTHING_SAVED in failed.text
    assert "Traceback" not in failed.text
    if step.kept:  # the plan's own form comes back with what was typed, not an error page
        assert step.kept in failed.text and 'name="lock_version"' in failed.text
    assert changed_tables(before, snapshot(app)) == []
    assert not step.done(app, ids)

    # The database is back: the same form, sent again as it was, goes through.
    retried = client.post(url, data=data)
    assert retried.status_code == 302, retried.text
    assert step.done(app, ids)
    assert "audit_log" in changed_tables(before, snapshot(app))


def test_with_the_database_gone_a_page_still_says_what_happened(client, app, world, fault):
    with Acting(app, world) as acting:
        ids = prepare_saved_plan(acting)
    login(client, PROVIDER_A)
    url, data = plan_form("indienen")(client, ids)
    before = snapshot(app)

    fault.arm(GONE)  # every statement fails, also reading who is logged in
    failed = client.post(url, data=data)
    fault.disarm()
    assert failed.status_code == 503 and NOTHING_SAVED in failed.text
    assert "Traceback" not in failed.text
    fault.arm(GONE)
    page = client.get(url)
    fault.disarm()
    assert page.status_code == 503
    assert "De gegevens konden nu niet worden gelezen. Probeer het zo opnieuw." in page.text
    assert changed_tables(before, snapshot(app)) == []
    assert client.post(url, data=data).status_code == 302
    assert plan_state(app, ids["plan"]) == ("ingediend", 1)


def test_a_failure_after_part_of_a_request_was_committed_does_not_say_nothing_was_saved(
        client, app, declarable, fault):
    """An upload commits its bytes before it processes them; when the database fails after that,
    the answer does not claim that nothing was saved, and the upload is there to process again."""
    from portal.berichten.models import Upload
    from tests.test_berichten_upload import as_user, good_declaration, upload

    as_user(client, "aanbieder_a")
    fault.arm(BEFORE_COMMIT, commits_to_let_through=1)  # the bytes' commit goes through
    failed = upload(client, good_declaration())
    assert fault.fired == 1
    assert failed.status_code == 503 and NOTHING_SAVED not in failed.text
    assert "de laatste stap is niet opgeslagen" in failed.text
    assert read(app, lambda: db.session.scalars(select(Upload.status)).all()) == ["ontvangen"]


# -- every step through the API --------------------------------------------------------------------

@dataclass(frozen=True)
class ApiStep:
    """One state-changing plan endpoint: whose token, what it starts from, the request (the plan
    is read first, for its lock_version), the status of success, and what shows it was taken."""

    name: str
    token: str
    prepare: Callable[[Acting], dict]
    send: Callable[[object, dict, dict], object]
    status: int
    done: Callable[[object, dict], bool]


def lock_of(client, headers, plan_id: int) -> int:
    return client.get(f"/api/v1/plannen/{plan_id}", headers=headers).get_json()["lock_version"]


def api_submit(client, ids, headers):
    lock = lock_of(client, headers, ids["plan"])
    return lambda: client.post(f"/api/v1/plannen/{ids['plan']}/indienen", headers=headers,
                               json={"lock_version": lock})


def api_save(client, ids, headers):
    lock = lock_of(client, headers, ids["plan"])
    return lambda: client.put(f"/api/v1/plannen/{ids['plan']}/concept", headers=headers,
                              json={"lock_version": lock, "content": {"opsteller": "A. Jansen"}})


def api_decision(action: str, **extra) -> Callable:
    def send(client, ids, headers):
        return lambda: client.post(f"/api/v1/plannen/{ids['plan']}/beoordeling", headers=headers,
                                   json={"action": action, **extra})
    return send


def api_call(path: str, body: dict | None = None, method: str = "POST") -> Callable:
    def send(client, ids, headers):
        return lambda: client.open(f"/api/v1{path.format(**ids)}", method=method,
                                   headers=headers, json=body)
    return send


API_STEPS = [
    ApiStep("start a plan", "aanbieder_a", prepare_start,
            lambda client, ids, headers: lambda: client.post(
                "/api/v1/plannen", headers=headers,
                json={"toewijzing_id": ids["toewijzing"], "kind": "plan"}),
            201, lambda app, ids: count(app, Plan, Plan.toewijzing_id == ids["toewijzing"]) == 1),
    ApiStep("save the concept", "aanbieder_a", prepare_concept, api_save, 200,
            lambda app, ids: read(app, lambda: db.session.get(Plan, ids["plan"]).current
                                  .content) == {"opsteller": "A. Jansen"}),
    ApiStep("submit the plan", "aanbieder_a", prepare_saved_plan, api_submit, 200,
            lambda app, ids: plan_state(app, ids["plan"]) == ("ingediend", 1)),
    ApiStep("submit the evaluation", "aanbieder_a", prepare_evaluation, api_submit, 200,
            lambda app, ids: plan_state(app, ids["plan"]) == ("ingediend", 1)),
    ApiStep("approve", "apeldoorn", prepare_submitted, api_decision("goedkeuren"), 200,
            lambda app, ids: plan_state(app, ids["plan"]) == ("goedgekeurd", 1)),
    ApiStep("return with comments", "apeldoorn", prepare_submitted,
            api_decision("terugsturen", general_comment="Maak de doelen meetbaar."), 200,
            lambda app, ids: plan_state(app, ids["plan"]) == ("teruggestuurd", 1)),
    ApiStep("make a new version", "aanbieder_a", prepare_returned,
            lambda client, ids, headers: lambda: client.post(
                f"/api/v1/plannen/{ids['plan']}/nieuwe-versie", headers=headers),
            201, lambda app, ids: plan_state(app, ids["plan"]) == ("concept", 2)),
    # The plan's workflow (portal/api/werkwijze.py), as on the plan's page.
    ApiStep("ask to deviate", "aanbieder_b", prepare_gm,
            api_call("/plannen/{plan}/afwijkingen", {
                "rule": "GM-P6", "reason": "Cliënt op vakantie",
                "new_due": (DISCUSSED + timedelta(days=21)).isoformat()}),
            200, lambda app, ids: count(app, Deviation, Deviation.plan_id == ids["plan"]) == 1),
    ApiStep("decide on a deviation", "geldrop", prepare_deviation,
            api_call("/plannen/{plan}/afwijkingen/{deviation}/besluit", {"action": "goedkeuren"}),
            200, lambda app, ids: read(app, lambda: db.session.get(
                Deviation, ids["deviation"]).state) == "goedgekeurd"),
    ApiStep("record the start of support", "aanbieder_b", prepare_gm,
            api_call("/plannen/{plan}/start-ondersteuning", {"started_on": TODAY.isoformat()}),
            200, lambda app, ids: count(app, SupportStart) == 1),
    ApiStep("signal a missing report", "geldrop", prepare_gm,
            api_call("/plannen/{plan}/signaleringen", {"missed": MISSED.isoformat()}),
            200, lambda app, ids: count(app, EvaluationDue, EvaluationDue.kind == "signalering")
            == 1),
    ApiStep("ask an extra evaluation", "geldrop", prepare_gm,
            api_call("/plannen/{plan}/extra-evaluatie", {
                "due": add_working_days(TODAY, 20).isoformat(), "reason": "Zorgen"}),
            200, lambda app, ids: count(app, EvaluationDue, EvaluationDue.kind == "extra") == 1),
    ApiStep("agree a later date", "geldrop", prepare_gm,
            api_call("/plannen/{plan}/afgesproken-datum", {
                "replaces": MISSED.isoformat(),
                "due": (MISSED + timedelta(days=30)).isoformat(), "reason": "Vakantie"}),
            200, lambda app, ids: count(app, EvaluationDue, EvaluationDue.kind == "afgesproken")
            == 1),
    ApiStep("record a result of the toewijzing", "gemeente", prepare_results,
            api_call("/toewijzingen/{toewijzing}/resultaten", {"values": {
                "resultaat": "Zelf boodschappen doen", "activiteitstype": "helpen"}}),
            201, lambda app, ids: count(app, ToewijzingResult) == 1),
    ApiStep("remove a result of the toewijzing", "gemeente", prepare_result_to_remove,
            api_call("/toewijzingen/{toewijzing}/resultaten/{result}", method="DELETE"),
            200, lambda app, ids: count(app, ToewijzingResult) == 0),
]


@pytest.mark.parametrize("moment", [FIRST_WRITE, BEFORE_COMMIT])
@pytest.mark.parametrize("step", API_STEPS, ids=[s.name for s in API_STEPS])
def test_an_api_step_that_fails_in_the_middle_leaves_nothing_and_can_be_retried(
        client, app, world, tokens, fault, step, moment):
    with Acting(app, world) as acting:
        ids = step.prepare(acting)
    # The same Idempotency-Key throughout: a failed request does not use it up.
    secret = tokens.get(step.token) or make_token(app, ids[step.token])  # the region's gemeente
    headers = bearer(secret, **{"Idempotency-Key": f"{step.name} {moment}"})
    send = step.send(client, ids, headers)
    before = snapshot(app)

    fault.arm(moment)
    failed = send()
    assert fault.fired == 1, "the step never reached the database"
    assert failed.status_code == 503 and failed.mimetype == PROBLEM
    problem = failed.get_json()
    assert problem["status"] == 503 and problem["detail"] == NOTHING_SAVED
    assert changed_tables(before, snapshot(app)) == []
    assert not step.done(app, ids)

    retried = send()
    assert retried.status_code == step.status, retried.get_json()
    assert "Idempotent-Replayed" not in retried.headers
    assert step.done(app, ids)
    after = snapshot(app)
    assert "audit_log" in changed_tables(before, after)
    replayed = send()  # the client did not hear the answer and sends it once more
    assert replayed.status_code == step.status
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert changed_tables(after, snapshot(app)) == []


def test_with_the_database_gone_the_api_answers_a_problem(client, app, world, tokens, fault):
    with Acting(app, world) as acting:
        ids = prepare_saved_plan(acting)
    headers = bearer(tokens["aanbieder_a"])
    send = api_submit(client, ids, headers)
    fault.arm(GONE)  # every statement fails, the token's look-up first
    failed, read_back = send(), client.get(f"/api/v1/plannen/{ids['plan']}", headers=headers)
    fault.disarm()
    assert failed.status_code == 503 and failed.mimetype == PROBLEM
    assert failed.get_json()["detail"] == NOTHING_SAVED
    assert read_back.status_code == 503 and read_back.mimetype == PROBLEM
    assert "niet worden gelezen" in read_back.get_json()["detail"]
    assert send().status_code == 200


# -- concurrent edits: refused, never merged -------------------------------------------------------

class MeanwhileSaved:
    """Another tab's step, committed on its own connection between this request's reading and
    its first write statement (the moment no check of what was read can cover): ``statements``
    (SQL with the ids of the test as parameters, e.g. ``:plan``), by default a save of the
    concept."""

    CONTENT = {"opsteller": "Saved in the other tab"}
    BUMP = "UPDATE plan SET lock_version = lock_version + 1 WHERE id = :plan"  # every change does
    SAVE = ("UPDATE plan_version SET content = '{\"opsteller\": \"Saved in the other tab\"}' "
            "WHERE plan_id = :plan", BUMP)
    APPROVAL = ("UPDATE plan_version SET state = 'goedgekeurd' WHERE plan_id = :plan",
                "UPDATE plan SET state = 'goedgekeurd' WHERE id = :plan", BUMP)

    def __init__(self, app, ids: dict, statements: tuple[str, ...]) -> None:
        self.url, self.ids, self.done = app.config["SQLALCHEMY_DATABASE_URI"], ids, False
        self.statements = statements

    def before_cursor_execute(self, _connection, _cursor, statement: str, *_args) -> None:
        if self.done or not statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            return
        self.done = True  # before the other's own statements pass this listener
        other = create_engine(self.url, poolclass=NullPool)
        try:
            with other.begin() as connection:
                for statement_ in self.statements:
                    connection.execute(text(statement_), self.ids)
        finally:
            other.dispose()


@pytest.fixture
def meanwhile(app):
    """``meanwhile(ids, statements)``: the other's step, just before this request's first write
    statement."""
    listeners = []

    def arm(ids: dict, statements: tuple[str, ...] = MeanwhileSaved.SAVE) -> MeanwhileSaved:
        other = MeanwhileSaved(app, ids, statements)
        event.listen(Engine, "before_cursor_execute", other.before_cursor_execute)
        listeners.append(other.before_cursor_execute)
        return other

    yield arm
    for listener in listeners:
        event.remove(Engine, "before_cursor_execute", listener)


def stored_content(app, plan_id: int) -> dict:
    return read(app, lambda: db.session.get(Plan, plan_id).current.content)


@pytest.mark.parametrize("button", ["opslaan", "indienen"])
def test_a_page_save_or_submission_from_an_older_state_is_refused(client, app, world, button):
    with Acting(app, world) as acting:
        ids = prepare_saved_plan(acting)
    login(client, PROVIDER_A)
    url, old_tab = plan_form(button, opsteller="Typed in the old tab")(client, ids)
    newer = client.post(url, data={**plan_form("opslaan", opsteller="Saved in the new tab")(
        client, ids)[1]})
    assert newer.status_code == 302

    refused = client.post(url, data=old_tab)
    assert refused.status_code == 409
    assert "niet opgeslagen maar staan nog in het formulier" in refused.text
    assert "Typed in the old tab" in refused.text  # still in the form, to take over
    assert stored_content(app, ids["plan"])["opsteller"] == "Saved in the new tab"
    assert plan_state(app, ids["plan"]) == ("concept", 1)


@pytest.mark.parametrize("button", ["opslaan", "indienen"])
def test_a_page_save_racing_another_is_refused_not_merged(client, app, world, meanwhile, button):
    with Acting(app, world) as acting:
        ids = prepare_saved_plan(acting)
    login(client, PROVIDER_A)
    url, data = plan_form(button, opsteller="Typed in this tab")(client, ids)
    before = snapshot(app)
    meanwhile(ids)

    refused = client.post(url, data=data)
    assert refused.status_code == 409
    assert "Iemand anders sloeg dit plan tegelijk op" in refused.text
    assert "Typed in this tab" in refused.text
    assert stored_content(app, ids["plan"]) == MeanwhileSaved.CONTENT
    assert plan_state(app, ids["plan"]) == ("concept", 1)
    assert changed_tables(before, snapshot(app)) == ["plan", "plan_version"]  # the other's save


@pytest.mark.parametrize("endpoint", ["concept", "indienen"])
def test_an_api_save_or_submission_from_an_older_state_is_refused(client, app, world, tokens,
                                                                  endpoint):
    with Acting(app, world) as acting:
        ids = prepare_saved_plan(acting)
    headers = bearer(tokens["aanbieder_a"])
    url = f"/api/v1/plannen/{ids['plan']}"
    old = lock_of(client, headers, ids["plan"])
    assert client.put(f"{url}/concept", headers=headers, json={
        "lock_version": old, "content": {"opsteller": "Saved by the other program"}}
    ).status_code == 200

    body = {"lock_version": old}
    if endpoint == "concept":
        body["content"] = {"opsteller": "Sent from an older state"}
    refused = (client.put if endpoint == "concept" else client.post)(
        f"{url}/{endpoint}", headers=headers, json=body)
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    assert "opgeslagen nadat u het opende" in refused.get_json()["detail"]
    assert stored_content(app, ids["plan"])["opsteller"] == "Saved by the other program"
    assert plan_state(app, ids["plan"]) == ("concept", 1)


@pytest.mark.parametrize("endpoint", ["concept", "indienen"])
def test_an_api_save_racing_another_is_refused_not_merged(client, app, world, tokens, meanwhile,
                                                          endpoint):
    with Acting(app, world) as acting:
        ids = prepare_saved_plan(acting)
    headers = bearer(tokens["aanbieder_a"])
    url = f"/api/v1/plannen/{ids['plan']}"
    lock = lock_of(client, headers, ids["plan"])
    body = {"lock_version": lock}
    if endpoint == "concept":
        body["content"] = {"opsteller": "Sent by this program"}
    before = snapshot(app)
    meanwhile(ids)

    refused = (client.put if endpoint == "concept" else client.post)(
        f"{url}/{endpoint}", headers=headers, json=body)
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    assert "tegelijk" in refused.get_json()["detail"]
    assert stored_content(app, ids["plan"]) == MeanwhileSaved.CONTENT
    assert plan_state(app, ids["plan"]) == ("concept", 1)
    assert changed_tables(before, snapshot(app)) == ["plan", "plan_version"]


# -- a worker killed in the middle of a submission -------------------------------------------------

DEMO_PROVIDER = "aanbieder@example.nl"  # AGB 98765432 (README)


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request, tmp_path):
    """The demo portal served by gunicorn with one worker, on SQLite or on PostgreSQL; yields the
    address, the database's SQLAlchemy URL and the server process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WMO_")}
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")
        name = f"wmo_killed_{os.getpid()}"
        server.execute(f"CREATE DATABASE {name}")
        url = server.url(name)
        request.addfinalizer(lambda: server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    else:
        url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    env.update({"WMO_ENV": "demo", "DATABASE_URL": url})
    command = [sys.executable, "-m", "portal.cli"]
    for step in (["init-db"], ["demo-data"]):
        subprocess.run(command + step, env=env, cwd=tmp_path, check=True, capture_output=True,
                       timeout=180)
    token = subprocess.run(command + ["create-token", "--org", "98765432", "--name", "Plannen"],
                           env=env, cwd=tmp_path, check=True, capture_output=True, text=True,
                           timeout=60).stdout.split()[-1]
    port = free_port()
    log = open(tmp_path / "server.log", "wb")  # printed at the end: shown when the test fails
    gunicorn = subprocess.Popen(command + ["serve", "--port", str(port), "--workers", "1"],
                                env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _answers(base), "the portal did not start")
    yield base, url, gunicorn, token
    gunicorn.terminate()
    gunicorn.wait(timeout=30)
    log.close()
    print((tmp_path / "server.log").read_text(errors="replace")[-5000:])


def wait_for(condition, failure: str, seconds: float = 60):
    """Poll until ``condition`` holds (bounded; the outcome is asserted, never the time)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.01)
    pytest.fail(failure)


def _answers(base: str):
    try:
        return log_in(base, DEMO_PROVIDER)[0]
    except OSError:
        return None


def _api(base: str, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _saved_plan(base: str, token: str) -> int:
    """A concept plan of the demo aanbieder, its template filled in, ready to submit."""
    from tests.test_api_plannen import filled

    for toewijzing in _api(base, token, "GET", "/toewijzingen?per_page=200")["items"]:
        try:
            template = _api(base, token, "GET", f"/toewijzingen/{toewijzing['id']}/sjablonen/plan")
        except urllib.error.HTTPError:
            continue  # the region asks no plan for this product
        plan = _api(base, token, "POST", "/plannen",
                    {"toewijzing_id": toewijzing["id"], "kind": "plan"})
        _api(base, token, "PUT", f"/plannen/{plan['id']}/concept",
             {"lock_version": plan["lock_version"], "content": filled(template)})
        return plan["id"]
    pytest.fail("the demo aanbieder has no toewijzing that asks a plan")


class Holder:
    """A connection of the test that lets the worker write but not finish: on SQLite a read
    transaction (the worker's commit waits for it), on PostgreSQL a lock on the audit log (the
    worker's flush writes the plan, then waits to write its audit rows)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, poolclass=NullPool)
        self.connection = self.engine.connect()
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.connection.exec_driver_sql("BEGIN")
            self.connection.exec_driver_sql("SELECT count(*) FROM plan").all()
        else:
            self.connection.exec_driver_sql("LOCK TABLE audit_log IN SHARE MODE")
        self.database = url.removeprefix("sqlite:///")

    def worker_wrote(self):
        """The worker is in the middle: it has written rows it has not committed."""
        if self.sqlite:  # the rollback journal exists once a transaction changed a page
            return Path(self.database + "-journal").exists()
        with self.engine.connect() as other:
            return other.exec_driver_sql(
                "SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
                "WHERE a.wait_event_type = 'Lock' AND l.relation = 'plan_version'::regclass "
                "AND l.mode = 'RowExclusiveLock'").scalar()

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()

    def rows(self, sql: str) -> list[tuple]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(sql)]

    def backend_gone(self, pid) -> bool:
        return self.sqlite or not self.rows(f"SELECT pid FROM pg_stat_activity WHERE pid = {pid}")


def _workers(server: subprocess.Popen) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def _plan_rows(holder: Holder, plan_id: int) -> tuple:
    return (holder.rows(f"SELECT state, lock_version, submitted_at FROM plan WHERE id = {plan_id}"),
            holder.rows(f"SELECT number, state, submitted_at FROM plan_version "
                        f"WHERE plan_id = {plan_id}"),
            holder.rows("SELECT count(*) FROM audit_log WHERE action = 'indienen'"))


def test_a_worker_killed_in_the_middle_of_a_submission_leaves_the_concept(served):
    base, url, gunicorn, token = served
    plan_id = _saved_plan(base, token)
    browser, _ = log_in(base, DEMO_PROVIDER)
    page = browser.open(f"{base}/plannen/{plan_id}").read().decode()
    form = {**form_fields(page), "indienen": "1"}
    body = urllib.parse.urlencode(form, doseq=True).encode()
    holder = Holder(url)
    before = _plan_rows(holder, plan_id)
    assert before[0][0][0] == "concept"
    outcome: dict = {}

    def send():
        try:
            outcome["status"] = browser.open(f"{base}/plannen/{plan_id}", data=body,
                                             timeout=120).status
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            outcome["error"] = error

    sending = threading.Thread(target=send)
    sending.start()
    try:
        backend = wait_for(holder.worker_wrote, "the submission never wrote")
        [worker] = _workers(gunicorn)
        os.kill(worker, signal.SIGKILL)
        sending.join(timeout=60)
    finally:
        holder.release()
    assert "error" in outcome or outcome.get("status", 200) >= 500  # the request died with it
    wait_for(lambda: holder.backend_gone(backend), "the killed worker's connection stayed")

    assert _plan_rows(holder, plan_id) == before  # nothing of the submission is in the database

    # gunicorn starts a new worker; the concept is as it was and is submitted from its page.
    browser = wait_for(lambda: _answers(base), "no new worker answered")
    page = browser.open(f"{base}/plannen/{plan_id}").read().decode()
    assert "Indienen" in page
    body = urllib.parse.urlencode({**form_fields(page), "indienen": "1"}, doseq=True).encode()
    submitted = browser.open(f"{base}/plannen/{plan_id}", data=body, timeout=120).read().decode()
    assert "is ingediend bij" in submitted
    [(state, _lock, _at)] = _plan_rows(holder, plan_id)[0]
    assert state == "ingediend"
    holder.engine.dispose()


def test_a_review_racing_another_reviewers_is_refused_not_merged(client, app, world, meanwhile):
    """Two reviewers of the gemeente decide at the same moment: the first decision stands, the
    second is refused with a Dutch message (not a 500)."""
    with Acting(app, world) as acting:
        ids = prepare_submitted(acting)
    login(client, APELDOORN)
    url, data = on_page("/plannen/{plan}/beoordelen", besluit="terugsturen",
                        opmerking_algemeen="Maak de doelen meetbaar.")(client, ids)
    before = snapshot(app)
    meanwhile(ids, MeanwhileSaved.APPROVAL)

    refused = client.post(url, data=data)
    assert refused.status_code == 409
    assert "tegelijk" in refused.text and "niet opgeslagen" in refused.text
    assert plan_state(app, ids["plan"]) == ("goedgekeurd", 1)
    assert changed_tables(before, snapshot(app)) == ["plan", "plan_version"]  # the other's


def test_an_api_review_racing_another_is_refused_not_merged(client, app, world, tokens,
                                                           meanwhile):
    with Acting(app, world) as acting:
        ids = prepare_submitted(acting)
    send = api_decision("terugsturen", general_comment="Maak de doelen meetbaar.")(
        client, ids, bearer(tokens["apeldoorn"]))
    before = snapshot(app)
    meanwhile(ids, MeanwhileSaved.APPROVAL)

    refused = send()
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    assert "tegelijk" in refused.get_json()["detail"]
    assert plan_state(app, ids["plan"]) == ("goedgekeurd", 1)
    assert changed_tables(before, snapshot(app)) == ["plan", "plan_version"]


def test_two_decisions_on_one_deviation_at_the_same_moment_the_first_stands(client, app, world,
                                                                           meanwhile):
    with Acting(app, world) as acting:
        ids = prepare_deviation(acting)
    login(client, GELDROP)
    url, data = on_page("/plannen/{plan}", "/plannen/{plan}/afwijking/{deviation}",
                        besluit="goedkeuren")(client, ids)
    meanwhile(ids, (
        "UPDATE plan_deviation SET state = 'afgewezen', decision_comment = 'Niet nodig' "
        "WHERE plan_id = :plan",))

    answer = client.post(url.format(**ids), data=data, follow_redirects=True)
    assert "Over dit verzoek is al besloten: afgewezen." in answer.text
    decided = read(app, lambda: db.session.get(Deviation, ids["deviation"]))
    assert (decided.state, decided.decision_comment) == ("afgewezen", "Niet nodig")
    assert count(app, AuditLog, AuditLog.action == "afwijking_goedkeuren") == 0


def test_two_records_of_the_start_of_support_at_the_same_moment_the_first_stands(
        client, app, world, meanwhile):
    """The start of support is recorded once per toewijzing (a unique row): the second of two
    records at the same moment is refused with a Dutch message, not a 500."""
    with Acting(app, world) as acting:
        ids = prepare_gm(acting)
    login(client, PROVIDER_B)
    url, data = on_page("/plannen/{plan}", "/plannen/{plan}/start-ondersteuning",
                        start_ondersteuning=TODAY.isoformat())(client, ids)
    other_day = add_working_days(TODAY, -1)
    meanwhile(ids, (
        f"INSERT INTO support_start (toewijzing_id, started_on, recorded_by_id, recorded_at) "
        f"SELECT toewijzing_id, '{other_day.isoformat()}', (SELECT id FROM user_account WHERE "
        f"email = 'b@aanbieder.test'), CURRENT_TIMESTAMP FROM plan WHERE id = :plan",))

    refused = client.post(url, data=data)
    assert refused.status_code == 409
    assert "tegelijk" in refused.text and "niet opgeslagen" in refused.text
    assert read(app, lambda: db.session.scalars(select(SupportStart.started_on)).all()) == [
        other_day]
    assert client.post(url, data=data).status_code == 302  # sent again: a correction
    assert read(app, lambda: db.session.scalars(select(SupportStart.started_on)).all()) == [TODAY]


OTHER_START = (  # the other click's plan, as portal.plans.services.start writes it
    "INSERT INTO plan (kind, toewijzing_id, client_id, aanbieder_id, gemeente_id, region_code, "
    "product_key, state, lock_version, created_at, updated_at) SELECT 'plan', t.id, "
    "t.client_id, t.aanbieder_id, t.gemeente_id, o.region_code, t.product_key, 'concept', 1, "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM toewijzing t JOIN organisation o "
    "ON o.id = t.gemeente_id WHERE t.id = :toewijzing",
    "INSERT INTO plan_version (plan_id, number, state, content, saved_at, saved_by_id, findings, "
    "comments) SELECT max(id), 1, 'concept', '{}', CURRENT_TIMESTAMP, (SELECT id FROM "
    "user_account WHERE email = 'a@aanbieder.test'), '[]', '{}' FROM plan")


def test_two_starts_of_a_plan_at_the_same_moment_make_one_plan(client, app, world, meanwhile):
    """A double click on "Plan maken" (or two tabs): the second start finds the first's plan."""
    with Acting(app, world) as acting:
        ids = prepare_start(acting)
    login(client, PROVIDER_A)
    url, data = on_page("/clienten/{client}", "/plannen/nieuw/{toewijzing}/plan")(client, ids)
    meanwhile(ids, OTHER_START)

    answer = client.post(url, data=data, follow_redirects=True)
    assert "Er is al een plan voor deze toewijzing" in answer.text
    assert count(app, Plan, Plan.toewijzing_id == ids["toewijzing"]) == 1


def test_two_api_starts_of_a_plan_at_the_same_moment_make_one_plan(client, app, world, tokens,
                                                                  meanwhile):
    with Acting(app, world) as acting:
        ids = prepare_start(acting)
    meanwhile(ids, OTHER_START)
    answer = client.post("/api/v1/plannen", headers=bearer(tokens["aanbieder_a"]),
                         json={"toewijzing_id": ids["toewijzing"], "kind": "plan"})
    assert answer.status_code == 409 and "Er is al een plan" in answer.get_json()["detail"]
    assert count(app, Plan, Plan.toewijzing_id == ids["toewijzing"]) == 1


def _other_due(kind: str, due: date, rule: str) -> tuple[str]:
    return (f"INSERT INTO evaluation_due (plan_id, kind, due, replaces, rule, recorded_by_id, "
            f"recorded_at) VALUES (:plan, '{kind}', '{due.isoformat()}', "
            f"'{MISSED.isoformat()}', '{rule}', (SELECT id FROM user_account WHERE email = "
            f"'geldrop@gemeente.test'), CURRENT_TIMESTAMP)",)


# The same step twice at the same moment (a double click, two tabs): the second finds the first.
TWICE = [
    pytest.param(PROVIDER_B, "afwijking", {"regel": "GM-P6", "reden": "Cliënt op vakantie"}, (
        "INSERT INTO plan_deviation (plan_id, rule, reason, state, requested_by_id, "
        "requested_at) VALUES (:plan, 'GM-P6', 'Cliënt op vakantie', 'aangevraagd', (SELECT id "
        "FROM user_account WHERE email = 'b@aanbieder.test'), CURRENT_TIMESTAMP)",),
        "Er is al een verzoek om af te wijken van GM-P6", Deviation, id="ask to deviate"),
    pytest.param(GELDROP, "signaleren", {"gemist": MISSED.isoformat()},
                 _other_due("signalering", add_working_days(TODAY, 15), "GM-E5"),
                 "Signaleren kan alleen voor een verslag", EvaluationDue,
                 id="signal a missing report"),
    pytest.param(GELDROP, "afgesproken-datum", {
        "vervangt": MISSED.isoformat(), "nieuwe_datum": (MISSED + timedelta(days=30)).isoformat()},
        _other_due("afgesproken", MISSED + timedelta(days=20), "GM-E3"),
        "Kies de geplande datum die de nieuwe afspraak vervangt", EvaluationDue,
        id="agree a later date"),
]


@pytest.mark.parametrize("who, action, data, other, refusal, model", TWICE)
def test_a_workflow_step_taken_twice_at_the_same_moment_is_taken_once(
        client, app, world, meanwhile, who, action, data, other, refusal, model):
    with Acting(app, world) as acting:
        ids = prepare_gm(acting)
    login(client, who)
    url, form = on_page("/plannen/{plan}", f"/plannen/{{plan}}/{action}", **data)(client, ids)
    meanwhile(ids, other)

    answer = client.post(url, data=form, follow_redirects=True)
    assert refusal in answer.text
    assert count(app, model) == 1

"""The plan's workflow beyond its content (portal.plans.workflow), rule by rule: each rule broken
once and seen by id, and kept once. The terms come from the regions' template files
([[templates.terms]]); the dates are around today (2026-11-23 when written), computed, never
waited for."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.plans import workflow
from portal.plans.models import EVALUATION, PLAN, Plan, ToewijzingResult
from portal.plans.services import Draft, PlanRefused, decide, new_version, save, start, submit
from portal.plugins.types import Severity
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing
from portal.toewijzingen.services import create_toewijzing
from portal.workdays import add_working_days
from tests.conftest import csrf_token_from, login
from tests.factories import BSN_B, toewijzing_input
from tests.test_plan_rules import GOOD

TODAY = date.today()
WRITTEN = date(2026, 11, 23)  # "today" where a step's outcome depends on it
GM_PLAN = GOOD[("geldrop_mierlo", "plan")]
GM_EVALUATION = GOOD[("geldrop_mierlo", "evaluation")]


def check_of(plan, stage):
    """The region's rules as the browser runs them (with the gemeente's approved deviations)."""
    from portal.plans.documents import document_of, plan_check

    return plan_check(document_of(plan), plan, stage)


def gm_plan(users, toewijzing, content=None, approve=True) -> Plan:
    """An ondersteuningsplan of aanbieder B, submitted (and approved) through the services."""
    plan = start(users["aanbieder_b"], toewijzing, PLAN, workflow_scope(toewijzing, PLAN))
    save(users["aanbieder_b"], plan, plan.lock_version, Draft(dict(content or GM_PLAN)),
         check_of(plan, "save"))
    submit(users["aanbieder_b"], plan, plan.lock_version, check_of(plan, "submit"))
    if approve:
        decide(users["gemeente_geldrop"], plan, "goedkeuren", {})
    return plan


def workflow_scope(toewijzing, kind):
    from portal.plans.documents import scope_of

    return scope_of(toewijzing, kind)


@pytest.fixture
def gm(app, world):
    """Users and the Geldrop-Mierlo B1 toewijzing (2026-01-01 to 2026-12-31) of aanbieder B."""
    with app.app_context(), app.test_request_context():
        users = {name: db.session.get(User, user_id) for name, user_id in world.users.items()}
        yield users, db.session.get(Toewijzing, world.toewijzing_b)


def templates(plan):
    return workflow.templates_for(registry(), plan)


# -- GM-P6: support starts within 5 werkdagen after the plan was discussed ----------------------

def test_gm_p6_support_started_late_is_reported_in_time_is_not(gm):
    users, toewijzing = gm
    plan = gm_plan(users, toewijzing, {**GM_PLAN, "datum_besproken": "2026-01-20"})
    term = workflow.support_term(templates(plan), plan)
    assert (term.discussed, term.due, term.started) == (date(2026, 1, 20), date(2026, 1, 27), None)
    assert any(d.rule == "GM-P6" and d.due == date(2026, 1, 27)
               for d in workflow.plan_deadlines(registry(), plan))  # open: a deadline

    workflow.record_support_start(users["aanbieder_b"], plan, date(2026, 1, 27), TODAY)
    assert workflow.support_findings(templates(plan), plan) == []
    assert not any(d.rule == "GM-P6" for d in workflow.plan_deadlines(registry(), plan))

    workflow.record_support_start(users["aanbieder_b"], plan, date(2026, 1, 28), TODAY)
    [late] = workflow.support_findings(templates(plan), plan)
    assert (late.rule, late.severity) == ("GM-P6", Severity.ERROR)
    assert "uiterlijk 27-01-2026" in late.message and "gestart op 28-01-2026" in late.message
    assert late.message.endswith("[004:5882-5884]")


def test_gm_p6_a_start_in_the_future_or_before_the_toewijzing_is_refused(gm):
    users, toewijzing = gm
    plan = gm_plan(users, toewijzing)
    with pytest.raises(PlanRefused, match="ligt in de toekomst"):
        workflow.record_support_start(users["aanbieder_b"], plan, date(2026, 12, 1),
                                      date(2026, 11, 23))
    with pytest.raises(PlanRefused, match="vóór de ingangsdatum"):
        workflow.record_support_start(users["aanbieder_b"], plan, date(2025, 12, 31), TODAY)
    with pytest.raises(PlanRefused, match="Alleen de aanbieder"):
        workflow.record_support_start(users["gemeente_geldrop"], plan, date(2026, 2, 1), TODAY)


# -- GM-P13: a new G1 toewijzing requires a plan revision ---------------------------------------

def test_gm_p13_a_g1_toewijzing_after_the_plan_requires_a_revision(gm):
    users, toewijzing = gm
    content = {**GM_PLAN, "groepsbegeleiding": None}
    plan = gm_plan(users, toewijzing, content)
    assert workflow.revision_findings(templates(plan), plan) == []  # no G1 yet

    create_toewijzing(registry(), toewijzing_input(
        toewijzing.gemeente, toewijzing.aanbieder, BSN_B, "02G01", 2002, achternaam="Jansen",
        voorvoegsel=""))
    db.session.flush()
    [needed] = workflow.revision_findings(templates(plan), plan)
    assert (needed.rule, needed.severity) == ("GM-P13", Severity.ERROR)
    assert "Nieuwe toewijzing 2002" in needed.message and "herzie het plan" in needed.message
    assert any(d.kind == "plan_revision" for d in workflow.plan_deadlines(registry(), plan))

    # The approved plan is revised; the new version must describe the groepsbegeleiding.
    version = new_version(users["aanbieder_b"], plan)
    assert version.number == 2 and plan.state == "concept"
    assert workflow.approved_version(plan).number == 1  # still what evaluations look back on
    with pytest.raises(PlanRefused) as refused:
        submit(users["aanbieder_b"], plan, plan.lock_version, check_of(plan, "submit"))
    assert [f.rule for f in refused.value.findings] == ["GM-P13"]
    save(users["aanbieder_b"], plan, plan.lock_version,
         Draft({**content, "groepsbegeleiding": "Dinsdag in de groep, oefent het budgetplan."}),
         check_of(plan, "save"))
    submit(users["aanbieder_b"], plan, plan.lock_version, check_of(plan, "submit"))
    assert workflow.revision_findings(templates(plan), plan) == []


def test_an_approved_evaluation_cannot_be_revised(gm):
    users, toewijzing = gm
    plan = gm_plan(users, toewijzing)
    evaluation = start(users["aanbieder_b"], toewijzing, EVALUATION,
                       evaluation_scope=workflow_scope(toewijzing, EVALUATION))
    save(users["aanbieder_b"], evaluation, evaluation.lock_version, Draft(
        {**GM_EVALUATION, "soort": "eind", "datum_verslag": "2026-11-20"}), check_of(evaluation, "save"))
    submit(users["aanbieder_b"], evaluation, evaluation.lock_version, check_of(evaluation, "submit"))
    decide(users["gemeente_geldrop"], evaluation, "goedkeuren", {})
    with pytest.raises(PlanRefused, match="definitief"):
        new_version(users["aanbieder_b"], evaluation)
    assert plan.state == "goedgekeurd"


# -- GM-P14: deviating only with a reason and the gemeente's approval ---------------------------

def test_gm_p14_a_condition_blocks_until_the_gemeente_approves_a_deviation(gm):
    users, toewijzing = gm
    provider, gemeente = users["aanbieder_b"], users["gemeente_geldrop"]
    plan = start(provider, toewijzing, PLAN, workflow_scope(toewijzing, PLAN))
    save(provider, plan, plan.lock_version, Draft({**GM_PLAN, "toestemming_delen": "nee"}),
         check_of(plan, "save"))
    with pytest.raises(PlanRefused) as refused:
        submit(provider, plan, plan.lock_version, check_of(plan, "submit"))
    assert [f.rule for f in refused.value.findings] == ["GM-P9"]

    with pytest.raises(PlanRefused, match="‘Reden’ is niet ingevuld.*GM-P14"):
        workflow.request_deviation(provider, plan, templates(plan), "GM-P9", "  ")
    with pytest.raises(PlanRefused, match="Van regel ‘GM-P7’ kan niet worden afgeweken"):
        workflow.request_deviation(provider, plan, templates(plan), "GM-P7", "Drukte")
    deviation = workflow.request_deviation(provider, plan, templates(plan), "GM-P9",
                                           "Wettelijk vertegenwoordiger pas volgende week terug.")
    with pytest.raises(PlanRefused):  # requested is not approved
        submit(provider, plan, plan.lock_version, check_of(plan, "submit"))
    with pytest.raises(PlanRefused, match="Alleen de gemeente"):
        workflow.decide_deviation(provider, deviation, True)
    with pytest.raises(PlanRefused, match="Schrijf bij afwijzen waarom"):
        workflow.decide_deviation(gemeente, deviation, False)
    workflow.decide_deviation(gemeente, deviation, True, "Akkoord, lever de toestemming na.")

    warnings = submit(provider, plan, plan.lock_version, check_of(plan, "submit"))
    assert plan.state == "ingediend"
    assert [(f.rule, f.severity) for f in warnings] == [("GM-P9", Severity.WARNING)]
    assert "Afwijking goedgekeurd door de gemeente" in warnings[0].message


def test_gm_p14_an_approved_deviation_moves_a_deadline(gm):
    users, toewijzing = gm
    plan = start(users["aanbieder_b"], toewijzing, PLAN, workflow_scope(toewijzing, PLAN))
    region = registry().deadlines("geldrop_mierlo", _facts(toewijzing))
    assert [d.due for d in region if d.rule == "GM-P4"] == [date(2026, 1, 29)]
    deviation = workflow.request_deviation(users["aanbieder_b"], plan, templates(plan), "GM-P4",
                                           "Cliënt opgenomen in het ziekenhuis.", date(2026, 2, 27))
    unchanged = workflow.toewijzing_deadlines(registry(), toewijzing, region)
    assert [d.due for d in unchanged if d.rule == "GM-P4"] == [date(2026, 1, 29)]
    workflow.decide_deviation(users["gemeente_geldrop"], deviation, True)
    moved = workflow.toewijzing_deadlines(registry(), toewijzing, region)
    assert [d.due for d in moved if d.rule == "GM-P4"] == [date(2026, 2, 27)]


def _facts(toewijzing):
    from portal.toewijzingen.services import facts_of

    return facts_of(toewijzing, with_others=False)


# -- GM-E3, E4, E5: the evaluations' due dates ------------------------------------------------

def planned(*days: str) -> dict:
    goal = GM_PLAN["doelen"][0]
    return {**GM_PLAN, "doelen": [{**goal, "evaluatiemoment": day} for day in days]}


def test_gm_e3_the_plans_moments_are_due_dates_and_a_later_agreed_date_replaces_one(gm):
    users, toewijzing = gm
    plan = gm_plan(users, toewijzing, planned("2026-12-01", "2026-06-01", "2026-12-01"))
    schedule = workflow.evaluation_schedule(templates(plan), plan)
    assert [(d.due, d.origin, d.rule) for d in schedule] == [
        (date(2026, 6, 1), "gepland", "GM-E3"), (date(2026, 12, 1), "gepland", "GM-E3")]
    assert schedule[0].state(WRITTEN) == "verstreken" and schedule[1].state(WRITTEN) == "open"

    gemeente = users["gemeente_geldrop"]
    with pytest.raises(PlanRefused, match="moet na 01-12-2026 liggen"):
        workflow.agree_later_date(gemeente, plan, templates(plan), date(2026, 12, 1),
                                  date(2026, 11, 30), None, TODAY)
    with pytest.raises(PlanRefused, match="Kies de geplande datum"):
        workflow.agree_later_date(gemeente, plan, templates(plan), date(2026, 12, 2),
                                  date(2026, 12, 20), None, TODAY)
    with pytest.raises(PlanRefused, match="Alleen de gemeente"):
        workflow.agree_later_date(users["aanbieder_b"], plan, templates(plan), date(2026, 12, 1),
                                  date(2026, 12, 20), None, TODAY)
    workflow.agree_later_date(gemeente, plan, templates(plan), date(2026, 12, 1),
                              date(2026, 12, 20), "Na de feestdagen.", TODAY)
    schedule = workflow.evaluation_schedule(templates(plan), plan)
    assert [(d.due, d.origin, d.replaced) for d in schedule] == [
        (date(2026, 6, 1), "gepland", False), (date(2026, 12, 1), "gepland", True),
        (date(2026, 12, 20), "afgesproken", False)]

    # One evaluation submitted: it meets the first due date, late.
    evaluation = start(users["aanbieder_b"], toewijzing, EVALUATION,
                       evaluation_scope=workflow_scope(toewijzing, EVALUATION))
    save(users["aanbieder_b"], evaluation, evaluation.lock_version,
         Draft({**GM_EVALUATION, "soort": "eind", "datum_verslag": TODAY.isoformat()}),
         check_of(evaluation, "save"))
    submit(users["aanbieder_b"], evaluation, evaluation.lock_version, check_of(evaluation, "submit"))
    first, _replaced, agreed = workflow.evaluation_schedule(templates(plan), plan)
    assert first.delivered_on == TODAY and first.state(TODAY) == "te laat ingediend"
    assert agreed.delivered_on is None and agreed.state(WRITTEN) == "open"


def test_gm_e4_an_extra_evaluation_gets_at_least_15_werkdagen(gm):
    users, toewijzing = gm
    plan = gm_plan(users, toewijzing)
    asked_on = date(2026, 11, 23)
    earliest = add_working_days(asked_on, 15)
    assert earliest == date(2026, 12, 14)
    with pytest.raises(PlanRefused, match=r"te vroeg.*op of na 14-12-2026 \(GM-E4\)"):
        workflow.request_extra_evaluation(users["gemeente_geldrop"], plan, templates(plan),
                                          date(2026, 12, 11), "Zorgen over de woning", asked_on)
    with pytest.raises(PlanRefused, match="niet ingevuld"):
        workflow.request_extra_evaluation(users["gemeente_geldrop"], plan, templates(plan), None,
                                          None, asked_on)
    workflow.request_extra_evaluation(users["gemeente_geldrop"], plan, templates(plan), earliest,
                                      "Zorgen over de woning", asked_on)
    assert [(d.due, d.origin, d.rule) for d in workflow.evaluation_schedule(templates(plan), plan)
            if d.origin == "extra"] == [(earliest, "extra", "GM-E4")]


def test_gm_e5_a_missed_report_is_signalled_and_gets_15_werkdagen(gm):
    users, toewijzing = gm
    plan = gm_plan(users, toewijzing, planned("2026-06-01", "2026-12-01"))
    deadlines = workflow.plan_deadlines(registry(), plan)
    # The gemeente's own term: 5 werkdagen after the missed date.
    # Shown once the report is late: on WRITTEN, 1 June is past and 1 December still to come.
    assert [(d.kind, d.due, d.rule, d.shown_from) for d in deadlines if d.kind == "signal"] == [
        ("signal", date(2026, 6, 8), "GM-E5", date(2026, 6, 2)),
        ("signal", date(2026, 12, 8), "GM-E5", date(2026, 12, 2))]
    assert [d.due for d in deadlines if d.kind == "signal" and d.shown_on(WRITTEN)] == \
        [date(2026, 6, 8)]
    with pytest.raises(PlanRefused, match="datum voorbij is"):
        workflow.signal_missing(users["gemeente_geldrop"], plan, templates(plan),
                                date(2026, 12, 1), WRITTEN)  # not yet due
    workflow.signal_missing(users["gemeente_geldrop"], plan, templates(plan), date(2026, 6, 1),
                            date(2026, 11, 23))
    schedule = workflow.evaluation_schedule(templates(plan), plan)
    assert [(d.due, d.origin, d.replaced) for d in schedule] == [
        (date(2026, 6, 1), "gepland", True), (date(2026, 12, 1), "gepland", False),
        (date(2026, 12, 14), "signalering", False)]  # 23 November + 15 werkdagen
    assert not [d for d in workflow.plan_deadlines(registry(), plan)
                if d.kind == "signal" and d.shown_on(WRITTEN)]  # the open report is not late yet
    from portal.audit.models import AuditLog

    db.session.flush()
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "signaleren"))


# -- GM-E7 and GM-E6: one integral evaluation; D1 evaluates without a plan ---------------------

def test_gm_e7_the_individual_begeleiding_provider_evaluates_for_all(gm):
    users, toewijzing = gm
    gm_plan(users, toewijzing)
    day, _ = create_toewijzing(registry(), toewijzing_input(
        toewijzing.gemeente, users["aanbieder_a"].organisation, BSN_B, "07D01", 2003,
        achternaam="Jansen", voorvoegsel=""))
    db.session.flush()
    with pytest.raises(PlanRefused, match="één integrale evaluatie.*Aanbieder B"):
        start(users["aanbieder_a"], day, EVALUATION, needs_plan=False,
              evaluation_scope=workflow_scope(day, EVALUATION))
    evaluation = start(users["aanbieder_b"], toewijzing, EVALUATION,
                       evaluation_scope=workflow_scope(toewijzing, EVALUATION))
    assert evaluation.evaluates is not None
    with pytest.raises(PlanRefused, match="al een evaluatie in behandeling voor deze cliënt"):
        start(users["aanbieder_b"], toewijzing, EVALUATION,
              evaluation_scope=workflow_scope(toewijzing, EVALUATION))


def test_gm_e6_dagbesteding_1_alone_is_evaluated_without_a_plan(gm):
    users, toewijzing = gm
    other = toewijzing_input(toewijzing.gemeente, users["aanbieder_a"].organisation, "999900043",
                             "07D01", 2004)
    day, _ = create_toewijzing(registry(), other)
    db.session.flush()
    evaluation = start(users["aanbieder_a"], day, EVALUATION, needs_plan=False,
                       evaluation_scope=workflow_scope(day, EVALUATION))
    assert evaluation.evaluates is None
    with pytest.raises(PlanRefused, match="nog geen goedgekeurd plan"):
        start(users["aanbieder_b"], toewijzing, EVALUATION,
              evaluation_scope=workflow_scope(toewijzing, EVALUATION))  # B1 needs its plan


# -- GM-E1 and MIJ-E8: the required final evaluation -----------------------------------------

def test_gm_e1_the_eindevaluatie_is_required_until_one_is_submitted(gm):
    users, toewijzing = gm
    plan = gm_plan(users, toewijzing)
    tpl = templates(plan)
    [required] = workflow.final_evaluation_missing(tpl, toewijzing)
    assert (required.rule, required.due, required.severity) == (
        "GM-E1", date(2026, 12, 31), Severity.ERROR)
    evaluation = start(users["aanbieder_b"], toewijzing, EVALUATION,
                       evaluation_scope=workflow_scope(toewijzing, EVALUATION))
    save(users["aanbieder_b"], evaluation, evaluation.lock_version,
         Draft({**GM_EVALUATION, "soort": "eind", "datum_verslag": "2026-11-20"}),
         check_of(evaluation, "save"))
    assert workflow.final_evaluation_missing(tpl, toewijzing)  # a concept is not delivered
    submit(users["aanbieder_b"], evaluation, evaluation.lock_version, check_of(evaluation, "submit"))
    assert workflow.final_evaluation_missing(tpl, toewijzing) == []


def test_mij_e8_werkt_mee_requires_an_end_of_traject_evaluation(app, world):
    with app.app_context(), app.test_request_context():
        users = {name: db.session.get(User, user_id) for name, user_id in world.users.items()}
        provider = users["aanbieder_a"]
        apeldoorn = db.session.get(Toewijzing, world.toewijzing_a).gemeente
        werkt_mee, _ = create_toewijzing(registry(), toewijzing_input(
            apeldoorn, provider.organisation, "999900055", "02A63", 1002))
        db.session.flush()
        tpl = workflow.templates_of(registry(), "midden_ijssel", "02A63")
        [required] = workflow.final_evaluation_missing(tpl, werkt_mee)
        assert (required.rule, required.severity) == ("MIJ-E8", Severity.ERROR)
        assert workflow.final_evaluation_missing(
            workflow.templates_of(registry(), "midden_ijssel", "02A16"),
            db.session.get(Toewijzing, world.toewijzing_a)) == []  # only Werkt Mee

        plan = start(provider, werkt_mee, PLAN)
        save(provider, plan, plan.lock_version, Draft(dict(GOOD[("midden_ijssel", "plan")])),
             check_of(plan, "save"))
        submit(provider, plan, plan.lock_version, check_of(plan, "submit"))
        decide(users["gemeente_apeldoorn"], plan, "goedkeuren", {})
        content = {**GOOD[("midden_ijssel", "evaluation")], "aanleiding": "tussentijds",
                   "datum_evaluatiegesprek": None, "hulpbronnen": None,
                   "ondersteuning_hulpbronnen": None}
        evaluation = start(provider, werkt_mee, EVALUATION)
        save(provider, evaluation, evaluation.lock_version, Draft(content),
             check_of(evaluation, "save"))
        submit(provider, evaluation, evaluation.lock_version, check_of(evaluation, "submit"))
        assert [d.rule for d in workflow.final_evaluation_missing(tpl, werkt_mee)] == ["MIJ-E8"]
        decide(users["gemeente_apeldoorn"], evaluation, "goedkeuren", {})

        final = start(provider, werkt_mee, EVALUATION)
        save(provider, final, final.lock_version, Draft({**content, "aanleiding": "einde_traject"}),
             check_of(final, "save"))
        submit(provider, final, final.lock_version, check_of(final, "submit"))
        assert workflow.final_evaluation_missing(tpl, werkt_mee) == []


# -- ML-P3: the plan lists the results the toewijzing holds -----------------------------------

def test_ml_p3_the_gemeente_records_results_and_the_plan_must_list_them(client, app):
    from tests.test_plan_pages import logout, post_form, region_world, start_document

    ids = region_world(app, "midden_limburg", "BGI", perceel="1", grondslag="PSY")
    with app.app_context():
        toewijzing = db.session.scalar(select(Toewijzing).where(
            Toewijzing.client_id == ids["client"]))
        url = f"/plannen/toewijzing/{toewijzing.id}/resultaten"

    login(client, ids["gemeente_email"])
    empty = post_form(client, url, {"deel_resultaat": "", "deel_activiteitstype": "helpen"})
    assert empty.status_code == 422 and "‘Resultaat (meetbaar)’ is niet ingevuld." in empty.text
    wrong = post_form(client, url, {"deel_resultaat": "Zelf boodschappen doen",
                                    "deel_activiteitstype": "meedoen"})
    assert wrong.status_code == 422 and "kies één van" in wrong.text
    post_form(client, url, {"deel_resultaat": "Zelf boodschappen doen",
                            "deel_activiteitstype": "helpen"})
    logout(client)

    login(client, ids["provider_email"])
    assert client.post(url, data={"csrf_token": csrf_token_from(client.get(url).text),
                                  "deel_resultaat": "x"}).status_code == 403
    plan_id = start_document(client, ids["client"], "plan")
    page = client.get(f"/plannen/{plan_id}")
    assert "Zelf boodschappen doen" in page.text  # the plan starts from the toewijzing's results

    with app.app_context(), app.test_request_context():
        plan = db.session.get(Plan, plan_id)
        from portal.plans.documents import document_of

        context = document_of(plan).context
        assert context.toewijzing_results == ({"resultaat": "Zelf boodschappen doen",
                                               "activiteitstype": "helpen"},)
        good = dict(GOOD[("midden_limburg", "plan")])
        kept = {**good, "resultaten": [{**good["resultaten"][0],
                                        "resultaat": " zelf boodschappen  doen"}]}
        assert check_of(plan, "submit")(kept) == []
        for changed in ({"activiteitstype": "toezien"}, {"resultaat": "Zelf koken"}):
            broken = {**good, "resultaten": [{**good["resultaten"][0], **changed}]}
            [found] = check_of(plan, "submit")(broken)
            assert (found.rule, found.severity, found.field) == ("ML-P3", Severity.ERROR,
                                                                 "resultaten")
            assert "resultaat 1 van de toewijzing" in found.message
            assert found.message.endswith("[002:51, 106-107, 130, 150-152]")
        assert db.session.scalar(select(ToewijzingResult.values)) is not None


# -- in the browser: both sides' steps on the plan's page --------------------------------------

def post_on(client, page_url: str, action: str, data: dict):
    """A step's form on the plan's page: the page's CSRF token, posted to the step's URL."""
    token = csrf_token_from(client.get(page_url).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=True)


def test_the_workflow_on_the_plan_page_and_the_dashboards(client, app, world):
    from tests.test_plan_pages import logout

    # Dates around today, so that the dashboards (30 days back, 90 ahead) show them.
    discussed, missed = add_working_days(TODAY, -2), add_working_days(TODAY, -6)
    start_due = add_working_days(discussed, 5)

    with app.app_context(), app.test_request_context():
        users = {name: db.session.get(User, user_id) for name, user_id in world.users.items()}
        plan = gm_plan(users, db.session.get(Toewijzing, world.toewijzing_b),
                       {**planned(missed.isoformat()), "datum_besproken": discussed.isoformat()})
        db.session.commit()
        plan_id = plan.id
    url = f"/plannen/{plan_id}"

    login(client, "b@aanbieder.test")
    page = client.get(url)
    assert "de ondersteuning start uiterlijk" in page.text and f"{start_due:%d-%m-%Y}" in page.text
    assert f"{start_due:%d-%m-%Y}" in client.get("/").text  # GM-P6 on the aanbieder's dashboard
    refused = post_on(client, url, f"{url}/start-ondersteuning", {"start_ondersteuning": "1-1-26x"})
    assert "‘Start van de ondersteuning’: ‘1-1-26x’ is geen geldige datum" in refused.text
    asked = post_on(client, url, f"{url}/afwijking", {"regel": "GM-P6", "reden": ""})
    assert "‘Reden’ is niet ingevuld" in asked.text
    post_on(client, url, f"{url}/afwijking", {"regel": "GM-P6", "reden": "Cliënt op vakantie",
                                              "nieuwe_datum": (start_due + timedelta(days=14)).isoformat()})
    logout(client)

    login(client, "geldrop@gemeente.test")
    page = client.get(url)
    assert "Cliënt op vakantie" in page.text and "Signaleren: verslag niet ontvangen" in page.text
    assert "Ontbrekend verslag signaleren" in client.get("/").text  # GM-E5, the gemeente's term
    deviation_form = re.search(r'action="(/plannen/\d+/afwijking/\d+)"', page.text).group(1)
    post_on(client, url, deviation_form, {"besluit": "goedkeuren"})
    too_early = post_on(client, url, f"{url}/extra-evaluatie",
                        {"uiterlijk": add_working_days(TODAY, 14).isoformat()})
    assert "is te vroeg" in too_early.text and "GM-E4" in too_early.text
    post_on(client, url, f"{url}/signaleren", {"gemist": missed.isoformat()})
    logout(client)

    login(client, "b@aanbieder.test")
    page = client.get(url)
    new_due = start_due + timedelta(days=14)
    assert "Goedgekeurd" in page.text and f"{new_due:%d-%m-%Y}" in page.text  # approved new date
    assert "Na signalering" in page.text
    post_on(client, url, f"{url}/start-ondersteuning", {"start_ondersteuning": TODAY.isoformat()})
    assert f"Gestart op {TODAY:%d-%m-%Y}" in client.get(url).text

"""Writing, submitting, returning, revising and approving a plan, through the service layer: the
steps users take in the browser, with who may take them and what is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditLog
from portal.extensions import db
from portal.plans.lifecycle import CONCEPT, GOEDGEKEURD, INGEDIEND, TERUGGESTUURD
from portal.plans.models import EVALUATION, PLAN, Plan
from portal.plans.services import (
    Draft,
    PlanRefused,
    StaleEdit,
    decide,
    new_version,
    save,
    start,
    submit,
)
from portal.plugins.types import Finding, Severity
from portal.toewijzingen.models import Toewijzing


def needs_goal(content) -> list[Finding]:
    """A stand-in for a region's rules: a plan needs a goal (error), and a date (warning)."""
    findings = []
    if not content.get("doel"):
        findings.append(Finding("T-P1", Severity.ERROR, "Beschrijf ten minste één doel.", "doel"))
    if not content.get("datum"):
        findings.append(Finding("T-P2", Severity.WARNING, "Vul de datum van het gesprek in.",
                                "datum"))
    return findings


@pytest.fixture
def people(app, world):
    with app.app_context():
        yield {name: db.session.get(User, user_id) for name, user_id in world.users.items()}, \
            db.session.get(Toewijzing, world.toewijzing_a)


def test_the_whole_round_submit_return_revise_approve(people):
    users, toewijzing = people
    provider, gemeente = users["aanbieder_a"], users["gemeente_apeldoorn"]
    plan = start(provider, toewijzing, PLAN)
    assert plan.state == CONCEPT and plan.current.number == 1

    warnings = save(provider, plan, plan.lock_version, Draft({"doel": ""}), needs_goal)
    assert {f.rule for f in warnings} == {"T-P1", "T-P2"}
    assert all(f.severity == Severity.WARNING for f in warnings)  # on save nothing blocks

    with pytest.raises(PlanRefused) as refused:
        submit(provider, plan, plan.lock_version, needs_goal)
    assert [f.rule for f in refused.value.findings] == ["T-P1"]
    assert plan.state == CONCEPT

    save(provider, plan, plan.lock_version, Draft({"doel": "Zelf boodschappen doen"},
                                                  "Ann A", "mbo4"), needs_goal)
    left = submit(provider, plan, plan.lock_version, needs_goal)
    assert [f.rule for f in left] == ["T-P2"]
    assert plan.state == INGEDIEND and plan.current.submitted_at is not None
    with pytest.raises(PlanRefused, match="kan niet meer worden gewijzigd"):
        save(provider, plan, plan.lock_version, Draft({"doel": "iets anders"}), needs_goal)

    with pytest.raises(PlanRefused, match="ten minste één opmerking"):
        decide(gemeente, plan, "terugsturen", {})
    decide(gemeente, plan, "terugsturen", {"doelen": "Maak het doel meetbaar."})
    assert plan.state == TERUGGESTUURD
    assert plan.current.comments == {"doelen": "Maak het doel meetbaar."}

    second = new_version(provider, plan)
    assert (second.number, second.state) == (2, CONCEPT)
    assert second.content == {"doel": "Zelf boodschappen doen"}  # starts from the returned one
    save(provider, plan, plan.lock_version, Draft({"doel": "Twee keer per week zelf "
                                                           "boodschappen doen", "datum": "x"}),
         needs_goal)
    submit(provider, plan, plan.lock_version, needs_goal)
    decide(gemeente, plan, "goedkeuren", {})
    assert plan.state == GOEDGEKEURD

    first = plan.versions[0]
    assert (first.state, first.content) == (TERUGGESTUURD, {"doel": "Zelf boodschappen doen"})
    actions = set(db.session.scalars(select(AuditLog.action).where(
        AuditLog.object_type == "plan", AuditLog.object_id == str(plan.id))))
    assert {"aanmaken", "opslaan", "indienen", "terugsturen", "nieuwe_versie",
            "goedkeuren"} <= actions


def test_a_save_from_an_older_state_is_refused_not_merged(people):
    users, toewijzing = people
    provider = users["aanbieder_a"]
    plan = start(provider, toewijzing, PLAN)
    opened = plan.lock_version  # two tabs open the same concept
    save(provider, plan, opened, Draft({"doel": "eerste"}), needs_goal)
    with pytest.raises(StaleEdit, match="niet opgeslagen maar staan nog in het formulier"):
        save(provider, plan, opened, Draft({"doel": "tweede"}), needs_goal)
    assert plan.current.content == {"doel": "eerste"}


@pytest.mark.parametrize("who, action", [
    ("aanbieder_a", "goedkeuren"),  # a provider does not approve its own plan
    ("gemeente_geldrop", "goedkeuren"),  # another gemeente
    ("gemeente_apeldoorn", "nieuwe_versie"),
])
def test_steps_by_the_wrong_party_are_refused(people, who, action):
    users, toewijzing = people
    provider = users["aanbieder_a"]
    plan = start(provider, toewijzing, PLAN)
    save(provider, plan, plan.lock_version, Draft({"doel": "x", "datum": "y"}), needs_goal)
    submit(provider, plan, plan.lock_version, needs_goal)
    with pytest.raises(PlanRefused):
        if action == "nieuwe_versie":
            new_version(users[who], plan)
        else:
            decide(users[who], plan, action, {})
    assert plan.state == INGEDIEND


def test_a_concept_cannot_be_approved_and_another_provider_cannot_write(people):
    users, toewijzing = people
    plan = start(users["aanbieder_a"], toewijzing, PLAN)
    with pytest.raises(PlanRefused, match="alleen bij: ingediend"):
        decide(users["gemeente_apeldoorn"], plan, "goedkeuren", {})
    with pytest.raises(PlanRefused, match="Alleen de aanbieder"):
        save(users["aanbieder_b"], plan, plan.lock_version, Draft({}), needs_goal)
    with pytest.raises(PlanRefused, match="Alleen de aanbieder"):
        start(users["aanbieder_b"], toewijzing, PLAN)


def test_one_plan_per_toewijzing_and_evaluation_after_an_approved_plan(people):
    users, toewijzing = people
    provider, gemeente = users["aanbieder_a"], users["gemeente_apeldoorn"]
    with pytest.raises(PlanRefused, match="nog geen goedgekeurd plan"):
        start(provider, toewijzing, EVALUATION)
    plan = start(provider, toewijzing, PLAN)
    with pytest.raises(PlanRefused, match="al een plan"):
        start(provider, toewijzing, PLAN)
    save(provider, plan, plan.lock_version, Draft({"doel": "x", "datum": "y"}), needs_goal)
    submit(provider, plan, plan.lock_version, needs_goal)
    decide(gemeente, plan, "goedkeuren", {})
    evaluation = start(provider, toewijzing, EVALUATION)
    assert evaluation.evaluates is plan
    with pytest.raises(PlanRefused, match="al een evaluatie"):
        start(provider, toewijzing, EVALUATION)
    assert db.session.scalar(select(Plan).where(Plan.kind == EVALUATION)) is evaluation


def test_geldrop_mierlo_makes_one_integral_plan_by_the_individual_begeleiding(app, world):
    """GM-P3: with several begeleiding products one plan per client, made by the provider of the
    individual begeleiding (the template names the owner products)."""
    from portal.plans.documents import scope_of
    from portal.regions import registry
    from portal.toewijzingen.services import create_toewijzing
    from tests.factories import BSN_B, toewijzing_input

    with app.app_context():
        users = {name: db.session.get(User, user_id) for name, user_id in world.users.items()}
        individual = db.session.get(Toewijzing, world.toewijzing_b)  # 02B01, aanbieder B
        group, _ = create_toewijzing(registry(), toewijzing_input(
            individual.gemeente, users["aanbieder_a"].organisation, BSN_B, "02G01", 2002,
            achternaam="Jansen", voorvoegsel=""))
        db.session.flush()
        scope = scope_of(group, PLAN)
        assert scope.integral and "02B01" in scope.owners

        with pytest.raises(PlanRefused, match="integraal plan.*Aanbieder B"):
            start(users["aanbieder_a"], group, PLAN, scope)
        plan = start(users["aanbieder_b"], individual, PLAN, scope_of(individual, PLAN))
        assert plan.product_key == "02B01"
        with pytest.raises(PlanRefused, match="al een integraal plan"):
            start(users["aanbieder_b"], individual, PLAN, scope_of(individual, PLAN))

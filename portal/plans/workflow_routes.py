"""The plan's workflow in the browser (portal.plans.workflow): the aanbieder records the start of
support and asks to deviate; the gemeente decides on deviations, plans evaluations (a later agreed
date, an extra evaluation, a signal that a report is missing) and records a toewijzing's results.

Every step is a small POST form on the plan's page; the page shows the outcome or the Dutch reason
it was refused. The views live on the plans blueprint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.roles import AANBIEDER, GEMEENTE
from portal.auth.policy import any_role, roles, visible_toewijzingen
from portal.extensions import db
from portal.plans import workflow
from portal.plans.form_builder import DATE_FORMATS
from portal.plans.models import PLAN, Deviation, Plan
from portal.plans.results import (
    ResultRefused,
    record_result,
    remove_result,
    results_of,
    results_term,
)
from portal.plans.routes import StartForm, _plan_or_404, bp
from portal.plans.services import PlanRefused
from portal.plugins.types import Finding
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing


# -- what the plan's page shows ---------------------------------------------------------------

@dataclass
class WorkflowView:
    """The workflow panel of a plan's page."""

    plan: Plan
    templates: workflow.Templates
    support: workflow.SupportTerm | None = None
    findings: list[Finding] = field(default_factory=list)
    deviable: list[str] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    schedule: list[workflow.DueDate] = field(default_factory=list)
    plans_evaluations: bool = False  # an approved plan whose evaluations the region schedules
    results_term: bool = False
    today: date = field(default_factory=date.today)

    def term(self, kind: str):
        return self.templates.term(kind)

    @property
    def empty(self) -> bool:
        return not (self.support or self.findings or self.deviable or self.deviations
                    or self.schedule or self.plans_evaluations or self.results_term
                    or self.term("support_start"))


def workflow_view(plan: Plan, today: date | None = None) -> WorkflowView:
    templates = workflow.templates_for(registry(), plan)
    view = WorkflowView(plan, templates, today=today or date.today())
    if plan.kind != PLAN:
        return view
    view.support = workflow.support_term(templates, plan)
    view.findings = workflow.support_findings(templates, plan) + \
        workflow.revision_findings(templates, plan)
    view.deviable = workflow.deviable_rules(templates)
    view.deviations = workflow.deviations_of(plan)
    view.schedule = workflow.evaluation_schedule(templates, plan)
    view.plans_evaluations = templates.term("planned_moments") is not None and \
        workflow.approved_version(plan) is not None
    view.results_term = bool(templates.terms("toewijzing_results"))
    return view


# -- the aanbieder's steps --------------------------------------------------------------------

def _form_ok() -> None:
    if not StartForm().validate_on_submit():
        abort(400)


def _date(name: str, label: str, required: bool = True) -> date | None:
    text = (request.form.get(name) or "").strip()
    if not text:
        if required:
            raise PlanRefused(f"‘{label}’ is niet ingevuld.")
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise PlanRefused(f"‘{label}’: ‘{text}’ is geen geldige datum; schrijf de datum als "
                      f"jjjj-mm-dd, bijvoorbeeld 2026-03-31.")


def _step(plan: Plan, run, done: str):
    """Run one workflow step in its own transaction; flash the outcome, back to the plan."""
    _form_ok()
    try:
        run()
        db.session.commit()
    except PlanRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        flash(done, "info")
    return redirect(url_for("plans.detail", plan_id=plan.id) + "#werkwijze")


@bp.route("/<int:plan_id>/start-ondersteuning", methods=["POST"])
@roles(AANBIEDER)
def record_start(plan_id: int):
    plan = _plan_or_404(plan_id)

    def run():
        started = _date("start_ondersteuning", "Start van de ondersteuning")
        workflow.record_support_start(current_user, plan, started, date.today())
    return _step(plan, run, "De start van de ondersteuning is vastgelegd.")


@bp.route("/<int:plan_id>/afwijking", methods=["POST"])
@roles(AANBIEDER)
def ask_deviation(plan_id: int):
    plan = _plan_or_404(plan_id)

    def run():
        new_due = _date("nieuwe_datum", "Nieuwe datum", required=False)
        workflow.request_deviation(current_user, plan, workflow.templates_for(registry(), plan),
                                   request.form.get("regel", ""), request.form.get("reden"),
                                   new_due)
    return _step(plan, run, "Het verzoek om af te wijken is naar de gemeente gestuurd.")


# -- the gemeente's steps ---------------------------------------------------------------------

@bp.route("/<int:plan_id>/afwijking/<int:deviation_id>", methods=["POST"])
@roles(GEMEENTE)
def decide_deviation(plan_id: int, deviation_id: int):
    plan = _plan_or_404(plan_id)
    deviation = db.session.get(Deviation, deviation_id)
    if deviation is None or deviation.plan_id != plan.id:
        abort(404)
    approve = request.form.get("besluit") == "goedkeuren"

    def run():
        workflow.decide_deviation(current_user, deviation, approve, request.form.get("toelichting"))
    return _step(plan, run, f"Het verzoek om af te wijken van {deviation.rule} is "
                            f"{'goedgekeurd' if approve else 'afgewezen'}.")


@bp.route("/<int:plan_id>/extra-evaluatie", methods=["POST"])
@roles(GEMEENTE)
def ask_extra_evaluation(plan_id: int):
    plan = _plan_or_404(plan_id)

    def run():
        due = _date("uiterlijk", "Uiterlijk op")
        workflow.request_extra_evaluation(current_user, plan,
                                          workflow.templates_for(registry(), plan), due,
                                          request.form.get("reden"), date.today())
    return _step(plan, run, "De extra tussenevaluatie is gevraagd; de aanbieder ziet de datum.")


@bp.route("/<int:plan_id>/afgesproken-datum", methods=["POST"])
@roles(GEMEENTE)
def agree_date(plan_id: int):
    plan = _plan_or_404(plan_id)

    def run():
        replaces = _date("vervangt", "Geplande datum")
        due = _date("nieuwe_datum", "Nieuwe datum")
        workflow.agree_later_date(current_user, plan, workflow.templates_for(registry(), plan),
                                  replaces, due, request.form.get("reden"), date.today())
    return _step(plan, run, "De afgesproken datum vervangt de geplande.")


@bp.route("/<int:plan_id>/signaleren", methods=["POST"])
@roles(GEMEENTE)
def signal(plan_id: int):
    plan = _plan_or_404(plan_id)

    def run():
        missed = _date("gemist", "Datum van het verslag")
        workflow.signal_missing(current_user, plan, workflow.templates_for(registry(), plan),
                                missed, date.today())
    return _step(plan, run, "Het ontbrekende verslag is gesignaleerd; de aanbieder heeft een "
                            "nieuwe termijn.")


# -- results the gemeente sets on a toewijzing ------------------------------------------------

@bp.route("/toewijzing/<int:toewijzing_id>/resultaten", methods=["GET", "POST"])
@any_role
def toewijzing_results(toewijzing_id: int):
    toewijzing = db.session.scalar(visible_toewijzingen(current_user)
                                   .where(Toewijzing.id == toewijzing_id))
    if toewijzing is None:
        abort(404)
    term = results_term(toewijzing)
    if term is None:
        abort(404)
    problems: list[str] = []
    if request.method == "POST":
        if current_user.role != GEMEENTE or toewijzing.gemeente_id != current_user.organisation_id:
            abort(403)
        _form_ok()
        remove = request.form.get("verwijder", type=int)
        if remove is not None:
            if not remove_result(current_user, toewijzing, remove):
                abort(404)
            db.session.commit()
            flash("Het resultaat is verwijderd.", "info")
            return redirect(url_for("plans.toewijzing_results", toewijzing_id=toewijzing.id))
        try:
            record_result(current_user, toewijzing, term, {
                part.key: request.form.get(f"deel_{part.key}") for part in term.parts})
        except ResultRefused as refused:
            problems = refused.problems  # nothing was added
        else:
            db.session.commit()
            flash("Het resultaat is vastgelegd; het plan neemt het over.", "info")
            return redirect(url_for("plans.toewijzing_results", toewijzing_id=toewijzing.id))
    plans = list(db.session.scalars(select(Plan).where(Plan.toewijzing_id == toewijzing.id,
                                                       Plan.kind == PLAN)))
    return render_template("plans/results.html", toewijzing=toewijzing, goals=term.goals,
                           parts=term.parts, rule=term.rule, results=results_of(toewijzing),
                           problems=problems,
                           form=StartForm(), posted=request.form, plans=plans,
                           may_edit=current_user.role == GEMEENTE), 422 if problems else 200

"""The plan's workflow beyond its content, as on the plan's page (portal.plans.workflow_routes):
read the state (start of support, deviations with their decision, the evaluations' due dates,
what the region's terms report, the results the gemeente recorded on the toewijzing), and take the
steps: the aanbieder records the start of support and asks to deviate; the gemeente decides on a
deviation, asks an extra evaluation, records a later agreed date and signals a missing report.

Every step is a function of :mod:`portal.plans.workflow`, the same the pages call (who may, the
region's terms, the audit log); a refusal is its Dutch reason as a 422 problem. Each step answers
with the plan's workflow as it is after the step.

The gemeente also records and removes the results a region's plan template asks on the
toewijzing (portal.plans.results, as the page does).
"""

from __future__ import annotations

from datetime import date

from flask_login import current_user
from marshmallow import Schema, fields, validate

from portal.accounts.roles import AANBIEDER, GEMEENTE
from portal.api.core import ID, ApiBlueprint, mutation
from portal.api.plannen import OptionSchema, finding_json, plan_or_404
from portal.api.problems import Problem
from portal.api.schemas import InputSchema, Moment, RuleFindingSchema
from portal.api.toewijzingen import toewijzing_or_404
from portal.auth.policy import any_role, roles
from portal.extensions import db
from portal.plans import results, workflow
from portal.plans.models import PLAN, Deviation, Plan
from portal.plans.results import results_of, results_term
from portal.plans.services import PlanRefused
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing

blp = ApiBlueprint("api_werkwijze", __name__, description="De werkwijze rond een plan: start van "
                                                          "de ondersteuning, afwijkingen, "
                                                          "evaluatiedata, signaleringen.")

TEXT = validate.Length(max=10_000)


# -- shapes ----------------------------------------------------------------------------------------

class SupportSchema(Schema):
    rule = fields.String(required=True, metadata={"description": "Regelcode van de termijn."})
    message = fields.String(required=True)
    discussed = fields.Date(required=True, metadata={
        "description": "De dag dat het plan met de cliënt is besproken (uit het plan)."})
    due = fields.Date(required=True, metadata={"description": "Uiterlijke start (werkdagen "
                                                              "volgens de regio)."})
    started = fields.Date(allow_none=True, metadata={"description": "Vastgelegde start; null: "
                                                                    "nog niet vastgelegd."})
    late = fields.Boolean(required=True)


class DeviationSchema(Schema):
    id = fields.Integer(required=True)
    rule = fields.String(required=True, metadata={"description": "De regel waarvan wordt "
                                                                 "afgeweken."})
    reason = fields.String(required=True)
    new_due = fields.Date(allow_none=True, metadata={"description": "Bij een termijn: de datum "
                                                                    "die hem vervangt."})
    state = fields.String(required=True, metadata={"description": "aangevraagd, goedgekeurd of "
                                                                  "afgewezen."})
    requested_at = Moment(required=True)
    decided_at = Moment(allow_none=True)
    decision_comment = fields.String(allow_none=True)


class DueDateSchema(Schema):
    due = fields.Date(required=True)
    origin = fields.String(required=True, metadata={
        "description": "gepland, afgesproken, extra of signalering."})
    rule = fields.String(required=True)
    message = fields.String(required=True)
    state = fields.String(required=True, metadata={
        "description": "open, verstreken, op tijd ingediend of te laat ingediend."})
    delivered_on = fields.Date(allow_none=True, metadata={
        "description": "De eerste indiening van de evaluatie die bij deze datum hoort."})
    signal_by = fields.Date(allow_none=True, metadata={
        "description": "Uiterlijk signaleren door de gemeente als het verslag ontbreekt."})
    replaced = fields.Boolean(required=True, metadata={
        "description": "Vervangen door een later afgesproken datum: geen verslag nodig."})


class ResultSchema(Schema):
    id = fields.Integer(required=True)
    values = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    recorded_at = Moment(required=True)


class WorkflowSchema(Schema):
    plan_id = fields.Integer(required=True)
    support = fields.Nested(SupportSchema, allow_none=True, required=True, metadata={
        "description": "Start van de ondersteuning; null: de regio kent geen termijn of het plan "
                       "noemt nog geen datum van bespreking."})
    findings = fields.List(fields.Nested(RuleFindingSchema), required=True, metadata={
        "description": "Wat de termijnen van de regio nu melden (te late start, herziening)."})
    deviable_rules = fields.List(fields.String(), required=True, metadata={
        "description": "Regels waarvan de aanbieder mag vragen af te wijken."})
    deviations = fields.List(fields.Nested(DeviationSchema), required=True)
    evaluations = fields.List(fields.Nested(DueDateSchema), required=True, metadata={
        "description": "De evaluatiedata van het goedgekeurde plan, oudste eerst."})
    toewijzing_results = fields.List(fields.Nested(ResultSchema), required=True, metadata={
        "description": "Resultaten die de gemeente op de toewijzing vastlegde."})


class SupportStartInput(InputSchema):
    started_on = fields.Date(required=True, metadata={"description": "jjjj-mm-dd; niet in de "
                                                                     "toekomst."})


class DeviationInput(InputSchema):
    rule = fields.String(required=True, validate=validate.Length(min=1, max=20))
    reason = fields.String(required=True, validate=TEXT)
    new_due = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "Bij een termijn: de datum die u voorstelt."})


class DecisionInput(InputSchema):
    action = fields.String(required=True, validate=validate.OneOf(
        ("goedkeuren", "afwijzen"), error="Kies uit: {choices}."))
    comment = fields.String(load_default=None, allow_none=True, validate=TEXT, metadata={
        "description": "Verplicht bij afwijzen."})


class ExtraEvaluationInput(InputSchema):
    due = fields.Date(required=True, metadata={"description": "Uiterlijk op."})
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)


class AgreedDateInput(InputSchema):
    replaces = fields.Date(required=True, metadata={
        "description": "De geplande datum die de afspraak vervangt."})
    due = fields.Date(required=True, metadata={"description": "De nieuwe, latere datum."})
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)


class SignalInput(InputSchema):
    missed = fields.Date(required=True, metadata={
        "description": "De datum van het verslag dat ontbreekt."})


# -- reading ---------------------------------------------------------------------------------------

def workflow_json(plan: Plan) -> dict:
    """What the plan's page shows in its workflow panel (portal.plans.workflow_routes)."""
    templates = workflow.templates_for(registry(), plan)
    state = {"plan_id": plan.id, "support": None, "findings": [], "deviable_rules": [],
             "deviations": [], "evaluations": [],
             "toewijzing_results": results_of(plan.toewijzing)}
    if plan.kind != PLAN:
        return state
    support = workflow.support_term(templates, plan)
    if support is not None:
        state["support"] = {"rule": support.term.id, "message": support.term.message,
                            "discussed": support.discussed, "due": support.due,
                            "started": support.started, "late": support.late}
    state["findings"] = [finding_json(f) for f in workflow.support_findings(templates, plan)
                         + workflow.revision_findings(templates, plan)]
    state["deviable_rules"] = workflow.deviable_rules(templates)
    state["deviations"] = workflow.deviations_of(plan)
    today = date.today()
    state["evaluations"] = [{"due": d.due, "origin": d.origin, "rule": d.rule,
                             "message": d.message, "state": d.state(today),
                             "delivered_on": d.delivered_on, "signal_by": d.signal_by,
                             "replaced": d.replaced}
                            for d in workflow.evaluation_schedule(templates, plan)]
    return state


@blp.route(f"/plannen/<{ID}:plan_id>/werkwijze")
@any_role
@blp.response(200, WorkflowSchema)
def get_workflow(plan_id: int):
    """De werkwijze rond een plan, zoals op de pagina van het plan: start van de ondersteuning,
    afwijkingen met hun besluit, evaluatiedata (gepland, afgesproken, extra, na signalering) en
    de resultaten op de toewijzing."""
    return workflow_json(plan_or_404(plan_id))


# -- steps -----------------------------------------------------------------------------------------

def _step(plan: Plan, run) -> dict:
    try:
        run()
    except PlanRefused as refused:
        raise Problem(422, refused.message) from None
    db.session.flush()
    return workflow_json(plan)


REFUSED = "De stap is geweigerd; 'detail' zegt waarom (in het Nederlands)."


@blp.route(f"/plannen/<{ID}:plan_id>/start-ondersteuning", methods=["POST"])
@roles(AANBIEDER)
@mutation
@blp.arguments(SupportStartInput)
@blp.response(200, WorkflowSchema)
@blp.problem(422, REFUSED)
def record_support_start(data, plan_id: int):
    """De dag dat de ondersteuning startte vastleggen (een correctie vervangt hem)."""
    plan = plan_or_404(plan_id)
    return _step(plan, lambda: workflow.record_support_start(current_user, plan,
                                                             data["started_on"], date.today()))


@blp.route(f"/plannen/<{ID}:plan_id>/afwijkingen", methods=["POST"])
@roles(AANBIEDER)
@mutation
@blp.arguments(DeviationInput)
@blp.response(200, WorkflowSchema)
@blp.problem(422, REFUSED)
def request_deviation(data, plan_id: int):
    """Vragen af te wijken van een termijn of voorwaarde van de regio, met reden; telt pas als
    de gemeente het goedkeurt."""
    plan = plan_or_404(plan_id)
    return _step(plan, lambda: workflow.request_deviation(
        current_user, plan, workflow.templates_for(registry(), plan), data["rule"],
        data["reason"], data["new_due"]))


@blp.route(f"/plannen/<{ID}:plan_id>/afwijkingen/<{ID}:deviation_id>/besluit",
           methods=["POST"])
@roles(GEMEENTE)
@mutation
@blp.arguments(DecisionInput)
@blp.response(200, WorkflowSchema)
@blp.problem(422, REFUSED)
def decide_deviation(data, plan_id: int, deviation_id: int):
    """Een gevraagde afwijking goedkeuren of afwijzen (afwijzen met toelichting)."""
    plan = plan_or_404(plan_id)
    deviation = db.session.get(Deviation, deviation_id)
    if deviation is None or deviation.plan_id != plan.id:
        raise Problem(404, f"Plan {plan_id} heeft geen verzoek om af te wijken met id "
                           f"{deviation_id}.")
    return _step(plan, lambda: workflow.decide_deviation(
        current_user, deviation, data["action"] == "goedkeuren", data["comment"]))


@blp.route(f"/plannen/<{ID}:plan_id>/extra-evaluatie", methods=["POST"])
@roles(GEMEENTE)
@mutation
@blp.arguments(ExtraEvaluationInput)
@blp.response(200, WorkflowSchema)
@blp.problem(422, REFUSED)
def ask_extra_evaluation(data, plan_id: int):
    """Een extra tussenevaluatie vragen bij een goedgekeurd plan; de aanbieder krijgt ten minste
    de termijn van de regio."""
    plan = plan_or_404(plan_id)
    return _step(plan, lambda: workflow.request_extra_evaluation(
        current_user, plan, workflow.templates_for(registry(), plan), data["due"],
        data["reason"], date.today()))


@blp.route(f"/plannen/<{ID}:plan_id>/afgesproken-datum", methods=["POST"])
@roles(GEMEENTE)
@mutation
@blp.arguments(AgreedDateInput)
@blp.response(200, WorkflowSchema)
@blp.problem(422, REFUSED)
def agree_date(data, plan_id: int):
    """Een later met de aanbieder afgesproken datum vervangt een geplande evaluatiedatum."""
    plan = plan_or_404(plan_id)
    return _step(plan, lambda: workflow.agree_later_date(
        current_user, plan, workflow.templates_for(registry(), plan), data["replaces"],
        data["due"], data["reason"], date.today()))


@blp.route(f"/plannen/<{ID}:plan_id>/signaleringen", methods=["POST"])
@roles(GEMEENTE)
@mutation
@blp.arguments(SignalInput)
@blp.response(200, WorkflowSchema)
@blp.problem(422, REFUSED)
def signal(data, plan_id: int):
    """Signaleren dat een verslag waarvan de datum voorbij is ontbreekt; de aanbieder krijgt
    vanaf vandaag de termijn van de regio."""
    plan = plan_or_404(plan_id)
    return _step(plan, lambda: workflow.signal_missing(
        current_user, plan, workflow.templates_for(registry(), plan), data["missed"],
        date.today()))


# -- the toewijzing's results ----------------------------------------------------------------------

class ResultPartSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    options = fields.List(fields.Nested(OptionSchema), required=True, metadata={
        "description": "De keuzes; leeg: vrije tekst."})


class ResultsSchema(Schema):
    toewijzing_id = fields.Integer(required=True)
    rule = fields.String(allow_none=True, required=True, metadata={
        "description": "De regel die de resultaten vraagt; null: de regio vraagt er geen."})
    parts = fields.List(fields.Nested(ResultPartSchema), required=True, metadata={
        "description": "Wat de gemeente per resultaat vastlegt (sleutels van 'values')."})
    results = fields.List(fields.Nested(ResultSchema), required=True)


class ResultInput(InputSchema):
    values = fields.Dict(keys=fields.String(validate=validate.Length(max=100)),
                         values=fields.String(allow_none=True, validate=TEXT), required=True,
                         metadata={"description": "Een waarde per deel (zie 'parts')."})


def _results_json(toewijzing: Toewijzing) -> dict:
    term = results_term(toewijzing)
    if term is None:
        return {"toewijzing_id": toewijzing.id, "rule": None, "parts": [], "results": []}
    return {"toewijzing_id": toewijzing.id, "rule": term.rule,
            "parts": [{"key": p.key, "label": p.label,
                       "options": [{"value": v, "label": label} for v, label in p.options()]}
                      for p in term.parts],
            "results": results_of(toewijzing)}


def _term_or_422(toewijzing: Toewijzing):
    term = results_term(toewijzing)
    if term is None:
        raise Problem(422, "De regio vraagt voor dit product geen resultaten op de toewijzing.")
    return term


@blp.route(f"/toewijzingen/<{ID}:toewijzing_id>/resultaten")
@any_role
@blp.response(200, ResultsSchema)
def toewijzing_results(toewijzing_id: int):
    """De resultaten die de gemeente op deze toewijzing vastlegde en die het plan moet noemen,
    met de delen van een resultaat (leeg als de regio er geen vraagt)."""
    return _results_json(toewijzing_or_404(toewijzing_id))


@blp.route(f"/toewijzingen/<{ID}:toewijzing_id>/resultaten", methods=["POST"])
@roles(GEMEENTE)
@mutation
@blp.arguments(ResultInput)
@blp.response(201, ResultsSchema)
@blp.problem(422, REFUSED)
def record_result(data, toewijzing_id: int):
    """Een resultaat op de toewijzing vastleggen (elk deel ingevuld, een keuze uit de opties);
    een nieuw plan neemt de resultaten over."""
    toewijzing = toewijzing_or_404(toewijzing_id)
    term = _term_or_422(toewijzing)
    unknown = sorted(set(data["values"]) - {part.key for part in term.parts})
    if unknown:
        raise Problem(422, "Een resultaat heeft alleen de delen uit 'parts'.", [
            {"pointer": f"#/values/{key}", "detail": "Onbekend deel."} for key in unknown])
    try:
        results.record_result(current_user, toewijzing, term, data["values"])
    except PlanRefused as refused:
        raise Problem(422, refused.message) from None
    return _results_json(toewijzing), 201


@blp.route(f"/toewijzingen/<{ID}:toewijzing_id>/resultaten/<{ID}:result_id>",
           methods=["DELETE"])
@roles(GEMEENTE)
@mutation
@blp.response(200, ResultsSchema)
def remove_result(toewijzing_id: int, result_id: int):
    """Een resultaat van de toewijzing verwijderen."""
    toewijzing = toewijzing_or_404(toewijzing_id)
    try:
        removed = results.remove_result(current_user, toewijzing, result_id)
    except PlanRefused as refused:
        raise Problem(422, refused.message) from None
    if not removed:
        raise Problem(404, f"Toewijzing {toewijzing_id} heeft geen resultaat met id "
                           f"{result_id}.")
    return _results_json(toewijzing)

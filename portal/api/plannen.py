"""Plans and evaluations: the region's template as JSON, start a concept, save it (optimistic
locking by ``lock_version``), submit, read status, versions and the reviewer's comments; the
gemeente approves or returns a submitted version.

Every step is a function of :mod:`portal.plans.services` (the state table, who may do what, the
audit log); the template, its context and the region's rules come from the same functions the pages
use (:mod:`portal.plans.documents`), so the API and the browser check a plan identically. Content is
JSON in the format of :mod:`portal.plans.form_builder` (dates ``jjjj-mm-dd``, choices as their
codes, goals as a list of objects). The browser's form refuses a value of the wrong form before
saving; the API does the same with the same check (422 per field); what the region's rules say
comes back as warnings on save and blocks on submit.
"""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.roles import AANBIEDER, GEMEENTE
from portal.api.core import ID, ApiBlueprint, mutation
from portal.api.paging import page_of
from portal.api.problems import Problem
from portal.api.schemas import InputSchema, Moment, PageArgs, PageSchema, RuleFindingSchema
from portal.api.toewijzingen import toewijzing_or_404
from portal.auth.policy import any_role, roles
from portal.extensions import db
from portal.plans import checks
from portal.plans.checks import format_problem  # the one check of a value's form
from portal.plans.documents import (
    Document,
    document_of,
    plan_check,
    start_on_template,
    template_for,
    visible_plans,
)
from portal.plans.lifecycle import STATES, allowed
from portal.plans.models import EVALUATION, PLAN, Plan
from portal.plans.services import (
    Draft,
    PlanRefused,
    StaleEdit,
    decide,
    new_version,
    save,
    submit,
)
from portal.plans.templates import (
    REVIEW_EXPLANATION,
    REVIEW_GOAL,
    REVIEW_OUTCOME,
    Field,
    Template,
    TemplateContext,
    requirement_text,
)
from portal.plugins.types import Finding, Severity

blp = ApiBlueprint("api_plannen", __name__, description="Plannen en evaluaties: sjabloon, "
                                                        "concept, indienen, beoordelen.")

SAVE, SUBMIT = "save", "submit"  # the stages of portal.plans.checks
ID_RANGE = validate.Range(min=1, max=2147483647, error="Een id van {min} tot en met {max}.")


# -- shapes ----------------------------------------------------------------------------------------

class OptionSchema(Schema):
    value = fields.String(required=True)
    label = fields.String(required=True)


class TemplateFieldSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    kind = fields.String(required=True, metadata={
        "description": "text, textarea, date, choice, yes_no, number, education_level, goals of "
                       "goal_review."})
    help = fields.String(allow_none=True)
    source = fields.String(allow_none=True, metadata={"description": "Bron: seedbestand:regel."})
    rule = fields.String(allow_none=True, metadata={"description": "Regelcode."})
    required = fields.String(allow_none=True, metadata={
        "description": "Wanneer het veld verplicht is (Nederlands); null: niet verplicht."})
    options = fields.List(fields.Nested(OptionSchema), required=True)
    max_length = fields.Integer(allow_none=True)
    must_be = fields.String(allow_none=True, metadata={
        "description": "Het enige antwoord waarmee indienen kan (bijv. toestemming 'ja')."})
    parts = fields.List(fields.Nested(lambda: TemplateFieldSchema()), required=True, metadata={
        "description": "Bij goals en goal_review: de velden van één rij."})
    row_label = fields.String(allow_none=True)


class TemplateSectionSchema(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    help = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    fields_ = fields.List(fields.Nested(TemplateFieldSchema), required=True, data_key="fields")


class TemplateSchema(Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "plan of evaluation (de "
                                                                 "sjabloonsoort)."})
    title = fields.String(required=True)
    region = fields.String(required=True)
    source = fields.String(allow_none=True)
    sections = fields.List(fields.Nested(TemplateSectionSchema), required=True)
    checklist = fields.List(fields.Nested(OptionSchema), required=True, metadata={
        "description": "De [H]-regels die de beoordelaar nagaat (value: regelcode)."})
    plan_goals = fields.List(fields.String(), required=True, metadata={
        "description": "Bij een evaluatie: de doelen van het goedgekeurde plan, in volgorde; "
                       "rij i van een goal_review gaat over doel i (de portal zet de tekst)."})


class VersionSchema(Schema):
    number = fields.Integer(required=True)
    state = fields.String(required=True)
    content = fields.Dict(required=True, metadata={"description": "De antwoorden per veld."})
    author_name = fields.String(allow_none=True)
    author_level = fields.String(allow_none=True)
    saved_at = Moment(required=True)
    submitted_at = Moment(allow_none=True)
    findings = fields.List(fields.Nested(RuleFindingSchema), required=True, metadata={
        "description": "Bevindingen van de regio bij het indienen."})
    decided_at = Moment(allow_none=True)
    comments = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                           metadata={"description": "Opmerkingen van de gemeente per sectie."})
    general_comment = fields.String(allow_none=True)


class PlanSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "plan of evaluatie."})
    state = fields.String(required=True, metadata={"description": ", ".join(STATES)})
    toewijzing_id = fields.Integer(required=True)
    client_id = fields.Integer(required=True)
    region = fields.String(required=True, attribute="region_code")
    product_key = fields.String(allow_none=True)
    lock_version = fields.Integer(required=True, metadata={
        "description": "Stuur mee bij opslaan en indienen; een oudere waarde geeft 409."})
    submitted_at = Moment(allow_none=True)
    current = fields.Nested(VersionSchema, required=True)
    actions = fields.Method("_actions", required=True, metadata={
        "description": "Wat deze sleutel nu met het plan kan doen."})

    def _actions(self, plan: Plan) -> list[str]:
        return [t.action for t in allowed(plan.current.state, current_user.role)]


class PlanPageSchema(PageSchema):
    items = fields.List(fields.Nested(PlanSchema), required=True)


class PlanWithWarningsSchema(Schema):
    plan = fields.Nested(PlanSchema, required=True)
    warnings = fields.List(fields.Nested(RuleFindingSchema), required=True, metadata={
        "description": "Wat de regels van de regio nog missen (bij opslaan) of opmerken."})


class VersionsSchema(Schema):
    versions = fields.List(fields.Nested(VersionSchema), required=True)


class PlanFilter(PageArgs):
    kind = fields.String(validate=validate.OneOf((PLAN, EVALUATION), error="Kies uit: {choices}."))
    state = fields.String(validate=validate.OneOf(tuple(STATES), error="Kies uit: {choices}."))
    toewijzing_id = fields.Integer(validate=ID_RANGE)


class StartSchema(InputSchema):
    toewijzing_id = fields.Integer(required=True, validate=ID_RANGE)
    kind = fields.String(required=True, validate=validate.OneOf(
        (PLAN, EVALUATION), error="Kies uit: {choices}."))


class ConceptSchema(InputSchema):
    lock_version = fields.Integer(required=True, metadata={
        "description": "De lock_version die u las; is het plan sindsdien opgeslagen, dan 409."})
    content = fields.Dict(keys=fields.String(), required=True)
    author_name = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=200))
    author_level = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=40))


class SubmitSchema(InputSchema):
    lock_version = fields.Integer(required=True)


class DecisionSchema(InputSchema):
    action = fields.String(required=True, validate=validate.OneOf(
        ("goedkeuren", "terugsturen"), error="Kies uit: {choices}."))
    comments = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict,
                           metadata={"description": "Opmerking per sectie (sleutel)."})
    general_comment = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=10_000))


# -- the template as JSON ----------------------------------------------------------------------------

def _field_json(template: Template, f: Field, context: TemplateContext) -> dict:
    parts: list[dict] = []
    if f.kind == "goals":
        parts = [_field_json(template, p, context) for p in f.parts if p.applies(context)]
    elif f.kind == "goal_review":
        parts = [{"key": REVIEW_GOAL, "label": f.row_label, "kind": "textarea", "options": [],
                  "parts": []},
                 {"key": REVIEW_OUTCOME, "label": "Resultaat", "kind": "choice", "parts": [],
                  "options": [{"value": v, "label": label} for v, label in f.options()]},
                 {"key": REVIEW_EXPLANATION, "label": "Toelichting", "kind": "textarea",
                  "options": [], "parts": []}]
    return {"key": f.key, "label": f.label, "kind": f.kind, "help": f.help,
            "source": str(f.source) if f.source else None,
            "rule": f.rule_for(context.product_key),
            "required": requirement_text(template, f, context),
            "options": [] if f.kind == "goal_review" else
            [{"value": v, "label": label} for v, label in f.options()],
            "max_length": f.max_length, "must_be": f.must_be, "parts": parts,
            "row_label": f.row_label if f.kind in ("goals", "goal_review") else None}


def template_json(template: Template, context: TemplateContext,
                  plan_goals: tuple[str, ...] = ()) -> dict:
    return {"plan_goals": list(plan_goals), "id": template.id, "kind": template.kind, "title": template.title,
            "region": template.region, "source": str(template.source) if template.source else None,
            "sections": [{"key": s.key, "title": s.title, "help": s.help,
                          "source": str(s.source) if s.source else None,
                          "fields_": [_field_json(template, f, context) for f in shown]}
                         for s, shown in template.layout(context)],
            "checklist": [{"value": item.rule, "label": item.text}
                          for item in checks.reviewer_checklist(template, context)]}


@blp.route(f"/toewijzingen/<{ID}:toewijzing_id>/sjablonen/<any({PLAN}, {EVALUATION}):kind>")
@any_role
@blp.response(200, TemplateSchema)
def template_of_toewijzing(toewijzing_id: int, kind: str):
    """Het sjabloon van de regio voor een plan of evaluatie bij deze toewijzing, als JSON: de
    secties met hun velden, wanneer een veld verplicht is, de keuzes en de bron."""
    toewijzing = toewijzing_or_404(toewijzing_id)
    template = template_for(toewijzing, kind)
    if template is None:
        raise Problem(404, f"De regio vraagt voor dit product geen "
                           f"{'plan' if kind == PLAN else 'evaluatieverslag'}.")
    context = TemplateContext(product_key=toewijzing.product_key,
                              municipality_code=toewijzing.gemeente.code,
                              start=toewijzing.ingangsdatum, end=toewijzing.einddatum,
                              today=date.today())
    return template_json(template, context)


@blp.route(f"/plannen/<{ID}:plan_id>/sjabloon")
@any_role
@blp.response(200, TemplateSchema)
def template_of_plan(plan_id: int):
    """Het sjabloon waarop dit plan of deze evaluatie geschreven wordt."""
    document = document_or_404(plan_or_404(plan_id))
    return template_json(document.template, document.context, document.plan_goals)


# -- reading -------------------------------------------------------------------------------------------

def document_or_404(plan: Plan) -> Document:
    document = document_of(plan)
    if document is None:
        raise Problem(404, "De regio heeft geen sjabloon (meer) voor het product van dit plan.")
    return document


def plan_or_404(plan_id: int) -> Plan:
    plan = db.session.scalar(visible_plans(current_user).where(Plan.id == plan_id))
    if plan is None:
        raise Problem(404, f"Plan {plan_id} bestaat niet, of deze sleutel heeft er geen toegang "
                           f"toe.")
    return plan


@blp.route("/plannen")
@any_role
@blp.arguments(PlanFilter, location="query")
@blp.response(200, PlanPageSchema)
def list_plans(args):
    """Plannen en evaluaties van uw organisatie, te filteren op soort, status en toewijzing."""
    query = visible_plans(current_user)
    if "kind" in args:
        query = query.where(Plan.kind == args["kind"])
    if "state" in args:
        query = query.where(Plan.state == args["state"])
    if "toewijzing_id" in args:
        query = query.where(Plan.toewijzing_id == args["toewijzing_id"])
    return page_of(query.order_by(Plan.id), args)


@blp.route(f"/plannen/<{ID}:plan_id>")
@any_role
@blp.response(200, PlanSchema)
def get_plan(plan_id: int):
    """Eén plan of evaluatie: status, de nieuwste versie met inhoud en opmerkingen."""
    return plan_or_404(plan_id)


@blp.route(f"/plannen/<{ID}:plan_id>/versies")
@any_role
@blp.response(200, VersionsSchema)
def versions(plan_id: int):
    """Alle versies, oudste eerst, elk met inhoud, bevindingen en opmerkingen van de gemeente."""
    return {"versions": plan_or_404(plan_id).versions}


# -- steps ---------------------------------------------------------------------------------------------

@blp.route("/plannen", methods=["POST"])
@roles(AANBIEDER)
@mutation
@blp.arguments(StartSchema)
@blp.response(201, PlanSchema)
def start_plan(data):
    """Een nieuw plan of een nieuwe evaluatie als concept, bij een toewijzing van uw organisatie."""
    toewijzing = toewijzing_or_404(data["toewijzing_id"])
    kind = data["kind"]
    template = template_for(toewijzing, kind)
    if template is None:
        raise Problem(422, f"De regio vraagt voor dit product geen "
                           f"{'plan' if kind == PLAN else 'evaluatieverslag'}.",
                      [{"pointer": "#/kind", "detail": "Geen sjabloon voor dit product."}])
    try:
        # As the page's "Plan maken" (portal.plans.routes.new) does.
        plan = start_on_template(current_user, toewijzing, kind, template)
    except PlanRefused as refused:
        raise Problem(409, refused.message) from None
    return plan, 201, {"Location": url_for("api_plannen.get_plan", plan_id=plan.id)}


@blp.route(f"/plannen/<{ID}:plan_id>/concept", methods=["PUT"])
@roles(AANBIEDER)
@mutation
@blp.arguments(ConceptSchema)
@blp.response(200, PlanWithWarningsSchema)
@blp.problem(409, "Het plan is opgeslagen nadat u het las (lock_version), of is niet meer een "
                  "concept.")
def save_concept(data, plan_id: int):
    """De inhoud van het concept opslaan (alles vervangen). Een waarde in de verkeerde vorm geeft
    422 per veld; wat de regels van de regio nog missen komt terug als waarschuwing."""
    plan = plan_or_404(plan_id)
    document = document_or_404(plan)
    _refuse_malformed(document.template, document.context, data["content"])
    content = _with_plan_goals(document, data["content"])
    try:
        warnings = save(current_user, plan, data["lock_version"],
                        Draft(content, data["author_name"], data["author_level"]),
                        plan_check(document, plan, SAVE))
    except StaleEdit as stale:
        raise Problem(409, stale.message) from None
    except StaleDataError:
        raise Problem(409, "Iemand anders sloeg dit plan tegelijk op; lees het opnieuw.") from None
    except PlanRefused as refused:
        raise Problem(409, refused.message) from None
    return {"plan": plan, "warnings": [finding_json(f) for f in warnings]}


@blp.route(f"/plannen/<{ID}:plan_id>/indienen", methods=["POST"])
@roles(AANBIEDER)
@mutation
@blp.arguments(SubmitSchema)
@blp.response(200, PlanWithWarningsSchema)
@blp.problem(422, "De regels van de regio blokkeren het indienen; 'errors' noemt elk veld en "
                  "elke regel.")
def submit_plan(data, plan_id: int):
    """Het concept indienen bij de gemeente. Fouten volgens de regels van de regio blokkeren;
    waarschuwingen komen terug."""
    plan = plan_or_404(plan_id)
    document = document_or_404(plan)
    try:
        warnings = submit(current_user, plan, data["lock_version"],
                          plan_check(document, plan, SUBMIT))
    except StaleEdit as stale:
        raise Problem(409, stale.message) from None
    except StaleDataError:
        raise Problem(409, "Iemand anders wijzigde dit plan tegelijk; lees het opnieuw.") from None
    except PlanRefused as refused:
        if refused.findings:
            raise Problem(422, refused.message, [
                {"pointer": _pointer(f.field), "detail": f"{f.message} ({f.rule})"}
                for f in refused.findings]) from None
        raise Problem(409, refused.message) from None
    return {"plan": plan, "warnings": [finding_json(f) for f in warnings]}


@blp.route(f"/plannen/<{ID}:plan_id>/nieuwe-versie", methods=["POST"])
@roles(AANBIEDER)
@mutation
@blp.response(201, PlanSchema)
def revise(plan_id: int):
    """Een teruggestuurd plan krijgt een nieuwe conceptversie, met de inhoud van de vorige."""
    plan = plan_or_404(plan_id)
    try:
        new_version(current_user, plan)
    except PlanRefused as refused:
        raise Problem(409, refused.message) from None
    return plan, 201


@blp.route(f"/plannen/<{ID}:plan_id>/beoordeling", methods=["POST"])
@roles(GEMEENTE)
@mutation
@blp.arguments(DecisionSchema)
@blp.response(200, PlanSchema)
def review(data, plan_id: int):
    """De gemeente keurt de ingediende versie goed of stuurt haar terug, met opmerkingen per
    sectie (terugsturen vraagt ten minste één opmerking)."""
    plan = plan_or_404(plan_id)
    document = document_or_404(plan)
    sections = {section.key for section, _fields in document.template.layout(document.context)}
    unknown = [key for key in data["comments"] if key not in sections]
    if unknown:
        raise Problem(422, "Opmerkingen horen bij een sectie van het sjabloon.", [
            {"pointer": f"#/comments/{key}", "detail": "Onbekende sectie."} for key in unknown])
    try:
        decide(current_user, plan, data["action"], data["comments"], data["general_comment"])
    except PlanRefused as refused:
        status = 422 if "opmerking" in refused.message.lower() else 409
        raise Problem(status, refused.message) from None
    return plan


# -- content in the right form -----------------------------------------------------------------------

def _refuse_malformed(template: Template, context: TemplateContext, content: dict) -> None:
    """What the browser's form refuses before saving: an unknown field, a value of the wrong
    form (a date that is no date, a choice that is not offered, too long a text)."""
    shown = {f.key: f for f in template.fields(context)}
    errors = []
    for key, value in content.items():
        f = shown.get(key)
        if f is None:
            errors.append((f"#/content/{key}", "Dit veld staat niet in het sjabloon."))
        elif f.kind in ("goals", "goal_review"):
            errors += _row_problems(f, value, context)
        else:
            problem = format_problem(f, value)
            if problem:
                errors.append((f"#/content/{key}", f"{f.label}: {problem}."))
    if errors:
        raise Problem(422, "Het concept is niet opgeslagen: " + " ".join(e[1] for e in errors),
                      [{"pointer": pointer, "detail": detail} for pointer, detail in errors])


def _row_problems(f: Field, value, context: TemplateContext) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        return [(f"#/content/{f.key}", f"{f.label}: verwacht een lijst van rijen ([{{...}}]).")]
    if f.kind == "goals":
        parts = {p.key: p for p in f.parts if p.applies(context)}
    else:
        parts = {REVIEW_GOAL: Field(REVIEW_GOAL, f.row_label, "textarea"),
                 REVIEW_OUTCOME: Field(REVIEW_OUTCOME, "Resultaat", "choice",
                                       choices=f.options()),
                 REVIEW_EXPLANATION: Field(REVIEW_EXPLANATION, "Toelichting", "textarea")}
    problems = []
    for index, row in enumerate(value):
        for key, cell in row.items():
            where = f"#/content/{f.key}/{index}/{key}"
            part = parts.get(key)
            if part is None:
                problems.append((where, f"{f.label}, rij {index + 1}: '{key}' is geen deel van "
                                        f"een rij."))
                continue
            problem = format_problem(part, cell)
            if problem:
                problems.append((where, f"{f.label}, rij {index + 1}, {part.label}: {problem}."))
    return problems


def _with_plan_goals(document, content: dict) -> dict:
    """An evaluation looks back on the plan's own goals: row i of a goal review is about the
    plan's goal i, in the plan's words whatever the client sent (as the browser form does)."""
    for f in document.template.fields(document.context):
        rows = content.get(f.key)
        if f.kind != "goal_review" or not isinstance(rows, list):
            continue
        for position, row in enumerate(rows[:len(document.plan_goals)]):
            row[REVIEW_GOAL] = document.plan_goals[position]
    return content


def _pointer(field: str | None) -> str:
    """A finding's field ("doelen-0-resultaat" for a part of a row) as a JSON pointer."""
    if not field:
        return "#/content"
    return "#/content/" + "/".join(field.split("-"))


def finding_json(finding: Finding) -> dict:
    return {"rule": finding.rule, "message": finding.message, "field": finding.field,
            "severity": finding.severity.value if isinstance(finding.severity, Severity)
            else str(finding.severity)}



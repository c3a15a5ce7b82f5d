"""What a plan is written on, shared by the pages (portal.plans.routes) and the API
(portal.api.plannen): which plans a user sees, the region's template for a toewijzing, a plan's
:class:`Document` (template, context, product, the approved plan's goals for an evaluation), the
region's check of its content, the scope of an integral plan and the content a new plan starts
from.

One place for these, so the browser and the API check a plan identically. Nothing here knows about
HTTP: a missing template is ``None``, and each caller answers it its own way (404 page or problem).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.extensions import db
from portal.plans import checks, workflow
from portal.plans.display import goal_texts
from portal.plans.models import EVALUATION, PLAN, Plan
from portal.plans.results import results_of
from portal.plans.services import Check, Scope, start
from portal.plans.templates import Template, TemplateContext
from portal.plugins.types import Product
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing


def visible_plans(user: User):
    """The plans a user sees: an aanbieder its own, a gemeente those of its toewijzingen."""
    query = select(Plan)
    if user.role == BEHEER:
        return query
    if user.role == AANBIEDER:
        return query.where(Plan.aanbieder_id == user.organisation_id)
    if user.role == GEMEENTE:
        return query.where(Plan.gemeente_id == user.organisation_id)
    return query.where(False)


@dataclass(frozen=True)
class Document:
    """What a plan is written on: its region's template for its product, and the context."""

    template: Template
    context: TemplateContext
    product: Product
    plan_goals: tuple[str, ...] = ()


def template_for(toewijzing: Toewijzing, kind: str) -> Template | None:
    region = toewijzing.gemeente.region_code or ""
    product = registry().product(region, toewijzing.product_key or "")
    if product is None:
        return None
    if kind == PLAN:
        return registry().plan_template(region, product)
    return registry().evaluation_template(region, product)


def document_of(plan: Plan, today: date | None = None) -> Document | None:
    """The plan's template and context; None when its region no longer has a template for it."""
    toewijzing = plan.toewijzing
    product = registry().product(plan.region_code, plan.product_key or "")
    template = template_for(toewijzing, plan.kind) if product is not None else None
    if template is None:
        return None
    others = frozenset(t.product_key for t in db.session.scalars(select(Toewijzing).where(
        Toewijzing.client_id == plan.client_id, Toewijzing.status == "actief",
        Toewijzing.id != toewijzing.id)) if t.product_key)
    results = tuple(dict(r.values or {}) for r in results_of(toewijzing))
    context = TemplateContext(product_key=product.key, municipality_code=plan.gemeente.code,
                              start=toewijzing.ingangsdatum, end=toewijzing.einddatum,
                              today=today or date.today(), other_products=others,
                              toewijzing_results=results)
    goals: tuple[str, ...] = ()
    if plan.kind == EVALUATION and plan.evaluates is not None:
        plan_template = template_for(toewijzing, PLAN)
        if plan_template is not None:
            goals = tuple(goal_texts(plan_template, plan.evaluates.current.content))
    return Document(template, context, product, goals)


def plan_check(document: Document, plan: Plan, stage: str) -> Check:
    """The region's rules on some content at one moment (save: warnings; submit: errors block),
    with the deviations the gemeente approved counted."""
    run = checks.check_plan if plan.kind == PLAN else checks.check_evaluation
    approved = workflow.approved_deviations(plan)

    def check(content):
        found = run(registry(), plan.region_code, document.product, content, document.context,
                    stage).findings
        return workflow.apply_deviations(found, approved)  # what the gemeente allowed
    return check


def scope_of(toewijzing: Toewijzing, kind: str) -> Scope:
    """Whether the region makes one integral plan (or evaluation) per client for this product
    (its template names the owners), or one per toewijzing."""
    template = template_for(toewijzing, kind)
    if template is None or not template.integral_owners:
        return Scope()
    return Scope(template.integral_owners, template.products)


def initial_content(toewijzing: Toewijzing, template: Template) -> dict:
    """A new plan starts from the results the gemeente recorded on the toewijzing, where the
    region's template asks the plan to repeat them."""
    content: dict = {}
    for term in template.terms_of("toewijzing_results", toewijzing.product_key):
        rows = [dict(r.values or {}) for r in results_of(toewijzing)]
        if rows:
            content[term.params["field"]] = rows
    return content


def start_on_template(user: User, toewijzing: Toewijzing, kind: str, template: Template) -> Plan:
    """Start a plan or evaluation on the region's ``template`` (from :func:`template_for`): with
    the region's scope, and a plan with the toewijzing's recorded results. Raises PlanRefused."""
    return start(user, toewijzing, kind, scope_of(toewijzing, PLAN),
                 needs_plan=template_for(toewijzing, PLAN) is not None,
                 content=initial_content(toewijzing, template) if kind == PLAN else None,
                 evaluation_scope=scope_of(toewijzing, EVALUATION))

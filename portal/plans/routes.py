"""Plans and evaluations in the browser: write on the region's template, save, submit, revise;
the gemeente's queue and review with comments per section; versions compared; print and PDF.

The template (its sections and fields) comes from the region plugin; the form is built by
:mod:`portal.plans.form_builder`, the rules run through :mod:`portal.plans.checks`, and every
step goes through :mod:`portal.plans.services`, which knows the state table.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from portal.accounts.roles import AANBIEDER, GEMEENTE
from portal.app import DATABASE_TROUBLE, note_database_trouble
from portal.auth.policy import any_role, roles, visible_toewijzingen
from portal.extensions import db
from portal.forms import Form
from portal.plans import checks
from portal.plans.display import print_document, shown_sections
from portal.plans.documents import (  # template_for, visible_plans: also for other pages
    Document,
    document_of,
    plan_check,
    start_on_template,
    template_for,
    visible_plans,
)
from portal.plans.form_builder import ADD_ROW, SAVE, SUBMIT, build_form
from portal.plans.lifecycle import CONCEPT, STATES, allowed
from portal.plans.models import EVALUATION, PLAN, Plan, PlanVersion
from portal.plans.pdf import pdf_bytes
from portal.plans.queue import queue, review_term
from portal.plans.services import (
    Draft,
    PlanRefused,
    StaleEdit,
    decide,
    new_version,
    save,
)
from portal.plans.services import submit as submit_plan
from portal.regions import registry
from portal.toewijzingen.models import Toewijzing

# Jinja files live in pages/, because templates.py is the region template model.
bp = Blueprint("plans", __name__, url_prefix="/plannen", template_folder="pages")


# -- which plans a user sees ---------------------------------------------------------------------

def _plan_or_404(plan_id: int) -> Plan:
    plan = db.session.scalar(visible_plans(current_user).where(Plan.id == plan_id))
    if plan is None:
        abort(404)
    return plan


# -- the template of a plan (portal.plans.documents, shared with the API) -----------------------

def _document(plan: Plan) -> Document:
    document = document_of(plan)
    if document is None:
        abort(404)  # the region no longer has a template for this plan's product
    return document


# -- starting one --------------------------------------------------------------------------------

class StartForm(Form):
    """Only the CSRF token: the toewijzing and kind are in the URL."""


@bp.route("/nieuw/<int:toewijzing_id>/<kind>", methods=["POST"])
@roles(AANBIEDER)
def new(toewijzing_id: int, kind: str):
    toewijzing = db.session.scalar(visible_toewijzingen(current_user)
                                   .where(Toewijzing.id == toewijzing_id))
    if toewijzing is None or kind not in (PLAN, EVALUATION) or not StartForm().validate_on_submit():
        abort(404)
    template = template_for(toewijzing, kind)
    if template is None:
        flash("De regio vraagt voor dit product geen " + ("plan." if kind == PLAN
                                                          else "evaluatieverslag."), "error")
        return redirect(url_for("clients.detail", client_id=toewijzing.client_id))
    try:
        plan = start_on_template(current_user, toewijzing, kind, template)
        db.session.commit()
    except PlanRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("clients.detail", client_id=toewijzing.client_id))
    return redirect(url_for("plans.detail", plan_id=plan.id))


# -- reading and writing -------------------------------------------------------------------------

@bp.route("/<int:plan_id>", methods=["GET", "POST"])
@any_role
def detail(plan_id: int):
    plan = _plan_or_404(plan_id)
    document = _document(plan)
    version = plan.current
    editable = (current_user.role == AANBIEDER and version.state == CONCEPT)
    if not editable:
        if request.method == "POST":
            abort(405)
        return _read_only(plan, document)

    form = build_form(document.template, document.context,
                      content=None if request.method == "POST" else version.content,
                      plan_goals=document.plan_goals)
    stage = form.stage() if request.method == "POST" else None
    if stage == ADD_ROW:
        form.add_row(form.row_requested())
    elif stage in (SAVE, SUBMIT) and form.validate_on_submit():
        seen = request.form.get("lock_version", type=int) or 0
        try:
            return _save_or_submit(plan, document, form, stage)
        except DATABASE_TROUBLE as trouble:
            # The database failed mid-way: the step is rolled back, but what the author typed
            # (perhaps an hour's work) comes back in the form rather than on an error page. If
            # the page cannot be read either, the app's handler answers.
            db.session.rollback()
            form.form_errors = [*form.form_errors, note_database_trouble(trouble)]
            return _edit_page(plan, document, form, seen), 503
    return _edit_page(plan, document, form, plan.lock_version)


def _save_or_submit(plan: Plan, document: Document, form, stage: str):
    content = form.content()
    seen = request.form.get("lock_version", type=int) or 0
    try:
        findings = save(current_user, plan, seen, Draft(content), plan_check(document, plan, SAVE))
        if stage == SUBMIT:
            warnings = submit_plan(current_user, plan, plan.lock_version,
                                   plan_check(document, plan, SUBMIT))
        db.session.commit()
    except StaleEdit as stale:
        db.session.rollback()
        form.form_errors = [*form.form_errors, stale.message]
        return _edit_page(plan, document, form, seen), 409
    except StaleDataError:
        db.session.rollback()
        form.form_errors = [*form.form_errors, "Iemand anders sloeg dit plan tegelijk op; uw "
                            "wijzigingen staan nog in het formulier. Open het plan opnieuw en "
                            "neem ze over."]
        return _edit_page(plan, document, form, seen), 409
    except PlanRefused as refused:
        # The content was saved; only the submission is refused. Keep the save.
        db.session.commit()
        form.show_findings(refused.findings)
        form.form_errors = [*form.form_errors, refused.message]
        return _edit_page(plan, document, form, plan.lock_version), 422
    if stage == SUBMIT:
        flash(f"{plan.kind_label} versie {plan.current.number} is ingediend bij "
              f"{plan.gemeente.name}.", "info")
        for warning in warnings:
            flash(f"Let op: {checks.finding_text(warning)}", "warning")
        return redirect(url_for("plans.detail", plan_id=plan.id))
    flash("Het concept is opgeslagen.", "info")
    for finding in findings:
        flash(f"Nog te doen voor indienen: {checks.finding_text(finding)}", "warning")
    return redirect(url_for("plans.detail", plan_id=plan.id))


def _edit_page(plan: Plan, document: Document, form, lock_version: int):
    return render_template("plans/edit.html", plan=plan, form=form, document=document,
                           lock_version=lock_version, states=STATES,
                           workflow=workflow_view(plan), action_form=StartForm())


def _read_only(plan: Plan, document: Document):
    version = plan.current
    return render_template(
        "plans/detail.html", plan=plan, version=version, states=STATES,
        sections=shown_sections(document.template, document.context, version.content),
        actions=allowed(version.state, current_user.role), action_form=StartForm(),
        term=review_term(registry(), plan) if version.state == "ingediend" else None,
        workflow=workflow_view(plan))


@bp.route("/<int:plan_id>/nieuwe-versie", methods=["POST"])
@roles(AANBIEDER)
def revise(plan_id: int):
    plan = _plan_or_404(plan_id)
    if not StartForm().validate_on_submit():
        abort(400)
    try:
        version = new_version(current_user, plan)
        db.session.commit()
    except PlanRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    else:
        previous = plan.versions[-2]
        flash(f"Versie {version.number} is gemaakt" + (
            f"; de opmerkingen van de gemeente staan bij versie {previous.number}."
            if previous.state != "goedgekeurd" else
            f"; versie {previous.number} blijft goedgekeurd tot deze is beoordeeld."), "info")
    return redirect(url_for("plans.detail", plan_id=plan.id))


# -- the gemeente's review -----------------------------------------------------------------------

@bp.route("/beoordelen")
@roles(GEMEENTE)
def review_queue():
    today = date.today()
    return render_template("plans/queue.html", waiting=queue(registry(), current_user.organisation_id),
                           today=today)


@bp.route("/<int:plan_id>/beoordelen", methods=["GET", "POST"])
@roles(GEMEENTE)
def review(plan_id: int):
    plan = _plan_or_404(plan_id)
    document = _document(plan)
    version = plan.current
    sections = shown_sections(document.template, document.context, version.content)
    form = StartForm()
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("besluit", "")
        comments = {section.key: request.form.get(f"opmerking_{section.key}", "")
                    for section, _fields in sections}
        try:
            decide(current_user, plan, action, comments, request.form.get("opmerking_algemeen"))
            db.session.commit()
        except PlanRefused as refused:
            db.session.rollback()
            problem = refused.message
        else:
            word = "goedgekeurd" if action == "goedkeuren" else "teruggestuurd naar de aanbieder"
            flash(f"{plan.kind_label} van {plan.client.display_name} is {word}.", "info")
            return redirect(url_for("plans.review_queue"))
    return render_template(
        "plans/review.html", plan=plan, version=version, sections=sections, form=form,
        problem=problem, checklist=checks.reviewer_checklist(document.template, document.context),
        term=review_term(registry(), plan), posted=request.form, workflow=workflow_view(plan),
        action_form=StartForm()), 422 if problem else 200


# -- versions, print and PDF ---------------------------------------------------------------------

@bp.route("/<int:plan_id>/versies")
@any_role
def compare(plan_id: int):
    plan = _plan_or_404(plan_id)
    document = _document(plan)
    numbers = [v.number for v in plan.versions]
    left_number = request.args.get("van", type=int) or max(numbers[-1] - 1, 1)
    right_number = request.args.get("naar", type=int) or numbers[-1]
    left, right = _version(plan, left_number), _version(plan, right_number)
    rows = []
    for (section, old), (_same, new) in zip(
            shown_sections(document.template, document.context, left.content),
            shown_sections(document.template, document.context, right.content)):
        rows.append((section, [(a.label, a.text, b.text, a.text != b.text)
                               for a, b in zip(old, new)]))
    return render_template("plans/compare.html", plan=plan, left=left, right=right, rows=rows,
                           numbers=numbers)


def _version(plan: Plan, number: int) -> PlanVersion:
    version = next((v for v in plan.versions if v.number == number), None)
    if version is None:
        abort(404)
    return version


def _print_document(plan: Plan):
    document = _document(plan)
    version = plan.current
    toewijzing = plan.toewijzing
    facts = [("Cliënt", plan.client.display_name),
             ("Product", f"{toewijzing.product_code or ''} {document.product.name}".strip()),
             ("Toewijzing", f"{toewijzing.toewijzing_nummer}, {toewijzing.ingangsdatum:%d-%m-%Y}"
                            + (f" t/m {toewijzing.einddatum:%d-%m-%Y}" if toewijzing.einddatum
                               else "")),
             ("Aanbieder", plan.aanbieder.name), ("Gemeente", plan.gemeente.name),
             ("Versie", f"{version.number}, {STATES[version.state].lower()}")]
    sections = shown_sections(document.template, document.context, version.content)
    return document, print_document(f"{document.template.title} · {plan.client.display_name}",
                                    facts, sections, version.comments, version.general_comment)


@bp.route("/<int:plan_id>/afdrukken")
@any_role
def printable(plan_id: int):
    plan = _plan_or_404(plan_id)
    _document_, printed = _print_document(plan)
    return render_template("plans/print.html", plan=plan, printed=printed)


@bp.route("/<int:plan_id>/pdf")
@any_role
def pdf(plan_id: int):
    plan = _plan_or_404(plan_id)
    _document_, printed = _print_document(plan)
    response = Response(pdf_bytes(printed), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{plan.kind}-{plan.id}-versie-{plan.current.number}.pdf"')
    return response


def plans_of_client(client_id: int) -> list[Plan]:
    """The plans a user may see for one client (for the client's page)."""
    return list(db.session.scalars(visible_plans(current_user).where(Plan.client_id == client_id)
                                   .order_by(Plan.created_at)))


# The workflow's views live on this blueprint too; imported last, as they import from here.
from portal.plans.workflow_routes import workflow_view  # noqa: E402

"""Writing, submitting and reviewing plans and evaluations: every step through the state table.

Each function checks who may do it and whether the state allows it
(:func:`portal.plans.lifecycle.transition`), changes the plan and its versions, and records the
step in the audit log; the caller commits. Nothing is changed when a check fails:
:class:`PlanRefused` carries the Dutch reason (and, on submission, the blocking findings).

The region's rules come in as a ``check`` function (content → findings), so this module knows no
template and no region: the web layer builds the check from the region's template and hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select, update

from portal.accounts.models import User
from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.audit.recorder import record
from portal.clients.models import Client
from portal.extensions import db, utcnow
from portal.plans.lifecycle import CONCEPT, EDITABLE, GOEDGEKEURD, TransitionRefused, transition
from portal.plans.models import EVALUATION, PLAN, Plan, PlanVersion
from portal.plugins.types import Finding, Severity
from portal.toewijzingen.models import Toewijzing

Check = Callable[[Mapping], list[Finding]]


class PlanRefused(Exception):
    """The step is not taken; ``message`` (Dutch) says why, ``findings`` what blocks it."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.message = message
        self.findings = findings or []


class StaleEdit(PlanRefused):
    """Someone saved the plan after this user opened it; this save would overwrite that."""


@dataclass(frozen=True)
class Scope:
    """An integral plan (from the region's template): one plan per client for all its
    toewijzingen of ``products``, made by the provider of one of ``owners``. Empty: one plan per
    toewijzing."""

    owners: frozenset[str] = frozenset()
    products: frozenset[str] = frozenset()

    @property
    def integral(self) -> bool:
        return bool(self.owners)


@dataclass
class Draft:
    """What the author typed: the content and who wrote it."""

    content: dict
    author_name: str | None = None
    author_level: str | None = None
    extra: dict = field(default_factory=dict)


def start(user: User, toewijzing: Toewijzing, kind: str, scope: Scope = Scope(),
          needs_plan: bool = True, content: dict | None = None,
          evaluation_scope: Scope = Scope()) -> Plan:
    """A new plan (or evaluation) for a toewijzing of the user's organisation, as a concept.

    An evaluation looks back on the approved plan, unless ``needs_plan`` is False (the region
    asks no plan for the product but does ask an evaluation). With an integral ``scope`` (the
    plan template's ``integral_owners``) the client has one plan for all its toewijzingen of the
    scope's products, made by the provider of an owner product; an integral
    ``evaluation_scope`` (the evaluation template's) likewise one evaluation at a time.
    ``content`` starts the first version (e.g. the results the toewijzing holds)."""
    if user.role != AANBIEDER or toewijzing.aanbieder_id != user.organisation_id:
        raise PlanRefused("Alleen de aanbieder van deze toewijzing schrijft het plan.")
    if toewijzing.status != "actief":
        raise PlanRefused("Deze toewijzing is niet actief; er kan geen plan of evaluatie meer "
                          "bij worden gemaakt.")
    one_at_a_time(toewijzing.client_id)
    evaluates = None
    plans = _integral_plans(toewijzing, scope) if scope.integral else _plans(toewijzing, PLAN)
    if kind == PLAN:
        if scope.integral:
            _integral_owner(toewijzing, scope)
        if plans:
            what = "een integraal plan voor deze cliënt" if scope.integral else \
                "een plan voor deze toewijzing"
            raise PlanRefused(f"Er is al {what}; open dat plan (een teruggestuurd plan krijgt "
                              f"een nieuwe versie).")
    elif kind == EVALUATION:
        if evaluation_scope.integral:
            _integral_owner(toewijzing, evaluation_scope, "de evaluatie")
        # A plan under revision is still approved in its earlier version.
        approved = [p for p in plans if any(v.state == GOEDGEKEURD for v in p.versions)]
        if needs_plan and not approved:
            raise PlanRefused("Een evaluatie kijkt terug op een goedgekeurd plan; deze "
                              "toewijzing heeft nog geen goedgekeurd plan.")
        evaluations = _integral_plans(toewijzing, evaluation_scope, EVALUATION) \
            if evaluation_scope.integral else _plans(toewijzing, EVALUATION)
        if [p for p in evaluations if p.state != GOEDGEKEURD]:
            raise PlanRefused("Er is al een evaluatie in behandeling voor "
                              + ("deze cliënt." if evaluation_scope.integral
                                 else "deze toewijzing."))
        evaluates = approved[-1] if approved else None
    else:
        raise PlanRefused(f"Onbekende soort '{kind}'.")
    plan = Plan(kind=kind, toewijzing=toewijzing, client_id=toewijzing.client_id,
                aanbieder_id=toewijzing.aanbieder_id, gemeente_id=toewijzing.gemeente_id,
                region_code=toewijzing.gemeente.region_code or "",
                product_key=toewijzing.product_key, evaluates=evaluates, state=CONCEPT,
                created_at=utcnow(), updated_at=utcnow())
    plan.versions.append(PlanVersion(number=1, state=CONCEPT, content=dict(content or {}),
                                     saved_at=utcnow(), saved_by=user))
    db.session.add(plan)
    db.session.flush()
    record("aanmaken", kind, plan.id)
    return plan


def one_at_a_time(client_id: int) -> None:
    """For a step that counts what exists before it adds (a plan, a deviation request, a due
    date): two at the same moment (a double click, two tabs, two programs) would both find
    nothing and both add. Writing the client's row first takes its lock (PostgreSQL: that row;
    SQLite: the database) until the transaction ends, so the second counts only after the first
    committed, and is refused. The client, not the plan: an integral plan is one per client."""
    db.session.execute(update(Client).where(Client.id == client_id).values(id=Client.id),
                       execution_options={"synchronize_session": False})


def save(user: User, plan: Plan, seen_lock: int, draft: Draft, check: Check) -> list[Finding]:
    """Store the concept's content; returns the region's findings, all as warnings for now."""
    _own_provider(user, plan)
    _fresh(plan, seen_lock)
    version = plan.current
    if version.state not in EDITABLE:
        raise PlanRefused("Een ingediende versie kan niet meer worden gewijzigd.")
    version.content = draft.content
    version.author_name = draft.author_name
    version.author_level = draft.author_level
    version.saved_at, version.saved_by = utcnow(), user
    plan.updated_at = utcnow()  # the plan row changes too, so its lock_version goes up
    db.session.flush()
    record("opslaan", plan.kind, plan.id, {"versie": version.number})
    return [_as_warning(finding) for finding in check(_checked(version))]


def submit(user: User, plan: Plan, seen_lock: int, check: Check) -> list[Finding]:
    """Submit the concept to the gemeente; the region's errors block it. Returns the warnings."""
    _own_provider(user, plan)
    _fresh(plan, seen_lock)
    step = _transition(plan, "indienen", user)
    findings = check(_checked(plan.current))
    errors = [f for f in findings if f.severity == Severity.ERROR]
    if errors:
        raise PlanRefused(f"Het {plan.kind_label.lower()} kan nog niet worden ingediend: "
                          f"{len(errors)} punt(en) volgens de regels van de regio.", errors)
    version = plan.current
    version.state = plan.state = step.target
    version.submitted_at = plan.submitted_at = utcnow()
    version.findings = [_as_json(f) for f in findings]
    plan.updated_at = utcnow()
    db.session.flush()
    record("indienen", plan.kind, plan.id, {"versie": version.number})
    return [f for f in findings if f.severity != Severity.ERROR]


def decide(user: User, plan: Plan, action: str, comments: Mapping[str, str],
           general_comment: str | None = None) -> None:
    """The gemeente approves ("goedkeuren") or returns ("terugsturen") the submitted version."""
    if user.role != GEMEENTE or plan.gemeente_id != user.organisation_id:
        raise PlanRefused("Alleen de gemeente van deze toewijzing beoordeelt dit plan.")
    step = _transition(plan, action, user)
    comments = {key: text.strip() for key, text in comments.items() if text and text.strip()}
    general = (general_comment or "").strip() or None
    if action == "terugsturen" and not comments and not general:
        raise PlanRefused("Schrijf bij terugsturen ten minste één opmerking, zodat de aanbieder "
                          "weet wat er moet veranderen.")
    version = plan.current
    version.state = plan.state = step.target
    version.decided_at, version.decided_by = utcnow(), user
    version.comments, version.general_comment = comments, general
    plan.updated_at = utcnow()
    db.session.flush()
    record(action, plan.kind, plan.id,
           {"versie": version.number, "opmerkingen": sorted(comments)})


def new_version(user: User, plan: Plan) -> PlanVersion:
    """A returned plan, or an approved plan that must change ("herzien"), gets a new concept
    version, starting from the newest content. An approved evaluation is final."""
    _own_provider(user, plan)
    if plan.current.state == GOEDGEKEURD and plan.kind == EVALUATION:
        raise PlanRefused("Een goedgekeurd evaluatieverslag is definitief; maak een nieuwe "
                          "evaluatie.")
    action = "herzien" if plan.current.state == GOEDGEKEURD else "nieuwe_versie"
    step = _transition(plan, action, user)
    previous = plan.current
    version = PlanVersion(number=previous.number + 1, state=step.target,
                          content=dict(previous.content or {}), author_name=previous.author_name,
                          author_level=previous.author_level, saved_at=utcnow(), saved_by=user)
    plan.versions.append(version)
    plan.state = step.target
    plan.updated_at = utcnow()
    db.session.flush()
    record(action, plan.kind, plan.id, {"versie": version.number})
    return version


def _transition(plan: Plan, action: str, user: User):
    role = AANBIEDER if user.role == AANBIEDER else GEMEENTE if user.role == GEMEENTE else BEHEER
    try:
        return transition(plan.current.state, action, role)
    except TransitionRefused as refused:
        raise PlanRefused(str(refused)) from refused


def _own_provider(user: User, plan: Plan) -> None:
    if user.role != AANBIEDER or plan.aanbieder_id != user.organisation_id:
        raise PlanRefused("Alleen de aanbieder van deze toewijzing werkt dit plan bij.")


def _fresh(plan: Plan, seen_lock: int) -> None:
    if seen_lock != plan.lock_version:
        who = plan.current.saved_by.name if plan.current.saved_by else "iemand anders"
        raise StaleEdit(f"{who} heeft dit {plan.kind_label.lower()} opgeslagen nadat u het "
                        f"opende. Uw wijzigingen zijn niet opgeslagen maar staan nog in het "
                        f"formulier: open het {plan.kind_label.lower()} opnieuw in een ander "
                        f"tabblad, neem ze over en sla dan op.")


def _checked(version: PlanVersion) -> dict:
    """The content as the region's rules see it, with who wrote it."""
    return {**(version.content or {}), "_author_name": version.author_name,
            "_author_level": version.author_level}


def _as_warning(finding: Finding) -> Finding:
    return Finding(finding.rule, Severity.WARNING, finding.message, finding.field)


def _as_json(finding: Finding) -> dict:
    return {"rule": finding.rule, "severity": finding.severity.value,
            "message": finding.message, "field": finding.field}


def _integral_owner(toewijzing: Toewijzing, scope: Scope, what: str = "het plan") -> None:
    """Only the provider of an owner product makes the integral plan (and takes the initiative to
    evaluate), when the client has one."""
    if toewijzing.product_key in scope.owners:
        return
    owners = [t for t in db.session.scalars(select(Toewijzing).where(
        Toewijzing.client_id == toewijzing.client_id, Toewijzing.status == "actief",
        Toewijzing.product_key.in_(scope.owners)))]
    if owners:
        names = ", ".join(sorted({t.aanbieder.name for t in owners}))
        if what == "het plan":
            raise PlanRefused(f"Deze cliënt krijgt één integraal plan, gemaakt door de aanbieder "
                              f"van de individuele begeleiding ({names}); stem uw deel met die "
                              f"aanbieder af.")
        raise PlanRefused(f"Deze cliënt krijgt één integrale evaluatie; de aanbieder van de "
                          f"individuele begeleiding ({names}) neemt het initiatief om te "
                          f"evalueren. Stem uw deel met die aanbieder af.")


def _integral_plans(toewijzing: Toewijzing, scope: Scope, kind: str = PLAN) -> list[Plan]:
    """The client's plans (or evaluations) for any of the scope's products, whoever made them."""
    return list(db.session.scalars(select(Plan).where(
        Plan.client_id == toewijzing.client_id, Plan.kind == kind,
        Plan.product_key.in_(scope.products)).order_by(Plan.id)))


def _plans(toewijzing: Toewijzing, kind: str) -> list[Plan]:
    return list(db.session.scalars(select(Plan).where(
        Plan.toewijzing_id == toewijzing.id, Plan.kind == kind).order_by(Plan.id)))

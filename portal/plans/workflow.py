"""The plan's workflow beyond its content: the region's ``[[templates.terms]]`` (TERM_KINDS in
:mod:`portal.plans.templates`) held against what is stored.

- the start of support, recorded by the aanbieder, against the term after the plan was discussed
  with the client (kind ``support_start``);
- a revision the plan needs after a new toewijzing of some products (``revise_on_new_product``);
- deviations from the region's terms and conditions: asked with a reason by the aanbieder, counted
  only after the gemeente approved them (``deviation``);
- the evaluations' due dates: the moments the approved plan plans, a later date agreed with the
  gemeente, an extra evaluation the reviewer asks for, the gemeente's signal of a missing report
  and the aanbieder's term after it (``planned_moments``, ``extra_request``, ``missed_signal``,
  ``after_signal``), and the final evaluation a toewijzing requires (``final_evaluation``).

Like :mod:`portal.plans.services`, each step checks who may take it, changes the rows, and lets the
audit log record them; the caller commits. A refusal is a :class:`PlanRefused` with a Dutch reason.
Nothing here names a region: every number, rule id and message comes from the template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta, timezone

from sqlalchemy import Select, select, update
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.accounts.roles import AANBIEDER, GEMEENTE
from portal.audit.recorder import record
from portal.extensions import db, utcnow
from portal.plans.lifecycle import GOEDGEKEURD
from portal.plans.models import (
    AGREED,
    APPROVED,
    EVALUATION,
    EXTRA,
    PLAN,
    REJECTED,
    REQUESTED,
    SIGNALLED,
    Deviation,
    EvaluationDue,
    Plan,
    PlanVersion,
    SupportStart,
)
from portal.plans.services import PlanRefused, one_at_a_time
from portal.plans.templates import Term, as_date
from portal.plans.terms import (
    Templates,
    after_signal_due,
    earliest_extra_due,
    final_deadline,
    planned_dates,
    signal_due,
    support_start_due,
    templates_of,
)
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Deadline, Finding, Severity
from portal.toewijzingen.models import Toewijzing

PLANNED = "gepland"
ORIGINS = {PLANNED: "Gepland in het plan", AGREED: "Later afgesproken datum",
           EXTRA: "Extra tussenevaluatie", SIGNALLED: "Na signalering"}


def templates_for(regions: RegionRegistry, plan: Plan) -> Templates:
    return templates_of(regions, plan.region_code, plan.product_key)


# -- GM-P14 and the like: deviations -------------------------------------------------------------

def deviable_rules(templates: Templates) -> list[str]:
    return [rule for term in templates.terms("deviation") for rule in term.params["rules"]]


def approved_deviations(plan: Plan, rows: WorkflowRows | None = None) -> dict[str, Deviation]:
    if rows is not None:
        return {row.rule: row for row in rows.approved.get(plan.id, [])}
    found = db.session.scalars(select(Deviation).where(
        Deviation.plan_id == plan.id, Deviation.state == APPROVED).order_by(Deviation.id))
    return {row.rule: row for row in found}


def deviations_of(plan: Plan) -> list[Deviation]:
    return list(db.session.scalars(select(Deviation).where(Deviation.plan_id == plan.id)
                                   .order_by(Deviation.id)))


def request_deviation(user: User, plan: Plan, templates: Templates, rule: str, reason: str | None,
                      new_due: date | None = None) -> Deviation:
    """The aanbieder asks to deviate from one of the region's terms or conditions."""
    _own_provider(user, plan)
    one_at_a_time(plan.client_id)
    [term] = templates.terms("deviation")[:1] or [None]
    if term is None:
        raise PlanRefused("De regio kent voor dit plan geen afwijking van termijnen of "
                          "voorwaarden.")
    if rule not in term.params["rules"]:
        raise PlanRefused(f"Van regel ‘{rule}’ kan niet worden afgeweken; wel van: "
                          f"{', '.join(term.params['rules'])}.")
    reason = (reason or "").strip()
    if not reason:
        raise PlanRefused(f"‘Reden’ is niet ingevuld: {term.message} ({term.id}){term.cite}")
    if any(d.rule == rule and d.state == REQUESTED for d in deviations_of(plan)):
        raise PlanRefused(f"Er is al een verzoek om af te wijken van {rule} in behandeling.")
    deviation = Deviation(plan=plan, rule=rule, reason=reason, new_due=new_due, state=REQUESTED,
                          requested_by=user, requested_at=utcnow())
    db.session.add(deviation)
    db.session.flush()
    record("afwijking_aanvragen", plan.kind, plan.id, {"regel": rule})
    return deviation


def decide_deviation(user: User, deviation: Deviation, approve: bool,
                     comment: str | None = None) -> None:
    """The gemeente approves or rejects a requested deviation."""
    plan = deviation.plan
    _own_gemeente(user, plan)
    if deviation.state != REQUESTED:
        raise PlanRefused(f"Over dit verzoek is al besloten: {deviation.state_label.lower()}.")
    comment = (comment or "").strip() or None
    if not approve and not comment:
        raise PlanRefused("Schrijf bij afwijzen waarom, zodat de aanbieder weet wat er kan.")
    # The decision is claimed in the database: of two decisions at the same moment (two
    # reviewers, two tabs) only the first changes the row, the other is refused. The check of
    # the state read above alone would let the later one overwrite the first.
    claimed = db.session.execute(
        update(Deviation).where(Deviation.id == deviation.id, Deviation.state == REQUESTED)
        .values(state=APPROVED if approve else REJECTED),
        execution_options={"synchronize_session": False})
    if claimed.rowcount != 1:
        db.session.refresh(deviation)
        raise PlanRefused(f"Over dit verzoek is al besloten: {deviation.state_label.lower()}.")
    deviation.state = APPROVED if approve else REJECTED
    deviation.decided_by, deviation.decided_at = user, utcnow()
    deviation.decision_comment = comment
    db.session.flush()
    record("afwijking_" + ("goedkeuren" if approve else "afwijzen"), plan.kind, plan.id,
           {"regel": deviation.rule})


def apply_deviations(findings: Iterable[Finding], approved: Mapping[str, Deviation]) -> list[Finding]:
    """An error of a rule the gemeente allowed to deviate from no longer blocks: a warning."""
    result = []
    for finding in findings:
        if finding.rule in approved and finding.severity is Severity.ERROR:
            finding = replace(finding, severity=Severity.WARNING,
                              message=f"{finding.message} Afwijking goedgekeurd door de gemeente.")
        result.append(finding)
    return result


def adjusted(deadlines: Iterable[Deadline], approved: Mapping[str, Deviation]) -> list[Deadline]:
    """Deadlines with the date of an approved deviation in place of the region's."""
    result = []
    for deadline in deadlines:
        deviation = approved.get(deadline.rule)
        if deviation is not None and deviation.new_due is not None:
            deadline = replace(deadline, due=deviation.new_due,
                               message=f"{deadline.message} (afwijking goedgekeurd)")
        result.append(deadline)
    return result


# -- GM-P6 and the like: the start of support ----------------------------------------------------

def support_start_of(toewijzing: Toewijzing,
                     rows: WorkflowRows | None = None) -> SupportStart | None:
    if rows is not None:
        return rows.support_starts.get(toewijzing.id)
    return db.session.scalar(select(SupportStart).where(SupportStart.toewijzing_id == toewijzing.id))


def discussed_on(term: Term, plan: Plan) -> date | None:
    """The day the plan was first discussed with the client: the date in the term's field of the
    earliest version that has one (a revision discusses a change, not the start)."""
    for version in plan.versions:
        try:
            day = as_date((version.content or {}).get(term.params["field"]))
        except (ValueError, TypeError):
            continue
        if day is not None:
            return day
    return None


@dataclass(frozen=True)
class SupportTerm:
    term: Term
    discussed: date
    due: date
    started: date | None

    @property
    def late(self) -> bool:
        return self.started is not None and self.started > self.due


def support_term(templates: Templates, plan: Plan,
                 rows: WorkflowRows | None = None) -> SupportTerm | None:
    term = templates.term("support_start")
    if term is None or plan.kind != PLAN:
        return None
    discussed = discussed_on(term, plan)
    if discussed is None:
        return None
    due = support_start_due(term, discussed, templates.policy)
    deviation = approved_deviations(plan, rows).get(term.id)
    if deviation is not None and deviation.new_due is not None:
        due = deviation.new_due
    start = support_start_of(plan.toewijzing, rows)
    return SupportTerm(term, discussed, due, start.started_on if start else None)


def record_support_start(user: User, plan: Plan, started_on: date, today: date) -> SupportStart:
    """The aanbieder records the day support started (once; a correction replaces it)."""
    _own_provider(user, plan)
    toewijzing = plan.toewijzing
    if started_on > today:
        raise PlanRefused(f"‘Start van de ondersteuning’ ({started_on:%d-%m-%Y}) ligt in de "
                          f"toekomst; leg de start vast op of na de dag dat die er was.")
    if started_on < toewijzing.ingangsdatum:
        raise PlanRefused(f"‘Start van de ondersteuning’ ({started_on:%d-%m-%Y}) ligt vóór de "
                          f"ingangsdatum van de toewijzing ({toewijzing.ingangsdatum:%d-%m-%Y}).")
    start = support_start_of(toewijzing)
    if start is None:
        start = SupportStart(toewijzing_id=toewijzing.id, started_on=started_on,
                             recorded_by=user, recorded_at=utcnow())
        db.session.add(start)
    else:
        start.started_on, start.recorded_by, start.recorded_at = started_on, user, utcnow()
    db.session.flush()
    record("start_ondersteuning", plan.kind, plan.id, {"toewijzing": toewijzing.id})
    return start


def support_findings(templates: Templates, plan: Plan) -> list[Finding]:
    found = support_term(templates, plan)
    if found is None or not found.late:
        return []
    return [Finding(found.term.id, found.term.severity,
                    f"{found.term.message} Het plan is besproken op {found.discussed:%d-%m-%Y}, "
                    f"dus uiterlijk {found.due:%d-%m-%Y}; de ondersteuning is gestart op "
                    f"{found.started:%d-%m-%Y}.{found.term.cite}", "start_ondersteuning")]


# -- GM-P13 and the like: a revision after a new toewijzing ---------------------------------------

def last_submitted(plan: Plan) -> PlanVersion | None:
    submitted = [v for v in plan.versions if v.submitted_at is not None]
    return submitted[-1] if submitted else None


def revision_findings(templates: Templates, plan: Plan,
                      rows: WorkflowRows | None = None) -> list[Finding]:
    """A toewijzing of a product that requires a revision, made after the plan was last
    submitted: the plan must get a new version that covers it."""
    return [finding for finding, _since in revisions_due(templates, plan, rows)]


def revisions_due(templates: Templates, plan: Plan,
                  rows: WorkflowRows | None = None) -> list[tuple[Finding, date]]:
    """The revision findings, each with the day it arose: the day the toewijzing was made."""
    if plan.kind != PLAN:
        return []
    version = last_submitted(plan)
    if version is None:
        return []  # a concept covers the client's current products already
    found = []
    for term in templates.terms("revise_on_new_product"):
        if rows is not None:
            newer = [t for t in rows.client_toewijzingen.get(plan.client_id, [])
                     if t.status == "actief" and t.product_key in term.params["new_products"]
                     and _utc(t.created_at) > _utc(version.submitted_at)]
        else:
            newer = db.session.scalars(select(Toewijzing).where(
                Toewijzing.client_id == plan.client_id, Toewijzing.status == "actief",
                Toewijzing.product_key.in_(term.params["new_products"]),
                Toewijzing.created_at > version.submitted_at).order_by(Toewijzing.created_at))
        for toewijzing in newer:
            found.append((Finding(
                term.id, term.severity,
                f"{term.message} Nieuwe toewijzing {toewijzing.toewijzing_nummer} "
                f"({toewijzing.product_code or toewijzing.product_key}) van "
                f"{toewijzing.created_at:%d-%m-%Y}, na versie {version.number} van het plan: "
                f"herzie het plan.{term.cite}", "herziening"), toewijzing.created_at.date()))
    return found


# -- GM-E3, E4, E5 and final evaluations: the evaluations' due dates ------------------------------

@dataclass(frozen=True)
class DueDate:
    due: date
    origin: str  # PLANNED, AGREED, EXTRA or SIGNALLED
    rule: str
    message: str
    delivered_on: date | None = None  # the first submission of the evaluation matched to it
    signal_by: date | None = None  # the gemeente's term to signal it missing
    replaced: bool = False

    @property
    def origin_label(self) -> str:
        return ORIGINS[self.origin]

    def state(self, today: date) -> str:
        if self.delivered_on is not None:
            return "te laat ingediend" if self.delivered_on > self.due else "op tijd ingediend"
        return "verstreken" if self.due < today else "open"


def evaluations_of(plan: Plan, rows: WorkflowRows | None = None) -> list[Plan]:
    if rows is not None:
        return rows.evaluations.get(plan.id, [])
    return list(db.session.scalars(select(Plan).where(
        Plan.evaluates_id == plan.id, Plan.kind == EVALUATION).order_by(Plan.id)))


def first_submissions(evaluations: Iterable[Plan]) -> list[date]:
    days = []
    for evaluation in evaluations:
        submitted = [_utc(v.submitted_at) for v in evaluation.versions
                     if v.submitted_at is not None]
        if submitted:
            days.append(min(submitted).date())
    return sorted(days)


def approved_version(plan: Plan) -> PlanVersion | None:
    approved = [v for v in plan.versions if v.state == GOEDGEKEURD]
    return approved[-1] if approved else None


def extra_dues(plan: Plan, rows: WorkflowRows | None = None) -> list[EvaluationDue]:
    if rows is not None:
        return rows.dues.get(plan.id, [])
    return list(db.session.scalars(select(EvaluationDue).where(EvaluationDue.plan_id == plan.id)
                                   .order_by(EvaluationDue.id)))


def evaluation_schedule(templates: Templates, plan: Plan,
                        rows: WorkflowRows | None = None) -> list[DueDate]:
    """The due dates of the evaluations of an approved plan, oldest first, each with the first
    submission of an evaluation matched to it (the n-th submitted evaluation meets the n-th due
    date). A replaced date is listed as replaced and needs no report."""
    version = approved_version(plan)
    planned = templates.term("planned_moments")
    if version is None or planned is None:
        return []
    dues = extra_dues(plan, rows)
    replaced = {row.replaces for row in dues if row.replaces is not None}
    dates: list[DueDate] = [DueDate(day, PLANNED, planned.id, planned.message)
                            for day in planned_dates(planned, version.content)]
    for row in dues:
        term = templates.term({AGREED: "planned_moments", EXTRA: "extra_request",
                               SIGNALLED: "after_signal"}[row.kind])
        dates.append(DueDate(row.due, row.kind, row.rule, term.message if term else row.kind_label))
    active = sorted((d for d in dates if d.due not in replaced), key=lambda d: (d.due, d.origin))
    signal = templates.term("missed_signal")
    delivered = first_submissions(evaluations_of(plan, rows))
    matched = []
    for index, due in enumerate(active):
        on = delivered[index] if index < len(delivered) else None
        matched.append(replace(due, delivered_on=on, signal_by=signal_due(
            signal, due.due, templates.policy) if signal and on is None else None))
    gone = [replace(d, replaced=True) for d in dates if d.due in replaced]
    return sorted(matched + gone, key=lambda d: (d.due, d.replaced))


def request_extra_evaluation(user: User, plan: Plan, templates: Templates, due: date | None,
                             reason: str | None, today: date) -> EvaluationDue:
    """The reviewer asks for an extra evaluation; the aanbieder gets at least the term's werkdagen."""
    _own_gemeente(user, plan)
    term = templates.term("extra_request")
    if term is None:
        raise PlanRefused("De regio kent voor dit product geen verzoek om een extra evaluatie.")
    _approved(plan)
    earliest = earliest_extra_due(term, today, templates.policy)
    if due is None:
        raise PlanRefused(f"‘Uiterlijk op’ is niet ingevuld: kies een datum op of na "
                          f"{earliest:%d-%m-%Y}.")
    if due < earliest:
        raise PlanRefused(f"‘Uiterlijk op’ ({due:%d-%m-%Y}) is te vroeg: {term.message} Kies een "
                          f"datum op of na {earliest:%d-%m-%Y} ({term.id}).{term.cite}")
    return _add_due(user, plan, EXTRA, due, None, term.id, reason)


def agree_later_date(user: User, plan: Plan, templates: Templates, replaces: date | None,
                     due: date | None, reason: str | None, today: date) -> EvaluationDue:
    """The gemeente records a later date agreed with the aanbieder for a planned evaluation."""
    _own_gemeente(user, plan)
    one_at_a_time(plan.client_id)
    term = templates.term("planned_moments")
    if term is None:
        raise PlanRefused("De regio plant voor dit product geen evaluatiemomenten in het plan.")
    _approved(plan)
    open_dates = [d.due for d in evaluation_schedule(templates, plan)
                  if not d.replaced and d.delivered_on is None]
    if replaces not in open_dates:
        raise PlanRefused("Kies de geplande datum die de nieuwe afspraak vervangt (een datum "
                          "waarvoor nog geen verslag is ingediend).")
    if due is None or due <= replaces:
        raise PlanRefused(f"‘Nieuwe datum’ moet na {replaces:%d-%m-%Y} liggen: een afspraak "
                          f"vervangt een geplande datum door een latere ({term.id}).{term.cite}")
    return _add_due(user, plan, AGREED, due, replaces, term.id, reason)


def signal_missing(user: User, plan: Plan, templates: Templates, missed: date | None,
                   today: date) -> EvaluationDue:
    """The gemeente signals that the report due on ``missed`` was not delivered; from today the
    aanbieder has the after_signal term."""
    _own_gemeente(user, plan)
    one_at_a_time(plan.client_id)
    term = templates.term("after_signal")
    if term is None:
        raise PlanRefused("De regio kent voor dit product geen termijn na een signalering.")
    overdue = [d.due for d in evaluation_schedule(templates, plan)
               if not d.replaced and d.delivered_on is None and d.due < today]
    if missed not in overdue:
        raise PlanRefused("Signaleren kan alleen voor een verslag waarvan de datum voorbij is "
                          "en dat nog niet is ingediend.")
    return _add_due(user, plan, SIGNALLED, after_signal_due(term, today, templates.policy),
                    missed, term.id, None)


def _add_due(user: User, plan: Plan, kind: str, due: date, replaces: date | None, rule: str,
             reason: str | None) -> EvaluationDue:
    row = EvaluationDue(plan=plan, kind=kind, due=due, replaces=replaces, rule=rule,
                        reason=(reason or "").strip() or None, recorded_by=user,
                        recorded_at=utcnow())
    db.session.add(row)
    db.session.flush()
    # The audit log's action holds 20 characters.
    action = {AGREED: "datum_afspreken", EXTRA: "extra_evaluatie", SIGNALLED: "signaleren"}[kind]
    record(action, plan.kind, plan.id, {"datum": due.isoformat()})
    return row


def final_evaluation_missing(templates: Templates, toewijzing: Toewijzing,
                             rows: WorkflowRows | None = None) -> list[Deadline]:
    """The final evaluation each final_evaluation term requires by the toewijzing's einddatum,
    while no evaluation of the toewijzing with that answer was submitted."""
    if toewijzing.einddatum is None:
        return []
    result = []
    for term in templates.terms("final_evaluation"):
        if rows is not None:
            done = [plan for plan in rows.plans.get(toewijzing.id, [])
                    if plan.kind == EVALUATION and plan.submitted_at is not None]
        else:
            done = db.session.scalars(select(Plan).where(
                Plan.toewijzing_id == toewijzing.id, Plan.kind == EVALUATION,
                Plan.submitted_at.is_not(None)))
        key, values = term.params["field"], term.params["values"]
        if any(any(v.submitted_at is not None and (v.content or {}).get(key) in values
                   for v in evaluation.versions) for evaluation in done):
            continue
        result.append(final_deadline(term, toewijzing.einddatum))
    return result


# -- everything due, for the dashboards ------------------------------------------------------------

def plan_deadlines(regions: RegionRegistry, plan: Plan,
                   rows: WorkflowRows | None = None) -> list[Deadline]:
    """What the plan's workflow still asks, as deadlines: the start of support, a revision, open
    evaluation due dates and the gemeente's signal of a missing one.

    Nothing here depends on today's date, so the dashboards can store the result
    (portal.deadlines): a revision is due from the day the toewijzing that asks it was made, and
    the signal of a missing report is shown only from the day after the report was due."""
    templates = templates_for(regions, plan)
    found: list[Deadline] = []
    start = support_term(templates, plan, rows)
    if start is not None and start.started is None:
        found.append(Deadline("support_start", start.due, start.term.id, start.term.message,
                              start.term.severity, start.term.source))
    for finding, since in revisions_due(templates, plan, rows):
        found.append(Deadline("plan_revision", since, finding.rule, finding.message,
                              finding.severity))
    for due in evaluation_schedule(templates, plan, rows):
        if due.replaced or due.delivered_on is not None:
            continue
        found.append(Deadline("evaluation", due.due, due.rule, f"{due.origin_label}: {due.message}"))
        if due.signal_by is not None:
            signal = templates.term("missed_signal")
            found.append(Deadline("signal", due.signal_by, signal.id, signal.message,
                                  signal.severity, signal.source,
                                  shown_from=due.due + timedelta(days=1)))
    return found


# Decision (recorded here, beside the data it affects): a region deadline leaves the lists once the
# portal holds what it asks. A "plan" deadline is met when a plan of the toewijzing has been
# submitted (on time or late: either way it is no longer to do), a "support_start" deadline when the
# start of support is recorded. The other kinds stay as the region states them: which evaluation
# meets which region deadline (an interim one or the final one) differs per region, and the portal
# does not see a client's reply or a reminder being acted on.
def still_open(deadlines: list[Deadline], toewijzing: Toewijzing, plans: list[Plan],
               rows: WorkflowRows | None = None) -> list[Deadline]:
    """The region deadlines the portal does not yet see met (see the decision above)."""
    met = {"plan": any(plan.kind == PLAN and plan.submitted_at is not None for plan in plans),
           "support_start": support_start_of(toewijzing, rows) is not None}
    return [deadline for deadline in deadlines if not met.get(deadline.kind, False)]


def toewijzing_deadlines(regions: RegionRegistry, toewijzing: Toewijzing,
                         region_deadlines: list[Deadline],
                         rows: WorkflowRows | None = None) -> list[Deadline]:
    """A toewijzing's region deadlines (with approved deviations' dates) and what its plans'
    workflow asks. ``rows``: what WorkflowRows.load read for many toewijzingen at once."""
    if rows is not None:
        plans = rows.plans.get(toewijzing.id, [])
    else:
        plans = list(db.session.scalars(select(Plan).where(Plan.toewijzing_id == toewijzing.id)))
    approved: dict[str, Deviation] = {}
    for plan in plans:
        approved.update(approved_deviations(plan, rows))
    found = adjusted(still_open(region_deadlines, toewijzing, plans, rows), approved)
    templates = templates_of(regions, toewijzing.gemeente.region_code or "", toewijzing.product_key)
    found += final_evaluation_missing(templates, toewijzing, rows)
    for plan in plans:
        if plan.kind == PLAN:
            found += plan_deadlines(regions, plan, rows)
    return found


@dataclass(frozen=True)
class WorkflowRows:
    """Everything the deadlines above read, for many toewijzingen, in seven queries: a list of a
    thousand toewijzingen (the dashboards) would otherwise cost a few queries per toewijzing and
    per plan. Read-only: load it for one page and drop it."""

    plans: dict[int, list[Plan]]  # by toewijzing id, with their versions
    approved: dict[int, list[Deviation]]  # approved deviations by plan id
    dues: dict[int, list[EvaluationDue]]  # by plan id
    evaluations: dict[int, list[Plan]]  # by the id of the plan they evaluate
    support_starts: dict[int, SupportStart]  # by toewijzing id
    client_toewijzingen: dict[int, list[Toewijzing]]  # by client id, clients with a plan only

    @classmethod
    def load(cls, toewijzing_ids: Select) -> WorkflowRows:
        """``toewijzing_ids``: a select of the toewijzingen's ids (e.g. those a user sees)."""
        plans = list(db.session.scalars(
            select(Plan).where(Plan.toewijzing_id.in_(toewijzing_ids))
            .options(selectinload(Plan.versions)).order_by(Plan.id)))
        plan_ids = [plan.id for plan in plans]
        client_ids = sorted({plan.client_id for plan in plans})
        approved = db.session.scalars(select(Deviation).where(
            Deviation.plan_id.in_(plan_ids), Deviation.state == APPROVED).order_by(Deviation.id))
        dues = db.session.scalars(select(EvaluationDue).where(
            EvaluationDue.plan_id.in_(plan_ids)).order_by(EvaluationDue.id))
        starts = db.session.scalars(select(SupportStart).where(
            SupportStart.toewijzing_id.in_(toewijzing_ids)))
        others = db.session.scalars(select(Toewijzing).where(
            Toewijzing.client_id.in_(client_ids)).order_by(Toewijzing.created_at))
        # An evaluation may hang on another toewijzing than the plan it evaluates.
        evaluations = db.session.scalars(
            select(Plan).where(Plan.evaluates_id.in_(plan_ids), Plan.kind == EVALUATION)
            .options(selectinload(Plan.versions)).order_by(Plan.id))
        return cls(
            plans=_grouped(plans, lambda plan: plan.toewijzing_id),
            approved=_grouped(approved, lambda row: row.plan_id),
            dues=_grouped(dues, lambda row: row.plan_id),
            evaluations=_grouped(evaluations, lambda plan: plan.evaluates_id),
            support_starts={row.toewijzing_id: row for row in starts},
            client_toewijzingen=_grouped(others, lambda row: row.client_id))


def _grouped(items, key) -> dict:
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _utc(moment):
    """SQLite gives back naive datetimes (stored as UTC); compare them as aware ones."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# -- who may ---------------------------------------------------------------------------------------

def _own_provider(user: User, plan: Plan) -> None:
    if user.role != AANBIEDER or plan.aanbieder_id != user.organisation_id:
        raise PlanRefused("Alleen de aanbieder van deze toewijzing doet deze stap.")


def _own_gemeente(user: User, plan: Plan) -> None:
    if user.role != GEMEENTE or plan.gemeente_id != user.organisation_id:
        raise PlanRefused("Alleen de gemeente van deze toewijzing doet deze stap.")


def _approved(plan: Plan) -> None:
    if plan.kind != PLAN or approved_version(plan) is None:
        raise PlanRefused("Evaluaties worden gepland bij een goedgekeurd plan.")

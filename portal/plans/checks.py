"""Checking a plan's or evaluation's content against its template: the region's [M] rules as data.

A region plugin runs :func:`check_content` in its ``wmo_validate_plan`` and
``wmo_validate_evaluation`` hooks (portal.plugins.region_data.DataRegionPlugin does), adding the
findings of its own rule functions. The web layer asks the registry through :func:`check_plan` and
:func:`check_evaluation`, at one of two moments:

- ``save`` (a concept): every finding is shown, as a warning; nothing blocks saving;
- ``submit``: errors block the submission, warnings are shown.

Each finding carries the rule id (e.g. the region's "XX-P3"), its severity, the content key of the
field (for a goal's part ``<goals key>-<row>-<part>``, 0-based like the form's field names) and a
Dutch message that names the field and ends with the seed line in brackets. Malformed content (a
date that is not a date, an answer that is not one of the choices) is reported under the core's
rule ``PLAN-INVOER``, always as an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from portal.plans.templates import (
    EDUCATION_RANK,
    REVIEW_EXPLANATION,
    REVIEW_GOAL,
    REVIEW_OUTCOME,
    YES,
    ChecklistItem,
    Field,
    Section,
    Template,
    TemplateContext,
    TemplateRule,
    Term,
    as_date,
)
from portal.plugins.types import Finding, Product, Severity
from portal.workdays import DEFAULT_POLICY, add_working_days

if TYPE_CHECKING:
    from portal.plugins.manager import RegionRegistry

INPUT_RULE = "PLAN-INVOER"
SAVE, SUBMIT = "save", "submit"


# -- what the web layer calls -----------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    """The findings at one moment; ``allowed`` says whether the save or submission may go on."""

    stage: str
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def allowed(self) -> bool:
        return not self.errors

    @classmethod
    def at(cls, stage: str, findings: Sequence[Finding]) -> CheckResult:
        if stage not in (SAVE, SUBMIT):
            raise ValueError(f"stage must be {SAVE!r} or {SUBMIT!r}, not {stage!r}")
        if stage == SAVE:
            findings = as_warnings(findings)
        return cls(stage, tuple(findings))


def check_plan(registry: RegionRegistry, region: str, product: Product,
               content: Mapping[str, Any], context: TemplateContext,
               stage: str = SAVE) -> CheckResult:
    """Run every plugin's plan rules on ``content``: on save all as warnings, on submit errors block."""
    context = replace(context, product_key=product.key)
    return CheckResult.at(stage, registry.validate_plan(region, product, content, context))


def check_evaluation(registry: RegionRegistry, region: str, product: Product,
                     content: Mapping[str, Any], context: TemplateContext,
                     stage: str = SAVE) -> CheckResult:
    """Like :func:`check_plan`, for an evaluatieverslag."""
    context = replace(context, product_key=product.key)
    return CheckResult.at(stage, registry.validate_evaluation(region, product, content, context))


def as_warnings(findings: Sequence[Finding]) -> list[Finding]:
    """Every finding as a warning: what a concept shows on save."""
    return [replace(f, severity=Severity.WARNING) for f in findings]


def reviewer_checklist(template: Template, context: TemplateContext) -> list[ChecklistItem]:
    """The template's [H] rules for the reviewer (consulent): guidance, never enforced."""
    return template.checklist_for(context)


def finding_text(finding: Finding) -> str:
    """A finding as one line for the user: the message and the rule id."""
    return f"{finding.message} ({finding.rule})"


# -- the checks -------------------------------------------------------------------------------

def check_content(template: Template, content: Mapping[str, Any] | None,
                  context: TemplateContext, holiday_policy: str = DEFAULT_POLICY) -> list[Finding]:
    """Every finding of the template's own rules on ``content`` (a plain dict as stored)."""
    content = content or {}
    found: list[Finding] = []
    for section, fields in template.layout(context):
        for f in fields:
            found += _check_field(section, f, content, context)
    for rule in template.rules:
        if rule.applies(context):
            found += RULE_CHECKS[rule.kind](template, rule, content, context, holiday_policy)
    for term in template.terms_of("toewijzing_results", context.product_key):
        found += _lists_toewijzing_results(template, term, content, context)
    return found


def _normal(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def _lists_toewijzing_results(template: Template, term: Term, content: Mapping[str, Any],
                              context: TemplateContext) -> list[Finding]:
    """Each result the gemeente recorded on the toewijzing is a row of the plan's goals field,
    with the same ``match`` parts (text compared without case and extra spaces)."""
    goals = template.field(term.params["field"])
    if goals is None or not context.toewijzing_results:
        return []
    parts = [p for p in goals.parts if p.key in term.params["match"]]
    rows = content.get(goals.key)
    rows = [r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []
    found = []
    for number, result in enumerate(context.toewijzing_results, start=1):
        wanted = {p.key: _normal(result.get(p.key)) for p in parts}
        if any(all(_normal(row.get(key)) == value for key, value in wanted.items())
               for row in rows):
            continue
        described = "; ".join(f"{p.label}: {p.option_label(str(result.get(p.key)))}"
                              for p in parts if result.get(p.key))
        found.append(Finding(
            term.id, term.severity,
            f"‘{goals.label}’: resultaat {number} van de toewijzing ({described}) staat niet in "
            f"het plan. {term.message}{_cite(term)}", goals.key))
    return found


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or \
        (isinstance(value, (list, tuple, dict)) and not value)


def _cite(f: Field | TemplateRule | Term) -> str:
    return f" [{f.source}]" if f.source else ""


def _because(f: Field) -> str:
    return f" {f.message}" if f.message else ""


def _place(section: Section, f: Field) -> str:
    return f"{section.title} › ‘{f.label}’"


def format_problem(f: Field, value: Any) -> str | None:
    """Why a stored value cannot be an answer to ``f``; None when it can (or is empty)."""
    if _empty(value):
        return None
    if f.kind in ("text", "textarea"):
        if not isinstance(value, str):
            return "is geen tekst"
        if f.max_length and len(value) > f.max_length:
            return f"is {len(value)} tekens lang; hoogstens {f.max_length} tekens"
    elif f.kind == "date":
        try:
            as_date(value)
        except (ValueError, TypeError):
            return (f"‘{value}’ is geen geldige datum; schrijf de datum als jjjj-mm-dd, "
                    f"bijvoorbeeld 2026-03-31")
    elif f.kind == "number":
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return f"‘{value}’ is geen getal"
        if not number.is_finite() or number < 0:
            return f"‘{value}’ moet een getal van 0 of meer zijn"
    elif f.options():
        allowed = dict(f.options())
        if not isinstance(value, str) or value not in allowed:
            return "kies één van: " + ", ".join(f"‘{label}’" for label in allowed.values())
    return None


def _input_rule(f: Field, context: TemplateContext) -> str:
    """The rule a malformed answer breaks: a choice outside its answers (or more than one) breaks
    the field's own rule ("kies één antwoord"); anything else is malformed input."""
    if f.options() and f.rule_for(context.product_key):
        return f.rule_for(context.product_key)
    return INPUT_RULE


def _check_field(section: Section, f: Field, content: Mapping[str, Any],
                 context: TemplateContext) -> list[Finding]:
    value = content.get(f.key)
    if f.kind == "goals":
        return _check_goals(section, f, value, content, context)
    if f.kind == "goal_review":
        return _check_review(section, f, value, content, context)
    problem = format_problem(f, value)
    if problem:
        return [Finding(_input_rule(f, context), Severity.ERROR,
                        f"{_place(section, f)}: {problem}.{_cite(f)}", f.key)]
    if not f.is_required(content, context):
        return []
    rule = f.rule_for(context.product_key) or INPUT_RULE
    if _empty(value):
        return [Finding(rule, f.severity,
                        f"{_place(section, f)} is niet ingevuld.{_because(f)}{_cite(f)}", f.key)]
    if f.must_be and value != f.must_be:
        return [Finding(rule, Severity.ERROR,
                        f"{_place(section, f)} is ‘{f.option_label(value)}’; indienen kan alleen "
                        f"met ‘{f.option_label(f.must_be)}’.{_because(f)}{_cite(f)}", f.key)]
    return []


def _rows(section: Section, f: Field, value: Any) -> tuple[list[tuple[int, Mapping]], list[Finding]]:
    if _empty(value):
        return [], []
    if not isinstance(value, (list, tuple)) or not all(isinstance(r, Mapping) for r in value):
        return [], [Finding(INPUT_RULE, Severity.ERROR,
                            f"{_place(section, f)}: de inhoud is geen lijst van rijen.", f.key)]
    return [(i, row) for i, row in enumerate(value) if any(not _empty(v) for v in row.values())], []


def _check_goals(section: Section, f: Field, value: Any, content: Mapping[str, Any],
                 context: TemplateContext) -> list[Finding]:
    rows, found = _rows(section, f, value)
    if found:
        return found
    parts = [p for p in f.parts if p.applies(context)]
    for index, row in rows:
        where = f"{section.title} › {f.row_label} {index + 1}"
        for part in parts:
            key = f"{f.key}-{index}-{part.key}"
            part_value = row.get(part.key)
            problem = format_problem(part, part_value)
            if problem:
                found.append(Finding(_input_rule(part, context), Severity.ERROR,
                                     f"{where}: ‘{part.label}’ {problem}.{_cite(part)}", key))
            elif _empty(part_value) and part.is_required(row, context):
                found.append(Finding(
                    part.rule_for(context.product_key) or INPUT_RULE, part.severity,
                    f"{where}: ‘{part.label}’ ontbreekt.{_because(part)}{_cite(part)}", key))
    if f.is_required(content, context) and len(rows) < f.min_rows:
        wanted = "minstens één" if f.min_rows == 1 else f"minstens {f.min_rows}"
        found.append(Finding(
            f.rule_for(context.product_key) or INPUT_RULE, f.severity,
            f"{_place(section, f)}: vul {wanted} {f.row_label.lower()} in.{_because(f)}{_cite(f)}",
            f.key))
    return found


def _check_review(section: Section, f: Field, value: Any, content: Mapping[str, Any],
                  context: TemplateContext) -> list[Finding]:
    """A look back on the plan's goals: per goal the outcome and an explanation."""
    rows, found = _rows(section, f, value)
    if found:
        return found
    outcomes = dict(f.options())
    required = f.is_required(content, context)
    rule = f.rule_for(context.product_key) or INPUT_RULE
    goals = [(i, row) for i, row in rows if not _empty(row.get(REVIEW_GOAL))]
    for index, row in rows:
        where = f"{section.title} › {f.row_label} {index + 1}"
        goal_text = row.get(REVIEW_GOAL)
        if not _empty(goal_text):
            where += f" (‘{_short(goal_text)}’)"
        outcome = row.get(REVIEW_OUTCOME)
        if not _empty(outcome) and outcome not in outcomes:
            found.append(Finding(INPUT_RULE, Severity.ERROR,
                                 f"{where}: kies één van: " +
                                 ", ".join(f"‘{v}’" for v in outcomes.values()) + ".",
                                 f"{f.key}-{index}-{REVIEW_OUTCOME}"))
            continue
        if not required:
            continue
        if _empty(goal_text):
            found.append(Finding(rule, f.severity, f"{where}: het doel ontbreekt.{_cite(f)}",
                                 f"{f.key}-{index}-{REVIEW_GOAL}"))
        if _empty(outcome):
            found.append(Finding(
                rule, f.severity,
                f"{where}: geef aan of het doel is behaald "
                f"({' / '.join(v.lower() for v in outcomes.values())}).{_because(f)}{_cite(f)}",
                f"{f.key}-{index}-{REVIEW_OUTCOME}"))
        if _empty(row.get(REVIEW_EXPLANATION)):
            found.append(Finding(
                rule, f.severity,
                f"{where}: licht toe waarom en hoe het doel wel of niet is behaald."
                f"{_because(f)}{_cite(f)}",
                f"{f.key}-{index}-{REVIEW_EXPLANATION}"))
    if required and len(goals) < f.min_rows:
        found.append(Finding(
            rule, f.severity,
            f"{_place(section, f)}: kijk terug op minstens één doel van het plan.{_because(f)}"
            f"{_cite(f)}", f.key))
    return found


def _short(text: Any, length: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[:length - 1] + "…"


# -- rule kinds (portal.plans.templates.RULE_KINDS) -------------------------------------------

def _min_education(template: Template, rule: TemplateRule, content: Mapping[str, Any],
                   context: TemplateContext, policy: str) -> list[Finding]:
    key, minimum = rule.params["field"], rule.params["minimum"]
    f = template.field(key)
    value = content.get(key)
    if f is None or not f.applies(context) or _empty(value) or value not in EDUCATION_RANK:
        return []  # a missing or malformed level is the field's own finding
    alternative = rule.params.get("alternative_field")
    if alternative and content.get(alternative) == YES:
        return []
    if EDUCATION_RANK[value] >= EDUCATION_RANK[minimum]:
        return []
    return [Finding(rule.id, rule.severity,
                    f"‘{f.label}’ is {f.option_label(value)}; vereist is minimaal "
                    f"{f.option_label(minimum)}. {rule.message}{_cite(rule)}", key)]


def _date_before_end(template: Template, rule: TemplateRule, content: Mapping[str, Any],
                     context: TemplateContext, policy: str) -> list[Finding]:
    when = rule.params.get("when")
    if when is not None and not when.holds(content):
        return []
    date_key = rule.params["date"]
    try:
        if date_key == "submission":
            day, what, field_key = context.today, "vandaag", None
        else:
            f = template.field(date_key)
            day = as_date(content.get(date_key))
            what, field_key = f"‘{f.label}’" if f else date_key, date_key
        anchors = []
        for anchor in rule.params["before"]:
            anchors.append(context.end if anchor == "end" else as_date(content.get(anchor)))
    except (ValueError, TypeError):
        return []  # a malformed date is the field's own finding
    anchors = [a for a in anchors if a is not None]
    if day is None or not anchors:
        return []
    if "werkdagen" in rule.params:
        limit = add_working_days(min(anchors), -rule.params["werkdagen"], policy)
    else:
        limit = min(anchors) - timedelta(days=rule.params["days"])
    if day <= limit:
        return []
    return [Finding(rule.id, rule.severity,
                    f"{rule.message} Uiterlijk {limit:%d-%m-%Y}; {what} is het "
                    f"{day:%d-%m-%Y}.{_cite(rule)}", field_key)]


RULE_CHECKS = {
    "min_education": _min_education,
    "date_before_end": _date_before_end,
}

"""Plan and evaluation templates as data: the model, and the strict loader of a region's template file.

A region describes, per product (or product group), the sections and fields of its plan
(ondersteunings-, uitvoerings- or begeleidingsplan) and of its evaluation (evaluatieverslag). The
core renders any template as a form (:mod:`portal.plans.form_builder`) and checks content against
it (:mod:`portal.plans.checks`); it knows no region's fields.

The file format (TOML; a region package names its file, the generic plugin reads
``templates/<region file name>`` beside a region file)::

    [product_groups]                      # optional: names for product lists, used as "@name"
    werkt_mee = ["02X01", "02X02"]

    [[templates]]
    id = "uitvoeringsplan"
    kind = "plan"                         # "plan" or "evaluation"
    title = "Uitvoeringsplan"
    products = []                         # empty: every product of the region
    not_for_products = []                 # products that have no such template
    integral_owners = []                  # optional: one plan per client for all ``products``,
                                          # made by the provider of one of these products
    source = "000:74"                     # where the seed asks for it

      [[templates.sections]]
      key = "doelen"
      title = "Doelen"
      source = "000:74"

        [[templates.sections.fields]]
        key = "doelen"
        kind = "goals"                    # see FIELD_KINDS
        label = "Doelen"
        required = true
        rule = "XX-P2"                    # the rule id reported when the field is missing
        message = "Why it is required (Dutch)."
        source = "000:74"

          [[templates.sections.fields.parts]]    # the parts of one goal (kind "goals" only)
          key = "doel"
          kind = "textarea"
          label = "Doel (SMART)"
          required = true
          rule = "XX-P2"
          source = "000:74"

      [[templates.checklist]]             # [H] rules: shown to the reviewer, never enforced
      rule = "XX-P2"
      text = "Zijn de doelen SMART?"
      source = "000:74"

      [[templates.terms]]                 # the plan's workflow: see TERM_KINDS
      id = "XX-P6"
      kind = "support_start"
      field = "datum_besproken"
      werkdagen = 5
      severity = "error"
      message = "De ondersteuning start binnen 5 werkdagen na het bespreken van het plan."
      source = "000:700"

      [[templates.rules]]                 # rules beyond required fields: see RULE_KINDS
      id = "XX-P5"
      kind = "min_education"
      field = "opleidingsniveau"
      minimum = "hbo"
      products = ["02X01"]
      severity = "error"
      message = "Het plan wordt vastgesteld door een professional van minimaal hbo-niveau."
      source = "000:600"

Conditions a field may carry:

- where it exists at all: ``only_for_products``, ``only_for_gemeenten`` (CBS codes) and
  ``not_for = [{products = [...], gemeenten = [...]}]`` (an exemption holds when all its lists
  match); a section may carry ``only_for_products``, ``not_for`` and ``optional_when`` for all its
  fields;
- whether it must be filled: ``required`` (with ``rule``), narrowed by ``required_for_products``
  (the plan's own product), ``required_with_products`` (the plan's product or one of the client's
  other current products, for an integral plan), ``required_when = {field = "...", values =
  [...]}`` (only when another field has one of the values; implies required) and
  ``optional_when`` (not when another field has one of the values);
- ``must_be = "ja"`` on a yes/no field: the answer needed to submit (consent);
- ``rule_for_products = [{products = [...], rule = "..."}]``: another rule id for some products.

Every problem in a file is reported with the file, the template, the section and the field, so a
policy officer can correct it; start-up stops with :class:`portal.plugins.errors.RegionLoadError`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from portal.plugins.errors import RegionLoadError
from portal.plugins.types import SeedRef, Severity

PLAN, EVALUATION = "plan", "evaluation"
TEMPLATE_KINDS = {PLAN: "plan", EVALUATION: "evaluatieverslag"}

FIELD_KINDS: dict[str, str] = {
    "text": "korte tekst",
    "textarea": "tekst",
    "date": "datum",
    "choice": "keuze (één antwoord)",
    "yes_no": "ja/nee",
    "number": "getal",
    "education_level": "opleidingsniveau",
    "goals": "doelen (herhaalbare groep)",
    "goal_review": "terugblik op de doelen van het plan",
}
PART_KINDS = ("text", "textarea", "date", "choice", "yes_no", "number")
REPEATABLE = ("goals", "goal_review")

YES, NO = "ja", "nee"
YES_NO: tuple[tuple[str, str], ...] = ((YES, "Ja"), (NO, "Nee"))
# Education levels, lowest first: a minimum level is met by every level after it.
EDUCATION_LEVELS: tuple[tuple[str, str], ...] = (
    ("mbo-2", "mbo-niveau 2"),
    ("mbo-3", "mbo-niveau 3"),
    ("mbo-4", "mbo-niveau 4"),
    ("hbo", "hbo"),
    ("wo", "wo"),
)
EDUCATION_RANK = {code: rank for rank, (code, _label) in enumerate(EDUCATION_LEVELS)}
# How an evaluation judges each goal of the plan, unless a template lists its own ``outcomes``.
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("behaald", "Behaald"),
    ("deels", "Deels behaald"),
    ("niet", "Niet behaald"),
)
# The parts of one row of a goal_review: the plan's goal, the outcome, the explanation.
REVIEW_GOAL, REVIEW_OUTCOME, REVIEW_EXPLANATION = "doel", "resultaat", "toelichting"

# Rules beyond required fields, with their parameters: (type, required).
RULE_KINDS: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    # The level in an education_level field is at least ``minimum``; a yes/no
    # ``alternative_field`` answered "ja" also satisfies it (e.g. a proven werk- en denkniveau).
    "min_education": {"field": (str, True), "minimum": (str, True),
                      "alternative_field": (str, False)},
    # The date ``date`` (a date field, or "submission": the day of saving/submitting) lies at
    # least ``days`` (or ``werkdagen``) before the earliest of ``before`` ("end": the toewijzing's
    # einddatum, or date fields). ``when`` = {field, values} limits it to some answers.
    "date_before_end": {"date": (str, True), "before": (list, True), "days": (int, False),
                        "werkdagen": (int, False), "when": (dict, False)},
}

# The plan's workflow beyond its content (portal.plans.workflow): terms and steps that need the
# stored plans, evaluations and records, with their parameters: (type, required).
TERM_KINDS: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    # Plan: support starts within ``werkdagen`` after the date in the plan's date field ``field``
    # (the day the plan was discussed with the client); compared with the recorded start.
    "support_start": {"field": (str, True), "werkdagen": (int, True)},
    # Plan: a new toewijzing of one of ``new_products`` for the client, after the plan was last
    # submitted, requires a revision of the plan.
    "revise_on_new_product": {"new_products": (list, True)},
    # Plan: the aanbieder may deviate from these rules (deadlines and conditions) only with a
    # reason and the reviewer's approval; an approved deviation no longer blocks or is overdue.
    "deviation": {"rules": (list, True)},
    # Plan: the results the gemeente recorded on the toewijzing are rows of the goals field
    # ``field``; the plan repeats each with the same ``match`` parts.
    "toewijzing_results": {"field": (str, True), "match": (list, True)},
    # Evaluation: the dates in ``field`` ("<goals field>.<date part>") of the approved plan are the
    # evaluations' due dates; a later date agreed with the gemeente replaces one.
    "planned_moments": {"field": (str, True)},
    # Evaluation: the reviewer may ask for an extra evaluation, due at least ``werkdagen`` later.
    "extra_request": {"werkdagen": (int, True)},
    # Evaluation: a report not delivered by its due date is signalled by the gemeente within
    # ``werkdagen`` (missed_signal); from the signal the aanbieder has ``werkdagen`` (after_signal).
    "missed_signal": {"werkdagen": (int, True)},
    "after_signal": {"werkdagen": (int, True)},
    # Evaluation: a final evaluation (an answer in ``values`` to ``field``) is required by the
    # toewijzing's einddatum.
    "final_evaluation": {"field": (str, True), "values": (list, True)},
}
PLAN_TERMS = frozenset({"support_start", "revise_on_new_product", "deviation",
                        "toewijzing_results"})

KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
RULE_ID = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+")
# Names a field key may not take: they are attributes of the rendered form.
RESERVED_KEYS = frozenset({
    "csrf_token", "opslaan", "indienen", "meta", "data", "errors", "form_errors", "process",
    "validate", "populate_obj", "content", "layout", "summary", "show_findings", "add_row",
    "row_requested", "stage", "template", "context", "plan_goals", "hidden_tag", "is_submitted",
    "validate_on_submit", "extra_validators", "messages", "label",
})

TEMPLATE_FIELDS = {"id", "kind", "title", "products", "not_for_products", "source", "note",
                   "sections", "checklist", "rules", "integral_owners", "terms"}
SECTION_FIELDS = {"key", "title", "source", "help", "fields", "only_for_products", "not_for",
                  "optional_when"}
FIELD_FIELDS = {"key", "label", "kind", "source", "help", "required", "rule", "rule_for_products",
                "severity", "message", "required_for_products", "required_with_products",
                "required_when", "optional_when",
                "only_for_products", "only_for_gemeenten", "not_for", "choices", "must_be",
                "max_length", "parts", "min_rows", "rows", "row_label", "outcomes"}
PART_FIELDS = {"key", "label", "kind", "source", "help", "required", "rule", "rule_for_products",
               "severity", "message", "required_for_products", "only_for_products", "choices",
               "max_length"}
CHECKLIST_FIELDS = {"rule", "text", "source", "products"}
RULE_FIELDS = {"id", "kind", "products", "severity", "message", "source"}
TERM_FIELDS = RULE_FIELDS
TOP_LEVEL = {"product_groups", "templates"}


# -- the model --------------------------------------------------------------------------------

@dataclass(frozen=True)
class TemplateContext:
    """What the conditions and rules of a template may know besides the content itself.

    ``today`` is the day of saving or submitting; ``start``/``end`` are the toewijzing's dates;
    ``other_products`` are the product keys of the client's other current toewijzingen (an
    integral plan covers them too); ``toewijzing_results`` the results the gemeente recorded on
    the toewijzing, each {part key: value} of the goals field a ``toewijzing_results`` term names.
    """

    product_key: str | None = None
    municipality_code: str | None = None  # CBS gemeentecode of the client's gemeente
    start: date | None = None
    end: date | None = None
    today: date | None = None
    other_products: frozenset[str] = frozenset()
    toewijzing_results: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Exemption:
    """Where a field does not apply: all given lists must match (an empty list matches anything)."""

    products: frozenset[str] = frozenset()
    gemeenten: frozenset[str] = frozenset()

    def matches(self, context: TemplateContext) -> bool:
        return (not self.products or context.product_key in self.products) and \
            (not self.gemeenten or context.municipality_code in self.gemeenten)


@dataclass(frozen=True)
class Condition:
    """Another field of the same content has one of ``values``."""

    field: str
    values: tuple[str, ...]

    def holds(self, content: Mapping[str, Any]) -> bool:
        value = content.get(self.field)
        return value is not None and str(value) in self.values


@dataclass(frozen=True)
class Field:
    """One field of a template, or one part of a goal (a field inside a repeatable group)."""

    key: str
    label: str
    kind: str
    source: SeedRef | None = None
    help: str | None = None
    required: bool = False
    rule: str | None = None
    rule_for_products: tuple[tuple[frozenset[str], str], ...] = ()
    severity: Severity = Severity.ERROR
    message: str | None = None  # Dutch: why the field is required
    required_for_products: frozenset[str] = frozenset()
    required_with_products: frozenset[str] = frozenset()
    required_when: Condition | None = None
    optional_when: Condition | None = None
    only_for_products: frozenset[str] = frozenset()
    only_for_gemeenten: frozenset[str] = frozenset()
    not_for: tuple[Exemption, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    must_be: str | None = None
    max_length: int | None = None
    parts: tuple[Field, ...] = ()  # kind "goals"
    min_rows: int = 1  # kind goals/goal_review: the fewest filled rows when required
    rows: int = 3  # kind goals: empty rows offered
    row_label: str = "Doel"  # kind goals/goal_review: what one row is called
    outcomes: tuple[tuple[str, str], ...] = ()  # kind goal_review

    def applies(self, context: TemplateContext) -> bool:
        """Whether the field exists for this product and gemeente."""
        if self.only_for_products and context.product_key not in self.only_for_products:
            return False
        if self.only_for_gemeenten and context.municipality_code not in self.only_for_gemeenten:
            return False
        return not any(exemption.matches(context) for exemption in self.not_for)

    def is_required(self, content: Mapping[str, Any], context: TemplateContext) -> bool:
        """Whether the field must be filled, given the other answers and the context."""
        if not self.required or not self.applies(context):
            return False
        if self.required_for_products and context.product_key not in self.required_for_products:
            return False
        if self.required_with_products and not (
                {context.product_key, *context.other_products} & self.required_with_products):
            return False
        if self.required_when is not None and not self.required_when.holds(content):
            return False
        return not (self.optional_when is not None and self.optional_when.holds(content))

    def rule_for(self, product_key: str | None) -> str | None:
        for products, rule in self.rule_for_products:
            if product_key in products:
                return rule
        return self.rule

    def options(self) -> tuple[tuple[str, str], ...]:
        """The (value, Dutch label) answers of a choice-like field; empty for free input."""
        if self.kind == "choice":
            return self.choices
        if self.kind == "yes_no":
            return YES_NO
        if self.kind == "education_level":
            return EDUCATION_LEVELS
        if self.kind == "goal_review":
            return self.outcomes or OUTCOMES
        return ()

    def option_label(self, value: str) -> str:
        return dict(self.options()).get(value, value)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[Field, ...]
    source: SeedRef | None = None
    help: str | None = None


@dataclass(frozen=True)
class ChecklistItem:
    """An [H] rule: guidance for the reviewer, never enforced."""

    rule: str
    text: str
    source: SeedRef | None = None
    products: frozenset[str] = frozenset()

    def applies(self, context: TemplateContext) -> bool:
        return not self.products or context.product_key in self.products


@dataclass(frozen=True)
class TemplateRule:
    """A rule beyond required fields (see RULE_KINDS), checked by portal.plans.checks."""

    id: str
    kind: str
    severity: Severity
    message: str
    source: SeedRef | None = None
    products: frozenset[str] = frozenset()
    params: Mapping[str, Any] = field(default_factory=dict)

    def applies(self, context: TemplateContext) -> bool:
        return not self.products or context.product_key in self.products


@dataclass(frozen=True)
class Term:
    """A step or term of the plan's workflow (see TERM_KINDS), run by portal.plans.workflow."""

    id: str
    kind: str
    severity: Severity
    message: str
    source: SeedRef | None = None
    products: frozenset[str] = frozenset()
    params: Mapping[str, Any] = field(default_factory=dict)

    def applies(self, product_key: str | None) -> bool:
        return not self.products or product_key in self.products

    @property
    def cite(self) -> str:
        return f" [{self.source}]" if self.source else ""


@dataclass(frozen=True)
class Template:
    """A region's plan or evaluation template for some of its products."""

    id: str
    kind: str  # PLAN or EVALUATION
    title: str
    region: str
    products: frozenset[str]  # the products it serves
    sections: tuple[Section, ...]
    checklist: tuple[ChecklistItem, ...] = ()
    rules: tuple[TemplateRule, ...] = ()
    source: SeedRef | None = None
    note: str | None = None
    path: str | None = None  # the file it was read from
    # An integral plan: one per client for all its toewijzingen of ``products``, made by the
    # provider of one of these products (empty: one plan per toewijzing).
    integral_owners: frozenset[str] = frozenset()
    terms: tuple[Term, ...] = ()

    def all_fields(self) -> list[Field]:
        return [f for section in self.sections for f in section.fields]

    def field(self, key: str) -> Field | None:
        return next((f for f in self.all_fields() if f.key == key), None)

    def fields(self, context: TemplateContext) -> list[Field]:
        """The fields that exist for the context's product and gemeente."""
        return [f for f in self.all_fields() if f.applies(context)]

    def layout(self, context: TemplateContext) -> list[tuple[Section, list[Field]]]:
        """Sections with their applicable fields, leaving out sections left empty."""
        result = []
        for section in self.sections:
            fields = [f for f in section.fields if f.applies(context)]
            if fields:
                result.append((section, fields))
        return result

    def section_of(self, key: str) -> Section | None:
        return next((s for s in self.sections if any(f.key == key for f in s.fields)), None)

    def goals_field(self) -> Field | None:
        return next((f for f in self.all_fields() if f.kind == "goals"), None)

    def checklist_for(self, context: TemplateContext) -> list[ChecklistItem]:
        return [item for item in self.checklist if item.applies(context)]

    def terms_of(self, kind: str, product_key: str | None) -> list[Term]:
        return [t for t in self.terms if t.kind == kind and t.applies(product_key)]


@dataclass(frozen=True)
class TemplateSet:
    """All templates of one region."""

    templates: tuple[Template, ...] = ()

    def for_product(self, kind: str, product_key: str) -> Template | None:
        return next((t for t in self.templates if t.kind == kind and product_key in t.products),
                    None)

    def plan_for(self, product_key: str) -> Template | None:
        return self.for_product(PLAN, product_key)

    def evaluation_for(self, product_key: str) -> Template | None:
        return self.for_product(EVALUATION, product_key)


def requirement_text(template: Template, f: Field, context: TemplateContext) -> str | None:
    """When ``f`` must be filled, in Dutch, for the form's hint; None when it need not be."""
    if not f.required or not f.applies(context):
        return None
    if f.required_for_products and context.product_key not in f.required_for_products:
        return None
    if f.required_with_products and not (
            {context.product_key, *context.other_products} & f.required_with_products):
        return None
    parts = []
    for condition, wording in ((f.required_when, "Verplicht als"),
                               (f.optional_when, "Verplicht, behalve als")):
        if condition is None:
            continue
        other = template.field(condition.field)
        label = other.label if other else condition.field
        answers = " of ".join(f"‘{other.option_label(v) if other else v}’" for v in condition.values)
        parts.append(f"{wording} ‘{label}’ {answers} is.")
    if not parts:
        parts.append("Verplicht.")
    if f.must_be:
        parts.append(f"Indienen kan alleen met ‘{f.option_label(f.must_be)}’.")
    return " ".join(parts)


def as_date(value: Any) -> date | None:
    """A content date (ISO text, as stored) as a date; None when empty; ValueError when malformed."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise ValueError(f"not a date: {value!r}")


# -- the loader -------------------------------------------------------------------------------

class _Checker:
    """Collects every problem of one template file with its place."""

    def __init__(self, products: Iterable[str] | None, municipalities: Iterable[str] | None):
        self.problems: list[str] = []
        self.products = set(products) if products is not None else None
        self.municipalities = set(municipalities) if municipalities is not None else None
        self.groups: dict[str, frozenset[str]] = {}

    def fail(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def table(self, value: Any, where: str) -> dict | None:
        if not isinstance(value, dict):
            self.fail(where, "moet een tabel zijn")
            return None
        return value

    def tables(self, value: Any, where: str) -> list[dict]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(where, "moet een lijst van tabellen zijn")
            return []
        return value

    def known(self, table: Mapping, allowed: set[str], where: str) -> None:
        for key in sorted(set(table) - allowed):
            self.fail(where, f"onbekend veld '{key}' (toegestaan: {', '.join(sorted(allowed))})")

    def text(self, table: Mapping, key: str, where: str, required: bool = True) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.fail(where, f"veld '{key}' ontbreekt")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"veld '{key}' moet tekst zijn")
            return None
        return value.strip()

    def key(self, table: Mapping, where: str) -> str | None:
        value = self.text(table, "key", where)
        if value is None:
            return None
        if not KEY.fullmatch(value):
            self.fail(where, f"veld 'key' ('{value}') moet beginnen met een kleine letter en "
                             f"mag alleen kleine letters, cijfers en _ bevatten (hoogstens 40)")
            return None
        if value in RESERVED_KEYS:
            self.fail(where, f"veld 'key' ('{value}') is een gereserveerde naam van het formulier")
            return None
        return value

    def rule_id(self, table: Mapping, key: str, where: str, required: bool) -> str | None:
        value = self.text(table, key, where, required)
        if value is not None and not RULE_ID.fullmatch(value):
            self.fail(where, f"veld '{key}' ('{value}') is geen regelcode zoals 'AB-P1'")
            return None
        return value

    def flag(self, table: Mapping, key: str, where: str, default: bool = False) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(where, f"veld '{key}' moet true of false zijn")
            return default
        return value

    def number(self, table: Mapping, key: str, where: str, default: int, least: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            self.fail(where, f"veld '{key}' moet een geheel getal van minstens {least} zijn")
            return default
        return value

    def severity(self, table: Mapping, where: str) -> Severity:
        value = table.get("severity", "error")
        if value not in ("error", "warning"):
            self.fail(where, f"veld 'severity' moet \"error\" of \"warning\" zijn, niet {value!r}")
            return Severity.ERROR
        return Severity(value)

    def source(self, table: Mapping, where: str) -> SeedRef | None:
        value = self.text(table, "source", where)
        return SeedRef(value) if value else None

    def pairs(self, table: Mapping, key: str, where: str) -> tuple[tuple[str, str], ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) and x for x in p)
                for p in value):
            self.fail(where, f"veld '{key}' moet een lijst van [\"waarde\", \"omschrijving\"] zijn")
            return ()
        values = [p[0] for p in value]
        if len(set(values)) != len(values):
            self.fail(where, f"veld '{key}' noemt een waarde twee keer")
        return tuple((p[0], p[1]) for p in value)

    def products_of(self, table: Mapping, key: str, where: str) -> frozenset[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(where, f"veld '{key}' moet een lijst van productcodes (of @groepen) zijn")
            return frozenset()
        result: set[str] = set()
        for item in value:
            if item.startswith("@"):
                if item[1:] not in self.groups:
                    self.fail(where, f"veld '{key}' noemt onbekende productgroep '{item}'")
                result |= self.groups.get(item[1:], frozenset())
            elif self.products is not None and item not in self.products:
                self.fail(where, f"veld '{key}' noemt onbekend product '{item}'")
            else:
                result.add(item)
        return frozenset(result)

    def gemeenten_of(self, table: Mapping, key: str, where: str) -> frozenset[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(where, f"veld '{key}' moet een lijst van CBS-gemeentecodes zijn")
            return frozenset()
        for code in value:
            if self.municipalities is not None and code not in self.municipalities:
                self.fail(where, f"veld '{key}' noemt gemeente '{code}', die niet bij de regio hoort")
        return frozenset(value)

    def exemptions(self, table: Mapping, where: str) -> tuple[Exemption, ...]:
        rows = self.tables(table.get("not_for"), f"{where}, not_for")
        result = []
        for row in rows:
            self.known(row, {"products", "gemeenten"}, f"{where}, not_for")
            exemption = Exemption(self.products_of(row, "products", f"{where}, not_for"),
                                  self.gemeenten_of(row, "gemeenten", f"{where}, not_for"))
            if not exemption.products and not exemption.gemeenten:
                self.fail(f"{where}, not_for", "geef 'products' en/of 'gemeenten'")
            result.append(exemption)
        return tuple(result)

    def condition(self, table: Mapping, key: str, where: str) -> Condition | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, dict) or set(value) != {"field", "values"} or \
                not isinstance(value["field"], str) or not isinstance(value["values"], list) or \
                not value["values"] or not all(isinstance(v, str) for v in value["values"]):
            self.fail(where, f"veld '{key}' moet {{ field = \"veldnaam\", values = [\"...\"] }} zijn")
            return None
        return Condition(value["field"], tuple(value["values"]))


def load_template_file(path: Path, region: str, product_keys: Iterable[str] | None = None,
                       municipality_codes: Iterable[str] | None = None) -> TemplateSet:
    """Read and check one region's template file; RegionLoadError lists every problem found.

    ``product_keys`` and ``municipality_codes`` are the region's; a template naming another is
    refused.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegionLoadError(region, str(path), "sjablonenbestand niet gevonden") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RegionLoadError(region, str(path), f"geen geldige TOML: {exc}") from None
    return templates_from_mapping(data, region, product_keys, municipality_codes, str(path))


def templates_from_mapping(data: Mapping[str, Any], region: str,
                           product_keys: Iterable[str] | None = None,
                           municipality_codes: Iterable[str] | None = None,
                           path: str = "(gegevens van de plugin)") -> TemplateSet:
    """Check plain template data (the TOML shape, already parsed) and build the templates."""
    checker = _Checker(product_keys, municipality_codes)
    checker.known(data, TOP_LEVEL, "bestand")
    groups = data.get("product_groups", {})
    if checker.table(groups, "[product_groups]") is not None:
        for name, members in groups.items():
            if not KEY.fullmatch(name):
                checker.fail("[product_groups]", f"groepsnaam '{name}' is ongeldig")
            checker.groups[name] = checker.products_of(groups, name, f"productgroep {name}")
    templates = [_template(checker, row, index, region, path)
                 for index, row in enumerate(checker.tables(data.get("templates"), "[[templates]]"), 1)]
    _check_coverage(checker, templates)
    if checker.problems:
        raise RegionLoadError(region, path, "; ".join(checker.problems))
    return TemplateSet(tuple(templates))


def template_from_mapping(data: Mapping[str, Any], region: str, kind: str) -> Template:
    """One template given as plain data (a plugin's hook result), checked like a file's."""
    templates = templates_from_mapping({"templates": [dict(data)]}, region,
                                       path=f"(sjabloon van een plugin voor regio {region})")
    template = templates.templates[0]
    if template.kind != kind:
        raise RegionLoadError(region, "(sjabloon van een plugin)",
                              f"sjabloon {template.id} is van soort '{template.kind}', verwacht '{kind}'")
    return template


def _template(checker: _Checker, row: dict, index: int, region: str, path: str) -> Template:
    where = f"sjabloon {row.get('id') or index}"
    checker.known(row, TEMPLATE_FIELDS, where)
    tid = checker.text(row, "id", where) or f"nr{index}"
    kind = checker.text(row, "kind", where)
    if kind is not None and kind not in TEMPLATE_KINDS:
        checker.fail(where, f"veld 'kind' moet \"plan\" of \"evaluation\" zijn, niet '{kind}'")
    products = checker.products_of(row, "products", where)
    if not products and checker.products is not None:
        products = frozenset(checker.products)
    products -= checker.products_of(row, "not_for_products", where)
    if not products:
        checker.fail(where, "het sjabloon geldt voor geen enkel product")

    sections = []
    keys: dict[str, Field] = {}
    for s_index, s_row in enumerate(checker.tables(row.get("sections"), f"{where}, [[sections]]"), 1):
        section = _section(checker, s_row, f"{where}, sectie {s_row.get('key') or s_index}", kind)
        for f in section.fields:
            if f.key in keys:
                checker.fail(f"{where}, sectie {section.key}, veld {f.key}",
                             "deze veldnaam komt al eerder in het sjabloon voor")
            keys[f.key] = f
        sections.append(section)
    if not sections:
        checker.fail(where, "een sjabloon heeft minstens één sectie")
    for section in sections:
        for f in section.fields:
            fwhere = f"{where}, sectie {section.key}, veld {f.key}"
            for name in ("required_when", "optional_when"):
                _check_condition(checker, getattr(f, name), keys, fwhere, name)

    checklist = []
    for c_index, c_row in enumerate(checker.tables(row.get("checklist"), f"{where}, [[checklist]]"), 1):
        cwhere = f"{where}, controlepunt {c_row.get('rule') or c_index}"
        checker.known(c_row, CHECKLIST_FIELDS, cwhere)
        checklist.append(ChecklistItem(
            rule=checker.rule_id(c_row, "rule", cwhere, required=True) or "",
            text=checker.text(c_row, "text", cwhere) or "",
            source=checker.source(c_row, cwhere),
            products=checker.products_of(c_row, "products", cwhere)))

    rules = [_rule(checker, r_row, f"{where}, regel {r_row.get('id') or r_index}", keys)
             for r_index, r_row in enumerate(checker.tables(row.get("rules"), f"{where}, [[rules]]"), 1)]
    terms = [_term(checker, t_row, f"{where}, termijn {t_row.get('id') or t_index}", keys, kind)
             for t_index, t_row in enumerate(checker.tables(row.get("terms"), f"{where}, [[terms]]"), 1)]
    return Template(
        id=tid, kind=kind or PLAN, title=checker.text(row, "title", where) or tid, region=region,
        products=products, sections=tuple(sections), checklist=tuple(checklist), rules=tuple(rules),
        source=checker.source(row, where), note=checker.text(row, "note", where, required=False),
        path=path, integral_owners=_integral_owners(checker, row, where, products),
        terms=tuple(terms))


def _integral_owners(checker: _Checker, row: dict, where: str,
                     products: frozenset[str]) -> frozenset[str]:
    owners = checker.products_of(row, "integral_owners", where)
    if owners - products:
        checker.fail(where, "'integral_owners' noemt producten waarvoor het sjabloon niet geldt: "
                     + ", ".join(sorted(owners - products)))
    return owners


def _section(checker: _Checker, row: dict, where: str, template_kind: str | None) -> Section:
    checker.known(row, SECTION_FIELDS, where)
    key = checker.key(row, where) or ""
    inherited = {
        "only_for_products": checker.products_of(row, "only_for_products", where),
        "not_for": checker.exemptions(row, where),
        "optional_when": checker.condition(row, "optional_when", where),
    }
    fields = []
    for f_index, f_row in enumerate(checker.tables(row.get("fields"), f"{where}, [[fields]]"), 1):
        fwhere = f"{where}, veld {f_row.get('key') or f_index}"
        fields.append(_field(checker, f_row, fwhere, inherited, template_kind))
    if not fields:
        checker.fail(where, "een sectie heeft minstens één veld")
    return Section(key=key, title=checker.text(row, "title", where) or key, fields=tuple(fields),
                   source=checker.source(row, where),
                   help=checker.text(row, "help", where, required=False))


def _field(checker: _Checker, row: dict, where: str, inherited: Mapping[str, Any],
           template_kind: str | None, part: bool = False) -> Field:
    checker.known(row, PART_FIELDS if part else FIELD_FIELDS, where)
    key = checker.key(row, where) or ""
    kind = checker.text(row, "kind", where)
    allowed_kinds = PART_KINDS if part else tuple(FIELD_KINDS)
    if kind is not None and kind not in allowed_kinds:
        checker.fail(where, f"veld 'kind' ('{kind}') moet een van {', '.join(allowed_kinds)} zijn")
        kind = None
    kind = kind or "text"
    if kind == "goal_review" and template_kind != EVALUATION:
        checker.fail(where, "een terugblik op de doelen (goal_review) hoort in een evaluatiesjabloon")

    required_when = None if part else checker.condition(row, "required_when", where)
    optional_when = None if part else (checker.condition(row, "optional_when", where)
                                       or inherited.get("optional_when"))
    required = checker.flag(row, "required", where) or required_when is not None
    must_be = checker.text(row, "must_be", where, required=False)
    if must_be is not None:
        if kind != "yes_no" or must_be not in (YES, NO):
            checker.fail(where, "'must_be' kan alleen bij een ja/nee-veld, met \"ja\" of \"nee\"")
        required = True
    rule = checker.rule_id(row, "rule", where, required=required)
    rule_for = []
    for r_row in checker.tables(row.get("rule_for_products"), f"{where}, rule_for_products"):
        checker.known(r_row, {"products", "rule"}, f"{where}, rule_for_products")
        rule_for.append((checker.products_of(r_row, "products", f"{where}, rule_for_products"),
                         checker.rule_id(r_row, "rule", f"{where}, rule_for_products", True) or ""))

    choices = checker.pairs(row, "choices", where)
    if kind == "choice" and not choices:
        checker.fail(where, "een keuzeveld heeft 'choices' nodig")
    if kind != "choice" and "choices" in row:
        checker.fail(where, "'choices' hoort alleen bij een keuzeveld (kind = \"choice\")")
    max_length = row.get("max_length")
    if max_length is not None:
        if kind not in ("text", "textarea"):
            checker.fail(where, "'max_length' hoort alleen bij tekstvelden")
        max_length = checker.number(row, "max_length", where, 10000, 1)
    for name in ("parts", "min_rows", "rows", "row_label"):
        if name in row and kind not in REPEATABLE:
            checker.fail(where, f"'{name}' hoort alleen bij een herhaalbare groep (goals, goal_review)")
    if "outcomes" in row and kind != "goal_review":
        checker.fail(where, "'outcomes' hoort alleen bij een terugblik (goal_review)")

    parts: list[Field] = []
    if kind == "goals":
        part_keys = set()
        for p_index, p_row in enumerate(checker.tables(row.get("parts"), f"{where}, [[parts]]"), 1):
            pwhere = f"{where}, onderdeel {p_row.get('key') or p_index}"
            p = _field(checker, p_row, pwhere, {}, template_kind, part=True)
            if p.key in part_keys:
                checker.fail(pwhere, "dit onderdeel komt al eerder voor")
            part_keys.add(p.key)
            parts.append(p)
        if not parts:
            checker.fail(where, "een doelenlijst (goals) heeft minstens één onderdeel (parts)")

    only_for_products = checker.products_of(row, "only_for_products", where) \
        or inherited.get("only_for_products", frozenset())
    return Field(
        key=key, label=checker.text(row, "label", where) or key, kind=kind,
        source=checker.source(row, where),
        help=checker.text(row, "help", where, required=False),
        required=required, rule=rule, rule_for_products=tuple(rule_for),
        severity=checker.severity(row, where),
        message=checker.text(row, "message", where, required=False),
        required_for_products=checker.products_of(row, "required_for_products", where),
        required_with_products=frozenset() if part else checker.products_of(
            row, "required_with_products", where),
        required_when=required_when, optional_when=optional_when,
        only_for_products=only_for_products,
        only_for_gemeenten=frozenset() if part else checker.gemeenten_of(row, "only_for_gemeenten", where),
        not_for=() if part else (checker.exemptions(row, where) + tuple(inherited.get("not_for", ()))),
        choices=choices, must_be=must_be, max_length=max_length, parts=tuple(parts),
        min_rows=checker.number(row, "min_rows", where, 1, 1),
        rows=checker.number(row, "rows", where, 3, 1),
        row_label=checker.text(row, "row_label", where, required=False) or "Doel",
        outcomes=checker.pairs(row, "outcomes", where) if "outcomes" in row else (),
    )


def _check_condition(checker: _Checker, condition: Condition | None, keys: Mapping[str, Field],
                     where: str, name: str) -> None:
    if condition is None:
        return
    other = keys.get(condition.field)
    if other is None:
        checker.fail(where, f"'{name}' noemt onbekend veld '{condition.field}'")
        return
    if other.kind not in ("choice", "yes_no", "education_level"):
        checker.fail(where, f"'{name}' kan alleen naar een keuze- of ja/nee-veld verwijzen")
        return
    unknown = [v for v in condition.values if v not in dict(other.options())]
    if unknown:
        checker.fail(where, f"'{name}' noemt onbekende waarde(n) {', '.join(unknown)} van "
                            f"veld '{condition.field}'")


def _parameters(checker: _Checker, row: dict, where: str, kind: str | None,
                parameters: Mapping[str, tuple], texts_only: bool = False) -> dict:
    """The kind's parameters from a rule's or term's row, each of its type (and, with texts_only,
    a list only of non-empty texts); a missing required one or a wrong type is a failure."""
    params: dict[str, Any] = {}
    for name, (expected, required) in parameters.items():
        value = row.get(name)
        if value is None:
            if required:
                checker.fail(where, f"veld '{name}' ontbreekt voor soort '{kind}'")
            continue
        if isinstance(value, bool) or not isinstance(value, expected):
            checker.fail(where, f"veld '{name}' heeft het verkeerde type")
            continue
        if texts_only and isinstance(value, list) and \
                not all(isinstance(v, str) and v for v in value):
            checker.fail(where, f"veld '{name}' moet een lijst van teksten zijn")
            continue
        params[name] = value
    return params


def _rule(checker: _Checker, row: dict, where: str, keys: Mapping[str, Field]) -> TemplateRule:
    kind = checker.text(row, "kind", where)
    if kind is not None and kind not in RULE_KINDS:
        checker.fail(where, f"veld 'kind' ('{kind}') moet een van {', '.join(RULE_KINDS)} zijn")
        kind = None
    parameters = RULE_KINDS.get(kind or "", {})
    checker.known(row, RULE_FIELDS | set(parameters), where)
    params = _parameters(checker, row, where, kind, parameters)

    def field_of(name: str, kinds: tuple[str, ...]) -> None:
        key = params.get(name)
        if key is None:
            return
        if key not in keys:
            checker.fail(where, f"veld '{name}' noemt onbekend veld '{key}'")
        elif keys[key].kind not in kinds:
            checker.fail(where, f"veld '{name}' moet naar een veld van soort {' of '.join(kinds)} "
                                f"verwijzen, '{key}' is {keys[key].kind}")

    if kind == "min_education":
        field_of("field", ("education_level",))
        field_of("alternative_field", ("yes_no",))
        if "minimum" in params and params["minimum"] not in EDUCATION_RANK:
            checker.fail(where, f"veld 'minimum' moet een van {', '.join(EDUCATION_RANK)} zijn")
    if kind == "date_before_end":
        if params.get("date") != "submission":
            field_of("date", ("date",))
        for anchor in params.get("before", []):
            if anchor != "end" and (anchor not in keys or keys[anchor].kind != "date"):
                checker.fail(where, f"veld 'before' noemt '{anchor}': gebruik \"end\" of een datumveld")
        counts = [n for n in ("days", "werkdagen") if n in params]
        if len(counts) != 1:
            checker.fail(where, "geef precies één van 'days' en 'werkdagen'")
        elif params[counts[0]] < 0:
            checker.fail(where, f"veld '{counts[0]}' telt terug vanaf het einde: gebruik een getal ≥ 0")
        if "when" in params:
            condition = checker.condition(params, "when", where)
            params["when"] = condition
            _check_condition(checker, condition, keys, where, "when")
    return TemplateRule(
        id=checker.rule_id(row, "id", where, required=True) or "",
        kind=kind or "", severity=checker.severity(row, where),
        message=checker.text(row, "message", where) or "",
        source=checker.source(row, where),
        products=checker.products_of(row, "products", where), params=params)


def _term(checker: _Checker, row: dict, where: str, keys: Mapping[str, Field],
          template_kind: str | None) -> Term:
    kind = checker.text(row, "kind", where)
    if kind is not None and kind not in TERM_KINDS:
        checker.fail(where, f"veld 'kind' ('{kind}') moet een van {', '.join(TERM_KINDS)} zijn")
        kind = None
    if kind is not None and (kind in PLAN_TERMS) != (template_kind == PLAN):
        checker.fail(where, f"soort '{kind}' hoort bij een "
                            f"{'plan' if kind in PLAN_TERMS else 'evaluatie'}sjabloon")
    parameters = TERM_KINDS.get(kind or "", {})
    checker.known(row, TERM_FIELDS | set(parameters), where)
    params = _parameters(checker, row, where, kind, parameters, texts_only=True)
    if params.get("werkdagen") is not None and params["werkdagen"] < 1:
        checker.fail(where, "veld 'werkdagen' moet een geheel getal van minstens 1 zijn")
    if "new_products" in params:
        params["new_products"] = checker.products_of(params, "new_products", where)
    field_key = params.get("field")
    if kind == "support_start" and field_key is not None and (
            field_key not in keys or keys[field_key].kind != "date"):
        checker.fail(where, f"veld 'field' moet een datumveld van het sjabloon noemen, niet "
                            f"'{field_key}'")
    if kind == "toewijzing_results" and field_key is not None:
        goals = keys.get(field_key)
        if goals is None or goals.kind != "goals":
            checker.fail(where, f"veld 'field' moet een doelenlijst (goals) noemen, niet '{field_key}'")
        else:
            unknown = set(params.get("match", [])) - {p.key for p in goals.parts}
            if unknown:
                checker.fail(where, f"veld 'match' noemt onbekende onderdelen: {', '.join(sorted(unknown))}")
    if kind == "planned_moments" and field_key is not None and field_key.count(".") != 1:
        checker.fail(where, "veld 'field' is \"<doelenlijst>.<datumonderdeel>\" van het plansjabloon")
    if kind == "final_evaluation" and field_key is not None:
        other = keys.get(field_key)
        if other is None or not other.options():
            checker.fail(where, f"veld 'field' moet een keuzeveld van het sjabloon noemen, niet '{field_key}'")
        else:
            _check_condition(checker, Condition(field_key, tuple(params.get("values", []))), keys,
                             where, "values")
    return Term(
        id=checker.rule_id(row, "id", where, required=True) or "",
        kind=kind or "", severity=checker.severity(row, where),
        message=checker.text(row, "message", where) or "",
        source=checker.source(row, where),
        products=checker.products_of(row, "products", where), params=params)


def _check_coverage(checker: _Checker, templates: list[Template]) -> None:
    for kind in TEMPLATE_KINDS:
        seen: dict[str, str] = {}
        for template in templates:
            if template.kind != kind:
                continue
            for product in sorted(template.products):
                if product in seen:
                    checker.fail(f"sjabloon {template.id}",
                                 f"product '{product}' heeft al een {TEMPLATE_KINDS[kind]}sjabloon "
                                 f"({seen[product]})")
                seen[product] = template.id
    ids = [t.id for t in templates]
    for tid in sorted({i for i in ids if ids.count(i) > 1}):
        checker.fail(f"sjabloon {tid}", "deze sjablooncode komt twee keer voor")

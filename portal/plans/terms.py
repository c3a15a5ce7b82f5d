"""The plan's workflow terms (``[[templates.terms]]``, TERM_KINDS in portal.plans.templates) as
dates, from given dates alone: no database and no web stack, so `wmo-portal deadlines` uses them
too. :mod:`portal.plans.workflow` holds them against what is stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from portal.plans.templates import Template, Term, as_date
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Deadline
from portal.workdays import DEFAULT_POLICY, add_working_days


# -- the templates of a product ------------------------------------------------------------------

@dataclass(frozen=True)
class Templates:
    """The region's plan and evaluation template for a plan's product, and its holiday list."""

    plan: Template | None
    evaluation: Template | None
    product_key: str | None
    policy: str = DEFAULT_POLICY

    def terms(self, kind: str) -> list[Term]:
        template = self.evaluation if kind in EVALUATION_TERMS else self.plan
        return template.terms_of(kind, self.product_key) if template else []

    def term(self, kind: str) -> Term | None:
        found = self.terms(kind)
        return found[0] if found else None


EVALUATION_TERMS = frozenset({"planned_moments", "extra_request", "missed_signal",
                              "after_signal", "final_evaluation"})


def templates_of(regions: RegionRegistry, region_code: str, product_key: str | None) -> Templates:
    product = regions.product(region_code, product_key or "")
    region = regions.region(region_code)
    policy = region.holiday_policy if region else DEFAULT_POLICY
    if product is None:
        return Templates(None, None, product_key, policy)
    return Templates(regions.plan_template(region_code, product),
                     regions.evaluation_template(region_code, product), product.key, policy)




# -- dates as the terms count them (no database: also for `wmo-portal deadlines`) ---------------

def support_start_due(term: Term, discussed: date, policy: str) -> date:
    return add_working_days(discussed, term.params["werkdagen"], policy)


def earliest_extra_due(term: Term, requested_on: date, policy: str) -> date:
    return add_working_days(requested_on, term.params["werkdagen"], policy)


def signal_due(term: Term, missed: date, policy: str) -> date:
    return add_working_days(missed, term.params["werkdagen"], policy)


def after_signal_due(term: Term, signalled_on: date, policy: str) -> date:
    return add_working_days(signalled_on, term.params["werkdagen"], policy)


def planned_dates(term: Term, content: Mapping | None) -> list[date]:
    """The dates the plan's content plans in the term's ``<goals>.<part>`` (malformed ones left
    out: the plan's own check reports them)."""
    goals_key, part_key = term.params["field"].split(".", 1)
    rows = (content or {}).get(goals_key)
    found = set()
    for row in rows if isinstance(rows, list) else []:
        try:
            day = as_date(row.get(part_key)) if isinstance(row, Mapping) else None
        except (ValueError, TypeError):
            day = None
        if day is not None:
            found.add(day)
    return sorted(found)


def final_deadline(term: Term, end: date) -> Deadline:
    return Deadline("evaluation", end, term.id, term.message, term.severity, term.source)

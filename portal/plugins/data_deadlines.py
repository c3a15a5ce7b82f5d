"""Deadlines written as data: the ``[[deadlines]]`` of a region file, computed for a toewijzing.

A deadline counts from the toewijzing's ingangsdatum (``from = "start"``) or einddatum
(``from = "end"``), by werkdagen (skipping weekends and the region's holidays, portal.workdays)
or by months and days (negative: before). ``repeat = true`` repeats a months-step until the
einddatum (e.g. an evaluation every half year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.plugins.data_rules import add_months
from portal.plugins.types import Deadline, SeedRef, Severity, ToewijzingFacts
from portal.workdays import add_working_days

# The kinds of deadline, with their Dutch labels for the UI.
KINDS: dict[str, str] = {
    "plan": "Plan",
    "client_reply": "Akkoord cliënt",
    "support_start": "Start zorg",
    "evaluation": "Evaluatie",
    "evaluation_window": "Eindevaluatievenster",
    "evaluation_talk": "Evaluatiegesprek",
    "reminder": "Herinnering",
    "review": "Beoordeling door de gemeente",
    # Kinds the plans' workflow adds (portal.plans.workflow), from the region's template terms.
    "plan_revision": "Plan herzien",
    "signal": "Ontbrekend verslag signaleren",
}
MAX_REPEATS = 40


@dataclass(frozen=True)
class DataDeadline:
    id: str
    kind: str
    anchor: str  # "start", "end" or "submitted" (the plan's submission, see ToewijzingFacts)
    message: str
    products: tuple[str, ...] = ()
    werkdagen: int | None = None
    months: int = 0
    days: int = 0
    repeat: bool = False
    severity: Severity = Severity.WARNING
    source: SeedRef | None = None

    def applies_to(self, facts: ToewijzingFacts) -> bool:
        return not self.products or facts.product_key in self.products

    def _step(self, day: date, policy: str) -> date:
        if self.werkdagen is not None:
            day = add_working_days(day, self.werkdagen, policy)
        return add_months(day, self.months) + timedelta(days=self.days)

    def compute(self, facts: ToewijzingFacts, policy: str) -> list[Deadline]:
        if not self.applies_to(facts):
            return []
        anchor = {"start": facts.start, "end": facts.end, "submitted": facts.submitted}[self.anchor]
        if anchor is None:  # counted from a date the toewijzing does not have (yet)
            return []
        dates = [self._step(anchor, policy)]
        while self.repeat and len(dates) < MAX_REPEATS:
            following = add_months(anchor, self.months * (len(dates) + 1))
            if facts.end is None or following > facts.end:
                break
            dates.append(following)
        return [Deadline(self.kind, due, self.id, self.message, self.severity, self.source)
                for due in dates]

"""Toewijzing rules written as data: the kinds a region file may use in its ``[[rules]]``.

A policy officer writes a rule as a table (id, kind, the products it applies to, severity, a
Dutch message, the seed line it comes from, and the kind's parameters); the portal checks it on
every new toewijzing. Rules that no kind can express are Python in the region's own package.

| kind | parameters | finds |
| --- | --- | --- |
| duration | min_months, max_months | a toewijzing shorter or longer than allowed (open end = too long) |
| requires_other | needs, mode ("overlap" or "within"), same_provider | no other active toewijzing of the needed products beside it |
| exclusive | with | an overlapping active toewijzing of a product it may not combine with |
| volume | frequency (optional), min, max | an omvang outside the bounds (for that frequency) |
| attribute_values | field, allowed | a region field (e.g. perceel) with a value not allowed for the product |
| attribute_consistent | field, except, same_product | overlapping toewijzingen with different values of the field |
| attribute_range | field, min, below | a number field (e.g. distance in km) outside [min, below) for the product |
| age | min_age, max_age | a client older or younger (on the ingangsdatum) than the product is for |
| municipalities | excluded | a product used in a gemeente where it does not apply |
| period | not_before, not_after | a toewijzing outside the period the product is bought for |
| contract_requires | needs, needs_each | (checked on an aanbieder's registration for a product, not on a toewijzing) no registration for the needed product, once per attribute set in needs_each |

Any rule may also have ``when_field`` and ``when_values``: it then applies only to toewijzingen
whose region field has one of those values (e.g. a duration that holds only in perceel 1 and 2).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from portal.plugins.types import ContractFacts, Finding, SeedRef, Severity, ToewijzingFacts


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class DataRule:
    id: str
    kind: str
    severity: Severity
    message: str  # Dutch, says what is wrong and what is right
    products: tuple[str, ...] = ()
    source: SeedRef | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def applies_to(self, facts: ToewijzingFacts) -> bool:
        if self.products and facts.product_key not in self.products:
            return False
        when_field = self.params.get("when_field")
        if when_field is not None:
            return str(facts.attributes.get(when_field)) in {str(v) for v in self.params["when_values"]}
        return True

    def finding(self, field_name: str | None = None, detail: str = "") -> Finding:
        where = f" [{self.source}]" if self.source else ""
        return Finding(self.id, self.severity, f"{self.message}{detail}{where}", field_name)

    @property
    def on_contracts(self) -> bool:
        return self.kind in CONTRACT_CHECKS

    def check(self, facts: ToewijzingFacts) -> list[Finding]:
        if self.on_contracts or not self.applies_to(facts):
            return []
        return CHECKS[self.kind](self, facts)

    def check_contract(self, contract: ContractFacts) -> list[Finding]:
        if not self.on_contracts or (self.products and contract.product_key not in self.products):
            return []
        return CONTRACT_CHECKS[self.kind](self, contract)


# -- the kinds ---------------------------------------------------------------------------------

def _duration(rule: DataRule, facts: ToewijzingFacts) -> list[Finding]:
    max_months, min_months = rule.params.get("max_months"), rule.params.get("min_months")
    if max_months is not None:
        last_allowed = add_months(facts.start, max_months) - timedelta(days=1)
        if facts.end is None or facts.end > last_allowed:
            return [rule.finding("einddatum", f" Uiterlijk toegestaan: {last_allowed:%d-%m-%Y}.")]
    if min_months is not None and facts.end is not None:
        first_allowed = add_months(facts.start, min_months) - timedelta(days=1)
        if facts.end < first_allowed:
            return [rule.finding("einddatum")]
    return []


def _requires_other(rule: DataRule, facts: ToewijzingFacts) -> list[Finding]:
    needs = set(rule.params["needs"])
    within = rule.params.get("mode", "overlap") == "within"
    same_provider = rule.params.get("same_provider", False)
    for other in facts.others:
        if other.product_key not in needs:
            continue
        if same_provider and other.provider_agb != facts.provider_agb:
            continue
        if facts.within(other) if within else facts.overlaps(other):
            return []
    return [rule.finding("product_key")]


def _exclusive(rule: DataRule, facts: ToewijzingFacts) -> list[Finding]:
    excluded = set(rule.params["with"])
    clashes = sorted({o.product_code or o.product_key for o in facts.others
                      if o.product_key in excluded and facts.overlaps(o)})
    if clashes:
        return [rule.finding("product_key", f" Overlapt met: {', '.join(clashes)}.")]
    return []


def _volume(rule: DataRule, facts: ToewijzingFacts) -> list[Finding]:
    frequency = rule.params.get("frequency")
    if facts.volume is None or (frequency is not None and facts.frequency != frequency):
        return []
    low, high = rule.params.get("min"), rule.params.get("max")
    if (low is not None and facts.volume < low) or (high is not None and facts.volume > high):
        return [rule.finding("volume")]
    return []


def _attribute_values(rule: DataRule, facts: ToewijzingFacts) -> list[Finding]:
    name = rule.params["field"]
    value = facts.attributes.get(name)
    if value is not None and str(value) not in {str(v) for v in rule.params["allowed"]}:
        return [rule.finding(name)]
    return []


def _attribute_consistent(rule: DataRule, facts: ToewijzingFacts) -> list[Finding]:
    name = rule.params["field"]
    exempt = {str(v) for v in rule.params.get("except", [])}
    value = facts.attributes.get(name)
    if value is None or str(value) in exempt:
        return []
    same_product = rule.params.get("same_product", False)
    clashes = sorted({str(o.attributes[name]) for o in facts.others
                      if o.attributes.get(name) is not None and str(o.attributes[name]) not in exempt
                      and str(o.attributes[name]) != str(value) and facts.overlaps(o)
                      and (not same_product or o.product_key == facts.product_key)})
    if clashes:
        return [rule.finding(name, f" Lopende toewijzing(en) in: {', '.join(clashes)}.")]
    return []


def _attribute_range(rule: DataRule, facts: ToewijzingFacts) -> list[Finding]:
    name = rule.params["field"]
    value = facts.attributes.get(name)
    if value is None or not str(value).isdigit():
        return []
    number, low, below = int(value), rule.params.get("min"), rule.params.get("below")
    if (low is not None and number < low) or (below is not None and number >= below):
        return [rule.finding(name, f" Opgegeven: {number}.")]
    return []


def _age(rule: DataRule, facts: ToewijzingFacts) -> list[Finding]:
    if facts.client_birth_date is None:
        return []
    age = age_on(facts.client_birth_date, facts.start)
    low, high = rule.params.get("min_age"), rule.params.get("max_age")
    if (low is not None and age < low) or (high is not None and age > high):
        return [rule.finding("product_key", f" Leeftijd op de ingangsdatum: {age}.")]
    return []


def _municipalities(rule: DataRule, facts: ToewijzingFacts) -> list[Finding]:
    if facts.municipality_code in set(rule.params["excluded"]):
        return [rule.finding("product_key")]
    return []


def _period(rule: DataRule, facts: ToewijzingFacts) -> list[Finding]:
    not_before, not_after = rule.params.get("not_before"), rule.params.get("not_after")
    if (not_before and facts.start < not_before) or \
            (not_after and (facts.end is None or facts.end > not_after)):
        return [rule.finding("ingangsdatum")]
    return []


def _contract_requires(rule: DataRule, contract: ContractFacts) -> list[Finding]:
    needed = set(rule.params["needs"])
    missing = []
    for wanted in rule.params.get("needs_each") or [{}]:
        if not any(other.product_key in needed and all(
                str(other.attributes.get(k)) == str(v) for k, v in wanted.items())
                for other in contract.others):
            missing.append(", ".join(f"{k} {v}" for k, v in wanted.items()) or "het product")
    if missing:
        return [rule.finding("product_key", f" Ontbreekt: {'; '.join(missing)}.")]
    return []


CONTRACT_CHECKS: dict[str, Callable[[DataRule, ContractFacts], list[Finding]]] = {
    "contract_requires": _contract_requires,
}

CHECKS: dict[str, Callable[[DataRule, ToewijzingFacts], list[Finding]]] = {
    "duration": _duration,
    "requires_other": _requires_other,
    "exclusive": _exclusive,
    "volume": _volume,
    "attribute_values": _attribute_values,
    "attribute_consistent": _attribute_consistent,
    "attribute_range": _attribute_range,
    "age": _age,
    "municipalities": _municipalities,
    "period": _period,
}

# What each kind needs in its table: name -> (type, required).
PARAMETERS: dict[str, dict[str, tuple[type, bool]]] = {
    "duration": {"min_months": (int, False), "max_months": (int, False)},
    "requires_other": {"needs": (list, True), "mode": (str, False), "same_provider": (bool, False)},
    "exclusive": {"with": (list, True)},
    "volume": {"frequency": (str, False), "min": (int, False), "max": (int, False)},
    "attribute_values": {"field": (str, True), "allowed": (list, True)},
    "attribute_consistent": {"field": (str, True), "except": (list, False),
                             "same_product": (bool, False)},
    "attribute_range": {"field": (str, True), "min": (int, False), "below": (int, False)},
    "age": {"min_age": (int, False), "max_age": (int, False)},
    "municipalities": {"excluded": (list, True)},
    "period": {"not_before": (date, False), "not_after": (date, False)},
    "contract_requires": {"needs": (list, True), "needs_each": (list, False)},
}

# Parameters every kind accepts: the rule holds only when a region field has one of these values.
CONDITION_PARAMETERS: dict[str, tuple[type, bool]] = {
    "when_field": (str, False),
    "when_values": (list, False),
}

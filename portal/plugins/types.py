"""The values region plugins hand to the core.

Plain frozen dataclasses: a plugin builds them from its data files, the core only reads them.
Money is Decimal (euros), dates are dates, units and categories are iWmo codes (WJ756, WMO020).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from portal.plugins.severity import Severity  # re-exported: plugins import it from here


@dataclass(frozen=True)
class SeedRef:
    """Where a fact comes from: a seed file and its line(s), e.g. ``000:1209``."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Municipality:
    code: str  # CBS gemeentecode, 4 digits
    name: str
    source: SeedRef | None = None


@dataclass(frozen=True)
class TariffVariant:
    """A tariff that applies only under a condition, e.g. one grondslag."""

    key: str  # e.g. "PSY"
    label: str
    tariff: Decimal | None
    valid_from: date | None = None
    valid_until: date | None = None
    source: SeedRef | None = None


@dataclass(frozen=True)
class Product:
    """One catalogue entry of a region.

    ``key`` identifies the product within its region; it equals ``code`` when the region has iWmo
    product codes, and is the seed's own abbreviation (e.g. a perceel product) when it has none.
    ``tariff`` is None when the seed states no tariff: the portal then computes no amount.
    """

    key: str
    name: str
    category: str  # WMO020 productcategorie, 2 digits
    code: str | None  # iWmo productcode (max 5), None when the region has not set one
    unit: str | None  # WJ756 eenheid of the toewijzing
    declaration_unit: str | None  # WJ756 eenheid of the declaratie
    tariff: Decimal | None = None
    tariff_unit: str | None = None  # WJ756 eenheid the tariff is per
    valid_from: date | None = None
    valid_until: date | None = None
    variants: tuple[TariffVariant, ...] = ()
    source: SeedRef | None = None
    note: str | None = None  # Dutch remark for users, e.g. why a tariff is missing
    # A tariff that follows another product's: that product's tariff / divisor, exact (e.g. G1 =
    # B3 / 3). The base is resolved on the line's date, so it follows the base's indexation.
    tariff_derived_from: str | None = None
    tariff_divisor: int | None = None
    # The source document has only placeholders for code and price: the product cannot be
    # assigned or declared until beheer has set both.
    placeholder: bool = False


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    plugin: str  # name of the plugin serving the region
    municipalities: tuple[Municipality, ...] = ()
    source: SeedRef | None = None
    note: str | None = None
    holiday_policy: str = "termijnenwet"  # which holidays werkdagen skip (portal.workdays)

    def municipality(self, code: str) -> Municipality | None:
        return next((m for m in self.municipalities if m.code == code), None)


@dataclass(frozen=True)
class Finding:
    """One problem a validation hook found: a stable rule code, a Dutch message, the field.

    ``retourcode`` is for declaration lines only: the official WJ001 retourcode closest to the
    rule, which the WMO325 answer gives a line this finding refuses (None: "not assessed").
    """

    rule: str
    severity: Severity
    message: str
    field: str | None = None
    retourcode: str | None = None


@dataclass(frozen=True)
class Deadline:
    """A date something is due for a toewijzing (plan, evaluation, reminder)."""

    kind: str  # plan, client_reply, support_start, evaluation, evaluation_window, ...
    due: date
    rule: str  # the rule id, e.g. GM-P4
    message: str  # Dutch: what is due
    severity: Severity = Severity.WARNING
    source: SeedRef | None = None
    # Shown only from this day on (the signal of a missing report: once the report is late).
    shown_from: date | None = None

    def shown_on(self, day: date) -> bool:
        return self.shown_from is None or self.shown_from <= day


@dataclass(frozen=True)
class ToewijzingFacts:
    """What a validation or deadline hook may know about a toewijzing, free of the database.

    ``attributes`` holds the region's own toewijzing fields (see ToewijzingField), e.g. a perceel.
    ``others`` are the client's other active toewijzingen (any provider), for rules about
    combinations; they carry no ``others`` of their own.
    """

    toewijzing_nummer: int | None
    municipality_code: str
    provider_agb: str
    client_birth_date: date | None
    product_category: str
    product_code: str | None
    product_key: str | None
    volume: int | None
    unit: str | None
    frequency: str | None
    start: date
    end: date | None
    attributes: dict = field(default_factory=dict)
    others: tuple[ToewijzingFacts, ...] = ()
    # When its plan (or evaluation) was last submitted: deadlines counted "from submitted", such
    # as the gemeente's term to review it, exist only then.
    submitted: date | None = None

    def overlaps(self, other: ToewijzingFacts) -> bool:
        return (other.end is None or self.start <= other.end) and \
            (self.end is None or other.start <= self.end)

    def within(self, other: ToewijzingFacts) -> bool:
        return other.start <= self.start and (other.end is None or (
            self.end is not None and self.end <= other.end))


@dataclass(frozen=True)
class ToewijzingField:
    """A field a region adds to its toewijzingen, because its rules need it (e.g. perceel).

    ``products`` lists the product keys it applies to; empty means every product.
    """

    key: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, Dutch label); empty = free number
    products: tuple[str, ...] = ()
    required: bool = True
    source: SeedRef | None = None
    help: str | None = None

    def applies_to(self, product_key: str | None) -> bool:
        return not self.products or product_key in self.products


@dataclass(frozen=True)
class ContractFacts:
    """An aanbieder's registration (contract) for one product of a region, with the region's
    fields that qualify it (e.g. grondslag, perceel), and the aanbieder's other registrations
    in that region."""

    provider_agb: str
    product_key: str
    attributes: dict = field(default_factory=dict)
    others: tuple[ContractFacts, ...] = ()

"""The one price function: the amount of a declaration line from a tariff and a volume.

The rounding rule, written down once (../shared/docs/region-rules.md §6.2): compute exactly
(rational arithmetic, so a per-minute rate such as 90.14 / 60 is never rounded), then round once
per line, half-up, to whole cents. Never round a per-minute rate first: 90 minutes at € 90.14 per
hour is € 135.21, not 90 × € 1.50.

Units are WJ756 codes. A tariff per hour prices a volume in minutes (and the other way round);
other units must match the tariff's unit exactly: how long a dagdeel lasts differs per region, so
the portal never converts dagdelen, etmalen or stuks into hours. Unit 83 (euro) has no tariff:
the volume is the amount in cents (iWmo CS339).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from portal.iwmo.codelists import unit_label

MINUTE, HOUR, EURO = "01", "04", "83"

# How many tariff units one declared unit is: (declared unit, tariff unit) -> factor.
UNIT_FACTORS: dict[tuple[str, str], Fraction] = {
    (MINUTE, HOUR): Fraction(1, 60),
    (HOUR, MINUTE): Fraction(60),
}

MAX_VOLUME = 99_999_999  # iWmo LDT_Volume


class PriceError(Exception):
    """The line cannot be priced; the message (Dutch) says why."""


@dataclass(frozen=True)
class Tariff:
    """A price per unit, exact. Derived tariffs (e.g. B3 / 3) may have more than two decimals."""

    amount: Fraction
    unit: str  # WJ756
    source: str  # where it comes from: a seed line, a beheer decision, a derivation

    @classmethod
    def of(cls, amount: Decimal | str, unit: str, source: str) -> Tariff:
        return cls(Fraction(Decimal(amount)), unit, source)

    def divided_by(self, divisor: int, source: str) -> Tariff:
        return Tariff(self.amount / divisor, self.unit, source)

    def display(self) -> str:
        """The tariff as text: exact when it has at most 6 decimals, else to 6 decimals."""
        exact = Decimal(self.amount.numerator) / Decimal(self.amount.denominator)
        if exact == exact.quantize(Decimal("0.000001")):
            text = f"{exact.normalize():f}"
            return text if "." in text and len(text.split(".")[1]) >= 2 else f"{exact:.2f}"
        return f"{exact:.6f}"


@dataclass(frozen=True)
class Price:
    amount_cents: int
    tariff: Tariff | None
    volume: int
    unit: str

    @property
    def amount(self) -> Decimal:
        return (Decimal(self.amount_cents) / 100).quantize(Decimal("0.01"))


def round_half_up_to_cents(euros: Fraction) -> int:
    """Whole cents, halves rounded away from zero (amounts are never negative in iWmo)."""
    if euros < 0:
        raise PriceError("Een bedrag kan niet negatief zijn; gebruik credit voor een correctie.")
    cents = euros * 100
    return (cents.numerator * 2 + cents.denominator) // (cents.denominator * 2)


def line_price(tariff: Tariff | None, volume: int, unit: str) -> Price:
    """The amount of one line: volume in ``unit`` at ``tariff``, rounded once, half-up."""
    if isinstance(volume, bool) or not isinstance(volume, int):
        raise PriceError("Het volume moet een geheel getal zijn.")
    if not 0 <= volume <= MAX_VOLUME:
        raise PriceError(f"Het volume moet tussen 0 en {MAX_VOLUME} liggen (gekregen: {volume}).")
    if unit == EURO:
        return Price(volume, None, volume, unit)
    if tariff is None:
        raise PriceError("Tarief niet vastgesteld: dit tarief staat niet in de productbeschrijving "
                         "en is nog niet ingesteld door beheer. Er wordt geen bedrag berekend.")
    factor = Fraction(1) if unit == tariff.unit else UNIT_FACTORS.get((unit, tariff.unit))
    if factor is None:
        raise PriceError(f"Een volume in '{unit_label(unit)}' kan niet worden berekend met een "
                         f"tarief per '{unit_label(tariff.unit)}'.")
    return Price(round_half_up_to_cents(tariff.amount * volume * factor), tariff, volume, unit)

"""The one price function: exact arithmetic, unit conversion, one half-up rounding per line."""

from decimal import Decimal
from fractions import Fraction

import pytest

from portal.pricing import PriceError, Tariff, line_price, round_half_up_to_cents


def per_hour(amount: str) -> Tariff:
    return Tariff.of(amount, "04", "test")


def test_minutes_at_an_hourly_tariff_are_never_priced_at_a_rounded_minute_rate():
    # 90.14 / 60 = 1.50233... per minute; rounding that first would give 135.00.
    price = line_price(per_hour("90.14"), 90, "01")
    assert price.amount == Decimal("135.21") and price.amount_cents == 13521


def test_an_exact_half_cent_rounds_up():
    # 150 min × 41.01 / 60 = 102.525 exactly: half-up gives 102.53 (banker's rounding 102.52).
    assert line_price(per_hour("41.01"), 150, "01").amount == Decimal("102.53")


def test_a_non_terminating_per_minute_rate_is_exact():
    # 7 min × 75.56 / 60 = 8.81533..., 61 min × 102.97 / 60 = 104.68616...
    assert line_price(per_hour("75.56"), 7, "01").amount_cents == 882
    assert line_price(per_hour("102.97"), 61, "01").amount_cents == 10469


def test_hours_at_a_per_minute_tariff_and_same_units():
    assert line_price(Tariff.of("1.25", "01", "t"), 2, "04").amount == Decimal("150.00")
    assert line_price(Tariff.of("286.40", "14", "t"), 3, "14").amount == Decimal("859.20")


def test_derived_tariff_is_rounded_only_once_per_line():
    # B3 € 100.00 per hour: G1 = 100 / 3 per hour, 45 minutes = 25.00 exactly.
    g1 = per_hour("100.00").divided_by(3, "B3 / 3")
    assert line_price(g1, 45, "01").amount == Decimal("25.00")
    assert line_price(g1, 1, "04").amount == Decimal("33.33")
    assert g1.display() == "33.333333"


def test_euro_unit_volume_is_the_amount_in_cents():
    price = line_price(None, 12345, "83")
    assert price.amount == Decimal("123.45") and price.tariff is None


@pytest.mark.parametrize("tariff, volume, unit, message", [
    (None, 10, "01", "Tarief niet vastgesteld"),
    (Tariff.of("48.30", "16", "t"), 10, "04", "kan niet worden berekend met een tarief per 'dagdeel'"),
    (per_hour("90.14"), -5, "01", "tussen 0 en"),
    (per_hour("90.14"), 100_000_000, "01", "tussen 0 en"),
    (per_hour("90.14"), 1.5, "01", "geheel getal"),
])
def test_lines_that_cannot_be_priced_say_why(tariff, volume, unit, message):
    with pytest.raises(PriceError, match=message):
        line_price(tariff, volume, unit)


def test_rounding_helper():
    assert round_half_up_to_cents(Fraction(1, 200)) == 1     # 0.005 → 0.01
    assert round_half_up_to_cents(Fraction(1, 201)) == 0     # just under half a cent
    assert round_half_up_to_cents(Fraction(0)) == 0

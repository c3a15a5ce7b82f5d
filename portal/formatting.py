"""How the UI writes dates, money and codes: Dutch conventions, in one place."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from portal.iwmo.codelists import CATEGORIES, FREQUENCIES, TOEWIJZING_STATUSES, unit_label


LOCAL_TIME = ZoneInfo("Europe/Amsterdam")  # moments are stored in UTC, shown in Dutch time


def dutch_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(LOCAL_TIME)
    return value.strftime("%d-%m-%Y %H:%M" if isinstance(value, datetime) else "%d-%m-%Y")


def euro(amount: Decimal | None) -> str:
    """€ 1.234,56; a missing tariff is said, never shown as 0."""
    if amount is None:
        return "niet vastgesteld"
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def init_app(app) -> None:
    app.jinja_env.filters.update(
        datum=dutch_date,
        euro=euro,
        cents=lambda cents: euro(None if cents is None else Decimal(cents) / 100),
        eenheid=unit_label,
        categorie=lambda code: CATEGORIES.get(code or "", code or "—"),
        frequentie=lambda code: FREQUENCIES.get(code or "", code or "—"),
        status=lambda code: TOEWIJZING_STATUSES.get(code or "", code or "—"),
    )

"""Loads realistic demo data through the same services as the pages, so every check applies.

The core names no region: the demo walks whatever regions are enabled, makes every municipality a
gemeente, gives clients (test BSNs from the 9999xxxxx range, which pass the elfproef but are
obviously not real people) toewijzingen for the first products of their region's catalogue.
"""

from __future__ import annotations

from datetime import date
from itertools import count, islice
from itertools import product as product_of

from sqlalchemy import select

from portal.accounts.models import AANBIEDER_KIND, GEMEENTE_KIND, Organisation, User
from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.accounts.services import InvalidInput, create_organisation, create_user
from portal.extensions import db
from portal.identifiers import passes_elfproef
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Product, ToewijzingField
from portal.toewijzingen.services import ToewijzingInput, create_toewijzing

DEMO_PASSWORD = "demo"
DEMO_USERS = {
    "aanbieder@example.nl": ("Anouk Aanbieder", AANBIEDER),
    "gemeente@example.nl": ("Gert Gemeente", GEMEENTE),
    "beheer@example.nl": ("Bea Beheer", BEHEER),
}
DEMO_PROVIDERS = [("98765432", "Zorg Dichtbij Begeleiding B.V."),
                  ("87654321", "Stichting Thuis Verder")]
DEMO_NAMES = [("J", "de", "Vries"), ("M", None, "Jansen"), ("A", "van", "Dijk"),
              ("S", None, "Bakker"), ("P", "van der", "Berg"), ("L", None, "Visser"),
              ("E", None, "Smit"), ("H", "de", "Boer"), ("R", None, "Mulder"),
              ("K", None, "Peters"), ("W", "van", "Leeuwen"), ("T", None, "Hendriks")]
CLIENTS_PER_REGION = 3

# A plausible volume per unit of the toewijzing (WJ756), with frequency 6 (total) or 2 (per week).
VOLUME_BY_UNIT = {"01": (3000, "6"), "04": (52, "6"), "14": (20, "6"), "16": (3, "2"),
                  "82": (6, "6"), "83": (100000, "6"), "84": (6, "6")}


def demo_bsns():
    """Test BSNs 999900006..999999990 that pass the elfproef, in order."""
    for number in range(999_900_000, 999_999_999):
        if passes_elfproef(str(number)):
            yield str(number)


def load(regions: RegionRegistry, today: date | None = None) -> bool:
    """Load the demo data once; return False when it was already there."""
    if db.session.scalar(select(User).where(User.email.in_(DEMO_USERS))):
        return False
    today = today or date.today()
    providers = [create_organisation(regions, AANBIEDER_KIND, code, name)
                 for code, name in DEMO_PROVIDERS]
    gemeenten = [create_organisation(regions, GEMEENTE_KIND, m.code, m.name, region.code)
                 for region in regions.regions() for m in region.municipalities]
    db.session.flush()
    _toewijzingen(regions, providers, gemeenten, today)
    users_org = {AANBIEDER: providers[0], GEMEENTE: gemeenten[0] if gemeenten else None,
                 BEHEER: None}
    for email, (name, role) in DEMO_USERS.items():
        if role == GEMEENTE and users_org[GEMEENTE] is None:
            continue
        # The demo password is short on purpose; the password rule applies to real accounts.
        create_user(email, name, role, DEMO_PASSWORD, users_org[role], check_password=False)
    db.session.commit()
    return True


def _toewijzingen(regions: RegionRegistry, providers: list[Organisation],
                  gemeenten: list[Organisation], today: date) -> None:
    bsns = demo_bsns()
    names = iter(DEMO_NAMES * 10)
    numbers = count(1001)
    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    by_region: dict[str, list[Organisation]] = {}
    for gemeente in gemeenten:
        by_region.setdefault(gemeente.region_code, []).append(gemeente)
    for region_code, region_gemeenten in by_region.items():
        products = [p for p in regions.products(region_code) if p.unit in VOLUME_BY_UNIT]
        fields = regions.toewijzing_fields(region_code)
        if not products:
            continue
        for index in range(CLIENTS_PER_REGION):
            # The first gemeente of each region gets two clients, so its demo user sees a list.
            gemeente = region_gemeenten[0 if index < 2 else index % len(region_gemeenten)]
            person = (next(bsns), *next(names), date(1950 + 7 * index, 3 + index, 14))
            made = 0
            # Products in a different order per client; the region's rules decide what is valid.
            for offset in range(len(products)):
                product = products[(index * 3 + offset) % len(products)]
                provider = providers[0] if made == 0 else providers[(index + made) % 2]
                if _first_valid(regions, fields, _input(gemeente, provider, *person,
                                                        next(numbers), product, start, end),
                                product, today):
                    made += 1
                if made == 2:
                    break


def _first_valid(regions: RegionRegistry, fields: list[ToewijzingField], data: ToewijzingInput,
                 product: Product, today: date) -> bool:
    """Store the toewijzing with the first region field values its rules accept; False if none."""
    applicable = [spec for spec in fields if spec.applies_to(product.key)]
    options = [[value for value, _ in spec.choices] or ["7"] for spec in applicable]
    for values in islice(product_of(*options), 60):
        data.attributes = {spec.key: value for spec, value in zip(applicable, values)}
        try:
            create_toewijzing(regions, data, today=today)
        except InvalidInput:
            continue
        db.session.flush()
        return True
    return False


def _input(gemeente, aanbieder, bsn, voorletters, voorvoegsel, achternaam, geboortedatum,
           nummer, product: Product, start: date, end: date) -> ToewijzingInput:
    volume, frequentie = VOLUME_BY_UNIT[product.unit]
    return ToewijzingInput(
        gemeente=gemeente, aanbieder=aanbieder, bsn=bsn, voorletters=voorletters,
        voorvoegsel=voorvoegsel or "", achternaam=achternaam, geboortedatum=geboortedatum,
        toewijzing_nummer=nummer, product_key=product.key, volume=volume, eenheid="",
        frequentie=frequentie, ingangsdatum=start, einddatum=end,
    )

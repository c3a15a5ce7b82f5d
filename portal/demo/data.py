"""Loads realistic demo data through the same services as the pages, so every check applies.

The core names no region: the demo walks whatever regions are enabled, makes every municipality a
gemeente, gives clients (test BSNs from the 9999xxxxx range, which pass the elfproef but are
obviously not real people) toewijzingen for the first products of their region's catalogue.

`load(..., clients=N)` makes a demo at scale (the load test of `make bench` uses 10,000): every
gemeente first gets one client made through the services as above, then those clients serve as
profiles that are copied with bulk inserts until there are N clients. A copy keeps its profile's
gemeente, products and region fields (which passed the region's rules) and takes a new BSN, name,
date of birth and toewijzingnummer; every other round of copies swaps the two demo aanbieders, so
both have clients in every gemeente. Copies bypass the audit log (they are no one's change) and
are the same on every run.
"""

from __future__ import annotations

from datetime import date
from itertools import count, islice
from itertools import product as product_of

from sqlalchemy import insert, select, text
from sqlalchemy.orm import selectinload

from portal.accounts.models import AANBIEDER_KIND, GEMEENTE_KIND, Organisation, User
from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.accounts.services import InvalidInput, create_organisation, create_user
from portal.clients.models import Client
from portal.deadlines.store import refresh_all
from portal.extensions import db
from portal.identifiers import passes_elfproef
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Product, ToewijzingField
from portal.toewijzingen.models import Toewijzing
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
MAX_CLIENTS = 18_000  # the two BSN ranges of demo_bsns() hold about 18,180 elfproef numbers
BULK_BATCH = 2_000  # rows per bulk insert: few round trips, bounded memory
BULK_NUMBER_START = 100_000  # toewijzingnummers of the copies, above the services-made ones

# A plausible volume per unit of the toewijzing (WJ756), with frequency 6 (total) or 2 (per week).
VOLUME_BY_UNIT = {"01": (3000, "6"), "04": (52, "6"), "14": (20, "6"), "16": (3, "2"),
                  "82": (6, "6"), "83": (100000, "6"), "84": (6, "6")}


def demo_bsns():
    """Test BSNs 999900006..999999990 that pass the elfproef, in order; then, for a demo at scale,
    999800001 and up (the test range holds only about 9,000 numbers; these start with 999 as well,
    so they are just as obviously not real people)."""
    for start in (999_900_000, 999_800_000):
        for number in range(start, start + 100_000):
            if passes_elfproef(str(number)):
                yield str(number)


def load(regions: RegionRegistry, today: date | None = None, clients: int | None = None) -> bool:
    """Load the demo data once; return False when it was already there.

    ``clients``: make that many clients in all (a demo at scale, see the module docstring).
    """
    if db.session.scalar(select(User).where(User.email.in_(DEMO_USERS))):
        return False
    if clients is not None and not 0 < clients <= MAX_CLIENTS:
        raise ValueError(f"clients must be 1..{MAX_CLIENTS}")
    today = today or date.today()
    providers = [create_organisation(regions, AANBIEDER_KIND, code, name)
                 for code, name in DEMO_PROVIDERS]
    gemeenten = [create_organisation(regions, GEMEENTE_KIND, m.code, m.name, region.code)
                 for region in regions.regions() for m in region.municipalities]
    db.session.flush()
    bsns = demo_bsns()
    _toewijzingen(regions, providers, gemeenten, today, bsns, every_gemeente=clients is not None)
    if clients is not None:
        _copies(providers, clients, bsns)
        refresh_all(db.session)  # the copies are bulk inserts, which no listener sees
    users_org = {AANBIEDER: providers[0], GEMEENTE: gemeenten[0] if gemeenten else None,
                 BEHEER: None}
    for email, (name, role) in DEMO_USERS.items():
        if role == GEMEENTE and users_org[GEMEENTE] is None:
            continue
        # The demo password is short on purpose; the password rule applies to real accounts.
        create_user(email, name, role, DEMO_PASSWORD, users_org[role], check_password=False)
    db.session.commit()
    if clients is not None and db.engine.dialect.name == "postgresql":
        # Thousands of rows just bulk-loaded: give the planner their statistics now, as
        # autovacuum would a minute later (until then it plans for empty tables).
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return True


def _toewijzingen(regions: RegionRegistry, providers: list[Organisation],
                  gemeenten: list[Organisation], today: date, bsns,
                  every_gemeente: bool = False) -> None:
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
        chosen = [region_gemeenten[0 if index < 2 else index % len(region_gemeenten)]
                  for index in range(CLIENTS_PER_REGION)]
        if every_gemeente:
            # A demo at scale copies these clients per gemeente: each gemeente needs one.
            chosen += [g for g in region_gemeenten if g not in chosen]
        for index, gemeente in enumerate(chosen):
            # The first gemeente of each region gets two clients, so its demo user sees a list.
            person = (next(bsns), *next(names), date(1950 + 7 * index, 1 + (index + 2) % 12, 14))
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


def _copies(providers: list[Organisation], total: int, bsns) -> None:
    """Copy the clients made so far, with their toewijzingen, until there are ``total`` clients."""
    profiles = list(db.session.scalars(
        select(Client).options(selectinload(Client.toewijzingen)).order_by(Client.id)))
    profiles = [client for client in profiles if client.toewijzingen]
    wanted = total - len(profiles)
    if wanted <= 0 or not profiles:
        return
    swap = {providers[0].id: providers[1].id, providers[1].id: providers[0].id}
    numbers = count(BULK_NUMBER_START)
    for first in range(0, wanted, BULK_BATCH):
        batch = range(first, min(first + BULK_BATCH, wanted))
        client_rows, sources = [], []
        for copy in batch:
            profile = profiles[copy % len(profiles)]
            voorletters, voorvoegsel, achternaam = DEMO_NAMES[copy % len(DEMO_NAMES)]
            client_rows.append({
                "bsn": next(bsns), "voorletters": voorletters, "voorvoegsel": voorvoegsel,
                "achternaam": f"{achternaam}-{copy // len(DEMO_NAMES) + 1}",
                "geboortedatum": date(1940 + copy % 60, 1 + copy % 12, 1 + copy % 28),
                "gemeente_id": profile.gemeente_id})
            sources.append((profile, (copy // len(profiles)) % 2 == 1))
        db.session.execute(insert(Client), client_rows)
        ids = dict(db.session.execute(select(Client.bsn, Client.id).where(
            Client.bsn.in_([row["bsn"] for row in client_rows]))).all())
        toewijzing_rows = []
        for row, (profile, swapped) in zip(client_rows, sources):
            for model in profile.toewijzingen:
                aanbieder_id = swap.get(model.aanbieder_id, model.aanbieder_id) if swapped \
                    else model.aanbieder_id
                toewijzing_rows.append({
                    "toewijzing_nummer": next(numbers), "client_id": ids[row["bsn"]],
                    "aanbieder_id": aanbieder_id, "gemeente_id": model.gemeente_id,
                    "product_category": model.product_category,
                    "product_code": model.product_code, "product_key": model.product_key,
                    "volume": model.volume, "eenheid": model.eenheid,
                    "frequentie": model.frequentie, "ingangsdatum": model.ingangsdatum,
                    "einddatum": model.einddatum, "status": model.status,
                    "attributes": dict(model.attributes or {}),
                    "warnings": list(model.warnings or [])})
        db.session.execute(insert(Toewijzing), toewijzing_rows)


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

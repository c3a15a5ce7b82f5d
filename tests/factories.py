"""Builds the people and data tests act on, through the portal's own services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.accounts.services import create_organisation, create_user
from portal.extensions import db
from portal.regions import registry
from portal.toewijzingen.services import ToewijzingInput, create_toewijzing

PASSWORD = "correct-horse-9"
# Test BSNs from the 9999xxxxx range that pass the elfproef.
BSN_A = "999900006"
BSN_B = "999900018"


@dataclass(frozen=True)
class World:
    """Database ids of what build_world made (objects would outlive their session)."""

    provider_a: int
    provider_b: int
    apeldoorn: int
    geldrop: int
    client_a: int
    client_b: int
    toewijzing_a: int
    toewijzing_b: int
    users: dict[str, int]


def toewijzing_input(gemeente, aanbieder, bsn, product_key, nummer, **changes) -> ToewijzingInput:
    values = dict(
        gemeente=gemeente, aanbieder=aanbieder, bsn=bsn, voorletters="J", voorvoegsel="de",
        achternaam="Vries", geboortedatum=date(1960, 5, 1), toewijzing_nummer=nummer,
        product_key=product_key, volume=40, eenheid="", frequentie="6",
        ingangsdatum=date(2026, 1, 1), einddatum=date(2026, 12, 31),
    )
    values.update(changes)
    return ToewijzingInput(**values)


def build_world() -> World:
    regions = registry()
    provider_a = create_organisation(regions, "aanbieder", "11111111", "Aanbieder A")
    provider_b = create_organisation(regions, "aanbieder", "22222222", "Aanbieder B")
    apeldoorn = create_organisation(regions, "gemeente", "0200", None, "midden_ijssel")
    geldrop = create_organisation(regions, "gemeente", "1771", None, "geldrop_mierlo")
    db.session.flush()
    toewijzing_a, _ = create_toewijzing(regions, toewijzing_input(
        apeldoorn, provider_a, BSN_A, "02A16", 1001))
    toewijzing_b, _ = create_toewijzing(regions, toewijzing_input(
        geldrop, provider_b, BSN_B, "02B01", 2001, achternaam="Jansen", voorvoegsel=""))
    users = {
        "aanbieder_a": create_user("a@aanbieder.test", "Ann A", "aanbieder", PASSWORD, provider_a),
        "aanbieder_b": create_user("b@aanbieder.test", "Bob B", "aanbieder", PASSWORD, provider_b),
        "gemeente_apeldoorn": create_user("apeldoorn@gemeente.test", "Gea", "gemeente", PASSWORD,
                                          apeldoorn),
        "gemeente_geldrop": create_user("geldrop@gemeente.test", "Gijs", "gemeente", PASSWORD,
                                        geldrop),
        "beheer": create_user("beheer@portal.test", "Bea", "beheer", PASSWORD, None),
    }
    db.session.commit()
    return World(provider_a.id, provider_b.id, apeldoorn.id, geldrop.id, toewijzing_a.client_id,
                 toewijzing_b.client_id, toewijzing_a.id, toewijzing_b.id,
                 {name: user.id for name, user in users.items()})


def build_fantasia_beheer() -> tuple[int, int]:
    """For an app serving only the made-up region "fantasia" (tests/test_plugins.py): its gemeente,
    one aanbieder and a beheer user beheer@fantasia.test. Returns (gemeente id, aanbieder id)."""
    regions = registry()
    gemeente = create_organisation(regions, "gemeente", "9901", None, "fantasia")
    aanbieder = create_organisation(regions, "aanbieder", "33333333", "Feeënzorg")
    create_user("beheer@fantasia.test", "Fee Beheer", "beheer", PASSWORD, None)
    db.session.commit()
    return gemeente.id, aanbieder.id


def toewijzing_form_data(aanbieder_id: int, **changes) -> dict:
    """The beheer toewijzing form filled in correctly for a new client of a midden_ijssel gemeente;
    ``changes`` override single fields."""
    values = dict(
        bsn="999900031", voorletters="K.L.", voorvoegsel="van", achternaam="Dam",
        geboortedatum="1958-02-03", aanbieder_id=str(aanbieder_id), toewijzing_nummer="1002",
        product_key="02A22", volume="20", eenheid="", frequentie="6",
        ingangsdatum="2026-01-01", einddatum="2026-06-30",
    )
    values.update(changes)
    return values

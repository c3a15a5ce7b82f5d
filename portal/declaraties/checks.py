"""The checks on a declaration line against what the portal holds: each a small named rule.

``Running`` is what counts while one file is checked: the debets granted before that were not
credited, per toewijzing and per client, grown by every line of the file that passes. So volume is
cumulative over all granted lines of a toewijzing plus the earlier lines of the same file, and a
credit that exactly reverses a granted debet gives its volume back.

Rules (codes and retourcodes in :mod:`portal.declaraties.codes`):

- TR341 the unit is the toewijzing's (hours may be declared in minutes);
- TR321 / TR322 the volume fits the toewijzing's omvang for the period / in total, in the
  toewijzing's unit (portal.declaraties.volumes), and the message says how much is over;
- TR418 ProductTarief and IngediendBedrag follow the region's tariff for product, unit, date and
  grondslag variant, computed by the one price function (portal.pricing); a product without a
  tariff is refused with "tarief niet vastgesteld", never priced with a guess;
- TR314 the ReferentieNummer was not used in an earlier declaration;
- TR389 a second debet for the same toewijzing, product and period only after the first was
  credited;
- TR323 / TR390 a credit names a granted debet of this aanbieder, exactly reverses it, and no debet
  is credited twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from portal.declaraties import codes
from portal.declaraties.ledger import Assigned, Booked, Ledger
from portal.declaraties.line_rules import DeclaredLine
from portal.declaraties.reading import Prestatie
from portal.declaraties.volumes import (
    TOTAL,
    amount_text,
    clip,
    overlaps,
    periods_in,
)
from portal.iwmo.codelists import unit_label
from portal.iwmo.findings import Finding
from portal.iwmo.values import euro
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Product
from portal.pricing import (
    EURO,
    HOUR,
    MINUTE,
    UNIT_FACTORS,
    Price,
    PriceError,
    Tariff,
    line_price,
    round_half_up_to_cents,
)
from portal.regions.catalogue import configuration, find_product, tariff_on


def declared(prestatie: Prestatie, product_key: str | None) -> DeclaredLine:
    values = prestatie.values  # read directly: once for every line that passes
    return DeclaredLine(values["reference"], values["toewijzing_nummer"], product_key,
                        values["product_category"], values["product_code"], values["start"],
                        values["end"], prestatie.volume, values["unit"])


def _booked_line(line: Booked) -> DeclaredLine:
    return DeclaredLine(line.reference, line.toewijzing_nummer, line.product_key, line.category,
                        line.code, line.begin, line.end, line.volume, line.unit)


@dataclass
class Running:
    """The lines that count, from the ledger and from the lines of this file that passed."""

    per_toewijzing: dict[int, list[DeclaredLine]] = field(default_factory=dict)
    per_client: dict[str, list[DeclaredLine]] = field(default_factory=dict)
    debets: dict[str, Booked] = field(default_factory=dict)  # this aanbieder's, by reference
    credited: set[str] = field(default_factory=set)  # its debets that were credited
    # This aanbieder's lines that count, by reference, and where they are counted: a credit may
    # release them. Three plain dicts rather than one of tuples: a tuple per line is one more
    # object the garbage collector follows for as long as the file is checked.
    _own: dict[str, DeclaredLine] = field(default_factory=dict)
    _own_toewijzing: dict[str, int | None] = field(default_factory=dict)
    _own_bsn: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(cls, ledger: Ledger, aanbieder_id: int) -> Running:
        running = cls()
        credited = {(line.aanbieder_id, line.previous_reference)
                    for line in ledger.booked if line.credit}
        running.credited = {reference for aanbieder, reference in credited
                            if aanbieder == aanbieder_id}
        for line in ledger.booked:
            if line.credit:
                continue
            if line.aanbieder_id == aanbieder_id:
                running.debets[line.reference] = line
            if (line.aanbieder_id, line.reference) in credited:
                continue
            running._count(line.toewijzing_id, line.bsn, _booked_line(line),
                           own=line.aanbieder_id == aanbieder_id)
        return running

    def _count(self, toewijzing_id: int | None, bsn: str, line: DeclaredLine, own: bool) -> None:
        if toewijzing_id is not None:
            self.per_toewijzing.setdefault(toewijzing_id, []).append(line)
        self.per_client.setdefault(bsn, []).append(line)
        if own:
            reference = line.reference
            self._own[reference] = line
            self._own_toewijzing[reference] = toewijzing_id
            self._own_bsn[reference] = bsn

    def count(self, toewijzing_id: int, prestatie: Prestatie, product_key: str | None) -> None:
        """A debet of this file that passed now counts."""
        self._count(toewijzing_id, prestatie.bsn, declared(prestatie, product_key), own=True)

    def release(self, reference: str) -> None:
        """A credit of this file that passed: the debet it reverses no longer counts."""
        self.credited.add(reference)
        line = self._own.pop(reference, None)
        if line is None:
            return
        toewijzing_id = self._own_toewijzing.pop(reference)
        bsn = self._own_bsn.pop(reference)
        for lines in (self.per_toewijzing.get(toewijzing_id, []), self.per_client.get(bsn, [])):
            if any(item is line for item in lines):
                lines[:] = [item for item in lines if item is not line]

    def of_toewijzing(self, toewijzing_id: int) -> list[DeclaredLine]:
        return self.per_toewijzing.get(toewijzing_id, [])

    def of_client(self, bsn: str) -> tuple[DeclaredLine, ...]:
        return tuple(self.per_client.get(bsn, ()))


# -- references ----------------------------------------------------------------------------------

def reference_new(prestatie: Prestatie, ledger: Ledger) -> list[Finding]:
    """TR314: a ReferentieNummer is used once per aanbieder, also across declarations."""
    earlier = ledger.references.get(prestatie.reference)
    if earlier is None:
        return []
    return [codes.REFERENCE_USED.finding(
        prestatie, f"ReferentieNummer {prestatie.reference} is al gebruikt in een eerdere "
                   f"declaratie ({earlier}); geef elke prestatie een nieuw ReferentieNummer, ook "
                   f"een prestatie die opnieuw wordt ingediend.")]


# -- a credit ------------------------------------------------------------------------------------

_COMPARED = (("ToewijzingNummer", "toewijzing_nummer", "toewijzing_nummer"),
             ("ProductCategorie", "category", "category"), ("ProductCode", "code", "code"),
             ("Begindatum", "begin", "begin"), ("Einddatum", "end", "end"),
             ("GeleverdVolume", "volume", "volume"), ("Eenheid", "unit", "unit"),
             ("Bedrag", "amount_cents", "amount_cents"), ("Bsn", "bsn", "bsn"))


def credit_reverses_debit(prestatie: Prestatie, running: Running) -> tuple[list[Finding],
                                                                             Booked | None]:
    """TR323 and TR390: the credit names a granted debet of this aanbieder at this gemeente, which
    was not credited before, and repeats it exactly. Returns the findings and that debet."""
    previous = prestatie.previous_reference
    debet = running.debets.get(previous) if previous is not None else None
    if debet is None:
        return [codes.CREDIT_WITHOUT_DEBIT.finding(
            prestatie, f"VorigReferentieNummer {previous} noemt geen toegekende debetprestatie "
                       f"van u bij deze gemeente; een credit draait alleen een eerder toegekende "
                       f"prestatie terug.")], None
    if previous in running.credited:
        return [codes.CREDITED_TWICE.finding(
            prestatie, f"De prestatie met ReferentieNummer {previous} is al gecrediteerd; een "
                       f"prestatie wordt maar één keer gecrediteerd.")], debet
    differences = [f"{label} {getattr(debet, theirs)} → {getattr(prestatie, ours)}"
                   for label, ours, theirs in _COMPARED
                   if getattr(prestatie, ours) != getattr(debet, theirs)]
    if differences:
        return [codes.CREDIT_WITHOUT_DEBIT.finding(
            prestatie, f"Deze creditregel wijkt af van de gecrediteerde prestatie {previous} "
                       f"({'; '.join(differences)}); een credit herhaalt de debetprestatie "
                       f"precies, met DebetCredit C.")], debet
    return [], debet


# -- a debet on its toewijzing -------------------------------------------------------------------

def unit_of_toewijzing(prestatie: Prestatie, toewijzing: Assigned) -> list[Finding]:
    """TR341: the toewijzing's unit; a toewijzing in hours may be declared in minutes."""
    if toewijzing.unit is None or prestatie.unit == toewijzing.unit or \
            (toewijzing.unit, prestatie.unit) == (HOUR, MINUTE):
        return []
    allowed = unit_label(toewijzing.unit) + (" of minuut" if toewijzing.unit == HOUR else "")
    return [codes.UNIT.finding(
        prestatie, f"Toewijzing {toewijzing.nummer} is toegewezen in eenheid {toewijzing.unit} "
                   f"({unit_label(toewijzing.unit)}); declareer in {allowed}, niet in "
                   f"{prestatie.unit} ({unit_label(prestatie.unit)}).")]


def volume_within_toewijzing(prestatie: Prestatie, toewijzing: Assigned,
                             running: Running) -> list[Finding]:
    """TR322 (frequentie totaal) and TR321 (per dag, week or maand), cumulative."""
    unit = prestatie.unit
    allowed_total = _in_unit(toewijzing.volume, toewijzing.unit, unit) \
        if toewijzing.volume is not None else None
    if allowed_total is None or prestatie.begin is None or prestatie.end is None:
        return []
    earlier = [(line, volume) for line in running.of_toewijzing(toewijzing.id)
               if line.volume is not None
               and (volume := _in_unit(line.volume, line.unit, unit)) is not None]
    if toewijzing.frequency == TOTAL:
        used = sum(volume for _line, volume in earlier)
        total = used + prestatie.volume
        if total <= allowed_total:
            return []
        return [codes.VOLUME_TOTAL.finding(
            prestatie, f"Toewijzing {toewijzing.nummer} heeft in totaal "
                       f"{amount_text(toewijzing.volume, toewijzing.unit)}"
                       f"{_also(allowed_total, toewijzing.unit, unit)}. Al toegekend of eerder in "
                       f"dit bestand: {amount_text(used, unit)}; met deze prestatie "
                       f"({amount_text(prestatie.volume, unit)}) wordt het "
                       f"{amount_text(total, unit)}: {amount_text(total - allowed_total, unit)} te "
                       f"veel.")]

    month = (prestatie.begin.year, prestatie.begin.month)
    same_month = [(line, volume) for line, volume in earlier
                  if line.start is not None and line.end is not None
                  and (line.start.year, line.start.month) == month]
    start = min([prestatie.begin] + [line.start for line, _volume in same_month])
    end = max([prestatie.end] + [line.end for line, _volume in same_month])
    span = clip(start, end, toewijzing.start, toewijzing.end)
    if span is None:
        return []
    counted = periods_in(toewijzing.frequency, toewijzing.category, toewijzing.unit, *span,
                         toewijzing.end)
    if counted is None:
        return []
    times, what = counted
    allowed = allowed_total * times
    used = sum(volume for _line, volume in same_month)
    total = used + prestatie.volume
    if total <= allowed:
        return []
    return [codes.VOLUME_PER_PERIOD.finding(
        prestatie, f"Toewijzing {toewijzing.nummer} geeft "
                   f"{amount_text(toewijzing.volume, toewijzing.unit)} "
                   f"{_frequency(toewijzing.frequency)}; van {span[0]} t/m {span[1]} is dat "
                   f"{times} {what} × {amount_text(allowed_total, unit)} = "
                   f"{amount_text(allowed, unit)}. Al toegekend of eerder in dit bestand in die "
                   f"maand: {amount_text(used, unit)}; met deze prestatie "
                   f"({amount_text(prestatie.volume, unit)}) wordt het {amount_text(total, unit)}: "
                   f"{amount_text(total - allowed, unit)} te veel.")]


def _in_unit(volume: int, unit: str | None, to_unit: str | None) -> int | Fraction | None:
    """portal.declaraties.volumes.convert, kept an int where it is one (the same unit, hours to
    minutes): it runs for every earlier line of the toewijzing on every line, and exact Fraction
    arithmetic on whole numbers only costs time. None when the units do not convert."""
    if unit is None or to_unit is None:
        return None
    if unit == to_unit:
        return volume
    factor = UNIT_FACTORS.get((unit, to_unit))
    if factor is None:
        return None
    return volume * factor.numerator if factor.denominator == 1 else volume * factor


def _also(volume: Fraction, toewijzing_unit: str | None, unit: str) -> str:
    return "" if toewijzing_unit == unit else f" ({amount_text(volume, unit)})"


def _frequency(code: str | None) -> str:
    return {"1": "per dag", "2": "per week", "4": "per maand"}.get(code or "", "")


def debit_once(prestatie: Prestatie, toewijzing: Assigned, running: Running) -> list[Finding]:
    """TR389: no second debet for the same toewijzing, product and (overlapping) period while the
    first still counts."""
    if prestatie.begin is None or prestatie.end is None:
        return []
    for line in running.of_toewijzing(toewijzing.id):
        if (line.product_category, line.product_code) == (prestatie.category, prestatie.code) \
                and overlaps(prestatie.begin, prestatie.end, line.start, line.end):
            return [codes.DEBIT_AGAIN.finding(
                prestatie, f"Voor toewijzing {toewijzing.nummer}, product {prestatie.product} is "
                           f"de periode {line.start} t/m {line.end} al gedeclareerd (prestatie "
                           f"{line.reference}). Crediteer die prestatie eerst, of declareer "
                           f"alleen de rest van de periode.")]
    return []


class Pricing:
    """The region's tariffs, loaded once per file (portal.regions.catalogue), and what each line
    needs of them worked out once per file: a product by code, its tariff per day and variant
    (tariff_on reads the configuration and builds the tariff anew on every call), and the price of
    a volume at that tariff. A file of a hundred thousand lines has a handful of products and
    days, and its volumes repeat."""

    def __init__(self, registry: RegionRegistry, region: str | None):
        self.registry, self.region = registry, region
        self.config = configuration(region) if region else None
        self._products: dict[str, Product | None] = {}
        self._variant_keys: dict[str, frozenset[str]] = {}
        self._tariffs: dict[tuple[str, date, str | None], Tariff | None] = {}
        self._prices: dict[tuple[str, date, str | None, int, str], Price | PriceError] = {}
        self._per_unit: dict[tuple[str, date, str | None, str], tuple[int, frozenset[int]]] = {}

    def product(self, code: str) -> Product | None:
        if code not in self._products:
            self._products[code] = find_product(self.registry, self.region, code, self.config)
        return self._products[code]

    def variant_keys(self, product: Product) -> frozenset[str]:
        keys = self._variant_keys.get(product.key)
        if keys is None:
            keys = self._variant_keys[product.key] = frozenset(
                variant.key for variant in product.variants)
        return keys

    def tariff(self, product: Product, day: date, variant: str | None) -> Tariff | None:
        """The tariff on ``day``, None when there is none (a PriceError counts as none)."""
        key = (product.key, day, variant)
        if key not in self._tariffs:
            try:
                tariff = tariff_on(self.registry, self.region, product, day, variant, self.config)
            except PriceError:
                tariff = None
            self._tariffs[key] = tariff
        return self._tariffs[key]

    def price(self, product: Product, day: date, variant: str | None, tariff: Tariff,
              volume: int, unit: str) -> Price | PriceError:
        """line_price of ``volume`` at ``tariff`` (the tariff of product, day and variant), or
        the PriceError that says why there is none."""
        key = (product.key, day, variant, volume, unit)
        price = self._prices.get(key)
        if price is None:
            try:
                price = line_price(tariff, volume, unit)
            except PriceError as error:
                price = error
            self._prices[key] = price
        return price

    def per_unit(self, product: Product, day: date, variant: str | None, tariff: Tariff,
                 unit: str) -> tuple[int, frozenset[int]]:
        """The ProductTarief expected per declared ``unit`` (cents), and the ones accepted.

        A tariff per hour declared in minutes: the standard's ProductTarief is the hourly tariff
        / 60; the hourly tariff itself is accepted too, as TR346 does
        (portal/iwmo/rules/declaratie.py). Only for a unit line_price could price in."""
        key = (product.key, day, variant, unit)
        known = self._per_unit.get(key)
        if known is None:
            factor = Fraction(1) if unit == tariff.unit else UNIT_FACTORS[(unit, tariff.unit)]
            expected = round_half_up_to_cents(tariff.amount * factor)
            known = self._per_unit[key] = (expected, frozenset(
                {expected, round_half_up_to_cents(tariff.amount)}))
        return known


def _variant(product: Product, attributes: dict, pricing: Pricing) -> str | None:
    """The grondslag (or other) variant the toewijzing's own fields name, if the product has one."""
    keys = pricing.variant_keys(product)
    if not keys:
        return None
    return next((str(value) for value in attributes.values() if str(value) in keys), None)


def priced_by_region(prestatie: Prestatie, toewijzing: Assigned, pricing: Pricing,
                     amount_refused: bool = False) -> list[Finding]:
    """TR418: ProductTarief and IngediendBedrag as the region's tariff makes them.

    ``amount_refused``: the validation already refuses the amount as not GeleverdVolume ×
    ProductTarief (TR346); it is then not reported a second time here.
    """
    if pricing.region is None or prestatie.unit == EURO or prestatie.begin is None:
        return []
    product = pricing.product(prestatie.code)
    if product is None:  # not in the region's list: TR381 (retourcode S329) refuses the line
        return []
    variant = _variant(product, toewijzing.attributes, pricing)
    day = prestatie.begin

    def named() -> str:
        return f"{product.name} ({prestatie.code}{', ' + variant if variant else ''})"

    tariff = pricing.tariff(product, day, variant)
    if tariff is None:
        return [codes.TARIFF.finding(
            prestatie, f"Tarief niet vastgesteld voor {named()} op {prestatie.begin}: de "
                       f"productbeschrijving van de regio noemt geen tarief en beheer heeft er "
                       f"nog geen ingesteld. De prestatie wordt niet met een geschat tarief "
                       f"berekend; dien haar opnieuw in als het tarief is vastgesteld.")]
    price = pricing.price(product, day, variant, tariff, prestatie.volume, prestatie.unit)
    if isinstance(price, PriceError):
        return [codes.AMOUNT.finding(prestatie, f"Het bedrag van {named()} kan niet worden "
                                                f"berekend: {price}")]
    expected, accepted = pricing.per_unit(product, day, variant, tariff, prestatie.unit)
    tariff_wrong = prestatie.tariff_cents is not None and prestatie.tariff_cents not in accepted
    amount_wrong = prestatie.amount_cents != price.amount_cents and not amount_refused
    if not tariff_wrong and not amount_wrong:
        return []
    findings = []
    tariff_text = tariff.display().replace(".", ",")
    per = f"€ {tariff_text} per {unit_label(tariff.unit)} ({tariff.source})"
    if tariff_wrong:
        findings.append(codes.TARIFF.finding(
            prestatie, f"ProductTarief {prestatie.tariff_cents} cent wijkt af van het tarief van "
                       f"de regio voor {named()}: {per}, dus {expected} cent per "
                       f"{unit_label(prestatie.unit)}."))
    if amount_wrong:
        declared_volume = amount_text(prestatie.volume, prestatie.unit)
        findings.append(codes.AMOUNT.finding(
            prestatie, f"IngediendBedrag {euro(prestatie.amount_cents)} wijkt af van het bedrag "
                       f"volgens het tarief van de regio: {declared_volume} à {per} = "
                       f"{euro(price.amount_cents)} (één keer per prestatie half naar boven "
                       f"afgerond)."))
    return findings

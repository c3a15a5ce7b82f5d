"""Declaration lines on screen: what became of each Prestatie, and what is left of a toewijzing.

- ``/declaraties/``: an aanbieder's (beheer: every) answered declarations; a gemeente goes to its
  month overview;
- ``/declaraties/bericht/<upload>``: the outcome per line of one declaration, filterable by BSN,
  product and outcome (GET parameters ``bsn``, ``product``, ``uitkomst``), with totals;
- ``/declaraties/toewijzingen`` and ``/declaraties/toewijzingen/<id>``: per toewijzing how much the
  granted lines used (credits subtracted, converted to the toewijzing's unit) and how much is left;
- ``/declaraties/maand?maand=JJJJ-MM``: for a gemeente reviewer, the lines addressed to its
  gemeente in a month (default: the latest month with lines): totals per aanbieder and product,
  the refused lines with their reasons, and the warnings on granted lines;
- ``/declaraties/maand/export.csv?maand=JJJJ-MM``: that month as CSV (portal.declaraties.export).

Who sees which lines: an aanbieder its own, a gemeente those addressed to it, beheer all (the
pages for one declaration or toewijzing answer 404 for another tenant's). Every page loads its
lines in one query, joined with their toewijzing and client, so the number of queries does not
grow with the number of lines. A parameter the page does not know gets a Dutch message, never an
error page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased, joinedload

from portal.accounts.models import Organisation
from portal.accounts.roles import AANBIEDER, BEHEER, GEMEENTE
from portal.audit.recorder import record
from portal.auth.policy import any_role, roles, visible_toewijzingen
from portal.berichten.models import Upload
from portal.berichten.routes import visible_uploads
from portal.clients.models import Client
from portal.declaraties.export import month_csv, month_filename
from portal.declaraties.models import GRANTED, OUTCOMES, DeclarationLine
from portal.declaraties.volumes import (
    PER_DAY,
    PER_MONTH,
    PER_WEEK,
    TOTAL,
    amount_text,
    clip,
    convert,
    days,
    iso_weeks,
    periods_in,
)
from portal.extensions import db
from portal.identifiers import bsn_problem
from portal.regions import registry
from portal.regions.catalogue import Configuration, configuration, find_product
from portal.toewijzingen.models import Toewijzing

bp = Blueprint("declaraties", __name__, url_prefix="/declaraties", template_folder="templates")

LIST_LIMIT = 200
# A table shows at most this many lines (a file may hold thousands); totals count every line.
LINES_SHOWN = 1000
MONTH_NAMES = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_PRODUCT_CODE = re.compile(r"[0-9A-Z]{1,5}")


# -- which lines a user may see ------------------------------------------------------------------

def visible_lines(user) -> Select:
    """Lines with their toewijzing and client (None when no toewijzing matched), one query."""
    query = (select(DeclarationLine, Toewijzing, Client)
             .outerjoin(Toewijzing, DeclarationLine.toewijzing_id == Toewijzing.id)
             .outerjoin(Client, Toewijzing.client_id == Client.id))
    if user.role == BEHEER:
        return query
    if user.role == AANBIEDER:
        return query.where(DeclarationLine.aanbieder_id == user.organisation_id)
    if user.role == GEMEENTE:
        return query.where(DeclarationLine.gemeente_id == user.organisation_id)
    return query.where(False)


@dataclass(frozen=True)
class Shown:
    """A line as the pages show it."""

    line: DeclarationLine
    toewijzing: Toewijzing | None
    client: Client | None
    product: str  # the catalogue name, or "" when the catalogue does not know the code

    @property
    def errors(self) -> list[dict]:
        return [f for f in self.line.findings or [] if f.get("severity") == "error"]

    @property
    def warnings(self) -> list[dict]:
        return [f for f in self.line.findings or [] if f.get("severity") != "error"]

    @property
    def outcome_label(self) -> str:
        label = OUTCOMES.get(self.line.outcome, self.line.outcome)
        if self.line.granted and self.warnings:
            return f"{label}, met waarschuwing"
        return label


class ProductNames:
    """The catalogue name of a declared product: through the line's toewijzing when it has one
    (no query), else by the code in the gemeente's region (beheer's codes loaded once)."""

    def __init__(self) -> None:
        self._configurations: dict[str, Configuration] = {}

    def __call__(self, region: str | None, code: str, toewijzing: Toewijzing | None) -> str:
        if not region:
            return ""
        regions = registry()
        if toewijzing is not None and toewijzing.product_key:
            product = regions.product(region, toewijzing.product_key)
            if product is not None and (product.code in (None, code)):
                return product.name
        if region not in self._configurations:
            self._configurations[region] = configuration(region)
        product = find_product(regions, region, code, self._configurations[region])
        return product.name if product is not None else ""


def _shown(rows: Iterable, region_of: Mapping[int, str | None]) -> list[Shown]:
    names = ProductNames()
    return [Shown(line, toewijzing, client,
                  names(region_of.get(line.gemeente_id), line.code, toewijzing))
            for line, toewijzing, client in rows]


@dataclass
class Totals:
    """Signed sums in cents (a credit counts negative) and the number of lines."""

    lines: int = 0
    refused_lines: int = 0
    submitted: int = 0
    granted: int = 0
    refused: int = 0

    def add(self, line: DeclarationLine) -> None:
        self.lines += 1
        self.submitted += line.signed_cents
        if line.granted:
            self.granted += line.signed_cents
        else:
            self.refused_lines += 1
            self.refused += line.signed_cents

    @classmethod
    def of(cls, lines: Iterable[DeclarationLine]) -> Totals:
        totals = cls()
        for line in lines:
            totals.add(line)
        return totals


# -- the start page ------------------------------------------------------------------------------

@bp.route("/")
@any_role
def index():
    if current_user.role == GEMEENTE:
        return redirect(url_for("declaraties.month"))
    query = visible_uploads(current_user).where(Upload.message_type == "WMO323",
                                                Upload.line_count.is_not(None))
    if current_user.role == AANBIEDER:
        query = query.where(Upload.organisation_id == current_user.organisation_id)
    uploads = db.session.scalars(query.options(joinedload(Upload.receiver))
                                 .order_by(Upload.uploaded_at.desc(), Upload.id.desc())
                                 .limit(LIST_LIMIT)).all()
    return render_template("declaraties/index.html", uploads=uploads, limit=LIST_LIMIT)


# -- one declaration, line by line ---------------------------------------------------------------

@dataclass
class LineFilter:
    """The GET parameters of the per-declaration page; ``problems`` holds Dutch messages for the
    values that were ignored."""

    bsn: str = ""
    product: str = ""
    outcome: str = ""
    problems: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, args: Mapping[str, str], products: Iterable[str]) -> LineFilter:
        chosen = cls()
        bsn = args.get("bsn", "").strip()
        if bsn:
            problem = bsn_problem(bsn)
            if problem is None:
                chosen.bsn = bsn
            else:
                chosen.problems.append(f"Filter op BSN '{bsn}' niet toegepast: {problem}")
        product = args.get("product", "").strip().upper()
        if product:
            known = sorted(set(products))
            if _PRODUCT_CODE.fullmatch(product) and product in known:
                chosen.product = product
            else:
                chosen.problems.append(
                    f"Filter op product '{args['product'].strip()[:20]}' niet toegepast: dat "
                    f"product komt in deze declaratie niet voor. Kies een van: "
                    f"{', '.join(known) or 'geen'}.")
        outcome = args.get("uitkomst", "").strip().lower()
        if outcome:
            if outcome in OUTCOMES:
                chosen.outcome = outcome
            else:
                chosen.problems.append(
                    f"Filter op uitkomst '{args['uitkomst'].strip()[:20]}' niet toegepast: kies "
                    f"'toegekend' of 'afgewezen'.")
        return chosen

    @property
    def active(self) -> bool:
        return bool(self.bsn or self.product or self.outcome)

    def keeps(self, line: DeclarationLine) -> bool:
        return ((not self.bsn or line.client_bsn == self.bsn)
                and (not self.product or line.code == self.product)
                and (not self.outcome or line.outcome == self.outcome))


@bp.route("/bericht/<int:upload_id>")
@any_role
def upload_lines(upload_id: int):
    query = visible_uploads(current_user).where(Upload.id == upload_id,
                                                Upload.message_type == "WMO323")
    if current_user.role == AANBIEDER:  # its own declarations, not messages addressed to it
        query = query.where(Upload.organisation_id == current_user.organisation_id)
    upload = db.session.scalar(query.options(joinedload(Upload.receiver)))
    if upload is None:
        abort(404)
    rows = db.session.execute(visible_lines(current_user)
                              .where(DeclarationLine.upload_id == upload.id)
                              .order_by(DeclarationLine.client_number,
                                        DeclarationLine.prestatie_number)).all()
    region = upload.receiver.region_code if upload.receiver is not None else None
    lines = _shown(rows, {upload.receiver_id: region} if upload.receiver_id else {})
    products = {shown.line.code: shown.product for shown in lines}
    chosen = LineFilter.parse(request.args, products)
    selected = [shown for shown in lines if chosen.keeps(shown.line)]
    return render_template(
        "declaraties/upload.html", upload=upload, lines=selected, chosen=chosen,
        products=sorted(products.items()), all_totals=Totals.of(s.line for s in lines),
        totals=Totals.of(s.line for s in selected), stored=bool(lines),
        outcomes=OUTCOMES, shown_limit=LINES_SHOWN), 400 if chosen.problems else 200


# -- per toewijzing: used and left ---------------------------------------------------------------

@dataclass(frozen=True)
class MonthUse:
    month: date
    used: Fraction | None  # in the toewijzing's unit
    allowed: Fraction | None  # what TR321 allows in that month (per dag/week/maand only)

    @property
    def left(self) -> Fraction | None:
        if self.used is None or self.allowed is None:
            return None
        return self.allowed - self.used


@dataclass(frozen=True)
class Usage:
    """How much of a toewijzing the granted lines used and how much is left, in its unit.

    Used: every granted debet minus every granted credit (a credit gives its debet's volume
    back), converted to the toewijzing's unit (minutes ↔ hours; dagdelen, etmalen and stuks only in
    their own unit, portal.declaraties.volumes). Assigned: the volume for frequentie "totaal";
    for per dag, week or maand the volume times the days, calendar (ISO) weeks or months of the
    toewijzing's period, known only when it has an end date. Per month with granted lines: what
    was used, and for per dag, week or maand what TR321 allows in that month.
    """

    toewijzing: Toewijzing
    used: Fraction | None
    assigned: Fraction | None
    unconverted: int  # granted lines in a unit that does not convert to the toewijzing's
    months: list[MonthUse]

    @property
    def unit(self) -> str | None:
        return self.toewijzing.eenheid

    @property
    def left(self) -> Fraction | None:
        if self.used is None or self.assigned is None:
            return None
        return self.assigned - self.used

    def text(self, volume: Fraction | None) -> str:
        return "—" if volume is None else amount_text(volume, self.unit)


def _month_of(line) -> date:
    return line.begin.replace(day=1) if line.begin is not None else line.month


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _allowed_in(toewijzing: Toewijzing, month: date) -> Fraction | None:
    """What TR321 allows in ``month`` for a toewijzing per dag, week or maand (else None)."""
    if toewijzing.volume is None or toewijzing.frequentie in (None, TOTAL):
        return None
    span = clip(month, _month_end(month), toewijzing.ingangsdatum, toewijzing.einddatum)
    if span is None:
        return Fraction(0)
    counted = periods_in(toewijzing.frequentie, toewijzing.product_category,
                         toewijzing.eenheid, *span, toewijzing.einddatum)
    return None if counted is None else Fraction(toewijzing.volume) * counted[0]


def _assigned(toewijzing: Toewijzing) -> Fraction | None:
    """The volume of the toewijzing's whole period (see Usage), or None when it has none."""
    volume, start, end = toewijzing.volume, toewijzing.ingangsdatum, toewijzing.einddatum
    if volume is None:
        return None
    if toewijzing.frequentie == TOTAL:
        return Fraction(volume)
    if end is None:
        return None
    times = {PER_DAY: lambda: days(start, end), PER_WEEK: lambda: len(iso_weeks(start, end)),
             PER_MONTH: lambda: (end.year - start.year) * 12 + end.month - start.month + 1}
    count = times.get(toewijzing.frequentie)
    return None if count is None else Fraction(volume) * count()


def usage_of(toewijzing: Toewijzing, lines: Iterable) -> Usage:
    """``lines``: the toewijzing's lines (anything with outcome, debit_credit, volume, unit, begin
    and month); only granted ones count."""
    unit = toewijzing.eenheid
    used: Fraction | None = Fraction(0) if unit else None
    unconverted = 0
    per_month: dict[date, Fraction] = {}
    for line in lines:
        if line.outcome != GRANTED:
            continue
        volume = convert(line.volume, line.unit, unit)
        if volume is None:
            unconverted += 1
            continue
        signed = -volume if line.debit_credit == "C" else volume
        used += signed
        month = _month_of(line)
        per_month[month] = per_month.get(month, Fraction(0)) + signed
    months = [MonthUse(month, per_month[month], _allowed_in(toewijzing, month))
              for month in sorted(per_month)]
    return Usage(toewijzing, used, _assigned(toewijzing), unconverted, months)


def _toewijzing_product(toewijzing: Toewijzing) -> str:
    product = registry().product(toewijzing.gemeente.region_code or "",
                                 toewijzing.product_key or "")
    if product is not None:
        return product.name
    return toewijzing.product_code or toewijzing.product_key or toewijzing.product_category


_WITH_PARTIES = (joinedload(Toewijzing.client), joinedload(Toewijzing.gemeente),
                 joinedload(Toewijzing.aanbieder))


@bp.route("/toewijzingen")
@any_role
def toewijzingen():
    listed = db.session.scalars(visible_toewijzingen(current_user).options(*_WITH_PARTIES)
                                .order_by(Toewijzing.ingangsdatum.desc(), Toewijzing.id.desc())
                                .limit(LIST_LIMIT)).all()
    per_toewijzing: dict[int, list] = {t.id: [] for t in listed}
    if listed:
        line = DeclarationLine
        for row in db.session.execute(
                select(line.toewijzing_id, line.outcome, line.debit_credit, line.volume,
                       line.unit, line.begin, line.month)
                .where(line.toewijzing_id.in_(list(per_toewijzing)), line.outcome == GRANTED)):
            per_toewijzing[row.toewijzing_id].append(row)
    usages = [usage_of(t, per_toewijzing[t.id]) for t in listed]
    return render_template("declaraties/toewijzingen.html", usages=usages,
                           product_name=_toewijzing_product, limit=LIST_LIMIT)


@bp.route("/toewijzingen/<int:toewijzing_id>")
@any_role
def toewijzing(toewijzing_id: int):
    found = db.session.scalar(visible_toewijzingen(current_user)
                              .where(Toewijzing.id == toewijzing_id).options(*_WITH_PARTIES))
    if found is None:
        abort(404)
    upload = aliased(Upload)
    rows = db.session.execute(
        visible_lines(current_user).add_columns(upload.filename, upload.declaratie_nummer)
        .join(upload, DeclarationLine.upload_id == upload.id)
        .where(DeclarationLine.toewijzing_id == found.id)
        .order_by(DeclarationLine.begin, DeclarationLine.id)).all()
    region = found.gemeente.region_code
    shown = _shown(((line, t, c) for line, t, c, *_ in rows), {found.gemeente_id: region})
    declarations = {row[0].id: (row[3], row[4]) for row in rows}
    return render_template("declaraties/toewijzing.html", toewijzing=found,
                           usage=usage_of(found, [s.line for s in shown]), lines=shown,
                           declarations=declarations, product=_toewijzing_product(found),
                           totals=Totals.of(s.line for s in shown), month_label=month_label,
                           shown_limit=LINES_SHOWN)


# -- the gemeente's month ------------------------------------------------------------------------

def month_label(month: date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def _parse_month(text: str) -> date | None:
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def _chosen_month(gemeente_id: int) -> tuple[date | None, list[date], str | None]:
    """The month asked for (``maand=JJJJ-MM``) or the latest with lines; the months with lines,
    newest first; a Dutch message when the parameter was not a month (the default is used)."""
    months = list(db.session.scalars(select(DeclarationLine.month).distinct()
                                     .where(DeclarationLine.gemeente_id == gemeente_id)
                                     .order_by(DeclarationLine.month.desc())))
    default = months[0] if months else None
    text = request.args.get("maand", "").strip()
    if not text:
        return default, months, None
    month = _parse_month(text)
    if month is None:
        shown = month_label(default) if default else "geen maand"
        return default, months, (f"'{text[:20]}' is geen maand; schrijf de maand als JJJJ-MM, "
                                 f"bijvoorbeeld 2026-10. Getoond: {shown}.")
    return month, months, None


def _month_rows(gemeente_id: int, month: date) -> list:
    """(line, toewijzing, client, aanbieder) of the gemeente's lines in ``month``, one query."""
    aanbieder = aliased(Organisation)
    return db.session.execute(
        visible_lines(current_user).add_columns(aanbieder)
        .join(aanbieder, DeclarationLine.aanbieder_id == aanbieder.id)
        .where(DeclarationLine.gemeente_id == gemeente_id, DeclarationLine.month == month)
        .order_by(aanbieder.name, DeclarationLine.upload_id, DeclarationLine.client_number,
                  DeclarationLine.prestatie_number)).all()


@dataclass
class Group:
    aanbieder: Organisation
    code: str
    product: str
    totals: Totals = field(default_factory=Totals)


@bp.route("/maand")
@roles(GEMEENTE)
def month():
    gemeente = current_user.organisation
    chosen, months, problem = _chosen_month(gemeente.id)
    rows = _month_rows(gemeente.id, chosen) if chosen is not None else []
    shown = _shown(((line, t, c) for line, t, c, _a in rows), {gemeente.id: gemeente.region_code})
    aanbieders = [row[3] for row in rows]
    groups: dict[tuple[int, str], Group] = {}
    refused, warned = [], []
    for item, aanbieder in zip(shown, aanbieders):
        key = (aanbieder.id, item.line.code)
        if key not in groups:
            groups[key] = Group(aanbieder, item.line.code, item.product)
        groups[key].totals.add(item.line)
        if not item.line.granted:
            refused.append((item, aanbieder))
        elif item.warnings:
            warned.append((item, aanbieder))
    ordered = sorted(groups.values(), key=lambda g: (g.aanbieder.name, g.aanbieder.code, g.code))
    return render_template(
        "declaraties/month.html", gemeente=gemeente, month=chosen, months=months,
        month_label=month_label, problem=problem, groups=ordered, refused=refused, warned=warned,
        totals=Totals.of(item.line for item in shown), shown_limit=LINES_SHOWN), \
        400 if problem else 200


@bp.route("/maand/export.csv")
@roles(GEMEENTE)
def export():
    gemeente = current_user.organisation
    chosen, _months, problem = _chosen_month(gemeente.id)
    if problem is not None:
        return render_template("error.html", title="Ongeldige maand", message=problem), 400
    if chosen is None:
        return render_template("error.html", title="Niets te exporteren",
                               message="Er zijn nog geen declaratieregels voor uw gemeente."), 404
    rows = _month_rows(gemeente.id, chosen)
    # Written before the commit below, which expires the loaded lines (a query per line after).
    content = month_csv((line, aanbieder) for line, _t, _c, aanbieder in rows)
    filename = month_filename(gemeente.code, chosen)
    # The export takes BSNs out of the portal: who did so is recorded, as a client's page view is.
    record("export", "declaration_line", None,
           {"gemeente": gemeente.code, "maand": f"{chosen:%Y-%m}", "regels": len(rows)})
    db.session.commit()
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# The delivery registration's views live in their own module, on this blueprint.
from portal.declaraties import registration_routes  # noqa: E402,F401

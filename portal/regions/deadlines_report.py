"""`wmo-portal deadlines`: the dates a region prescribes for a toewijzing of a product.

  wmo-portal deadlines --region CODE --product CODE --start YYYY-MM-DD --end YYYY-MM-DD
                      [--besproken YYYY-MM-DD] [--json]
    {"deadlines": [{"kind": ..., "due": "YYYY-MM-DD", "rule": "<Dutch>", "source": "<seed>:<line>"}]}

Besides the region's deadlines, the terms of its plan and evaluation templates that count from
these dates (portal.plans.terms): the final evaluation a toewijzing requires by its einddatum,
and, with ``--besproken`` (the day the plan was discussed with the client), the start of support.

Reads the plugins' data only; no web stack, no database. Exit 1 with a Dutch message when the
region or product is unknown or the dates are wrong; 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date

from portal.config import region_settings
from portal.plugins.errors import RegionLoadError
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Deadline, ToewijzingFacts


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors in Dutch, exit 2
        self.print_usage(sys.stderr)
        print(f"fout: {message}", file=sys.stderr)
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="wmo-portal deadlines")
    parser.add_argument("--region", required=True)
    parser.add_argument("--product", required=True)
    parser.add_argument("--start", required=True, help="ingangsdatum (JJJJ-MM-DD)")
    parser.add_argument("--end", required=True, help="einddatum (JJJJ-MM-DD)")
    parser.add_argument("--besproken", help="datum waarop het plan met de cliënt is besproken "
                                            "(JJJJ-MM-DD)")
    parser.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)

    def fail(message: str) -> int:
        print(json.dumps({"error": message}, ensure_ascii=False) if args.json else f"fout: {message}",
              file=sys.stdout if args.json else sys.stderr)
        return 1

    try:
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
        discussed = date.fromisoformat(args.besproken) if args.besproken else None
    except ValueError:
        return fail("--start, --end en --besproken moeten datums zijn als JJJJ-MM-DD.")
    if end < start:
        return fail("De einddatum ligt vóór de ingangsdatum.")
    settings = region_settings(os.environ)
    try:
        registry = RegionRegistry.create(settings,
                                         load_entry_points=settings["WMO_LOAD_ENTRY_POINTS"])
    except RegionLoadError as error:
        return fail(str(error))
    region = registry.region(args.region)
    if region is None:
        return fail(f"Regio '{args.region}' is onbekend; bekend zijn: "
                    f"{', '.join(r.code for r in registry.regions())}.")
    product = next((p for p in registry.products(region.code)
                    if args.product in (p.code, p.key)), None)
    if product is None:
        return fail(f"Product '{args.product}' bestaat niet in de productcatalogus van {region.name}.")
    facts = ToewijzingFacts(
        toewijzing_nummer=None, municipality_code="", provider_agb="", client_birth_date=None,
        product_category=product.category, product_code=product.code, product_key=product.key,
        volume=None, unit=product.unit, frequency=None, start=start, end=end)
    deadlines = sorted(registry.deadlines(region.code, facts)
                       + template_deadlines(registry, region.code, product, end, discussed),
                       key=lambda d: (d.due, d.kind))
    if args.json:
        print(json.dumps({"deadlines": [
            {"kind": d.kind, "due": d.due.isoformat(), "rule": d.message,
             "source": str(d.source) if d.source else None, "id": d.rule}
            for d in deadlines]}, ensure_ascii=False, indent=2))
    elif not deadlines:
        print(f"{region.name} stelt voor {product.name} geen termijnen.")
    else:
        for d in deadlines:
            print(f"{d.due:%d-%m-%Y}  {d.kind:<18} {d.rule:<7} {d.message} [{d.source}]")
    return 0


def template_deadlines(registry: RegionRegistry, region: str, product, end: date,
                       discussed: date | None) -> list[Deadline]:
    """The plan's workflow terms that count from the given dates alone (no stored plans)."""
    from portal.plans import terms

    templates = terms.templates_of(registry, region, product.key)
    found = [terms.final_deadline(term, end) for term in templates.terms("final_evaluation")]
    term = templates.term("support_start")
    if term is not None and discussed is not None:
        found.append(Deadline("support_start",
                              terms.support_start_due(term, discussed, templates.policy),
                              term.id, term.message, term.severity, term.source))
    return found

"""Geldrop-Mierlo rules that the template data cannot express."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from portal.plans.templates import TemplateContext, as_date
from portal.plugins.data_rules import add_months
from portal.plugins.types import Finding, Product, Severity

FINAL, INTERIM = "eind", "tussen"
# The label of the field in plan_templates.toml, named in the message.
MELDING_LABEL = "Datum van de melding voor (her)indicatie die de aanbieder namens de cliënt deed"


def evaluation_kind_matches_its_date(product: Product, content: Mapping[str, Any],
                                     context: TemplateContext) -> list[Finding]:
    """GM-E1 (004:5979-5981): "Evalueren in de drie maanden vóór de einddatum van de indicatie is
    een eindevaluatie. Op andere momenten ... een tussenevaluatie."

    The report's ``soort`` (plan_templates.toml) must match its ``datum_verslag``. The window is
    the three months ending on the einddatum: it opens the day after einddatum minus 3 months
    (region.toml's GM-E1 deadline, region-rules §6.3 item 19).
    """
    kind = content.get("soort")
    try:
        day = as_date(content.get("datum_verslag"))
    except (ValueError, TypeError):
        return []  # the template reports a malformed date
    if kind not in (FINAL, INTERIM) or day is None or context.end is None:
        return []
    opens = add_months(context.end, -3) + timedelta(days=1)
    in_window = opens <= day <= context.end
    if kind == FINAL and not in_window:
        return [Finding("GM-E1", Severity.ERROR,
                        f"‘Soort evaluatie’: een eindevaluatie valt in de drie maanden vóór de "
                        f"einddatum van de indicatie ({opens:%d-%m-%Y} t/m {context.end:%d-%m-%Y}); "
                        f"dit verslag is van {day:%d-%m-%Y}: kies ‘Tussenevaluatie’. "
                        f"[004:5979-5981]", "soort")]
    if kind == INTERIM and in_window:
        return [Finding("GM-E1", Severity.ERROR,
                        f"‘Soort evaluatie’: een evaluatie in de drie maanden vóór de einddatum "
                        f"van de indicatie ({opens:%d-%m-%Y} t/m {context.end:%d-%m-%Y}) is een "
                        f"eindevaluatie: kies ‘Eindevaluatie’. [004:5979-5981]", "soort")]
    return []


def report_with_the_herindicatie(product: Product, content: Mapping[str, Any],
                                 context: TemplateContext) -> list[Finding]:
    """GM-E8 (004:6021-6028): when the aanbieder made the melding for (her)indicatie on the
    client's behalf, "ontvangt de gemeente het evaluatieverslag bij voorkeur gelijktijdig met de
    melding" (a warning: "bij voorkeur"). "Uitzondering hierop is wanneer er bij een cliënt
    meerdere herindicaties per jaar plaatsvinden (doordat beschikkingen korter dan 12 maanden zijn
    afgegeven)": for a toewijzing shorter than 12 months the timing is agreed, no warning.
    """
    try:
        melding = as_date(content.get("datum_melding_herindicatie"))
    except (ValueError, TypeError):
        return []  # the template reports a malformed date
    if melding is None or context.today is None or context.today <= melding:
        return []
    if context.start is not None and context.end is not None and \
            context.end < add_months(context.start, 12) - timedelta(days=1):
        return []
    return [Finding("GM-E8", Severity.WARNING,
                    f"‘{MELDING_LABEL}’ is {melding:%d-%m-%Y}: de gemeente ontvangt het "
                    f"evaluatieverslag bij voorkeur gelijktijdig met de melding, niet later. "
                    f"[004:6021-6023]", "datum_melding_herindicatie")]


EVALUATION_RULES = (evaluation_kind_matches_its_date, report_with_the_herindicatie)

"""Every [M] plan and evaluation rule of ../shared/docs/region-rules.md, broken once and seen by id.

The rules run through each region's hooks (RegionRegistry.validate_plan / validate_evaluation),
from the template data in regions/<region>/plan_templates.toml and
regions/generic/data/templates/*.toml, plus named functions where data cannot say it
(regions/geldrop_mierlo/rules.py). Each good content below passes; each case breaks one thing.

Status of every plan (P) and evaluation (E) rule (region-rules mark in brackets):

| rule | status | how, or why not |
| --- | --- | --- |
| MIJ-P1 [M] | implemented | one plan per toewijzing: portal.plans.services.start refuses a second (tests/test_plan_services.py) |
| MIJ-P2 [M] | implemented | goals (≥ 1, each with doel and acties) and hulpbronnen required; SMART quality on the reviewer's checklist |
| MIJ-P3 [M] | implemented | frequentie and evaluatiemoment per goal required for begeleiding groep/individueel and Werkt Mee |
| MIJ-P4 [M] | implemented | "overeenstemming" yes/no must be ja, with its date; regie on the reviewer's checklist |
| MIJ-P5 [P] | implemented | the plan records who sets it and their level; min_education rules per product |
| MIJ-P6 [P] | implemented | the plan records the eindverantwoordelijke and level; min_education rules |
| MIJ-P7 [M] | implemented | the agreement fields report MIJ-P7 for Werkt Mee products |
| MIJ-P8 [H] | checklist | Zorgcoördinatie's integral plan, for the reviewer |
| MIJ-P9 | nothing to check | the seed states no plan deadline |
| MIJ-E1 [M] | implemented | warning on save/submit later than six weeks before the gesprek or the end; also a deadline (region.toml) |
| MIJ-E2 [M] | implemented | written consent must be ja, with its date |
| MIJ-E3 [M] | implemented | the nine Bijlage 1 parts required; focus one choice of two; the look back per goal |
| MIJ-E4 [M] | implemented | advice on the next step required for Werkt Mee |
| MIJ-E5 [M] | implemented | "doelen behaald?" required; ja makes Komende periode optional |
| MIJ-E6 [M] | implemented | parts (5) and (9) do not exist for Apeldoorn + Werkt Mee |
| MIJ-E7 [M] | implemented | 01001 and 01002 have no evaluation template |
| MIJ-E8 [M] | implemented | warning when the Werkt Mee evaluation talk is later than six weeks before the end (and a deadline); a Werkt Mee report names its aanleiding (required), and the end-of-traject evaluation is an error deadline at the einddatum until one is submitted (`final_evaluation` term; tests/test_plan_workflow.py, tests/test_deadlines.py) |
| MIJ-E9 [M] | deadline | a reminder three months after the start (region.toml), not a content rule |
| MIJ-E10 | nothing to check | no minimum frequency |
| ML-P1 [P] | implemented | the plan records who has the regie and their level (≥ mbo-3 or proven werk- en denkniveau) |
| ML-P2 [M] | implemented | dagverdeling required for BGG; the spread on the reviewer's checklist |
| ML-P3 [M] | implemented | each result with its activity type (and levensgebied for BGI) required; the gemeente records the toewijzing's results (/plannen/toewijzing/<id>/resultaten), a new plan starts from them and must list each with the same activity type (`toewijzing_results` term; tests/test_plan_workflow.py) |
| ML-P4 | nothing to check | no deadline, consent or review term |
| ML-E1 [M] | implemented | hours actually used required in a BGI complex evaluation |
| ML-E2 [H] | checklist | BGI complex still needed? |
| ML-E3 [H] | checklist | provider as landlord |
| ML-E4 | nothing to check | no frequency or format |
| GM-P1 [M] | implemented | every begeleiding product but D1 has a plan template, agreed with the client (GM-P9 f) |
| GM-P2 [M] | implemented | D1 has no plan template (and no plan deadline in region.toml) |
| GM-P3 [M] | implemented | `integral_owners` in plan_templates.toml: one plan per client, made by the B1-B3 provider (tests/test_plan_services.py) |
| GM-P4 [M] | deadline | 20 werkdagen (region.toml) |
| GM-P5 [M] | deadline | 10 werkdagen for the client's reply (region.toml) |
| GM-P6 [M] | implemented | the aanbieder records the start of support on the plan's page (what its 305 reports); later than 5 werkdagen after the plan's "besproken" date is an error finding, and until then a deadline on both dashboards and in `wmo-portal deadlines --besproken` (tests/test_plan_workflow.py) |
| GM-P7 [M] | implemented | a deadline from the submission (region.toml, from = "submitted"), shown in the reviewer's queue (tests/test_deadlines.py, tests/test_plan_queue.py) |
| GM-P8 [M] | deadline | 35 werkdagen (region.toml) |
| GM-P9 [M] | implemented | items a-f required, per goal i-v; discussed and consent must be ja; SMART on the checklist |
| GM-P10 [M] | implemented | vast / deels / flexibel required, rhythm and flexible situations when they apply; matching the 301's flexibility needs it on the toewijzing |
| GM-P11 [M] | not here | hours within the indicatie is a declaration rule (GM-D3) |
| GM-P12 [M] | implemented | every version is kept and can be compared (portal.plans.models, /plannen/<id>/versies), and each version's content requires its "besproken" date |
| GM-P13 [M] | implemented | the G1 description is required when G1 is the product or among the client's products; a G1 toewijzing made after the plan was last submitted requires a revision ("herzien" of an approved plan), shown on the plan's page and the dashboards until a new version is submitted (tests/test_plan_workflow.py) |
| GM-P14 [M] | implemented | the aanbieder asks to deviate from GM-P4/P5/P6/P8/P9/P10 with a reason; only once the gemeente approved it does the rule's error stop blocking (a warning) and a new date replace the deadline (tests/test_plan_workflow.py) |
| GM-E1 [M] | implemented | tussen/eind must match the date (rules.py); the window is a deadline (region.toml), and the eindevaluatie is an error deadline at the einddatum until one is submitted (`final_evaluation` term; tests/test_plan_workflow.py) |
| GM-E2 [M] | implemented | warning (not error, see plan_templates.toml) when an eindevaluatie is submitted later than 15 werkdagen before the end; also a deadline |
| GM-E3 [M] | implemented | the approved plan's evaluatiemomenten are the due dates; the gemeente records a later agreed date that replaces one; each submitted evaluation meets the next due date, on time or late (tests/test_plan_workflow.py) |
| GM-E4 [M] | implemented | the reviewer's form for an extra tussenevaluatie refuses a due date earlier than 15 werkdagen after the request (tests/test_plan_workflow.py) |
| GM-E5 [M] | implemented | a missed due date gives the gemeente a deadline 5 werkdagen later to signal it; the signal replaces it by a due date 15 werkdagen after the signal (tests/test_plan_workflow.py) |
| GM-E6 [M] | implemented | every begeleiding product, D1 included, has an evaluation template; D1 alone is evaluated without a plan (tests/test_plan_workflow.py) |
| GM-E7 [M] | implemented | `integral_owners` on the evaluation template: one evaluation at a time per client, started by the B1-B3 provider (tests/test_plan_workflow.py) |
| GM-E8 [M] | implemented | a report submitted after the herindicatie melding date it records is a warning, not for beschikkingen shorter than 12 months (rules.py) |
| GM-E9 [M] | implemented | discussed and consent must be ja, with a date |
| GM-E10 [M] | implemented | items a-i required (g optional: "eventuele"); per goal wel/niet behaald with toelichting |
| GM-E11 [M] | not here | declared versus assigned inzet is a declaration rule |
| G1-P1 [M] | implemented | goals required for the ontwikkelgericht products |
| G1-P2 [P] | implemented | the plan records who draws it up and their level (mbo-4 / hbo) |
| G1-E1 [M] | deadline | every half year or year (generic_001.toml) |
| G1-E2 | implemented | begeleiding groep and vervoer have no templates |
| G1-E3 [H] | checklist | another legal frame discussed in the evaluation |
| G3-P1 [P] | implemented | the plan records who draws it up and their level (≥ mbo-4) |
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from portal.plans.checks import INPUT_RULE
from portal.plans.templates import TemplateContext
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Severity, ToewijzingFacts

ROOT = Path(__file__).resolve().parent.parent
REGION_RULES = ROOT.parent / "shared" / "docs" / "region-rules.md"
STATUS = {
    match.group(1): match.group(3)
    for match in re.finditer(r"^\| ([A-Z0-9]+-[PE]\d+)( \[[MPH]\])? \| ([a-z ]+) \|", __doc__, re.M)
}
STATUS_TEXT = {  # rule id -> the "how, or why not" column
    match.group(1): match.group(2)
    for match in re.finditer(r"^\| ([A-Z0-9]+-[PE]\d+)(?: \[[MPH]\])? \| [a-z ]+ \| (.*) \|$", __doc__,
                             re.M)
}
END = date(2026, 12, 31)
EARLY = date(2026, 6, 1)
DROP = object()


@pytest.fixture(scope="module")
def registry():
    return RegionRegistry.create({"WMO_REGIONS": [], "WMO_GENERIC_REGIONS_DIR": None})


GOAL_MIJ = {"doel": "Zelf de post openen en ordenen binnen 3 maanden", "acties": "Wekelijks samen",
            "frequentie": "1x per week", "evaluatiemoment": "2026-06-01"}
REVIEW = [{"doel": "Zelf de post openen", "resultaat": "deels", "toelichting": "Lukt met hulp."}]
GOOD = {
    ("midden_ijssel", "plan"): {
        "opsteller": "A. Jansen", "opleidingsniveau_opsteller": "hbo",
        "eindverantwoordelijke": "B. de Vries", "opleidingsniveau_eindverantwoordelijke": "hbo",
        "doelen": [GOAL_MIJ], "hulpbronnen": "Zus, buurthuis", "regie": "Samen opgesteld",
        "akkoord_client": "ja", "datum_akkoord": "2026-02-01"},
    ("midden_ijssel", "evaluation"): {
        "datum_gesprek_gemeente": None, "aanleiding": "einde_traject",
        "datum_evaluatiegesprek": "2026-10-01",
        "stand_van_zaken": "Stabiel", "kijk_terug": REVIEW, "leerervaringen": "Plannen",
        "ondersteuning_hulpbronnen": "Buurthuis", "zelfstandigheid": "Nog niet",
        "advies_vervolgstap": "Trede 4", "doelen_behaald": "nee",
        "toekomstige_doelen": "Post zelfstandig", "focus": "ontwikkeling", "acties": "Oefenen",
        "hulpbronnen": "Zus", "schriftelijk_akkoord": "ja", "datum_akkoord": "2026-05-20"},
    ("midden_limburg", "plan"): {
        "opsteller": "C. Peeters", "opleidingsniveau_opsteller": "mbo-3",
        "resultaten": [{"resultaat": "Zelf boodschappen doen", "levensgebied": "huishouden",
                        "subdoelstelling": "isolement", "activiteitstype": "helpen",
                        "aanpak": "Samen"}],
        "dagverdeling": "Maandag- en woensdagochtend"},
    ("midden_limburg", "evaluation"): {"kijk_terug": REVIEW, "ingezette_uren": "120"},
    ("geldrop_mierlo", "plan"): {
        "voorletters": "J.", "roepnaam": "Jan", "achternaam": "Smit", "geboortedatum": "1970-01-01",
        "organisatie": "Zorg BV", "contactpersoon": "Els", "email": "els@example.nl",
        "telefoon": "040-1234567", "vorm_begeleiding": "B1 02B01",
        "startdatum_indicatie": "2026-01-01", "einddatum_indicatie": "2026-12-31",
        "doelen": [{"probleemomschrijving": "Schulden", "zelfredzaamheid": "Laag",
                    "doelstelling": "Binnen 6 maanden een budgetplan", "activiteiten": "Samen",
                    "frequentie": "1x per week", "urenplanning": "2 uur per week",
                    "evaluatiemoment": "2026-06-01"}],
        "netwerk": "Broer", "inzet": "vast", "vast_ritme": "2 uur per week",
        "groepsbegeleiding": "G1 op dinsdag", "besproken_met_client": "ja",
        "toestemming_delen": "ja", "datum_besproken": "2026-01-20"},
    ("geldrop_mierlo", "evaluation"): {
        "soort": "tussen", "datum_verslag": "2026-06-01", "voorletters": "J.", "roepnaam": "Jan",
        "achternaam": "Smit", "geboortedatum": "1970-01-01", "organisatie": "Zorg BV",
        "telefoon": "040-1234567", "email": "els@example.nl", "kijk_terug": REVIEW,
        "netwerk": "Broer", "bijzonderheden": None, "advies_herindicatie": "Verlengen",
        "besproken_met_client": "ja", "toestemming_delen": "ja", "datum_besproken": "2026-05-28"},
    ("generic_001", "plan"): {"opsteller": "D. Bakker", "opleidingsniveau_opsteller": "hbo",
                              "doelen": [{"doel": "Zelfstandig wonen", "aanpak": "Oefenen"}]},
    ("generic_001", "evaluation"): {},
    ("generic_003", "plan"): {"opsteller": "E. Visser", "opleidingsniveau_opsteller": "mbo-4"},
}
GEMEENTE = {"midden_ijssel": "0232", "midden_limburg": "0988", "geldrop_mierlo": "1771"}


def findings(registry, region, product_key, kind, changes=None, **context):
    product = registry.product(region, product_key)
    content = dict(GOOD[(region, kind)])
    for key, value in (changes or {}).items():
        if value is DROP:
            content.pop(key, None)
        else:
            content[key] = value
    ctx = TemplateContext(product_key=product_key, municipality_code=context.pop(
        "gemeente", GEMEENTE.get(region)), end=context.pop("end", END),
        today=context.pop("today", EARLY), **context)
    validate = registry.validate_plan if kind == "plan" else registry.validate_evaluation
    return validate(region, product, content, ctx)


@pytest.mark.parametrize("region, kind, products", [
    ("midden_ijssel", "plan", ["02A16", "02A22", "07A11", "07A13", "15G03", "02A63", "02A57",
                               "03A11", "01001", "02A76", "08A03"]),
    ("midden_ijssel", "evaluation", ["02A16", "07A11", "02A63", "02J58", "04W01"]),
    ("midden_limburg", "plan", ["BGI", "BGI-complex", "BGG"]),
    ("midden_limburg", "evaluation", ["BGI", "BGI-complex", "BGG"]),
    ("geldrop_mierlo", "plan", ["02B01", "02B02", "02B03", "07D02", "02G01"]),
    ("geldrop_mierlo", "evaluation", ["02B01", "07D01", "02G01"]),
    ("generic_001", "plan", ["02A04", "02A22", "02A20", "02A05"]),
    ("generic_001", "evaluation", ["02A04", "02A21"]),
    ("generic_003", "plan", ["BI-regulier"]),
])
def test_good_content_breaks_no_rule(registry, region, kind, products):
    for product in products:
        assert findings(registry, region, product, kind) == [], (region, kind, product)


def row(goal: dict, **changes) -> list[dict]:
    return [{**goal, **changes}]


GM_GOAL = GOOD[("geldrop_mierlo", "plan")]["doelen"][0]
ML_RESULT = GOOD[("midden_limburg", "plan")]["resultaten"][0]

# (rule, region, product, kind, changes, context, field, severity)
BREAKS = [
    # Midden-IJssel, uitvoeringsplan
    ("MIJ-P2", "midden_ijssel", "03A11", "plan", {"hulpbronnen": None}, {}, "hulpbronnen", "error"),
    ("MIJ-P2", "midden_ijssel", "03A11", "plan", {"doelen": []}, {}, "doelen", "error"),
    ("MIJ-P2", "midden_ijssel", "08A03", "plan", {"doelen": row(GOAL_MIJ, acties="")}, {},
     "doelen-0-acties", "error"),
    ("MIJ-P2", "midden_ijssel", "02A16", "plan", {"doelen": row(GOAL_MIJ, doel=None)}, {},
     "doelen-0-doel", "error"),
    ("MIJ-P3", "midden_ijssel", "07A11", "plan", {"doelen": row(GOAL_MIJ, frequentie=None)}, {},
     "doelen-0-frequentie", "error"),
    ("MIJ-P3", "midden_ijssel", "02A64", "plan", {"doelen": row(GOAL_MIJ, evaluatiemoment=None)},
     {}, "doelen-0-evaluatiemoment", "error"),
    ("MIJ-P3", "midden_ijssel", "02A19", "plan", {"doelen": row(GOAL_MIJ, frequentie=" ")}, {},
     "doelen-0-frequentie", "error"),
    ("MIJ-P4", "midden_ijssel", "02A16", "plan", {"akkoord_client": "nee"}, {}, "akkoord_client",
     "error"),
    ("MIJ-P4", "midden_ijssel", "07A12", "plan", {"datum_akkoord": DROP}, {}, "datum_akkoord",
     "error"),
    ("MIJ-P5", "midden_ijssel", "02A16", "plan", {"opleidingsniveau_opsteller": "mbo-4"}, {},
     "opleidingsniveau_opsteller", "error"),
    ("MIJ-P5", "midden_ijssel", "02A22", "plan", {"opleidingsniveau_opsteller": "mbo-3"}, {},
     "opleidingsniveau_opsteller", "error"),
    ("MIJ-P5", "midden_ijssel", "15G03", "plan", {"opsteller": None}, {}, "opsteller", "error"),
    ("MIJ-P6", "midden_ijssel", "07A13", "plan", {"opleidingsniveau_eindverantwoordelijke": "mbo-4"},
     {}, "opleidingsniveau_eindverantwoordelijke", "error"),
    ("MIJ-P6", "midden_ijssel", "07A14", "plan", {"opleidingsniveau_eindverantwoordelijke": "mbo-3"},
     {}, "opleidingsniveau_eindverantwoordelijke", "error"),
    ("MIJ-P6", "midden_ijssel", "07A16", "plan", {"eindverantwoordelijke": DROP}, {},
     "eindverantwoordelijke", "error"),
    ("MIJ-P7", "midden_ijssel", "02A57", "plan", {"akkoord_client": None}, {}, "akkoord_client",
     "error"),
    ("MIJ-P7", "midden_ijssel", "15A63", "plan", {"datum_akkoord": None}, {}, "datum_akkoord",
     "error"),
    # Midden-IJssel, evaluatieverslag
    ("MIJ-E1", "midden_ijssel", "02A16", "evaluation", {}, {"today": END - timedelta(days=41)},
     None, "warning"),
    ("MIJ-E1", "midden_ijssel", "07A11", "evaluation", {"datum_gesprek_gemeente": "2026-07-01"},
     {"today": date(2026, 6, 1)}, None, "warning"),
    ("MIJ-E2", "midden_ijssel", "02A16", "evaluation", {"schriftelijk_akkoord": "nee"}, {},
     "schriftelijk_akkoord", "error"),
    ("MIJ-E2", "midden_ijssel", "02A16", "evaluation", {"datum_akkoord": None}, {},
     "datum_akkoord", "error"),
    ("MIJ-E3", "midden_ijssel", "02A16", "evaluation", {"stand_van_zaken": None}, {},
     "stand_van_zaken", "error"),
    ("MIJ-E3", "midden_ijssel", "02A16", "evaluation", {"focus": ["stabiel", "ontwikkeling"]}, {},
     "focus", "error"),
    ("MIJ-E3", "midden_ijssel", "02A16", "evaluation", {"focus": None}, {}, "focus", "error"),
    ("MIJ-E3", "midden_ijssel", "02A16", "evaluation", {"kijk_terug": []}, {}, "kijk_terug",
     "error"),
    ("MIJ-E3", "midden_ijssel", "02A16", "evaluation",
     {"kijk_terug": [{**REVIEW[0], "resultaat": None}]}, {}, "kijk_terug-0-resultaat", "error"),
    ("MIJ-E3", "midden_ijssel", "02A63", "evaluation", {"hulpbronnen": None}, {"gemeente": "0232"},
     "hulpbronnen", "error"),  # outside Apeldoorn the part applies (see MIJ-E6)
    ("MIJ-E4", "midden_ijssel", "02A63", "evaluation", {"advies_vervolgstap": None}, {},
     "advies_vervolgstap", "error"),
    ("MIJ-E4", "midden_ijssel", "15A58", "evaluation", {"advies_vervolgstap": ""}, {},
     "advies_vervolgstap", "error"),
    ("MIJ-E5", "midden_ijssel", "02A16", "evaluation", {"doelen_behaald": None}, {},
     "doelen_behaald", "error"),
    ("MIJ-E8", "midden_ijssel", "02A63", "evaluation", {"datum_evaluatiegesprek": "2026-12-01"}, {},
     "datum_evaluatiegesprek", "warning"),
    ("MIJ-E8", "midden_ijssel", "02A63", "evaluation", {"aanleiding": None}, {}, "aanleiding",
     "error"),
    # Midden-Limburg
    ("ML-P1", "midden_limburg", "BGI", "plan", {"opleidingsniveau_opsteller": "mbo-2"}, {},
     "opleidingsniveau_opsteller", "error"),
    ("ML-P1", "midden_limburg", "BGG", "plan", {"opleidingsniveau_opsteller": None}, {},
     "opleidingsniveau_opsteller", "error"),
    ("ML-P2", "midden_limburg", "BGG", "plan", {"dagverdeling": None}, {}, "dagverdeling", "error"),
    ("ML-P3", "midden_limburg", "BGI", "plan", {"resultaten": row(ML_RESULT, activiteitstype=None)},
     {}, "resultaten-0-activiteitstype", "error"),
    ("ML-P3", "midden_limburg", "BGI-complex", "plan",
     {"resultaten": row(ML_RESULT, levensgebied=None)}, {}, "resultaten-0-levensgebied", "error"),
    ("ML-P3", "midden_limburg", "BGG", "plan", {"resultaten": []}, {}, "resultaten", "error"),
    ("ML-P3", "midden_limburg", "BGG", "plan",
     {"resultaten": row(ML_RESULT, activiteitstype="meedoen")}, {}, "resultaten-0-activiteitstype",
     "error"),
    ("ML-E1", "midden_limburg", "BGI-complex", "evaluation", {"ingezette_uren": None}, {},
     "ingezette_uren", "error"),
    # Geldrop-Mierlo, ondersteuningsplan
    *[("GM-P9", "geldrop_mierlo", "02B01", "plan", {key: None}, {}, key, "error") for key in (
        "voorletters", "roepnaam", "achternaam", "geboortedatum", "organisatie", "contactpersoon",
        "email", "telefoon", "vorm_begeleiding", "startdatum_indicatie", "einddatum_indicatie",
        "netwerk", "besproken_met_client", "toestemming_delen")],
    *[("GM-P9", "geldrop_mierlo", "07D02", "plan", {"doelen": row(GM_GOAL, **{part: None})}, {},
       f"doelen-0-{part}", "error") for part in (
        "probleemomschrijving", "zelfredzaamheid", "doelstelling", "activiteiten", "frequentie",
        "urenplanning", "evaluatiemoment")],
    ("GM-P9", "geldrop_mierlo", "02B02", "plan", {"doelen": []}, {}, "doelen", "error"),
    ("GM-P9", "geldrop_mierlo", "02B03", "plan", {"besproken_met_client": "nee"}, {},
     "besproken_met_client", "error"),
    ("GM-P9", "geldrop_mierlo", "02B03", "plan", {"toestemming_delen": "nee"}, {},
     "toestemming_delen", "error"),
    ("GM-P10", "geldrop_mierlo", "02B01", "plan", {"inzet": None}, {}, "inzet", "error"),
    ("GM-P10", "geldrop_mierlo", "02B01", "plan", {"inzet": "deels"}, {}, "situaties_flexibel",
     "error"),
    ("GM-P10", "geldrop_mierlo", "02B01", "plan", {"inzet": "vast", "vast_ritme": None}, {},
     "vast_ritme", "error"),
    ("GM-P12", "geldrop_mierlo", "02B01", "plan", {"datum_besproken": None}, {}, "datum_besproken",
     "error"),
    ("GM-P13", "geldrop_mierlo", "02G01", "plan", {"groepsbegeleiding": None}, {},
     "groepsbegeleiding", "error"),
    ("GM-P13", "geldrop_mierlo", "02B02", "plan", {"groepsbegeleiding": None},
     {"other_products": frozenset({"02G01"})}, "groepsbegeleiding", "error"),
    # Geldrop-Mierlo, evaluatieverslag
    ("GM-E1", "geldrop_mierlo", "02B01", "evaluation", {"soort": "eind"}, {}, "soort", "error"),
    ("GM-E1", "geldrop_mierlo", "07D01", "evaluation",
     {"soort": "tussen", "datum_verslag": "2026-10-01"}, {}, "soort", "error"),
    ("GM-E1", "geldrop_mierlo", "02B01", "evaluation", {"soort": None}, {}, "soort", "error"),
    ("GM-E2", "geldrop_mierlo", "02B03", "evaluation",
     {"soort": "eind", "datum_verslag": "2026-12-10"}, {"today": date(2026, 12, 11)}, None,
     "warning"),
    ("GM-E8", "geldrop_mierlo", "02B01", "evaluation", {"datum_melding_herindicatie": "2026-05-29"},
     {}, "datum_melding_herindicatie", "warning"),
    ("GM-E9", "geldrop_mierlo", "02B01", "evaluation", {"besproken_met_client": "nee"}, {},
     "besproken_met_client", "error"),
    ("GM-E9", "geldrop_mierlo", "07D01", "evaluation", {"toestemming_delen": None}, {},
     "toestemming_delen", "error"),
    ("GM-E9", "geldrop_mierlo", "02G01", "evaluation", {"datum_besproken": None}, {},
     "datum_besproken", "error"),
    *[("GM-E10", "geldrop_mierlo", "02B02", "evaluation", {key: None}, {}, key, "error") for key in (
        "datum_verslag", "voorletters", "roepnaam", "achternaam", "geboortedatum", "organisatie",
        "telefoon", "email", "netwerk", "advies_herindicatie", "kijk_terug")],
    ("GM-E10", "geldrop_mierlo", "07D01", "evaluation",
     {"kijk_terug": [{**REVIEW[0], "toelichting": None}]}, {}, "kijk_terug-0-toelichting", "error"),
    # generic regions
    ("G1-P1", "generic_001", "02A04", "plan", {"doelen": []}, {}, "doelen", "error"),
    ("G1-P1", "generic_001", "02A05", "plan", {"doelen": [{"aanpak": "Oefenen"}]}, {},
     "doelen-0-doel", "error"),
    ("G1-P2", "generic_001", "02A20", "plan", {"opleidingsniveau_opsteller": "mbo-4"}, {},
     "opleidingsniveau_opsteller", "error"),
    ("G1-P2", "generic_001", "02A22", "plan", {"opleidingsniveau_opsteller": "mbo-3"}, {},
     "opleidingsniveau_opsteller", "error"),
    ("G3-P1", "generic_003", "BI-regulier", "plan", {"opleidingsniveau_opsteller": "mbo-3"}, {},
     "opleidingsniveau_opsteller", "error"),
    ("G3-P1", "generic_003", "BI-regulier", "plan", {"opsteller": None}, {}, "opsteller", "error"),
]


@pytest.mark.parametrize("rule, region, product, kind, changes, context, field, severity", BREAKS,
                         ids=[f"{case[0]}-{case[2]}-{case[6]}" for case in BREAKS])
def test_breaking_a_rule_reports_its_id_field_and_severity(
        registry, rule, region, product, kind, changes, context, field, severity):
    found = findings(registry, region, product, kind, changes, **context)
    assert [(f.rule, f.field, f.severity.value) for f in found] == [(rule, field, severity)], found
    message = found[0].message
    assert message.endswith("]") and "[0" in message  # cites its seed line
    if field and "-" not in field:
        template_of = registry.plan_template if kind == "plan" else registry.evaluation_template
        label = template_of(region, registry.product(region, product)).field(field).label
        assert f"‘{label}’" in message  # names the field


def test_input_that_is_no_answer_is_reported_as_such(registry):
    found = findings(registry, "geldrop_mierlo", "02B01", "plan",
                     {"geboortedatum": "1-1-70", "doelen": "eerst opknappen"})
    assert {(f.rule, f.field) for f in found} == {(INPUT_RULE, "geboortedatum"),
                                                  (INPUT_RULE, "doelen")}
    assert all(f.severity is Severity.ERROR for f in found)
    assert "‘1-1-70’ is geen geldige datum" in found[0].message


# -- rules that relax, exempt or decide which template exists -----------------------------------

def test_mij_e5_reached_goals_end_the_evaluation(registry):
    later = {key: None for key in ("toekomstige_doelen", "focus", "acties", "hulpbronnen")}
    assert findings(registry, "midden_ijssel", "02A16", "evaluation",
                    {"doelen_behaald": "ja", **later}) == []
    assert {f.field for f in findings(registry, "midden_ijssel", "02A16", "evaluation",
                                      {"doelen_behaald": "nee", **later})} == set(later)


def test_mij_e6_apeldoorn_werkt_mee_has_no_hulpbronnen_parts(registry):
    changes = {"hulpbronnen": None, "ondersteuning_hulpbronnen": None}
    assert findings(registry, "midden_ijssel", "02A63", "evaluation", changes, gemeente="0200") == []
    assert {f.field for f in findings(registry, "midden_ijssel", "07A11", "evaluation", changes,
                                      gemeente="0200")} == set(changes)


def test_mij_e7_schoon_huis_and_regie_have_no_evaluatieverslag(registry):
    for key in ("01001", "01002"):
        product = registry.product("midden_ijssel", key)
        assert registry.evaluation_template("midden_ijssel", product) is None
        assert registry.validate_evaluation("midden_ijssel", product, {}) == []
        assert registry.plan_template("midden_ijssel", product) is not None  # the plan stays


def test_mij_p3_asks_frequency_only_of_its_products(registry):
    goal = row(GOAL_MIJ, frequentie=None, evaluatiemoment=None)
    assert findings(registry, "midden_ijssel", "03A11", "plan", {"doelen": goal}) == []


def test_ml_p1_a_proven_werk_en_denkniveau_suffices(registry):
    assert findings(registry, "midden_limburg", "BGI", "plan",
                    {"opleidingsniveau_opsteller": "mbo-2", "werk_en_denkniveau_mbo3": "ja"}) == []


def test_ml_asks_no_plan_for_vervoer_and_kdv_and_levensgebied_not_of_bgg(registry):
    for key in ("VERVOER", "KDV"):
        product = registry.product("midden_limburg", key)
        assert registry.plan_template("midden_limburg", product) is None
        assert registry.evaluation_template("midden_limburg", product) is None
    assert findings(registry, "midden_limburg", "BGG", "plan",
                    {"resultaten": row(ML_RESULT, levensgebied=None)}) == []
    assert findings(registry, "midden_limburg", "BGI", "evaluation", {"kijk_terug": []}) == []


def test_gm_p1_p2_e6_which_products_have_a_plan_and_an_evaluation(registry):
    def templates(key):
        product = registry.product("geldrop_mierlo", key)
        return (registry.plan_template("geldrop_mierlo", product) is not None,
                registry.evaluation_template("geldrop_mierlo", product) is not None)

    for key in ("02B01", "02B02", "02B03", "07D02", "02G01"):
        assert templates(key) == (True, True)  # GM-P1
    assert templates("07D01") == (False, True)  # GM-P2 and GM-E6: D1 is evaluated, without a plan
    assert templates("08V01") == (False, False)  # vervoer is no begeleiding


def test_gm_p13_not_without_groepsbegeleiding(registry):
    assert findings(registry, "geldrop_mierlo", "02B01", "plan", {"groepsbegeleiding": None}) == []


def test_gm_e1_and_e2_an_eindevaluatie_in_time_passes(registry):
    assert findings(registry, "geldrop_mierlo", "02B01", "evaluation",
                    {"soort": "eind", "datum_verslag": "2026-10-01"},
                    today=date(2026, 12, 9)) == []  # 15 werkdagen before 2026-12-31


def test_gm_e8_the_report_with_the_melding_or_agreed_for_short_beschikkingen(registry):
    melding = {"datum_melding_herindicatie": EARLY.isoformat()}
    assert findings(registry, "geldrop_mierlo", "02B01", "evaluation", melding) == []  # together
    later = {"datum_melding_herindicatie": "2026-05-29", "soort": "eind"}
    assert findings(registry, "geldrop_mierlo", "02B01", "evaluation", later,
                    start=date(2026, 1, 1), end=date(2026, 6, 30)) == []  # shorter than 12 months


def test_g1_p1_behoudgericht_needs_no_goals_and_g1_e2_groep_has_no_templates(registry):
    assert findings(registry, "generic_001", "02A22", "plan", {"doelen": []}) == []
    for key in ("07A03", "07A04", "08L01", "08L05"):
        product = registry.product("generic_001", key)
        assert registry.plan_template("generic_001", product) is None
        assert registry.evaluation_template("generic_001", product) is None


def test_checklist_rules_are_for_the_reviewer_and_never_findings(registry):
    seen = {}
    for region in registry.regions():
        for product in registry.products(region.code):
            for template in (registry.plan_template(region.code, product),
                             registry.evaluation_template(region.code, product)):
                if template:
                    for item in template.checklist_for(TemplateContext(product.key)):
                        seen.setdefault(item.rule, item.text)
    assert {"MIJ-P8", "ML-E2", "ML-E3", "G1-E3", "ML-P2", "GM-P9", "MIJ-P2", "MIJ-P4"} <= set(seen)
    assert all(STATUS[rule] in ("checklist", "implemented", "partly") for rule in seen)


# -- the status list is complete and honest -----------------------------------------------------

def test_deadline_rules_are_in_the_region_deadlines(registry):
    def deadline_rules(region, key, start=date(2026, 1, 5), end=END):
        facts = ToewijzingFacts(toewijzing_nummer=1, municipality_code=GEMEENTE.get(region, "0000"),
                                provider_agb="11111111", client_birth_date=None,
                                product_category="02", product_code=key, product_key=key,
                                volume=10, unit="04", frequency="6", start=start, end=end)
        return {d.rule for d in registry.deadlines(region, facts)}

    assert {"MIJ-E1", "MIJ-E8", "MIJ-E9"} <= deadline_rules("midden_ijssel", "02A56")
    assert {"GM-P4", "GM-P5", "GM-P8", "GM-E1", "GM-E2"} <= deadline_rules("geldrop_mierlo", "02B01")
    assert "G1-E1" in deadline_rules("generic_001", "02A04")
    deadline_status = {rule for rule, status in STATUS.items() if status == "deadline"}
    assert deadline_status == {"MIJ-E9", "GM-P4", "GM-P5", "GM-P8", "G1-E1"}


def test_every_implemented_rule_has_a_test_that_breaks_it_or_checks_its_effect():
    broken = {case[0] for case in BREAKS}
    by_effect = {"MIJ-E5", "MIJ-E6", "MIJ-E7", "GM-P1", "GM-P2", "GM-E6", "G1-E2"}
    # Rules of the plan's lifecycle, broken in the tests the table names.
    by_lifecycle = {"MIJ-P1": "test_plan_services.py", "GM-P3": "test_plan_services.py",
                    "GM-P7": "test_plan_queue.py",
                    **{rule: "test_plan_workflow.py" for rule in (
                        "GM-P6", "GM-P13", "GM-P14", "GM-E1", "GM-E3", "GM-E4", "GM-E5", "GM-E6",
                        "GM-E7", "MIJ-E8", "ML-P3")}}
    here = Path(__file__).resolve().parent
    for rule, test_file in by_lifecycle.items():
        assert rule in STATUS and test_file in STATUS_TEXT[rule]
        assert (here / test_file).exists()
        if test_file == "test_plan_workflow.py":  # its tests name the rule they break
            assert re.search(rf"\b{rule}\b", (here / test_file).read_text(encoding="utf-8")), rule
    by_effect |= set(by_lifecycle)
    implemented = {rule for rule, status in STATUS.items() if status in ("implemented", "partly")}
    assert implemented - broken - by_effect == set()
    assert broken <= implemented


@pytest.mark.skipif(not REGION_RULES.is_dir() and not REGION_RULES.is_file(),
                    reason="../shared/docs is not beside the project")
def test_every_plan_and_evaluation_rule_of_region_rules_has_a_status():
    text = REGION_RULES.read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| ((?:MIJ|ML|GM|G1|G3)-[PE]\d+) \|", text, re.M))
    assert len(listed) == 58
    assert listed == set(STATUS)
    for rule, mark in re.findall(r"^\| ((?:MIJ|ML|GM|G1|G3)-[PE]\d+) \|.*\| (\[[MPH]\])", text, re.M):
        assert f"| {rule} {mark} |" in __doc__, f"{rule} is {mark} in region-rules.md"

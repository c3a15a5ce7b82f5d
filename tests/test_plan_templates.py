"""Plan and evaluation templates as region data: every region's templates load and cite their seeds,
broken template data is refused naming file, template, section and field, and any template renders
as a WTForms form (conditions, goal rows without JavaScript, Dutch messages, HTML kept as text)."""

import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict

from portal.plans.checks import SAVE, SUBMIT, CheckResult, check_content, reviewer_checklist
from portal.plans.form_builder import build_form
from portal.plans.templates import (
    EVALUATION,
    FIELD_KINDS,
    PLAN,
    RULE_KINDS,
    TERM_KINDS,
    TemplateContext,
    load_template_file,
    requirement_text,
)
from portal.plugins.errors import RegionLoadError
from portal.plugins.hookspecs import hookimpl
from portal.plugins.manager import RegionRegistry
from portal.plugins.types import Finding, Municipality, Product, Region, Severity

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
TEMPLATE_FILES = sorted(ROOT.glob("regions/*/plan_templates.toml")) + \
    sorted(ROOT.glob("regions/generic/data/templates/*.toml"))


@pytest.fixture(scope="module")
def registry():
    return RegionRegistry.create({"WMO_REGIONS": [], "WMO_GENERIC_REGIONS_DIR": None})


@pytest.fixture
def web():
    """A bare Flask app: forms need a request, not the portal's database."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False, WTF_I18N_ENABLED=False)
    return app


def templates_of(registry):
    for region in registry.regions():
        for product in registry.products(region.code):
            for kind, template in ((PLAN, registry.plan_template(region.code, product)),
                                   (EVALUATION, registry.evaluation_template(region.code, product))):
                if template is not None:
                    yield region.code, product, kind, template


# -- every region's templates load and cite their seeds ---------------------------------------

def test_every_bundled_region_serves_templates(registry):
    served = {(region, kind) for region, _p, kind, _t in templates_of(registry)}
    for region in ("midden_ijssel", "midden_limburg", "geldrop_mierlo", "generic_001"):
        assert {(region, PLAN), (region, EVALUATION)} <= served
    assert ("generic_003", PLAN) in served
    assert len(TEMPLATE_FILES) == 5


def test_templates_are_typed_and_every_part_cites_a_source(registry):
    for region, product, kind, template in templates_of(registry):
        assert template.kind == kind and product.key in template.products
        assert template.source, template.id
        for section in template.sections:
            assert section.source, (region, template.id, section.key)
            for f in section.fields:
                assert f.kind in FIELD_KINDS
                assert f.source, (region, template.id, f.key)
                assert all(p.source for p in f.parts), (region, template.id, f.key)
                if f.required:
                    assert f.rule, (region, template.id, f.key)
        for rule in template.rules:
            assert rule.kind in RULE_KINDS and rule.source
        for item in template.checklist:
            assert item.rule and item.text and item.source
        for term in template.terms:
            assert term.kind in TERM_KINDS and term.source and term.message


def cited_lines(citation: str) -> str:
    text, seed = [], None
    for part in re.split(r",\s*", citation):
        match = re.fullmatch(r"(?:(\d{3}):)?(\d+)(?:-(\d+))?", part.strip())
        assert match, f"unreadable citation {citation!r}"
        seed = match.group(1) or seed
        path = next(SEEDS.glob(f"{seed}_*.txt"))
        lines = path.read_text(encoding="utf-8").splitlines()
        first, last = int(match.group(2)), int(match.group(3) or match.group(2))
        assert 1 <= first <= last <= len(lines), f"{citation} is outside {path.name}"
        text.extend(lines[first - 1:last])
    return "\n".join(text)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_every_citation_names_lines_that_exist(registry):
    for _region, _product, _kind, template in templates_of(registry):
        citations = [template.source] + [s.source for s in template.sections] + \
            [f.source for f in template.all_fields()] + \
            [p.source for f in template.all_fields() for p in f.parts] + \
            [r.source for r in template.rules] + [c.source for c in template.checklist] + \
            [t.source for t in template.terms]
        for citation in citations:
            assert cited_lines(str(citation))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
@pytest.mark.parametrize("region, product, kind, key, words", [
    ("midden_ijssel", "02A16", PLAN, "doelen", "acties en hulpbronnen"),
    ("midden_ijssel", "02A16", PLAN, "doelen.frequentie", "frequentie en evaluatiemomenten"),
    ("midden_ijssel", "02A16", PLAN, "akkoord_client", "overeenstemming"),
    ("midden_ijssel", "02A63", EVALUATION, "advies_vervolgstap", "Advies aanbieder"),
    ("midden_ijssel", "02A63", EVALUATION, "focus", "Stabiel houden"),
    ("midden_ijssel", "02A16", EVALUATION, "schriftelijk_akkoord", "schriftelijk akkoord"),
    ("midden_ijssel", "02A16", EVALUATION, "doelen_behaald", "stopt hier de evaluatie"),
    ("midden_limburg", "BGG", PLAN, "dagverdeling", "dagverdeling wordt opgenomen"),
    ("midden_limburg", "BGI", PLAN, "resultaten.activiteitstype", "Toezien"),
    ("midden_limburg", "BGI", PLAN, "opleidingsniveau_opsteller", "MBO-3"),
    ("midden_limburg", "BGI-complex", EVALUATION, "ingezette_uren", "ingezette aantal uur"),
    ("geldrop_mierlo", "02B01", PLAN, "geboortedatum", "geboortedatum"),
    ("geldrop_mierlo", "02B01", PLAN, "doelen.doelstelling", "SMART"),
    ("geldrop_mierlo", "02B01", PLAN, "situaties_flexibel", "flexibele inzet"),
    ("geldrop_mierlo", "02B01", PLAN, "groepsbegeleiding", "groepsbegeleiding"),
    ("geldrop_mierlo", "02B01", EVALUATION, "advies_herindicatie", "herindicatie"),
    ("geldrop_mierlo", "02B01", EVALUATION, "soort", "eindevaluatie"),
    ("geldrop_mierlo", "02B01", EVALUATION, "datum_melding_herindicatie", "(her)indicatie"),
    ("midden_ijssel", "02A63", EVALUATION, "aanleiding", "einde traject"),
    ("generic_001", "02A20", PLAN, "opleidingsniveau_opsteller", "HBO"),
    ("generic_003", "BI-regulier", PLAN, "opleidingsniveau_opsteller", "mbo-4"),
])
def test_key_fields_stand_on_the_seed_lines_they_cite(registry, region, product, kind, key, words):
    template = (registry.plan_template if kind == PLAN else registry.evaluation_template)(
        region, registry.product(region, product))
    field_key, _, part_key = key.partition(".")
    f = template.field(field_key)
    if part_key:
        f = next(p for p in f.parts if p.key == part_key)
    assert words.lower() in " ".join(cited_lines(str(f.source)).split()).lower()


# -- bad template data is refused with a clear message -----------------------------------------

GOOD = '''
[product_groups]
alles = ["P1", "P2"]

[[templates]]
id = "proefplan"
kind = "plan"
title = "Proefplan"
source = "999:1"

  [[templates.sections]]
  key = "algemeen"
  title = "Algemeen"
  source = "999:2"

    [[templates.sections.fields]]
    key = "keuze"
    kind = "choice"
    label = "Keuze"
    choices = [["a", "A"], ["b", "B"]]
    source = "999:3"

    [[templates.sections.fields]]
    key = "uitleg"
    kind = "textarea"
    label = "Uitleg"
    required_when = { field = "keuze", values = ["b"] }
    rule = "PR-P1"
    source = "999:4"

    [[templates.sections.fields]]
    key = "doelen"
    kind = "goals"
    label = "Doelen"
    required = true
    rule = "PR-P2"
    source = "999:5"

      [[templates.sections.fields.parts]]
      key = "doel"
      kind = "textarea"
      label = "Doel"
      required = true
      rule = "PR-P2"
      source = "999:6"

    [[templates.sections.fields]]
    key = "niveau"
    kind = "education_level"
    label = "Niveau"
    only_for_products = ["@alles"]
    source = "999:7"

  [[templates.rules]]
  id = "PR-P3"
  kind = "min_education"
  field = "niveau"
  minimum = "hbo"
  products = ["P1"]
  message = "Minimaal hbo."
  source = "999:8"
'''


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "sjablonen.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_template_file_loads(tmp_path):
    templates = load_template_file(write(tmp_path, GOOD), "proef", {"P1", "P2"}, {"9901"})
    plan = templates.plan_for("P1")
    assert plan.id == "proefplan" and templates.evaluation_for("P1") is None
    assert plan.field("uitleg").required_when.values == ("b",)
    assert plan.field("niveau").only_for_products == {"P1", "P2"}


@pytest.mark.parametrize("change, where, expected", [
    (('kind = "textarea"\n    label = "Uitleg"', 'kind = "memo"\n    label = "Uitleg"'),
     "sjabloon proefplan, sectie algemeen, veld uitleg", "veld 'kind' ('memo') moet een van"),
    (('source = "999:4"', 'sorce = "999:4"'),
     "sjabloon proefplan, sectie algemeen, veld uitleg", "onbekend veld 'sorce'"),
    (('source = "999:4"', ''),
     "sjabloon proefplan, sectie algemeen, veld uitleg", "veld 'source' ontbreekt"),
    (('rule = "PR-P1"', ''),
     "sjabloon proefplan, sectie algemeen, veld uitleg", "veld 'rule' ontbreekt"),
    (('rule = "PR-P1"', 'rule = "regel een"'),
     "veld uitleg", "veld 'rule' ('regel een') is geen regelcode"),
    (('values = ["b"]', 'values = ["c"]'),
     "veld uitleg", "'required_when' noemt onbekende waarde(n) c van veld 'keuze'"),
    (('field = "keuze"', 'field = "kuze"'), "veld uitleg", "'required_when' noemt onbekend veld 'kuze'"),
    (('choices = [["a", "A"], ["b", "B"]]', ''), "veld keuze", "een keuzeveld heeft 'choices' nodig"),
    (('key = "doel"', 'key = "Doel!"'), "veld doelen, onderdeel Doel!", "moet beginnen met een kleine letter"),
    (('key = "uitleg"', 'key = "keuze"'), "veld keuze", "deze veldnaam komt al eerder in het sjabloon voor"),
    (('key = "uitleg"', 'key = "indienen"'), "veld indienen", "gereserveerde naam"),
    (('only_for_products = ["@alles"]', 'only_for_products = ["@niets"]'),
     "veld niveau", "onbekende productgroep '@niets'"),
    (('alles = ["P1", "P2"]', 'alles = ["P1", "P9"]'), "productgroep alles", "onbekend product 'P9'"),
    (('minimum = "hbo"', 'minimum = "master"'), "regel PR-P3", "veld 'minimum' moet een van"),
    (('field = "niveau"', 'field = "uitleg"'), "regel PR-P3", "moet naar een veld van soort education_level"),
    (('kind = "plan"', 'kind = "verslag"'), "sjabloon proefplan", "veld 'kind' moet \"plan\" of \"evaluation\""),
    (('required = true\n    rule = "PR-P2"', 'required = "ja"\n    rule = "PR-P2"'),
     "veld doelen", "veld 'required' moet true of false zijn"),
])
def test_broken_template_is_refused_naming_file_template_section_and_field(
        tmp_path, change, where, expected):
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(RegionLoadError) as error:
        load_template_file(path, "proef", {"P1", "P2"}, {"9901"})
    message = str(error.value)
    assert str(path) in message and "proef" in message
    assert where in message and expected in message
    assert "failed to load" in message  # and in English


TERM = '''
  [[templates.terms]]
  id = "PR-P6"
  kind = "support_start"
  field = "datum"
  werkdagen = 5
  message = "Start binnen 5 werkdagen."
  source = "999:9"
'''


@pytest.mark.parametrize("change, expected", [
    (("", ""), None),
    (('field = "datum"', 'field = "uitleg"'), "veld 'field' moet een datumveld van het sjabloon noemen"),
    (('werkdagen = 5', 'werkdagen = 0'), "veld 'werkdagen' moet een geheel getal van minstens 1"),
    (('werkdagen = 5', ''), "veld 'werkdagen' ontbreekt voor soort 'support_start'"),
    (('kind = "support_start"', 'kind = "extra_request"'), "soort 'extra_request' hoort bij een evaluatiesjabloon"),
    (('kind = "support_start"', 'kind = "later"'), "veld 'kind' ('later') moet een van"),
    (('source = "999:9"', ''), "veld 'source' ontbreekt"),
])
def test_a_templates_workflow_terms_are_checked_on_load(tmp_path, change, expected):
    old, new = change
    with_date = GOOD.replace('''  [[templates.rules]]''', '''  [[templates.sections]]
  key = "bespreking"
  title = "Bespreking"
  source = "999:9"

    [[templates.sections.fields]]
    key = "datum"
    kind = "date"
    label = "Besproken op"
    source = "999:9"

''' + TERM.replace(old, new, 1) + '''
  [[templates.rules]]''', 1)
    path = write(tmp_path, with_date)
    if expected is None:
        plan = load_template_file(path, "proef", {"P1", "P2"}, {"9901"}).plan_for("P1")
        [term] = plan.terms_of("support_start", "P1")
        assert (term.id, term.params["werkdagen"], str(term.source)) == ("PR-P6", 5, "999:9")
        return
    with pytest.raises(RegionLoadError) as error:
        load_template_file(path, "proef", {"P1", "P2"}, {"9901"})
    assert "termijn PR-P6" in str(error.value) and expected in str(error.value)


def test_two_plan_templates_for_one_product_are_refused(tmp_path):
    second = GOOD.split("[[templates]]", 1)[1].replace('id = "proefplan"', 'id = "tweede"')
    with pytest.raises(RegionLoadError, match="product 'P1' heeft al een plansjabloon"):
        load_template_file(write(tmp_path, GOOD + "[[templates]]" + second), "proef", {"P1", "P2"})


def test_invalid_toml_and_missing_file_are_refused_with_the_file_named(tmp_path):
    path = write(tmp_path, "[[templates]\n")
    with pytest.raises(RegionLoadError, match="geen geldige TOML") as error:
        load_template_file(path, "proef")
    assert str(path) in str(error.value)
    with pytest.raises(RegionLoadError, match="sjablonenbestand niet gevonden"):
        load_template_file(tmp_path / "weg.toml", "proef")


def test_generic_region_reads_templates_beside_its_region_file(tmp_path, registry):
    (tmp_path / "templates").mkdir()
    (tmp_path / "proef.toml").write_text(
        '[region]\ncode = "proef"\nname = "Proef"\n[[municipalities]]\ncode = "9901"\nname = "P"\n'
        '[[products]]\nkey = "P1"\nname = "Eén"\ncategory = "02"\nsource = "999:1"\n'
        '[[products]]\nkey = "P2"\nname = "Twee"\ncategory = "02"\nsource = "999:1"\n',
        encoding="utf-8")
    settings = {"WMO_REGIONS": ["proef"], "WMO_GENERIC_REGIONS_DIR": str(tmp_path)}
    (tmp_path / "templates" / "proef.toml").write_text(GOOD.replace('"999:4"', '"999:4"\nbad = 1'),
                                                      encoding="utf-8")
    with pytest.raises(RegionLoadError, match="onbekend veld 'bad'") as error:
        RegionRegistry.create(settings)
    assert "proef.toml" in str(error.value)
    (tmp_path / "templates" / "proef.toml").write_text(GOOD, encoding="utf-8")
    served = RegionRegistry.create(settings)
    assert served.plan_template("proef", served.product("proef", "P1")).id == "proefplan"


class DictPlugin:
    """A third-party plugin that hands its template as plain data."""

    name = "dict_plugin"

    def __init__(self, template):
        self.template = template

    @hookimpl
    def wmo_regions(self):
        return [Region("dict", "Dict", self.name, (Municipality("9902", "D"),))]

    @hookimpl
    def wmo_products(self, region):
        return [Product("D1", "Dingen", "02", None, None, None)] if region == "dict" else None

    @hookimpl
    def wmo_plan_template(self, region, product):
        return self.template if region == "dict" else None


def test_a_plugins_plain_data_template_is_checked_and_typed():
    plain = {"id": "d", "kind": "plan", "title": "D", "products": ["D1"], "source": "x:1",
             "sections": [{"key": "s", "title": "S", "source": "x:2", "fields": [
                 {"key": "f", "kind": "text", "label": "F", "source": "x:3"}]}]}
    settings = {"WMO_REGIONS": [], "WMO_GENERIC_REGIONS_DIR": None}
    good = RegionRegistry.create(settings, [DictPlugin(plain)], load_entry_points=False)
    assert good.plan_template("dict", good.product("dict", "D1")).field("f").label == "F"
    broken = {**plain, "sections": [{**plain["sections"][0], "fields": [{"key": "f", "kind": "x"}]}]}
    bad = RegionRegistry.create(settings, [DictPlugin(broken)], load_entry_points=False)
    with pytest.raises(RegionLoadError, match="sectie s, veld f"):
        bad.plan_template("dict", bad.product("dict", "D1"))


# -- forms ---------------------------------------------------------------------------------------

def mij(registry, key, kind=PLAN):
    product = registry.product("midden_ijssel", key)
    get = registry.plan_template if kind == PLAN else registry.evaluation_template
    return get("midden_ijssel", product)


def test_form_has_the_fields_of_its_product_only(registry, web):
    with web.test_request_context():
        basis = build_form(mij(registry, "02A16"), TemplateContext("02A16", "0232"))
        assert "opleidingsniveau_opsteller" in basis._fields
        assert "opleidingsniveau_eindverantwoordelijke" not in basis._fields
        groep = build_form(mij(registry, "07A11"), TemplateContext("07A11", "0232"))
        assert "opleidingsniveau_eindverantwoordelijke" in groep._fields
        assert "opleidingsniveau_opsteller" not in groep._fields
        assert [section.key for section, _fields in groep.layout()] == \
            ["opsteller", "doelen_acties_hulpbronnen", "regie_en_akkoord"]
        assert len(groep.doelen.entries) == 3  # empty goal rows offered
        assert [f.short_name for f in groep.doelen.entries[0].form] == \
            ["doel", "acties", "frequentie", "evaluatiemoment"]


def test_conditions_on_gemeente_and_product_decide_which_fields_exist(registry, web):
    with web.test_request_context():
        awm = build_form(mij(registry, "02A63", EVALUATION), TemplateContext("02A63", "0200"))
        epe = build_form(mij(registry, "02A63", EVALUATION), TemplateContext("02A63", "0232"))
        basis = build_form(mij(registry, "02A16", EVALUATION), TemplateContext("02A16", "0200"))
    assert "hulpbronnen" not in awm._fields and "ondersteuning_hulpbronnen" not in awm._fields
    assert "hulpbronnen" in epe._fields and "advies_vervolgstap" in epe._fields
    assert "hulpbronnen" in basis._fields and "advies_vervolgstap" not in basis._fields


def test_required_ness_follows_the_other_answers(registry):
    template = registry.plan_template("geldrop_mierlo", registry.product("geldrop_mierlo", "02B01"))
    context = TemplateContext("02B01", "1771")
    flexible = template.field("situaties_flexibel")
    assert not flexible.is_required({"inzet": "vast"}, context)
    assert flexible.is_required({"inzet": "deels"}, context)
    assert requirement_text(template, flexible, context) == \
        "Verplicht als ‘Inzet’ ‘Deels vast, deels flexibel’ of ‘Volledig flexibel’ is."
    group = template.field("groepsbegeleiding")
    assert not group.is_required({}, context)
    assert group.is_required({}, TemplateContext("02B01", "1771", other_products=frozenset({"02G01"})))
    evaluation = mij(registry, "02A16", EVALUATION)
    future = evaluation.field("toekomstige_doelen")
    ctx = TemplateContext("02A16", "0232")
    assert future.is_required({"doelen_behaald": "nee"}, ctx)
    assert not future.is_required({"doelen_behaald": "ja"}, ctx)
    assert requirement_text(evaluation, future, ctx) == \
        "Verplicht, behalve als ‘Zijn de doelen behaald?’ ‘Ja’ is."
    consent = evaluation.field("schriftelijk_akkoord")
    assert requirement_text(evaluation, consent, ctx) == "Verplicht. Indienen kan alleen met ‘Ja’."


def test_the_hint_of_a_field_says_whether_it_is_required_and_cites_the_seed(registry, web):
    with web.test_request_context():
        form = build_form(mij(registry, "02A16"), TemplateContext("02A16", "0232"))
        report = build_form(mij(registry, "02A16", EVALUATION), TemplateContext("02A16", "0232"))
    assert form.hulpbronnen.description.startswith("Bijvoorbeeld eigen kracht")
    assert form.hulpbronnen.description.endswith("Verplicht. Bron: 000:74, 56, 98-102.")
    assert report.schriftelijk_akkoord.description == \
        "Verplicht. Indienen kan alleen met ‘Ja’. Bron: 000:82, 42."


PLAN_POST = {
    "opsteller": "A. Jansen", "opleidingsniveau_opsteller": "hbo",
    "doelen-0-doel": "Zelf de administratie bijhouden", "doelen-0-acties": "Wekelijks samen post",
    "doelen-0-frequentie": "1x per week", "doelen-0-evaluatiemoment": "01-06-2026",
    "doelen-1-doel": "", "doelen-1-acties": "", "doelen-1-frequentie": "",
    "doelen-1-evaluatiemoment": "",
    "doelen-2-doel": "Boodschappen plannen", "doelen-2-acties": "",
    "doelen-2-frequentie": "", "doelen-2-evaluatiemoment": "",
    "hulpbronnen": "Zus helpt", "regie": "", "akkoord_client": "ja",
    "datum_akkoord": "2026-02-01",
}


def test_posted_goals_become_content_without_empty_rows(registry, web):
    with web.test_request_context(method="POST", data={**PLAN_POST, "opslaan": "1"}):
        form = build_form(mij(registry, "02A16"), TemplateContext("02A16", "0232"))
        assert form.validate(), form.errors
        assert form.stage() == SAVE
        content = form.content()
    assert content["doelen"] == [
        {"doel": "Zelf de administratie bijhouden", "acties": "Wekelijks samen post",
         "frequentie": "1x per week", "evaluatiemoment": "2026-06-01"},
        {"doel": "Boodschappen plannen", "acties": None, "frequentie": None, "evaluatiemoment": None},
    ]
    assert content["datum_akkoord"] == "2026-02-01" and content["regie"] is None
    assert content["akkoord_client"] == "ja"


def test_findings_land_beside_the_goal_row_they_are_about(registry, web):
    template = mij(registry, "02A16")
    context = TemplateContext("02A16", "0232")
    with web.test_request_context(method="POST", data={**PLAN_POST, "indienen": "1"}):
        form = build_form(template, context)
        assert form.validate() and form.stage() == SUBMIT
        content = form.content()
        findings = check_content(template, content, context)
        assert {(f.rule, f.field) for f in findings} == {
            ("MIJ-P2", "doelen-1-acties"), ("MIJ-P3", "doelen-1-frequentie"),
            ("MIJ-P3", "doelen-1-evaluatiemoment")}
        form.show_findings(findings)
        # content row 1 is the form's third row: the empty second row was left out
        assert form.doelen.entries[2].form.acties.errors[0].startswith("Doelen, acties en hulpbronnen")
        assert form.doelen.entries[2].form.acties.errors[0].endswith("(MIJ-P2)")
        assert not form.doelen.entries[1].form.acties.errors
        assert len(form.summary()) == 3


def test_add_a_row_without_javascript(registry, web):
    template = mij(registry, "02A16")
    data = {**PLAN_POST, "doelen__toevoegen": "Nog een doel toevoegen"}
    with web.test_request_context(method="POST", data=data):
        form = build_form(template, TemplateContext("02A16", "0232"))
        assert form.stage() == "add_row" and form.row_requested() == "doelen"
        assert form.add_row("doelen")
        assert len(form.doelen.entries) == 4
        html = render_template_string("{% for row in form.doelen %}{{ row.doel() }}{% endfor %}"
                                      "{{ form.doelen__toevoegen() }}", form=form)
    assert 'name="doelen-3-doel"' in html and "Zelf de administratie bijhouden" in html
    assert 'type="submit"' in html and 'name="doelen__toevoegen"' in html


def test_no_more_rows_than_the_limit_whatever_is_posted(registry, web):
    data = MultiDict({f"doelen-{i}-doel": f"doel {i}" for i in range(80)})
    with web.test_request_context(method="POST", data=data):
        form = build_form(mij(registry, "02A16"), TemplateContext("02A16", "0232"))
        assert len(form.doelen.entries) == 50
        assert not form.add_row("doelen")


def test_content_survives_a_round_trip_through_the_form(registry, web):
    template = mij(registry, "02A16")
    context = TemplateContext("02A16", "0232")
    with web.test_request_context(method="POST", data=PLAN_POST):
        content = build_form(template, context).content()
    with web.test_request_context():
        again = build_form(template, context, content=content)
        assert again.datum_akkoord.data == date(2026, 2, 1)
        assert again.content() == content


def test_an_evaluation_looks_back_on_the_plans_goals_one_by_one(registry, web):
    template = mij(registry, "02A16", EVALUATION)
    context = TemplateContext("02A16", "0232")
    goals = ["Zelf de administratie bijhouden", "Boodschappen plannen"]
    with web.test_request_context():
        form = build_form(template, context, plan_goals=goals)
        assert [row.form.doel.data for row in form.kijk_terug] == goals
        assert form.kijk_terug.entries[0].form.doel.render_kw == {"readonly": True}
        assert [value for value, _label, *_ in form.kijk_terug.entries[0].form.resultaat.iter_choices()] \
            == ["behaald", "deels", "niet"]
    post = {"kijk_terug-0-doel": "ander doel", "kijk_terug-0-resultaat": "deels",
            "kijk_terug-0-toelichting": "Lukt met hulp", "kijk_terug-1-resultaat": "behaald"}
    with web.test_request_context(method="POST", data=post):
        form = build_form(template, context, plan_goals=goals)
        assert form.validate()
        review = form.content()["kijk_terug"]
    assert review == [
        {"doel": goals[0], "resultaat": "deels", "toelichting": "Lukt met hulp"},  # the plan's words
        {"doel": goals[1], "resultaat": "behaald", "toelichting": None},
    ]
    findings = check_content(template, {"kijk_terug": review}, context)
    missing = [f for f in findings if f.field == "kijk_terug-1-toelichting"]
    assert missing and missing[0].rule == "MIJ-E3"
    assert "‘Boodschappen plannen’" in missing[0].message


# -- bad input -----------------------------------------------------------------------------------

def test_a_date_in_the_wrong_format_gets_a_dutch_message(registry, web):
    data = {**PLAN_POST, "datum_akkoord": "31-02-2026", "doelen-0-evaluatiemoment": "volgende week"}
    with web.test_request_context(method="POST", data=data):
        form = build_form(mij(registry, "02A16"), TemplateContext("02A16", "0232"))
        assert not form.validate()
        assert form.datum_akkoord.errors == [
            "Dit is geen geldige datum. Schrijf de datum als dd-mm-jjjj (bijvoorbeeld 31-03-2026) "
            "of jjjj-mm-dd."]
        assert form.doelen.entries[0].form.evaluatiemoment.errors
    stored = check_content(mij(registry, "02A16"), {"datum_akkoord": "1-2-26"},
                           TemplateContext("02A16", "0232"))
    bad = next(f for f in stored if f.field == "datum_akkoord")
    assert bad.rule == "PLAN-INVOER" and "‘1-2-26’ is geen geldige datum" in bad.message


def test_a_number_or_choice_outside_its_answers_gets_a_dutch_message(registry, web):
    ml = registry.product("midden_limburg", "BGI-complex")
    template = registry.evaluation_template("midden_limburg", ml)
    with web.test_request_context(method="POST", data={"ingezette_uren": "twaalf"}):
        form = build_form(template, TemplateContext("BGI-complex", "0988"))
        assert not form.validate()
        assert form.ingezette_uren.errors == ["Dit is geen geldig getal. Schrijf bijvoorbeeld 12 of 12,5."]
    with web.test_request_context(method="POST", data={"ingezette_uren": "12,5"}):
        form = build_form(template, TemplateContext("BGI-complex", "0988"))
        assert form.validate() and form.content()["ingezette_uren"] == "12.5"
    with web.test_request_context(method="POST", data={**PLAN_POST, "akkoord_client": "misschien"}):
        form = build_form(mij(registry, "02A16"), TemplateContext("02A16", "0232"))
        assert not form.validate()
        assert form.akkoord_client.errors == ["Kies één van de mogelijkheden."]


def test_html_and_script_in_answers_are_shown_as_text(registry, web):
    script = '<script>alert("x")</script><b>vet</b>'
    template = mij(registry, "02A16", EVALUATION)
    page = """{% for section, fields in form.layout() %}<h2>{{ section.title }}</h2>
    {% for f in fields %}{{ f.label() }}<p>{{ f.description }}</p>
    {% if f.type == 'FieldList' %}{% for row in f %}<p>{{ row.form.doel.data }}</p>
    {{ row.form.toelichting() }}{% endfor %}{% else %}{{ f() }}{% endif %}{% endfor %}{% endfor %}
    {% for id, label, message in form.summary() %}<li>{{ message }}</li>{% endfor %}"""
    data = {"stand_van_zaken": script, "kijk_terug-0-toelichting": script}
    with web.test_request_context(method="POST", data=data):
        form = build_form(template, TemplateContext("02A16", "0232"), plan_goals=[script])
        assert form.validate()
        content = form.content()
        assert content["stand_van_zaken"] == script  # stored as typed
        form.show_findings([Finding("X-1", Severity.ERROR, f"Fout in {script}", "stand_van_zaken")])
        html = render_template_string(page, form=form)
    assert "<script>" not in html and "<b>vet</b>" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;b&gt;vet&lt;/b&gt;" in html
    assert html.count("&lt;script&gt;") >= 4  # answer, review text, plan goal, message


# -- save and submit ---------------------------------------------------------------------------

def test_on_save_every_finding_is_a_warning_and_on_submit_errors_block(registry):
    product = registry.product("midden_ijssel", "02A16")
    context = TemplateContext("02A16", "0232")
    findings = registry.validate_plan("midden_ijssel", product, {}, context)
    assert any(f.severity is Severity.ERROR for f in findings)
    saved = CheckResult.at(SAVE, findings)
    assert saved.allowed and not saved.errors and len(saved.warnings) == len(findings)
    submitted = CheckResult.at(SUBMIT, findings)
    assert not submitted.allowed and submitted.errors
    with pytest.raises(ValueError):
        CheckResult.at("later", findings)


def test_the_reviewer_gets_the_templates_checklist(registry):
    zorgcoordinatie = mij(registry, "02A76")
    rules = [item.rule for item in reviewer_checklist(zorgcoordinatie, TemplateContext("02A76"))]
    assert rules == ["MIJ-P2", "MIJ-P4", "MIJ-P8"]
    basis = [item.rule for item in reviewer_checklist(mij(registry, "02A16"), TemplateContext("02A16"))]
    assert "MIJ-P8" not in basis

"""Regions described by data: the TOML format every region package uses, and its schema check.

A region file has a ``[region]`` table, ``[[municipalities]]`` and ``[[products]]`` (see
README.md, "Een regio toevoegen"). Every problem is reported with the file, the product and the
field, so a policy officer can correct the file. Money is written as a string ("90.14"), never as a
TOML float, so that no tariff is ever a binary fraction.

:class:`DataRegionPlugin` serves the regions of one or more such files. The named regions subclass
it to add rules that data cannot express; the generic plugin uses it as it is.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from portal.iwmo.codelists import CATEGORIES, UNITS
from portal.plans.checks import check_content
from portal.plans.templates import (
    EVALUATION,
    PLAN,
    Template,
    TemplateContext,
    TemplateSet,
    load_template_file,
)
from portal.plugins.data_deadlines import KINDS as DEADLINE_KINDS
from portal.plugins.data_deadlines import DataDeadline
from portal.plugins.data_rules import (
    CHECKS,
    CONDITION_PARAMETERS,
    CONTRACT_CHECKS,
    PARAMETERS,
    DataRule,
)
from portal.plugins.errors import RegionLoadError
from portal.plugins.hookspecs import hookimpl
from portal.workdays import DEFAULT_POLICY, POLICIES
from portal.plugins.types import (
    ContractFacts,
    Deadline,
    Finding,
    Municipality,
    Product,
    Region,
    SeedRef,
    Severity,
    TariffVariant,
    ToewijzingFacts,
    ToewijzingField,
)

REGION_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")
CBS_CODE = re.compile(r"[0-9]{4}")
PRODUCT_CODE = re.compile(r"[0-9A-Z]{1,5}")
PRODUCT_KEY = re.compile(r"[0-9A-Za-z_\-]{1,40}")

# The fields each table may have; anything else is a typo the policy officer should hear about.
REGION_FIELDS = {"code", "name", "source", "note", "holiday_policy"}
MUNICIPALITY_FIELDS = {"code", "name", "source"}
PRODUCT_FIELDS = {"key", "code", "name", "category", "unit", "declaration_unit", "tariff",
                  "tariff_unit", "valid_from", "valid_until", "variants", "source", "note",
                  "tariff_derived_from", "tariff_divisor", "placeholder"}
VARIANT_FIELDS = {"key", "label", "tariff", "valid_from", "valid_until", "source"}
TOEWIJZING_FIELD_FIELDS = {"key", "label", "choices", "products", "required", "source", "help"}
RULE_FIELDS = {"id", "kind", "products", "severity", "message", "source"}
DEADLINE_FIELDS = {"id", "kind", "from", "products", "werkdagen", "months", "days", "repeat",
                   "severity", "message", "source"}
TOP_LEVEL_TABLES = {"region", "municipalities", "products", "toewijzing_fields", "rules",
                    "deadlines"}


class RegionData(NamedTuple):
    """Everything one region file describes."""

    region: Region
    products: list[Product]
    fields: list[ToewijzingField]
    rules: list[DataRule]
    deadlines: list[DataDeadline]


class _FileChecker:
    """Reads one region file and collects its problems with their place."""

    def __init__(self, path: Path):
        self.path = path
        self.region_code = path.stem
        self.problems: list[str] = []

    def fail(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def known_fields(self, table: Mapping, allowed: set[str], where: str) -> None:
        for key in sorted(set(table) - allowed):
            self.fail(where, f"onbekend veld '{key}' (toegestaan: {', '.join(sorted(allowed))})")

    def text(self, table: Mapping, key: str, where: str, required: bool = True) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.fail(where, f"veld '{key}' ontbreekt")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"veld '{key}' moet tekst zijn")
            return None
        return value.strip()

    def code(self, table: Mapping, key: str, where: str, allowed: Iterable[str],
             required: bool = True) -> str | None:
        value = self.text(table, key, where, required)
        if value is not None and value not in allowed:
            self.fail(where, f"veld '{key}' heeft onbekende code '{value}'")
            return None
        return value

    def pattern(self, table: Mapping, key: str, where: str, regex: re.Pattern, what: str,
                required: bool = True) -> str | None:
        value = self.text(table, key, where, required)
        if value is not None and not regex.fullmatch(value):
            self.fail(where, f"veld '{key}' ('{value}') is geen {what}")
            return None
        return value

    def day(self, table: Mapping, key: str, where: str) -> date | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, date):
            self.fail(where, f"veld '{key}' moet een datum zijn (JJJJ-MM-DD, zonder aanhalingstekens)")
            return None
        return value

    def money(self, table: Mapping, key: str, where: str) -> Decimal | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(where, f"veld '{key}' moet een bedrag als tekst zijn, bijvoorbeeld \"90.14\"")
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            self.fail(where, f"veld '{key}' ('{value}') is geen bedrag")
            return None
        if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
            self.fail(where, f"veld '{key}' ('{value}') moet een bedrag ≥ 0 met hoogstens 2 decimalen zijn")
            return None
        return amount

    def positive_int(self, table: Mapping, key: str, where: str) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail(where, f"veld '{key}' moet een geheel getal van minstens 1 zijn")
            return None
        return value

    def flag(self, table: Mapping, key: str, where: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.fail(where, f"veld '{key}' moet true of false zijn")
            return False
        return value

    def source(self, table: Mapping, where: str, required: bool) -> SeedRef | None:
        value = self.text(table, "source", where, required)
        return SeedRef(value) if value else None


def load_region_file(path: Path, plugin_name: str) -> RegionData:
    """Read and check one region file; raise RegionLoadError listing every problem found."""
    checker = _FileChecker(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegionLoadError(checker.region_code, str(path), "bestand niet gevonden") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RegionLoadError(checker.region_code, str(path), f"geen geldige TOML: {exc}") from None

    region_table = data.get("region")
    if not isinstance(region_table, dict):
        raise RegionLoadError(checker.region_code, str(path), "tabel [region] ontbreekt")
    checker.known_fields(data, TOP_LEVEL_TABLES, "bestand")
    checker.known_fields(region_table, REGION_FIELDS, "[region]")
    code = checker.pattern(region_table, "code", "[region]", REGION_CODE,
                           "regiocode (kleine letters, cijfers en _)")
    if code:
        checker.region_code = code
    name = checker.text(region_table, "name", "[region]")

    municipalities = _municipalities(checker, data.get("municipalities", []))
    products = _products(checker, data.get("products", []))
    product_keys = {p.key for p in products}
    fields = _toewijzing_fields(checker, data.get("toewijzing_fields", []), product_keys)
    rules = _rules(checker, data.get("rules", []), product_keys, {f.key for f in fields})
    deadlines = _deadlines(checker, data.get("deadlines", []), product_keys)
    policy = checker.code(region_table, "holiday_policy", "[region]", POLICIES, required=False)

    if checker.problems:
        raise RegionLoadError(checker.region_code, str(path), "; ".join(checker.problems))
    region = Region(
        code=code,
        name=name,
        plugin=plugin_name,
        municipalities=tuple(municipalities),
        source=checker.source(region_table, "[region]", required=False),
        note=checker.text(region_table, "note", "[region]", required=False),
        holiday_policy=policy or DEFAULT_POLICY,
    )
    return RegionData(region, products, fields, rules, deadlines)


def _municipalities(checker: _FileChecker, rows: Any) -> list[Municipality]:
    if not isinstance(rows, list):
        checker.fail("[[municipalities]]", "moet een lijst van tabellen zijn")
        return []
    result: list[Municipality] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        where = f"gemeente {index}"
        if not isinstance(row, dict):
            checker.fail(where, "moet een tabel zijn")
            continue
        checker.known_fields(row, MUNICIPALITY_FIELDS, where)
        code = checker.pattern(row, "code", where, CBS_CODE, "CBS-gemeentecode van 4 cijfers")
        name = checker.text(row, "name", where)
        if code in seen:
            checker.fail(where, f"gemeentecode {code} staat er twee keer in")
        if code and name:
            seen.add(code)
            result.append(Municipality(code, name, checker.source(row, where, required=False)))
    return result


def _products(checker: _FileChecker, rows: Any) -> list[Product]:
    if not isinstance(rows, list):
        checker.fail("[[products]]", "moet een lijst van tabellen zijn")
        return []
    result: list[Product] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            checker.fail(f"product nr. {index}", "moet een tabel zijn")
            continue
        label = row.get("code") or row.get("key") or f"nr. {index}"
        where = f"product {label}"
        checker.known_fields(row, PRODUCT_FIELDS, where)
        code = checker.pattern(row, "code", where, PRODUCT_CODE,
                               "iWmo-productcode (hoogstens 5 cijfers/hoofdletters)", required=False)
        key = checker.pattern(row, "key", where, PRODUCT_KEY, "productsleutel",
                              required=False) or code
        if key is None:
            checker.fail(where, "veld 'code' of 'key' is verplicht")
        elif key in seen:
            checker.fail(where, f"product '{key}' staat er twee keer in")
        tariff = checker.money(row, "tariff", where)
        tariff_unit = checker.code(row, "tariff_unit", where, UNITS, required=False)
        if tariff is not None and tariff_unit is None:
            checker.fail(where, "een tarief heeft een 'tariff_unit' nodig")
        product = Product(
            key=key or "",
            name=checker.text(row, "name", where) or "",
            category=checker.code(row, "category", where, CATEGORIES) or "",
            code=code,
            unit=checker.code(row, "unit", where, UNITS, required=False),
            declaration_unit=checker.code(row, "declaration_unit", where, UNITS, required=False),
            tariff=tariff,
            tariff_unit=tariff_unit,
            valid_from=checker.day(row, "valid_from", where),
            valid_until=checker.day(row, "valid_until", where),
            variants=tuple(_variants(checker, row.get("variants", []), where)),
            source=checker.source(row, where, required=True),
            note=checker.text(row, "note", where, required=False),
            tariff_derived_from=checker.text(row, "tariff_derived_from", where, required=False),
            tariff_divisor=checker.positive_int(row, "tariff_divisor", where),
            placeholder=checker.flag(row, "placeholder", where),
        )
        if (product.tariff_derived_from is None) != (product.tariff_divisor is None):
            checker.fail(where, "'tariff_derived_from' en 'tariff_divisor' horen samen")
        if product.tariff_derived_from and product.tariff is not None:
            checker.fail(where, "een afgeleid tarief heeft geen eigen 'tariff'")
        if product.valid_from and product.valid_until and product.valid_until < product.valid_from:
            checker.fail(where, "'valid_until' ligt vóór 'valid_from'")
        if key:
            seen.add(key)
        result.append(product)
    keys = {p.key for p in result} | {p.code for p in result if p.code}
    for product in result:
        if product.tariff_derived_from and product.tariff_derived_from not in keys:
            checker.fail(f"product {product.key}",
                         f"'tariff_derived_from' noemt onbekend product '{product.tariff_derived_from}'")
    return result


def _variants(checker: _FileChecker, rows: Any, product_where: str) -> list[TariffVariant]:
    if not isinstance(rows, list):
        checker.fail(product_where, "'variants' moet een lijst van tabellen zijn")
        return []
    result = []
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            checker.fail(f"{product_where}, variant {index}", "moet een tabel zijn")
            continue
        where = f"{product_where}, variant {row.get('key') or index}"
        checker.known_fields(row, VARIANT_FIELDS, where)
        key = checker.pattern(row, "key", where, PRODUCT_KEY, "variantsleutel")
        result.append(TariffVariant(
            key=key or "",
            label=checker.text(row, "label", where) or "",
            tariff=checker.money(row, "tariff", where),
            valid_from=checker.day(row, "valid_from", where),
            valid_until=checker.day(row, "valid_until", where),
            source=checker.source(row, where, required=False),
        ))
    return result


def _product_list(checker: _FileChecker, row: Mapping, key: str, where: str,
                  product_keys: set[str], required: bool = False) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        checker.fail(where, f"veld '{key}' moet een lijst van productcodes zijn")
        return ()
    if required and not value:
        checker.fail(where, f"veld '{key}' mag niet leeg zijn")
    for unknown in sorted(set(value) - product_keys):
        checker.fail(where, f"veld '{key}' noemt onbekend product '{unknown}'")
    return tuple(value)


def _toewijzing_fields(checker: _FileChecker, rows: Any, product_keys: set[str]) -> list[ToewijzingField]:
    if not isinstance(rows, list):
        checker.fail("[[toewijzing_fields]]", "moet een lijst van tabellen zijn")
        return []
    result = []
    for index, row in enumerate(rows, start=1):
        where = f"toewijzingsveld {row.get('key') or index}" if isinstance(row, dict) else \
            f"toewijzingsveld {index}"
        if not isinstance(row, dict):
            checker.fail(where, "moet een tabel zijn")
            continue
        checker.known_fields(row, TOEWIJZING_FIELD_FIELDS, where)
        choices = row.get("choices", [])
        if not isinstance(choices, list) or not all(
                isinstance(c, list) and len(c) == 2 and all(isinstance(x, str) for x in c)
                for c in choices):
            checker.fail(where, "veld 'choices' moet een lijst van [\"waarde\", \"omschrijving\"] zijn")
            choices = []
        result.append(ToewijzingField(
            key=checker.pattern(row, "key", where, PRODUCT_KEY, "veldnaam") or "",
            label=checker.text(row, "label", where) or "",
            choices=tuple((value, label) for value, label in choices),
            products=_product_list(checker, row, "products", where, product_keys),
            required=checker.flag(row, "required", where) if "required" in row else True,
            source=checker.source(row, where, required=False),
            help=checker.text(row, "help", where, required=False),
        ))
    return result


def _rules(checker: _FileChecker, rows: Any, product_keys: set[str],
           field_keys: set[str]) -> list[DataRule]:
    if not isinstance(rows, list):
        checker.fail("[[rules]]", "moet een lijst van tabellen zijn")
        return []
    result = []
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            checker.fail(f"regel {index}", "moet een tabel zijn")
            continue
        where = f"regel {row.get('id') or index}"
        kind = checker.code(row, "kind", where, {**CHECKS, **CONTRACT_CHECKS})
        parameters = {**PARAMETERS.get(kind or "", {}), **CONDITION_PARAMETERS}
        checker.known_fields(row, RULE_FIELDS | set(parameters), where)
        params = {}
        for name, (expected, required) in parameters.items():
            value = row.get(name)
            if value is None:
                if required:
                    checker.fail(where, f"veld '{name}' ontbreekt voor soort '{kind}'")
                continue
            if isinstance(value, bool) and expected is not bool or not isinstance(value, expected):
                checker.fail(where, f"veld '{name}' heeft het verkeerde type")
                continue
            params[name] = value
        for name in ("needs", "with"):
            if name in params:
                _product_list(checker, row, name, where, product_keys, required=True)
        for name in ("field", "when_field"):
            if name in params and params[name] not in field_keys:
                checker.fail(where, f"veld '{name}' noemt onbekend toewijzingsveld '{params[name]}'")
        for wanted in params.get("needs_each", []):
            if not isinstance(wanted, dict) or not all(
                    isinstance(v, str) and k in field_keys for k, v in wanted.items()):
                checker.fail(where, "veld 'needs_each' moet tabellen van toewijzingsveld = "
                                    "\"waarde\" bevatten")
        if ("when_field" in params) != ("when_values" in params):
            checker.fail(where, "'when_field' en 'when_values' horen samen")
        severity = checker.code(row, "severity", where, {"error", "warning"})
        result.append(DataRule(
            id=checker.text(row, "id", where) or "",
            kind=kind or "",
            severity=Severity(severity or "error"),
            message=checker.text(row, "message", where) or "",
            products=_product_list(checker, row, "products", where, product_keys),
            source=checker.source(row, where, required=True),
            params=params,
        ))
    return result


def _deadlines(checker: _FileChecker, rows: Any, product_keys: set[str]) -> list[DataDeadline]:
    if not isinstance(rows, list):
        checker.fail("[[deadlines]]", "moet een lijst van tabellen zijn")
        return []
    result = []
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            checker.fail(f"termijn {index}", "moet een tabel zijn")
            continue
        where = f"termijn {row.get('id') or index}"
        checker.known_fields(row, DEADLINE_FIELDS, where)
        numbers = {}
        for name in ("werkdagen", "months", "days"):
            value = row.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                checker.fail(where, f"veld '{name}' moet een geheel getal zijn (negatief: ervoor)")
                value = None
            numbers[name] = value
        if all(value is None for value in numbers.values()):
            checker.fail(where, "geef 'werkdagen', 'months' of 'days'")
        repeat = checker.flag(row, "repeat", where)
        if repeat and not numbers["months"]:
            checker.fail(where, "'repeat' herhaalt in maanden: geef 'months'")
        severity = checker.code(row, "severity", where, {"error", "warning"}, required=False)
        result.append(DataDeadline(
            id=checker.text(row, "id", where) or "",
            kind=checker.code(row, "kind", where, DEADLINE_KINDS) or "",
            anchor=checker.code(row, "from", where, {"start", "end", "submitted"}) or "start",
            message=checker.text(row, "message", where) or "",
            products=_product_list(checker, row, "products", where, product_keys),
            werkdagen=numbers["werkdagen"], months=numbers["months"] or 0,
            days=numbers["days"] or 0, repeat=repeat,
            severity=Severity(severity or "warning"),
            source=checker.source(row, where, required=True),
        ))
    return result


# A rule on plan or evaluation content that data cannot express: (product, content, context).
ContentRule = Callable[[Product, Mapping[str, Any], TemplateContext], list[Finding]]


class DataRegionPlugin:
    """A plugin serving the regions written in one or more region files.

    Subclasses set ``name`` and return their files from :meth:`region_files`; they add hook
    implementations for rules that data cannot express. Plan and evaluation templates come from
    the file :meth:`template_file` names; rules on their content that data cannot express are
    functions in ``plan_rules`` and ``evaluation_rules``.
    """

    name = "data"
    plan_rules: tuple[ContentRule, ...] = ()
    evaluation_rules: tuple[ContentRule, ...] = ()

    def __init__(self) -> None:
        self._regions: dict[str, RegionData] = {}
        self._templates: dict[str, TemplateSet] = {}

    def region_files(self, settings: Mapping[str, Any]) -> list[Path]:
        """The region files this plugin serves; every subclass says which (the contract)."""
        raise NotImplementedError(f"{type(self).__name__} must return its region files")

    def template_file(self, region_file: Path) -> Path | None:
        """The plan and evaluation templates of a region file: ``templates/<same name>`` beside
        it, when that exists (portal/plans/templates.py describes the format). A region package
        names its own file."""
        candidate = region_file.parent / "templates" / region_file.name
        return candidate if candidate.is_file() else None

    def serves(self, region: str) -> bool:
        return region in self._regions

    @hookimpl
    def wmo_configure(self, settings: Mapping[str, Any]) -> None:
        self._regions = {}
        self._templates = {}
        for path in self.region_files(settings):
            data = load_region_file(path, self.name)
            if data.region.code in self._regions:
                raise RegionLoadError(data.region.code, str(path), "deze regiocode is al geladen")
            self._regions[data.region.code] = data
            template_path = self.template_file(path)
            self._templates[data.region.code] = load_template_file(
                template_path, data.region.code, [p.key for p in data.products],
                [m.code for m in data.region.municipalities]) if template_path else TemplateSet()

    @hookimpl
    def wmo_regions(self) -> list[Region]:
        return [data.region for data in self._regions.values()]

    @hookimpl
    def wmo_products(self, region: str) -> list[Product] | None:
        data = self._regions.get(region)
        return list(data.products) if data else None

    @hookimpl
    def wmo_toewijzing_fields(self, region: str) -> list[ToewijzingField] | None:
        data = self._regions.get(region)
        return list(data.fields) if data else None

    @hookimpl
    def wmo_validate_toewijzing(self, region: str, toewijzing: ToewijzingFacts) -> list[Finding]:
        data = self._regions.get(region)
        if data is None:
            return []
        return [finding for rule in data.rules for finding in rule.check(toewijzing)]

    @hookimpl
    def wmo_deadlines(self, region: str, toewijzing: ToewijzingFacts) -> list[Deadline] | None:
        data = self._regions.get(region)
        if data is None:
            return None
        found = [d for rule in data.deadlines
                 for d in rule.compute(toewijzing, data.region.holiday_policy)]
        return sorted(found, key=lambda deadline: (deadline.due, deadline.kind))

    @hookimpl
    def wmo_validate_contract(self, region: str, contract: ContractFacts) -> list[Finding]:
        data = self._regions.get(region)
        if data is None:
            return []
        return [finding for rule in data.rules for finding in rule.check_contract(contract)]

    # -- plans and evaluations ------------------------------------------------------------------

    def template(self, region: str, kind: str, product_key: str) -> Template | None:
        templates = self._templates.get(region)
        return templates.for_product(kind, product_key) if templates else None

    @hookimpl
    def wmo_plan_template(self, region: str, product: Product) -> Template | None:
        return self.template(region, PLAN, product.key)

    @hookimpl
    def wmo_evaluation_template(self, region: str, product: Product) -> Template | None:
        return self.template(region, EVALUATION, product.key)

    @hookimpl
    def wmo_validate_plan(self, region: str, product: Product, plan: Mapping[str, Any],
                          context: TemplateContext) -> list[Finding]:
        return self._check(region, PLAN, product, plan, context, self.plan_rules)

    @hookimpl
    def wmo_validate_evaluation(self, region: str, product: Product,
                                evaluation: Mapping[str, Any],
                                context: TemplateContext) -> list[Finding]:
        return self._check(region, EVALUATION, product, evaluation, context, self.evaluation_rules)

    def _check(self, region: str, kind: str, product: Product, content: Mapping[str, Any],
               context: TemplateContext | None, rules: Iterable[ContentRule]) -> list[Finding]:
        template = self.template(region, kind, product.key)
        if template is None:
            return []
        context = replace(context or TemplateContext(), product_key=product.key)
        found = check_content(template, content, context, self._regions[region].region.holiday_policy)
        return found + [finding for rule in rules for finding in rule(product, content, context)]

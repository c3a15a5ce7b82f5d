"""Differential test: the project's iWmo 3.2 schemas (xsd/) against the official ones.

The official schemas and samples in ../shared/iwmo/ are the oracle, never part of the project.
Both schema sets are compiled once per module with lxml; a document is validated by the schema
its root namespace selects, and both sets must give the same verdict (valid or invalid) on:

- every sample in samples/wmo, the JW325 sample rewritten to iWmo (for WMO325), and one
  "enriched" copy of each sample in which every absent optional element has been filled in
  (so that types the samples leave out, such as Budget or RedenWijziging, are exercised too);
- a few thousand mutants generated deterministically from those documents, one defect each:
  values that probe every facet (pattern, enumeration, length, integer range and lexical form,
  date and time oddities), and structural defects (element deleted, duplicated, swapped with a
  sibling, moved to the other namespace, unknown element, attribute, xsi:type / xsi:nil, wrong
  root namespace, wrong BerichtCode).

There is no official WMO325.xsd: its oracle is the iJw JW325.xsd rewritten at run time (into a
temporary directory) to the iWmo namespaces, BerichtCode 485 and the official iWmo basisschema,
as ../shared/docs/iwmo.md sections 2.4 and 6 describe.
"""

from __future__ import annotations

import copy
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

PROJECT_XSD = Path(__file__).resolve().parents[1] / "xsd"
SHARED = Path(__file__).resolve().parents[2] / "shared"
OFFICIAL_IWMO = SHARED / "iwmo" / "xsd-official" / "iwmo-3.2"
OFFICIAL_IJW = SHARED / "iwmo" / "xsd-official" / "ijw-3.2"
SAMPLES = SHARED / "iwmo" / "samples"

pytestmark = pytest.mark.skipif(
    not (OFFICIAL_IWMO.is_dir() and OFFICIAL_IJW.is_dir() and SAMPLES.is_dir()),
    reason=f"official iWmo/iJw schemas and samples not found in {SHARED / 'iwmo'} "
    "(the shared folder must sit beside the project clone)",
)

XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
BASIS_NS = "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"
MESSAGES = ("301", "305", "307", "315", "317", "319", "323", "325")
BERICHT_CODES = {"301": "414", "305": "418", "307": "420", "315": "444",
                 "317": "480", "319": "482", "323": "484", "325": "485"}
# Codes of neighbouring messages (answers, iJw 325, iWmo 2.x declaration) for wrong-code mutants.
OTHER_CODES = ("414", "415", "418", "419", "420", "421", "444", "445", "480", "481", "482",
               "483", "484", "485", "486", "491", "303")
MIN_MUTANTS_PER_MESSAGE = 40


def message_ns(nnn: str) -> str:
    return f"http://www.istandaarden.nl/iwmo/3_2/wmo{nnn}/schema"


def clark(ns: str | None, name: str) -> str:
    return f"{{{ns}}}{name}" if ns else name


def split_clark(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return None, tag


SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


# --------------------------------------------------------------------------------------------
# The WMO325 oracle and the iWmo version of the JW325 sample (iwmo.md 2.4)
# --------------------------------------------------------------------------------------------

def jw_to_iwmo_text(text: str) -> str:
    """Rename the iJw 3.2 namespaces and prefixes of a JW325 schema or message to iWmo 3.2."""
    text = text.replace("http://www.istandaarden.nl/ijw/3_2/basisschema/schema", BASIS_NS)
    text = text.replace("http://www.istandaarden.nl/ijw/3_2/jw325/schema", message_ns("325"))
    text = re.sub(r"\bxmlns:ijw=", "xmlns:iwmo=", text)
    text = re.sub(r"(?<![\w.-])ijw:", "iwmo:", text)
    text = re.sub(r"\bxmlns:jw325=", "xmlns:wmo325=", text)
    text = re.sub(r"(?<![\w.-])jw325:", "wmo325:", text)
    return text


def rewrite_jw325_schema(text: str) -> str:
    text = jw_to_iwmo_text(text)
    text = text.replace('<xs:pattern value="491"/>', '<xs:pattern value="485"/>')
    for old, new in ((">ijw<", ">iwmo<"), (">jw325<", ">wmo325<"), (">0.1.0<", ">1.0.0<")):
        text = text.replace(old, new)  # appinfo
    assert "491" not in text and "ijw/" not in text and "jw325" not in text.replace("wmo325", "")
    return text


def rewrite_jw325_sample(data: bytes) -> bytes:
    root = etree.fromstring(jw_to_iwmo_text(data.decode("utf-8")).encode("utf-8"), SAFE_PARSER)
    ns = {"m": message_ns("325")}
    (code,) = root.xpath("m:Header/m:BerichtCode", namespaces=ns)
    assert code.text == "491"
    code.text = "485"
    for cat in root.xpath("//m:ProductCategorie", namespaces=ns):  # iJw 31-55 -> iWmo 02
        cat.text = "02"
    for prod in root.xpath("//m:ProductCode", namespaces=ns):
        prod.text = "02" + prod.text[2:]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --------------------------------------------------------------------------------------------
# Reading a schema set: global elements, complex type content, simple type facets
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChildDecl:
    name: str
    ns: str  # the element's namespace (elementFormDefault="qualified")
    type_name: str | None  # clark name of a named type, None for an anonymous simple type
    anonymous: etree._Element | None
    min_occurs: int
    unbounded: bool


@dataclass
class Facets:
    """The facets of one simple type as seen by one or both schema sets (union of values)."""

    base: str = "string"  # built-in base: string, integer, date, time
    patterns: set = field(default_factory=set)
    enums: set = field(default_factory=set)
    min_length: set = field(default_factory=set)
    max_length: set = field(default_factory=set)
    min_inclusive: set = field(default_factory=set)
    max_inclusive: set = field(default_factory=set)

    def merge(self, other: Facets) -> Facets:
        assert self.base == other.base, (self.base, other.base)
        return Facets(self.base, self.patterns | other.patterns, self.enums | other.enums,
                      self.min_length | other.min_length, self.max_length | other.max_length,
                      self.min_inclusive | other.min_inclusive,
                      self.max_inclusive | other.max_inclusive)

    def kinds(self) -> set[str]:
        names = {"patterns": "pattern", "enums": "enumeration", "min_length": "minLength",
                 "max_length": "maxLength", "min_inclusive": "minInclusive",
                 "max_inclusive": "maxInclusive"}
        return {facet for attr, facet in names.items() if getattr(self, attr)} | {self.base}


NUMERIC_FACETS = {"minLength": "min_length", "maxLength": "max_length",
                  "minInclusive": "min_inclusive", "maxInclusive": "max_inclusive"}


class SchemaSet:
    """Global elements and named types of a set of schema documents, read with lxml."""

    def __init__(self, paths: list[Path]):
        self.elements: dict[str, str] = {}
        self.complex: dict[str, list[ChildDecl]] = {}
        self.simple: dict[str, etree._Element] = {}
        self.docs: dict[str, etree._Element] = {}
        for path in paths:
            doc = etree.parse(str(path), SAFE_PARSER).getroot()
            self.docs[path.name] = doc
            tns = doc.get("targetNamespace")
            for node in doc:
                if node.tag == clark(XS, "element"):
                    self.elements[clark(tns, node.get("name"))] = self.qname(node, node.get("type"))
                elif node.tag == clark(XS, "complexType"):
                    self.complex[clark(tns, node.get("name"))] = [
                        ChildDecl(
                            name=el.get("name"), ns=tns,
                            type_name=self.qname(el, el.get("type")) if el.get("type") else None,
                            anonymous=el.find(clark(XS, "simpleType")),
                            min_occurs=int(el.get("minOccurs", "1")),
                            unbounded=el.get("maxOccurs") == "unbounded",
                        )
                        for el in node.iter(clark(XS, "element"))
                    ]
                elif node.tag == clark(XS, "simpleType"):
                    self.simple[clark(tns, node.get("name"))] = node

    @staticmethod
    def qname(node: etree._Element, value: str) -> str:
        prefix, _, local = value.rpartition(":")
        return clark(node.nsmap[prefix or None], local)

    def facets(self, simple_type: etree._Element) -> Facets:
        restriction = simple_type.find(clark(XS, "restriction"))
        base = self.qname(restriction, restriction.get("base"))
        base_ns, base_local = split_clark(base)
        if base_ns == XS:
            result = Facets(base_local)
        else:  # a restriction of a named type: its facets apply too
            result = copy.deepcopy(self.facets(self.simple[base]))
        enums = {f.get("value") for f in restriction.findall(clark(XS, "enumeration"))}
        if enums:
            result.enums = enums
        for facet in restriction:
            local = split_clark(facet.tag)[1]
            if local == "pattern":
                result.patterns.add(facet.get("value"))
            elif local in NUMERIC_FACETS:
                getattr(result, NUMERIC_FACETS[local]).add(int(facet.get("value")))
        return result

    def decl_facets(self, decl: ChildDecl) -> Facets | None:
        if decl.anonymous is not None:
            return self.facets(decl.anonymous)
        if decl.type_name in self.simple:
            return self.facets(self.simple[decl.type_name])
        return None

    def child_decls(self, type_name: str) -> dict[str, ChildDecl]:
        return {d.name: d for d in self.complex.get(type_name, [])}


@dataclass
class Node:
    """What the walk over a document knows about one element."""

    type_name: str | None  # named type (complex or simple), None when anonymous
    facets: Facets | None  # set for simple content
    simple_name: str | None = None  # named simple type, or the base of an anonymous one


def annotate(root: etree._Element, sets: list[SchemaSet]) -> dict[etree._Element, Node]:
    """Map each element of a valid document to its declared type, facets merged over all sets."""
    result: dict[etree._Element, Node] = {}

    def walk(element, type_name):
        result[element] = Node(type_name, None)
        decl_maps = [s.child_decls(type_name) for s in sets]
        for child in element:
            if not isinstance(child.tag, str):
                continue
            name = split_clark(child.tag)[1]
            decls = [(s, m[name]) for s, m in zip(sets, decl_maps) if name in m]
            if not decls:
                continue
            facets = [s.decl_facets(d) for s, d in decls]
            facets = [f for f in facets if f is not None]
            if facets:
                merged = facets[0]
                for f in facets[1:]:
                    merged = merged.merge(f)
                decl = decls[0][1]
                simple_name = decl.type_name
                if decl.anonymous is not None:
                    restriction = decl.anonymous.find(clark(XS, "restriction"))
                    simple_name = SchemaSet.qname(restriction, restriction.get("base"))
                result[child] = Node(decl.type_name, merged, simple_name)
            else:
                walk(child, decls[0][1].type_name)

    walk(root, sets[0].elements[root.tag])
    return result


# --------------------------------------------------------------------------------------------
# Enriching a sample: add every optional element it leaves out (valid by construction)
# --------------------------------------------------------------------------------------------

SEED_STRINGS = ["A", "Ab1", "1.0.0"] + ["1" * n for n in range(1, 13)]


def xsd_fullmatch(pattern: str, value: str) -> bool:
    # The patterns of these schemas use a subset of XSD regex that Python reads the same way.
    return re.fullmatch(pattern, value) is not None


def seed_value(f: Facets) -> str | None:
    if f.enums:
        return sorted(f.enums)[0]
    if f.base == "integer":
        candidates = sorted(p for p in f.patterns if p.isdigit()) + ["1", "0"]
    elif f.base == "date":
        candidates = ["2023-01-01"]
    elif f.base == "time":
        candidates = ["12:00:00"]
    else:
        candidates = SEED_STRINGS
    for value in candidates:
        if all(xsd_fullmatch(p, value) for p in f.patterns) and \
                all(len(value) >= n for n in f.min_length) and \
                all(len(value) <= n for n in f.max_length):
            return value
    return None


def build_element(decl: ChildDecl, schema: SchemaSet) -> etree._Element | None:
    element = etree.Element(clark(decl.ns, decl.name))
    facets = schema.decl_facets(decl)
    if facets is not None:
        element.text = seed_value(facets)
        return element if element.text is not None else None
    for child_decl in schema.complex[decl.type_name]:
        child = build_element(child_decl, schema)
        if child is None:
            return None
        element.append(child)
    return element


def enrich(root: etree._Element, schema: SchemaSet) -> tuple[etree._Element, set[int]]:
    """A copy of the document with every absent optional element added; the indexes (in
    document order) of the added elements and their descendants."""
    root = copy.deepcopy(root)
    added = []
    types = annotate(root, [schema])
    for element in list(root.iter()):
        node = types.get(element)
        if node is None or node.facets is not None or node.type_name not in schema.complex:
            continue
        decls = schema.complex[node.type_name]
        order = {d.name: i for i, d in enumerate(decls)}
        present = {split_clark(c.tag)[1] for c in element if isinstance(c.tag, str)}
        for position, decl in enumerate(decls):
            if decl.min_occurs or decl.name in present:
                continue
            new = build_element(decl, schema)
            if new is None:
                continue
            children = [c for c in element if isinstance(c.tag, str)]
            index = sum(1 for c in children if order.get(split_clark(c.tag)[1], -1) < position)
            if index < len(children):
                children[index].addprevious(new)
            else:
                element.append(new)
            added.extend(new.iter())
    positions = {e: i for i, e in enumerate(el for el in root.iter() if isinstance(el.tag, str))}
    return root, {positions[e] for e in added}


# --------------------------------------------------------------------------------------------
# Mutants
# --------------------------------------------------------------------------------------------

DATE_PROBES = ["2023-02-29", "2024-02-29", "2023-04-31", "2023-13-01", "2023-00-10",
               "0000-01-01", "0001-01-01", "2023-5-6", "23-05-06", "20230506", "2023/05/06",
               "2023-05-06T00:00:00", "99999-12-31", "2023-05-06 x", "--05-06"]
TIME_PROBES = ["24:00:00", "24:00:01", "00:00:00", "23:59:59", "25:00:00", "12:60:00", "12:34:60",
               "12:34", "1:02:03", "12:34:56.5", "12:34:56.", "123456"]
STRING_PROBES = ["   ", "\t", "\n", "x\ny", " x", "x ", "A B", "a", "Z", "0", "-1", "+1", "1.5",
                 "\u00e9", "\u00c0", "\u00bf", "\u1ef3", "\u1ef4", "A.", "1.0", "01.0.0", "1.00.0",
                 "1.0.0.0", "1.0.0 ", "10.20.30", ".", "x.\n.", "ab-12", "ab12", "12ab",
                 "AB12CD34EF56"]
ENUM_EXTRAS = ["AN", "XK", "UK", "EU", "nl", "NLD", "00", "99", "0", "A", "d", "c", "DC",
               "0000", "0002", "S301", "s300", "9999", "8001", "10", "19"]


@dataclass(frozen=True)
class Mutant:
    message: str
    kind: str  # what the defect probes: pattern, enumeration, length, delete, ...
    what: str  # human-readable description (element path and change)
    data: bytes
    facets: frozenset = frozenset()  # facet kinds of the mutated leaf, for the coverage check
    simple_type: str | None = None  # the mutated leaf's simple type (or restricted base)


def path_of(element: etree._Element) -> str:
    """Bericht/Client/Relaties/Relatie[2]/Naam: a position where an element has namesakes."""
    parts = []
    while element is not None:
        part = split_clark(element.tag)[1]
        parent = element.getparent()
        if parent is not None:
            namesakes = parent.findall(element.tag)
            if len(namesakes) > 1:
                part += f"[{namesakes.index(element) + 1}]"
        parts.append(part)
        element = parent
    return "/".join(reversed(parts))


def next_element(element: etree._Element) -> etree._Element | None:
    following = element.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    return following


def remove_children(element: etree._Element, _doc=None) -> None:
    for child in list(element):
        element.remove(child)


def resize(value: str, length: int, pad: str) -> str:
    return value[:length] if len(value) >= length else value + pad * (length - len(value))


def value_mutations(value: str, f: Facets, full: bool) -> list[tuple[str, str]]:
    """(kind, new value) pairs for a leaf; `full` adds the exhaustive probes (used on the first
    leaf of each distinct facet set in a document)."""
    out = [("length", ""), ("whitespace", f" {value} "), ("whitespace", f"{value}\n")]
    if f.base == "integer":
        for bound in sorted(f.min_inclusive | f.max_inclusive):
            out.append(("integer", str(bound)))
        out += [("integer", str(b + 1)) for b in sorted(f.max_inclusive)]
        out += [("integer", str(b - 1)) for b in sorted(f.min_inclusive)]
        out += [("integer", v) for v in ("+" + value, "00" + value, "-" + value, "-0", value + ".0",
                                         value + ".00", value + ".5", "1e2", "0x1", "9" * 30,
                                         value + "a")]
    elif f.base == "date":
        out += [("date", v) for v in (value + "Z", value + "+02:00", value + "-05:00", "-" + value,
                                      "1" + value)]
        if full:
            out += [("date", v) for v in DATE_PROBES]
    elif f.base == "time":
        out += [("time", v) for v in (value + "Z", value + "+01:00", value + "-01:00", "24:00:00")]
        if full:
            out += [("time", v) for v in TIME_PROBES]
    else:
        pad = "9" if any(p.startswith("[0-9]") for p in f.patterns) or value.isdigit() else "A"
        for n in sorted(f.max_length):
            out += [("length", resize(value, n, pad)), ("length", resize(value, n + 1, pad))]
        for n in sorted(f.min_length):
            out += [("length", resize(value, n, pad))]
            if n > 1:
                out.append(("length", resize(value, n - 1, pad)))
    for pattern in sorted(f.patterns):
        if pattern.isdigit():  # a fixed value (BerichtCode, BerichtVersie, BerichtSubversie)
            out += [("pattern", v) for v in (str(int(pattern) + 1), str(int(pattern) - 1),
                                             "0" + pattern, "+" + pattern, pattern + ".0")]
        else:
            if value:
                swapped = ("A" if value[0].isdigit() else "9") + value[1:]
                out += [("pattern", swapped), ("pattern", value + "-"), ("pattern", "-" + value),
                        ("pattern", " " * len(value)), ("pattern", value[:1] + " " + value[2:])]
            if full:
                out += [("pattern", v) for v in STRING_PROBES]
    if f.enums:
        ordered = sorted(f.enums)
        i = ordered.index(value) if value in ordered else 0
        candidates = ordered if full else ordered[max(i - 1, 0):i + 2]
        out += [("enumeration", v) for v in candidates]
        out += [("enumeration", v) for v in (value.lower(), "0" + value, value + "0", value[1:])]
        if value.isdigit():
            for delta in (-1, 1):
                out.append(("enumeration", str(int(value) + delta).zfill(len(value))))
        if full:
            out += [("enumeration", v) for v in ENUM_EXTRAS]
    return out


def generate_mutants(message: str, root: etree._Element, sets: list[SchemaSet],
                     only: set[int] | None = None, label: str = "sample") -> list[Mutant]:
    """One-defect mutants of `root`; with `only`, just those touching the elements at these
    document-order indexes (used for the elements an enriched copy added)."""
    types = annotate(root, sets)
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    msg_ns = message_ns(message)
    mutants: list[Mutant] = []
    seen_signatures: set = set()
    seen_types: set = set()

    def emit(kind, what, index, change, facets=frozenset(), simple_type=None):
        doc = copy.deepcopy(root)
        doc_elements = [e for e in doc.iter() if isinstance(e.tag, str)]
        change(doc_elements[index], doc)
        data = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
        mutants.append(Mutant(message, kind, f"{label}: {what}", data, facets, simple_type))

    for index, element in enumerate(elements):
        if only is not None and index not in only:
            continue
        path = path_of(element)
        node = types.get(element)
        ns, local = split_clark(element.tag)
        is_root = element.getparent() is None

        # ---- values of leaves ------------------------------------------------------------
        if node is not None and node.facets is not None:
            f = node.facets
            signature = (f.base, frozenset(f.patterns), frozenset(f.enums), frozenset(f.max_length),
                         frozenset(f.min_inclusive), frozenset(f.max_inclusive))
            full = signature not in seen_signatures
            seen_signatures.add(signature)
            value = element.text or ""
            for kind, new in value_mutations(value, f, full):
                def change(e, _doc, new=new):
                    e.text = new
                emit(kind, f"{path} = {new!r}", index, change, frozenset(f.kinds()),
                     node.simple_name)
            if local == "BerichtCode":
                for code in OTHER_CODES:
                    def change(e, _doc, code=code):
                        e.text = code
                    emit("berichtcode", f"{path} = {code}", index, change)

        # ---- structure -------------------------------------------------------------------
        is_complex = node is not None and node.facets is None
        if not is_root:
            emit("delete", f"delete {path}", index, lambda e, _d: e.getparent().remove(e))
            if is_complex:  # catches a list whose only child was made optional
                emit("delete", f"all children of {path} removed", index, remove_children)
            emit("duplicate", f"duplicate {path}", index,
                 lambda e, _d: e.addnext(copy.deepcopy(e)))
            following = next_element(element)
            if following is not None and following.tag != element.tag:
                emit("swap", f"swap {path} with its next sibling", index,
                     lambda e, _d: next_element(e).addnext(e))
            other_ns = BASIS_NS if ns == msg_ns else msg_ns
            emit("namespace", f"{path} moved to {other_ns}", index,
                 lambda e, _d, other_ns=other_ns: setattr(e, "tag", clark(other_ns, local)))
            emit("extra-element", f"unknown element after {path}", index,
                 lambda e, _d: e.addnext(etree.Element(clark(ns, "Extra" + local))))
        if is_complex:
            emit("extra-element", f"unknown child at the end of {path}", index,
                 lambda e, _d: etree.SubElement(e, clark(msg_ns, "Onbekend")))
        elif node is not None:
            emit("extra-element", f"child element inside leaf {path}", index,
                 lambda e, _d: etree.SubElement(e, clark(ns, "Waarde")))
        emit("attribute", f"attribute on {path}", index, lambda e, _d: e.set("soort", "1"))

        # xsi:type naming the declared type (valid when the schemas reuse the type names),
        # a wrong type, and xsi:nil (nothing is nillable); once per declared type.
        if node is not None and node.type_name and node.type_name not in seen_types:
            seen_types.add(node.type_name)
            type_ns, type_local = split_clark(node.type_name)
            prefix = {v: k for k, v in element.nsmap.items()}.get(type_ns)
            if prefix:
                for name in (type_local, "Header" if type_local != "Header" else "Root",
                             "LDT_Naam" if type_local != "LDT_Naam" else "LDT_Taal"):
                    def change(e, _d, name=name, prefix=prefix):
                        e.set(clark(XSI, "type"), f"{prefix}:{name}")
                    emit("xsi", f"xsi:type={prefix}:{name} on {path}", index, change)
            emit("xsi", f"xsi:nil on {path}", index,
                 lambda e, _d: e.set(clark(XSI, "nil"), "true"))

        # ---- the root ----------------------------------------------------------------------
        if is_root:
            for wrong in (BASIS_NS, msg_ns.replace("3_2", "2_1"), msg_ns.replace("3_2", "3_1"),
                          msg_ns.replace("iwmo/3_2/wmo", "ijw/3_2/jw"),
                          message_ns("323" if message != "323" else "301"), None):
                emit("root-namespace", f"root in namespace {wrong}", index,
                     lambda e, _d, wrong=wrong: setattr(e, "tag", clark(wrong, "Bericht")))
            emit("root-namespace", "root renamed to Berichten", index,
                 lambda e, _d: setattr(e, "tag", clark(msg_ns, "Berichten")))
    return mutants


# --------------------------------------------------------------------------------------------
# Module-level cache: compiled schemas, documents, mutants and their verdicts
# --------------------------------------------------------------------------------------------

@dataclass
class Oracle:
    project: dict[str, etree.XMLSchema]  # message namespace -> compiled schema
    official: dict[str, etree.XMLSchema]
    project_set: SchemaSet
    official_set: SchemaSet
    official_dir: Path  # official iWmo schemas plus the rewritten WMO325.xsd
    bases: dict[str, list[tuple[str, bytes]]]  # message -> (label, document)
    mutants: dict[str, list[Mutant]]
    verdicts: dict[str, list[tuple[bool, bool]]]  # (project, official) per mutant


def verdict(schemas: dict[str, etree.XMLSchema], message: str, data: bytes) -> bool:
    """Valid or not, with the schema the root namespace selects (the message's own schema when
    the namespace is not an iWmo 3.2 message namespace)."""
    root = etree.fromstring(data, SAFE_PARSER)
    schema = schemas.get(split_clark(root.tag)[0], schemas[message_ns(message)])
    return schema.validate(root)


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> Oracle:
    official_dir = tmp_path_factory.mktemp("iwmo-oracle")
    for path in OFFICIAL_IWMO.glob("*.xsd"):
        shutil.copyfile(path, official_dir / path.name)
    (official_dir / "WMO325.xsd").write_text(
        rewrite_jw325_schema((OFFICIAL_IJW / "JW325.xsd").read_text("utf-8")), "utf-8")

    def compile_all(directory: Path) -> dict[str, etree.XMLSchema]:
        return {message_ns(m): etree.XMLSchema(etree.parse(str(directory / f"WMO{m}.xsd")))
                for m in MESSAGES}

    files = ["basisschema.xsd"] + [f"WMO{m}.xsd" for m in MESSAGES]
    project_set = SchemaSet([PROJECT_XSD / f for f in files])
    official_set = SchemaSet([official_dir / f for f in files])
    project, official = compile_all(PROJECT_XSD), compile_all(official_dir)

    bases: dict[str, list[tuple[str, bytes]]] = {}
    mutants: dict[str, list[Mutant]] = {}
    verdicts: dict[str, list[tuple[bool, bool]]] = {}
    for m in MESSAGES:
        if m == "325":
            sample = rewrite_jw325_sample((SAMPLES / "jw" / "JW325.xml").read_bytes())
            label = "JW325.xml rewritten to iWmo"
        else:
            sample = (SAMPLES / "wmo" / f"WMO{m}.xml").read_bytes()
            label = f"WMO{m}.xml"
        root = etree.fromstring(sample, SAFE_PARSER)
        enriched, added = enrich(root, official_set)
        enriched_data = etree.tostring(enriched, xml_declaration=True, encoding="UTF-8")
        bases[m] = [(label, sample), (f"{label} with every optional element", enriched_data)]
        sets = [official_set, project_set]
        found = generate_mutants(m, root, sets, label=label) + generate_mutants(
            m, enriched, sets, only=added, label=f"{label} enriched")
        seen = {sample, enriched_data}
        unique = []
        for mutant in found:
            if mutant.data not in seen:
                seen.add(mutant.data)
                unique.append(mutant)
        mutants[m] = unique
        verdicts[m] = [(verdict(project, m, x.data), verdict(official, m, x.data)) for x in unique]
    return Oracle(project, official, project_set, official_set, official_dir, bases, mutants,
                  verdicts)


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("message", MESSAGES)
def test_samples_are_valid_under_both_schema_sets(oracle, message):
    for label, data in oracle.bases[message]:
        code = etree.fromstring(data, SAFE_PARSER).findtext(
            f"{{{message_ns(message)}}}Header/{{{message_ns(message)}}}BerichtCode")
        assert code == BERICHT_CODES[message], label
        assert verdict(oracle.official, message, data), f"official schema rejects {label}"
        assert verdict(oracle.project, message, data), f"project schema rejects {label}"


@pytest.mark.parametrize("message", MESSAGES)
def test_mutants_get_the_official_verdict(oracle, message):
    mutants, verdicts = oracle.mutants[message], oracle.verdicts[message]
    mismatches = [
        f"{m.kind}: {m.what}: project {'valid' if p else 'invalid'}, "
        f"official {'valid' if o else 'invalid'}"
        for m, (p, o) in zip(mutants, verdicts) if p != o
    ]
    assert not mismatches, (
        f"{len(mismatches)} of {len(mutants)} differ:\n" + "\n".join(mismatches[:40]))
    assert len(mutants) >= MIN_MUTANTS_PER_MESSAGE
    official = Counter(o for _, o in verdicts)
    assert official[True] and official[False], "mutants must include valid and invalid documents"
    kinds = {m.kind for m in mutants}
    required = {"length", "whitespace", "pattern", "enumeration", "integer", "date", "delete",
                "duplicate", "swap", "namespace", "attribute", "extra-element", "xsi",
                "root-namespace", "berichtcode"}
    assert required <= kinds, f"no mutants of kind {sorted(required - kinds)}"


def test_mutants_cover_every_facet_and_every_simple_type(oracle):
    all_mutants = [m for ms in oracle.mutants.values() for m in ms]
    kinds = Counter(m.kind for m in all_mutants)
    assert kinds["time"] and kinds["date"] and kinds["integer"]
    facet_kinds = set().union(*(m.facets for m in all_mutants))
    assert {"pattern", "enumeration", "minLength", "maxLength", "minInclusive", "maxInclusive",
            "string", "integer", "date", "time"} <= facet_kinds
    # Every named simple type the project's message schemas use, directly or as the base of an
    # anonymous restriction, is the type of at least one mutated leaf.
    project = oracle.project_set
    used = set()
    for decls in project.complex.values():
        for d in decls:
            if d.type_name in project.simple:
                used.add(d.type_name)
            elif d.anonymous is not None:
                restriction = d.anonymous.find(clark(XS, "restriction"))
                used.add(project.qname(restriction, restriction.get("base")))
    exercised = {m.simple_type for m in all_mutants}
    missing = sorted(split_clark(t)[1] for t in used - exercised)
    assert not missing, f"simple types without mutants: {missing}"


def test_basisschema_declares_no_global_element(oracle):
    for name, doc in oracle.project_set.docs.items():
        globals_ = [e.get("name") for e in doc.findall(clark(XS, "element"))]
        assert globals_ == ([] if name == "basisschema.xsd" else ["Bericht"]), name
    documents = [
        f'<iwmo:{name} xmlns:iwmo="{BASIS_NS}">{text}</iwmo:{name}>'.encode()
        for name, text in (("Identificatie", "1"), ("Datum", "2023-01-01"), ("Bericht", ""),
                           ("CDT_BerichtIdentificatie", ""), ("LDT_Naam", "x"))
    ]
    project_basis = etree.XMLSchema(etree.parse(str(PROJECT_XSD / "basisschema.xsd")))
    official_basis = etree.XMLSchema(etree.parse(str(oracle.official_dir / "basisschema.xsd")))
    for data in documents:
        root = etree.fromstring(data)
        assert not project_basis.validate(root) and not official_basis.validate(root)
        for m in MESSAGES:
            assert not verdict(oracle.project, m, data)
            assert not verdict(oracle.official, m, data)


def test_project_schemas_follow_the_conventions(oracle):
    for name, doc in oracle.project_set.docs.items():
        message = name[3:6] if name.startswith("WMO") else None
        assert doc.get("targetNamespace") == (message_ns(message) if message else BASIS_NS)
        assert doc.get("elementFormDefault") == "qualified"
        for node in doc.iter():
            assert node.get("fixed") is None and node.get("default") is None, name
            assert node.get("nillable") is None, name
        for construct in ("attribute", "choice", "all", "any", "key", "unique", "keyref"):
            assert not doc.findall(f".//{clark(XS, construct)}"), (name, construct)
        imports = doc.findall(clark(XS, "import"))
        if message:
            assert [(i.get("namespace"), i.get("schemaLocation")) for i in imports] == [
                (BASIS_NS, "basisschema.xsd")]
            assert doc.xpath("xs:element/@name", namespaces={"xs": XS}) == ["Bericht"]
        else:
            assert not imports


def test_named_types_are_the_official_ones(oracle):
    # xsi:type="wmo323:Prestatie" must resolve the same way in both sets.
    project, official = oracle.project_set, oracle.official_set
    assert set(project.complex) == set(official.complex)
    assert set(project.simple) == set(official.simple)
    for name, decls in official.complex.items():
        mine = project.complex[name]
        assert [(d.name, d.ns, d.type_name, d.min_occurs, d.unbounded) for d in mine] == [
            (d.name, d.ns, d.type_name, d.min_occurs, d.unbounded) for d in decls], name


def test_rewritten_jw325_oracle_is_an_iwmo_schema(oracle):
    text = (oracle.official_dir / "WMO325.xsd").read_text("utf-8")
    assert f'targetNamespace="{message_ns("325")}"' in text
    assert '<xs:pattern value="485"/>' in text
    data = oracle.bases["325"][0][1]
    jw_sample = (SAMPLES / "jw" / "JW325.xml").read_bytes()
    assert not verdict(oracle.official, "325", jw_sample)  # the iJw sample itself is no iWmo 325
    assert verdict(oracle.official, "325", data)


# Lexical facts of iwmo.md 2.1 and 1 (what lxml accepts), on WMO323 and WMO301 leaves.
LEXICAL_FACTS = [
    ("323", "wmo323:Header/wmo323:BerichtVersie", " 3 ", True),
    ("323", "wmo323:Header/wmo323:BerichtVersie", "03", False),
    ("323", "wmo323:Header/wmo323:BerichtVersie", "+3", False),
    ("323", "wmo323:Header/wmo323:BerichtCode", " 484", False),
    ("323", ".//wmo323:GeleverdVolume", "+4", True),
    ("323", ".//wmo323:GeleverdVolume", "004", True),
    ("323", ".//wmo323:GeleverdVolume", "-0", True),
    ("323", ".//wmo323:GeleverdVolume", " 4 ", True),
    ("323", ".//wmo323:GeleverdVolume", "4.00", False),
    ("323", ".//wmo323:DeclaratieDagtekening", " 2023-01-01 ", True),
    ("323", ".//wmo323:DeclaratieDagtekening", "-2023-01-01", True),
    ("323", ".//wmo323:DeclaratieDagtekening", "12023-01-01", True),
    ("323", ".//wmo323:DeclaratieDagtekening", "2023-02-29", False),
    ("323", ".//wmo323:DeclaratieDagtekening", "0000-01-01", False),
    ("323", ".//wmo323:DeclaratieDagtekening", "2023-5-6", False),
    ("323", ".//wmo323:DeclaratieDagtekening", "2023-01-01Z", False),
    ("323", ".//wmo323:DeclaratieDagtekening", "2023-01-01+02:00", False),
    ("323", ".//iwmo:ReferentieNummer", "   ", True),
    ("323", ".//wmo323:ProductCode", "   ", False),
    ("323", ".//wmo323:DeclaratieNummer", "DN-1", False),
    ("323", "wmo323:Header/wmo323:Ontvanger", " 0384", False),
    ("323", ".//wmo323:Eenheid", " 01", False),
    ("301", ".//wmo301:Toewijzingstijd", "24:00:00", True),
    ("301", ".//wmo301:Toewijzingstijd", "12:00:00Z", False),
    ("301", ".//iwmo:Voorletters", "\u00c0\u1ef3", True),
    ("301", ".//iwmo:Voorletters", "\u1ef4", False),
    ("301", ".//iwmo:LandCode", "AN", False),
    ("301", ".//iwmo:LandCode", "SS", True),
]


@pytest.mark.parametrize(("message", "xpath", "value", "valid"), LEXICAL_FACTS)
def test_documented_lexical_facts(oracle, message, xpath, value, valid):
    root = etree.fromstring(oracle.bases[message][0][1], SAFE_PARSER)
    namespaces = {"iwmo": BASIS_NS, f"wmo{message}": message_ns(message)}
    target = root.xpath(xpath, namespaces=namespaces)[0]
    target.text = value
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert verdict(oracle.official, message, data) is valid
    assert verdict(oracle.project, message, data) is valid


# The differential must notice a wrong project schema: each edit below breaks one fact, and
# some mutant of the message (or a base document) must then get a verdict that differs.
# (file, (text after which to look, old text, new text), message whose documents should notice)
SABOTAGE = [
    ("basisschema.xsd",
     ('name="LDT_Naam"', 'maxLength value="200"', 'maxLength value="201"'), "301"),
    ("basisschema.xsd", ('name="LDT_LandCode"', '<xs:enumeration value="ZW"/>', ""), "301"),
    ("basisschema.xsd", ('name="LDT_Datum"', '<xs:pattern value="[^:Z]*"/>', ""), "323"),
    ("WMO323.xsd", ('name="DeclaratieNummer"', '<xs:pattern value="[a-zA-Z0-9]+"/>', ""), "323"),
    ("WMO301.xsd", ('name="Relatie"', 'maxOccurs=', 'minOccurs="0" maxOccurs='), "301"),
    ("WMO325.xsd",
     ('complexType name="Prestatie"', '<xs:element name="RetourCodes" type="wmo325:RetourCodes"/>',
      ""), "325"),
]


@pytest.mark.parametrize(("file", "edit", "message"), SABOTAGE,
                         ids=[f"{f}:{e[0]}" for f, e, _ in SABOTAGE])
def test_differential_notices_a_broken_schema(oracle, tmp_path, file, edit, message):
    anchor, old, new = edit
    for path in PROJECT_XSD.glob("*.xsd"):
        shutil.copyfile(path, tmp_path / path.name)
    text = (tmp_path / file).read_text("utf-8")
    start = text.index(anchor)
    at = text.index(old, start)
    (tmp_path / file).write_text(text[:at] + new + text[at + len(old):], "utf-8")
    broken = {message_ns(m): etree.XMLSchema(etree.parse(str(tmp_path / f"WMO{m}.xsd")))
              for m in MESSAGES}
    cases = [(data, True) for _, data in oracle.bases[message]]  # the bases are valid
    cases += [(m.data, o) for m, (_, o) in zip(oracle.mutants[message], oracle.verdicts[message])]
    assert any(verdict(broken, message, data) != official for data, official in cases), \
        f"no document tells the broken {file} from the official schema"

"""The core knows no region by name: no region, municipality or product code under portal/.

The forbidden words are read from the bundled region files, so a new product or municipality is
covered without editing this test.
"""

import re
from pathlib import Path

from portal.plugins.region_data import load_region_file

ROOT = Path(__file__).resolve().parent.parent
CORE_FILES = [p for p in (ROOT / "portal").rglob("*")
              if p.is_file() and p.suffix in {".py", ".html", ".toml", ".css", ".txt", ".ini", ".md"}]


def forbidden_words() -> set[str]:
    words: set[str] = set()
    for path in list(ROOT.glob("regions/*/region.toml")) + list(ROOT.glob("regions/generic/data/*.toml")):
        region, products, *_rest = load_region_file(path, "scan")
        words.add(region.code)
        for municipality in region.municipalities:
            words.update({municipality.code, municipality.name})
        for product in products:
            if product.code:
                words.add(product.code)
    return words


def retourcodes() -> set[str]:
    """WJ001 retourcodes, from the project's own basisschema: 0200 is a retourcode and a CBS code."""
    from lxml import etree

    schema = etree.parse(str(ROOT / "xsd" / "basisschema.xsd"))
    return set(schema.xpath("//*[@name='LDT_RetourCode']//*[local-name()='enumeration']/@value"))


def test_core_names_no_region_municipality_or_product():
    words = forbidden_words()
    assert {"midden_ijssel", "0200", "Apeldoorn", "02A16"} <= words  # the scan has teeth
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words)) + r")\b")
    codes = retourcodes()
    assert "0200" in codes
    hits = []
    for path in CORE_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in pattern.finditer(line):
                if match.group(0) in codes and "retourcode" in line.lower():
                    continue  # a retourcode, said to be one on its line
                hits.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert hits == []

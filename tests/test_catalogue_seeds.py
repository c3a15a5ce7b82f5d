"""Every product's code and tariff stand on the seed lines it cites (../shared/seeds/).

A citation is "NNN:L", "NNN:L-M" or a list of those; "NNN" is the seed file's number. The seed of
Geldrop-Mierlo is OCR text, so codes are compared after undoing the OCR confusions region-rules
§6.3 item 17 lists (letter O for zero, a doubled or lower-case v, spaces inside a code).
"""

import re
from pathlib import Path

import pytest

from portal.plugins.region_data import load_region_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
REGION_FILES = sorted(ROOT.glob("regions/*/region.toml")) + \
    sorted(ROOT.glob("regions/generic/data/*.toml"))

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")


def seed_lines(citation: str) -> str:
    """The text of every line a citation names."""
    text = []
    seed = None
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


def ocr_normalised(text: str) -> str:
    text = text.upper().replace(" ", "")
    text = re.sub(r"V+", "V", text)
    return re.sub(r"(?<=[0-9V])O|O(?=[0-9])", "0", text)


def dutch_amount(amount) -> str:
    return f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


@pytest.mark.parametrize("path", REGION_FILES, ids=lambda p: p.parent.name + "/" + p.name)
def test_every_product_stands_on_the_seed_lines_it_cites(path):
    data = load_region_file(path, "seed-check")
    assert data.products
    for product in data.products:
        lines = seed_lines(str(product.source))
        if product.code:
            assert product.code in lines or ocr_normalised(product.code) in ocr_normalised(lines), \
                f"{product.code} is not on {product.source}"
        if product.tariff is not None:
            assert f"€ {dutch_amount(product.tariff)}" in lines, \
                f"{product.code}: tariff {product.tariff} is not on {product.source}"


def test_the_whole_midden_ijssel_tariff_table_is_in_the_catalogue():
    # Bijlage 3 (000:1208-1230): every row's Wmo code, 16-17 code and BW code.
    table = seed_lines("000:1208-1230")
    codes_in_table = set(re.findall(r"\b(?:0[1-8][A-Z0-9]\d\d|15[AG]\d\d)\b", table))
    data = load_region_file(ROOT / "regions/midden_ijssel/region.toml", "seed-check")
    catalogue = {p.code: p for p in data.products}
    assert codes_in_table and codes_in_table == set(catalogue)
    for row in table.splitlines():
        cells = row.split("\t")
        if len(cells) < 6 or not cells[1].startswith("€"):
            continue
        tariff = cells[1].removeprefix("€ ").replace(".", "").replace(",", ".")
        for code in filter(None, (c.strip() for c in cells[5:8])):
            assert str(catalogue[code].tariff) == tariff, code

"""A large file read in pieces (portal.iwmo.pieces) gives the same report as read whole: the same
findings with the same lines and paths, and the web's collector sees the same records once, also
when the pieces give way to the ordinary reading half-way (a comment, a broken file)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from portal.config import region_settings
from portal.iwmo import pieces as pieces_module
from portal.iwmo import validate as validate_module
from portal.iwmo.region_checks import RegionCheck
from portal.iwmo.validate import validate_bytes
from portal.plugins.manager import RegionRegistry

SHARED = Path(__file__).resolve().parents[2] / "shared"
GENERATOR = SHARED / "tools" / "gen_wmo323.py"
SAMPLES = SHARED / "iwmo" / "samples" / "wmo"


def generated(*extra: str, clients: int = 60) -> bytes:
    if not GENERATOR.exists():
        pytest.skip(f"{GENERATOR} ontbreekt")
    result = subprocess.run([sys.executable, str(GENERATOR), "--clients", str(clients),
                             "--lines-per-client", "4", "--month", "2025-10", "--out", "-",
                             *extra], check=True, capture_output=True, timeout=120)
    return result.stdout


def read_both(monkeypatch, data: bytes, region=None):
    """(report, collected records, pieces handed out, whether they gave way) read whole, then
    read in pieces of a few Clients each."""
    results = []
    for in_pieces in (False, True):
        monkeypatch.setattr(validate_module, "PIECES_FROM_BYTES", 0 if in_pieces else 1 << 60)
        monkeypatch.setattr(pieces_module, "PIECE_BYTES", 1500)
        seen = {"pieces": 0, "failed": False}
        original = pieces_module.Pieces.__iter__

        def counting(self, original=original, seen=seen):
            try:
                for piece in original(self):
                    seen["pieces"] += 1
                    yield piece
            except pieces_module.PieceFailed:
                seen["failed"] = True
                raise

        monkeypatch.setattr(pieces_module.Pieces, "__iter__", counting)
        collected = []
        report = validate_bytes(data, "d.xml", region=region, collect=lambda record, line: (
            collected.append((record.kind, record.path, record.line, dict(record), line))))
        results.append((report, collected, seen))
    (whole, whole_records, _), (pieces, piece_records, seen) = results
    assert pieces.errors == whole.errors
    assert pieces.warnings == whole.warnings
    assert piece_records == whole_records
    return whole, whole_records, seen


def break_lines(data: bytes) -> bytes:
    """A copy with rule defects in Clients far apart (so in different pieces): a Bsn failing the
    elfproef, a ReferentieNummer used before (a cross-line rule naming the earlier line), a wrong
    amount, and a total that no longer adds up (a finding at the end about the Declaratie)."""
    text = data.decode()
    bsns = re.findall(r"<wmo323:Bsn>(\d+)</wmo323:Bsn>", text)
    wrong = bsns[7][:-1] + str((int(bsns[7][-1]) + 1) % 10)
    text = text.replace(f"<wmo323:Bsn>{bsns[7]}<", f"<wmo323:Bsn>{wrong}<", 1)
    references = re.findall(r"<iwmo:ReferentieNummer>([^<]+)<", text)
    text = text.replace(references[-3], references[2], 1)
    amounts = [m.start() for m in re.finditer(r"<iwmo:Bedrag>", text)]
    at = amounts[len(amounts) // 2] + len("<iwmo:Bedrag>")
    text = text[:at] + "1" + text[at:]
    text = re.sub(r"<iwmo:TotaalBedrag>(\d+)<", lambda m: f"<iwmo:TotaalBedrag>{m[1]}7<", text)
    return text.encode()


@pytest.mark.parametrize("variant", ["crlf", "lf", "compact"])
def test_a_large_file_in_pieces_gives_the_same_findings_on_the_same_lines(monkeypatch, variant):
    data = generated("--compact") if variant == "compact" else generated()
    if variant == "lf":
        data = data.replace(b"\r\n", b"\n")
    broken = break_lines(data)
    report, records, seen = read_both(monkeypatch, broken)
    assert seen["pieces"] > 20 and not seen["failed"]
    assert {"CS002", "TR314", "TR346", "TR358"} <= {f.code for f in report.errors}
    if variant != "compact":
        assert len({f.line for f in report.errors}) >= 4  # distinct lines, kept across pieces
    assert records[-1][0] == "einde" and sum(r[0] == "Prestatie" for r in records) == 240


def test_with_a_region_the_regions_checks_see_the_same_lines(monkeypatch):
    registry = RegionRegistry.create(region_settings({}), load_entry_points=True)
    region = RegionCheck(registry, "midden_limburg")
    report, _, seen = read_both(monkeypatch, generated(clients=20), region=region)
    assert seen["pieces"] > 5 and not seen["failed"]
    assert "TR381" in {f.code for f in report.errors}  # the generator's codes are not theirs


@pytest.mark.parametrize("odd", ["<!-- opmerking -->", "<![CDATA[]]>", "<?pi x?>"])
def test_a_comment_half_way_gives_way_to_the_ordinary_reading(monkeypatch, odd):
    data = generated()
    clients = [m.start() for m in re.finditer(rb"<wmo323:Client>", data)]
    at = clients[40]
    data = data[:at] + odd.encode() + data[at:]
    if odd.startswith("<![CDATA["):  # CDATA only where text may stand: inside an element
        at = data.index(b"</wmo323:Bsn>", at)
        data = data[:at] + odd.encode() + data[at:]
        data = data.replace(odd.encode() + b"<wmo323:Client>", b"<wmo323:Client>", 1)
    broken = break_lines(data)
    report, records, seen = read_both(monkeypatch, broken)
    assert seen["failed"] and seen["pieces"] > 5
    assert len(records) == len({(r[0], r[1]) for r in records})  # each record once
    assert {"CS002", "TR314", "TR346", "TR358"} <= {f.code for f in report.errors}


def test_a_file_broken_half_way_gets_the_same_error_on_the_same_line(monkeypatch):
    data = generated()
    at = data.index(b"<wmo323:Eenheid>", len(data) * 2 // 3)
    broken = data[:at] + data[at + len(b"<wmo323:Eenheid>"):]  # an end tag without start tag
    report, _, seen = read_both(monkeypatch, broken)
    assert seen["failed"]
    assert [f.code for f in report.errors] == ["XML"]
    assert report.errors[0].line == data[:at].count(b"\n") + 1


def test_a_schema_error_in_a_later_piece_is_found_the_same_way(monkeypatch):
    data = generated()
    at = data.rindex(b"<wmo323:Eenheid>") + len(b"<wmo323:Eenheid>")
    report, _, seen = read_both(monkeypatch, data[:at] + b"9" + data[at:])
    assert seen["pieces"] > 20
    assert {f.code for f in report.errors} == {"XSD"}


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.xml")) if SAMPLES.is_dir() else [])
def test_the_samples_read_in_pieces_give_the_same_report(monkeypatch, sample):
    read_both(monkeypatch, sample.read_bytes())


def test_the_cuts_are_at_plain_client_start_tags_with_the_roots_prefix(monkeypatch):
    data = generated(clients=10)
    other = data.replace(b"wmo323:", b"w:").replace(b"xmlns:wmo323=", b"xmlns:w=")
    at = other.index(b"<w:Client>", len(other) // 2)
    with_attribute = other[:at] + other[at:].replace(b"<w:Client>", b"<w:Client >", 3)
    report, _, seen = read_both(monkeypatch, with_attribute)
    assert seen["pieces"] > 1 and not seen["failed"]  # cut at the plain start tags only
    assert report.errors == []
    # A first Client written otherwise (it would be part of every piece): the ordinary way.
    first = other.replace(b"<w:Client>", b"<w:Client >", 1)
    report, _, seen = read_both(monkeypatch, first)
    assert seen["pieces"] == 0 and report.errors == []


def test_a_client_larger_than_a_piece_may_be_is_read_the_ordinary_way(monkeypatch):
    monkeypatch.setattr(pieces_module, "MAX_PIECE_BYTES", 6000)
    data = generated(clients=30)
    clients = data.split(b"<wmo323:Client>")
    # Client 20 gets the Prestaties of five Clients: more than MAX_PIECE_BYTES without a cut.
    big = clients[20].split(b"</wmo323:Prestaties>")[0] + b"".join(
        c.split(b"<wmo323:Prestaties>")[1].split(b"</wmo323:Prestaties>")[0]
        for c in clients[21:26]) + b"</wmo323:Prestaties>" + clients[20].split(
        b"</wmo323:Prestaties>")[1]
    data = b"<wmo323:Client>".join(clients[:20] + [big] + clients[26:])
    report, records, seen = read_both(monkeypatch, data)
    assert seen["failed"] and seen["pieces"] > 3
    assert len(records) == len({(r[0], r[1]) for r in records})
    assert report.errors == [] and sum(r[0] == "Prestatie" for r in records) == 120


def test_a_piece_is_walked_in_the_order_iterparse_reports_the_ends():
    """Records and heads nested in any way (a broken file may nest anything) come in the order
    of their end tags, as they come reading the whole file."""
    from lxml import etree

    from portal.iwmo.records import _in_end_order

    random = __import__("random").Random(5)
    for _ in range(300):
        root = etree.Element("r")
        elements = [root]
        for _ in range(random.randint(1, 40)):
            elements.append(etree.SubElement(random.choice(elements), random.choice("abcx")))
        expected = [e for _, e in etree.iterwalk(root, events=("end",), tag=["a", "b", "c"])]
        assert [e for _, e in _in_end_order(root.iter("a", "b", "c"))] == expected


def test_odd_records_read_in_pieces_are_read_as_a_whole_file_reads_them(monkeypatch):
    """An empty element, text beside elements, a character reference: the same fields."""
    data = generated(clients=40).decode()
    periods = [m.start() for m in re.finditer("<wmo323:ProductPeriode>", data)]
    at = periods[70] + len("<wmo323:ProductPeriode>")
    data = data[:at] + "tekst" + data[at:]
    units = [m.start() for m in re.finditer("<wmo323:Eenheid>01<", data)]
    data = data[:units[50]] + "<wmo323:Eenheid/>" + data[units[50] + len(
        "<wmo323:Eenheid>01</wmo323:Eenheid>"):]
    data = data.replace("<wmo323:ProductCode>", "<wmo323:ProductCode>&#48;", 1)
    report, records, seen = read_both(monkeypatch, data.encode())
    assert seen["pieces"] > 20 and not seen["failed"]
    assert {f.code for f in report.errors} == {"XSD"}
    assert sum(r[3].get("Eenheid", "?") is None for r in records) == 1
    assert sum((r[3].get("ProductPeriode") or "").startswith("tekst") for r in records) == 1

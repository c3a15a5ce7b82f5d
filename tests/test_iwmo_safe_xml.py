"""Hostile and broken files are refused fast, with a Dutch message, no traceback and no leak.

Nothing here needs the schemas: every refusal happens before or instead of schema validation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.iwmo.validate import validate_bytes

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE_323 = SHARED / "iwmo" / "samples" / "wmo" / "WMO323.xml"
ROOT = (b'<wmo323:Bericht xmlns:wmo323="http://www.istandaarden.nl/iwmo/3_2/wmo323/schema" '
        b'xmlns:iwmo="http://www.istandaarden.nl/iwmo/3_2/basisschema/schema">')
END = b"</wmo323:Bericht>"
SECRET = "Dit-is-geheim-7c1f"  # content of a server file an attacker would like to read

HOSTILE = {
    "xxe": b'<?xml version="1.0"?>\n<!DOCTYPE Bericht [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
           + ROOT + b"&xxe;" + END,
    "billion_laughs": b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                      + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else
                                                             b"&lol;") * 10) for i in range(1, 10))
                      + b"]>\n" + ROOT + b"&lol9;" + END,
    "external_dtd": b'<?xml version="1.0"?>\n<!DOCTYPE Bericht SYSTEM "file://{secret}">\n' + ROOT + END,
    "parameter_entity": b'<!DOCTYPE x [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>' + ROOT + END,
    "doctype_lower_case_after_comment": b"<!-- hallo -->\n<!doctype x>" + ROOT + END,
    "deep_nesting": b'<?xml version="1.0" encoding="UTF-8"?>\n' + ROOT + b"<a>" * 10_000
                    + b"</a>" * 10_000 + END,
    "huge_text_node": ROOT + b"<wmo323:Header>" + b"x" * (11 * 1024 * 1024) + b"</wmo323:Header>" + END,
    "binary": bytes(range(256)) * 64,
    "zip": b"PK\x03\x04" + bytes(200),
    "empty": b"",
    "only_whitespace": b" \r\n\t ",
    "bom": b"\xef\xbb\xbf" + b'<?xml version="1.0" encoding="UTF-8"?>\n' + ROOT + END,
    "utf16": ('<?xml version="1.0" encoding="UTF-16"?>\n' + ROOT.decode() + END.decode()).encode("utf-16"),
    "latin1": b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + ROOT + END,
    "nul_bytes": ROOT + b"\x00\x00" + END,
    "undefined_entity": ROOT + b"\n&xxe;" + END,
    "not_utf8": ROOT + b"\n\xff\xfe" + END,
    "text": b"Dit is geen XML.",
    "two_roots": ROOT + END + ROOT + END,
}


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("server") / "geheim.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def hostile(name: str, secret_file: Path) -> bytes:
    return HOSTILE[name].replace(b"{secret}", str(secret_file).encode())


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_fast_without_leaking(name, secret_file):
    start = time.perf_counter()
    report = validate_bytes(hostile(name, secret_file), f"{name}.xml")
    elapsed = time.perf_counter() - start
    assert not report.valid
    assert report.errors[0].code == "XML", [f.text() for f in report.errors]
    assert elapsed < 10, elapsed  # milliseconds in practice; this only catches a blow-up
    text = " ".join(f.text() for f in report.errors + report.warnings)
    assert SECRET not in text and str(secret_file) not in text
    assert "Traceback" not in text


@pytest.mark.parametrize("name, words", [
    ("xxe", "DOCTYPE"), ("billion_laughs", "DOCTYPE"), ("external_dtd", "DOCTYPE"),
    ("parameter_entity", "DOCTYPE"), ("doctype_lower_case_after_comment", "DOCTYPE"),
    ("deep_nesting", "te diep genest"), ("huge_text_node", "te grote tekst"),
    ("binary", "binair"), ("zip", "ZIP"), ("empty", "leeg"), ("only_whitespace", "witruimte"),
    ("bom", "BOM"), ("utf16", "UTF-16"), ("latin1", "ISO-8859-1"), ("nul_bytes", "NUL"),
    ("undefined_entity", "entiteit &xxe;"), ("not_utf8", "UTF-8"), ("text", "geen XML"),
    ("two_roots", "na het einde"),
])
def test_refusal_says_what_is_wrong_in_dutch(name, words, secret_file):
    report = validate_bytes(hostile(name, secret_file), f"{name}.xml")
    assert words in report.errors[0].message


def test_an_xinclude_is_not_followed(secret_file):
    data = ROOT + (b'<xi:include href="%s" parse="text" xmlns:xi="http://www.w3.org/2001/XInclude"/>'
                   % str(secret_file).encode()) + END
    report = validate_bytes(data, "xinclude.xml")
    assert not report.valid
    assert SECRET not in " ".join(f.text() for f in report.errors)


def test_size_limit():
    report = validate_bytes(ROOT + b" " * 2048 + END, "groot.xml", max_bytes=1024)
    assert not report.valid and "grens" in report.errors[0].message


def test_line_ends_and_file_name_only_warn():
    if not SAMPLE_323.exists():
        pytest.skip("../shared ontbreekt")
    report = validate_bytes(SAMPLE_323.read_bytes().replace(b"\r\n", b"\n"), "declaratie.txt")
    assert report.valid
    assert [f.code for f in report.warnings] == ["OP192", "OP192"]


def test_the_cli_refuses_hostile_files_without_traceback(tmp_path, secret_file):
    paths = []
    for name in ("xxe", "billion_laughs", "external_dtd", "deep_nesting", "binary", "empty", "bom"):
        path = tmp_path / f"{name}.xml"
        path.write_bytes(hostile(name, secret_file))
        paths.append(str(path))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WMO_")}
    result = subprocess.run([sys.executable, "-m", "portal.cli", "validate", "--json", *paths],
                            capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert SECRET not in result.stdout + result.stderr
    import json

    files = json.loads(result.stdout)["files"]
    assert [f["valid"] for f in files] == [False] * len(paths)
    assert all(f["errors"][0]["code"] == "XML" for f in files)

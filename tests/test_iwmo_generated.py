"""Files from ../shared/tools/gen_wmo323.py (the benchmark's generator) validate without errors, and a
defect deep in such a file is found on its line, with the schema check running beside the rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.iwmo import validate as validate_module
from portal.iwmo.validate import validate_path

SHARED = Path(__file__).resolve().parents[2] / "shared"
GENERATOR = SHARED / "tools" / "gen_wmo323.py"


def generate(tmp_path: Path, *extra: str, clients: int = 100) -> Path:
    if not GENERATOR.exists():
        pytest.skip(f"{GENERATOR} ontbreekt")
    out = tmp_path / f"gen-{clients}{''.join(extra)}.xml"
    subprocess.run([sys.executable, str(GENERATOR), "--clients", str(clients),
                    "--lines-per-client", "5", "--month", "2025-10", "--out", str(out), *extra],
                   check=True, capture_output=True, timeout=120)
    return out


def test_a_generated_declaration_has_no_errors(tmp_path):
    path = generate(tmp_path)
    assert path.stat().st_size >= validate_module.PARALLEL_FROM_BYTES  # the two-thread path
    report = validate_path(path)
    assert report.message == "WMO323"
    assert report.errors == [], [f.text() for f in report.errors[:5]]
    # The generator writes the hourly tariff itself as ProductTarief for minute lines: one
    # warning for the file, not an error (see rules/declaratie.py, TR346).
    assert {f.code for f in report.warnings} <= {"TR346"}


def test_a_generated_declaration_without_line_ends_has_no_errors(tmp_path):
    report = validate_path(generate(tmp_path, "--compact", clients=50))
    assert report.errors == []


def test_the_command_accepts_a_generated_declaration(tmp_path):
    path = generate(tmp_path, clients=50)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("WMO_", "IWMO_"))}
    result = subprocess.run([sys.executable, "-m", "portal.cli", "validate", "--json", str(path)],
                            capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert json.loads(result.stdout)["files"][0]["valid"] is True


def test_defects_deep_in_a_large_file_are_found_on_their_lines(tmp_path):
    path = generate(tmp_path)
    lines = path.read_bytes().split(b"\r\n")
    # a rule defect: the last Bsn fails the elfproef
    last_bsn = max(i for i, line in enumerate(lines) if b"<wmo323:Bsn>" in line)
    bsn = lines[last_bsn].split(b">")[1].split(b"<")[0]
    wrong = bsn[:-1] + str((int(bsn[-1:]) + 1) % 10).encode()
    lines[last_bsn] = lines[last_bsn].replace(bsn, wrong)
    broken = tmp_path / "regel.xml"
    broken.write_bytes(b"\r\n".join(lines))
    report = validate_path(broken)
    assert [(f.code, f.line) for f in report.errors] == [("CS002", last_bsn + 1)]

    # a schema defect: the last Eenheid is not a code
    last_unit = max(i for i, line in enumerate(lines) if b"<wmo323:Eenheid>" in line)
    lines[last_unit] = lines[last_unit].replace(b"<wmo323:Eenheid>", b"<wmo323:Eenheid>9")
    broken.write_bytes(b"\r\n".join(lines))
    report = validate_path(broken)
    assert {(f.code, f.line) for f in report.errors} == {("XSD", last_unit + 1)}  # length, code
    assert report.errors[0].path.startswith("/Bericht/Declaratie/Clienten/Client[100]/")

"""pip-audit over the pinned dependencies (constraints.txt), run by `make test` and `make audit`.

Prints the result. Exits 1 when a pinned version has a known vulnerability. pip-audit asks PyPI's
advisory service over the network; when that cannot be reached (no connection, or every package
answered "not found", as behind a registry mirror that serves only the package files), it says so
plainly and exits 0: the run then proves nothing about vulnerabilities, and says that instead of
failing CI for a network it does not control.

    python -m tests.audit_dependencies [constraints.txt]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def audit(constraints: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        done = subprocess.run(
            [sys.executable, "-m", "pip_audit", "--requirement", str(constraints), "--no-deps",
             "--disable-pip", "--progress-spinner", "off", "--format", "json",
             "--output", str(report)],
            capture_output=True, text=True, timeout=600)
        if not report.exists():
            last = (done.stderr.strip().splitlines() or ["(geen uitvoer)"])[-1]
            print("pip-audit: NIET GECONTROLEERD - de advisory-dienst is niet bereikbaar.")
            print(f"  {last[:300]}")
            return 0
        result = json.loads(report.read_text())

    dependencies = result.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    checked = len(dependencies) - len(skipped)
    if dependencies and not checked:
        print(f"pip-audit: NIET GECONTROLEERD - geen van de {len(dependencies)} vastgepinde "
              f"pakketten kon worden opgezocht bij de advisory-dienst (bijvoorbeeld: "
              f"{skipped[0]['skip_reason']}).")
        return 0
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "nog geen"
            print(f"pip-audit: {dependency['name']} {dependency['version']}: {vuln['id']} "
                  f"(opgelost in: {fixes})")
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(f"pip-audit: {len(skipped)} pakket(ten) niet opgezocht: {names}")
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} van {checked} gecontroleerde pakketten hebben een "
              f"bekende kwetsbaarheid.")
        return 1
    print(f"pip-audit: geen bekende kwetsbaarheden in {checked} gecontroleerde pakketten.")
    return 0


if __name__ == "__main__":
    sys.exit(audit(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "constraints.txt"))

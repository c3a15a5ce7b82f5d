"""iWmo figures: `wmo-portal validate` against `xmllint --noout --schema` on the same files.

Generates valid WMO323 declarations of 10,000 and 100,000 prestaties with
../shared/tools/gen_wmo323.py in a temporary directory and prints, per file, the wall time of the
whole `wmo-portal validate` process (XSD and every rule) and of xmllint with the project's
xsd/WMO323.xsd, their ratio, and the peak memory (ru_maxrss) of each process. Each command runs
RUNS times, alternating; the median time and the largest peak are printed, with the CPU seconds
(user + system, median) and the load average: the portal runs three threads on a large file
(schema, parsing, rules), so other work on the machine stretches its time more than xmllint's
single thread, and the ratio means something only when the load is low. Targets (issue #4): at
most 2× xmllint's time, under 250 MB at 100,000 prestaties. xmllint comes from libxml2-utils
(`make bench` installs it when missing); without it only the portal's figures are printed.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT.parent / "shared" / "tools" / "gen_wmo323.py"
SCHEMA = ROOT / "xsd" / "WMO323.xsd"
SAMPLE = ROOT.parent / "shared" / "iwmo" / "samples" / "wmo" / "WMO323.xml"
SIZES = (10_000, 100_000)
LINES_PER_CLIENT = 10
RUNS = 3


GNU_TIME = "/usr/bin/time"


def run(command: list[str]) -> tuple[float, int, int, float]:
    """(wall seconds, peak memory in MB, exit code, CPU seconds) of one child process.

    The peak comes from GNU time when it is there: Linux keeps a process's peak RSS across
    fork and exec, so a child of this (large) benchmark process would report at least our own size;
    GNU time is small. Without it, the child's ru_maxrss from wait4 is an upper bound.
    """
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WMO_")}
    with tempfile.NamedTemporaryFile("r", suffix=".time") as measured:
        wrapped = [GNU_TIME, "-f", "%M %U %S", "-o", measured.name, *command] \
            if os.access(GNU_TIME, os.X_OK) else command
        start = time.perf_counter()
        child = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env=environment)
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        if wrapped is not command:
            peak, user, system = measured.read().strip().splitlines()[-1].split()
            peak_kb, cpu = int(peak), float(user) + float(system)
    return elapsed, peak_kb // 1024, os.waitstatus_to_exitcode(status), cpu


def measure(command: list[str]) -> tuple[float, int, int]:
    results = [run(command) for _ in range(RUNS)]
    return (statistics.median(r[0] for r in results), max(r[1] for r in results),
            max(r[2] for r in results))


def main() -> None:
    print()
    print("iWmo: wmo-portal validate (XSD en alle regels) tegen xmllint --schema, zelfde bestand")
    if not GENERATOR.exists():
        print(f"  overgeslagen: {GENERATOR} ontbreekt")
        return
    xmllint = shutil.which("xmllint")
    if xmllint is None:
        print("  let op: xmllint ontbreekt (apt-get install libxml2-utils); alleen de portal "
              "gemeten")
    validate = [sys.executable, "-m", "portal.cli", "validate"]

    if SAMPLE.exists():
        seconds, peak, code = measure(validate + [str(SAMPLE)])
        print(f"  {'klein bestand (voorbeeld WMO323, 125 regels)':<46} portal {seconds:6.2f} s "
              f"{peak:5d} MB  exit {code}")

    with tempfile.TemporaryDirectory(prefix="iwmo-bench-") as tmp:
        for lines in SIZES:
            path = Path(tmp) / f"wmo323-{lines}.xml"
            subprocess.run([sys.executable, str(GENERATOR), "--clients",
                            str(lines // LINES_PER_CLIENT), "--lines-per-client",
                            str(LINES_PER_CLIENT), "--out", str(path)],
                           check=True, capture_output=True)
            size = path.stat().st_size / 1_000_000
            portal = []
            reference = []
            for _ in range(RUNS):  # alternate, so both see the same machine load
                portal.append(run(validate + [str(path)]))
                if xmllint:
                    reference.append(run([xmllint, "--noout", "--schema", str(SCHEMA), str(path)]))
            seconds = statistics.median(r[0] for r in portal)
            peak = max(r[1] for r in portal)
            code = max(r[2] for r in portal)
            cpu = statistics.median(r[3] for r in portal)
            label = f"{lines:,} prestaties ({size:.0f} MB)".replace(",", ".")
            line = f"  {label:<46} portal {seconds:6.2f} s {peak:5d} MB  exit {code}"
            if reference:
                ref_seconds = statistics.median(r[0] for r in reference)
                ref_peak = max(r[1] for r in reference)
                line += (f" | xmllint {ref_seconds:6.2f} s {ref_peak:5d} MB | verhouding "
                         f"{seconds / ref_seconds:4.2f}× (doel ≤ 2×)")
            print(line + f"  (mediaan van {RUNS})")
            cpu_line = f"  {'':<46} cpu: portal {cpu:.2f} s"
            if reference:
                cpu_line += f", xmllint {statistics.median(r[3] for r in reference):.2f} s"
            print(cpu_line + f"; load average {os.getloadavg()[0]:.1f}")
    print("  doel geheugen: < 250 MB bij 100.000 prestaties")


if __name__ == "__main__":
    main()

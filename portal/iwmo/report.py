"""`wmo-portal validate`: check iWmo 3.2 files on the command line, for people and back-offices.

    wmo-portal validate [--region CODE] [--json] [--max-mb N] FILE...

Exit code 0: every file valid (warnings allowed); 1: at least one file invalid (an empty, binary or
hostile file is invalid); 2: a usage error, or a file that is missing or cannot be read (also when
the portal's own schema for a message is missing). With --json the report is one JSON document:

    {"files": [{"file": "<path as given>", "message": "WMO323" or null, "valid": true/false,
                "errors": [{"code": "XML" | "XSD" | "TR346" | ..., "retourcode": "9346" or null,
                            "line": 12 or null, "message": "<Dutch>"}],
                "warnings": [same shape]}]}

The message of a finding starts with the element path when it has one. No web stack is loaded.
"""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass, field

from portal.iwmo.findings import Finding
from portal.iwmo.validate import FileReport, validate_path

USAGE = """gebruik: wmo-portal validate [--region CODE] [--json] [--max-mb N] BESTAND...

Controleert iWmo 3.2-berichten (WMO301, 305, 307, 315, 317, 319, 323, 325): veilige XML, het
XSD en de regels van de standaard, met regelnummer en Nederlandse uitleg.

  --region CODE   controleer declaratieregels ook tegen de productenlijst van deze regio
  --json          één JSON-document op stdout in plaats van een leesbaar verslag
  --max-mb N      weiger bestanden groter dan N MB (standaard: geen grens)

uitkomst: 0 alles geldig (waarschuwingen mogen), 1 minstens één bestand ongeldig,
          2 verkeerd gebruik of een bestand dat ontbreekt of niet te lezen is"""


class UsageError(Exception):
    pass


@dataclass
class Options:
    files: list[str] = field(default_factory=list)
    region: str | None = None
    as_json: bool = False
    max_bytes: int | None = None
    help: bool = False


def parse(argv: list[str]) -> Options:
    options = Options()
    arguments = iter(argv)
    only_files = False
    for argument in arguments:
        if only_files or argument == "-" or not argument.startswith("-"):
            options.files.append(argument)
        elif argument == "--":
            only_files = True
        elif argument in ("-h", "--help"):
            options.help = True
        elif argument == "--json":
            options.as_json = True
        elif argument == "--region" or argument.startswith("--region="):
            options.region = _value(argument, arguments, "--region")
        elif argument == "--max-mb" or argument.startswith("--max-mb="):
            options.max_bytes = _megabytes(_value(argument, arguments, "--max-mb"))
        else:
            raise UsageError(f"onbekende optie {argument}")
    if not options.files and not options.help:
        raise UsageError("geef minstens één bestand op")
    return options


def _value(argument: str, rest, name: str) -> str:
    if "=" in argument:
        value = argument.split("=", 1)[1]
    else:
        value = next(rest, None)
    if value is None or value == "" or (value.startswith("--") and "=" not in argument):
        raise UsageError(f"{name} verwacht een waarde")
    return value


def _megabytes(value: str) -> int:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise UsageError(f"--max-mb verwacht een aantal megabytes, niet '{value}'") from None
    if not number > 0 or number != number or number == float("inf"):
        raise UsageError("--max-mb moet groter dan 0 zijn")
    return max(1, int(number * 1024 * 1024))


def main(argv: list[str]) -> int:
    # A short-lived process whose objects form no reference cycles (records, findings, the
    # rules' dicts): the cyclic garbage collector would only rescan them, thousands of times.
    gc.disable()
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        options = parse(argv)
    except UsageError as error:
        print(f"fout: {error}\n\n{USAGE}", file=sys.stderr)
        return 2
    if options.help:
        print(USAGE)
        return 0
    region = None
    if options.region:
        from portal.iwmo.region_checks import RegionCheck, UnknownRegion
        from portal.plugins.errors import RegionLoadError

        try:
            region = RegionCheck.from_environment(options.region)
        except (UnknownRegion, RegionLoadError) as error:
            print(f"fout: {error}", file=sys.stderr)
            return 2

    reports = [_validate_one(name, region, options.max_bytes) for name in options.files]
    try:
        if options.as_json:
            import json

            print(json.dumps({"files": [r.as_json() for r in reports]}, ensure_ascii=False,
                             indent=2))
        else:
            print(text_report(reports))
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (| head); the exit code still counts
        sys.stdout = None
    for report in reports:
        if report.unreadable:
            print(f"fout: {report.errors[0].message}", file=sys.stderr)
    if any(report.unreadable for report in reports):
        return 2
    return 0 if all(report.valid for report in reports) else 1


def _validate_one(name: str, region, max_bytes: int | None) -> FileReport:
    try:
        return validate_path(name, region=region, max_bytes=max_bytes)
    except Exception as error:  # never a traceback for a user's file; say what failed
        report = FileReport(name)
        report.add(Finding("INTERN", None, None,
                           f"De controle van dit bestand is mislukt ({type(error).__name__}); meld "
                           "dit aan de beheerder van de portal."))
        return report


def text_report(reports: list[FileReport]) -> str:
    blocks = [_file_text(report) for report in reports]
    if len(reports) > 1:
        valid = sum(report.valid for report in reports)
        unread = sum(report.unreadable for report in reports)
        invalid = len(reports) - valid - unread
        summary = f"{len(reports)} bestanden: {valid} geldig, {invalid} ongeldig"
        blocks.append(summary + (f", {unread} niet gecontroleerd." if unread else "."))
    return "\n\n".join(blocks)


def _file_text(report: FileReport) -> str:
    what = f"{report.message} ({report.message_name})" if report.message else "geen iWmo-bericht"
    if report.unreadable:
        what = what if report.message else "niet gelezen"
        verdict = "NIET GECONTROLEERD"
    else:
        verdict = "geldig" if report.valid else "ONGELDIG"
    counts = [_count(len(report.errors), "fout", "fouten"),
              _count(len(report.warnings), "waarschuwing", "waarschuwingen")]
    lines = [f"{report.file}: {what} — {verdict} ({', '.join(counts)})"]
    for label, findings in (("fout", report.errors), ("waarschuwing", report.warnings)):
        for finding in findings:
            lines.extend(_finding_text(label, finding))
    return "\n".join(lines)


def _finding_text(label: str, finding: Finding) -> list[str]:
    where = f"regel {finding.line}" if finding.line else "bestand"
    code = finding.code + (f" (retourcode {finding.retourcode})" if finding.retourcode else "")
    lines = [f"  {label} {where}, {code}" + (f", {finding.path}" if finding.path else "")]
    lines.append(f"      {finding.message}")
    return lines


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"

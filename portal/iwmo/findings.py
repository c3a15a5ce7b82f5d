"""What a validation reports: findings with a code, retourcode, line, element path and Dutch text.

The codes are the standard's rule codes (CS002, TR346, TR381, ...) where a rule of the standard
applies, a region plugin's own codes for its rules, and these portal codes otherwise:

| code | meaning |
| --- | --- |
| BESTAND | the file is missing or cannot be read |
| XML | the bytes are no (safe) XML: empty, binary, BOM, DOCTYPE, not well-formed, too large |
| BERICHT | well-formed XML, but not an iWmo 3.2 message the portal validates |
| XSD | the message does not match its schema |
| SCHEMA | the portal's own schema for this message is missing or broken (a configuration error) |
| NOTATIE | a value the schema accepts in an unusual notation (warning) |
| OP192 | file conventions of the exchange: line ends, file name (warning) |
| REGIO-EENHEID | with a region: the Eenheid is not the unit the region declares the product in |
| INTERN | a rule failed on this file; the finding says which (a bug in the portal) |
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.plugins.severity import Severity


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    retourcode: str | None
    line: int | None
    message: str  # Dutch: what is wrong, where, and what would be right
    path: str | None = None  # element path, e.g. /Bericht/Declaratie/Clienten/Client[2]/Bsn
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def text(self) -> str:
        """The message with the element path in front, for reports that have no path column."""
        return f"{self.path}: {self.message}" if self.path else self.message

    def as_json(self) -> dict:
        return {"code": self.code, "retourcode": self.retourcode, "line": self.line,
                "message": self.text()}


def sort_key(finding: Finding) -> tuple:
    """Findings in file order; findings without a line (about the whole file) first."""
    return (finding.line is not None, finding.line or 0)

"""A plan or evaluation as a PDF, for the client's file and for those who print.

Made with fpdf2: a well-kept, pure-Python library from the package registry, with no system
libraries to install (WeasyPrint, which renders HTML, needs Pango from the system). The PDF is
built from the same :class:`PrintDocument` as the print page, so both show the same content.
The text font is DejaVu Sans (Debian package ``fonts-dejavu-core``, installed by the Makefile),
because the PDF core fonts cannot write every character people type (€, ‘quotes’, emoji).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(os.environ.get("WMO_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))


@dataclass(frozen=True)
class PrintSection:
    title: str
    rows: list[tuple[str, str]]  # (label, value as text)
    comment: str | None = None  # the reviewer's comment on this section


@dataclass(frozen=True)
class PrintDocument:
    title: str
    facts: list[tuple[str, str]]  # client, product, aanbieder, version, state, ...
    sections: list[PrintSection] = field(default_factory=list)
    closing: list[tuple[str, str]] = field(default_factory=list)  # e.g. the general comment


class _Pdf(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self._title = title
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.add_font("Text", "", str(regular))
            self.add_font("Text", "B", str(bold))
            self.family = "Text"
        else:  # no Unicode font: the core font, with characters it lacks replaced
            self.family = "Helvetica"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 5, self.safe(f"{self._title} · pagina {self.page_no()}"), align="C")

    def safe(self, text: str) -> str:
        if self.family == "Text":
            return text
        return text.encode("latin-1", "replace").decode("latin-1")


def pdf_bytes(document: PrintDocument) -> bytes:
    pdf = _Pdf(document.title)
    pdf.set_title(document.title)
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 16)
    pdf.multi_cell(0, 8, pdf.safe(document.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _rows(pdf, document.facts)
    for section in document.sections:
        pdf.ln(3)
        pdf.set_font(pdf.family, "B", 12)
        pdf.multi_cell(0, 7, pdf.safe(section.title), new_x="LMARGIN", new_y="NEXT")
        _rows(pdf, section.rows)
        if section.comment:
            pdf.set_font(pdf.family, "B", 9)
            pdf.multi_cell(0, 5, pdf.safe(f"Opmerking van de gemeente: {section.comment}"),
                           new_x="LMARGIN", new_y="NEXT")
    if document.closing:
        pdf.ln(3)
        _rows(pdf, document.closing)
    return bytes(pdf.output())


def _rows(pdf: _Pdf, rows: list[tuple[str, str]]) -> None:
    for label, value in rows:
        pdf.set_font(pdf.family, "B", 9)
        pdf.multi_cell(0, 5, pdf.safe(label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(pdf.family, "", 10)
        pdf.multi_cell(0, 5, pdf.safe(value or "—"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

"""The PDF of a plan: every character people type is written, and nothing breaks without the font."""

from __future__ import annotations

import importlib

from portal.plans import pdf


def document() -> pdf.PrintDocument:
    return pdf.PrintDocument(
        "Ondersteuningsplan J. de Vries",
        [("Cliënt", "J. de Vries"), ("Tarief", "€ 70,00 per uur")],
        [pdf.PrintSection("Doelen", [("Doel 1", "Zelf boodschappen doen <script>x</script>")],
                          comment="Maak het doel meetbaar.")])


def test_pdf_with_the_unicode_font_embeds_it():
    data = pdf.pdf_bytes(document())
    assert data.startswith(b"%PDF-")
    assert b"DejaVuSans" in data  # the font is embedded, so € and ë are written as typed


def test_without_the_font_the_pdf_is_still_made_with_the_text(monkeypatch, tmp_path):
    monkeypatch.setenv("WMO_PDF_FONT_DIR", str(tmp_path))
    fallback = importlib.reload(pdf)
    try:
        assert fallback._Pdf("x").family == "Helvetica"
        data = fallback.pdf_bytes(document())
        assert data.startswith(b"%PDF-")
    finally:
        monkeypatch.delenv("WMO_PDF_FONT_DIR")
        importlib.reload(pdf)

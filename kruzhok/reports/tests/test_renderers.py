"""The three renderers on a small document: Word headings and tables, numbers as numbers and SUM formulas in
XLSX, an A4 PDF that is not blank, and Kazakh letters surviving into every format."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document

from kruzhok.reports.document import SUM, AtLeast, Chart, Column, Figure, Figures, FreeText, Paragraph, Report, Table
from kruzhok.reports.tests.readback import (
    KAZAKH,
    docx_tables,
    docx_text,
    pdf_page_ink,
    pdf_pages,
    pdf_text,
    xlsx_sheets,
)
from kruzhok.reports.to_docx import docx_render
from kruzhok.reports.to_pdf import pdf_render
from kruzhok.reports.to_xlsx import xlsx_render


def sample() -> Report:
    report = Report(title=f"Есеп {KAZAKH}", subtitle="Солтүстік қаласы", language="kk", footer="Кружок",
                    meta=[("Аумақ", "Солтүстік қаласы")])
    section = report.section("Қамту")
    section.add(Paragraph("Қосымша білім беру"))
    section.add(Figures([Figure("Балалар", 4236, key="children"), Figure("Қамту", 80.25, "percent")]))
    section.add(Table("Ұйымдар", [Column("Түрі"), Column("Балалар", "int"), Column("Үлесі", "percent")],
                      [["ҚБҰ", 2200, 66.4], ["Мектептер", AtLeast(1000), 26.0]], totals=["Барлығы", SUM, 92.4],
                      sheet="Түрлері"))
    section.add(Chart("pie", "Бағыттар", ["көркем", "техникалық"], [32, 24]))
    section.add(Chart("line", "Қамту динамикасы", ["2023", "2024", "2025"], [70, 75.5, 80]))
    section.add(FreeText("prospects", "Перспективалар", f"Желілік өзара іс-қимыл\n{KAZAKH}"))
    return report


def test_docx_has_word_headings_and_editable_tables():
    data = docx_render(sample())
    document = Document(io.BytesIO(data))
    styles = [p.style.name for p in document.paragraphs]
    assert "Title" in styles and "Heading 1" in styles and "Heading 3" in styles
    tables = docx_tables(data)
    heading, rows = tables[1]
    assert heading == "Ұйымдар"
    assert rows == [["Түрі", "Балалар", "Үлесі"], ["ҚБҰ", "2\u00a0200", "66,4\u00a0%"],
                    ["Мектептер", "более 1000", "26,0\u00a0%"], ["Барлығы", "более 3200", "92,4\u00a0%"]]
    assert len(document.inline_shapes) == 2  # the charts, as pictures
    assert all(letter in docx_text(data) for letter in KAZAKH.split())


def test_xlsx_numbers_are_numbers_and_totals_are_formulas():
    sheets = xlsx_sheets(xlsx_render(sample()))
    assert list(sheets) == ["Сводка", "Түрлері"]
    rows = sheets["Түрлері"]
    assert rows[0][0] == "Ұйымдар"
    assert rows[1] == ["Түрі", "Балалар", "Үлесі"]
    assert rows[2] == ["ҚБҰ", 2200, 66.4]
    assert rows[3] == ["Мектептер", 1000, 26.0]
    assert rows[4] == ["Барлығы", "=SUM(B3:B4)", 92.4]
    summary = sheets["Сводка"]
    assert ["Балалар", 4236] in [row[:2] for row in summary]
    text = "\n".join(str(cell) for row in summary for cell in row if cell is not None)
    assert all(letter in text for letter in KAZAKH.split())


def test_pdf_is_a4_not_blank_and_keeps_kazakh_letters(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_render(sample()))
    assert pdf_pages(path) >= 1
    assert pdf_page_ink(path, tmp_path) > 0.01
    text = pdf_text(path)
    assert all(letter in text for letter in KAZAKH.split())
    assert re.search(r"\b1\s*/\s*\d", text)  # «1 / 2», the page number in the footer


@pytest.mark.parametrize("kind", ["bar", "pie", "line"])
def test_charts_are_png(kind):
    png = Chart(kind, "Бағыттар", ["a", "b"], [1, 2]).png()
    assert png.startswith(b"\x89PNG")

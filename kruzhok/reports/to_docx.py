"""DOCX renderer (python-docx): real Word headings, paragraphs and tables a secretary can edit; charts as images."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from kruzhok.reports.document import Chart, Figures, FreeText, Paragraph, Report, Table, format_cell

FONT = "DejaVu Sans"
NUMERIC = ("int", "percent", "ratio", "decimal")


def _set_font(document) -> None:
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid"):
        style = document.styles[name]
        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
    document.styles["Normal"].font.size = Pt(10)


def _page_number_footer(section, text: str) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        paragraph.add_run(f"{text} · ")
    run = paragraph.add_run()
    for kind, value in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = value
        run._r.append(element)


def _table(document, table: Table, language: str) -> None:
    document.add_heading(table.title, level=3)
    rows = len(table.rows) + 1 + (1 if table.totals is not None else 0)
    grid = document.add_table(rows=rows, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, column in enumerate(table.columns):
        cell = grid.rows[0].cells[index]
        cell.text = ""
        cell.paragraphs[0].add_run(column.label).bold = True
    _repeat_header(grid.rows[0])
    body = list(table.rows)
    if table.totals is not None:
        body.append(table.total_values())
    for r, row in enumerate(body, start=1):
        cells = grid.rows[r].cells
        is_total = table.totals is not None and r == len(body)
        for index, (value, column) in enumerate(zip(row, table.columns, strict=True)):
            paragraph = cells[index].paragraphs[0]
            run = paragraph.add_run(format_cell(value, column.kind, language))
            run.bold = is_total
            if column.kind in NUMERIC:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if table.note:
        document.add_paragraph(table.note).runs[0].italic = True


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def docx_render(report: Report) -> bytes:
    document = Document()
    _set_font(document)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(1.8)
    _page_number_footer(section, report.footer)
    document.core_properties.title = report.title
    document.core_properties.language = report.language
    document.add_heading(report.title, level=0)
    if report.subtitle:
        document.add_paragraph(report.subtitle)
    for label, value in report.meta:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    for part in report.sections:
        document.add_heading(part.heading, level=1)
        for block in part.blocks:
            if isinstance(block, Paragraph):
                document.add_paragraph(block.text)
            elif isinstance(block, Figures):
                if block.title:
                    document.add_heading(block.title, level=3)
                grid = document.add_table(rows=len(block.items), cols=2)
                grid.style = "Table Grid"
                for row, item in zip(grid.rows, block.items, strict=True):
                    row.cells[0].text = item.label
                    paragraph = row.cells[1].paragraphs[0]
                    paragraph.add_run(format_cell(item.value, item.kind, report.language)).bold = True
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif isinstance(block, Table):
                _table(document, block, report.language)
            elif isinstance(block, Chart):
                document.add_picture(io.BytesIO(block.png()), width=Cm(16))
                caption = document.add_paragraph(block.title)
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif isinstance(block, FreeText):
                document.add_heading(block.heading, level=2)
                for line in (block.text or _("(не заполнено)")).splitlines():
                    if line.strip():
                        document.add_paragraph(line.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

"""Reading generated files back: DOCX tables under their headings, XLSX sheets, PDF text and pixels."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from docx import Document
from docx.text.paragraph import Paragraph as DocxParagraph
from openpyxl import load_workbook

KAZAKH = "ә ғ қ ң ө ұ ү һ і"


def docx_tables(data: bytes) -> list[tuple[str, list[list[str]]]]:
    """(the heading right before the table, rows of cell texts) for every table, in order."""
    document = Document(io.BytesIO(data))
    tables = {t._tbl: t for t in document.tables}
    heading, result = "", []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            style = element.xpath("./w:pPr/w:pStyle/@w:val")
            if style and style[0].lower().startswith(("heading", "title")):
                heading = DocxParagraph(element, document).text
        elif tag == "tbl":
            table = tables[element]
            result.append((heading, [[cell.text for cell in row.cells] for row in table.rows]))
    return result


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def xlsx_sheets(data: bytes) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_page_ink(path: Path, tmp: Path, page: int = 1) -> float:
    """Share of non-white pixels of one page rendered by pdftoppm (grayscale PGM)."""
    stem = tmp / f"page{page}"
    subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", str(page), "-l", str(page), str(path), str(stem)],
                   check=True)
    image = next(tmp.glob(f"page{page}*.pgm")).read_bytes()
    # PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
    header_end, newlines = 0, 0
    while newlines < 3:
        if image[header_end] == 0x0A:
            newlines += 1
        header_end += 1
    pixels = image[header_end:]
    return sum(1 for value in pixels if value < 200) / len(pixels)

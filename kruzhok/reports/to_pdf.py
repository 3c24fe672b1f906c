"""PDF renderer (WeasyPrint over an HTML template): A4, page numbers in the footer, DejaVu Sans embedded.

The font is declared with ``@font-face`` from its local file (``REPORT_FONT_DIR``), so every Cyrillic and Kazakh
letter (ә ғ қ ң ө ұ ү һ і) is drawn from an embedded subset, whatever fonts the reader's machine has.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from kruzhok.reports.document import Chart, Figures, FreeText, Paragraph, Report, Table, format_cell

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per layout step otherwise
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _font_dir() -> Path:
    return Path(getattr(settings, "REPORT_FONT_DIR", FONT_DIR))


def _block(block, language: str) -> dict:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "text": block.text}
    if isinstance(block, Figures):
        return {"type": "figures", "title": block.title,
                "items": [(f.label, format_cell(f.value, f.kind, language)) for f in block.items]}
    if isinstance(block, Table):
        numeric = [c.kind in ("int", "percent", "ratio", "decimal") for c in block.columns]
        rows = [[(format_cell(v, c.kind, language), n) for v, c, n in zip(row, block.columns, numeric, strict=True)]
                for row in block.rows]
        totals = ([(format_cell(v, c.kind, language), n)
                   for v, c, n in zip(block.total_values(), block.columns, numeric, strict=True)]
                  if block.totals is not None else None)
        return {"type": "table", "title": block.title, "columns": [c.label for c in block.columns], "rows": rows,
                "totals": totals, "note": block.note, "wide": len(block.columns) > 7}
    if isinstance(block, Chart):
        return {"type": "chart", "title": block.title,
                "src": "data:image/png;base64," + base64.b64encode(block.png()).decode()}
    if isinstance(block, FreeText):
        return {"type": "free", "heading": block.heading,
                "lines": [line.strip() for line in block.text.splitlines() if line.strip()]}
    raise TypeError(f"unknown block {block!r}")


def pdf_html(report: Report) -> str:
    sections = [{"heading": s.heading, "blocks": [_block(b, report.language) for b in s.blocks]}
                for s in report.sections]
    font_dir = _font_dir()
    return render_to_string("reports/pdf.html", {
        "report": report, "sections": sections,
        "font_regular": (font_dir / "DejaVuSans.ttf").as_uri(),
        "font_bold": (font_dir / "DejaVuSans-Bold.ttf").as_uri(),
        "landscape": any(len(t.columns) > 9 for t in report.tables()),
    })


def pdf_render(report: Report) -> bytes:
    from weasyprint import HTML

    return HTML(string=pdf_html(report), base_url=str(_font_dir())).write_pdf()

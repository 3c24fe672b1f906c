"""XLSX renderer (openpyxl): a summary sheet of key figures, then one sheet per table.

Numbers are written as numbers (percentages as their value with a «%» number format, so that the cell holds
the same number as the report's text); a ``SUM`` total becomes a ``=SUM(…)`` formula.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from kruzhok.reports.document import AtLeast, FreeText, Report, Table, _Sum

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FORMATS = {"int": "#,##0", "percent": '0.0" %"', "ratio": "0.0%", "decimal": "0.0", "date": "DD.MM.YYYY", "text": "@"}


def _sheet_title(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _width(values: list, label: str) -> int:
    longest = max([len(str(v)) for v in values if v is not None] + [8])
    return min(max(longest, min(len(label), 30)) + 2, 60)


def _table_sheet(workbook: Workbook, table: Table, taken: set[str]) -> None:
    sheet = workbook.create_sheet(_sheet_title(table.sheet or table.title, taken))
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=12)
    header_row = 2
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=header_row, column=index, value=column.label)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    first = header_row + 1
    for r, row in enumerate(table.rows, start=first):
        for index, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            cell = sheet.cell(row=r, column=index, value=_value(value))
            cell.number_format = _format(value, column.kind)
            cell.border = BORDER
    last = first + len(table.rows) - 1
    if table.totals is not None:
        total_row = last + 1
        for index, (value, column) in enumerate(zip(table.totals, table.columns, strict=True), start=1):
            letter = get_column_letter(index)
            if isinstance(value, _Sum):
                value = f"=SUM({letter}{first}:{letter}{last})" if table.rows else 0
            cell = sheet.cell(row=total_row, column=index, value=_value(value))
            cell.font = Font(bold=True)
            cell.fill = TOTAL_FILL
            cell.border = BORDER
            cell.number_format = FORMATS[column.kind]
    for index, column in enumerate(table.columns, start=1):
        values = [row[index - 1] for row in table.rows]
        sheet.column_dimensions[get_column_letter(index)].width = column.width or _width(values, column.label)
    sheet.freeze_panes = sheet.cell(row=first, column=1)
    if table.note:
        sheet.cell(row=(last + 3 if table.totals is not None else last + 2), column=1, value=table.note)


def _format(value, kind: str) -> str:
    if isinstance(value, AtLeast):
        return f'"{_("более")} "#,##0'
    return FORMATS[kind]


def _value(value):
    if isinstance(value, AtLeast):
        return value.value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return value


def xlsx_render(report: Report) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    taken: set[str] = set()
    summary.title = _sheet_title(_("Сводка"), taken)
    summary.append([report.title])
    summary["A1"].font = Font(bold=True, size=13)
    if report.subtitle:
        summary.append([report.subtitle])
    for label, value in report.meta:
        summary.append([label, value])
    summary.append([])
    for figure in report.figures():
        summary.append([figure.label, _value(figure.value)])
        cell = summary.cell(row=summary.max_row, column=2)
        cell.number_format = FORMATS[figure.kind]
    for block in (b for s in report.sections for b in s.blocks if isinstance(b, FreeText)):
        summary.append([])
        summary.append([block.heading])
        summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
        for line in block.text.splitlines():
            if line.strip():
                summary.append([line.strip()])
    summary.column_dimensions["A"].width = 70
    summary.column_dimensions["B"].width = 24
    for table in report.tables():
        _table_sheet(workbook, table, taken)
    workbook.properties.title = report.title
    workbook.properties.language = report.language
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

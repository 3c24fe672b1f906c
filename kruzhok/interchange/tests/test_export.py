"""table_response: real files read back with openpyxl and the csv module."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io

import openpyxl

from kruzhok.interchange.export import table_response

COLUMNS = [("name", "ФИО"), ("born", "Дата рождения"), ("age", "Возраст"), ("share", "Доля"),
           ("active", "Активен"), ("at", "Создан"), ("note", "Примечание")]
ROWS = [
    ["Иванов Иван", dt.date(2015, 3, 1), 11, decimal.Decimal("0.25"), True, dt.datetime(2026, 9, 1, 10, 30), None],  # noqa: DTZ001 (spreadsheet times are naive, local)
    ["Әлиев Нұрлан", dt.date(2016, 12, 31), 9, 1.5, False, None, "=1+1"],
]


def test_xlsx_keeps_types_bold_frozen_header():
    resp = table_response(filename="Дети", columns=COLUMNS, rows=iter(ROWS), fmt="xlsx")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%D0%94%D0%B5%D1%82%D0%B8.xlsx" in resp["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    ws = wb.active
    assert [c.value for c in ws[1]] == [label for _k, label in COLUMNS]
    assert ws["A1"].font.bold
    assert ws.freeze_panes == "A2"
    row = [c.value for c in ws[2]]
    assert row[0] == "Иванов Иван"
    assert row[1] == dt.datetime(2015, 3, 1)  # noqa: DTZ001 (openpyxl reads dates back as datetimes)
    assert ws["B2"].is_date
    assert row[2] == 11 and isinstance(row[2], int)
    assert row[3] == 0.25
    assert row[4] is True
    assert row[5] == dt.datetime(2026, 9, 1, 10, 30)  # noqa: DTZ001 (spreadsheet times are naive, local)
    assert ws["G3"].value == "=1+1" and ws["G3"].data_type == "s"  # text, not a formula


def test_csv_bom_semicolon_round_trips():
    resp = table_response(filename="Дети", columns=COLUMNS, rows=ROWS, fmt="csv")
    assert resp.content.startswith(b"\xef\xbb\xbf")
    text = resp.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [label for _k, label in COLUMNS]
    assert rows[1] == ["Иванов Иван", "2015-03-01", "11", "0,25", "1", "2026-09-01 10:30", ""]
    assert rows[2] == ["Әлиев Нұрлан", "2016-12-31", "9", "1,5", "0", "", "'=1+1"]


def test_empty_and_bad_format():
    resp = table_response(filename="x", columns=[("a", "A")], rows=[], fmt="xlsx")
    assert openpyxl.load_workbook(io.BytesIO(resp.content)).active.max_row == 1
    try:
        table_response(filename="x", columns=[], rows=[], fmt="pdf")
    except ValueError:
        pass
    else:
        raise AssertionError("pdf accepted")

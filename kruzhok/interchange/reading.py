"""Reading uploaded tables (XLSX, CSV) and turning cells into typed values.

Rows are numbered as the user sees them in Excel: the header is row 1, the first data row is row 2 (for a CSV, the
line number). Cells are parsed leniently where a spreadsheet is ambiguous (a date as a real date, ``01.09.2026``,
``2026-09-01`` or an Excel serial; a decimal with a comma or a point; yes/no in three languages) and strictly
where it is not (a choice must name one of the values, by code or by its label in any language).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import functools
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

LANGUAGES = ("ru", "kk", "en")


def norm(text: Any) -> str:
    """A header or a choice label as compared: case, spaces, asterisks, «ё» and punctuation at the ends ignored."""
    if text is None or text == "":
        return ""
    return _norm(text) if isinstance(text, str) else _norm(str(text))


@functools.lru_cache(maxsize=1 << 16)
def _norm(text: str) -> str:
    text = re.sub(r"\s+", " ", str(text or "").replace("*", "").replace("ё", "е").replace("Ё", "Е"))
    return text.strip().strip(".:").strip().lower()


def translations(label: Promise | str) -> set[str]:
    """A lazy label in each of the project's languages, normalised."""
    out = set()
    for lang in LANGUAGES:
        with translation.override(lang):
            out.add(norm(str(label)))
    return out


# --- files -----------------------------------------------------------------------------------------------------

def iter_table(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """``(row_number, cells)`` for every row of the first sheet (XLSX) or every line (CSV), the header included."""
    if path.suffix.lower() == ".xlsx":
        yield from _iter_xlsx(path)
    else:
        yield from _iter_csv(path)


def _iter_xlsx(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's rows, parsed straight from the XML with lxml (several times faster than openpyxl's
    read-only mode, whose per-cell objects dominate a 100 000-row import); openpyxl reads what this does not."""
    try:
        rows = _fast_xlsx(path)
        first = next(rows, None)
    except Exception:  # an unusual workbook: let openpyxl read it
        first, rows = None, None
    if rows is None:
        yield from _openpyxl_xlsx(path)
        return
    if first is not None:
        yield first
        yield from rows


def _openpyxl_xlsx(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        for number, row in enumerate(ws.iter_rows(values_only=True), 1):
            yield number, list(row)
    finally:
        wb.close()


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DATE_BUILTINS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
# The sheet is read with regular expressions over its bytes: the per-cell cost of an XML parser's objects is what
# makes a large import slow. Namespace-prefixed sheets (``<x:c>``) are left to openpyxl (see ``_iter_xlsx``).
_ROW = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_ATTR_R = re.compile(rb'\br="(\d+)"')
_ATTR_REF = re.compile(rb'\br="([A-Z]+)\d*"')
_V = re.compile(rb"<v>([^<]*)</v>")
# The common cell shapes (a value, an inline string, nothing), column letters and the other attributes apart; a row
# with any other shape (a formula, rich text) is read by the general expressions below.
_FAST_CELL = re.compile(rb'<c r="([A-Z]+)\d+"([^>]*?)(?:/>|>(?:<v>([^<]*)</v>|<is><t(?:\s[^>]*)?>([^<]*)</t></is>|)'
                        rb"</c>)")
_T = re.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t>")


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text



def _col_index(ref: str) -> int:
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        else:
            break
    return index - 1


def _sheet_path(zf) -> str:
    import posixpath

    from lxml import etree

    workbook = etree.fromstring(zf.read("xl/workbook.xml"))
    sheet = workbook.find(f"{_NS}sheets/{_NS}sheet")
    rid = sheet.get(f"{_REL_NS}id")
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next(rel.get("Target") for rel in rels if rel.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _fast_xlsx(path: Path) -> Iterator[tuple[int, list[Any]]]:
    import zipfile

    from lxml import etree
    from openpyxl.styles.numbers import is_date_format
    from openpyxl.utils.datetime import from_excel

    zf = zipfile.ZipFile(path)
    names = set(zf.namelist())
    workbook = etree.fromstring(zf.read("xl/workbook.xml"))
    sheet_path = _sheet_path(zf)
    with zf.open(sheet_path) as probe:
        head = probe.read(4096)
    if re.search(rb"<\w+:worksheet\b", head):
        raise ValueError("namespace-prefixed sheet")
    pr = workbook.find(f"{_NS}workbookPr")
    epoch_1904 = pr is not None and pr.get("date1904") in ("1", "true")
    shared: list[str] = []
    if "xl/sharedStrings.xml" in names:
        for _event, si in etree.iterparse(zf.open("xl/sharedStrings.xml"), tag=f"{_NS}si"):
            shared.append("".join(t.text or "" for t in si.iter(f"{_NS}t")
                                  if t.getparent().tag != f"{_NS}rPh"))
            si.clear()
    date_styles: set[int] = set()
    if "xl/styles.xml" in names:
        styles = etree.fromstring(zf.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter(f"{_NS}numFmt")}
        xfs = styles.find(f"{_NS}cellXfs")
        for i, xf in enumerate(xfs if xfs is not None else []):
            fmt = int(xf.get("numFmtId", "0"))
            if fmt in _DATE_BUILTINS or (fmt in custom and is_date_format(custom[fmt])):
                date_styles.add(i)
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    epoch = CALENDAR_MAC_1904 if epoch_1904 else CALENDAR_WINDOWS_1900
    def convert(attrs: bytes, inner: bytes | None) -> Any:
        if inner is None:
            return None
        kind = _ATTR_T.search(attrs)
        kind = kind.group(1) if kind else b"n"
        if kind == b"inlineStr":
            return _text(b"".join(_T.findall(inner)))
        v = _V.search(inner)
        if v is None:
            return None
        text = v.group(1)
        if kind == b"s":
            return shared[int(text)]
        if kind == b"b":
            return text == b"1"
        if kind == b"str":
            return _text(text)
        if kind == b"e":
            return None
        style = _ATTR_S.search(attrs)
        number_ = float(text)
        if style and int(style.group(1)) in date_styles:
            return from_excel(number_, epoch)
        return int(number_) if number_.is_integer() and b"." not in text and b"E" not in text else number_

    def cell_kind(attrs: bytes) -> bytes:
        """``n`` (a plain number), ``d`` (a number in a date style) or the cell's ``t``."""
        kind = _ATTR_T.search(attrs)
        kind = kind.group(1) if kind else b"n"
        style = _ATTR_S.search(attrs)
        if kind == b"n" and style and int(style.group(1)) in date_styles:
            return b"d"
        return kind

    col_of: dict[bytes, int] = {}
    kinds: dict[bytes, bytes] = {}
    dates: dict[bytes, Any] = {}

    def rows() -> Iterator[tuple[int, list[Any]]]:
        expected = 0
        with zf.open(sheet_path) as stream:
            rest = b""
            while True:
                chunk = stream.read(1 << 22)
                data = rest + chunk
                cut = data.rfind(b"</row>") + 6 if chunk else len(data)
                if cut < 6 and chunk:
                    rest = data
                    continue
                rest = data[cut:]
                for row in _ROW.finditer(data, 0, cut):
                    attrs, body = row.group(1), row.group(2)
                    number = _ATTR_R.search(attrs)
                    expected = int(number.group(1)) if number else expected + 1
                    cells: list[Any] = []
                    if body:
                        fast = _FAST_CELL.findall(body)
                        if len(fast) == body.count(b"<c"):  # every cell of the common shapes: the quick way
                            for letters, cattrs, v, t in fast:
                                index = col_of.get(letters)
                                if index is None:
                                    index = col_of[letters] = _col_index(letters.decode())
                                if index > len(cells):
                                    cells.extend([None] * (index - len(cells)))
                                kind = kinds.get(cattrs)
                                if kind is None:
                                    kind = kinds[cattrs] = cell_kind(cattrs)
                                if kind == b"s":
                                    cells.append(shared[int(v)] if v else None)
                                elif kind == b"inlineStr":
                                    text = t.decode()
                                    cells.append(html.unescape(text) if "&" in text else text)
                                elif not v:
                                    cells.append(None)
                                elif kind == b"d":
                                    value = dates.get(v)
                                    if value is None:
                                        value = dates[v] = convert(cattrs, b"<v>" + v + b"</v>")
                                    cells.append(value)
                                elif kind == b"n":
                                    cells.append(int(v) if v.isdigit() else convert(cattrs, b"<v>" + v + b"</v>"))
                                else:
                                    cells.append(convert(cattrs, b"<v>" + v + b"</v>"))
                            yield expected, cells
                            continue
                    for cell in _CELL.finditer(body or b""):
                        cattrs = cell.group(1)
                        ref = _ATTR_REF.search(cattrs)
                        if ref:
                            index = _col_index(ref.group(1).decode())
                            if index > len(cells):
                                cells.extend([None] * (index - len(cells)))
                        cells.append(convert(cattrs, cell.group(3)))
                    yield expected, cells
                if not chunk:
                    break
        zf.close()

    return rows()


def _iter_csv(path: Path) -> Iterator[tuple[int, list[Any]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1251")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    yield from enumerate(reader, 1)


def read_header(path: Path) -> list[str]:
    for _number, row in iter_table(path):
        return [str(c).strip() if c is not None else "" for c in row]
    return []


def count_rows(path: Path) -> int:
    """Data rows (without the header), for the progress bar: ``</row>`` tags counted in the decompressed sheet
    (XLSX), lines (CSV)."""
    if path.suffix.lower() == ".xlsx":
        try:
            return max(_count_xlsx_rows(path) - 1, 0)
        except Exception:
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True)
            try:
                return max((wb.worksheets[0].max_row or 1) - 1, 0)
            finally:
                wb.close()
    return max(sum(1 for _ in _iter_csv(path)) - 1, 0)


def _count_xlsx_rows(path: Path) -> int:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        sheet = _sheet_path(zf)
        count, tail = 0, b""
        with zf.open(sheet) as stream:
            while chunk := stream.read(1 << 22):
                data = tail + chunk
                count += data.count(b"</row>")
                tail = data[-5:]  # shorter than the tag: a tag split across chunks is counted once
        return count


# --- cells -----------------------------------------------------------------------------------------------------

class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user."""


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    text = str(value).strip()
    return text[1:] if text.startswith("'") else text


_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y", "%Y.%m.%d", "%d-%m-%Y")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value < 100000:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = as_text(value)
    text = text.split(" ")[0].split("T")[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise CellError(_("Не дата: «%(value)s» (ожидается ДД.ММ.ГГГГ).") % {"value": as_text(value)[:40]})


def as_datetime(value: Any) -> dt.datetime:
    from django.utils import timezone

    if isinstance(value, dt.datetime):
        result = value
    else:
        text = as_text(value)
        result = None
        for fmt in ("%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S"):
            try:
                result = dt.datetime.strptime(text, fmt)  # noqa: DTZ007
                break
            except ValueError:
                continue
        if result is None:
            result = dt.datetime.combine(as_date(value), dt.time())
    return timezone.make_aware(result) if timezone.is_naive(result) else result


def as_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        return value.time()
    text = as_text(value).replace(".", ":")
    for fmt in ("%H:%M", "%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).time()  # noqa: DTZ007
        except ValueError:
            continue
    raise CellError(_("Не время: «%(value)s» (ожидается ЧЧ:ММ).") % {"value": text[:40]})


def as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(_("Не целое число: «%(value)s».") % {"value": value})
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = as_text(value).replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise CellError(_("Не целое число: «%(value)s».") % {"value": text[:40]})


def as_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return decimal.Decimal(str(value))
    text = as_text(value).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        return decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise CellError(_("Не число: «%(value)s».") % {"value": text[:40]}) from None


_TRUE = {"1", "да", "д", "yes", "y", "true", "иә", "ия", "+", "истина", "x", "х", "v"}
_FALSE = {"0", "нет", "н", "no", "n", "false", "жоқ", "-", "ложь", ""}


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = norm(as_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("Ожидается «да» или «нет»: «%(value)s».") % {"value": as_text(value)[:40]})


@dataclass
class ChoiceReader:
    """Reads a choice by its code or its label in any language."""

    choices: Any  # a TextChoices / IntegerChoices class

    def __post_init__(self) -> None:
        self.lookup: dict[str, Any] = {}
        for value, label in self.choices.choices:
            self.lookup[norm(value)] = value
            for text in translations(label):
                if text and text != "—":
                    self.lookup.setdefault(text, value)
                    for part in text.split(" / ") if " / " in text else ():  # «муниципальный / городской»
                        self.lookup.setdefault(part.strip(), value)

    def __call__(self, value: Any) -> Any:
        key = norm(as_text(value))
        if key in self.lookup:
            return self.lookup[key]
        allowed = ", ".join(str(label) for _v, label in self.choices.choices if str(label) != "—")
        raise CellError(_("Нет такого значения: «%(value)s». Допустимо: %(allowed)s.")
                        % {"value": as_text(value)[:40], "allowed": allowed})

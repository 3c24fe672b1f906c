"""Writes of the monitoring app: the yearly population of children by single year of age (the denominator)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kruzhok.core.errors import DomainError
from kruzhok.core.services import audit_record
from kruzhok.territory.models import Municipality, Population

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_AGE = 17
MAX_ROWS = 100_000
COLUMNS = ("municipality", "year", "age", "count")
HEADERS = {
    "municipality": {"municipality", "муниципалитет", "муниципальное образование", "мо", "код", "code",
                     "муниципалитет (код или название)"},
    "year": {"year", "год"},
    "age": {"age", "возраст", "возраст, полных лет"},
    "count": {"count", "число", "число детей", "численность", "количество", "детей"},
}


def _validate_cell(*, year: Any, age: Any, count: Any) -> list[tuple[str, str]]:
    errors = []
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        errors.append(("year", _("Год должен быть между %(a)s и %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}))
    if not isinstance(age, int) or not 0 <= age <= MAX_AGE:
        errors.append(("age", _("Возраст должен быть от 0 до 17 лет.")))
    if not isinstance(count, int) or count < 0:
        errors.append(("count", _("Число детей должно быть целым и не меньше нуля.")))
    return errors


@transaction.atomic
def population_set(*, municipality: Municipality, year: int, counts: dict[int, int | None], actor: Any) -> int:
    """Set the population of ``municipality`` in ``year`` for the ages in ``counts`` (None deletes the age).

    Returns the number of rows written or deleted; raises :class:`DomainError` (nothing written) on a bad value.
    """
    problems = []
    for age, count in counts.items():
        problems += [message for _column, message in _validate_cell(year=year, age=age, count=count if count
                                                                     is not None else 0)]
    if problems:
        raise DomainError(sorted(set(problems)))
    written = 0
    for age, count in sorted(counts.items()):
        if count is None:
            written += Population.objects.filter(municipality=municipality, year=year, age=age).delete()[0]
            continue
        Population.objects.update_or_create(municipality=municipality, year=year, age=age,
                                            defaults={"count": count})
        written += 1
    audit_record(actor=actor, action="population.set", obj=municipality, year=year,
                 counts={str(k): v for k, v in sorted(counts.items())})
    return written


@dataclass(frozen=True)
class PopulationRowError:
    row: int  # 1-based line of the file (the header is row 1)
    column: str  # one of COLUMNS, or "" for the whole row
    message: str


@dataclass
class PopulationImportResult:
    imported: int = 0
    errors: list[PopulationRowError] = field(default_factory=list)


def _rows_xlsx(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _rows_csv(data: bytes) -> Iterator[list[Any]]:
    text = data.decode("utf-8-sig", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return None
        return int(number) if number.is_integer() else None


def _header_map(header: Iterable[Any]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = str(cell or "").strip().lower()
        for column, names in HEADERS.items():
            if name in names and column not in found:
                found[column] = index
    return found if len(found) == len(COLUMNS) else None


def population_import(*, file: BinaryIO, filename: str, actor: Any,
                      municipalities: QuerySet[Municipality] | None = None) -> PopulationImportResult:
    """Load population rows (municipality — code or name —, year, age, count) from an XLSX or CSV file.

    Good rows go in (added or replacing the same municipality/year/age); every bad row is reported with its
    line and column and left out. ``municipalities`` limits the municipalities the actor may load (pass the
    scoped queryset); without a header row the columns are taken in the order of :data:`COLUMNS`.
    """
    data = file.read()
    result = PopulationImportResult()
    try:
        rows = list(_rows_xlsx(data) if filename.lower().endswith((".xlsx", ".xlsm")) else _rows_csv(data))
    except Exception:  # a broken or foreign file: say so, write nothing
        result.errors.append(PopulationRowError(row=0, column="", message=_("Не удалось прочитать файл: "
                                                                            "нужен XLSX или CSV.")))
        return result
    if len(rows) > MAX_ROWS:
        result.errors.append(PopulationRowError(row=0, column="", message=_("Слишком много строк: не больше "
                                                                            "%(n)s.") % {"n": MAX_ROWS}))
        return result
    allowed = municipalities if municipalities is not None else Municipality.objects.all()
    by_key: dict[str, Municipality] = {}
    for municipality in allowed:
        by_key[municipality.code.strip().lower()] = municipality
        by_key.setdefault(municipality.name.strip().lower(), municipality)
    header = _header_map(rows[0]) if rows else None
    index = header or {column: i for i, column in enumerate(COLUMNS)}
    start = 1 if header else 0
    good: dict[tuple[int, int, int], tuple[int, Municipality]] = {}
    for line, row in enumerate(rows[start:], start=start + 1):
        if not any(str(cell or "").strip() for cell in row):
            continue
        cells = {column: row[i] if i < len(row) else None for column, i in index.items()}
        errors = []
        found = by_key.get(str(cells["municipality"] or "").strip().lower())
        if found is None:
            errors.append(("municipality", _("Муниципалитет «%(name)s» не найден или недоступен.")
                           % {"name": cells["municipality"] or ""}))
        year, age, count = _int(cells["year"]), _int(cells["age"]), _int(cells["count"])
        errors += _validate_cell(year=year, age=age, count=count)
        if not errors and found is not None and year is not None and age is not None:
            key = (found.pk, year, age)
            if key in good:
                errors.append(("", _("Повтор: муниципалитет, год и возраст уже были в строке %(row)s.")
                               % {"row": good[key][0]}))
            else:
                good[key] = (line, found)
                continue
        result.errors += [PopulationRowError(row=line, column=column, message=message) for column, message in errors]
    with transaction.atomic():
        counts = {key: _int(rows[line - 1][index["count"]]) for key, (line, _m) in good.items()}
        touched: dict[int, Municipality] = {}
        for (municipality_id, year, age), count in counts.items():
            try:
                Population.objects.update_or_create(municipality_id=municipality_id, year=year, age=age,
                                                    defaults={"count": count})
            except ValidationError as error:  # pragma: no cover - validated above
                result.errors.append(PopulationRowError(row=good[(municipality_id, year, age)][0], column="",
                                                        message="; ".join(error.messages)))
                continue
            touched[municipality_id] = good[(municipality_id, year, age)][1]
            result.imported += 1
        for municipality in touched.values():
            audit_record(actor=actor, action="population.import", obj=municipality, filename=filename,
                         rows=sum(1 for key in counts if key[0] == municipality.pk))
    result.errors.sort(key=lambda e: (e.row, e.column))
    return result

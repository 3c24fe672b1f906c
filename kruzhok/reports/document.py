"""The report document: what a builder produces and every renderer (DOCX, PDF, XLSX) reads.

A :class:`Report` is a list of :class:`Section` s; a section holds blocks in order — paragraphs, key
figures, tables with typed columns, charts and the user's free-text blocks. Builders fill it from the
selectors (they never count anything themselves); renderers only lay it out. A column total is either a
``SUM`` (the renderers add the column up; XLSX writes a ``=SUM(…)`` formula) or a value the builder took from a
selector (a coverage share is not the sum of the rows' shares).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Literal

CellKind = Literal["text", "int", "percent", "ratio", "decimal", "date"]  # percent: 80.0; ratio: 0.8 shown 80.0 %
Number = int | float | Decimal


@dataclasses.dataclass(frozen=True)
class AtLeast:
    """A lower bound («более 1000» participants): a number in XLSX, «более 1000» in the text."""

    value: int

    def __int__(self) -> int:
        return self.value

    def __radd__(self, other: object) -> object:
        return other + self.value  # type: ignore[operator]


Cell = str | int | float | Decimal | dt.date | AtLeast | None



class _Sum:
    """The marker of a column total that is the sum of the column."""

    def __repr__(self) -> str:
        return "SUM"


SUM = _Sum()


@dataclasses.dataclass
class Column:
    label: str
    kind: CellKind = "text"
    width: int | None = None  # characters, for XLSX; estimated when None


@dataclasses.dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    totals: list[Cell | _Sum] | None = None  # one per column; the first is usually the label «Итого»
    sheet: str = ""  # XLSX sheet name (≤ 31 characters); the title when empty
    note: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"row {row!r} has {len(row)} cells for {len(self.columns)} columns")
        if self.totals is not None and len(self.totals) != len(self.columns):
            raise ValueError("totals must have one cell per column")

    def total_values(self) -> list[Cell]:
        """The totals row with every ``SUM`` replaced by the sum of its column."""
        if self.totals is None:
            return []
        values: list[Cell] = []
        for index, cell in enumerate(self.totals):
            if isinstance(cell, _Sum):
                total = sum(int(row[index] or 0) if isinstance(row[index], AtLeast) else (row[index] or 0)
                            for row in self.rows)  # type: ignore[misc]
                bounded = any(isinstance(row[index], AtLeast) for row in self.rows)
                values.append(AtLeast(int(total)) if bounded else total)
            else:
                values.append(cell)
        return values


@dataclasses.dataclass
class Figure:
    """One key figure: «Доля детей, охваченных дополнительным образованием — 80,0 %»."""

    label: str
    value: Number | None
    kind: CellKind = "int"
    key: str = ""  # a stable name for tests and XLSX


@dataclasses.dataclass
class Figures:
    items: list[Figure]
    title: str = ""


@dataclasses.dataclass
class Paragraph:
    text: str


@dataclasses.dataclass
class Chart:
    kind: Literal["bar", "pie", "line"]
    title: str
    labels: list[str]
    values: list[Number]
    unit: str = ""
    _png: bytes | None = dataclasses.field(default=None, repr=False, compare=False)

    def png(self) -> bytes:
        """The chart as PNG, drawn once and shared by the DOCX and the PDF."""
        if self._png is None:
            from kruzhok.reports.charts import chart_png

            self._png = chart_png(self)
        return self._png


@dataclasses.dataclass
class FreeText:
    """A block the user writes when ordering the report (prospects, problems)."""

    key: str
    heading: str
    text: str


Block = Paragraph | Figures | Table | Chart | FreeText


@dataclasses.dataclass
class Section:
    heading: str
    blocks: list[Block] = dataclasses.field(default_factory=list)

    def add(self, block: Block) -> Block:
        self.blocks.append(block)
        return block


@dataclasses.dataclass
class Report:
    title: str
    subtitle: str = ""
    meta: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (label, value) lines under the title
    sections: list[Section] = dataclasses.field(default_factory=list)
    language: str = "ru"
    footer: str = ""
    data_at: dt.datetime | None = None  # when the figures were computed (aggregates' time); None: read live

    def section(self, heading: str) -> Section:
        section = Section(heading)
        self.sections.append(section)
        return section

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [f for s in self.sections for b in s.blocks if isinstance(b, Figures) for f in b.items]


def format_cell(value: Cell, kind: CellKind, language: str = "ru") -> str:
    """A cell as text for DOCX and PDF: thin-space thousands, comma decimals in Russian and Kazakh."""
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if isinstance(value, AtLeast):
        from kruzhok.events.counts import participants_display

        return participants_display(value.value, True)
    if kind == "int" and isinstance(value, (int, float, Decimal)):
        text = f"{int(value):,}"
        return text.replace(",", "\u00a0") if language in ("ru", "kk") else text
    if kind == "ratio" and isinstance(value, (int, float, Decimal)):
        return format_cell(float(value) * 100, "percent", language)
    if kind in ("percent", "decimal") and isinstance(value, (int, float, Decimal)):
        text = f"{float(value):,.1f}"
        if language in ("ru", "kk"):
            text = text.replace(",", "\u00a0").replace(".", ",")
        return f"{text}\u00a0%" if kind == "percent" else text
    if kind == "date" and isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)

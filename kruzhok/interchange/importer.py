"""The import: an uploaded file, its column mapping, and the background job that checks and writes it.

The file is kept under ``MEDIA_ROOT/imports/`` (a restarted job reads it again). A run is a core Job of kind
``interchange.import`` with ``params = {"file", "registry", "mapping", "dry_run", "lang", "user"}``:

* a large file (``KRUZHOK_IMPORT_FORK_ROWS`` rows or more) is read, its cells parsed and its rows checked as far as
  that needs no database (``Registry.prepare``) by a forked process, a few thousand rows ahead
  (``read_in_process``), while the job validates the rest and writes; a small file is read by the job itself;
* rows are read in order and handled in batches (``Registry.batch_size``); each batch is one transaction that also
  holds the job's checkpoint (``progress.checkpoint``: next row, counts, length of the error report), so after a
  killed worker the job resumes after the last committed batch and never writes a batch twice;
* a batch that the database refuses as a whole (a race with another user) is retried row by row, each row in its
  own savepoint; the rows the database still refuses are reported, the rest go in;
* refused rows go to ``<job>.errors.jsonl`` beside the file (``{"row", "column", "message"}``, the message in the
  language of the user who started the import); the file is cut back to the checkpoint's length on resume;
* a dry run (the preview) does all the same, each batch rolled back (no lock held longer than a batch): its counts
  are what the import will do, except that a new child named again in a *later* batch of the same file counts as
  created there too (the import then updates it).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import queue
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kruzhok.core.errors import DomainError
from kruzhok.core.jobs import Progress, job_handler
from kruzhok.core.models import Job
from kruzhok.interchange import reading
from kruzhok.interchange.registries import CREATED, REFUSED, REGISTRIES, UNCHANGED, UPDATED, Context, Registry, Row

KIND = "interchange.import"
ERROR_PREVIEW = 200


def imports_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_save(uploaded: Any, *, suffix: str | None = None) -> str:
    """Keep an uploaded file (a Django UploadedFile or bytes) under ``imports/``; returns its stored name."""
    if suffix is None:
        suffix = Path(getattr(uploaded, "name", "") or "").suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise DomainError(_("Загрузите файл XLSX или CSV."), code="import_bad_format")
    name = f"{uuid.uuid4().hex}{suffix}"
    with open(imports_dir() / name, "wb") as out:
        if isinstance(uploaded, bytes | bytearray):
            out.write(uploaded)
        else:
            for chunk in uploaded.chunks():
                out.write(chunk)
    return name


def upload_path(name: str) -> Path:
    if "/" in name or "\\" in name or name.startswith("."):
        raise DomainError(_("Файл не найден."), code="import_file_missing")
    path = imports_dir() / name
    if not path.exists():
        raise DomainError(_("Файл не найден."), code="import_file_missing")
    return path


def errors_path(job_id: int) -> Path:
    return imports_dir() / f"job-{job_id}.errors.jsonl"


# --- columns ----------------------------------------------------------------------------------------------------

def auto_mapping(registry: Registry, header: list[str]) -> dict[int, str]:
    """File column index → registry column key, by the header in any of the three languages."""
    by_header: dict[str, str] = {}
    for col in registry.columns:
        for text in col.headers():
            by_header.setdefault(text, col.key)
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for index, title in enumerate(header):
        key = by_header.get(reading.norm(title))
        if key and key not in used:
            mapping[index] = key
            used.add(key)
    return mapping


def missing_required(registry: Registry, mapping: dict[int, str]) -> list[str]:
    present = set(mapping.values())
    return [str(c.label) for c in registry.columns if c.required and c.key not in present]


def _parse(cols: list[tuple[int, Any, Any]], number: int, cells: list[Any]) -> Row:
    """One row's cells parsed by the mapped columns (``cols``: file index and :class:`Col`)."""
    values: dict[str, Any] = {}
    errors: list[tuple[str | None, str]] = []
    width = len(cells)
    for index, col, parse in cols:
        raw = cells[index] if index < width else None
        try:
            values[col.key] = parse(raw)
        except reading.CellError as error:
            values[col.key] = None
            errors.append((col.key, str(error)))
    row = Row(number=number, values=values, parse_errors=list(errors), errors=list(errors))
    return row


# --- the job ----------------------------------------------------------------------------------------------------

def import_start(*, user: Any, file: str, registry: str, mapping: dict[int, str] | None = None,
                 dry_run: bool = True, batch_size: int | None = None) -> Job:
    """Start a preview (``dry_run``) or an import of an uploaded file; checks the columns first."""
    from kruzhok.core.jobs import job_start

    reg = REGISTRIES.get(registry)
    if reg is None:
        raise DomainError(_("Неизвестный реестр."), code="import_unknown_registry")
    path = upload_path(file)
    if mapping is None:
        mapping = auto_mapping(reg, reading.read_header(path))
    missing = missing_required(reg, mapping)
    if missing:
        raise DomainError(_("В файле нет обязательных столбцов: %(columns)s.") % {"columns": ", ".join(missing)},
                          code="import_columns_missing")
    return job_start(kind=KIND, actor=user, params={
        "file": file, "registry": registry, "mapping": {str(k): v for k, v in mapping.items()},
        "dry_run": dry_run, "lang": translation.get_language() or settings.LANGUAGE_CODE,
        "user": getattr(user, "pk", None), **({"batch_size": batch_size} if batch_size else {})})


@job_handler(KIND)
def _import_job(job: Job, progress: Progress) -> dict:
    from kruzhok.accounts.models import User

    params = job.params
    user = User.objects.get(pk=params.get("user") or job.created_by_id)
    with translation.override(params.get("lang") or settings.LANGUAGE_CODE):
        return import_run(job=job, progress=progress, user=user)


def import_run(*, job: Job, progress: Progress, user: Any) -> dict:
    params = job.params
    registry = REGISTRIES[params["registry"]]
    path = upload_path(params["file"])
    mapping = {int(k): v for k, v in params["mapping"].items()}
    headers = reading.read_header(path)
    dry_run = bool(params.get("dry_run"))
    state = {} if dry_run else dict(job.state or {})
    start_row = state.get("next_row", 2)
    counts = state.get("counts") or {CREATED: 0, UPDATED: 0, UNCHANGED: 0, REFUSED: 0}
    total = reading.count_rows(path)
    epath = errors_path(job.pk)
    offset = state.get("errors_offset", 0)
    with open(epath, "ab") as out:
        out.truncate(offset)
    ctx = Context(user)
    column_header = {key: headers[i] if i < len(headers) else key for i, key in mapping.items()}

    def label(key: str | None) -> str:
        if key is None:
            return ""
        if key in column_header and column_header[key]:
            return column_header[key]
        try:
            return str(registry.column(key).label)
        except StopIteration:
            return key

    def flush(batch: list[Row], last_number: int) -> None:
        nonlocal offset
        with transaction.atomic():
            outcomes = _process(registry, ctx, batch)
            lines = []
            for row, outcome in zip(batch, outcomes, strict=True):
                counts[outcome] += 1
                if outcome == REFUSED:
                    for key, message in row.errors or [(None, _("Строка не записана."))]:
                        lines.append(json.dumps({"row": row.number, "column": label(key), "message": message},
                                                ensure_ascii=False))
            if lines:
                with open(epath, "ab") as out:
                    out.write(("\n".join(lines) + "\n").encode())
                    out.flush()
                    os.fsync(out.fileno())
                offset = epath.stat().st_size
            if dry_run:
                transaction.set_rollback(True)
            else:
                progress.checkpoint({"next_row": last_number + 1, "counts": counts, "errors_offset": offset})
        progress(sum(counts.values()), total=total, message=_("Проверено строк") if dry_run else
                 _("Загружено строк"))

    batch_size = int(params.get("batch_size") or registry.batch_size)
    cols = [(index, col, col.parser()) for index, col in
            ((index, registry.column(key)) for index, key in sorted(mapping.items()))]

    registry.prepare_context(ctx)

    def parsed() -> Iterator[tuple[Row, tuple | None]]:
        blank, prepare = reading.blank, registry.prepare
        for number, cells in reading.iter_table(path):
            if number == 1 or all(blank(c) for c in cells):
                continue
            row = _parse(cols, number, cells)
            if row.parse_errors:
                yield row, None
                continue
            if number >= start_row:
                prepare(ctx, row)
            yield row, registry.file_key(row)

    def run() -> None:
        seen: dict[tuple, int] = {}
        batch: list[Row] = []
        last = 1
        rows = parsed()
        if total - start_row >= settings.KRUZHOK_IMPORT_FORK_ROWS and "fork" in multiprocessing.get_all_start_methods():
            rows = read_in_process(rows, language=translation.get_language())
        for row, key in rows:
            number = row.number
            if number < start_row:
                if key is not None:
                    seen.setdefault(key, number)
                continue
            if key is not None:
                if key in seen:
                    message = _("Повтор строки %(row)s.") % {"row": seen[key]}
                    row.parse_errors.append((None, message))
                    row.refuse(None, message)
                else:
                    seen[key] = number
            batch.append(row)
            last = number
            if len(batch) >= batch_size:
                flush(batch, last)
                batch = []
        if batch:
            flush(batch, last)

    run()
    progress(sum(counts.values()), total=sum(counts.values()), force=True)
    from django.urls import reverse

    return {**counts, "rows": sum(counts.values()), "dry_run": dry_run, "registry": registry.key,
            "url": reverse("interchange:job", args=[job.pk]),
            "errors": errors_read(job.pk, limit=ERROR_PREVIEW)}


def _die_with_parent(parent: int) -> None:
    """In a forked child: be killed by the kernel when the parent dies (Linux), so a child blocked on its queue
    never outlives a killed worker; elsewhere the child's queue waits check its parent twice a second."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the call above
        os._exit(0)


class ReaderFailed(RuntimeError):
    """The reading process stopped without handing over the rest of the file."""


def read_in_process(items: Iterator[Any], *, language: str | None, chunk: int = 500,
                    depth: int = 16) -> Iterator[Any]:
    """``items`` made by a forked child process, ``chunk`` at a time and at most ``depth`` chunks ahead.

    Reading an XLSX and parsing its cells is pure Python; in a thread of the job's process it would hold the
    interpreter lock that the job's thread needs back after every database call, and cost the job more than it
    saves (measured: the import ran as fast without the thread as with it). A forked child reads on another core
    and hands over pickled chunks through a ``multiprocessing`` queue. It only reads the file and uses what the
    parent had loaded before the fork (no database: the parent's connection is never touched by the child, which
    leaves by ``os._exit``); it works in the import's language; its error is raised here; it stops when this
    generator is closed (terminated) or when its parent dies — a killed worker leaves no reader behind.
    """
    mp = multiprocessing.get_context("fork")
    chunks = mp.Queue(maxsize=depth)
    parent = os.getpid()

    def put(item: Any) -> None:
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        while True:
            try:
                chunks.put(data, timeout=0.5)
                return
            except queue.Full:
                if os.getppid() != parent:  # the worker was killed: nobody will read the rest
                    os._exit(0)

    def produce() -> None:
        _die_with_parent(parent)
        try:
            with translation.override(language):
                part: list[Any] = []
                for item in items:
                    part.append(item)
                    if len(part) >= chunk:
                        put(part)
                        part = []
                if part:
                    put(part)
            put(None)
        except BaseException as error:  # handed to the job: pickled as it is when it can be
            try:
                put(error)
            except Exception:
                put(ReaderFailed(f"{type(error).__name__}: {error}"))
        finally:
            chunks.close()
            chunks.join_thread()

    reader = mp.Process(target=produce, name="import-reader", daemon=True)
    reader.start()
    try:
        while True:
            try:
                data = chunks.get(timeout=1)
            except queue.Empty:
                if not reader.is_alive():
                    raise ReaderFailed(f"the reading process ended with code {reader.exitcode}") from None
                continue
            part = pickle.loads(data)
            if part is None:
                return
            if isinstance(part, BaseException):
                raise part
            yield from part
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join()
        chunks.close()
        chunks.cancel_join_thread()


def _process(registry: Registry, ctx: Context, batch: list[Row]) -> list[str]:
    try:
        with transaction.atomic():
            return registry.process(ctx, batch)
    except (IntegrityError, DatabaseError):
        ctx.forget_groups()
    outcomes = []
    for row in batch:
        row.errors = list(row.parse_errors)
        for attr in ("outcome", "child_key"):
            if hasattr(row, attr):
                delattr(row, attr)
        try:
            with transaction.atomic():
                outcomes.extend(registry.process(ctx, [row]))
        except (IntegrityError, DatabaseError) as error:
            ctx.forget_groups()
            first_line = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            row.refuse(None, _("База данных не приняла строку: %(error)s") % {"error": first_line})
            outcomes.append(REFUSED)
    return outcomes


def errors_read(job_id: int, *, limit: int | None = None) -> list[dict]:
    path = errors_path(job_id)
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                out.append(json.loads(line))
                if limit is not None and len(out) >= limit:
                    break
    return out

"""Checks of the files of the bank of best practices: the type by the name *and* by the first bytes, the size."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ZIP = (b"PK\x03\x04",)  # docx, xlsx, pptx, odt, ods, odp and zip are zip archives
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # the old Office formats: doc, xls, ppt
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",), "rtf": (b"{\\rtf",), "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",), "doc": OLE, "xls": OLE, "ppt": OLE,
    **dict.fromkeys(("docx", "xlsx", "pptx", "odt", "ods", "odp", "zip"), ZIP),
}
TEXT = frozenset({"txt"})


def _extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def _head(upload: Any, length: int = 16) -> bytes:
    handle = getattr(upload, "file", upload)
    position = handle.tell() if hasattr(handle, "tell") else 0
    try:
        handle.seek(0)
        return handle.read(length) or b""
    finally:
        handle.seek(position)


def practice_file_problem(upload: Any) -> str:
    """What is wrong with an uploaded file of a practice, in words for the secretary ("" when it is fine)."""
    from kruzhok.events.models import PRACTICE_FILE_EXTENSIONS, PRACTICE_FILE_MAX_BYTES

    if getattr(upload, "_committed", False):
        return ""  # a file already stored (its row saved again): checked when it was uploaded
    name = PurePath(upload.name or "").name
    extension = _extension(name)
    if extension not in PRACTICE_FILE_EXTENSIONS:
        return _("Файл «%(name)s»: такой тип не принимается. Подойдут: %(types)s.") % {
            "name": name, "types": ", ".join(PRACTICE_FILE_EXTENSIONS)}
    size = upload.size or 0
    if size > PRACTICE_FILE_MAX_BYTES:
        return _("Файл «%(name)s» слишком большой (%(size)s): не больше %(limit)s.") % {
            "name": name, "size": filesizeformat(size), "limit": filesizeformat(PRACTICE_FILE_MAX_BYTES)}
    if size == 0:
        return _("Файл «%(name)s» пустой.") % {"name": name}
    head = _head(upload)
    if extension in TEXT:
        if b"\x00" in head:
            return _("Файл «%(name)s» не похож на текст.") % {"name": name}
        return ""
    if not head.startswith(SIGNATURES[extension]):
        return _("Файл «%(name)s» не похож на файл %(type)s: возможно, у него чужое расширение.") % {
            "name": name, "type": extension.upper()}
    return ""

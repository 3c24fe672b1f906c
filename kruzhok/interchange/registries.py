"""What can be imported and exported: one :class:`Registry` per kind of list, with its columns and natural keys.

Two ways of writing:

* the small registries (organizations, venues, programmes, groups with schedules, teachers, population,
  applications, events with results) go row by
  row through the model's ``full_clean`` (check constraints, choices, lengths, uniqueness) inside a savepoint each:
  a municipality has hundreds of these rows, not hundreds of thousands;
* children (with a guardian, categories and an optional enrollment) and enrollments — the big lists — are validated
  per batch in Python (the people validators, ``Child.clean``, ages against the programme, seats) with a handful of
  queries per batch, and written with COPY (PostgreSQL; ``executemany`` on SQLite) / ``bulk_update``; new
  enrollments are written sorted by group, and the database's capacity triggers still count and check every one
  (on PostgreSQL once per statement). The tables they look up in are analyzed as they grow (``_analyze_grown``).

Natural keys (an import run twice changes nothing the second time; a changed row updates):

===================  =================================================================================
organization         ИНН/БИН; without it, full name + municipality
venue                organization + name
programme            organization + code; without a code, organization + title
group                organization + programme + group name (the schedule is replaced when it differs)
teacher              СНИЛС/ИИН; without it, surname + name + patronymic within the organization
child                kind + СНИЛС/ИИН; without it, surname + name + patronymic + birth date
enrollment           child + group + start date
population           municipality + year + age
application          child + group + submitted at (created with the channel «импорт» and a first status-history
                     row; a reject reason by its code or name in the dictionary)
event result         event (title + start date + organizer; created when missing) + participant (child by
                     СНИЛС/ИИН or name + birth date, teacher by СНИЛС/ИИН or name, or team name) + nomination
===================  =================================================================================

What a user may import is what they may change (``scope_queryset(..., write=True)``): an organization admin
writes into their own organizations, municipal and regional admins into their territory; an organization,
municipality or group outside the scope reads as unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kruzhok.accounts.admin_scoping import sees_personal_ids
from kruzhok.accounts.scoping import scope_queryset, user_scope
from kruzhok.catalog.models import Direction, Employment, Group, Organization, Programme, ScheduleSlot, Teacher, Venue
from kruzhok.enrollment.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Enrollment,
    EnrollmentStatus,
    FundingSource,
    RejectReason,
)
from kruzhok.events.models import Event, EventLevel, EventParticipant, EventResult
from kruzhok.interchange import reading as r
from kruzhok.people.models import EARLIEST_BIRTH_DATE, Child, ChildCategory, Guardian, GuardianLink, Sex, age_on
from kruzhok.people.validators import iin_parse, validate_iin, validate_snils
from kruzhok.territory.models import Municipality, Population, Settlement

CREATED, UPDATED, UNCHANGED, REFUSED = "created", "updated", "unchanged", "refused"


# --- columns and rows ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    key: str
    label: Any  # a lazy Russian msgid: the header of the template
    kind: str = "str"  # str, int, decimal, date, datetime, time, bool, choice
    required: bool = False
    choices: Any = None
    max_length: int | None = None
    personal: bool = False  # exported only to roles that see national identifiers
    aliases: tuple[str, ...] = ()

    def headers(self) -> set[str]:
        return r.translations(self.label) | {r.norm(self.key)} | {r.norm(a) for a in self.aliases}

    def parse(self, raw: Any) -> Any:
        if self.kind == "str" and type(raw) is str and raw and raw[0] != "'" and raw == raw.strip():
            if self.max_length and len(raw) > self.max_length:
                raise r.CellError(_("Слишком длинное значение: не больше %(n)s знаков.") % {"n": self.max_length})
            return raw
        if self.kind == "date" and type(raw) is dt.datetime and raw.time() == dt.time():
            return raw.date()
        if r.blank(raw):
            if self.required:
                raise r.CellError(_("Обязательное поле не заполнено."))
            return None if self.kind not in ("str", "bool") else ("" if self.kind == "str" else None)
        if self.kind == "str":
            text = r.as_text(raw)
            if self.max_length and len(text) > self.max_length:
                raise r.CellError(_("Слишком длинное значение: не больше %(n)s знаков.") % {"n": self.max_length})
            return text
        if self.kind == "choice":
            return _choice_reader(self.choices)(raw)
        return _PARSERS[self.kind](raw)


    def parser(self) -> Any:
        """``parse``, with a choice's lookup bound once (per import, in its language) for the common case."""
        if self.kind != "choice":
            return self.parse
        lookup = _choice_reader(self.choices).lookup
        norm, missing, parse = r.norm, object(), self.parse

        def parse_choice(raw: Any) -> Any:
            if type(raw) is str and raw and raw[0] != "'":
                value = lookup.get(norm(raw), missing)
                if value is not missing:
                    return value
            return parse(raw)
        return parse_choice


_PARSERS = {"int": r.as_int, "decimal": r.as_decimal, "date": r.as_date, "datetime": r.as_datetime,
            "time": r.as_time, "bool": r.as_bool}
_CHOICE_READERS: dict[tuple[Any, str], r.ChoiceReader] = {}


def _choice_reader(choices: Any) -> r.ChoiceReader:
    from django.utils.translation import get_language

    key = (choices, get_language() or "ru")
    if key not in _CHOICE_READERS:
        _CHOICE_READERS[key] = r.ChoiceReader(choices)
    return _CHOICE_READERS[key]


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    parse_errors: list[tuple[str | None, str]] = field(default_factory=list)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    # what Registry.prepare checked ahead of the batch (where the file is read) and the refusals it found
    prepared: Any = None
    prepared_errors: list[tuple[str | None, str]] = field(default_factory=list)

    def refuse(self, column: str | None, message: Any) -> None:
        self.errors.append((column, str(message)))

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value


def choice_label(choices: Any, value: Any) -> str:
    if value in (None, ""):
        return ""
    return str(dict(choices.choices).get(value, value))


# --- lookups in the user's scope -------------------------------------------------------------------------------

class Context:
    """One import run: the user, what they may write, and cached lookups."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.actor = user if getattr(user, "is_authenticated", False) else None  # recorded as who did it
        self.scope = user_scope(user)
        self._orgs: dict[str, list[dict]] | None = None
        self._munis: dict[str, list[dict]] | None = None
        self._programmes: dict[int, dict[str, dict]] = {}
        self._groups: dict[int, dict[tuple[int, str], dict]] = {}
        self._directions: dict[str, int] | None = None
        self._settlements: dict[tuple[int, str], int] | None = None
        self._reject_reasons: dict[str, int] | None = None
        self._named_groups: dict[tuple, tuple[dict, dict, dict]] = {}

    # organizations the user may change, by ИНН/БИН, short name and full name
    def organizations(self) -> dict[str, list[dict]]:
        if self._orgs is None:
            self._orgs = {}
            qs = scope_queryset(self.user, Organization.objects.all(), write=True)
            for org in qs.values("id", "tax_id", "short_name", "name", "municipality_id",
                                 "municipality__region__country"):
                for key in {org["tax_id"] or "", r.norm(org["short_name"]), r.norm(org["name"])} - {""}:
                    self._orgs.setdefault(key, []).append(org)
        return self._orgs

    def organization(self, row: Row, column: str = "organization") -> dict | None:
        raw = row.values.get(column)
        if raw in (None, ""):
            return None
        text = r.as_text(raw)
        key = re.sub(r"\D", "", text) if re.fullmatch(r"[\d\s]{10,12}", text) else r.norm(text)
        found = self.organizations().get(key, [])
        if len(found) == 1:
            return found[0]
        if not found:
            row.refuse(column, _("Организация «%(value)s» не найдена или вне вашей области доступа.")
                       % {"value": text[:80]})
        else:
            row.refuse(column, _("Несколько организаций с названием «%(value)s»: укажите ИНН/БИН.")
                       % {"value": text[:80]})
        return None

    def municipalities(self) -> dict[str, list[dict]]:
        if self._munis is None:
            self._munis = {}
            scope = self.scope
            qs = Municipality.objects.all()
            if not scope.is_superuser:
                q = Q(pk__in=[])
                if scope.region_ids and "regional_admin" in scope.roles:
                    q |= Q(region__in=scope.region_ids)
                if scope.municipality_ids and "municipal_admin" in scope.roles:
                    q |= Q(pk__in=scope.municipality_ids)
                org_munis = {o["municipality_id"] for rows in self.organizations().values() for o in rows}
                q |= Q(pk__in=org_munis)
                qs = qs.filter(q)
            for m in qs.values("id", "code", "name", "name_kk", "name_en"):
                for key in {r.norm(m["code"]), r.norm(m["name"]), r.norm(m["name_kk"]), r.norm(m["name_en"])} - {""}:
                    self._munis.setdefault(key, []).append(m)
        return self._munis

    def municipality(self, row: Row, column: str = "municipality") -> int | None:
        raw = row.values.get(column)
        if raw in (None, ""):
            return None
        found = self.municipalities().get(r.norm(raw), [])
        if len(found) == 1:
            return found[0]["id"]
        row.refuse(column, _("Муниципалитет «%(value)s» не найден или вне вашей области доступа.")
                   % {"value": str(raw)[:80]} if not found else
                   _("Несколько муниципалитетов «%(value)s»: укажите код.") % {"value": str(raw)[:80]})
        return None

    def settlement(self, row: Row, municipality_id: int, column: str = "settlement") -> int | None:
        raw = row.values.get(column)
        if raw in (None, ""):
            return None
        if self._settlements is None:
            self._settlements = {}
            for s in Settlement.objects.values("id", "municipality_id", "name", "name_kk", "name_en"):
                for name in {s["name"], s["name_kk"], s["name_en"]} - {""}:
                    self._settlements[(s["municipality_id"], r.norm(name))] = s["id"]
        found = self._settlements.get((municipality_id, r.norm(raw)))
        if found is None:
            row.refuse(column, _("Населённый пункт «%(value)s» не найден в муниципалитете.") % {"value": str(raw)[:80]})
        return found

    def direction(self, row: Row, column: str = "direction") -> int | None:
        if self._directions is None:
            self._directions = {}
            for d in Direction.objects.values("id", "code", "name", "name_kk", "name_en"):
                for key in {d["code"], d["name"], d["name_kk"], d["name_en"]} - {""}:
                    self._directions.setdefault(r.norm(key), d["id"])
        found = self._directions.get(r.norm(row.values.get(column)))
        if found is None:
            row.refuse(column, _("Направленность «%(value)s» не найдена.")
                       % {"value": str(row.values.get(column))[:80]})
        return found

    def reject_reason(self, row: Row, column: str = "reject_reason") -> int | None:
        """A reject reason of the dictionary by its code or its name in any language; refused when unknown."""
        if self._reject_reasons is None:
            self._reject_reasons = {}
            for reason in RejectReason.objects.values("id", "code", "name", "name_kk", "name_en"):
                for key in {reason["code"], reason["name"], reason["name_kk"], reason["name_en"]} - {""}:
                    self._reject_reasons.setdefault(r.norm(key), reason["id"])
        raw = row.values.get(column)
        found = self._reject_reasons.get(r.norm(raw))
        if found is None:
            row.refuse(column, _("Причина отказа «%(value)s» не найдена в справочнике.") % {"value": str(raw)[:80]})
        return found

    def programmes(self, org_id: int) -> dict[str, dict]:
        if org_id not in self._programmes:
            found: dict[str, dict] = {}
            for p in Programme.objects.filter(organization_id=org_id).values("id", "code", "title", "age_from",
                                                                            "age_to"):
                if p["code"]:
                    found.setdefault(r.norm(p["code"]), p)
                found.setdefault(r.norm(p["title"]), p)
            self._programmes[org_id] = found
        return self._programmes[org_id]

    def programme(self, row: Row, org: dict, column: str = "programme") -> dict | None:
        raw = row.values.get(column)
        found = self.programmes(org["id"]).get(r.norm(raw))
        if found is None:
            row.refuse(column, _("Программа «%(value)s» не найдена в организации.") % {"value": str(raw)[:80]})
        return found

    def groups(self, org_id: int) -> dict[tuple[int, str], dict]:
        if org_id not in self._groups:
            found = {}
            for g in Group.objects.filter(programme__organization_id=org_id).values(
                    "id", "name", "programme_id", "capacity", "enrolled_count", "held_count", "period_start"):
                g["free"] = g["capacity"] - g["enrolled_count"] - g["held_count"]
                found[(g["programme_id"], r.norm(g["name"]))] = g
            self._groups[org_id] = found
        return self._groups[org_id]

    def forget_groups(self) -> None:
        self._groups.clear()
        self._programmes.clear()
        self._named_groups.clear()

    def group(self, row: Row, prefix: str = "") -> tuple[dict, dict, dict] | None:
        """(organization, programme, group) named by the row's organization/programme/group columns."""
        v = row.values
        names = (v.get(prefix + "organization"), v.get(prefix + "programme"), v.get(prefix + "group"))
        found = self._named_groups.get(names)  # a large file names the same few groups again and again
        if found is None:
            found = self._group(row, prefix)
            if found is not None:
                self._named_groups[names] = found
        return found

    def _group(self, row: Row, prefix: str) -> tuple[dict, dict, dict] | None:
        org = self.organization(row, prefix + "organization")
        if org is None:
            return None
        programme = self.programme(row, org, prefix + "programme")
        if programme is None:
            return None
        raw = row.values.get(prefix + "group")
        group = self.groups(org["id"]).get((programme["id"], r.norm(raw)))
        if group is None:
            row.refuse(prefix + "group", _("Группа «%(value)s» не найдена в программе.") % {"value": str(raw)[:80]})
            return None
        return org, programme, group


# --- the registries --------------------------------------------------------------------------------------------

class Registry:
    key: str = ""
    title: Any = ""
    columns: tuple[Col, ...] = ()
    batch_size = 500

    def column(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)

    def file_key(self, row: Row) -> tuple | None:
        """The row's natural key, to refuse a row repeated within one file."""
        return None

    def process(self, ctx: Context, rows: list[Row]) -> list[str]:
        raise NotImplementedError

    def prepare_context(self, ctx: Context) -> None:
        """Load what :meth:`prepare` looks up into ``ctx``, on the job's thread, before the reading starts."""

    def prepare(self, ctx: Context, row: Row) -> None:
        """Checks of one parsed row that need no database (only what :meth:`prepare_context` loaded), made where
        the file is read — for a large file, its reading process while the job waits for the database (see
        ``importer.read_in_process``). Their result goes to ``row.prepared`` and their refusals to
        ``row.prepared_errors``, which :meth:`process` takes up — after the file's duplicate check, so a repeated
        row is reported as a repeat only, as before."""

    def export_queryset(self, user: Any):
        raise NotImplementedError

    def export_rows(self, user: Any, qs=None) -> Iterable[list]:
        raise NotImplementedError

    def export_columns(self, user: Any) -> list[tuple[str, str]]:
        personal = sees_personal_ids(user)
        return [(c.key, str(c.label)) for c in self.columns if personal or not c.personal]

    def visible(self, user: Any, values: list) -> list:
        personal = sees_personal_ids(user)
        return [v for c, v in zip(self.columns, values, strict=True) if personal or not c.personal]


def _apply_validation_error(row: Row, error: ValidationError, fields: dict[str, str] | None = None,
                            default: str | None = None) -> None:
    fields = fields or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            column = fields.get(name, name) if name != NON_FIELD_ERRORS else default
            for message in errors:
                row.refuse(column, message)
    else:
        for message in error.messages:
            row.refuse(default, message)


def _snapshot(obj: Any) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


class SimpleRegistry(Registry):
    """Row by row: find by natural key, fill, ``full_clean``, save in a savepoint."""

    model: Any = None
    key_column = ""  # the column refused errors of the natural key go to
    field_columns: dict[str, str] = {}

    def find(self, ctx: Context, row: Row) -> Any:
        raise NotImplementedError

    def fill(self, ctx: Context, row: Row, obj: Any) -> None:
        raise NotImplementedError

    def after(self, ctx: Context, row: Row, obj: Any) -> bool:
        return False

    def may_create(self, ctx: Context, row: Row) -> bool:
        return True

    def process(self, ctx: Context, rows: list[Row]) -> list[str]:
        outcomes = []
        for row in rows:
            outcomes.append(self._one(ctx, row) if not row.refused else REFUSED)
        return outcomes

    def _one(self, ctx: Context, row: Row) -> str:
        obj = self.find(ctx, row)
        if row.refused:
            return REFUSED
        new = obj is None
        if new:
            if not self.may_create(ctx, row):
                return REFUSED
            obj = self.model()
        before = None if new else _snapshot(obj)
        self.fill(ctx, row, obj)
        if row.refused:
            return REFUSED
        try:
            obj.full_clean()
        except ValidationError as error:
            _apply_validation_error(row, error, self.field_columns, self.key_column)
            return REFUSED
        try:
            with transaction.atomic():
                changed = new or _snapshot(obj) != before
                if changed:
                    obj.save()
                changed = self.after(ctx, row, obj) or changed
                row.obj_id = obj.pk
                if row.refused:
                    raise _RowRefused
        except _RowRefused:
            return REFUSED
        except ValidationError as error:
            _apply_validation_error(row, error, self.field_columns, self.key_column)
            return REFUSED
        return CREATED if new else (UPDATED if changed else UNCHANGED)


class _RowRefused(Exception):
    pass


def _set(obj: Any, row: Row, names: Iterable[str], *, keep_blank: bool = False) -> None:
    """Copy the row's parsed values to the object's fields of the same names (blank cells keep the default)."""
    for name in names:
        if name not in row.values:
            continue
        value = row.values[name]
        if value is None:
            field_ = obj._meta.get_field(name)
            if field_.null:
                setattr(obj, name, None)
            elif field_.has_default():
                setattr(obj, name, field_.get_default())
            continue
        setattr(obj, name, value)


def _tax_id(row: Row, column: str = "tax_id") -> str | None:
    raw = row.values.get(column)
    if not raw:
        return None
    digits = re.sub(r"\D", "", str(raw))
    if len(digits) not in (10, 12):
        row.refuse(column, _("ИНН — 10 или 12 цифр, БИН — 12 цифр."))
        return None
    return digits


# organizations ---------------------------------------------------------------------------------------------------

class OrganizationRegistry(SimpleRegistry):
    key = "organizations"
    title = _l("Организации")
    model = Organization
    key_column = "name"
    columns = (
        Col("tax_id", _l("ИНН / БИН"), aliases=("инн", "бин", "inn", "bin")),
        Col("municipality", _l("Муниципалитет"), required=True),
        Col("name", _l("Полное название"), required=True, max_length=500),
        Col("short_name", _l("Краткое название"), required=True, max_length=200),
        Col("org_type", _l("Тип организации"), kind="choice", required=True, choices=Organization.Type),
        Col("subtype", _l("Вид организации"), kind="choice", choices=Organization.Subtype),
        Col("ownership", _l("Форма собственности"), kind="choice", choices=Organization.Ownership),
        Col("licence_number", _l("Номер лицензии"), max_length=64),
        Col("licence_date", _l("Дата лицензии"), kind="date"),
        Col("address", _l("Адрес"), max_length=500),
        Col("phone", _l("Телефон"), max_length=32),
        Col("email", _l("E-mail"), max_length=254),
        Col("website", _l("Сайт"), max_length=200),
        Col("is_active", _l("Действует"), kind="bool"),
    )
    FIELDS = ("name", "short_name", "org_type", "subtype", "ownership", "licence_number", "licence_date", "address",
              "phone", "email", "website", "is_active")

    def file_key(self, row: Row) -> tuple | None:
        tax = re.sub(r"\D", "", str(row.values.get("tax_id") or ""))
        return ("tax", tax) if tax else ("name", r.norm(row.values.get("name")), r.norm(row.values.get("municipality")))

    def find(self, ctx: Context, row: Row) -> Any:
        tax_id = _tax_id(row)
        municipality_id = ctx.municipality(row)
        row.tax_id, row.municipality_id = tax_id, municipality_id
        if row.refused:
            return None
        qs = Organization.objects.all()
        found = (qs.filter(tax_id=tax_id).first() if tax_id else
                 qs.filter(municipality_id=municipality_id, name__iexact=row.values["name"]).first())
        if found is not None and not scope_queryset(ctx.user, qs.filter(pk=found.pk), write=True).exists():
            row.refuse(self.key_column if not tax_id else "tax_id",
                       _("Организация уже есть в системе, но вне вашей области доступа."))
        return found

    def may_create(self, ctx: Context, row: Row) -> bool:
        if ctx.scope.is_superuser or ctx.scope.roles & {"regional_admin", "municipal_admin"}:
            return True
        row.refuse("name", _("Новые организации вносят администраторы муниципалитета или региона."))
        return False

    def fill(self, ctx: Context, row: Row, obj: Organization) -> None:
        obj.tax_id = row.tax_id
        obj.municipality_id = row.municipality_id
        _set(obj, row, self.FIELDS)

    def export_queryset(self, user):
        return scope_queryset(user, Organization.objects.select_related("municipality")).order_by("pk")

    def export_rows(self, user, qs=None):
        for o in (qs if qs is not None else self.export_queryset(user)).select_related("municipality"):
            yield self.visible(user, [o.tax_id or "", o.municipality.code, o.name, o.short_name,
                                      choice_label(Organization.Type, o.org_type),
                                      choice_label(Organization.Subtype, o.subtype),
                                      choice_label(Organization.Ownership, o.ownership), o.licence_number,
                                      o.licence_date, o.address, o.phone, o.email, o.website, o.is_active])


# venues ----------------------------------------------------------------------------------------------------------

class VenueRegistry(SimpleRegistry):
    key = "venues"
    title = _l("Площадки")
    model = Venue
    key_column = "name"
    columns = (
        Col("organization", _l("Организация"), required=True),
        Col("name", _l("Название площадки"), required=True, max_length=255),
        Col("settlement", _l("Населённый пункт"), required=True),
        Col("address", _l("Адрес"), required=True, max_length=500),
        Col("is_accessible", _l("Доступная среда"), kind="bool"),
    )

    def file_key(self, row: Row) -> tuple | None:
        return r.norm(row.values.get("organization")), r.norm(row.values.get("name"))

    def find(self, ctx, row):
        org = ctx.organization(row)
        if org is None:
            return None
        row.org = org
        row.settlement_id = ctx.settlement(row, org["municipality_id"])
        return Venue.objects.filter(organization_id=org["id"], name__iexact=row.values["name"]).first()

    def fill(self, ctx, row, obj):
        obj.organization_id = row.org["id"]
        obj.settlement_id = row.settlement_id
        _set(obj, row, ("name", "address", "is_accessible"))

    def export_queryset(self, user):
        return scope_queryset(user, Venue.objects.all()).order_by("pk")

    def export_rows(self, user, qs=None):
        for v in (qs if qs is not None else self.export_queryset(user)).select_related("organization", "settlement"):
            yield self.visible(user, [v.organization.tax_id or v.organization.short_name, v.name, v.settlement.name,
                                      v.address, v.is_accessible])


# programmes ------------------------------------------------------------------------------------------------------

class ProgrammeRegistry(SimpleRegistry):
    key = "programmes"
    title = _l("Программы")
    model = Programme
    key_column = "title"
    columns = (
        Col("organization", _l("Организация"), required=True),
        Col("code", _l("Код программы"), max_length=64),
        Col("title", _l("Название программы"), required=True, max_length=500),
        Col("direction", _l("Направленность"), required=True),
        Col("level", _l("Уровень"), kind="choice", choices=Programme.Level),
        Col("age_from", _l("Возраст от"), kind="int", required=True),
        Col("age_to", _l("Возраст до"), kind="int", required=True),
        Col("hours", _l("Объём, часов"), kind="int", required=True),
        Col("duration_months", _l("Срок, месяцев"), kind="int"),
        Col("form", _l("Форма обучения"), kind="choice", choices=Programme.Form),
        Col("funding", _l("Финансирование"), kind="choice", choices=Programme.Funding),
        Col("price", _l("Стоимость в месяц"), kind="decimal"),
        Col("certificate_hour_cost", _l("Стоимость часа по сертификату"), kind="decimal"),
        Col("adapted_ovz", _l("Адаптированная для детей с ОВЗ"), kind="bool"),
        Col("status", _l("Статус"), kind="choice", choices=Programme.Status),
        Col("description", _l("Описание")),
    )
    FIELDS = ("code", "title", "level", "age_from", "age_to", "hours", "duration_months", "form", "funding", "price",
              "certificate_hour_cost", "adapted_ovz", "status", "description")

    def file_key(self, row):
        return (r.norm(row.values.get("organization")),
                r.norm(row.values.get("code")) or "title:" + r.norm(row.values.get("title")))

    def find(self, ctx, row):
        org = ctx.organization(row)
        direction = ctx.direction(row)
        if org is None or direction is None:
            return None
        row.org, row.direction_id = org, direction
        qs = Programme.objects.filter(organization_id=org["id"])
        code = row.values.get("code")
        return (qs.filter(code=code) if code else qs.filter(code="", title__iexact=row.values["title"])).first()

    def fill(self, ctx, row, obj):
        obj.organization_id = row.org["id"]
        obj.direction_id = row.direction_id
        _set(obj, row, self.FIELDS)

    def export_queryset(self, user):
        return scope_queryset(user, Programme.objects.all()).order_by("pk")

    def export_rows(self, user, qs=None):
        for p in (qs if qs is not None else self.export_queryset(user)).select_related("organization", "direction"):
            yield self.visible(user, [p.organization.tax_id or p.organization.short_name, p.code, p.title,
                                      p.direction.code, choice_label(Programme.Level, p.level), p.age_from, p.age_to,
                                      p.hours, p.duration_months, choice_label(Programme.Form, p.form),
                                      choice_label(Programme.Funding, p.funding), p.price, p.certificate_hour_cost,
                                      p.adapted_ovz, choice_label(Programme.Status, p.status), p.description])


# groups with schedules -------------------------------------------------------------------------------------------

_WEEKDAYS = {
    **{w: i for i, w in enumerate(("пн", "вт", "ср", "чт", "пт", "сб", "вс"), 1)},
    **{w: i for i, w in enumerate(("mo", "tu", "we", "th", "fr", "sa", "su"), 1)},
    **{w: i for i, w in enumerate(("дс", "сс", "ср", "бс", "жм", "сн", "жс"), 1)},
}
_WEEKDAY_OUT = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


def parse_schedule(text: str) -> list[tuple[int, dt.time, dt.time]]:
    """``"пн 15:00-16:30; ср 15:00-16:30"`` (Russian, English or Kazakh two-letter weekdays)."""
    slots = []
    for part in re.split(r"[;\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\w{2})\w*\.?\s+(\d{1,2}[:.]\d{2})\s*[-–—]\s*(\d{1,2}[:.]\d{2})", part, flags=re.I)
        if not m or m.group(1).lower() not in _WEEKDAYS:
            raise r.CellError(_("Расписание: «%(part)s» не похоже на «пн 15:00-16:30».") % {"part": part[:40]})
        slots.append((_WEEKDAYS[m.group(1).lower()], r.as_time(m.group(2)), r.as_time(m.group(3))))
    return sorted(slots)


def format_schedule(slots: Iterable[ScheduleSlot]) -> str:
    return "; ".join(f"{_WEEKDAY_OUT[s.weekday - 1]} {s.starts_at:%H:%M}-{s.ends_at:%H:%M}" for s in slots)


class GroupRegistry(SimpleRegistry):
    key = "groups"
    title = _l("Группы и расписание")
    model = Group
    key_column = "name"
    columns = (
        Col("organization", _l("Организация"), required=True),
        Col("programme", _l("Программа (код или название)"), required=True),
        Col("name", _l("Название группы"), required=True, max_length=200),
        Col("capacity", _l("Мест"), kind="int", required=True),
        Col("age_from", _l("Возраст от"), kind="int", required=True),
        Col("age_to", _l("Возраст до"), kind="int", required=True),
        Col("period_start", _l("Начало занятий"), kind="date", required=True),
        Col("period_end", _l("Окончание занятий"), kind="date", required=True),
        Col("venue", _l("Площадка")),
        Col("schedule", _l("Расписание")),
        Col("is_active", _l("Действует"), kind="bool"),
    )
    field_columns = {"programme": "programme", "__all__": "name"}

    def file_key(self, row):
        return tuple(r.norm(row.values.get(k)) for k in ("organization", "programme", "name"))

    def find(self, ctx, row):
        org = ctx.organization(row)
        if org is None:
            return None
        programme = ctx.programme(row, org)
        try:
            row.slots = parse_schedule(row.values.get("schedule") or "")
        except r.CellError as error:
            row.refuse("schedule", str(error))
        row.venue_id = None
        if row.values.get("venue"):
            venue = Venue.objects.filter(organization_id=org["id"], name__iexact=row.values["venue"]).first()
            if venue is None:
                row.refuse("venue", _("Площадка «%(value)s» не найдена у организации.")
                           % {"value": row.values["venue"]})
            else:
                row.venue_id = venue.pk
        if programme is None:
            return None
        row.programme_id = programme["id"]
        return Group.objects.filter(programme_id=programme["id"], name__iexact=row.values["name"]).first()

    def fill(self, ctx, row, obj):
        obj.programme_id = row.programme_id
        obj.venue_id = row.venue_id
        _set(obj, row, ("name", "capacity", "age_from", "age_to", "period_start", "period_end", "is_active"))

    def after(self, ctx, row, obj):
        if "schedule" not in row.values:
            return False
        current = [(s.weekday, s.starts_at, s.ends_at) for s in obj.schedule.order_by("weekday", "starts_at")]
        if current == row.slots:
            return False
        obj.schedule.all().delete()
        slots = [ScheduleSlot(group=obj, weekday=w, starts_at=a, ends_at=b, venue_id=row.venue_id)
                 for w, a, b in row.slots]
        for slot in slots:
            try:
                slot.full_clean(exclude=["group"])
            except ValidationError as error:
                _apply_validation_error(row, error, default="schedule")
                return True
        ScheduleSlot.objects.bulk_create(slots)
        return True

    def export_queryset(self, user):
        return scope_queryset(user, Group.objects.all()).order_by("pk")

    def export_rows(self, user, qs=None):
        qs = (qs if qs is not None else self.export_queryset(user))
        for g in qs.select_related("programme__organization", "venue").prefetch_related("schedule"):
            org = g.programme.organization
            yield self.visible(user, [org.tax_id or org.short_name, g.programme.code or g.programme.title, g.name,
                                      g.capacity, g.age_from, g.age_to, g.period_start, g.period_end,
                                      g.venue.name if g.venue else "", format_schedule(g.schedule.all()),
                                      g.is_active])


# teachers --------------------------------------------------------------------------------------------------------

class TeacherRegistry(SimpleRegistry):
    key = "teachers"
    title = _l("Педагоги")
    model = Teacher
    key_column = "surname"
    columns = (
        Col("organization", _l("Организация"), required=True),
        Col("surname", _l("Фамилия"), required=True, max_length=100),
        Col("name", _l("Имя"), required=True, max_length=100),
        Col("patronymic", _l("Отчество"), max_length=100),
        Col("personal_id", _l("СНИЛС / ИИН"), personal=True),
        Col("education_level", _l("Образование"), kind="choice", required=True, choices=Teacher.Education),
        Col("category", _l("Квалификационная категория"), kind="choice", choices=Teacher.Category),
        Col("phone", _l("Телефон"), max_length=32, personal=True),
        Col("email", _l("E-mail"), max_length=254, personal=True),
        Col("position", _l("Должность"), max_length=200),
        Col("start_date", _l("Дата приёма"), kind="date"),
    )

    def file_key(self, row):
        pid = re.sub(r"\D", "", str(row.values.get("personal_id") or ""))
        return ("id", pid) if pid else tuple(r.norm(row.values.get(k)) for k in
                                            ("organization", "surname", "name", "patronymic"))

    def find(self, ctx, row):
        org = ctx.organization(row)
        row.org = org
        pid = row.values.get("personal_id")
        row.pid = None
        if pid:
            try:
                row.pid = (validate_iin(pid) if org and org["municipality__region__country"] == "KZ"
                           else validate_snils(pid))
            except ValidationError as error:
                row.refuse("personal_id", error.messages[0])
        if org is None or row.refused:
            return None
        if row.pid:
            found = Teacher.objects.filter(personal_id=row.pid).first()
        else:
            found = Teacher.objects.filter(employments__organization_id=org["id"],
                                           surname__iexact=row.values["surname"],
                                           name__iexact=row.values["name"],
                                           patronymic__iexact=row.values.get("patronymic") or "").first()
        if found is not None and not found.employments.filter(organization_id=org["id"]).exists() \
                and not ctx.scope.is_superuser:
            row.refuse("personal_id", _("Педагог уже есть в системе в другой организации: добавьте место работы "
                                        "вручную."))
        return found

    def fill(self, ctx, row, obj):
        obj.personal_id = row.pid
        _set(obj, row, ("surname", "name", "patronymic", "education_level", "category", "phone", "email"))

    def after(self, ctx, row, obj):
        employment, created = Employment.objects.get_or_create(
            teacher=obj, organization_id=row.org["id"],
            defaults={"start_date": row.values.get("start_date") or timezone.localdate(),
                      **({"position": row.values["position"]} if row.values.get("position") else {})})
        return created

    def export_queryset(self, user):
        return scope_queryset(user, Employment.objects.all()).order_by("pk")

    def export_rows(self, user, qs=None):
        for e in (qs if qs is not None else self.export_queryset(user)).select_related("teacher", "organization"):
            t = e.teacher
            yield self.visible(user, [e.organization.tax_id or e.organization.short_name, t.surname, t.name,
                                      t.patronymic, t.personal_id or "", choice_label(Teacher.Education,
                                                                                      t.education_level),
                                      choice_label(Teacher.Category, t.category), t.phone, t.email, e.position,
                                      e.start_date])


# population ------------------------------------------------------------------------------------------------------

class PopulationRegistry(SimpleRegistry):
    key = "population"
    title = _l("Численность детей")
    model = Population
    key_column = "count"
    columns = (
        Col("municipality", _l("Муниципалитет"), required=True),
        Col("year", _l("Год"), kind="int", required=True),
        Col("age", _l("Возраст, полных лет"), kind="int", required=True),
        Col("count", _l("Число детей"), kind="int", required=True),
    )

    def file_key(self, row):
        return tuple(str(row.values.get(k)) for k in ("municipality", "year", "age"))

    def find(self, ctx, row):
        if not (ctx.scope.is_superuser or ctx.scope.roles & {"regional_admin", "municipal_admin"}):
            row.refuse("municipality", _("Численность детей вносят администраторы муниципалитета или региона."))
            return None
        row.municipality_id = ctx.municipality(row)
        if row.refused:
            return None
        return Population.objects.filter(municipality_id=row.municipality_id, year=row.values["year"],
                                         age=row.values["age"]).first()

    def fill(self, ctx, row, obj):
        obj.municipality_id = row.municipality_id
        _set(obj, row, ("year", "age", "count"))

    def export_queryset(self, user):
        scope = user_scope(user)
        qs = Population.objects.select_related("municipality").order_by("pk")
        if scope.is_superuser:
            return qs
        q = Q(pk__in=[])
        if "regional_admin" in scope.roles:
            q |= Q(municipality__region__in=scope.region_ids)
        if "municipal_admin" in scope.roles:
            q |= Q(municipality__in=scope.municipality_ids)
        return qs.filter(q)

    def export_rows(self, user, qs=None):
        for p in (qs if qs is not None else self.export_queryset(user)):
            yield [p.municipality.code, p.year, p.age, p.count]


# children with guardians, categories and an enrollment (bulk) ---------------------------------------------------

CHILD_FIELDS = ("surname", "name", "patronymic", "sex", "birth_date", "national_id_kind", "national_id",
                "municipality_id", "phone", "certificate_number", "grade", "school_name")
ENROLLMENT_COLUMNS = (
    Col("organization", _l("Организация")),
    Col("programme", _l("Программа (код или название)")),
    Col("group", _l("Группа")),
    Col("start_date", _l("Дата зачисления"), kind="date"),
    Col("status", _l("Статус обучения"), kind="choice", choices=EnrollmentStatus),
    Col("end_date", _l("Дата окончания обучения"), kind="date"),
    Col("order_number", _l("Номер приказа"), max_length=64),
    Col("funding_source", _l("Источник финансирования"), kind="choice", choices=FundingSource),
)
CHILD_KEY_COLUMNS = (
    Col("surname", _l("Фамилия"), required=True, max_length=100),
    Col("name", _l("Имя"), required=True, max_length=100),
    Col("patronymic", _l("Отчество"), max_length=100),
    Col("birth_date", _l("Дата рождения"), kind="date", required=True),
    Col("national_id_kind", _l("Вид идентификатора"), kind="choice", choices=Child.IdKind),
    Col("national_id", _l("СНИЛС / ИИН"), personal=True),
)


_WRITERS: dict[tuple, Any] = {}


def _writer(model: Any, fields: tuple[str, ...]) -> Any:
    """A COPY (PostgreSQL) / executemany (SQLite) writer of plain tuples, from the scale generator."""
    from kruzhok.demo.scale_io import TableWriter

    key = (model, fields, connection.vendor)
    if key not in _WRITERS:
        _WRITERS[key] = TableWriter(model, fields)
    return _WRITERS[key]


_SEQUENCES: dict[str, str] = {}


def allocate_ids(model: Any, n: int) -> list[int]:
    """``n`` fresh ids from the table's identity sequence (PostgreSQL), or past the largest id (SQLite, where the
    writing transaction holds the database's only write lock)."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if table not in _SEQUENCES:  # looked up once, not once per id
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                _SEQUENCES[table] = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [_SEQUENCES[table], n])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + n))


def _rows_any(model: Any, fields: tuple[str, ...], where: str, params: list) -> list[dict]:
    """``fields`` of the model's rows matching ``where``, whose lists of keys are each ONE array parameter
    (``column = ANY(%s)``): a batch's thousands of keys as ``IN (%s, %s, …)`` cost more in Django's and psycopg's
    query building than the query itself."""
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    sql = f"SELECT {columns} FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {where}"
    if connection.vendor != "postgresql":  # SQLite has no arrays: the lists become IN lists there
        lists = iter(params)
        parts = sql.split("= ANY(%s)")
        sql, flat = parts[0], []
        for part in parts[1:]:
            values = next(lists)
            sql += f"IN ({', '.join(['%s'] * len(values)) or 'NULL'})" + part
            flat.extend(values)
        params = flat
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(fields, row, strict=True)) for row in cursor.fetchall()]


def _analyze_grown(models: Iterable[Any]) -> None:
    """``ANALYZE`` a table the import writes once it has doubled since its statistics were taken (PostgreSQL).

    The batches' natural-key lookups (children by identifier or name, guardians by phone) read what earlier
    batches wrote. Planned with the statistics of a table a tenth of its size (or of an empty one), they scan the
    whole table instead of its index, and every batch gets slower than the one before; fresh statistics after
    each doubling (``relpages``: the size at the last ANALYZE) keep the index plans for a few ``ANALYZE`` runs.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r' "
                       "AND pg_relation_size(oid) / current_setting('block_size')::int >= greatest(2 * relpages, 8)",
                       [[model._meta.db_table for model in models]])
        for (table,) in cursor.fetchall():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _category_kinds(text: str) -> list[str]:
    reader = _choice_reader(ChildCategory.Kind)
    return sorted({reader(part) for part in re.split(r"[;,]", text) if part.strip()})


_ID_SEPARATORS = re.compile(r"[\s\-]")
_NON_DIGITS = re.compile(r"\D")


def _digits(text: str) -> str:
    return text if text.isdigit() else _NON_DIGITS.sub("", text)


class ChildRegistry(Registry):
    key = "children"
    title = _l("Дети (с представителями, категориями и зачислением)")
    batch_size = 2000
    creates_children = True
    columns = (
        *CHILD_KEY_COLUMNS[:4],
        Col("sex", _l("Пол"), kind="choice", required=True, choices=Sex),
        *CHILD_KEY_COLUMNS[4:],
        Col("municipality", _l("Муниципалитет проживания"), required=True),
        Col("phone", _l("Телефон"), max_length=32, personal=True),
        Col("school_name", _l("Школа"), max_length=300),
        Col("grade", _l("Класс"), kind="int"),
        Col("certificate_number", _l("Номер сертификата ПФДО"), max_length=32, personal=True),
        Col("categories", _l("Категории")),
        Col("guardian_surname", _l("Представитель: фамилия"), max_length=100),
        Col("guardian_name", _l("Представитель: имя"), max_length=100),
        Col("guardian_patronymic", _l("Представитель: отчество"), max_length=100),
        Col("guardian_phone", _l("Представитель: телефон"), max_length=32, personal=True),
        Col("guardian_email", _l("Представитель: e-mail"), max_length=254, personal=True),
        Col("guardian_relation", _l("Кем приходится"), kind="choice", choices=GuardianLink.Relation),
        *ENROLLMENT_COLUMNS,
    )

    # keys ---------------------------------------------------------------------------------------------------------
    @staticmethod
    def child_key(values: dict, *, kind: str | None = None, national_id: Any = None) -> tuple:
        """The child's natural key; ``kind``/``national_id`` (when given) replace those of ``values``."""
        national_id = values.get("national_id") if national_id is None else national_id
        if national_id:
            if type(national_id) is not str or not national_id.isdigit():
                national_id = _ID_SEPARATORS.sub("", str(national_id))
            if national_id:
                return ("id", (values.get("national_id_kind") if kind is None else kind) or "", national_id)
        return ("name", r.norm(values.get("surname")), r.norm(values.get("name")), r.norm(values.get("patronymic")),
                values.get("birth_date"))

    def file_key(self, row):
        return (self.child_key(row.values), r.norm(row.values.get("organization")),
                r.norm(row.values.get("programme")), r.norm(row.values.get("group")), row.values.get("start_date"))

    # validation ---------------------------------------------------------------------------------------------------
    def _validate_child(self, ctx: Context, row: Row, today: dt.date) -> dict:
        """The child's columns as a plain dict, checked like ``Child.clean`` (the people validators) without a model
        instance per row."""
        v = row.values
        kind = v.get("national_id_kind") or ""
        national_id = v.get("national_id") or ""
        if type(national_id) is not str or not national_id.isdigit():
            national_id = _ID_SEPARATORS.sub("", str(national_id))
        if national_id and not kind:
            kind = Child.IdKind.IIN if len(national_id) == 12 else Child.IdKind.SNILS
        municipality_id = ctx.municipality(row) if self.creates_children else None
        birth, sex = v.get("birth_date"), v.get("sex") or ""
        if national_id:
            try:
                if kind == Child.IdKind.IIN:
                    national_id, born, iin_sex = iin_parse(national_id)
                    if birth and born != birth:
                        row.refuse("national_id", _("ИИН не совпадает с датой рождения."))
                    if self.creates_children and sex and iin_sex != sex:
                        row.refuse("national_id", _("ИИН не совпадает с полом ребёнка."))
                    sex = sex or iin_sex
                else:
                    national_id = validate_snils(national_id)
            except ValidationError as error:
                for message in error.messages:
                    row.refuse("national_id", message)
        if birth:
            if birth > today:
                row.refuse("birth_date", _("Дата рождения не может быть в будущем."))
            elif birth < EARLIEST_BIRTH_DATE:
                row.refuse("birth_date", _("Дата рождения слишком ранняя для ребёнка."))
        grade = v.get("grade")
        if grade is not None and not 0 <= grade <= 12:
            row.refuse("grade", _("Класс — от 0 до 12."))
        return {"surname": v.get("surname") or "", "name": v.get("name") or "", "patronymic": v.get("patronymic") or "",
                "sex": sex, "birth_date": birth, "national_id_kind": kind if national_id else "",
                "national_id": national_id, "municipality_id": municipality_id, "phone": v.get("phone") or "",
                "certificate_number": v.get("certificate_number") or "", "grade": grade,
                "school_name": v.get("school_name") or ""}

    def _validate_enrollment(self, ctx: Context, row: Row, child: dict) -> dict | None:
        v = row.values
        if not any(v.get(k) for k in ("organization", "programme", "group")):
            if not self.creates_children:
                row.refuse("group", _("Обязательное поле не заполнено."))
            return None
        for key in ("organization", "programme", "group"):
            if not v.get(key):
                row.refuse(key, _("Обязательное поле не заполнено."))
        if row.refused:
            return None
        found = ctx.group(row)
        if found is None:
            return None
        org, programme, group = found
        start = v.get("start_date") or group["period_start"]
        status = v.get("status") or EnrollmentStatus.ACTIVE
        end = v.get("end_date")
        if status != EnrollmentStatus.ACTIVE and end is None:
            row.refuse("end_date", _("У завершённого обучения должна быть дата окончания."))
        if end is not None and end < start:
            row.refuse("end_date", _("Дата окончания обучения раньше даты зачисления."))
        if child["birth_date"]:
            age = age_on(child["birth_date"], start)
            if not programme["age_from"] <= age <= programme["age_to"]:
                row.refuse("birth_date", _("Возраст ребёнка на дату зачисления (%(age)s) вне возраста программы "
                                           "(%(f)s–%(t)s).") % {"age": age, "f": programme["age_from"],
                                                               "t": programme["age_to"]})
        return {"org": org, "group": group, "start_date": start, "status": status, "end_date": end,
                "order_number": v.get("order_number") or "",
                "funding_source": v.get("funding_source") or FundingSource.BUDGET}

    # the batch ----------------------------------------------------------------------------------------------------
    def prepare_context(self, ctx: Context) -> None:
        if self.creates_children:
            ctx.municipalities()

    def prepare(self, ctx: Context, row: Row) -> None:
        before = len(row.errors)
        row.prepared = self._validate_child(ctx, row, timezone.localdate())
        row.prepared_errors = row.errors[before:]
        del row.errors[before:]

    def process(self, ctx: Context, rows: list[Row]) -> list[str]:
        work: list[tuple[Row, dict, dict | None]] = []
        today = timezone.localdate()
        for row in rows:
            if row.refused:
                continue
            if row.prepared is not None:
                child = dict(row.prepared)  # a copy: the batch's writes add to it, a retried batch starts afresh
                row.errors.extend(row.prepared_errors)
            else:
                child = self._validate_child(ctx, row, today)
            enrollment = self._validate_enrollment(ctx, row, child)
            if not row.refused:
                work.append((row, child, enrollment))
        changed: dict[int, bool] = {}
        now = timezone.now()
        children = self._write_children(ctx, work, changed, now)
        if self.creates_children:
            self._write_guardians(work, children, changed, now)
            self._write_categories(work, children, changed)
        self._write_enrollments(work, children, changed, now)
        _analyze_grown((Child, Guardian))
        for row, _c, _e in work:
            if not row.refused and getattr(row, "obj_id", None) is None and row.child_key in children:
                row.obj_id = children[row.child_key]["id"]
        outcomes = []
        for row in rows:
            if row.refused:
                outcomes.append(REFUSED)
            else:
                outcomes.append(getattr(row, "outcome", None) or (UPDATED if changed.get(row.number) else UNCHANGED))
        return outcomes

    def _existing_children(self, keys: set[tuple], fallback: set[tuple] = frozenset()) -> dict[tuple, dict]:
        """Children already registered, by key. ``fallback`` name keys (of rows that do carry an identifier) only
        match children registered *without* one, so a first import does not read every namesake."""
        found: dict[tuple, dict] = {}
        fields = ("id", *CHILD_FIELDS)
        ids = [k for k in keys if k[0] == "id"]
        if ids:
            # Kind and number, not empty: what the partial unique index ``child_unique_national_id`` answers.
            where = "national_id <> '' AND national_id_kind = ANY(%s) AND national_id = ANY(%s)"
            for c in _rows_any(Child, fields, where, [sorted({k[1] for k in ids}), sorted({k[2] for k in ids})]):
                found[("id", c["national_id_kind"], c["national_id"])] = c
        for named, only_without_id in (([k for k in keys if k[0] == "name"], False), (list(fallback), True)):
            if not named:
                continue
            births = {k[4] for k in named}
            surnames = set()
            for k in named:
                surnames |= {k[1], k[1].title(), k[1].upper(), k[1].capitalize()}
            where = "merged_into_id IS NULL AND surname = ANY(%s) AND birth_date = ANY(%s)"
            wanted = set(named)
            for c in _rows_any(Child, fields, where + (" AND national_id = ''" if only_without_id else ""),
                               [sorted(surnames), sorted(births)]):
                key = ("name", r.norm(c["surname"]), r.norm(c["name"]), r.norm(c["patronymic"]), c["birth_date"])
                if key in wanted:
                    found.setdefault(key, c)
        return found

    def _write_children(self, ctx: Context, work, changed, now) -> dict[tuple, dict]:
        def key_of(row: Row, child: dict, *, by_name: bool = False) -> tuple:
            return self.child_key(row.values, kind=child["national_id_kind"],
                                  national_id="" if by_name else child["national_id"])

        keyed = [(key_of(row, child), row, child, enrollment) for row, child, enrollment in work]
        keys = {key for key, *_rest in keyed}
        existing = self._existing_children(keys)
        # rows whose identifier is not registered: the child may have been registered without one, by name
        name_keys = {row.number: key_of(row, child, by_name=True) for key, row, child, _e in keyed
                     if key[0] == "id" and key not in existing}
        if name_keys:
            existing.update(self._existing_children(set(), set(name_keys.values()) - keys))
        writable: set[int] = set()
        if existing and self.creates_children:
            writable = set(scope_queryset(ctx.user, Child.objects.filter(pk__in=[c["id"] for c in existing.values()]),
                                          write=True).values_list("pk", flat=True))
        new: dict[tuple, dict] = {}
        to_update: dict[int, dict] = {}
        update_fields: set[str] = set()
        for key, row, child, enrollment in keyed:
            found = existing.get(key)
            if found is None and key[0] == "id":  # registered earlier without an identifier: found by name
                by_name = existing.get(name_keys[row.number])
                if by_name is not None and not by_name["national_id"]:
                    found, key = by_name, name_keys[row.number]
            row.child_key = key
            if found is None:
                if key in new:
                    continue
                if not self.creates_children:
                    row.refuse("surname", _("Ребёнок не найден: сначала загрузите реестр детей."))
                    continue
                child["registered_by_id"] = enrollment["org"]["id"] if enrollment else None
                new[key] = child
                row.outcome = CREATED
                continue
            if not self.creates_children or found["id"] not in writable:
                continue
            for name in CHILD_FIELDS:
                if name in ("national_id", "national_id_kind") and not child["national_id"]:
                    continue
                if name not in ("municipality_id", "national_id_kind", "sex") and name not in row.values:
                    continue
                if found[name] != child[name]:
                    found[name] = child[name]
                    update_fields.add(name)
                    to_update[found["id"]] = found
                    changed[row.number] = True
        if new:
            ids = allocate_ids(Child, len(new))
            stamp = connection.ops.adapt_datetimefield_value(now) if connection.vendor != "postgresql" else now
            rows = []
            for id_, child in zip(ids, new.values(), strict=True):
                child["id"] = id_
                rows.append((id_, *(child[f] for f in CHILD_FIELDS), child["registered_by_id"], stamp, stamp))
            _writer(Child, ("id", *CHILD_FIELDS, "registered_by_id", "created_at", "updated_at")).write(rows)
        if to_update:
            objs = [Child(**{("id" if k == "id" else k): v for k, v in c.items()}, updated_at=now)
                    for c in to_update.values()]
            Child.objects.bulk_update(objs, sorted(update_fields | {"updated_at"}), batch_size=1000)
        return {**existing, **new}

    def _write_guardians(self, work, children: dict[tuple, dict], changed, now) -> None:
        wanted = [(row, children[row.child_key]) for row, _c, _e in work
                  if not row.refused and row.values.get("guardian_surname") and row.child_key in children]
        if not wanted:
            return
        links: dict[int, list[tuple[str, str, str]]] = {}
        old_ids = [c["id"] for _r, c in wanted if getattr(_r, "outcome", None) != CREATED]
        if old_ids:
            for cid, s, n, p in GuardianLink.objects.filter(child_id__in=old_ids).values_list(
                    "child_id", "guardian__surname", "guardian__name", "guardian__phone"):
                links.setdefault(cid, []).append((r.norm(s), r.norm(n), _digits(p)))
        phones = [row.values.get("guardian_phone") for row, _c in wanted if row.values.get("guardian_phone")]
        by_phone: dict[tuple, int] = {}
        if phones:
            for g in _rows_any(Guardian, ("id", "surname", "name", "phone"), "phone = ANY(%s)", [sorted(set(phones))]):
                by_phone.setdefault((r.norm(g["surname"]), r.norm(g["name"]), _digits(g["phone"])), g["id"])
        new_guardians: dict[tuple, tuple] = {}
        new_links: list[tuple[tuple, int, str]] = []
        for row, child in wanted:
            v = row.values
            gkey = (r.norm(v["guardian_surname"]), r.norm(v.get("guardian_name")),
                    _digits(v.get("guardian_phone") or ""))
            if gkey in links.get(child["id"], []):
                continue
            if gkey not in by_phone and gkey not in new_guardians:
                new_guardians[gkey] = (v["guardian_surname"], v.get("guardian_name") or "",
                                       v.get("guardian_patronymic") or "", v.get("guardian_phone") or "",
                                       v.get("guardian_email") or "")
            new_links.append((gkey, child["id"], v.get("guardian_relation") or GuardianLink.Relation.OTHER))
            links.setdefault(child["id"], []).append(gkey)
            changed[row.number] = True
        stamp = connection.ops.adapt_datetimefield_value(now) if connection.vendor != "postgresql" else now
        if new_guardians:
            ids = allocate_ids(Guardian, len(new_guardians))
            _writer(Guardian, ("id", "surname", "name", "patronymic", "phone", "email", "created_at",
                               "updated_at")).write(
                [(id_, *values, stamp, stamp) for id_, values in zip(ids, new_guardians.values(), strict=True)])
            by_phone.update(zip(new_guardians, ids, strict=True))
        if new_links:
            ids = allocate_ids(GuardianLink, len(new_links))
            _writer(GuardianLink, ("id", "guardian_id", "child_id", "relation")).write(
                [(id_, by_phone[k], cid, rel) for id_, (k, cid, rel) in zip(ids, new_links, strict=True)])

    def _write_categories(self, work, children: dict[tuple, dict], changed) -> None:
        wanted = []
        for row, _c, enrollment in work:
            if row.refused or not row.values.get("categories") or row.child_key not in children:
                continue
            try:
                kinds = _category_kinds(row.values["categories"])
            except r.CellError as error:
                row.refuse("categories", str(error))
                continue
            wanted.append((row, children[row.child_key], kinds, enrollment))
        if not wanted:
            return
        have = set(ChildCategory.objects.filter(child_id__in=[c["id"] for _r, c, _k, _e in wanted])
                   .values_list("child_id", "kind"))
        new = []
        for row, child, kinds, enrollment in wanted:
            for kind in kinds:
                if (child["id"], kind) not in have:
                    have.add((child["id"], kind))
                    start = (enrollment or {}).get("start_date") or timezone.localdate()
                    new.append(ChildCategory(child_id=child["id"], kind=kind, valid_from=start))
                    changed[row.number] = True
        ChildCategory.objects.bulk_create(new, batch_size=2000)

    def _write_enrollments(self, work, children: dict[tuple, dict], changed, now) -> None:
        wanted = [(row, children[row.child_key], e) for row, _c, e in work
                  if e is not None and not row.refused and row.child_key in children]
        if not wanted:
            return
        existing: dict[tuple, dict] = {}
        active: dict[tuple[int, int], dict] = {}
        fields = ("status", "end_date", "order_number", "funding_source")
        old_children = {c["id"] for _r, c, _e in wanted if getattr(_r, "outcome", None) != CREATED}
        if old_children:
            for e in Enrollment.objects.filter(child_id__in=old_children,
                                               group_id__in={e["group"]["id"] for _r, _c, e in wanted}).values(
                    "id", "child_id", "group_id", "start_date", *fields):
                existing[(e["child_id"], e["group_id"], e["start_date"])] = e
                if e["status"] == EnrollmentStatus.ACTIVE:
                    active[(e["child_id"], e["group_id"])] = e
        new: list[dict] = []
        updated: list[dict] = []
        for row, child, e in wanted:
            group = e["group"]
            key = (child["id"], group["id"], e["start_date"])
            found = existing.get(key)
            if found is not None:
                diff = [f for f in fields if (f in row.values or f == "status") and found[f] != e[f]]
                if diff:
                    if found["status"] != EnrollmentStatus.ACTIVE and e["status"] == EnrollmentStatus.ACTIVE:
                        if group["free"] <= 0 or (child["id"], group["id"]) in active:
                            row.refuse("group", _("В группе нет свободных мест.") if group["free"] <= 0 else
                                       _("Ребёнок уже зачислен в эту группу."))
                            continue
                        group["free"] -= 1
                    elif found["status"] == EnrollmentStatus.ACTIVE and e["status"] != EnrollmentStatus.ACTIVE:
                        group["free"] += 1
                    for f in diff:
                        found[f] = e[f]
                    updated.append(found)
                    changed[row.number] = True
                if not self.creates_children:
                    row.obj_id = found.get("id")
                continue
            if e["status"] == EnrollmentStatus.ACTIVE:
                if (child["id"], group["id"]) in active:
                    row.refuse("start_date", _("Ребёнок уже зачислен в эту группу с %(date)s.")
                               % {"date": active[(child["id"], group["id"])]["start_date"].strftime("%d.%m.%Y")})
                    continue
                if group["free"] <= 0:
                    row.refuse("group", _("В группе нет свободных мест."))
                    continue
                group["free"] -= 1
            record = {"child_id": child["id"], "group_id": group["id"], "start_date": e["start_date"],
                      **{f: e[f] for f in fields}, "row": row}
            new.append(record)
            existing[key] = record
            if e["status"] == EnrollmentStatus.ACTIVE:
                active[(child["id"], group["id"])] = record
            if getattr(row, "outcome", None) != CREATED:
                row.outcome = CREATED if not self.creates_children else UPDATED
        if new:
            # One COPY: on PostgreSQL the capacity trigger runs once for it (per statement, migration enrollment
            # 0007) and updates each group's counter once, in group order; SQLite's row triggers meet the rows
            # group after group.
            new.sort(key=lambda rec: rec["group_id"])
            stamp = connection.ops.adapt_datetimefield_value(now) if connection.vendor != "postgresql" else now
            ids = allocate_ids(Enrollment, len(new))
            names = ("child_id", "group_id", "start_date", *fields)
            _writer(Enrollment, ("id", *names, "created_at", "updated_at")).write(
                [(id_, *(rec[n] for n in names), stamp, stamp) for id_, rec in zip(ids, new, strict=True)])
            if not self.creates_children:
                for id_, rec in zip(ids, new, strict=True):
                    rec["row"].obj_id = id_
        if updated:
            Enrollment.objects.bulk_update([Enrollment(id=e["id"], updated_at=now, **{f: e[f] for f in fields})
                                            for e in updated], [*fields, "updated_at"], batch_size=1000)

    # export -------------------------------------------------------------------------------------------------------
    def export_queryset(self, user):
        return scope_queryset(user, Child.objects.unmerged()).order_by("pk")

    def export_rows(self, user, qs=None):
        qs = (qs if qs is not None else self.export_queryset(user))
        visible_groups = scope_queryset(user, Enrollment.objects.all()).values("pk")
        for c in qs.select_related("municipality").prefetch_related(
                "categories", "guardian_links__guardian"):
            link = next(iter(sorted(c.guardian_links.all(), key=lambda lk: lk.pk)), None)
            g = link.guardian if link else None
            base = [c.surname, c.name, c.patronymic, c.birth_date, choice_label(Sex, c.sex),
                    choice_label(Child.IdKind, c.national_id_kind), c.national_id, c.municipality.code, c.phone,
                    c.school_name, c.grade, c.certificate_number,
                    "; ".join(choice_label(ChildCategory.Kind, k)
                              for k in sorted({x.kind for x in c.categories.all()})),
                    g.surname if g else "", g.name if g else "", g.patronymic if g else "", g.phone if g else "",
                    g.email if g else "", choice_label(GuardianLink.Relation, link.relation) if link else ""]
            enrollments = list(Enrollment.objects.filter(child=c, pk__in=visible_groups)
                               .select_related("group__programme__organization").order_by("start_date", "pk"))
            if not enrollments:
                yield self.visible(user, base + [""] * len(ENROLLMENT_COLUMNS))
            for e in enrollments:
                programme = e.group.programme
                org = programme.organization
                yield self.visible(user, base + [org.tax_id or org.short_name, programme.code or programme.title,
                                                 e.group.name, e.start_date,
                                                 choice_label(EnrollmentStatus, e.status), e.end_date,
                                                 e.order_number, choice_label(FundingSource, e.funding_source)])


class EnrollmentRegistry(ChildRegistry):
    """Enrollments of children already registered (found by СНИЛС/ИИН or by name and birth date)."""

    key = "enrollments"
    title = _l("Зачисления")
    creates_children = False
    columns = (*CHILD_KEY_COLUMNS, *[Col(c.key, c.label, kind=c.kind, required=c.key in ("organization", "programme",
                                                                                           "group"),
                                         choices=c.choices, max_length=c.max_length) for c in ENROLLMENT_COLUMNS])

    def export_queryset(self, user):
        return scope_queryset(user, Enrollment.objects.all()).order_by("pk")

    def export_rows(self, user, qs=None):
        qs = (qs if qs is not None else self.export_queryset(user))
        for e in qs.select_related("child", "group__programme__organization"):
            c = e.child
            programme = e.group.programme
            org = programme.organization
            yield self.visible(user, [c.surname, c.name, c.patronymic, c.birth_date,
                                      choice_label(Child.IdKind, c.national_id_kind), c.national_id,
                                      org.tax_id or org.short_name, programme.code or programme.title, e.group.name,
                                      e.start_date, choice_label(EnrollmentStatus, e.status), e.end_date,
                                      e.order_number, choice_label(FundingSource, e.funding_source)])


# applications and events with results (row by row: small registries) -----------------------------------------------

def _find_child(row: Row, prefix: str = "") -> Child | None:
    """A registered child by СНИЛС/ИИН, else by surname, name, patronymic and birth date (columns ``prefix``…)."""
    v = row.values
    raw = v.get(prefix + "national_id")
    if raw:
        digits = re.sub(r"\D", "", str(raw))
        try:
            national_id = validate_iin(digits) if len(digits) == 12 else validate_snils(str(raw))
        except ValidationError as error:
            row.refuse(prefix + "national_id", error.messages[0])
            return None
        found = Child.objects.filter(national_id=national_id, merged_into__isnull=True).first()
    elif v.get(prefix + "surname") and v.get(prefix + "name") and v.get(prefix + "birth_date"):
        found = Child.objects.filter(surname__iexact=v[prefix + "surname"], name__iexact=v[prefix + "name"],
                                     patronymic__iexact=v.get(prefix + "patronymic") or "",
                                     birth_date=v[prefix + "birth_date"], merged_into__isnull=True).first()
    else:
        return None
    if found is None:
        row.refuse(prefix + "surname", _("Ребёнок не найден: сначала загрузите реестр детей."))
    return found


class ApplicationRegistry(SimpleRegistry):
    """Applications to groups (natural key: child, group, submitted at); imported ones carry the channel «импорт».

    A new application gets its first status-history row («Загружена импортом», at the submission time, with the
    imported status), a status changed by a later import one more (at the time of that import). Neither is mailed
    to the family: the rows are written as already notified (an import is not news to a family).
    """

    key = "applications"
    title = _l("Заявки")
    model = Application
    key_column = "group"
    field_columns = {"status": "status", "submitted_at": "submitted_at", "comment": "comment",
                     "reject_reason": "reject_reason"}
    columns = (
        *CHILD_KEY_COLUMNS,
        Col("organization", _l("Организация"), required=True),
        Col("programme", _l("Программа (код или название)"), required=True),
        Col("group", _l("Группа"), required=True),
        Col("submitted_at", _l("Дата подачи заявки"), kind="datetime", required=True),
        Col("status", _l("Статус заявки"), kind="choice", choices=ApplicationStatus),
        Col("reject_reason", _l("Причина отказа")),
        Col("comment", _l("Комментарий")),
    )

    def file_key(self, row):
        v = row.values
        return (ChildRegistry.child_key(v), r.norm(v.get("organization")), r.norm(v.get("programme")),
                r.norm(v.get("group")), v.get("submitted_at"))

    def find(self, ctx, row):
        child = _find_child(row)
        if child is None and not row.refused:
            row.refuse("surname", _("Укажите СНИЛС / ИИН или фамилию, имя и дату рождения ребёнка."))
        found = ctx.group(row)
        if row.refused or child is None or found is None:
            return None
        row.child_id, row.group_id = child.pk, found[2]["id"]
        return Application.objects.filter(child_id=child.pk, group_id=row.group_id,
                                          submitted_at=row.values["submitted_at"]).first()

    def fill(self, ctx, row, obj):
        v = row.values
        row.from_status = obj.status if obj.pk is not None else ""
        if obj.pk is None:
            obj.child_id, obj.group_id, obj.submitted_at = row.child_id, row.group_id, v["submitted_at"]
            obj.channel = Application.Channel.IMPORT
            obj.status = v.get("status") or ApplicationStatus.SUBMITTED
            obj.status_changed_at = v["submitted_at"]
            obj.submitted_by = ctx.actor
        elif v.get("status") and v["status"] != obj.status:
            obj.status, obj.status_changed_at = v["status"], timezone.now()
        if v.get("reject_reason"):
            reason_id = ctx.reject_reason(row)
            if obj.status != ApplicationStatus.REJECTED:
                row.refuse("reject_reason", _("Причина отказа указывается только у отклонённой заявки."))
            obj.reject_reason_id = reason_id
        elif obj.status == ApplicationStatus.REJECTED and obj.reject_reason_id is None:
            row.refuse("reject_reason", _("Укажите причину отказа."))
        if obj.status != ApplicationStatus.REJECTED:
            obj.reject_reason_id = None
        if v.get("comment"):
            obj.comment = v["comment"]

    def after(self, ctx, row, obj):
        if row.from_status != obj.status:
            imported = not row.from_status
            ApplicationStatusChange.objects.create(
                application=obj, from_status=row.from_status, to_status=obj.status,
                at=obj.submitted_at if imported else obj.status_changed_at,
                actor=ctx.actor,
                note=_("Загружена импортом") if imported else _("Статус изменён импортом"),
                notified_at=timezone.now())
        return False

    def export_queryset(self, user):
        return scope_queryset(user, Application.objects.all()).order_by("pk")

    def export_rows(self, user, qs=None):
        qs = qs if qs is not None else self.export_queryset(user)
        for a in qs.select_related("child", "group__programme__organization", "reject_reason"):
            c, programme = a.child, a.group.programme
            org = programme.organization
            yield self.visible(user, [c.surname, c.name, c.patronymic, c.birth_date,
                                      choice_label(Child.IdKind, c.national_id_kind), c.national_id,
                                      org.tax_id or org.short_name, programme.code or programme.title, a.group.name,
                                      timezone.localtime(a.submitted_at).replace(tzinfo=None),
                                      choice_label(ApplicationStatus, a.status),
                                      a.reject_reason.localized_name() if a.reject_reason else "", a.comment])


class EventRegistry(SimpleRegistry):
    """Events with their participants' results, one row per result. The event is found by title, start date and
    organizer (created when missing); the participant is a registered child, a teacher or a team."""

    key = "events"
    title = _l("Мероприятия и результаты")
    model = EventResult
    key_column = "event_title"
    columns = (
        Col("event_title", _l("Мероприятие"), required=True, max_length=500),
        Col("event_start", _l("Дата начала мероприятия"), kind="date", required=True),
        Col("organization", _l("Организатор"), required=True),
        Col("event_kind", _l("Вид мероприятия"), kind="choice", choices=Event.Kind),
        Col("event_level", _l("Уровень мероприятия"), kind="choice", choices=EventLevel),
        Col("participant_organization", _l("Организация участника")),
        Col("child_surname", _l("Ребёнок: фамилия"), max_length=100),
        Col("child_name", _l("Ребёнок: имя"), max_length=100),
        Col("child_patronymic", _l("Ребёнок: отчество"), max_length=100),
        Col("child_birth_date", _l("Ребёнок: дата рождения"), kind="date"),
        Col("child_national_id", _l("Ребёнок: СНИЛС / ИИН"), personal=True),
        Col("teacher_personal_id", _l("Педагог: СНИЛС / ИИН"), personal=True),
        Col("teacher_surname", _l("Педагог: фамилия"), max_length=100),
        Col("teacher_name", _l("Педагог: имя"), max_length=100),
        Col("team_name", _l("Команда"), max_length=300),
        Col("result", _l("Результат"), kind="choice", choices=EventResult.Result, required=True),
        Col("nomination", _l("Номинация"), max_length=300),
    )

    def file_key(self, row):
        v = row.values
        who = (re.sub(r"\D", "", str(v.get("child_national_id") or "")), r.norm(v.get("child_surname")),
               r.norm(v.get("child_name")), v.get("child_birth_date"),
               re.sub(r"\D", "", str(v.get("teacher_personal_id") or "")), r.norm(v.get("teacher_surname")),
               r.norm(v.get("team_name")))
        return (r.norm(v.get("event_title")), v.get("event_start"), r.norm(v.get("organization")), who,
                r.norm(v.get("nomination")))

    def _teacher(self, row: Row, org_id: int) -> Teacher | None:
        v = row.values
        if v.get("teacher_personal_id"):
            raw = str(v["teacher_personal_id"])
            digits = re.sub(r"\D", "", raw)
            try:
                pid = validate_iin(digits) if len(digits) == 12 else validate_snils(raw)
            except ValidationError as error:
                row.refuse("teacher_personal_id", error.messages[0])
                return None
            found = Teacher.objects.filter(personal_id=pid).first()
        else:
            found = Teacher.objects.filter(employments__organization_id=org_id, surname__iexact=v["teacher_surname"],
                                           name__iexact=v.get("teacher_name") or "").first()
        if found is None:
            row.refuse("teacher_surname", _("Педагог не найден: сначала загрузите реестр педагогов."))
        return found

    def _one(self, ctx, row):
        v = row.values
        org = ctx.organization(row)
        porg = ctx.organization(row, "participant_organization") if v.get("participant_organization") else org
        if row.refused:
            return REFUSED
        child = teacher = None
        if v.get("child_national_id") or v.get("child_surname"):
            child = _find_child(row, "child_")
            if child is None and not row.refused:
                row.refuse("child_surname", _("Укажите СНИЛС / ИИН или фамилию, имя и дату рождения ребёнка."))
        elif v.get("teacher_personal_id") or v.get("teacher_surname"):
            teacher = self._teacher(row, porg["id"])
        elif not v.get("team_name"):
            row.refuse("child_surname", _("Участник — ребёнок, педагог или команда."))
        if row.refused:
            return REFUSED
        try:
            with transaction.atomic():
                event = Event.objects.filter(title__iexact=v["event_title"], start_date=v["event_start"],
                                             organizer_id=org["id"]).first()
                created = event is None
                if created:
                    for key in ("event_kind", "event_level"):
                        if not v.get(key):
                            row.refuse(key, _("Обязательное поле не заполнено."))
                    if row.refused:
                        raise _RowRefused
                    event = Event(title=v["event_title"], kind=v["event_kind"], level=v["event_level"],
                                  start_date=v["event_start"], municipality_id=org["municipality_id"],
                                  organizer_id=org["id"], status=Event.Status.HELD)
                    event.full_clean()
                    event.save()
                who = {"child": child, "teacher": teacher, "team_name": "" if child or teacher else v["team_name"]}
                participant = EventParticipant.objects.filter(event=event, **who).first()
                if participant is None:
                    participant = EventParticipant(event=event, organization_id=porg["id"], **who)
                    participant.full_clean()
                    participant.save()
                    created = True
                nomination = v.get("nomination") or ""
                result = EventResult.objects.filter(participant=participant, nomination=nomination).first()
                if result is None:
                    EventResult.objects.create(participant=participant, result=v["result"], nomination=nomination)
                    created = True
                elif result.result != v["result"]:
                    result.result = v["result"]
                    result.save(update_fields=["result"])
                    row.obj_id = result.pk
                    return UPDATED
                return CREATED if created else UNCHANGED
        except _RowRefused:
            return REFUSED
        except ValidationError as error:
            _apply_validation_error(row, error, {"title": "event_title", "start_date": "event_start"},
                                    self.key_column)
            return REFUSED

    def export_queryset(self, user):
        return scope_queryset(user, EventResult.objects.all()).order_by("pk")

    def export_rows(self, user, qs=None):
        qs = qs if qs is not None else self.export_queryset(user)
        for res in qs.select_related("participant__event__organizer", "participant__organization",
                                     "participant__child", "participant__teacher"):
            p, e = res.participant, res.participant.event
            c, t = p.child, p.teacher
            org = e.organizer
            yield self.visible(user, [
                e.title, e.start_date, (org.tax_id or org.short_name) if org else "", choice_label(Event.Kind, e.kind),
                choice_label(EventLevel, e.level), p.organization.tax_id or p.organization.short_name,
                c.surname if c else "", c.name if c else "", c.patronymic if c else "", c.birth_date if c else None,
                c.national_id if c else "", (t.personal_id or "") if t else "", t.surname if t else "",
                t.name if t else "", p.team_name, choice_label(EventResult.Result, res.result), res.nomination])


REGISTRIES: dict[str, Registry] = {reg.key: reg for reg in (
    OrganizationRegistry(), VenueRegistry(), ProgrammeRegistry(), GroupRegistry(), TeacherRegistry(),
    ChildRegistry(), EnrollmentRegistry(), PopulationRegistry(), ApplicationRegistry(), EventRegistry(),
)}

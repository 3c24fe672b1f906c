"""Merging duplicate children and undoing it; decisions on candidate pairs; the quick-check key of a child.

A merge moves every row that points at the absorbed child (enrollments, applications, event participants and
registrations, guardian links, categories, consents — found through the model's reverse relations, so a new
model with a ``child`` key is included) to the surviving child in one transaction, copies the chosen field values
onto the survivor, sets ``absorbed.merged_into`` and keeps a JSON snapshot of every row it changed in a
:class:`~kruzhok.dedup.models.MergeRecord`. :func:`child_unmerge` writes the snapshot back, so both children and
their links are exactly as before.

Conflicts: two rows that cannot both belong to the survivor (a unique constraint with ``child`` among its fields:
two active enrollments in one group, two open applications to one group, two registrations for one event). The
user chooses which row stays; the other one is ended (an enrollment: ended today, an application: withdrawn) or,
for other models, removed — all of it in the snapshot and restored by the unmerge. The same guardian linked to
both children is one link after the merge (the duplicate link is kept in the snapshot). A merge with an
unresolved conflict is refused with the list of conflicts.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.core.errors import DomainError
from kruzhok.core.services import audit_record
from kruzhok.dedup.models import Candidate, CandidateStatus, ChildKey, MergeRecord
from kruzhok.dedup.normalize import stored_key
from kruzhok.people.models import Child, GuardianLink

# The fields a reviewer chooses between, in the order of the review page.
MERGEABLE_FIELDS = ("surname", "name", "patronymic", "sex", "birth_date", "national_id_kind", "national_id",
                    "municipality", "settlement", "school", "school_name", "grade", "phone", "certificate_number")
_OWN_MODELS = {"dedup.childkey", "dedup.candidate", "dedup.mergerecord"}


class MergeConflictError(DomainError):
    """Refused merge: ``conflicts`` lists what the user must resolve first."""

    def __init__(self, message: str, conflicts: list[Conflict]):
        super().__init__(message, code="merge_conflict")
        self.conflicts = conflicts


@dataclass(frozen=True)
class Conflict:
    """Two rows (one of each child) that one child cannot have both of."""

    key: str  # "<model label>:<smaller row pk>:<larger row pk>", the name of the user's choice
    model: str
    constraint: str
    survivor_row: models.Model
    absorbed_row: models.Model
    automatic: bool = False  # resolved without asking (the same guardian linked twice)

    @property
    def label(self) -> str:
        return str(self.survivor_row._meta.verbose_name)


def _field(model: type[models.Model], name: str) -> models.Field:
    """A concrete field of ``model`` (the ones merge moves: foreign keys and columns, never reverse relations)."""
    return cast(models.Field, model._meta.get_field(name))


def _child_relations() -> list[tuple[type[models.Model], str]]:
    """(model, FK attribute name) of every row that points at a child, ours excluded."""
    found: list[tuple[type[models.Model], str]] = []
    for rel in Child._meta.related_objects:
        model = cast(type[models.Model], rel.related_model)
        if model is Child or model._meta.label_lower in _OWN_MODELS or rel.many_to_many:
            continue
        if rel.field.many_to_one or rel.field.one_to_one:
            found.append((model, rel.field.name))
    return found


def _unique_with_child(model: type[models.Model], fk: str) -> list[models.UniqueConstraint]:
    return [c for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and fk in (c.fields or ())]


def merge_conflicts(*, survivor: Child, absorbed: Child) -> list[Conflict]:
    """Rows of the absorbed child that would break a unique constraint once moved to the survivor."""
    conflicts = []
    for model, fk in _child_relations():
        for constraint in _unique_with_child(model, fk):
            others = [f for f in constraint.fields if f != fk]
            condition = constraint.condition or Q()
            mine = {tuple(getattr(row, _field(model, f).attname) for f in others): row
                    for row in model._default_manager.filter(condition, **{fk: survivor})}
            for row in model._default_manager.filter(condition, **{fk: absorbed}).order_by("pk"):
                values = tuple(getattr(row, _field(model, f).attname) for f in others)
                if values in mine:
                    kept = mine[values]
                    conflicts.append(Conflict(
                        key=f"{model._meta.label_lower}:{min(kept.pk, row.pk)}:{max(kept.pk, row.pk)}",
                        model=model._meta.label_lower,
                        constraint=constraint.name, survivor_row=kept, absorbed_row=row,
                        automatic=model is GuardianLink))
    return conflicts


class _ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder keeps milliseconds only; an unmerge must give back the microseconds too."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


def _dump(row: models.Model) -> dict:
    values = {f.attname: f.value_from_object(row) for f in row._meta.concrete_fields}
    return json.loads(json.dumps(values, cls=_ExactEncoder))


def _load(model: type[models.Model], values: dict) -> dict:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    out = {}
    for name, value in values.items():
        field = fields[name]
        out[name] = value if value is None or isinstance(field, models.JSONField) else field.to_python(value)
    return out


def _retire(row: models.Model, today: dt.date) -> tuple[str, dict]:
    """End the row that loses a conflict: (action, new values) — or delete it for other models."""
    from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment, EnrollmentStatus

    note = _("Запись ребёнка объединена с дубликатом")
    if isinstance(row, Enrollment):
        return "end", {"status": EnrollmentStatus.COMPLETED, "end_date": max(today, row.start_date),
                       "end_reason": note}
    if isinstance(row, Application):
        return "withdraw", {"status": ApplicationStatus.WITHDRAWN, "status_changed_at": timezone.now(),
                            "decided_at": max(timezone.now(), row.submitted_at),
                            "comment": (row.comment + "\n" if row.comment else "") + note}
    return "delete", {}


def child_merge(
    *,
    survivor: Child,
    absorbed: Child,
    actor: Any,
    chosen: dict[str, str] | None = None,
    resolutions: dict[str, str] | None = None,
    candidate: Candidate | None = None,
    automatic: bool = False,
) -> MergeRecord:
    """Merge ``absorbed`` into ``survivor``.

    ``chosen``: field name → ``"absorbed"`` to take that field's value from the absorbed record (the survivor's
    value stays otherwise). ``resolutions``: conflict key → ``"survivor"`` or ``"absorbed"``, whose row stays.
    """
    chosen = chosen or {}
    resolutions = resolutions or {}
    unknown = set(chosen) - set(MERGEABLE_FIELDS)
    if unknown:
        raise DomainError(_("Неизвестные поля: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        pair = list(Child.objects.select_for_update().filter(pk__in=[survivor.pk, absorbed.pk]).order_by("pk"))
        if len(pair) != 2 or survivor.pk == absorbed.pk:
            raise DomainError(_("Для объединения нужны две разные записи."), code="merge_same")
        survivor, absorbed = (pair[0], pair[1]) if pair[0].pk == survivor.pk else (pair[1], pair[0])
        if survivor.merged_into_id or absorbed.merged_into_id:
            raise DomainError(_("Одна из записей уже объединена с другой."), code="merge_already")
        conflicts = merge_conflicts(survivor=survivor, absorbed=absorbed)
        open_conflicts = [c for c in conflicts if not c.automatic and resolutions.get(c.key) not in
                          ("survivor", "absorbed")]
        if open_conflicts:
            raise MergeConflictError(_("Сначала решите, какие записи оставить: у обоих детей есть записи, "
                                       "которые не могут принадлежать одному ребёнку."), open_conflicts)
        snapshot: dict[str, Any] = {"children": {str(c.pk): _dump(c) for c in (survivor, absorbed)}, "rows": []}
        today = timezone.localdate()

        # 1. The losing row of each conflict is ended (or removed); the same guardian's second link goes.
        for conflict in conflicts:
            keep = "survivor" if conflict.automatic else resolutions[conflict.key]
            loser = conflict.absorbed_row if keep == "survivor" else conflict.survivor_row
            action, values = _retire(loser, today)
            snapshot["rows"].append({"model": loser._meta.label_lower, "pk": loser.pk, "action": action,
                                     "fields": _dump(loser)})
            if action == "delete":
                loser.delete()
            else:
                type(loser)._default_manager.filter(pk=loser.pk).update(**values)

        # 2. Every row of the absorbed child moves to the survivor (an ended one too: its snapshot is above).
        saved = {(r["model"], r["pk"]) for r in snapshot["rows"]}
        for model, fk in _child_relations():
            label = model._meta.label_lower
            for row in model._default_manager.filter(**{fk: absorbed}).order_by("pk"):
                if (label, row.pk) not in saved:
                    snapshot["rows"].append({"model": label, "pk": row.pk, "action": "repoint", "fields": _dump(row)})
            model._default_manager.filter(**{fk: absorbed}).update(**{fk: survivor})

        # 3. Records merged into the absorbed one before now point at the survivor.
        earlier = list(Child.objects.filter(merged_into=absorbed).values_list("pk", flat=True))
        snapshot["earlier_absorbed"] = earlier
        Child.objects.filter(pk__in=earlier).update(merged_into=survivor)

        # 4. The chosen values go to the survivor; an identifier taken over leaves the absorbed record.
        updates = {}
        for name in chosen:
            if chosen[name] == "absorbed":
                field = _field(Child, name)
                updates[field.attname] = getattr(absorbed, field.attname)
        absorbed_updates: dict[str, Any] = {"merged_into": survivor}
        if updates.get("national_id") and updates["national_id"] == absorbed.national_id:
            absorbed_updates.update(national_id="", national_id_kind="")
            updates.setdefault("national_id_kind", absorbed.national_id_kind)
        Child.objects.filter(pk=absorbed.pk).update(**absorbed_updates)
        if updates:
            Child.objects.filter(pk=survivor.pk).update(**updates)
            survivor.refresh_from_db()
            survivor.full_clean(exclude=["merged_into"])
        record = MergeRecord.objects.create(
            survivor=survivor, absorbed=absorbed, candidate=candidate, actor=_user(actor), automatic=automatic,
            match_weight=candidate.match_weight if candidate else None,
            match_probability=candidate.match_probability if candidate else None,
            chosen=chosen, snapshot=snapshot)
        pairs = Candidate.objects.filter(Q(child_a=absorbed) | Q(child_b=absorbed), child_a__in=[survivor, absorbed],
                                         child_b__in=[survivor, absorbed])
        pairs.update(status=CandidateStatus.MERGED, decided_by=_user(actor), decided_at=timezone.now())
        child_key_refresh(child=survivor)
        audit_record(actor=actor, action="child.merge", obj=survivor, absorbed=absorbed.pk, merge=record.pk,
                     automatic=automatic, match_weight=record.match_weight,
                     match_probability=record.match_probability, chosen=chosen,
                     resolutions={c.key: ("survivor" if c.automatic else resolutions[c.key]) for c in conflicts},
                     rows=len(snapshot["rows"]))
    return record


def child_unmerge(*, record: MergeRecord, actor: Any) -> MergeRecord:
    """Undo a merge: both children, every moved row and every ended row exactly as before it."""
    from django.apps import apps

    with transaction.atomic():
        record = MergeRecord.objects.select_for_update().get(pk=record.pk)
        if record.unmerged_at:
            raise DomainError(_("Это объединение уже отменено."), code="unmerge_twice")
        involved = [record.survivor_id, record.absorbed_id]
        if MergeRecord.objects.filter(Q(survivor__in=involved) | Q(absorbed__in=involved), pk__gt=record.pk,
                                      unmerged_at__isnull=True).exists():
            raise DomainError(_("Сначала отмените более поздние объединения этой записи."), code="unmerge_order")
        snapshot = record.snapshot
        # The survivor first: it gives back an identifier the absorbed record had.
        for pk in (record.survivor_id, record.absorbed_id):
            values = _load(Child, snapshot["children"][str(pk)])
            values.pop("id", None)
            Child.objects.filter(pk=pk).update(**values)
        Child.objects.filter(pk__in=snapshot.get("earlier_absorbed", [])).update(merged_into=record.absorbed_id)
        # Rows first go back to their child, then get their other values: an ended enrollment becomes active again
        # only once the row that took its place has left for the other child.
        for row in snapshot["rows"]:
            model = apps.get_model(row["model"])
            if row["action"] == "delete":
                continue
            child_fks = {f.attname for f in model._meta.concrete_fields
                         if f.is_relation and f.related_model is Child}
            values = _load(model, {k: v for k, v in row["fields"].items() if k in child_fks})
            model._default_manager.filter(pk=row["pk"]).update(**values)
        for row in snapshot["rows"]:
            model = apps.get_model(row["model"])
            values = _load(model, row["fields"])
            pk = values.pop(model._meta.pk.attname)
            if row["action"] == "delete":
                obj = model(pk=pk, **values)
                model._default_manager.bulk_create([obj])
            model._default_manager.filter(pk=pk).update(**values)
        record.unmerged_at = timezone.now()
        record.unmerged_by = _user(actor)
        record.save(update_fields=["unmerged_at", "unmerged_by"])
        if record.candidate_id:
            Candidate.objects.filter(pk=record.candidate_id).update(
                status=CandidateStatus.OPEN, decided_by=None, decided_at=None)
        for child in Child.objects.filter(pk__in=[record.survivor_id, record.absorbed_id]):
            child_key_refresh(child=child)
        audit_record(actor=actor, action="child.unmerge", obj=record.survivor, absorbed=record.absorbed_id,
                     merge=record.pk)
    return record


def candidate_decide(*, candidate: Candidate, decision: str, actor: Any, note: str = "") -> Candidate:
    """«Not a duplicate» (remembered: later searches never propose the pair again) or «postpone»."""
    allowed = {CandidateStatus.NOT_DUPLICATE, CandidateStatus.POSTPONED, CandidateStatus.OPEN}
    if decision not in allowed:
        raise DomainError(_("Неизвестное решение."), code="bad_decision")
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status == CandidateStatus.MERGED:
            raise DomainError(_("Эта пара уже объединена."), code="already_merged")
        candidate.status = decision
        candidate.decided_by = _user(actor)
        candidate.decided_at = timezone.now()
        if note:
            candidate.note = note[:500]
        candidate.save()
        audit_record(actor=actor, action=f"dedup.{decision}", obj=candidate, child_a=candidate.child_a_id,
                     child_b=candidate.child_b_id, match_weight=candidate.match_weight)
    return candidate


def candidate_flag(*, candidate: Candidate, actor: Any, note: str = "") -> Candidate:
    """An organization's admin marks a pair involving its pupil for the municipality's attention."""
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status in (CandidateStatus.OPEN, CandidateStatus.POSTPONED):
            candidate.status = CandidateStatus.FLAGGED
        if note:
            candidate.note = note[:500]
        candidate.save()
        audit_record(actor=actor, action="dedup.flag", obj=candidate, note=note[:500])
    return candidate


def candidate_record(*, child_a: Child, child_b: Child, match_weight: float, match_probability: float,
                     contributions: list | None = None, status: str = CandidateStatus.OPEN, job=None,
                     note: str = "", cluster: int | None = None) -> Candidate | None:
    """Put a pair in the queue (or refresh its scores); a pair already decided stays as it was."""
    a, b = sorted((child_a, child_b), key=lambda c: c.pk)
    existing = Candidate.objects.filter(child_a=a, child_b=b).first()
    if existing is not None:
        if existing.status in (CandidateStatus.NOT_DUPLICATE, CandidateStatus.MERGED):
            return None
        existing.match_weight, existing.match_probability = match_weight, match_probability
        existing.contributions = contributions or existing.contributions
        existing.cluster = cluster
        existing.job = job or existing.job
        existing.save()
        return existing
    return Candidate.objects.create(child_a=a, child_b=b, municipality_id=a.municipality_id,
                                    match_weight=match_weight, match_probability=match_probability,
                                    contributions=contributions or [], status=status, job=job, note=note,
                                    cluster=cluster)


def child_key_refresh(*, child: Child) -> None:
    """Keep the quick-check key of one child current (called on every save of a child)."""
    ChildKey.objects.update_or_create(child_id=child.pk, defaults={
        "key": stored_key(surname=child.surname, name=child.name, birth_date=_as_date(child.birth_date))})


def child_keys_rebuild(*, queryset=None, batch: int = 5000) -> int:
    """Write the keys of many children at once (after a bulk import); returns how many."""
    qs = (queryset if queryset is not None else Child.objects.all()).order_by("pk")
    done = 0
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).values_list("pk", "surname", "name", "birth_date")[:batch])
        if not rows:
            return done
        with transaction.atomic():
            ChildKey.objects.filter(child_id__in=[r[0] for r in rows]).delete()
            ChildKey.objects.bulk_create([ChildKey(child_id=pk, key=stored_key(surname=s, name=n,
                                                                                birth_date=_as_date(d)))
                                          for pk, s, n, d in rows])
        done += len(rows)
        last = rows[-1][0]


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _user(actor: Any):
    return actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None

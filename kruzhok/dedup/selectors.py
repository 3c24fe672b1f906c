"""Reads of the dedup app: the review queue by clusters, one pair explained, the quick check, the summary for
the monitoring dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Field, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import scope_queryset, user_scope
from kruzhok.dedup.models import UNRESOLVED, Candidate, CandidateStatus, ChildKey, MergeRecord
from kruzhok.dedup.normalize import quick_keys
from kruzhok.dedup.services import MERGEABLE_FIELDS, Conflict, merge_conflicts
from kruzhok.people.models import Child
from kruzhok.territory.models import Municipality, Region

# What each comparison is called on the review page.
FIELD_LABELS = {
    "fn": _("имя"), "sn": _("фамилия"), "pat": _("отчество"), "dob": _("дата рождения"), "phone": _("телефон"),
    "school": _("школа"), "muni": _("муниципалитет"), "sex": _("пол"), "nid": _("СНИЛС / ИИН"),
}
LEVEL_LABELS = {
    "exact": _("совпадает"), "same": _("совпадает"), "same root": _("совпадает корень"),
    "swapped with surname": _("переставлены имя и фамилия"), "swapped with first name": _("переставлены имя и фамилия"),
    "swapped with surname, one letter": _("переставлены, с опечаткой"), "one letter": _("одна буква"),
    "similar": _("похоже"), "different": _("различается"), "first names differ": _("не учитывается: разные имена"),
    "day and month swapped": _("переставлены день и месяц"), "one digit": _("одна цифра"),
    "within a year": _("в пределах года"), "null": _("нет данных"),
}


def is_territory_admin(user: Any) -> bool:
    scope = user_scope(user)
    return scope.is_superuser or bool(scope.roles & {Role.REGIONAL_ADMIN, Role.MUNICIPAL_ADMIN})


def candidates_for(user: Any, *, write: bool = False) -> QuerySet[Candidate]:
    """Candidate pairs the user may see: both children still unmerged."""
    qs = Candidate.objects.filter(child_a__merged_into__isnull=True, child_b__merged_into__isnull=True)
    return scope_queryset(user, qs, write=write)


@dataclass
class ClusterView:
    children: list[Child]
    pairs: list[Candidate]
    weight: float = 0.0


def candidate_queue(*, user: Any, statuses: tuple[str, ...] = UNRESOLVED, limit: int = 200) -> list[ClusterView]:
    """The queue as groups: pairs joined through shared children, three or more children shown together."""
    pairs = list(candidates_for(user).filter(status__in=statuses)
                 .select_related("child_a", "child_b", "child_a__municipality", "child_b__municipality")
                 .order_by("-match_weight", "pk")[: limit * 3])
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        ra, rb = find(pair.child_a_id), find(pair.child_b_id)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, ClusterView] = {}
    for pair in pairs:
        group = groups.setdefault(find(pair.child_a_id), ClusterView(children=[], pairs=[]))
        group.pairs.append(pair)
        for child in (pair.child_a, pair.child_b):
            if child not in group.children:
                group.children.append(child)
        group.weight = max(group.weight, pair.match_weight)
    return sorted(groups.values(), key=lambda g: -g.weight)[:limit]


@dataclass
class FieldRow:
    name: str
    label: str
    a: Any
    b: Any
    same: bool


@dataclass
class PairView:
    candidate: Candidate
    rows: list[FieldRow]
    contributions: list[dict]
    conflicts: list[Conflict]
    total: float
    cluster: list[Candidate] = field(default_factory=list)


def candidate_detail(*, candidate: Candidate) -> PairView:
    """The pair side by side: each field's values and whether they agree, each comparison's contribution to the
    match weight (Splink's per-comparison weights), the conflicts a merge would have to resolve."""
    a, b = candidate.child_a, candidate.child_b
    rows = []
    for name in MERGEABLE_FIELDS:
        model_field = cast(Field, Child._meta.get_field(name))
        va, vb = getattr(a, name), getattr(b, name)
        display_a = getattr(a, f"get_{name}_display")() if model_field.choices else va
        display_b = getattr(b, f"get_{name}_display")() if model_field.choices else vb
        rows.append(FieldRow(name=name, label=str(model_field.verbose_name),
                             a=display_a if va not in (None, "") else "", b=display_b if vb not in (None, "") else "",
                             same=va == vb))
    contributions = [{**c, "label": FIELD_LABELS.get(c["field"], c["field"]),
                      "level_label": LEVEL_LABELS.get(c.get("level", ""), c.get("level", ""))}
                     for c in candidate.contributions]
    cluster = []
    if candidate.cluster is not None:
        cluster = list(Candidate.objects.filter(cluster=candidate.cluster, status__in=UNRESOLVED)
                       .exclude(pk=candidate.pk).select_related("child_a", "child_b"))
    return PairView(candidate=candidate, rows=rows, contributions=contributions,
                    conflicts=merge_conflicts(survivor=a, absorbed=b), total=candidate.match_weight, cluster=cluster)


def merges_for(user: Any) -> QuerySet[MergeRecord]:
    return scope_queryset(user, MergeRecord.objects.select_related("survivor", "absorbed", "actor"))


@dataclass
class QuickCheck:
    """What the quick check may tell this user: ``visible`` matches they may open (their family's, their
    organization's, their territory's) and whether there are ``hidden`` matches they must not be shown."""

    visible: list[Child]
    hidden: int

    @property
    def found(self) -> bool:
        return bool(self.visible or self.hidden)


def child_quick_check(*, user: Any, surname: str, name: str, birth_date: dt.date) -> QuickCheck:
    """Children whose normalized name and birth date (or the day/month swapped date) match: one indexed lookup
    of the key table. Matches outside the user's rights are only counted, never described."""
    if not (surname and name and birth_date):
        return QuickCheck(visible=[], hidden=0)
    ids = list(ChildKey.objects.filter(key__in=quick_keys(surname=surname, name=name, birth_date=birth_date),
                                       child__merged_into__isnull=True).values_list("child_id", flat=True)[:50])
    if not ids:
        return QuickCheck(visible=[], hidden=0)
    visible = list(scope_queryset(user, Child.objects.filter(pk__in=ids)).order_by("pk"))
    return QuickCheck(visible=visible, hidden=len(ids) - len(visible))


def quick_check_matches(*, surname: str, name: str, birth_date: dt.date) -> list[int]:
    """Ids of all matching children, for services that record a pair for review (never shown to the user)."""
    return list(ChildKey.objects.filter(key__in=quick_keys(surname=surname, name=name, birth_date=birth_date),
                                        child__merged_into__isnull=True).values_list("child_id", flat=True)[:50])


def dedup_unresolved_summary(*, territory: Region | Municipality | None) -> tuple[int, int]:
    """(unresolved candidate pairs, children that merging them would remove) in a territory (``None``: all).

    A pair counts while it waits for a decision (open, postponed or flagged by an organization) and neither child
    has been merged meanwhile; pairs sharing a child form a group of n children that would become one, so the
    second number is the sum of n − 1 over the groups — how much the unique-children count could drop."""
    qs = Candidate.objects.filter(status__in=UNRESOLVED, child_a__merged_into__isnull=True,
                                  child_b__merged_into__isnull=True)
    if isinstance(territory, Municipality):
        qs = qs.filter(Q(child_a__municipality=territory) | Q(child_b__municipality=territory))
    elif isinstance(territory, Region):
        qs = qs.filter(Q(child_a__municipality__region=territory) | Q(child_b__municipality__region=territory))
    edges = list(qs.values_list("child_a_id", "child_b_id"))
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = {find(x) for x in parent}
    return len(edges), len(parent) - len(roots)


__all__ = ["CandidateStatus", "candidate_detail", "candidate_queue", "candidates_for", "child_quick_check",
           "dedup_unresolved_summary", "merges_for", "quick_check_matches"]

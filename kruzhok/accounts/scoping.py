"""Who may see and change which rows: one scoping rule per model, one entry point.

Every queryset handed to a user — in the admin, in a page, in the API, in an export — goes through
:func:`scope_queryset`. A rule names the path from the model to its organization (and, for children,
to their municipality of residence); the roles a user holds turn that into a filter:

* superuser — everything;
* regional admin — rows of organizations in the regions granted;
* municipal admin — rows of organizations in the municipalities granted (and resident children);
* organization admin — rows of the organizations granted;
* teacher — their own groups, the children in them, their own profile;
* parent — their own children and those children's applications and enrollments.

A rule also says which roles may *change* rows; for reads of public dictionaries (directions,
territories) every signed-in user passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from kruzhok.accounts.models import Role, RoleGrant

ALL_STAFF = frozenset(Role) - {Role.PARENT}


@dataclass(frozen=True)
class Scope:
    """What one user is granted, read once per request."""

    is_superuser: bool = False
    roles: frozenset[str] = frozenset()
    region_ids: frozenset[int] = frozenset()
    municipality_ids: frozenset[int] = frozenset()
    organization_ids: frozenset[int] = frozenset()  # organization admin
    teaching_organization_ids: frozenset[int] = frozenset()
    teacher_id: int | None = None
    guardian_id: int | None = None


def user_scope(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_kruzhok_scope", None)
    if cached is not None:
        return cached
    grants = list(RoleGrant.objects.filter(user=user).values_list("role", "organization_id", "municipality_id",
                                                                   "region_id"))
    teacher = getattr(user, "teacher_profile", None) if _has_related(user, "teacher_profile") else None
    guardian = getattr(user, "guardian_profile", None) if _has_related(user, "guardian_profile") else None
    roles = {g[0] for g in grants}
    if guardian is not None:
        roles.add(Role.PARENT)
    scope = Scope(
        is_superuser=user.is_superuser,
        roles=frozenset(roles),
        region_ids=frozenset(g[3] for g in grants if g[0] == Role.REGIONAL_ADMIN),
        municipality_ids=frozenset(g[2] for g in grants if g[0] == Role.MUNICIPAL_ADMIN),
        organization_ids=frozenset(g[1] for g in grants if g[0] == Role.ORG_ADMIN),
        teaching_organization_ids=frozenset(g[1] for g in grants if g[0] == Role.TEACHER),
        teacher_id=teacher.pk if teacher is not None and Role.TEACHER in roles else None,
        guardian_id=guardian.pk if guardian is not None else None,
    )
    user._kruzhok_scope = scope
    return scope


def _has_related(user: Any, name: str) -> bool:
    try:
        getattr(user, name)
    except Exception:  # RelatedObjectDoesNotExist
        return False
    return True


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


def organization_q(scope: Scope, path: str, roles: frozenset[str]) -> Q:
    """Rows whose organization (reached by ``path``; empty for Organization itself) lies in the scope."""
    pre = _prefix(path)
    org_ids = f"{path}__in" if path else "pk__in"
    q = Q(pk__in=[])
    if Role.REGIONAL_ADMIN in roles and scope.region_ids:
        q |= Q(**{f"{pre}municipality__region__in": scope.region_ids})
    if Role.MUNICIPAL_ADMIN in roles and scope.municipality_ids:
        q |= Q(**{f"{pre}municipality__in": scope.municipality_ids})
    if Role.ORG_ADMIN in roles and scope.organization_ids:
        q |= Q(**{org_ids: scope.organization_ids})
    return q


@dataclass(frozen=True)
class Rule:
    """How rows of one model are scoped.

    ``org_path``: path to the owning organization (``""`` for Organization, ``None`` for no organization).
    ``extra``: role-specific filters beyond the organization (teacher's own groups, parent's children).
    ``read_extra``: role-specific filters that widen what a role *sees* but not what it may change (the
    admins of a child's home territory see its applications elsewhere; they do not decide on them).
    ``writers``: roles that may change rows within their scope.
    ``readers``: roles that see the rows at all (default: the writers plus those with an extra rule).
    ``everyone_reads``: dictionaries anyone signed in may read.
    """

    org_path: str | None = None
    extra: dict[str, Callable[[Scope], Q]] = field(default_factory=dict)
    read_extra: dict[str, Callable[[Scope], Q]] = field(default_factory=dict)
    writers: frozenset[str] = frozenset()
    readers: frozenset[str] | None = None
    everyone_reads: bool = False

    def q(self, scope: Scope, *, write: bool) -> Q | None:
        if write:
            roles = scope.roles & self.writers
        else:
            allowed = self.readers if self.readers is not None else (
                self.writers | set(self.extra) | set(self.read_extra))
            roles = scope.roles & allowed
        if not roles:
            return None
        q = organization_q(scope, self.org_path, roles) if self.org_path is not None else Q(pk__in=[])
        extras = list(self.extra.items()) + ([] if write else list(self.read_extra.items()))
        for role, build in extras:
            if role in roles:
                q |= build(scope)
        return q


_RULES: dict[type[models.Model], Rule] = {}


def register(model: type[models.Model], rule: Rule) -> None:
    _RULES[model] = rule


def rule_for(model: type[models.Model]) -> Rule:
    try:
        return _RULES[model]
    except KeyError:
        raise LookupError(f"No scoping rule for {model._meta.label}: register one in accounts/rules.py") from None


def scope_queryset(user: Any, qs: QuerySet, *, write: bool = False) -> QuerySet:
    """The rows of ``qs`` this user may see (or, with ``write=True``, change)."""
    scope = user_scope(user)
    if scope.is_superuser:
        return qs
    rule = rule_for(qs.model)
    if not write and rule.everyone_reads and getattr(user, "is_authenticated", False):
        return qs
    q = rule.q(scope, write=write)
    if q is None:
        return qs.none()
    # A subquery on primary keys keeps rows unique when the filter crosses to-many relations.
    return qs.filter(pk__in=qs.model._default_manager.filter(q).values("pk"))


def can_view(user: Any, obj: models.Model) -> bool:
    return scope_queryset(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def can_change(user: Any, obj: models.Model) -> bool:
    return scope_queryset(user, type(obj)._default_manager.filter(pk=obj.pk), write=True).exists()


def may_use_model(user: Any, model: type[models.Model], *, write: bool = False) -> bool:
    """Whether the user's roles give any access to this model at all (used by the admin's permissions)."""
    scope = user_scope(user)
    if scope.is_superuser:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    rule = _RULES.get(model)
    if rule is None:
        return False
    if not write and rule.everyone_reads:
        return bool(scope.roles & ALL_STAFF)
    return rule.q(scope, write=write) is not None

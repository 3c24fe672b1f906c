"""The scoping rule of every model (see ``scoping.py``). Loaded once by ``AccountsConfig.ready``."""

from __future__ import annotations

from django.db.models import Q

from kruzhok.accounts.models import Role, RoleGrant, User
from kruzhok.accounts.scoping import Rule, register
from kruzhok.catalog import models as catalog
from kruzhok.core.models import AuditLog
from kruzhok.enrollment import models as enrollment
from kruzhok.events import models as events
from kruzhok.people import models as people
from kruzhok.territory import models as territory

R, M, ORG, T, P = Role.REGIONAL_ADMIN, Role.MUNICIPAL_ADMIN, Role.ORG_ADMIN, Role.TEACHER, Role.PARENT
ADMINS = frozenset({R, M, ORG})
TERRITORY_ADMINS = frozenset({R, M})


def _teacher_groups(prefix: str = ""):
    return lambda s: Q(**{f"{prefix}teachers": s.teacher_id}) if s.teacher_id else Q(pk__in=[])


def _teacher_orgs(path: str):
    return lambda s: Q(**{f"{path}__in": s.teaching_organization_ids})


def _child_q(prefix: str = "") -> dict:
    """Children: by residence for territory admins, by the organization's pupils for organization admins,
    the teacher's own groups, the parent's own family."""
    return {
        R: lambda s: Q(**{f"{prefix}municipality__region__in": s.region_ids}),
        M: lambda s: Q(**{f"{prefix}municipality__in": s.municipality_ids}),
        ORG: lambda s: (Q(**{f"{prefix}enrollments__group__programme__organization__in": s.organization_ids})
                      | Q(**{f"{prefix}applications__group__programme__organization__in": s.organization_ids})
                      | Q(**{f"{prefix}registered_by__in": s.organization_ids})),
        T: lambda s: Q(**{f"{prefix}enrollments__group__teachers": s.teacher_id,
                          f"{prefix}enrollments__status": "active"}) if s.teacher_id else Q(pk__in=[]),
        P: lambda s: Q(**{f"{prefix}guardian_links__guardian": s.guardian_id}) if s.guardian_id else Q(pk__in=[]),
    }


def _parent_of(prefix: str):
    return lambda s: Q(**{f"{prefix}guardian_links__guardian": s.guardian_id}) if s.guardian_id else Q(pk__in=[])


def _territory_admins_plus_residence(prefix: str) -> dict:
    """Applications and enrollments: also visible to the admins of the child's municipality of residence."""
    return {
        R: lambda s: Q(**{f"{prefix}municipality__region__in": s.region_ids}),
        M: lambda s: Q(**{f"{prefix}municipality__in": s.municipality_ids}),
        T: lambda s: Q(group__teachers=s.teacher_id) if s.teacher_id else Q(pk__in=[]),
        P: _parent_of(prefix),
    }


def load() -> None:
    # Territory: public dictionaries; the region's and the municipality's admins keep their own rows.
    register(territory.Region, Rule(everyone_reads=True))
    register(territory.Municipality, Rule(everyone_reads=True, writers=frozenset({R}),
                                          extra={R: lambda s: Q(region__in=s.region_ids)}))
    register(territory.Settlement, Rule(everyone_reads=True, writers=TERRITORY_ADMINS, extra={
        R: lambda s: Q(municipality__region__in=s.region_ids),
        M: lambda s: Q(municipality__in=s.municipality_ids)}))
    register(territory.Population, Rule(writers=TERRITORY_ADMINS, extra={
        R: lambda s: Q(municipality__region__in=s.region_ids),
        M: lambda s: Q(municipality__in=s.municipality_ids)}))

    register(catalog.Direction, Rule(everyone_reads=True))
    register(enrollment.RejectReason, Rule(everyone_reads=True))

    # The catalog: rows belong to an organization.
    register(catalog.Organization, Rule(org_path="", writers=ADMINS, extra={T: _teacher_orgs("pk")}))
    register(catalog.Venue, Rule(org_path="organization", writers=ADMINS, extra={T: _teacher_orgs("organization")}))
    register(catalog.Programme, Rule(org_path="organization", writers=ADMINS,
                                     extra={T: _teacher_orgs("organization")}))
    register(catalog.Group, Rule(org_path="programme__organization", writers=ADMINS,
                                 extra={T: _teacher_groups()}))
    register(catalog.ScheduleSlot, Rule(org_path="group__programme__organization", writers=ADMINS,
                                        extra={T: _teacher_groups("group__")}))
    register(catalog.Teacher, Rule(org_path="employments__organization", writers=ADMINS,
                                   extra={T: lambda s: Q(pk=s.teacher_id)}))
    register(catalog.Employment, Rule(org_path="organization", writers=ADMINS,
                                      extra={T: lambda s: Q(teacher=s.teacher_id)}))
    for model in (catalog.Course, catalog.Publication, catalog.TeacherAward):
        register(model, Rule(org_path="teacher__employments__organization", writers=ADMINS | {T},
                             extra={T: lambda s: Q(teacher=s.teacher_id)}))

    # People: a child is seen by its family, its teachers, the organizations it attends and its territory.
    register(people.Child, Rule(writers=frozenset({R, M, ORG, P}), extra=_child_q()))
    for model in (people.ChildCategory, people.GuardianLink, people.Consent):
        register(model, Rule(writers=frozenset({R, M, ORG, P}), readers=frozenset({R, M, ORG, T, P}),
                             extra=_child_q("child__")))
    register(people.Guardian, Rule(writers=frozenset({R, M, ORG, P}), readers=frozenset({R, M, ORG, P}),
                                   extra={**_child_q("children__"), P: lambda s: Q(pk=s.guardian_id)}))

    # Applications and enrollments: the organization that runs the group, the child's territory, the family.
    for model in (enrollment.Application, enrollment.Enrollment):
        register(model, Rule(org_path="group__programme__organization", writers=ADMINS,
                             extra=_territory_admins_plus_residence("child__")))
    register(enrollment.ApplicationStatusChange, Rule(
        org_path="application__group__programme__organization", readers=frozenset({R, M, ORG, T, P}),
        extra={**_territory_admins_plus_residence("application__child__"),
               T: lambda s: Q(application__group__teachers=s.teacher_id) if s.teacher_id else Q(pk__in=[])}))

    # Events: the organizer's; participants and results follow their event.
    register(events.Event, Rule(writers=ADMINS, extra={
        R: lambda s: Q(municipality__region__in=s.region_ids),
        M: lambda s: Q(municipality__in=s.municipality_ids),
        ORG: lambda s: Q(organizer__in=s.organization_ids),
        T: lambda s: Q(organizer__in=s.teaching_organization_ids)}))
    register(events.EventParticipant, Rule(org_path="organization", writers=ADMINS, extra={
        T: lambda s: Q(mentor=s.teacher_id) | Q(teacher=s.teacher_id)}))
    register(events.EventResult, Rule(org_path="participant__organization", writers=ADMINS, extra={
        T: lambda s: Q(participant__mentor=s.teacher_id) | Q(participant__teacher=s.teacher_id)}))
    register(events.Partnership, Rule(org_path="organization", writers=ADMINS))
    register(events.BestPractice, Rule(org_path="organization", writers=ADMINS))

    # Accounts and the audit log: superusers only.
    register(User, Rule())
    register(RoleGrant, Rule())
    register(AuditLog, Rule())

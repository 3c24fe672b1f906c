"""The scoping rule of every model (see ``scoping.py``). Loaded once by ``AccountsConfig.ready``."""

from __future__ import annotations

from django.db.models import Q

from kruzhok.accounts.models import ApiToken, Role, RoleGrant, User
from kruzhok.accounts.scoping import Rule, register
from kruzhok.catalog import models as catalog
from kruzhok.core.models import AuditLog, Job, ScheduleRun
from kruzhok.enrollment import models as enrollment
from kruzhok.events import models as events
from kruzhok.people import models as people
from kruzhok.reports.models import GeneratedReport
from kruzhok.territory import models as territory

R, M, ORG, T, P = Role.REGIONAL_ADMIN, Role.MUNICIPAL_ADMIN, Role.ORG_ADMIN, Role.TEACHER, Role.PARENT
ADMINS = frozenset({R, M, ORG})
TERRITORY_ADMINS = frozenset({R, M})
NOTHING = Q(pk__in=[])


def _own_teacher(*lookups: str):
    """Rows whose ``lookups`` (any of them) point at the teacher's own profile.

    Without a profile the teacher matches nothing: ``Q(mentor=None)`` would mean "no mentor" and
    hand a profile-less teacher every participant without one.
    """
    def build(s) -> Q:
        if not s.teacher_id:
            return NOTHING
        q = NOTHING
        for lookup in lookups:
            q |= Q(**{lookup: s.teacher_id})
        return q
    return build


def _teacher_orgs(path: str):
    return lambda s: Q(**{f"{path}__in": s.teaching_organization_ids})


def _pupil_of(prefix: str, org_path: str, ids) -> Q:
    """Children enrolled in or applying to a group of the organizations ``org_path__in=ids``."""
    return (Q(**{f"{prefix}enrollments__group__programme__organization__{org_path}": ids})
            | Q(**{f"{prefix}applications__group__programme__organization__{org_path}": ids}))


def _child_q(prefix: str = "") -> dict:
    """Children: by residence or by the organizations they attend for territory admins, by the organization's
    pupils for organization admins, the teacher's own groups, the parent's own family."""
    return {
        R: lambda s: (Q(**{f"{prefix}municipality__region__in": s.region_ids})
                      | _pupil_of(prefix, "municipality__region__in", s.region_ids)),
        M: lambda s: (Q(**{f"{prefix}municipality__in": s.municipality_ids})
                      | _pupil_of(prefix, "municipality__in", s.municipality_ids)),
        ORG: lambda s: (_pupil_of(prefix, "in", s.organization_ids)
                        | Q(**{f"{prefix}registered_by__in": s.organization_ids})),
        T: lambda s: Q(**{f"{prefix}enrollments__group__teachers": s.teacher_id,
                          f"{prefix}enrollments__status": "active"}) if s.teacher_id else NOTHING,
        P: _parent_of(prefix),
    }


def _parent_of(prefix: str):
    return lambda s: Q(**{f"{prefix}guardian_links__guardian": s.guardian_id}) if s.guardian_id else NOTHING


def _residence(prefix: str) -> dict:
    """Applications and enrollments are also *seen* by the admins of the child's home territory."""
    return {
        R: lambda s: Q(**{f"{prefix}municipality__region__in": s.region_ids}),
        M: lambda s: Q(**{f"{prefix}municipality__in": s.municipality_ids}),
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
                                 extra={T: _own_teacher("teachers")}))
    register(catalog.ScheduleSlot, Rule(org_path="group__programme__organization", writers=ADMINS,
                                        extra={T: _own_teacher("group__teachers")}))
    register(catalog.Teacher, Rule(org_path="employments__organization", writers=ADMINS,
                                   extra={T: _own_teacher("pk")}))
    register(catalog.Employment, Rule(org_path="organization", writers=ADMINS, extra={T: _own_teacher("teacher")}))
    for model in (catalog.Course, catalog.Publication, catalog.TeacherAward):
        register(model, Rule(org_path="teacher__employments__organization", writers=ADMINS | {T},
                             extra={T: _own_teacher("teacher")}))

    # People: a child is seen by its family, its teachers, the organizations it attends and its territory.
    register(people.Child, Rule(writers=frozenset({R, M, ORG, P}), extra=_child_q()))
    for model in (people.ChildCategory, people.GuardianLink, people.Consent):
        register(model, Rule(writers=frozenset({R, M, ORG, P}), readers=frozenset({R, M, ORG, T, P}),
                             extra=_child_q("child__")))
    register(people.Guardian, Rule(writers=frozenset({R, M, ORG, P}), readers=frozenset({R, M, ORG, P}),
                                   extra={**_child_q("children__"), P: lambda s: Q(pk=s.guardian_id)
                                          if s.guardian_id else NOTHING}))

    # Applications and enrollments: decided by the organization that runs the group (and its territory's
    # admins); seen also by the child's home territory, the group's teachers and the family.
    for model in (enrollment.Application, enrollment.Enrollment):
        register(model, Rule(org_path="group__programme__organization", writers=ADMINS,
                             extra={T: _own_teacher("group__teachers"), P: _parent_of("child__")},
                             read_extra=_residence("child__")))
    # Lottery draws are made by the service only; the group's organization, territory and teachers read them.
    register(enrollment.LotteryDraw, Rule(org_path="group__programme__organization", readers=frozenset({R, M, ORG, T}),
                                          extra={T: _own_teacher("group__teachers")}))
    register(enrollment.ApplicationStatusChange, Rule(
        org_path="application__group__programme__organization", readers=frozenset({R, M, ORG, T, P}),
        extra={T: _own_teacher("application__group__teachers"), P: _parent_of("application__child__")},
        read_extra=_residence("application__child__")))

    # Monitoring: precomputed coverage, written only by the refresh job; cells are read by their territory.
    from kruzhok.monitoring import models as monitoring

    register(monitoring.CoverageSnapshot, Rule())
    register(monitoring.CoverageAggregate, Rule(readers=TERRITORY_ADMINS, extra={
        R: lambda s: Q(municipality__region__in=s.region_ids),
        M: lambda s: Q(municipality__in=s.municipality_ids)}))

    # Events: the organizer's; participants and results follow their organization.
    register(events.Event, Rule(writers=ADMINS, extra={
        R: lambda s: Q(municipality__region__in=s.region_ids),
        M: lambda s: Q(municipality__in=s.municipality_ids),
        ORG: lambda s: Q(organizer__in=s.organization_ids),
        T: lambda s: Q(organizer__in=s.teaching_organization_ids)}))
    register(events.EventParticipant, Rule(org_path="organization", writers=ADMINS,
                                           extra={T: _own_teacher("mentor", "teacher")}))
    register(events.EventResult, Rule(org_path="participant__organization", writers=ADMINS,
                                      extra={T: _own_teacher("participant__mentor", "participant__teacher")}))
    register(events.Partnership, Rule(org_path="organization", writers=ADMINS))
    register(events.EventDate, Rule(writers=ADMINS, extra={
        R: lambda s: Q(event__municipality__region__in=s.region_ids),
        M: lambda s: Q(event__municipality__in=s.municipality_ids),
        ORG: lambda s: Q(event__organizer__in=s.organization_ids),
        T: lambda s: Q(event__organizer__in=s.teaching_organization_ids)}))
    register(events.BestPractice, Rule(org_path="organization", writers=ADMINS))
    register(events.BestPracticeFile, Rule(org_path="practice__organization", writers=ADMINS))
    # A parent's registration of their child for an open event: the organizer's and the family's.
    register(events.EventRegistration, Rule(org_path="event__organizer", writers=ADMINS,
                                            extra={P: _parent_of("child__")}, readers=ADMINS | {P}))

    # Duplicate children: the territory's admins review the pairs and merges of their children; an organization's
    # admin sees (and flags) the pairs involving its own pupils. The quick-check keys: superusers only.
    from kruzhok.dedup import models as dedup

    def either_child(role: str):
        return lambda s: _child_q("child_a__")[role](s) | _child_q("child_b__")[role](s)

    register(dedup.Candidate, Rule(writers=frozenset({R, M, ORG}), extra={role: either_child(role)
                                                                          for role in (R, M, ORG)}))
    register(dedup.MergeRecord, Rule(readers=frozenset({R, M}), extra={
        R: lambda s: _child_q("survivor__")[R](s) | _child_q("absorbed__")[R](s),
        M: lambda s: _child_q("survivor__")[M](s) | _child_q("absorbed__")[M](s)}))
    register(dedup.ChildKey, Rule())

    # Accounts, API tokens and the audit log: superusers only.
    register(User, Rule())
    register(RoleGrant, Rule())
    register(ApiToken, Rule())
    register(AuditLog, Rule())
    register(Job, Rule())  # the starter sees their own job through core.jobs.job_for_user
    register(ScheduleRun, Rule())

    # Generated reports: the territory's admins see and publish those of their territory; an organization's admin
    # those of their organization (a municipal admin also sees the organizations' reports in the municipality).
    register(GeneratedReport, Rule(writers=ADMINS, extra={
        R: lambda s: Q(region__in=s.region_ids),
        M: lambda s: Q(municipality__in=s.municipality_ids),
        ORG: lambda s: Q(organization__in=s.organization_ids)}))

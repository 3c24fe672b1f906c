"""Shared fixtures: a small two-region world and one named user per role.

Region A holds municipalities A1 and A2; region B holds B1. Organization ``org`` (in A1) runs
``group``; ``other_org`` is in A2 and ``far_org`` in B1, each with a group and an enrolled child.

* ``parent`` — guardian of ``child`` (enrolled in ``group``);
* ``teacher`` — teaches ``group`` at ``org``;
* ``org_admin`` — administers ``org``;
* ``municipal_admin`` — administers A1;
* ``regional_admin`` — administers region A;
* ``outsider`` — administers ``far_org`` in region B: signed in and staff, but of somewhere else;
* ``superuser``.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from django.db import connection

from kruzhok import factories as f
from kruzhok.accounts.models import Role


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL; on SQLite they are skipped (the PostgreSQL run covers them)."""
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL; runs in the PostgreSQL half of `make test`")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing a password with the production hasher costs ~0.3 s; tests don't need its strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    """Background jobs run inside the test (on commit); a test of the real worker sets the database backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def world(db):
    region_a = f.RegionFactory(name="Область А", code="A")
    region_b = f.RegionFactory(name="Область Б", code="B")
    a1 = f.MunicipalityFactory(region=region_a, name="Городской округ А1", code="A1")
    a2 = f.MunicipalityFactory(region=region_a, name="Городской округ А2", code="A2")
    b1 = f.MunicipalityFactory(region=region_b, name="Городской округ Б1", code="B1")

    org = f.OrganizationFactory(municipality=a1, short_name="ДДТ А1")
    other_org = f.OrganizationFactory(municipality=a2, short_name="ЦДТ А2")
    far_org = f.OrganizationFactory(municipality=b1, short_name="СЮТ Б1")

    def club(organization):
        programme = f.ProgrammeFactory(organization=organization)
        group = f.GroupFactory(programme=programme, capacity=5)
        f.ScheduleSlotFactory(group=group)
        venue = f.VenueFactory(organization=organization)
        return programme, group, venue

    programme, group, venue = club(org)
    other_programme, other_group, other_venue = club(other_org)
    far_programme, far_group, far_venue = club(far_org)

    teacher_profile = f.TeacherFactory()
    f.EmploymentFactory(teacher=teacher_profile, organization=org)
    group.teachers.add(teacher_profile)
    other_teacher = f.TeacherFactory()
    f.EmploymentFactory(teacher=other_teacher, organization=other_org)
    far_teacher = f.TeacherFactory()
    f.EmploymentFactory(teacher=far_teacher, organization=far_org)

    child = f.ChildFactory(municipality=a1)
    sibling = f.ChildFactory(municipality=a1, name="Пётр")
    other_child = f.ChildFactory(municipality=a2)
    far_child = f.ChildFactory(municipality=b1)
    unrelated_child = f.ChildFactory(municipality=a1, name="Ольга", sex="F")  # A1 resident, not at org
    guardian = f.GuardianFactory()
    f.GuardianLinkFactory(guardian=guardian, child=child)
    f.GuardianLinkFactory(guardian=guardian, child=sibling)
    other_guardian = f.GuardianFactory()
    f.GuardianLinkFactory(guardian=other_guardian, child=other_child)

    enrollment = f.EnrollmentFactory(child=child, group=group)
    other_enrollment = f.EnrollmentFactory(child=other_child, group=other_group)
    far_enrollment = f.EnrollmentFactory(child=far_child, group=far_group)
    application = f.ApplicationFactory(child=sibling, group=group)
    other_application = f.ApplicationFactory(child=other_child, group=far_group)
    category = f.ChildCategoryFactory(child=child)
    far_category = f.ChildCategoryFactory(child=far_child)
    event = f.EventFactory(municipality=a1, organizer=org)
    far_event = f.EventFactory(municipality=b1, organizer=far_org)

    parent = f.UserFactory(email="parent@example.org")
    guardian.user = parent
    guardian.save(update_fields=["user"])
    teacher = f.UserFactory(email="teacher@example.org")
    teacher_profile.user = teacher
    teacher_profile.save(update_fields=["user"])
    f.grant(teacher, Role.TEACHER, organization=org)
    org_admin = f.UserFactory(email="org-admin@example.org")
    f.grant(org_admin, Role.ORG_ADMIN, organization=org)
    municipal_admin = f.UserFactory(email="municipal-admin@example.org")
    f.grant(municipal_admin, Role.MUNICIPAL_ADMIN, municipality=a1)
    regional_admin = f.UserFactory(email="regional-admin@example.org")
    f.grant(regional_admin, Role.REGIONAL_ADMIN, region=region_a)
    outsider = f.UserFactory(email="outsider@example.org")
    f.grant(outsider, Role.ORG_ADMIN, organization=far_org)
    superuser = f.UserFactory(email="root@example.org", is_superuser=True, is_staff=True)

    return SimpleNamespace(**{k: v for k, v in locals().items() if k not in {"f", "club"}})


@pytest.fixture
def parent(world):
    return world.parent


@pytest.fixture
def teacher(world):
    return world.teacher


@pytest.fixture
def org_admin(world):
    return world.org_admin


@pytest.fixture
def municipal_admin(world):
    return world.municipal_admin


@pytest.fixture
def regional_admin(world):
    return world.regional_admin


@pytest.fixture
def outsider(world):
    return world.outsider

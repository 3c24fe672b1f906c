"""Scoping at its edges: users without a profile, inactive and anonymous users, several roles, and children who
attend an organization outside their home territory."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from kruzhok import factories as f
from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import _RULES, may_use_model, scope_queryset
from kruzhok.catalog.models import Direction, Group, Programme
from kruzhok.events.models import EventParticipant, EventResult
from kruzhok.people.models import Child

OUR_APPS = ("core", "accounts", "territory", "catalog", "people", "enrollment", "events", "dedup", "reports",
            "monitoring")


def test_every_model_of_the_domain_has_a_rule():
    models = {m for label in OUR_APPS for m in apps.get_app_config(label).get_models()}
    assert models - set(_RULES) == set()


def test_teacher_grant_without_profile_sees_no_one_elses_participants(full_world):
    """``Q(mentor=None)`` would mean "participants without a mentor", everywhere in the country."""
    f.EventParticipantFactory(event=full_world.far_event, organization=full_world.far_org, mentor=None)
    user = f.UserFactory()
    f.grant(user, Role.TEACHER, organization=full_world.org)
    for model in (EventParticipant, EventResult, Group):
        assert not scope_queryset(user, model.objects.all()).exists(), model
    assert set(scope_queryset(user, Programme.objects.all())) == {full_world.programme}


@pytest.mark.parametrize("model", [Child, Programme, Group])
def test_inactive_user_sees_nothing(full_world, model):
    user = full_world.regional_admin
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.refresh_from_db()
    assert not scope_queryset(user, model.objects.all()).exists()
    assert not may_use_model(user, model)


def test_anonymous_sees_nothing_not_even_dictionaries(full_world):
    anonymous = AnonymousUser()
    assert not scope_queryset(anonymous, Child.objects.all()).exists()
    assert not scope_queryset(anonymous, Direction.objects.all()).exists()
    assert not may_use_model(anonymous, Direction)


def test_roles_add_up(full_world):
    """An organization's admin who also teaches elsewhere sees both."""
    user = full_world.org_admin
    f.grant(user, Role.TEACHER, organization=full_world.far_org)
    user.refresh_from_db()
    assert set(scope_queryset(user, Programme.objects.all())) == {full_world.programme, full_world.far_programme}
    assert set(scope_queryset(user, Programme.objects.all(), write=True)) == {full_world.programme}


def test_territory_admins_see_non_resident_pupils_of_their_organizations(full_world):
    """A child from B1 attending org (A1) is A1's and region A's pupil too: they enroll and correct it."""
    visitor = f.ChildFactory(municipality=full_world.b1)
    f.EnrollmentFactory(child=visitor, group=full_world.untaught_group)
    for user in ("org_admin", "municipal_admin", "regional_admin"):
        assert scope_queryset(getattr(full_world, user), Child.objects.filter(pk=visitor.pk)).exists(), user
        assert scope_queryset(getattr(full_world, user), Child.objects.filter(pk=visitor.pk), write=True).exists()
    # far_org's admin shares the child's home municipality, not its organization; the teacher has another group.
    for user in ("outsider", "teacher"):
        assert not scope_queryset(getattr(full_world, user), Child.objects.filter(pk=visitor.pk)).exists(), user


def test_teacher_stops_seeing_a_pupil_who_left(full_world):
    enrollment = full_world.enrollment
    enrollment.status, enrollment.end_date = "completed", f.TODAY
    enrollment.save(update_fields=["status", "end_date"])
    assert not scope_queryset(full_world.teacher, Child.objects.all()).exists()
    assert set(scope_queryset(full_world.org_admin, Child.objects.all())) == {full_world.child, full_world.sibling}

"""The application selectors hand each user only their own: a parent their children's applications, an
organization's staff their organization's inbox (see ``conftest.py`` for the world and its users)."""

from __future__ import annotations

import pytest

from kruzhok import factories as f
from kruzhok.enrollment.models import ApplicationStatus
from kruzhok.enrollment.selectors import (
    applications_with_positions,
    family_applications,
    inbox_applications,
    inbox_counts,
)

S = ApplicationStatus


@pytest.fixture
def applications(world):
    """Beyond the world's two: the parent's child applies elsewhere, and strangers apply to the parent's group."""
    w = world
    return {
        "sibling@group": w.application,
        "other_child@far_group": w.other_application,
        "child@other_group": f.ApplicationFactory(child=w.child, group=w.other_group, status=S.WAITLISTED),
        "stranger@group": f.ApplicationFactory(child=w.unrelated_child, group=w.group, status=S.WAITLISTED),
        "far_child@group": f.ApplicationFactory(child=w.far_child, group=w.group, status=S.INVITED),
        "other_child@other_group": f.ApplicationFactory(child=w.other_child, group=w.other_group),
    }


def names(applications: dict, queryset) -> set[str]:
    by_pk = {a.pk: name for name, a in applications.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def test_a_parent_sees_only_their_childrens_applications(world, applications):
    assert names(applications, family_applications(user=world.parent)) == {"sibling@group", "child@other_group"}


@pytest.mark.parametrize("user", ["org_admin", "teacher", "municipal_admin", "regional_admin", "outsider"])
def test_staff_have_no_family_applications(world, applications, user):
    assert not family_applications(user=getattr(world, user)).exists()


def test_another_family_sees_only_theirs(world, applications):
    other_parent = f.UserFactory()
    world.other_guardian.user = other_parent
    world.other_guardian.save(update_fields=["user"])
    assert names(applications, family_applications(user=other_parent)) == {
        "other_child@far_group", "other_child@other_group"}


@pytest.mark.parametrize(("user", "expected"), [
    ("org_admin", {"sibling@group", "stranger@group", "far_child@group"}),
    ("outsider", {"other_child@far_group"}),
    ("municipal_admin", {"sibling@group", "stranger@group", "far_child@group"}),  # A1: org only
    ("regional_admin", {"sibling@group", "stranger@group", "far_child@group", "child@other_group",
                        "other_child@other_group"}),
])
def test_an_inbox_holds_only_the_applications_of_ones_own_organizations(world, applications, user, expected):
    who = getattr(world, user)
    assert names(applications, inbox_applications(user=who)) == expected
    counts = inbox_counts(user=who)
    assert sum(counts.values()) == len(expected)


def test_an_inbox_filtered_by_another_organization_stays_empty(world, applications):
    assert not inbox_applications(user=world.org_admin, organization_id=world.far_org.pk).exists()
    assert not inbox_applications(user=world.org_admin, group_id=world.far_group.pk).exists()
    assert names(applications, inbox_applications(user=world.org_admin, status=S.INVITED)) == {"far_child@group"}


def test_a_parents_inbox_never_shows_another_family(world, applications):
    assert names(applications, inbox_applications(user=world.parent)) <= {"sibling@group", "child@other_group"}


def test_positions_in_the_family_list_follow_each_queue(world, applications):
    listed = applications_with_positions(list(family_applications(user=world.parent)))
    assert {a.pk: a.queue_position for a in listed} == {
        applications["sibling@group"].pk: None,  # submitted, not waiting
        applications["child@other_group"].pk: 1,
    }

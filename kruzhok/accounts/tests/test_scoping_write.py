"""Every scoped model × every named user: ``scope_queryset(write=True)`` gives exactly what the user may change,
never more than what they may see."""

from __future__ import annotations

import pytest

from kruzhok.accounts.scoping import _RULES, can_change, can_view, scope_queryset
from kruzhok.accounts.tests.expected import USERS, WRITE, case_id, cases, expected_pks


def test_every_model_with_a_rule_has_write_expectations():
    assert set(WRITE) == set(_RULES)


@pytest.mark.parametrize(("model", "user"), cases(WRITE), ids=case_id)
def test_user_may_change_exactly_expected_rows(full_world, model, user):
    expected = expected_pks(full_world, model, WRITE[model][user])
    writable = set(scope_queryset(getattr(full_world, user), model._default_manager.all(), write=True)
                   .values_list("pk", flat=True))
    assert writable == expected


@pytest.mark.parametrize("model", list(WRITE), ids=case_id)
def test_nobody_changes_what_they_cannot_see(full_world, model):
    for user in USERS:
        writable = set(scope_queryset(getattr(full_world, user), model._default_manager.all(), write=True))
        visible = set(scope_queryset(getattr(full_world, user), model._default_manager.all()))
        assert writable <= visible, user


@pytest.mark.parametrize(("user", "obj", "allowed"), [
    ("teacher", "programme", False),
    ("teacher", "group", False),
    ("teacher", "course", True),
    ("teacher", "other_course", False),
    ("org_admin", "programme", True),
    ("org_admin", "other_programme", False),
    ("org_admin", "far_programme", False),
    ("municipal_admin", "programme", True),
    ("municipal_admin", "other_programme", False),
    ("regional_admin", "other_programme", True),
    ("regional_admin", "far_programme", False),
    ("outsider", "far_programme", True),
    ("outsider", "programme", False),
    ("parent", "child", True),
    ("parent", "sibling", True),
    ("parent", "other_child", False),
    ("parent", "application", False),
    ("parent", "programme", False),
])
def test_can_change(full_world, user, obj, allowed):
    assert can_change(getattr(full_world, user), getattr(full_world, obj)) is allowed


def test_home_territory_sees_but_does_not_decide_an_application_elsewhere(full_world):
    """other_child lives in A2 and applied to far_group (B1): region A follows it, far_org decides it."""
    application = full_world.other_application
    assert can_view(full_world.regional_admin, application)
    assert not can_change(full_world.regional_admin, application)
    assert can_change(full_world.outsider, application)

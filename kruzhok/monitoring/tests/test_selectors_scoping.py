"""A municipal admin sees only their municipality's figures and drill-downs; a regional admin the region."""

from __future__ import annotations

import datetime as dt

from kruzhok.accounts.scoping import scope_queryset
from kruzhok.monitoring import selectors as sel
from kruzhok.monitoring.selectors import MonitoringFilter

ON = dt.date(2025, 10, 15)


def test_municipal_admin_territories_and_access(world):
    admin = world.municipal_admin
    assert sel.monitoring_territories(user=admin) == [world.a1]
    assert sel.monitoring_access(user=admin, territory=world.a1)
    assert not sel.monitoring_access(user=admin, territory=world.a2)
    assert not sel.monitoring_access(user=admin, territory=world.region_a)
    assert not sel.monitoring_access(user=admin, territory=None)


def test_regional_admin_and_others(world):
    assert sel.monitoring_territories(user=world.regional_admin) == [world.region_a, world.a1, world.a2]
    assert sel.monitoring_access(user=world.regional_admin, territory=world.a2)
    assert not sel.monitoring_access(user=world.regional_admin, territory=world.b1)
    for user in (world.org_admin, world.teacher, world.parent, world.outsider):
        assert sel.monitoring_territories(user=user) == []
        assert not sel.monitoring_access(user=user, territory=world.a1)
    assert sel.monitoring_access(user=world.superuser, territory=None)


def test_drill_downs_through_scoping_show_only_the_admins_rows(world):
    admin = world.municipal_admin
    whole = MonitoringFilter(on=ON, age_from=0, age_to=18)
    children = set(scope_queryset(admin, sel.coverage_children(f=whole)))
    assert world.child in children
    assert not children & {world.other_child, world.far_child}
    groups = set(scope_queryset(admin, sel.fill_groups(f=whole)))
    assert groups == {world.group}
    enrollments = set(scope_queryset(admin, sel.coverage_enrollments(f=whole)))
    assert enrollments == {world.enrollment}
    assert set(scope_queryset(admin, sel.flag_programmes(f=whole))) == {world.programme}
    own = MonitoringFilter(on=ON, territory=world.a1, age_from=0, age_to=18)
    assert set(scope_queryset(admin, sel.coverage_children(f=own))) == set(sel.coverage_children(f=own))

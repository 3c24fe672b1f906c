"""Each role's admin list of each registered model: who gets the page, and that it lists only scoped rows."""

from __future__ import annotations

import pytest
from django.contrib import admin

from kruzhok.accounts.tests.admin_client import changelist_url
from kruzhok.accounts.tests.expected import ALL, READ, USERS, case_id, expected_pks

OUR_APPS = {"core", "accounts", "territory", "catalog", "people", "enrollment", "events", "dedup", "reports",
            "monitoring"}
REGISTERED = sorted((m for m in admin.site._registry if m._meta.app_label in OUR_APPS), key=lambda m: m._meta.label)


def test_every_domain_model_is_registered():
    from django.apps import apps

    from kruzhok.enrollment.models import ApplicationStatusChange

    models = {m for label in OUR_APPS for m in apps.get_app_config(label).get_models()}
    from kruzhok.dedup.models import ChildKey, MergeRecord

    # The status history is written by services and shown inside its application. The dedup app's merge history
    # is read and undone on its own page (/dedup/merges/), its quick-check keys are an index kept by a signal.
    assert models - set(REGISTERED) == {ApplicationStatusChange, MergeRecord, ChildKey}


def test_every_registered_admin_is_scoped():
    from kruzhok.accounts.admin_scoping import ScopedAdmin

    for model in REGISTERED:
        assert isinstance(admin.site._registry[model], ScopedAdmin), model


@pytest.mark.parametrize("model", REGISTERED, ids=case_id)
def test_changelist_answers_and_lists_only_scoped_rows(client, full_world, model):
    """In the full world every role that may read a model sees at least one row of it, so the list answers
    200 exactly when the expected rows are not empty, and 403 otherwise; a parent is not staff at all."""
    for user in USERS:
        client.force_login(getattr(full_world, user))
        response = client.get(changelist_url(model))
        names = READ[model][user]
        if user == "parent":
            assert response.status_code == 302 and "/login/" in response["Location"], user
        elif names != ALL and not names:
            assert response.status_code == 403, user
        else:
            assert response.status_code == 200, user
            listed = {obj.pk for obj in response.context["cl"].result_list}
            assert listed == expected_pks(full_world, model, names), user


def test_org_admin_child_list_names_own_pupils_only(client, full_world):
    from kruzhok.people.models import Child

    client.force_login(full_world.org_admin)
    page = client.get(changelist_url(Child)).content.decode()
    assert full_world.child.surname in page
    assert full_world.sibling.surname in page
    for stranger in (full_world.far_child, full_world.other_child, full_world.unrelated_child):
        assert stranger.surname not in page


def test_search_stays_within_scope(client, full_world):
    from kruzhok.people.models import Child

    client.force_login(full_world.org_admin)
    response = client.get(changelist_url(Child), {"q": full_world.far_child.surname})
    assert list(response.context["cl"].result_list) == []


def test_filters_offer_only_visible_organizations(client, full_world):
    """A related filter must not name organizations the user cannot see."""
    from kruzhok.enrollment.models import Enrollment

    client.force_login(full_world.org_admin)
    page = client.get(changelist_url(Enrollment)).content.decode()
    assert full_world.org.short_name in page
    assert full_world.far_org.short_name not in page
    assert full_world.other_org.short_name not in page


@pytest.mark.parametrize(("user", "shown", "hidden"), [
    ("org_admin", {"catalog", "people", "enrollment", "events"}, {"accounts", "core"}),
    ("teacher", {"catalog", "people", "enrollment", "events"}, {"accounts", "core"}),
    ("superuser", {"catalog", "people", "enrollment", "events", "accounts", "core", "territory"}, set()),
])
def test_index_shows_the_apps_a_role_may_use(client, full_world, user, shown, hidden):
    client.force_login(getattr(full_world, user))
    response = client.get("/admin/")
    assert response.status_code == 200
    labels = {app["app_label"] for app in response.context["app_list"]}
    assert shown <= labels
    assert not hidden & labels

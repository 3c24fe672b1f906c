"""The big admin lists cost a fixed number of queries however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kruzhok import factories as f
from kruzhok.accounts.tests.admin_client import changelist_url
from kruzhok.catalog.models import Group, Programme, Teacher
from kruzhok.enrollment.models import Application, Enrollment
from kruzhok.events.models import Event, EventParticipant, EventResult
from kruzhok.people.models import Child, Consent, GuardianLink

LISTS = [Child, Enrollment, Application, Group, Programme, Teacher, Consent, GuardianLink, Event,
         EventParticipant, EventResult]
MAX_QUERIES = 20


def add_rows(w, n: int = 30) -> None:
    """``n`` more of everything at ``org``: programmes, groups with a teacher, children enrolled and applying."""
    for i in range(n):
        group = f.GroupFactory(programme=f.ProgrammeFactory(organization=w.org))
        teacher = f.TeacherFactory()
        f.EmploymentFactory(teacher=teacher, organization=w.org)
        group.teachers.add(teacher, w.teacher_profile)
        settlement = w.settlement if i % 2 else None
        child = f.ChildFactory(municipality=w.a1, settlement=settlement, school=w.org)
        f.GuardianLinkFactory(child=child)
        f.ConsentFactory(child=child)
        f.EnrollmentFactory(child=child, group=group)
        f.ApplicationFactory(child=child, group=w.group)
        event = f.EventFactory(municipality=w.a1, organizer=w.org)
        f.EventResultFactory(participant=f.EventParticipantFactory(event=event, child=child, organization=w.org,
                                                                   mentor=teacher))


def count_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(model))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("user", ["org_admin", "regional_admin", "superuser"])
def test_list_queries_do_not_grow_with_rows(client, full_world, user, django_assert_max_num_queries):
    client.force_login(getattr(full_world, user))
    for model in LISTS:  # warm the session, the content types, the scope
        count_queries(client, model)
    before = {model: count_queries(client, model) for model in LISTS}
    add_rows(full_world)
    after = {}
    for model in LISTS:
        with django_assert_max_num_queries(MAX_QUERIES):
            after[model] = count_queries(client, model)
    assert after == before
    assert Child.objects.count() > 30

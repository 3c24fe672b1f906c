"""The apply path does the least work that stays correct: the statements ``application_submit`` runs in the
common cases are counted (and shown with ``pytest -s``), on whichever database the suite runs.

* seats free: the seat read under the group lock, "does anyone wait?", the application, its history row;
* group full: the seat read under a shared lock, the application, its history row — nothing else;
* a lottery window: the same three.

The organization's answer deadline comes with the seat read (a join), so no query is spent on it whatever
the caller loaded. Transactional, so the counts are those of a request in autocommit mode; the
transaction's own ``BEGIN``/``COMMIT`` are left out of the counts.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.enrollment.models import Application, ApplicationStatus
from kruzhok.enrollment.services import application_submit

S = ApplicationStatus
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def statements(group: Group, *, loaded: Group | None = None) -> tuple[Application, list[str]]:
    """Apply a new child; the statements run, without the transaction's BEGIN and COMMIT."""
    child = f.ChildFactory()
    loaded = loaded or Group.objects.get(pk=group.pk)  # as a request loads it
    with CaptureQueriesContext(connection) as captured:
        application = application_submit(child=child, group=loaded, actor=None)
    sql = [q["sql"] for q in captured.captured_queries if q["sql"].split(" ")[0] not in ("BEGIN", "COMMIT")]
    print(f"\n{connection.vendor}, {application.status}: {len(sql)} statements")
    for line in sql:
        print("   ", line[:160])
    return application, sql


@pytest.fixture(autouse=True)
def _no_inline_mail(settings):
    settings.KRUZHOK_NOTIFY_INLINE = False  # counted apart: the mail is sent after the commit


def test_seats_free_costs_four_statements(is_postgres):
    group = f.GroupFactory(capacity=2)
    application, sql = statements(group)
    assert application.status == S.INVITED
    assert len(sql) == 4
    assert "FOR NO KEY UPDATE" in sql[0] if is_postgres else "FOR " not in sql[0]
    assert sql[2].startswith("INSERT INTO \"enrollment_application\"")
    assert sql[3].startswith("INSERT INTO \"enrollment_applicationstatuschange\"")


def test_a_full_group_costs_three_statements_and_no_exclusive_lock(is_postgres):
    group = f.GroupFactory(capacity=1)
    application_submit(child=f.ChildFactory(), group=group, actor=None)
    application, sql = statements(group)
    assert application.status == S.WAITLISTED
    assert len(sql) == 3
    assert "FOR KEY SHARE" in sql[0] if is_postgres else "FOR " not in sql[0]


def test_a_stale_copy_showing_a_free_seat_still_costs_three(is_postgres):
    group = f.GroupFactory(capacity=1)
    stale = Group.objects.get(pk=group.pk)
    application_submit(child=f.ChildFactory(), group=group, actor=None)
    application, sql = statements(group, loaded=stale)
    assert application.status == S.WAITLISTED
    assert len(sql) == 3
    assert "FOR NO KEY UPDATE" in sql[0] if is_postgres else "FOR " not in sql[0]


def test_a_lottery_window_costs_three_statements():
    now = timezone.now()
    group = f.GroupFactory(allocation=Group.Allocation.LOTTERY, enrollment_opens_at=now - dt.timedelta(hours=1),
                           lottery_window_ends_at=now + dt.timedelta(hours=1))
    application, sql = statements(group)
    assert application.status == S.SUBMITTED
    assert len(sql) == 3


def test_sending_the_mail_inline_costs_three_more_after_the_commit(settings):
    settings.KRUZHOK_NOTIFY_INLINE = True
    application, sql = statements(f.GroupFactory(capacity=2))
    assert application.status == S.INVITED
    assert len(sql) == 4 + 3  # after the commit: claim the change, load it, find the guardians' addresses

"""Fixtures for scoping and admin tests.

The ``full_world``: the shared two-region ``world`` plus a row of every scoped model in each organization.

Rows come in threes named ``<x>`` (organization ``org`` in A1), ``other_<x>`` (``other_org`` in A2) and
``far_<x>`` (``far_org`` in B1), so that every scoping expectation can say "this one, not those".

``accounts/tests/conftest.py`` makes them available here; tests of other apps import them by name.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok import factories as f
from kruzhok.accounts.models import ApiToken
from kruzhok.catalog.models import Course, Publication, TeacherAward
from kruzhok.core.models import AuditLog, Job, ScheduleRun
from kruzhok.enrollment.models import ApplicationStatus, ApplicationStatusChange, LotteryDraw
from kruzhok.events.models import BestPractice, BestPracticeFile, EventDate, EventRegistration, Partnership
from kruzhok.people.models import GuardianLink
from kruzhok.reports.models import GeneratedReport

WINDOW = (dt.datetime(2025, 8, 25, 9, tzinfo=dt.UTC), dt.datetime(2025, 8, 26, 9, tzinfo=dt.UTC))


@pytest.fixture
def full_world(world):
    return extend_world(world)


def extend_world(w):
    w.untaught_group = f.GroupFactory(programme=w.programme, name="Группа без педагога")
    w.other_event = f.EventFactory(municipality=w.a2, organizer=w.other_org)
    w.link_child = GuardianLink.objects.get(child=w.child)
    w.link_sibling = GuardianLink.objects.get(child=w.sibling)
    w.link_other = GuardianLink.objects.get(child=w.other_child)
    w.history = ApplicationStatusChange.objects.create(application=w.application,
                                                       to_status=ApplicationStatus.SUBMITTED)
    w.other_history = ApplicationStatusChange.objects.create(application=w.other_application,
                                                             to_status=ApplicationStatus.SUBMITTED)
    w.token = ApiToken.objects.create(user=w.org_admin, name="Выгрузка", key_hash="0" * 64, prefix="krz_0000")
    w.job = Job.objects.create(kind="test", created_by=w.org_admin)
    w.audit = AuditLog.objects.create(action="test", object_type="catalog.programme", object_id=str(w.programme.pk))
    w.schedule_run = ScheduleRun.objects.create(name="reports.weekly", period="2025-W35")
    from kruzhok.monitoring.models import CoverageAggregate, CoverageSnapshot

    w.snapshot = CoverageSnapshot.objects.create(on=f.TODAY, computed_at=dt.datetime(2025, 10, 1, tzinfo=dt.UTC))

    rows = (
        ("", w.org, w.a1, w.child, w.teacher_profile, w.event, w.group, w.venue),
        ("other_", w.other_org, w.a2, w.other_child, w.other_teacher, w.other_event, w.other_group, w.other_venue),
        ("far_", w.far_org, w.b1, w.far_child, w.far_teacher, w.far_event, w.far_group, w.far_venue),
    )
    for prefix, org, municipality, child, teacher, event, group, venue in rows:
        participant = f.EventParticipantFactory(event=event, child=child, organization=org, mentor=teacher)
        made = {
            "population": f.PopulationFactory(municipality=municipality),
            "cell": CoverageAggregate.objects.create(snapshot=w.snapshot, municipality=municipality, age=10,
                                                     sex="M", children=1, enrollments=1,
                                                     computed_at=w.snapshot.computed_at),
            "settlement": venue.settlement,
            "slot": group.schedule.get(),
            "employment": teacher.employments.get(),
            "consent": f.ConsentFactory(child=child),
            "course": Course.objects.create(teacher=teacher, title=f"Курс {org.short_name}", provider="ИРО",
                                            hours=36, completed_on=f.TODAY),
            "publication": Publication.objects.create(teacher=teacher, title=f"Статья {org.short_name}",
                                                      journal="Вестник", level="regional", year=2025),
            "award": TeacherAward.objects.create(teacher=teacher, title=f"Грамота {org.short_name}",
                                                 level="municipal", year=2025),
            "participant": participant,
            "result": f.EventResultFactory(participant=participant),
            "partnership": Partnership.objects.create(kind="network", title=f"Договор {org.short_name}",
                                                      organization=org, start_date=f.TODAY),
            "draw": LotteryDraw.objects.create(group=group, seed=f"seed-{org.pk}", window_start=WINDOW[0],
                                               window_end=WINDOW[1], order=[]),
            "practice": BestPractice.objects.create(title=f"Практика {org.short_name}", organization=org,
                                                    description="Описание"),
            "registration": EventRegistration.objects.create(event=event, child=child),
            "report": GeneratedReport.objects.create(template="organization", organization=org,
                                                     municipality=municipality, region=municipality.region,
                                                     period_start=f.TODAY, period_end=f.TODAY),
        }
        made["event_date"] = EventDate.objects.create(event=event, date=event.start_date)
        made["practice_file"] = BestPracticeFile.objects.create(practice=made["practice"], size=5,
                                                                file=f"practices/{org.pk}/practice.pdf")
        for name, row in made.items():
            setattr(w, prefix + name, row)
    from kruzhok.dedup.models import Candidate

    for name, (one, two) in {"candidate": (w.child, w.unrelated_child),
                             "far_candidate": (w.other_child, w.far_child)}.items():
        a, b = sorted((one, two), key=lambda c: c.pk)
        setattr(w, name, Candidate.objects.create(child_a=a, child_b=b, municipality=b.municipality if
                                                  name == "far_candidate" else a.municipality,
                                                  match_weight=5.0, match_probability=0.97))
    from kruzhok.dedup.models import MergeRecord

    # History rows only (no merge is carried out): who may read the merge history of which children.
    w.merge = MergeRecord.objects.create(survivor=w.child, absorbed=w.unrelated_child)
    w.far_merge = MergeRecord.objects.create(survivor=w.far_child, absorbed=w.other_child)
    return w

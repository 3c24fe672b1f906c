"""Staffing breakdowns (education, category, external specialists), courses and publications, and a teacher's
profile page for the organization's and the territory's admins."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kruzhok import factories as f
from kruzhok.catalog.models import Course, Publication, Teacher, TeacherAward
from kruzhok.events import selectors as s

E = Teacher.Education
ON = dt.date(2025, 10, 1)


def staff(org, education, n, **kw):
    out = []
    for _ in range(n):
        t = f.TeacherFactory(education_level=education, **kw)
        f.EmploymentFactory(teacher=t, organization=org)
        out.append(t)
    return out


def test_education_and_category_breakdowns(world):
    """The seed's «29 высшее педагогическое, 2 высшее профессиональное, 18 среднее специальное педагогическое,
    4 среднее профессиональное» at a small scale: org has the world's teacher (higher pedagogical, first category)
    plus 2 + 1 + 3 + 1 below; one of them left in 2024 and one is an external specialist."""
    org = world.org
    staff(org, E.HIGHER_PEDAGOGICAL, 2, category="ru_highest")
    staff(org, E.HIGHER_PROFESSIONAL, 1, category="")
    staff(org, E.SECONDARY_PEDAGOGICAL, 3, category="")
    (ext,) = staff(org, E.SECONDARY_PROFESSIONAL, 1, category="", is_external_specialist=True)
    gone = f.TeacherFactory(education_level=E.HIGHER_PEDAGOGICAL)
    f.EmploymentFactory(teacher=gone, organization=org, start_date=dt.date(2020, 9, 1), end_date=dt.date(2024, 5, 31))
    rows = {r.key: r.count for r in s.teachers_by_education(on=ON, organization=org)}
    assert rows == {"higher_ped": 3, "higher_prof": 1, "secondary_ped": 3, "secondary_prof": 1, "other": 0}
    assert {r.key: r.count for r in s.teachers_by_category(on=ON, organization=org)} == {
        "": 5, "ru_highest": 2, "ru_first": 1}
    summary = s.staffing_summary(on=ON, municipality=world.a1)
    assert (summary.total, summary.external) == (8, 1)
    # In 2023 the one who has left since was there.
    assert s.staffing_summary(on=dt.date(2023, 10, 1), organization=org).total == 9
    assert ext in s.teachers_employed(on=ON, region=world.region_a)


def test_courses_and_publications(world):
    t = world.teacher_profile
    Course.objects.create(teacher=t, title="Робототехника", provider="Өрлеу", hours=72,
                          completed_on=dt.date(2025, 3, 1))
    Course.objects.create(teacher=t, title="Методика", provider="Өрлеу", hours=36, completed_on=dt.date(2025, 4, 1))
    Course.objects.create(teacher=world.other_teacher, title="ДОП", provider="РУМЦДО", hours=24,
                          completed_on=dt.date(2025, 5, 1))
    for n in range(4):
        Publication.objects.create(teacher=t, title=f"Статья {n}", journal="Педагог", level="national", year=2025)
    Publication.objects.create(teacher=world.other_teacher, title="Заметка", journal="Ізденіс", level="regional",
                               year=2025)
    period = {"start": dt.date(2024, 9, 1), "end": dt.date(2025, 8, 31)}
    assert [(r.label, r.count) for r in s.courses_summary(**period, region=world.region_a)] == [
        ("РУМЦДО", 1), ("Өрлеу", 1)]
    assert s.teachers_trained(**period, region=world.region_a) == 2
    assert len(s.teacher_courses(**period, organization=world.org)) == 2
    assert [(r.journal, r.level, r.count) for r in s.publications_by_journal(
        start_year=2025, end_year=2025, region=world.region_a)] == [
        ("Педагог", "national", 4), ("Ізденіс", "regional", 1)]


def test_teacher_profile_page(client, world):
    t = world.teacher_profile
    Course.objects.create(teacher=t, title="Курс по робототехнике", provider="ИРО", hours=72,
                          completed_on=dt.date(2025, 3, 1), certificate_number="У-123")
    TeacherAward.objects.create(teacher=t, title="Почётная грамота", level="municipal", year=2025)
    url = reverse("events:org_teacher", args=[t.pk])
    for who in ("org_admin", "municipal_admin", "regional_admin"):
        client.force_login(getattr(world, who))
        page = client.get(url).content.decode()
        assert "Курс по робототехнике" in page and "У-123" in page and "Почётная грамота" in page
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.org_admin)
    page = client.get(reverse("events:org_teachers"))
    assert page.context["staffing"].total == 1
    assert str(t) in page.content.decode()

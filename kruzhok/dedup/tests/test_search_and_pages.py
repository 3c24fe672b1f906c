"""The search job over a municipality (Splink reading the children from the ORM on SQLite and PostgreSQL), the
queue's memory of «not a duplicate», the automatic merge switch, and the pages for each role."""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok import factories as f
from kruzhok.core.jobs import job_run, job_start
from kruzhok.core.models import Job
from kruzhok.dedup.jobs import search
from kruzhok.dedup.models import Candidate, CandidateStatus, MergeRecord
from kruzhok.dedup.selectors import dedup_unresolved_summary
from kruzhok.dedup.services import candidate_decide
from kruzhok.people.models import Child

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicates(world):
    """In A1: Әлия registered three times (a group of three), her twin sister Аружан once, a boy twice."""
    born = dt.date(2014, 3, 7)
    family = {"patronymic": "Серікқызы", "sex": "F", "birth_date": born, "municipality": world.a1,
              "phone": "+77011234567"}
    alia = [f.ChildFactory(surname="Сейітова", name="Әлия", **family),
            f.ChildFactory(surname="Сейитова", name="Алия", **{**family, "patronymic": "Сериковна"}),
            f.ChildFactory(surname="Seitova", name="Aliya", **{**family, "patronymic": "", "phone": ""})]
    twin = f.ChildFactory(surname="Сейітова", name="Аружан", **family)
    f.EnrollmentFactory(child=alia[2], group=world.group)  # a pupil of world.org
    boy = [f.ChildFactory(surname="Оспанов", name="Ерлан", patronymic="Маратович", sex="M",
                          birth_date=dt.date(2012, 11, 4), municipality=world.a1),
           f.ChildFactory(surname="Оспанов", name="Ерлан", patronymic="Маратұлы", sex="M",
                          birth_date=dt.date(2012, 4, 11), municipality=world.a1)]
    return alia, twin, boy


def pairs_of(*children) -> set[frozenset]:
    return {frozenset((c.child_a_id, c.child_b_id)) for c in Candidate.objects.all()} & {
        frozenset((a.pk, b.pk)) for a in children for b in children if a.pk != b.pk}


def test_search_job_queues_duplicates_not_twins(world, duplicates, django_capture_on_commit_callbacks):
    alia, twin, boy = duplicates
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="dedup.search", params={"municipality": world.a1.pk}, actor=world.municipal_admin)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result["url"] == "/dedup/" or job.result["url"].endswith("/dedup/")
    assert len(pairs_of(*alia)) == 3
    assert len(pairs_of(*boy)) == 1
    assert not Candidate.objects.filter(child_a=twin).exists() and not Candidate.objects.filter(child_b=twin).exists()
    clusters = set(Candidate.objects.filter(child_a__in=alia, child_b__in=alia).values_list("cluster", flat=True))
    assert len(clusters) == 1
    explained = Candidate.objects.filter(child_a__in=boy).get().contributions
    assert {c["field"] for c in explained} >= {"fn", "sn", "dob"}
    assert next(c for c in explained if c["field"] == "dob")["level"] == "day and month swapped"
    assert dedup_unresolved_summary(territory=world.a1) == (4, 3)
    assert dedup_unresolved_summary(territory=world.region_a) == (4, 3)
    assert dedup_unresolved_summary(territory=world.b1) == (0, 0)


def test_not_a_duplicate_is_remembered_across_runs(world, duplicates):
    _alia, _twin, boy = duplicates
    search(params={"municipality": world.a1.pk})
    pair = Candidate.objects.get(child_a__in=boy)
    candidate_decide(candidate=pair, decision=CandidateStatus.NOT_DUPLICATE, actor=world.municipal_admin)
    search(params={"municipality": world.a1.pk})
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.NOT_DUPLICATE
    assert Candidate.objects.filter(child_a__in=boy).count() == 1
    assert dedup_unresolved_summary(territory=world.a1) == (3, 2)


def test_auto_merge_is_off_by_default_and_merges_above_its_weight(world, duplicates, settings):
    alia, twin, _boy = duplicates
    search(params={"municipality": world.a1.pk})
    assert not MergeRecord.objects.exists()
    settings.DEDUP_AUTO_MERGE_WEIGHT = 10.0
    search(params={"municipality": world.a1.pk})
    assert MergeRecord.objects.filter(automatic=True).exists()
    twin.refresh_from_db()
    assert twin.merged_into_id is None
    assert Child.objects.unmerged().filter(pk__in=[c.pk for c in alia]).count() < 3


def test_job_run_directly(world, duplicates):
    job = Job.objects.create(kind="dedup.search", params={"municipality": world.a1.pk}, created_by=world.superuser)
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["pairs"] >= 4


# Pages per role.

@pytest.fixture
def queued(world, duplicates):
    search(params={"municipality": world.a1.pk})
    return duplicates


@pytest.mark.parametrize(("user", "status"), [("municipal_admin", 200), ("regional_admin", 200), ("org_admin", 200),
                                              ("outsider", 200), ("teacher", 403), ("parent", 403)])
def test_queue_page_per_role(client, world, queued, user, status):
    client.force_login(getattr(world, user))
    response = client.get("/dedup/")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        sees_alia = "Сейітова" in html
        # The org admin sees the group with its pupil (Seitova attends world.group); the outsider sees nothing.
        assert sees_alia == (user != "outsider")
        assert ("Оспанов" in html) == (user in ("municipal_admin", "regional_admin"))
        assert ("Группа из 3 записей" in html) == (user != "outsider")


def test_pair_page_explains_and_territory_admin_decides(client, world, queued):
    alia, _twin, _boy = queued
    pair = Candidate.objects.filter(child_a=alia[0], child_b=alia[1]).get()
    client.force_login(world.municipal_admin)
    html = client.get(f"/dedup/pair/{pair.pk}/").content.decode()
    assert "Почему пара предложена" in html and "дата рождения" in html and "Объединить" in html
    response = client.post(f"/dedup/pair/{pair.pk}/", {"action": "merge", "survivor": str(alia[1].pk),
                                                       "field_patronymic": "a"})
    assert response.status_code == 302
    survivor = Child.objects.get(pk=alia[1].pk)
    assert survivor.patronymic == "Серікқызы"  # taken from record A
    assert Child.objects.get(pk=alia[0].pk).merged_into_id == survivor.pk
    merges = client.get("/dedup/merges/").content.decode()
    record = MergeRecord.objects.get()
    assert f"merge-{record.pk}" in merges
    client.post(f"/dedup/merges/{record.pk}/unmerge/")
    assert Child.objects.get(pk=alia[0].pk).merged_into_id is None


def test_org_admin_flags_but_cannot_merge(client, world, queued):
    alia, _twin, _boy = queued
    pair = Candidate.objects.filter(child_a=alia[0], child_b=alia[2]).get()
    client.force_login(world.org_admin)
    html = client.get(f"/dedup/pair/{pair.pk}/").content.decode()
    assert "Отметить для муниципалитета" in html and "Объединить" not in html
    assert client.post(f"/dedup/pair/{pair.pk}/", {"action": "merge"}).status_code == 403
    client.post(f"/dedup/pair/{pair.pk}/", {"action": "flag", "note": "Одна девочка"})
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.FLAGGED and pair.note == "Одна девочка"
    assert client.get("/dedup/merges/").status_code == 403
    boy_pair = Candidate.objects.exclude(child_a__in=queued[0]).get()
    assert client.get(f"/dedup/pair/{boy_pair.pk}/").status_code == 404  # not its pupil


def test_outsider_cannot_open_pairs_of_another_territory(client, world, queued):
    pair = Candidate.objects.first()
    client.force_login(world.outsider)
    assert client.get(f"/dedup/pair/{pair.pk}/").status_code == 404
    assert client.post("/dedup/search/", {"municipality": world.a1.pk}).status_code == 403


def test_territory_admin_starts_a_search_in_own_municipality_only(client, world, duplicates,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(world.municipal_admin)
    assert client.post("/dedup/search/", {"municipality": world.b1.pk}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dedup/search/", {"municipality": world.a1.pk})
    assert response.status_code == 302 and "job=" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "Открыть результат" in html or "job--done" in html

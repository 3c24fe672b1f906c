"""The quick check when a child is added: it warns within the user's rights and leaks nothing across them.

A parent hears only about their own family's children; a match in another family is never described (not even
its existence): the new child is added and the pair goes, flagged, to the municipality's queue. An organization's
admin is shown the matches among its own pupils by name, and only a count of the others."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from kruzhok import factories as f
from kruzhok.accounts.tests.admin_client import add_url, form_data
from kruzhok.dedup.models import Candidate, CandidateStatus, ChildKey
from kruzhok.dedup.selectors import child_quick_check
from kruzhok.people.models import Child
from kruzhok.people.services import CONSENT_TEXT_VERSION

pytestmark = pytest.mark.django_db


def cabinet_form(world, **change) -> dict:
    return {"surname": "Сидоров", "name": "Миша", "patronymic": "", "sex": "M", "birth_date": "2016-04-02",
            "relation": "mother", "municipality": world.a1.pk, "settlement": "", "school": "",
            "school_name": "", "grade": "", "national_id_kind": "", "national_id": "", "consent": "on",
            "consent_version": CONSENT_TEXT_VERSION, **change}


@pytest.fixture
def known(world):
    """A pupil of ``org`` in the parent's family, and a pupil of ``far_org`` (the outsider's): distinct names."""
    ours = f.ChildFactory(municipality=world.a1, surname="Жұмабаев", name="Нұрлан", birth_date=dt.date(2014, 5, 9))
    f.EnrollmentFactory(child=ours, group=world.group)
    f.GuardianLinkFactory(guardian=world.guardian, child=ours)
    far = f.ChildFactory(municipality=world.b1, surname="Оспанов", name="Ерлан", birth_date=dt.date(2013, 2, 1))
    f.EnrollmentFactory(child=far, group=world.far_group)
    return ours, far


def test_keys_follow_saved_children(world):
    child = f.ChildFactory(municipality=world.a1, surname="Сейітова", name="Әлия", birth_date=dt.date(2014, 3, 7))
    assert ChildKey.objects.get(child=child).key
    child.name = "Аружан"
    child.save()
    assert "aru" in ChildKey.objects.get(child=child).key


def test_quick_check_sees_spelling_variants_within_scope(world, known):
    ours, _far = known
    found = child_quick_check(user=world.municipal_admin, surname="ЖУМАБАЕВ", name="Nurlan", birth_date=ours.birth_date)
    assert found.visible == [ours] and found.hidden == 0
    swapped = child_quick_check(user=world.municipal_admin, surname="Нурлан", name="Жумабаев",
                                birth_date=dt.date(2014, 9, 5))  # names and day/month swapped
    assert swapped.visible == [ours]


def test_quick_check_counts_but_never_names_out_of_scope_matches(world, known):
    ours, _far = known
    found = child_quick_check(user=world.outsider, surname=ours.surname, name=ours.name, birth_date=ours.birth_date)
    assert found.visible == [] and found.hidden == 1


def test_parent_is_warned_about_own_family_child(client, world, known):
    ours, _far = known
    client.force_login(world.parent)
    data = cabinet_form(world, surname="Жумабаев", name="Нурлан", birth_date=ours.birth_date.isoformat())
    count = Child.objects.count()
    html = client.post("/cabinet/children/add/", data).content.decode()
    assert "Такой ребёнок, возможно, уже есть." in html
    assert str(ours) in html
    assert Child.objects.count() == count
    response = client.post("/cabinet/children/add/", {**data, "confirm_new_child": "1"})
    assert response.status_code == 302 and Child.objects.count() == count + 1


def test_parent_learns_nothing_about_another_family(client, world):
    """The outsider's child matches; the parent sees no warning, no name, no count — the pair is flagged for the
    municipality instead."""
    stranger = f.ChildFactory(municipality=world.b1, surname="Қасымова", name="Айгерім", patronymic="Маратқызы",
                              birth_date=dt.date(2016, 4, 2), phone="+77017770000")
    client.force_login(world.parent)
    response = client.post("/cabinet/children/add/", cabinet_form(world, surname="Касымова", name="Айгерим",
                                                                   sex="F"), follow=True)
    html = response.content.decode()
    for secret in ("Маратқызы", "+77017770000", "возможно, уже есть", "Қасымова", "/dedup/pair/"):
        assert secret not in html
    new = Child.objects.get(surname="Касымова")
    pair = Candidate.objects.get()
    assert {pair.child_a, pair.child_b} == {new, stranger} and pair.status == CandidateStatus.FLAGGED
    # The parent cannot open the queue or the pair either.
    assert client.get("/dedup/").status_code == 403
    assert client.get(f"/dedup/pair/{pair.pk}/").status_code == 403


def test_org_admin_add_form_warns_and_links_to_own_pupil(client, world, known):
    ours, _far = known
    client.force_login(world.org_admin)
    page = client.get(add_url(Child))
    data = form_data(page, surname=ours.surname, name=ours.name, patronymic="",
                     birth_date=ours.birth_date.isoformat(), sex="M", municipality=world.a1.pk)
    count = Child.objects.count()
    response = client.post(add_url(Child), data)
    html = response.content.decode()
    assert response.status_code == 200 and "Такой ребёнок, возможно, уже есть." in html
    assert f"/admin/people/child/{ours.pk}/change/" in html
    assert Child.objects.count() == count
    response = client.post(add_url(Child), {**data, "confirm_new_child": "on"})
    assert response.status_code == 302 and Child.objects.count() == count + 1


def test_org_admin_sees_only_a_count_of_other_organizations_children(client, world, known):
    _ours, far = known
    client.force_login(world.org_admin)
    page = client.get(add_url(Child))
    data = form_data(page, surname=far.surname, name=far.name, patronymic="",
                     birth_date=far.birth_date.isoformat(), sex="M", municipality=world.a1.pk)
    html = client.post(add_url(Child), data).content.decode()
    assert "Похожая запись есть в другой организации" in html
    assert f"/admin/people/child/{far.pk}/" not in html and far.birth_date.strftime("%d.%m.%Y") not in html
    response = client.post(add_url(Child), {**data, "confirm_new_child": "on"})
    assert response.status_code == 302
    assert Candidate.objects.filter(status=CandidateStatus.FLAGGED).count() == 1


def test_quick_check_is_one_indexed_lookup(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        started = time.perf_counter()
        child_quick_check(user=world.municipal_admin, surname="Иванов", name="Иван", birth_date=dt.date(2015, 1, 1))
    assert time.perf_counter() - started < 0.5

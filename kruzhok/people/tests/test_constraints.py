"""Children, categories and consents: the database refuses impossible records even when no form checks them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.core.db import constraint_for
from kruzhok.people.models import Child, ChildCategory, Consent

pytestmark = pytest.mark.django_db


def test_birth_date_from_1990_is_accepted():
    child = f.ChildFactory(birth_date=dt.date(1990, 1, 1))
    assert Child.objects.get(pk=child.pk).birth_date == dt.date(1990, 1, 1)


def test_birth_date_before_1990_is_refused_on_create():
    with pytest.raises(IntegrityError, match="child_birth_date_sane"), transaction.atomic():
        f.ChildFactory(surname="Старый", birth_date=dt.date(1989, 12, 31))
    assert not Child.objects.filter(surname="Старый").exists()


def test_birth_date_before_1990_is_refused_on_save():
    child = f.ChildFactory()
    child.birth_date = dt.date(1975, 5, 5)
    with pytest.raises(IntegrityError, match="child_birth_date_sane"), transaction.atomic():
        child.save()
    assert Child.objects.get(pk=child.pk).birth_date == dt.date(2015, 3, 14)


def test_birth_date_before_1990_is_refused_by_queryset_update():
    child = f.ChildFactory()
    with pytest.raises(IntegrityError, match="child_birth_date_sane"), transaction.atomic():
        Child.objects.filter(pk=child.pk).update(birth_date=dt.date(1900, 1, 1))
    assert Child.objects.get(pk=child.pk).birth_date == dt.date(2015, 3, 14)


@pytest.mark.parametrize("grade", [0, 1, 12, None])
def test_grade_within_0_to_12_is_accepted(grade):
    child = f.ChildFactory(grade=grade)
    assert Child.objects.get(pk=child.pk).grade == grade


@pytest.mark.parametrize("grade", [13, 99])
def test_grade_above_12_is_refused(grade):
    child = f.ChildFactory(grade=5)
    child.grade = grade
    with pytest.raises(IntegrityError, match="child_grade_sane"), transaction.atomic():
        child.save()
    assert Child.objects.get(pk=child.pk).grade == 5


def test_national_id_needs_its_kind():
    with pytest.raises(IntegrityError, match="child_id_has_kind"), transaction.atomic():
        f.ChildFactory(national_id="11223344595", national_id_kind="")
    assert not Child.objects.filter(national_id="11223344595").exists()


def test_national_id_is_unique_per_kind_but_empty_ids_do_not_collide():
    f.ChildFactory(national_id_kind=Child.IdKind.SNILS, national_id="11223344595")
    f.ChildFactory()
    f.ChildFactory()  # two children without an identifier are fine
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        f.ChildFactory(national_id_kind=Child.IdKind.SNILS, national_id="11223344595")
    assert constraint_for(info.value).name == "child_unique_national_id"
    assert Child.objects.filter(national_id="11223344595").count() == 1
    assert Child.objects.filter(national_id="").count() == 2


def test_child_cannot_be_merged_into_itself():
    child = f.ChildFactory()
    child.merged_into = child
    with pytest.raises(IntegrityError, match="child_not_merged_into_self"), transaction.atomic():
        child.save()
    assert Child.objects.get(pk=child.pk).merged_into_id is None


# --- categories and consents: dated rows ----------------------------------------------------------------


def test_category_validity_ordered():
    same_day = f.ChildCategoryFactory(valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 1, 1))
    open_ended = f.ChildCategoryFactory(valid_to=None)
    assert ChildCategory.objects.filter(pk__in=[same_day.pk, open_ended.pk]).count() == 2
    with pytest.raises(IntegrityError, match="category_dates_ordered"), transaction.atomic():
        f.ChildCategoryFactory(valid_from=dt.date(2025, 1, 2), valid_to=dt.date(2025, 1, 1))
    same_day.valid_to = dt.date(2024, 12, 31)
    with pytest.raises(IntegrityError, match="category_dates_ordered"), transaction.atomic():
        same_day.save()
    assert ChildCategory.objects.count() == 2
    assert ChildCategory.objects.get(pk=same_day.pk).valid_to == dt.date(2025, 1, 1)


def test_consent_cannot_be_withdrawn_before_it_was_given():
    given = timezone.now()
    consent = f.ConsentFactory(given_at=given, withdrawn_at=given)
    consent.withdrawn_at = given - dt.timedelta(seconds=1)
    with pytest.raises(IntegrityError, match="consent_dates_ordered"), transaction.atomic():
        consent.save()
    with pytest.raises(IntegrityError, match="consent_dates_ordered"), transaction.atomic():
        f.ConsentFactory(given_at=given, withdrawn_at=given - dt.timedelta(days=1))
    assert Consent.objects.get().withdrawn_at == given


# --- model-level validation the database cannot express portably ----------------------------------------


def test_full_clean_refuses_a_birth_date_in_the_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    child = f.ChildFactory.build(municipality=f.MunicipalityFactory(), birth_date=tomorrow)
    with pytest.raises(ValidationError) as info:
        child.full_clean()
    assert info.value.message_dict == {"birth_date": ["Дата рождения не может быть в будущем."]}
    child.birth_date = timezone.localdate()
    child.full_clean()


def test_full_clean_reports_the_database_rules_too():
    child = f.ChildFactory.build(municipality=f.MunicipalityFactory(), birth_date=dt.date(1989, 1, 1), grade=13)
    with pytest.raises(ValidationError) as info:
        child.full_clean()
    assert "Дата рождения слишком ранняя для ребёнка." in info.value.messages
    assert "Класс — от 0 до 12." in info.value.messages


def test_full_clean_refuses_a_settlement_of_another_municipality():
    child = f.ChildFactory.build(municipality=f.MunicipalityFactory(), settlement=f.SettlementFactory())
    with pytest.raises(ValidationError) as info:
        child.full_clean()
    assert info.value.message_dict == {"settlement": ["Населённый пункт из другого муниципалитета."]}

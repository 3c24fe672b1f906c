"""A parent adds a child: validated by the model, linked to the family, with the consent (who, when, version)."""

from __future__ import annotations

import pytest

from kruzhok import factories as f
from kruzhok.catalog.models import Organization
from kruzhok.core.models import AuditLog
from kruzhok.people.models import Child, Consent, Guardian, GuardianLink
from kruzhok.people.services import CONSENT_TEXT_VERSION

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(world):
    settlement = f.SettlementFactory(municipality=world.a1, name="Посёлок Луговой", is_rural=True)
    school = f.OrganizationFactory(municipality=world.a1, org_type=Organization.Type.SCHOOL, short_name="СОШ № 5")
    far_school = f.OrganizationFactory(municipality=world.b1, org_type=Organization.Type.SCHOOL,
                                       short_name="СОШ № 9")
    return settlement, school, far_school


def form(world, places, **change) -> dict:
    settlement, school, _far = places
    return {"surname": "Сидоров", "name": "Миша", "patronymic": "", "sex": "M", "birth_date": "2016-04-02",
            "relation": "mother", "municipality": world.a1.pk, "settlement": settlement.pk, "school": school.pk,
            "school_name": "", "grade": "4", "national_id_kind": "", "national_id": "", "consent": "on",
            "consent_version": CONSENT_TEXT_VERSION, **change}


def test_the_form_shows_the_consent_text_and_its_version(client, parent, world):
    client.force_login(parent)
    html = client.get("/cabinet/children/add/").content.decode()
    assert "Согласие на обработку персональных данных" in html
    assert f"редакция {CONSENT_TEXT_VERSION}" in html
    assert f'name="consent_version" value="{CONSENT_TEXT_VERSION}"' in html


def test_adding_a_child_links_it_to_the_family_and_records_the_consent(client, parent, world, places):
    client.force_login(parent)
    response = client.post("/cabinet/children/add/", form(world, places, national_id="112-233-445 95",
                                                          national_id_kind="snils"))
    assert response.status_code == 302
    assert response["Location"] == "/cabinet/"
    child = Child.objects.get(surname="Сидоров")
    assert (child.municipality, child.settlement, child.school, child.grade) == (world.a1, places[0], places[1], 4)
    assert (child.national_id_kind, child.national_id) == ("snils", "11223344595")
    link = GuardianLink.objects.get(child=child)
    assert (link.guardian, link.relation) == (world.guardian, "mother")
    consents = Consent.objects.filter(child=child)
    assert {c.scope for c in consents} == {"navigator", "enrollment"}
    for consent in consents:
        assert (consent.guardian, consent.recorded_by, consent.text_version) == (world.guardian, parent,
                                                                                 CONSENT_TEXT_VERSION)
        assert consent.given_at is not None and consent.withdrawn_at is None
    assert AuditLog.objects.filter(action="child.register", object_id=str(child.pk), actor=parent).exists()
    assert "Сидоров Миша" in client.get("/cabinet/").content.decode()


def test_without_consent_the_child_is_not_added(client, parent, world, places):
    client.force_login(parent)
    data = form(world, places)
    del data["consent"]
    response = client.post("/cabinet/children/add/", data)
    assert response.status_code == 200
    assert "Без согласия на обработку персональных данных ребёнка добавить нельзя." in response.content.decode()
    assert not Child.objects.filter(surname="Сидоров").exists()
    assert not Consent.objects.exists()


def test_a_consent_to_an_old_text_is_refused(client, parent, world, places):
    client.force_login(parent)
    response = client.post("/cabinet/children/add/", form(world, places, consent_version="2019-01"))
    assert "Текст согласия изменился" in response.content.decode()
    assert not Child.objects.filter(surname="Сидоров").exists()


@pytest.mark.parametrize(("change", "message"), [
    ({"national_id_kind": "snils", "national_id": "112-233-445 96"}, "СНИЛС: неверное контрольное число."),
    ({"national_id_kind": "iin", "national_id": "123"}, "ИИН состоит из 12 цифр."),
    ({"national_id": "11223344595"}, "Укажите вид идентификатора: СНИЛС или ИИН."),
    ({"birth_date": "2099-01-01"}, "Дата рождения не может быть в будущем."),
])
def test_the_model_validation_refuses_bad_data(client, parent, world, places, change, message):
    client.force_login(parent)
    response = client.post("/cabinet/children/add/", form(world, places, **change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Child.objects.filter(surname="Сидоров").exists()


def test_a_national_id_already_registered_is_refused(client, parent, world, places):
    f.ChildFactory(national_id_kind="snils", national_id="11223344595")
    client.force_login(parent)
    response = client.post("/cabinet/children/add/", form(world, places, national_id_kind="snils",
                                                          national_id="11223344595"))
    assert "Ребёнок с таким СНИЛС / ИИН уже зарегистрирован." in response.content.decode()
    assert not Child.objects.filter(surname="Сидоров").exists()


def test_settlements_and_schools_come_from_the_chosen_municipality(client, parent, world, places):
    settlement, school, far_school = places
    client.force_login(parent)
    page = client.get("/cabinet/children/add/")
    assert list(page.context["form"].fields["settlement"].queryset) == []
    refreshed = client.post("/cabinet/children/add/", {**form(world, places), "refresh": "1",
                                                       "settlement": "", "school": ""})
    assert refreshed.status_code == 200
    fields = refreshed.context["form"].fields
    assert settlement in fields["settlement"].queryset
    assert school in fields["school"].queryset
    assert far_school not in fields["school"].queryset
    assert 'value="Сидоров"' in refreshed.content.decode()  # what was typed is kept
    assert not Child.objects.filter(surname="Сидоров").exists()
    # A school of another municipality is not a valid choice.
    response = client.post("/cabinet/children/add/", form(world, places, school=far_school.pk))
    assert response.context["form"].errors["school"]


def test_a_staff_user_adding_a_child_gets_a_guardian_profile(client, world, places):
    """``child_register`` itself creates the guardian when the user has none (e.g. an SSO user)."""
    from kruzhok.people.services import child_register

    user = f.UserFactory(first_name="Олег", last_name="Смирнов")
    child = child_register(actor=user, surname="Смирнова", name="Ева", sex="F", birth_date=f.TODAY.replace(
        year=2017), municipality=world.a1, relation="father", consent_text_version=CONSENT_TEXT_VERSION)
    guardian = Guardian.objects.get(user=user)
    assert (guardian.surname, guardian.name) == ("Смирнов", "Олег")
    assert GuardianLink.objects.filter(guardian=guardian, child=child, relation="father").exists()
    assert Consent.objects.filter(child=child, guardian=guardian).count() == 2

"""Changes to families: a parent's account and profile, a child registered by its parent with the consent.

Each function takes the acting user, runs in one transaction and writes its audit row inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Organization
from kruzhok.core.db import integrity_as_domain_error
from kruzhok.core.errors import DomainError
from kruzhok.core.services import audit_record
from kruzhok.people.models import Child, Consent, Guardian, GuardianLink
from kruzhok.territory.models import Municipality, Settlement

# The personal-data consent a parent accepts when adding a child in the cabinet. A change of wording gets a
# new version: each Consent row keeps the version its giver saw.
CONSENT_TEXT_VERSION = "2025-10"
CONSENT_TEXT = _(
    "Я, законный представитель ребёнка, даю согласие на обработку его персональных данных (фамилия, имя, "
    "отчество, пол, дата рождения, СНИЛС или ИИН, место жительства, школа и класс) и моих контактных данных "
    "для подачи заявок через навигатор, зачисления в объединения дополнительного образования и учёта "
    "обучения. Согласие действует до его отзыва; отозвать его можно письменным заявлением."
)
# What the cabinet's consent covers: one Consent row per purpose, same moment, same text version.
CABINET_CONSENT_SCOPES = (Consent.Scope.NAVIGATOR, Consent.Scope.ENROLLMENT)


def parent_register(
    *,
    email: str,
    password: str,
    surname: str,
    name: str,
    patronymic: str = "",
    phone: str = "",
    language: str = "ru",
) -> Any:
    """Create a parent's account (e-mail and password) with their guardian profile; returns the user.

    A user is a parent by having a guardian profile (see ``accounts.scoping.user_scope``): no role grant.
    """
    User = get_user_model()
    with transaction.atomic(), integrity_as_domain_error():
        user = User.objects.create_user(email=email, password=password, first_name=name, last_name=surname,
                                        patronymic=patronymic, preferred_language=language)
        guardian_create(user=user, surname=surname, name=name, patronymic=patronymic, phone=phone, actor=user)
    return user


def guardian_create(
    *, user: Any, surname: str, name: str, patronymic: str = "", phone: str = "", actor: Any
) -> Guardian:
    """Give a signed-in user a guardian profile (makes them a parent in the cabinet)."""
    with transaction.atomic(), integrity_as_domain_error():
        if Guardian.objects.filter(user=user).exists():
            raise DomainError(_("У этой учётной записи уже есть профиль родителя."), code="guardian_exists")
        guardian = Guardian(user=user, surname=surname, name=name, patronymic=patronymic, phone=phone,
                            email=user.email)
        guardian.full_clean()
        guardian.save()
        audit_record(actor=actor, action="guardian.create", obj=guardian, user=user.pk)
    return guardian


def child_register(
    *,
    actor: Any,
    surname: str,
    name: str,
    sex: str,
    birth_date: dt.date,
    municipality: Municipality,
    relation: str,
    consent_text_version: str,
    patronymic: str = "",
    settlement: Settlement | None = None,
    school: Organization | None = None,
    school_name: str = "",
    grade: int | None = None,
    national_id_kind: str = "",
    national_id: str = "",
    consent_scopes: Iterable[str] = CABINET_CONSENT_SCOPES,
) -> Child:
    """A parent adds their child: the Child (validated by ``full_clean``: СНИЛС/ИИН, settlement, dates), the
    actor's Guardian profile if they have none yet, the link between them and one Consent row per purpose
    (who gave it, when, under which text version). Refused without a consent of the current text version."""
    if consent_text_version != CONSENT_TEXT_VERSION:
        raise DomainError(_("Текст согласия изменился: прочитайте его ещё раз и подтвердите."),
                          code="consent_version")
    scopes = list(dict.fromkeys(consent_scopes))
    if not scopes:
        raise DomainError(_("Без согласия на обработку персональных данных ребёнка добавить нельзя."),
                          code="consent_required")
    now = timezone.now()
    with transaction.atomic(), integrity_as_domain_error():
        guardian = Guardian.objects.filter(user=actor).first()
        if guardian is None:
            guardian = guardian_create(user=actor, surname=actor.last_name or actor.email, name=actor.first_name
                                       or actor.email, patronymic=getattr(actor, "patronymic", ""), actor=actor)
        child = Child(
            surname=surname, name=name, patronymic=patronymic, sex=sex, birth_date=birth_date,
            municipality=municipality, settlement=settlement, school=school, school_name=school_name, grade=grade,
            national_id_kind=national_id_kind if national_id else "", national_id=national_id,
        )
        child.full_clean()
        child.save()
        link = GuardianLink(guardian=guardian, child=child, relation=relation)
        link.full_clean()
        link.save()
        Consent.objects.bulk_create([
            Consent(child=child, guardian=guardian, scope=scope, text_version=consent_text_version, given_at=now,
                    recorded_by=actor)
            for scope in scopes
        ])
        audit_record(actor=actor, action="child.register", obj=child, guardian=guardian.pk, relation=relation,
                     consent_text_version=consent_text_version, consent_scopes=scopes)
    return child

"""Changes to applications and enrollments. Each takes ``actor=``, runs in one transaction and audits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.catalog.models import Group
from kruzhok.core.db import integrity_as_domain_error
from kruzhok.core.errors import CapacityError, DomainError
from kruzhok.core.services import audit_record
from kruzhok.enrollment.models import (
    TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Enrollment,
    EnrollmentStatus,
    FundingSource,
    RejectReason,
)
from kruzhok.people.models import Child


def application_submit(
    *,
    child: Child,
    group: Group,
    actor: Any,
    channel: str = Application.Channel.NAVIGATOR,
    idempotency_key: str | None = None,
) -> Application:
    """Record an application at the server's receive time; a retried key returns the first application."""
    if idempotency_key:
        existing = Application.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    try:
        with transaction.atomic(), integrity_as_domain_error():
            application = Application.objects.create(
                child=child, group=group, channel=channel, submitted_at=now, status_changed_at=now,
                submitted_by=actor if getattr(actor, "pk", None) else None, idempotency_key=idempotency_key,
            )
            ApplicationStatusChange.objects.create(application=application, to_status=ApplicationStatus.SUBMITTED,
                                                   at=now, actor=application.submitted_by)
            audit_record(actor=actor, action="application.submit", obj=application, group=group.pk,
                         child=child.pk)
    except DomainError:
        # The same request retried concurrently: the other attempt committed first; answer with its result.
        if idempotency_key:
            existing = Application.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    return application


def application_transition(
    *,
    application: Application,
    to_status: str,
    actor: Any,
    reject_reason: RejectReason | None = None,
    note: str = "",
) -> Application:
    """Move an application along the workflow; an impossible move is refused with the reason."""
    with transaction.atomic(), integrity_as_domain_error():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if to_status not in TRANSITIONS[locked.status]:
            # An unknown status (from an API client, say) is refused like any impossible move.
            to_label = dict(ApplicationStatus.choices).get(to_status, to_status)
            raise DomainError(
                _("Заявку в статусе «%(from)s» нельзя перевести в статус «%(to)s».")
                % {"from": locked.get_status_display(), "to": to_label},
                code="bad_transition",
            )
        if to_status == ApplicationStatus.REJECTED and reject_reason is None:
            raise DomainError(_("Укажите причину отказа."), code="reject_reason_required")
        now = timezone.now()
        from_status = locked.status
        locked.status = to_status
        locked.status_changed_at = now
        locked.reject_reason = reject_reason if to_status == ApplicationStatus.REJECTED else locked.reject_reason
        if from_status in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW) and locked.decided_at is None \
                and to_status != ApplicationStatus.UNDER_REVIEW:
            locked.decided_at = now
        locked.save(update_fields=["status", "status_changed_at", "reject_reason", "decided_at", "updated_at"])
        ApplicationStatusChange.objects.create(application=locked, from_status=from_status, to_status=to_status,
                                               at=now, actor=actor if getattr(actor, "pk", None) else None, note=note)
        audit_record(actor=actor, action="application.transition", obj=locked, from_status=from_status,
                     to_status=to_status)
    return locked


def enrollment_create(
    *,
    child: Child,
    group: Group,
    start_date: dt.date,
    actor: Any,
    order_number: str = "",
    funding_source: str = FundingSource.BUDGET,
    application: Application | None = None,
) -> Enrollment:
    """Enroll a child; the database refuses a seat beyond capacity even under concurrent requests."""
    with transaction.atomic():
        # Fast, friendly refusal; the trigger and check constraint remain the guarantee under races.
        if not Group.objects.filter(pk=group.pk, enrolled_count__lt=F("capacity")).exists():
            raise CapacityError(_("В группе «%(group)s» нет свободных мест.") % {"group": group.name},
                                code="group_not_overbooked")
        if application is not None and application.status != ApplicationStatus.ENROLLED:
            application_transition(application=application, to_status=ApplicationStatus.ENROLLED, actor=actor)
        with integrity_as_domain_error(), transaction.atomic():
            enrollment = Enrollment.objects.create(
                child=child, group=group, start_date=start_date, order_number=order_number,
                funding_source=funding_source, application=application,
            )
        audit_record(actor=actor, action="enrollment.create", obj=enrollment, group=group.pk, child=child.pk,
                     order_number=order_number)
    return enrollment


def enrollment_end(
    *, enrollment: Enrollment, status: str, end_date: dt.date, reason: str, actor: Any
) -> Enrollment:
    """Finish an enrollment (completed, transferred or expelled); the seat frees at once."""
    if status == EnrollmentStatus.ACTIVE:
        raise DomainError(_("Укажите, чем закончилось обучение."), code="end_status_required")
    with transaction.atomic(), integrity_as_domain_error():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if locked.status != EnrollmentStatus.ACTIVE:
            raise DomainError(_("Обучение уже завершено."), code="already_ended")
        locked.status, locked.end_date, locked.end_reason = status, end_date, reason
        locked.save(update_fields=["status", "end_date", "end_reason", "updated_at"])
        audit_record(actor=actor, action="enrollment.end", obj=locked, status=status, reason=reason)
    return locked

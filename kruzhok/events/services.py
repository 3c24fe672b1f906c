"""Changes to events, participants, results and registrations. Each takes ``actor=``, runs in one transaction,
checks the actor may make it (the scoping rules of ``accounts/rules.py``) and writes an audit row.

An event with participants (records or a recorded count), results or registrations is never deleted, only
cancelled: :func:`event_delete` refuses it, the admin hides its delete button and the database protects the
rows (``on_delete=PROTECT`` from participants, results and registrations).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.accounts.scoping import can_change, scope_queryset, user_scope
from kruzhok.catalog.models import Organization, Teacher
from kruzhok.core.db import integrity_as_domain_error
from kruzhok.core.errors import DomainError
from kruzhok.core.services import audit_record
from kruzhok.events.models import (
    BestPractice,
    BestPracticeFile,
    Event,
    EventDate,
    EventParticipant,
    EventRegistration,
    EventResult,
)
from kruzhok.events.schedule import Session
from kruzhok.people.models import Child, Consent, GuardianLink

# The text a parent agrees to when asking for their child's name to be shown in public results.
PUBLICATION_CONSENT_VERSION = "2026-11-events"
EVENT_FIELDS = frozenset({
    "title", "kind", "level", "description", "place", "direction", "start_date", "end_date", "schedule_note",
    "municipality", "organizer", "external_organizer", "audience", "format", "participants_count",
    "participants_count_is_lower_bound", "is_public", "registration_open", "status", "partnership",
})
EVENT_M2M = frozenset({"co_organizers", "programmes"})


def _deny() -> PermissionDenied:
    return PermissionDenied(_("Нет прав на это действие."))


def _require_change(actor: Any, obj: Any) -> None:
    if not can_change(actor, obj):
        raise _deny()


def event_is_deletable(event: Event) -> bool:
    return not (event.participants_count or event.participants.exists() or event.registrations.exists())


def _set_fields(event: Event, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - EVENT_FIELDS - EVENT_M2M
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name in EVENT_FIELDS:
            setattr(event, name, value)
    if event.municipality_id is None and event.organizer_id is not None:
        event.municipality_id = event.organizer.municipality_id
    if event.end_date is None:
        event.end_date = event.start_date
    return {name: value for name, value in fields.items() if name in EVENT_M2M}


def _set_m2m(event: Event, m2m: dict[str, Any]) -> None:
    for name, values in m2m.items():
        getattr(event, name).set(values)


def _envelope(event: Event, sessions: Sequence[Session]) -> None:
    """An event held by a schedule spans its first to its last date."""
    if sessions:
        event.start_date = min(s.date for s in sessions)
        event.end_date = max(s.date for s in sessions)


def _store_sessions(event: Event, sessions: Sequence[Session]) -> None:
    event.dates.all().delete()
    rows = [EventDate(event=event, date=s.date, start_time=s.start_time, end_time=s.end_time, place=s.place)
            for s in sessions]
    for row in rows:
        row.full_clean(exclude=["event"])
    EventDate.objects.bulk_create(rows)


def event_create(*, actor: Any, dates: Sequence[Session] | None = None, **fields: Any) -> Event:
    """Create an event the actor administers (its organizer is theirs, or its municipality for territory admins).

    ``dates``: the sessions of an event held by a schedule; its start and end become the first and last of them.
    """
    with transaction.atomic(), integrity_as_domain_error():
        event = Event()
        m2m = _set_fields(event, fields)
        _envelope(event, dates or ())
        event.full_clean()
        event.save()
        _set_m2m(event, m2m)
        if dates:
            _store_sessions(event, dates)
        _require_change(actor, event)  # the transaction rolls back on refusal
        audit_record(actor=actor, action="event.create", obj=event, title=event.title, dates=len(dates or ()))
    return event


def event_update(*, actor: Any, event: Event, dates: Sequence[Session] | None = None, **fields: Any) -> Event:
    """Change an event; it has to stay within what the actor administers.

    ``dates`` replaces the event's sessions (``[]`` removes them: the event is held on its start..end again);
    ``None`` leaves them as they are, and a start or end given alongside them is then set by them.
    """
    with transaction.atomic(), integrity_as_domain_error():
        _require_change(actor, event)
        m2m = _set_fields(event, fields)
        sessions = event_sessions(event) if dates is None else list(dates)
        _envelope(event, sessions)
        event.full_clean()
        event.save()
        _set_m2m(event, m2m)
        if dates is not None:
            _store_sessions(event, sessions)
        _require_change(actor, event)
        audit_record(actor=actor, action="event.update", obj=event,
                     fields=sorted(fields) + (["dates"] if dates is not None else []))
    return event


def event_sessions(event: Event) -> list[Session]:
    """The event's stored sessions, read afresh (not from a prefetched cache)."""
    return [Session(date=d.date, start_time=d.start_time, end_time=d.end_time, place=d.place)
            for d in EventDate.objects.filter(event=event).order_by("date", "start_time")]


def event_envelope_sync(*, actor: Any, event: Event) -> Event:
    """After the event's dates were edited elsewhere (the admin's inline): its start and end follow them."""
    with transaction.atomic():
        _require_change(actor, event)
        sessions = event_sessions(event)
        if not sessions:
            return event
        before = (event.start_date, event.end_date)
        _envelope(event, sessions)
        if (event.start_date, event.end_date) != before:
            event.save(update_fields=["start_date", "end_date", "updated_at"])
            audit_record(actor=actor, action="event.dates", obj=event, dates=len(sessions))
    return event


def event_cancel(*, actor: Any, event: Event, reason: str = "") -> Event:
    with transaction.atomic():
        _require_change(actor, event)
        if event.status == Event.Status.CANCELLED:
            return event
        event.status = Event.Status.CANCELLED
        event.registration_open = False
        event.save(update_fields=["status", "registration_open", "updated_at"])
        audit_record(actor=actor, action="event.cancel", obj=event, reason=reason)
    return event


def event_delete(*, actor: Any, event: Event) -> None:
    """Delete an event recorded by mistake; one with participants, results or registrations is only cancelled."""
    with transaction.atomic():
        _require_change(actor, event)
        if not event_is_deletable(event):
            raise DomainError(_("У мероприятия есть участники или результаты: его можно только отменить."),
                              code="event_has_participants")
        audit_record(actor=actor, action="event.delete", obj=event, title=event.title)
        event.delete()


def participant_add(
    *,
    actor: Any,
    event: Event,
    organization: Organization,
    child: Child | None = None,
    teacher: Teacher | None = None,
    team_name: str = "",
    team_members: Iterable[Child] = (),
    mentor: Teacher | None = None,
) -> EventParticipant:
    """Record a participant: the event's organizer records anyone; an organization records its own pupils
    and teachers at any event it sees (a contest organized elsewhere)."""
    with transaction.atomic(), integrity_as_domain_error():
        participant = EventParticipant(event=event, organization=organization, child=child, teacher=teacher,
                                       team_name=team_name, mentor=mentor)
        participant.full_clean()
        participant.save()
        members = list(team_members)
        if members:
            participant.team_members.set(members)
        if not (can_change(actor, event) or can_change(actor, participant)):
            raise _deny()
        audit_record(actor=actor, action="event.participant_add", obj=participant, event=event.pk)
    return participant


def result_record(*, actor: Any, participant: EventParticipant, result: str, nomination: str = "") -> EventResult:
    with transaction.atomic(), integrity_as_domain_error():
        if not (can_change(actor, participant.event) or can_change(actor, participant)):
            raise _deny()
        row = EventResult(participant=participant, result=result, nomination=nomination)
        row.full_clean()
        row.save()
        audit_record(actor=actor, action="event.result_record", obj=row, result=result)
    return row


def event_registration_refusal(*, event: Event, today: dt.date | None = None) -> str:
    """Why a child cannot be registered for the event now ("" when it can)."""
    today = today or timezone.localdate()
    if event.status != Event.Status.PLANNED:
        return _("Мероприятие отменено или уже прошло.")
    if not (event.is_public and event.registration_open):
        return _("Организатор не ведёт запись на это мероприятие.")
    if event.start_date < today:
        return _("Мероприятие уже началось.")
    return ""


def event_register_child(*, actor: Any, event: Event, child: Child, publish_name: bool = False) -> EventRegistration:
    """A parent registers their own child for an open public event.

    The child's navigator consent (given when the child was added in the cabinet) covers the registration;
    ``publish_name`` records the separate consent to show the child's name in the event's public results.
    """
    scope = user_scope(actor)
    link = GuardianLink.objects.filter(child=child, guardian_id=scope.guardian_id).first() if scope.guardian_id \
        else None
    if link is None or not scope_queryset(actor, Child.objects.filter(pk=child.pk)).exists():
        raise _deny()
    refusal = event_registration_refusal(event=event)
    if refusal:
        raise DomainError(refusal, code="registration_closed")
    now = timezone.now()
    active = Consent.objects.filter(child=child, withdrawn_at__isnull=True)
    if not active.filter(scope=Consent.Scope.NAVIGATOR).exists():
        raise DomainError(_("Нет согласия на обработку персональных данных ребёнка для записи через навигатор."),
                          code="no_consent")
    with transaction.atomic(), integrity_as_domain_error():
        registration = EventRegistration.objects.create(event=event, child=child, registered_by=actor)
        if publish_name and not active.filter(scope=Consent.Scope.PUBLICATION).exists():
            Consent.objects.create(child=child, guardian_id=scope.guardian_id, scope=Consent.Scope.PUBLICATION,
                                   text_version=PUBLICATION_CONSENT_VERSION, given_at=now, recorded_by=actor)
        audit_record(actor=actor, action="event.register_child", obj=registration, event=event.pk)
    return registration


def practice_status_set(*, actor: Any, practice: BestPractice, status: str) -> BestPractice:
    """Move a practice along identified → in the bank (a territory's or its organization's admin)."""
    with transaction.atomic():
        _require_change(actor, practice)
        if status not in BestPractice.Status.values:
            raise DomainError(_("Неизвестный статус практики."), code="practice_status")
        practice.status = status
        practice.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="practice.status", obj=practice, status=status)
    return practice


def practice_adopt(*, actor: Any, practice: BestPractice, organization: Organization) -> BestPractice:
    """Record that ``organization`` adopted a practice of the bank; the practice is then «внедряется»."""
    with transaction.atomic():
        if not can_change(actor, organization):
            raise _deny()
        if practice.status == BestPractice.Status.IDENTIFIED:
            raise DomainError(_("Практика ещё не включена в банк."), code="practice_not_in_bank")
        if organization.pk == practice.organization_id:
            raise DomainError(_("Организация — автор практики."), code="practice_own")
        practice.adopted_by.add(organization)
        if practice.status != BestPractice.Status.ADOPTED:
            practice.status = BestPractice.Status.ADOPTED
            practice.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="practice.adopt", obj=practice, organization=organization.pk)
    return practice


def practice_files_add(*, actor: Any, practice: BestPractice, files: Iterable[Any],
                       titles: Sequence[str] = ()) -> list[BestPracticeFile]:
    """Attach uploaded files to a practice (each checked for its type and size; one bad file refuses all)."""
    with transaction.atomic():
        _require_change(actor, practice)
        rows = []
        for index, upload in enumerate(files):
            row = BestPracticeFile(practice=practice, file=upload,
                                   title=titles[index] if index < len(titles) else "")
            row.full_clean(exclude=["practice"])
            rows.append(row)
        for row in rows:
            row.save()
        audit_record(actor=actor, action="practice.files_add", obj=practice, files=[r.filename for r in rows])
    return rows


def practice_file_delete(*, actor: Any, practice_file: BestPracticeFile) -> None:
    with transaction.atomic():
        _require_change(actor, practice_file.practice)
        audit_record(actor=actor, action="practice.file_delete", obj=practice_file.practice,
                     file=practice_file.filename)
        practice_file.delete()
        transaction.on_commit(lambda: practice_file.file.delete(save=False))

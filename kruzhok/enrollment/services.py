"""Changes to applications and enrollments. Each takes ``actor=``, runs in one transaction and records
who did it (the application's status history, and the audit log for enrollments and decisions).

Seats: an *invited* application holds a seat until the child is enrolled or the invitation ends;
triggers keep ``Group.held_count`` and ``Group.enrolled_count`` and the database refuses a seat past
capacity. The receive time of an application is read after its lock on the group row, so seats go to
the earliest received applications and the queue follows receive time.

The group row is the seat lock. SQLite serializes every writing transaction at ``BEGIN IMMEDIATE``, so
there the lock clauses fall away; on PostgreSQL three strengths are used:

* ``FOR KEY SHARE`` — applying to a full group (and to a lottery group in its window): any number at
  once, so a rush on a full group does not queue on one row. A change that frees a seat takes
  ``FOR UPDATE``, which waits for them, so the promotion it runs sees their waitlisted rows; those that
  come after it wait for it and read the freed seat.
* ``FOR NO KEY UPDATE`` — applying while seats are free: one at a time per group, and it does not wait
  for the ``KEY SHARE`` holders (they may take it as an upgrade without deadlocking each other).
* ``FOR UPDATE`` — everything else that touches seats (transitions, enrollments, promotion, the draw),
  always before it locks the application or enrollment rows: one lock order, group first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kruzhok.accounts.api_auth import partial_instance
from kruzhok.catalog.models import Group, Organization, Programme
from kruzhok.core.calendar import add_working_days
from kruzhok.core.db import integrity_as_domain_error
from kruzhok.core.errors import CapacityError, DomainError
from kruzhok.core.services import audit_record
from kruzhok.enrollment import lottery
from kruzhok.enrollment.models import (
    TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Enrollment,
    EnrollmentStatus,
    FundingSource,
    LotteryDraw,
    RejectReason,
)
from kruzhok.enrollment.notifications import notify_on_commit
from kruzhok.enrollment.selectors import QUEUE_ORDER
from kruzhok.people.models import Child

S = ApplicationStatus
# Applications a lottery orders: received in the window and not yet decided on.
DRAWN_STATUSES = (S.SUBMITTED, S.UNDER_REVIEW)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- seat locks -------------------------------------------------------------------------------------

KEY_SHARE = "KEY SHARE"
NO_KEY_UPDATE = "NO KEY UPDATE"

_SEATS_SQL = (
    f"SELECT g.capacity - g.enrolled_count - g.held_count AS free, o.answer_deadline_days AS days "
    f"FROM {Group._meta.db_table} g "
    f"JOIN {Programme._meta.db_table} p ON p.id = g.programme_id "
    f"JOIN {Organization._meta.db_table} o ON o.id = p.organization_id "
    f"WHERE g.id = %s"
)


def _seats(group_id: int, lock: str) -> tuple[int, int]:
    """Free seats and the organization's answer deadline (working days), read under the given lock.
    Raw SQL because Django has no ``FOR KEY SHARE``."""
    sql = f"{_SEATS_SQL} FOR {lock} OF g" if connection.vendor == "postgresql" else _SEATS_SQL
    with connection.cursor() as cursor:
        cursor.execute(sql, [group_id])
        free, deadline_days = cursor.fetchone()
    return free, deadline_days


def _lock_group(group_id: int) -> Group:
    """The group, locked ``FOR UPDATE`` (every seat-changing service starts here)."""
    return Group.objects.select_for_update().get(pk=group_id)


def _free(group_id: int) -> int:
    return Group.objects.filter(pk=group_id).values_list(
        F("capacity") - F("enrolled_count") - F("held_count"), flat=True).get()


def _lottery_pending(group: Group, now: dt.datetime) -> bool:
    """A lottery group whose window has opened and not been drawn yet: its seats wait for the draw."""
    return (group.allocation == Group.Allocation.LOTTERY and group.enrollment_opens_at is not None
            and group.enrollment_opens_at <= now
            and not LotteryDraw.objects.filter(group_id=group.pk, window_start=group.enrollment_opens_at).exists())


def _someone_waits(group: Group) -> bool:
    return Application.objects.filter(group_id=group.pk, status=S.WAITLISTED).exists()


# --- applying ---------------------------------------------------------------------------------------


def application_refusal(*, child: Child, group: Group, now: dt.datetime) -> str | None:
    """Why this child may not apply to this group now, in the user's language; None when it may."""
    if not group.is_active:
        return _("Группа не набирает детей.")
    if group.enrollment_opens_at and now < group.enrollment_opens_at:
        opens = formats.date_format(timezone.localtime(group.enrollment_opens_at), "DATETIME_FORMAT")
        return _("Приём заявок в эту группу откроется %(opens)s.") % {"opens": opens}
    if group.enrollment_closes_at and now >= group.enrollment_closes_at:
        return _("Приём заявок в эту группу закрыт.")
    on = max(group.period_start, timezone.localdate(now))
    age = child.age_on(on)
    if not group.age_from <= age <= group.age_to:
        return _("Группа для детей %(f)s–%(t)s лет, а ребёнку на %(on)s будет %(age)s.") % {
            "f": group.age_from, "t": group.age_to, "on": formats.date_format(on), "age": age}
    return None


def application_submit(
    *,
    child: Child,
    group: Group,
    actor: Any,
    channel: str = Application.Channel.NAVIGATOR,
    idempotency_key: str | None = None,
) -> Application:
    """Apply a child to a group. The answer is immediate: *invited* while seats are free and nobody waits,
    otherwise *waitlisted* in receive order; in a lottery group's opening window, *submitted* until the
    draw. A retried request with the same idempotency key returns the first application.

    ``group`` is the caller's copy: its window, ages and allocation are checked as loaded, its seat
    counters only hint which lock to take (the seats are read again under the lock). Three statements
    when the group is full (a shared lock read and two inserts), four while seats are free."""
    refusal = application_refusal(child=child, group=group, now=timezone.now())
    if refusal:
        retried = _retried(idempotency_key, child=child, group=group)
        if retried is not None:
            return retried
        raise DomainError(refusal, code="cannot_apply")
    try:
        with transaction.atomic():
            status, now, deadline_days = _receive(group)
            application = Application.objects.create(
                child=child, group=group, channel=channel, submitted_at=now, status=status, status_changed_at=now,
                decided_at=None if status == S.SUBMITTED else now,
                answer_due_at=add_working_days(now, deadline_days),
                submitted_by=_user(actor), idempotency_key=idempotency_key,
            )
            change = ApplicationStatusChange.objects.create(application=application, to_status=status, at=now,
                                                            actor=_user(actor))
            notify_on_commit(change_ids=[change.pk])
    except IntegrityError as error:
        # The same request retried (perhaps concurrently: the insert waited for the first one to commit).
        retried = _retried(idempotency_key, child=child, group=group)
        if retried is not None:
            return retried
        with integrity_as_domain_error():
            raise error
    return application


def _retried(idempotency_key: str | None, *, child: Child, group: Group) -> Application | None:
    if not idempotency_key:
        return None
    existing = Application.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None and (existing.child_id, existing.group_id) != (child.pk, group.pk):
        # Never answer with another request's application: it may be another family's.
        raise DomainError(_("Этот ключ повтора уже использован для другой заявки."), code="idempotency_key_reused")
    return existing


def _receive(group: Group) -> tuple[str, dt.datetime, int]:
    """The status a new application gets, its receive time and the answer deadline (working days)."""
    lottery_group = group.allocation == Group.Allocation.LOTTERY and group.lottery_window_ends_at is not None
    if lottery_group or group.capacity - group.enrolled_count - group.held_count <= 0:
        free, deadline_days = _seats(group.pk, KEY_SHARE)
        now = timezone.now()  # after the lock: a draw that took the group first has already been made
        if lottery_group and group.lottery_window_ends_at is not None and now < group.lottery_window_ends_at:
            return S.SUBMITTED, now, deadline_days
        if free <= 0:
            return S.WAITLISTED, now, deadline_days  # seats granted before now are committed and counted
    free, deadline_days = _seats(group.pk, NO_KEY_UPDATE)
    now = timezone.now()  # seat grants follow lock order, and so receive time
    if free <= 0 or _lottery_pending(group, now):
        return S.WAITLISTED, now, deadline_days
    if _someone_waits(group):
        # Seats free while children wait (the capacity was raised, or a seat freed outside these services):
        # they go first; this application gets a seat only if one is left.
        if len(_promote(group, free=free, actor=None)) >= free:
            return S.WAITLISTED, now, deadline_days  # (fewer promoted than seats: nobody is left waiting)
    return S.INVITED, now, deadline_days


# --- applying through the JSON API's fast path (PostgreSQL) --------------------------------------------


def application_submit_direct(
    *,
    child: Child,
    group: Group,
    actor_id: int,
    idempotency_key: str | None = None,
    channel: str = Application.Channel.NAVIGATOR,
    touch_token_id: int | None = None,
) -> Application | None:
    """``application_submit`` in its common case, as one prepared statement (PostgreSQL only).

    For the apply request of the JSON API (``kruzhok.enrollment.fastapply``), which every family of a town sends
    in the first minute enrollment opens. The caller has checked ``application_refusal`` and that the group
    allocates seats first come, first served (not by lottery). One statement, in its own transaction, does what
    ``_receive`` does in several: it locks the group's row — ``FOR KEY SHARE`` when the caller's copy shows the
    group full, else ``FOR NO KEY UPDATE`` —, reads the free seats under the lock (the row's latest version),
    takes the receive time after the lock (``clock_timestamp()``, so invitations go to the earliest), computes
    the answer deadline in working days (``enrollment_add_working_days``, the twin of
    ``kruzhok.core.calendar.add_working_days``) and writes the application, its status-history row and
    (``touch_token_id``) the token's ``last_used_at``. The database's triggers and constraints still refuse a
    seat past capacity and a second open application.

    Returns None, with nothing written, when the case needs ``application_submit``: seats are free while
    children wait (``enrollment_group_waiting``, a PL/pgSQL function so that it sees what was committed while
    the statement waited for the lock), a seat turned out free under the shared lock, or the database refused
    the row (a replayed or reused idempotency key, an open application of this child to this group) —
    ``application_submit`` answers those as it always does. The family's e-mail goes as in
    ``application_submit``.
    """
    sql = _direct_sql()
    looks_full = group.capacity - group.enrolled_count - group.held_count <= 0
    values = {"child_id": child.pk, "group_id": group.pk, "channel": str(channel), "submitted_by_id": actor_id,
              "idempotency_key": idempotency_key, "actor_id": actor_id}
    params: list[Any] = [group.pk, timezone.get_current_timezone_name()]
    params += [values.get(name, default) for name, default in sql["application_params"]]
    params += [values.get(name, default) for name, default in sql["change_params"]]
    params.append(touch_token_id)
    pg = connection.connection
    # In autocommit (a request) the statement is its own transaction; inside one (a test, a caller's atomic
    # block) a savepoint keeps a refused row from aborting it.
    block = pg.transaction() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with block, _PgCursor(pg) as cursor:
            cursor.execute(sql["key_share" if looks_full else "no_key_update"], params, prepare=True)
            row = cursor.fetchone()
    except _PgIntegrityError:
        return None
    if row is None:
        return None
    application_id, change_id, *computed = row
    notify_on_commit(change_ids=[change_id])
    status, received, due = computed
    # As application_submit makes them: the receive time in UTC, the deadline on the local clock.
    received, due = received.astimezone(dt.UTC), timezone.localtime(due)
    values |= {"status": status, "answer_due_at": due, **dict.fromkeys(
        ("created_at", "updated_at", "submitted_at", "status_changed_at", "decided_at"), received)}
    application = partial_instance(Application, id=application_id, **{  # every concrete field
        name: values.get(name, default) for name, default in sql["application_columns"]})
    application.child, application.group = child, group
    return application


try:
    from psycopg import Cursor as _PgCursor
    from psycopg import IntegrityError as _PgIntegrityError
except ImportError:  # SQLite-only installs: the fast path is off there
    _PgCursor = _PgIntegrityError = None  # type: ignore[assignment,misc]


_DIRECT: dict[str, Any] = {}


def _direct_sql() -> dict[str, Any]:
    """The statement of ``application_submit_direct`` in its two lock modes, built once from the models."""
    if _DIRECT:
        return _DIRECT
    from kruzhok.accounts.models import ApiToken

    quote = connection.ops.quote_name
    app_fields = [f for f in Application._meta.concrete_fields if not f.primary_key]
    change_fields = [f for f in ApplicationStatusChange._meta.concrete_fields
                     if not f.primary_key and f.name != "application"]
    # Computed by the statement after the lock: the receive time, the status and the answer deadline.
    app_computed = {"created_at": "d.now", "updated_at": "d.now", "submitted_at": "d.now", "status": "d.status",
                    "status_changed_at": "d.now", "decided_at": "d.now", "answer_due_at": "d.due"}
    change_computed = {"to_status": "a.status", "at": "a.submitted_at"}
    given = {"child_id", "group_id", "channel", "submitted_by_id", "idempotency_key", "actor_id"}

    def columns(fields: list, computed: dict[str, str]) -> list[tuple[str, Any]]:
        """(attname, the default for a column the service does not set); a field added to the models with a
        default that varies per row must be set by the service (the tests of the fast path catch it here)."""
        out = []
        for f in fields:
            known = f.attname in given or f.attname in computed
            if not known and f.has_default() and callable(f.default):
                raise ImproperlyConfigured(f"application_submit_direct does not set {f.model.__name__}.{f.name}")
            out.append((f.attname, None if known else f.get_db_prep_save(f.get_default(), connection)))
        return out

    def select(fields: list, computed: dict[str, str]) -> str:
        return ", ".join(computed.get(f.attname) or f"%s::{f.cast_db_type(connection)}" for f in fields)

    def statement(lock: str, guard: str) -> str:
        return (
            f"WITH seat AS ({_SEATS_SQL.replace('SELECT ', 'SELECT g.id, ', 1)} FOR {lock} OF g), "
            # Evaluated as the insert pulls the locked row: after the lock.
            f"s AS (SELECT CASE WHEN seat.free > 0 THEN '{S.INVITED.value}' ELSE '{S.WAITLISTED.value}' END "
            f"AS status, clock_timestamp() AS now, seat.days FROM seat WHERE {guard}), "
            f"d AS (SELECT s.status, s.now, enrollment_add_working_days(s.now, s.days, %s::text) AS due FROM s), "
            f"a AS (INSERT INTO {quote(Application._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in app_fields)}) SELECT {select(app_fields, app_computed)} FROM d "
            f"RETURNING id, status, submitted_at, answer_due_at), "
            f"h AS (INSERT INTO {quote(ApplicationStatusChange._meta.db_table)} "
            f"({quote('application_id')}, {', '.join(quote(f.column) for f in change_fields)}) "
            f"SELECT a.id, {select(change_fields, change_computed)} FROM a RETURNING id), "
            f"t AS (UPDATE {quote(ApiToken._meta.db_table)} k SET last_used_at = a.submitted_at FROM a "
            f"WHERE k.id = %s::bigint) "
            f"SELECT a.id, h.id, a.status, a.submitted_at, a.answer_due_at FROM a, h"
        )

    application_columns = columns(app_fields, app_computed)
    change_columns = columns(change_fields, change_computed)
    _DIRECT.update({
        # Under the shared lock only a waitlisting is decided here; a seat found free needs the seat lock.
        "key_share": statement(KEY_SHARE, "seat.free <= 0"),
        "no_key_update": statement(NO_KEY_UPDATE, "(seat.free <= 0 OR NOT enrollment_group_waiting(seat.id))"),
        "application_columns": application_columns,
        "application_params": [c for c in application_columns if c[0] not in app_computed],
        "change_params": [c for c in change_columns if c[0] not in change_computed],
    })
    return _DIRECT


# --- moving along the workflow ----------------------------------------------------------------------


def application_transition(
    *,
    application: Application,
    to_status: str,
    actor: Any,
    reject_reason: RejectReason | None = None,
    note: str = "",
) -> Application:
    """Move an application along the workflow; an impossible move is refused with the reason.
    A seat freed by the move goes to the next child in the queue."""
    with transaction.atomic(), integrity_as_domain_error():
        group = _lock_group(application.group_id)
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _transition(group, locked, to_status, actor=actor, reject_reason=reject_reason, note=note)
    return locked


def _transition(group: Group, application: Application, to_status: str, *, actor: Any,
                reject_reason: RejectReason | None = None, note: str = "") -> None:
    """``application_transition`` with the group and the application already locked."""
    _check_transition(application, to_status)
    if to_status == S.REJECTED and reject_reason is None:
        raise DomainError(_("Укажите причину отказа."), code="reject_reason_required")
    if to_status == S.INVITED and group.capacity - group.enrolled_count - group.held_count <= 0:
        raise CapacityError(_("В группе «%(group)s» нет свободных мест.") % {"group": group.name},
                            code="group_seats_not_oversold")
    from_status = _set_status(application, to_status, actor=actor, note=note, reject_reason=reject_reason)
    audit_record(actor=actor, action="application.transition", obj=application, from_status=from_status,
                 to_status=to_status)
    if (from_status == S.INVITED and to_status != S.ENROLLED) or to_status == S.WAITLISTED:
        _promote(group, free=_free(group.pk), actor=actor)


def _check_transition(application: Application, to_status: str) -> None:
    if to_status not in TRANSITIONS[application.status]:
        to_label = dict(S.choices).get(to_status, to_status)
        raise DomainError(
            _("Заявку в статусе «%(from)s» нельзя перевести в статус «%(to)s».")
            % {"from": application.get_status_display(), "to": to_label},
            code="bad_transition",
        )


def _set_status(application: Application, to_status: str, *, actor: Any, note: str = "",
                reject_reason: RejectReason | None = None) -> str:
    now = timezone.now()
    from_status = application.status
    application.status = to_status
    application.status_changed_at = now
    if to_status == S.REJECTED:
        application.reject_reason = reject_reason
    if application.decided_at is None and to_status != S.UNDER_REVIEW:
        application.decided_at = now
    application.save(update_fields=["status", "status_changed_at", "reject_reason", "decided_at", "updated_at"])
    change = ApplicationStatusChange.objects.create(application=application, from_status=from_status,
                                                    to_status=to_status, at=now, actor=_user(actor), note=note)
    notify_on_commit(change_ids=[change.pk])
    return from_status


def application_withdraw(*, application: Application, actor: Any) -> Application:
    """The family withdraws its application; a held seat passes to the next in the queue."""
    return application_transition(application=application, to_status=S.WITHDRAWN, actor=actor)


def group_promote_waitlist(*, group: Group, actor: Any = None) -> list[Application]:
    """Invite waitlisted children, in queue order, into the group's free seats."""
    with transaction.atomic():
        locked = _lock_group(group.pk)
        return _promote(locked, free=locked.capacity - locked.enrolled_count - locked.held_count, actor=actor)


def _promote(group: Group, *, free: int, actor: Any) -> list[Application]:
    """Invite up to ``free`` waitlisted applications in queue order; the group is locked by the caller."""
    if free <= 0 or _lottery_pending(group, timezone.now()):
        return []
    promoted = list(Application.objects.select_for_update().filter(group_id=group.pk, status=S.WAITLISTED)
                    .order_by(*QUEUE_ORDER)[:free])
    for application in promoted:
        _set_status(application, S.INVITED, actor=actor, note=_("Освободилось место: приглашение по очереди."))
    return promoted


def application_enroll(
    *,
    application: Application,
    actor: Any,
    start_date: dt.date,
    order_number: str = "",
    funding_source: str = FundingSource.BUDGET,
) -> Enrollment:
    """Accept an application and enroll the child (order number, start date, funding source)."""
    return enrollment_create(child=application.child, group=application.group, start_date=start_date, actor=actor,
                             order_number=order_number, funding_source=funding_source, application=application)


def lottery_draw(*, group: Group, actor: Any, seed: str | None = None) -> LotteryDraw:
    """Order the applications received in the opening window by a seeded draw, invite the first ones into
    the free seats and waitlist the rest in draw order. The seed and the order are stored for re-checking:
    ``lottery.draw_order(seed, ids)`` of the window's application ids gives the same order."""
    window_start, window_end = group.enrollment_opens_at, group.lottery_window_ends_at
    if group.allocation != Group.Allocation.LOTTERY or window_start is None or window_end is None:
        raise DomainError(_("Группа не распределяет места жеребьёвкой."), code="not_lottery")
    if timezone.now() < window_end:
        closes = formats.date_format(timezone.localtime(window_end), "DATETIME_FORMAT")
        raise DomainError(_("Окно жеребьёвки ещё не закрыто: заявки принимаются до %(closes)s.")
                          % {"closes": closes}, code="window_open")
    seed = seed or lottery.new_seed()
    with transaction.atomic(), integrity_as_domain_error():
        locked = _lock_group(group.pk)
        if LotteryDraw.objects.filter(group=locked, window_start=window_start).exists():
            raise DomainError(_("Жеребьёвка для этого окна уже проведена."), code="lottery_once_per_window")
        entries = Application.objects.select_for_update().filter(
            group=locked, status__in=DRAWN_STATUSES, lottery_rank__isnull=True,
            submitted_at__gte=window_start, submitted_at__lt=window_end,
        ).in_bulk()
        order = lottery.draw_order(seed, list(entries))
        draw = LotteryDraw.objects.create(group=locked, seed=seed, window_start=window_start,
                                          window_end=window_end, order=order, actor=_user(actor))
        # Ranks continue those of an earlier window, whose waiting children stay ahead in the queue.
        ranked = Application.objects.filter(group=locked, lottery_rank__isnull=False)
        base = ranked.aggregate(top=Max("lottery_rank"))["top"] or 0
        ahead = ranked.filter(status=S.WAITLISTED).count()
        seats = max(0, min(locked.capacity - locked.enrolled_count - locked.held_count - ahead, len(order)))
        _apply_draw([entries[pk] for pk in order], base=base, seats=seats, actor=actor)
        _promote(locked, free=_free(locked.pk), actor=actor)
        audit_record(actor=actor, action="lottery.draw", obj=draw, seed=seed, entries=len(order))
    return draw


def _apply_draw(drawn: list[Application], *, base: int, seats: int, actor: Any) -> None:
    """Rank the drawn applications, invite the first ``seats``, waitlist the rest: one statement per batch."""
    now = timezone.now()
    changes = []
    for index, application in enumerate(drawn):
        rank = base + index + 1
        from_status = application.status
        application.lottery_rank = rank
        application.status = S.INVITED if index < seats else S.WAITLISTED
        application.status_changed_at = application.updated_at = now
        application.decided_at = application.decided_at or now
        changes.append(ApplicationStatusChange(
            application=application, from_status=from_status, to_status=application.status, at=now,
            actor=_user(actor), note=_("Жеребьёвка: место %(rank)s.") % {"rank": rank}))
    Application.objects.bulk_update(drawn, ["lottery_rank", "status", "status_changed_at", "decided_at",
                                            "updated_at"], batch_size=500)
    created = ApplicationStatusChange.objects.bulk_create(changes, batch_size=500)
    notify_on_commit(change_ids=[change.pk for change in created])


# --- enrollments ------------------------------------------------------------------------------------


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
    """Enroll a child; the database refuses a seat beyond capacity even under concurrent requests.
    An invited application brings its held seat with it."""
    with transaction.atomic():
        locked_group = _lock_group(group.pk)
        locked_application = None
        if application is not None:
            locked_application = Application.objects.select_for_update().get(pk=application.pk)
            _check_transition(locked_application, S.ENROLLED)  # a closed application is refused as such
        holds_seat = locked_application is not None and locked_application.status == S.INVITED
        free = locked_group.capacity - locked_group.enrolled_count - locked_group.held_count
        if not holds_seat and free <= 0:
            raise CapacityError(_("В группе «%(group)s» нет свободных мест.") % {"group": locked_group.name},
                                code="group_not_overbooked")
        with integrity_as_domain_error():
            if locked_application is not None:
                _transition(locked_group, locked_application, S.ENROLLED, actor=actor)
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    child=child, group=group, start_date=start_date, order_number=order_number,
                    funding_source=funding_source, application=locked_application,
                )
        audit_record(actor=actor, action="enrollment.create", obj=enrollment, group=group.pk, child=child.pk,
                     order_number=order_number)
    if application is not None and locked_application is not None:
        application.status = locked_application.status  # the caller's copy follows
    return enrollment


def enrollment_end(
    *, enrollment: Enrollment, status: str, end_date: dt.date, reason: str, actor: Any
) -> Enrollment:
    """Finish an enrollment (completed, transferred or expelled); the seat frees at once and goes to the
    next child in the queue."""
    if status == EnrollmentStatus.ACTIVE:
        raise DomainError(_("Укажите, чем закончилось обучение."), code="end_status_required")
    with transaction.atomic(), integrity_as_domain_error():
        group = _lock_group(enrollment.group_id)
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if locked.status != EnrollmentStatus.ACTIVE:
            raise DomainError(_("Обучение уже завершено."), code="already_ended")
        locked.status, locked.end_date, locked.end_reason = status, end_date, reason
        locked.save(update_fields=["status", "end_date", "end_reason", "updated_at"])
        audit_record(actor=actor, action="enrollment.end", obj=locked, status=status, reason=reason)
        _promote(group, free=_free(group.pk), actor=actor)
    return locked


def enrollment_transfer(
    *, enrollment: Enrollment, to_group: Group, on: dt.date, reason: str, actor: Any, order_number: str = ""
) -> Enrollment:
    """Move a child to another group: the old enrollment ends as *transferred*, the new one links to it."""
    with transaction.atomic():
        for group_id in sorted({enrollment.group_id, to_group.pk}):  # one lock order for crossing transfers
            _lock_group(group_id)
        ended = enrollment_end(enrollment=enrollment, status=EnrollmentStatus.TRANSFERRED, end_date=on,
                               reason=reason, actor=actor)
        new = enrollment_create(child=ended.child, group=to_group, start_date=on, actor=actor,
                                order_number=order_number, funding_source=ended.funding_source)
        new.previous = ended
        new.save(update_fields=["previous"])
    return new


def invitations_expire(*, older_than_days: int | None = None, actor: Any = None) -> int:
    """Expire invitations nobody acted on within the deadline; their seats go to the queue."""
    days = older_than_days if older_than_days is not None else settings.KRUZHOK_INVITATION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    expired = 0
    stale = Application.objects.filter(status=S.INVITED, status_changed_at__lt=cutoff).values_list("pk", "group_id")
    for pk, group_id in list(stale):
        try:
            application_transition(application=Application(pk=pk, group_id=group_id), to_status=S.EXPIRED,
                                   actor=actor, note=_("Приглашение не подтверждено в срок."))
        except DomainError:
            continue  # enrolled, withdrawn or refused meanwhile: nothing to expire
        expired += 1
    return expired


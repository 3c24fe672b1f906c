"""E-mail to the family on every status change of an application.

The status-history row is the outbox: a change is sent once, by whoever claims it first
(``notified_at`` is set atomically), in each guardian's language. By default the change is sent right
after the transaction commits; with ``KRUZHOK_NOTIFY_INLINE=false`` the request path only writes the
row and ``manage.py send_notifications --loop`` (a worker) sends the mail. A mail that could not be
sent is released again, so the next run retries it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from kruzhok.enrollment.models import ApplicationStatusChange
    from kruzhok.people.models import Child

log = logging.getLogger(__name__)


def notify_on_commit(*, change_ids: list[int]) -> None:
    """Send these changes once the current transaction commits (when sending inline is on)."""
    if settings.KRUZHOK_NOTIFY_INLINE and change_ids:
        ids = list(change_ids)
        transaction.on_commit(lambda: notifications_send(change_ids=ids))


def notifications_send(*, change_ids: list[int] | None = None, limit: int = 200) -> int:
    """Send the unsent status changes (the given ones, or the oldest ``limit``); returns how many were sent."""
    from kruzhok.enrollment.models import ApplicationStatusChange

    if change_ids is None:
        change_ids = list(ApplicationStatusChange.objects.filter(notified_at__isnull=True).order_by("id")
                          .values_list("pk", flat=True)[:limit])
    sent = 0
    for change_id in change_ids:
        # Claim the row: only the process whose update changed it sends the mail.
        claimed = ApplicationStatusChange.objects.filter(pk=change_id, notified_at__isnull=True)
        if not claimed.update(notified_at=timezone.now()):
            continue
        change = ApplicationStatusChange.objects.select_related(
            "application__child", "application__group__programme__organization").get(pk=change_id)
        if _mail_family(change):
            sent += 1
        else:  # release the claim: the next run tries again
            ApplicationStatusChange.objects.filter(pk=change_id).update(notified_at=None)
    return sent


def _mail_family(change: ApplicationStatusChange) -> bool:
    """Mail every guardian with an address, each in their language; False when a mail could not be sent."""
    application = change.application
    child = application.child
    group = application.group
    for email, language in _guardian_addresses(child):
        with translation.override(language):
            subject = _("Заявка на «%(programme)s»: %(status)s") % {
                "programme": group.programme.title, "status": change.get_to_status_display()}
            body = _(
                "Здравствуйте!\n\nСтатус заявки ребёнка %(child)s в группу «%(group)s» (%(organization)s) "
                "изменился: %(status)s.\n%(note)s\nПодробности — в личном кабинете навигатора.\n"
            ) % {
                "child": child.name, "group": group.name, "organization": group.programme.organization.short_name,
                "status": change.get_to_status_display(), "note": change.note,
            }
        try:
            send_mail(subject, body, None, [email])
        except OSError:  # smtplib errors included
            log.exception("status mail for change %s not sent", change.pk)
            return False
    return True


def _guardian_addresses(child: Child) -> list[tuple[str, str]]:
    """(address, language) of the child's guardians who have an address; the account's address first."""
    from kruzhok.people.models import Guardian

    languages = {code for code, _name in settings.LANGUAGES}
    rows = Guardian.objects.filter(links__child=child).values_list("user__email", "email", "user__preferred_language")
    return [(user_email or email, language if language in languages else settings.LANGUAGE_CODE)
            for user_email, email, language in rows if user_email or email]

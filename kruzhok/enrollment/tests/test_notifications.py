"""Every status change of an application is mailed once to the child's guardians, each in their language,
with nothing about any other family; sent right after the commit, or by the worker when sending inline is off.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from kruzhok import factories as f
from kruzhok.enrollment.models import ApplicationStatus, ApplicationStatusChange
from kruzhok.enrollment.notifications import notifications_send
from kruzhok.enrollment.services import application_submit, application_withdraw

pytestmark = pytest.mark.django_db

S = ApplicationStatus


def family(language: str = "ru", **child_fields):
    child = f.ChildFactory(**child_fields)
    user = f.UserFactory(email=f"{child.surname.lower()}@example.org", preferred_language=language)
    guardian = f.GuardianFactory(user=user)
    f.GuardianLinkFactory(guardian=guardian, child=child)
    return child, user


def subject(programme: str, status: str, language: str) -> str:
    with translation.override(language):
        return gettext("Заявка на «%(programme)s»: %(status)s") % {
            "programme": programme, "status": str(S(status).label)}


@pytest.fixture
def group():
    return f.GroupFactory(capacity=1, name="Юные конструкторы", programme__title="Робототехника")


def test_a_status_change_sends_one_mail_to_the_guardian(group, django_capture_on_commit_callbacks):
    child, user = family(name="Алия")
    other_child, _other = family(name="Тимур")
    application_submit(child=other_child, group=group, actor=None)  # takes the seat; the other family is mailed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(child=child, group=group, actor=user)
    assert [m.to for m in mail.outbox] == [[user.email]]
    message = mail.outbox[0]
    assert message.subject == "Заявка на «Робототехника»: в очереди"
    assert "Алия" in message.body and "Юные конструкторы" in message.body
    assert "Тимур" not in message.body and other_child.surname not in message.body
    assert other_child.surname not in message.subject
    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(application=application, actor=user)
    assert [m.subject for m in mail.outbox] == ["Заявка на «Робототехника»: в очереди",
                                                "Заявка на «Робототехника»: отозвана"]
    assert not ApplicationStatusChange.objects.filter(notified_at__isnull=True, application=application).exists()


def test_each_guardian_reads_it_in_their_language(group, django_capture_on_commit_callbacks):
    child, mother = family(language="kk")
    father = f.UserFactory(email="father@example.org", preferred_language="en")
    f.GuardianLinkFactory(guardian=f.GuardianFactory(user=father), child=child, relation="father")
    f.GuardianLinkFactory(guardian=f.GuardianFactory(email="grandma@example.org"), child=child, relation="other")
    f.GuardianLinkFactory(guardian=f.GuardianFactory(), child=child, relation="guardian")  # no address: skipped
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(child=child, group=group, actor=mother)
    sent = {m.to[0]: m.subject for m in mail.outbox}
    assert sent == {
        mother.email: subject("Робототехника", S.INVITED, "kk"),
        father.email: subject("Робототехника", S.INVITED, "en"),
        "grandma@example.org": subject("Робототехника", S.INVITED, "ru"),
    }


def test_with_inline_sending_off_the_worker_sends_each_change_once(group, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.KRUZHOK_NOTIFY_INLINE = False
    child, user = family()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        application = application_submit(child=child, group=group, actor=user)
        application_withdraw(application=application, actor=user)
    assert callbacks == [] and mail.outbox == []
    assert ApplicationStatusChange.objects.filter(notified_at__isnull=True).count() == 2
    assert notifications_send() == 2
    assert [m.subject for m in mail.outbox] == ["Заявка на «Робототехника»: приглашён",
                                                "Заявка на «Робототехника»: отозвана"]
    assert notifications_send() == 0
    call_command("send_notifications")
    assert len(mail.outbox) == 2
    assert not ApplicationStatusChange.objects.filter(notified_at__isnull=True).exists()


class FailingOnce(EmailBackend):
    failed = False

    def send_messages(self, messages):
        if not FailingOnce.failed:
            FailingOnce.failed = True
            raise OSError("mail server unreachable")
        return super().send_messages(messages)


def test_a_mail_that_failed_is_sent_by_the_next_run(group, settings):
    settings.KRUZHOK_NOTIFY_INLINE = False
    settings.EMAIL_BACKEND = f"{__name__}.FailingOnce"
    FailingOnce.failed = False
    child, user = family()
    application_submit(child=child, group=group, actor=user)
    assert notifications_send() == 0
    assert mail.outbox == []
    assert ApplicationStatusChange.objects.filter(notified_at__isnull=True).count() == 1
    assert notifications_send() == 1
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert notifications_send() == 0

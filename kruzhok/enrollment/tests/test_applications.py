"""Applications: one open application per child and group, the answer on submission, a workflow with history.

Submitting answers at once: *invited* while the group has a free seat (the case here: fresh groups), else
*waitlisted*; only in a lottery group's opening window does an application stay *submitted*, which is where
the step-by-step workflow below starts. Idempotent retries are proved in ``test_idempotent_retry.py``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.core.db import constraint_for
from kruzhok.core.errors import DomainError
from kruzhok.core.models import AuditLog
from kruzhok.enrollment.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Application,
    ApplicationStatus,
    RejectReason,
)
from kruzhok.enrollment.services import application_submit, application_transition

CLOSED_STATUSES = [s for s in ApplicationStatus if s not in OPEN_STATUSES]
IMPOSSIBLE = [(a, b) for a in ApplicationStatus for b in ApplicationStatus if b not in TRANSITIONS[a]]


@pytest.fixture
def reason(db) -> RejectReason:
    return RejectReason.objects.order_by("code").first()


@pytest.fixture
def actor(db):
    """Whoever acts: these services leave access to their callers; the history and audit name them."""
    return f.UserFactory(password=None)


def lottery_group(**fields) -> Group:
    """A lottery group in its opening window: applications stay *submitted* until the draw."""
    now = timezone.now()
    return f.GroupFactory(allocation=Group.Allocation.LOTTERY, enrollment_opens_at=now - dt.timedelta(hours=1),
                          lottery_window_ends_at=now + dt.timedelta(days=1), **fields)


@pytest.fixture
def application(db) -> Application:
    submitted = application_submit(child=f.ChildFactory(), group=lottery_group(), actor=None)
    assert submitted.status == ApplicationStatus.SUBMITTED
    return submitted


def closed(status: str, reason: RejectReason, **fields) -> Application:
    decided = {"reject_reason": reason} if status == ApplicationStatus.REJECTED else {}
    return f.ApplicationFactory(status=status, **decided, **fields)


def history(application: Application) -> list[tuple[str, str]]:
    return list(application.history.order_by("at", "id").values_list("from_status", "to_status"))


# --- one open application per child and group (partial unique constraint) --------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_an_open_application_blocks_another(status):
    first = f.ApplicationFactory(status=status)
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        f.ApplicationFactory(child=first.child, group=first.group)
    assert constraint_for(info.value).name == "application_one_open_per_group"
    with pytest.raises(DomainError) as info:
        application_submit(child=first.child, group=first.group, actor=None)
    assert info.value.code == "application_one_open_per_group"
    assert info.value.messages == ["У ребёнка уже есть незакрытая заявка в эту группу."]
    assert Application.objects.filter(child=first.child, group=first.group).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("status", CLOSED_STATUSES)
def test_a_closed_application_does_not_block_a_new_one(status, reason):
    old = closed(status, reason)
    again = application_submit(child=old.child, group=old.group, actor=None)
    assert again.pk != old.pk
    assert list(Application.objects.filter(child=old.child, group=old.group).order_by("id")
                .values_list("status", flat=True)) == [status, ApplicationStatus.INVITED]


@pytest.mark.django_db
def test_other_groups_and_other_children_are_not_blocked():
    first = f.ApplicationFactory()
    application_submit(child=first.child, group=f.GroupFactory(), actor=None)
    application_submit(child=f.ChildFactory(), group=first.group, actor=None)
    assert Application.objects.count() == 3


@pytest.mark.django_db
def test_reopening_a_closed_application_beside_an_open_one_is_refused(reason):
    old = closed(ApplicationStatus.WITHDRAWN, reason)
    application_submit(child=old.child, group=old.group, actor=None)
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        Application.objects.filter(pk=old.pk).update(status=ApplicationStatus.WAITLISTED)
    assert constraint_for(info.value).name == "application_one_open_per_group"
    assert Application.objects.get(pk=old.pk).status == ApplicationStatus.WITHDRAWN


# --- submission ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_records_the_answer_and_who_applied(actor):
    """The history row is the record of a submission: who, when, and the answer given."""
    group = f.GroupFactory(capacity=1)
    invited = application_submit(child=f.ChildFactory(), group=group, actor=actor)
    waiting = application_submit(child=f.ChildFactory(), group=group, actor=None, channel="organization")
    stored = Application.objects.get(pk=invited.pk)
    assert (stored.status, stored.submitted_by, stored.channel) == (ApplicationStatus.INVITED, actor, "navigator")
    assert stored.decided_at == stored.submitted_at == stored.status_changed_at
    assert history(stored) == [("", ApplicationStatus.INVITED)]
    assert list(stored.history.values_list("actor", "at")) == [(actor.pk, stored.submitted_at)]
    stored = Application.objects.get(pk=waiting.pk)
    assert (stored.status, stored.submitted_by, stored.channel) == (ApplicationStatus.WAITLISTED, None, "organization")
    assert history(stored) == [("", ApplicationStatus.WAITLISTED)]
    assert stored.submitted_at > invited.submitted_at


@pytest.mark.django_db
def test_a_submission_in_a_lottery_window_waits_for_the_draw(actor):
    application = application_submit(child=f.ChildFactory(), group=lottery_group(capacity=1), actor=actor)
    stored = Application.objects.get(pk=application.pk)
    assert (stored.status, stored.decided_at, stored.lottery_rank) == (ApplicationStatus.SUBMITTED, None, None)
    assert history(stored) == [("", ApplicationStatus.SUBMITTED)]
    assert stored.group.held_count == 0


# --- the workflow ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_workflow_path_is_recorded_step_by_step(actor, application):
    # (In a lottery window nobody is promoted before the draw, so the waitlisting sticks.)
    for status in (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.WAITLISTED, ApplicationStatus.INVITED,
                   ApplicationStatus.ENROLLED):
        application = application_transition(application=application, to_status=status, actor=actor)
        assert Application.objects.get(pk=application.pk).status == status
    assert history(application) == [
        ("", ApplicationStatus.SUBMITTED),
        (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW),
        (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.WAITLISTED),
        (ApplicationStatus.WAITLISTED, ApplicationStatus.INVITED),
        (ApplicationStatus.INVITED, ApplicationStatus.ENROLLED),
    ]
    assert set(application.history.filter(from_status__gt="").values_list("actor", flat=True)) == {actor.pk}
    assert AuditLog.objects.filter(action="application.transition", object_id=str(application.pk)).count() == 4


@pytest.mark.django_db
def test_decision_time_is_set_when_the_review_ends(actor, application):
    application = application_transition(application=application, to_status=ApplicationStatus.UNDER_REVIEW,
                                         actor=actor)
    assert Application.objects.get(pk=application.pk).decided_at is None
    application = application_transition(application=application, to_status=ApplicationStatus.INVITED,
                                         actor=actor)
    decided = Application.objects.get(pk=application.pk).decided_at
    assert decided is not None and decided >= application.submitted_at


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), IMPOSSIBLE)
def test_impossible_transitions_are_refused(from_status, to_status, reason, actor):
    application = closed(from_status, reason)
    before = history(application)
    with pytest.raises(DomainError) as info:
        application_transition(application=application, to_status=to_status, actor=actor, reject_reason=reason)
    assert info.value.code == "bad_transition"
    labels = dict(ApplicationStatus.choices)
    assert info.value.messages == [
        f"Заявку в статусе «{labels[from_status]}» нельзя перевести в статус «{labels[to_status]}»."
    ]
    assert Application.objects.get(pk=application.pk).status == from_status
    assert history(application) == before


@pytest.mark.django_db
def test_refusal_message_is_in_the_active_language(reason, actor):
    application = closed(ApplicationStatus.ENROLLED, reason)
    for language in ("ru", "en", "kk"):
        with translation.override(language):
            with pytest.raises(DomainError) as info:
                application_transition(application=application, to_status=ApplicationStatus.WAITLISTED,
                                       actor=actor)
            expected = gettext("Заявку в статусе «%(from)s» нельзя перевести в статус «%(to)s».") % {
                "from": ApplicationStatus.ENROLLED.label, "to": ApplicationStatus.WAITLISTED.label}
        assert info.value.messages == [expected]


@pytest.mark.django_db
def test_an_unknown_status_is_refused_as_a_domain_error(actor, application):
    with pytest.raises(DomainError) as info:
        application_transition(application=application, to_status="approved", actor=actor)
    assert info.value.code == "bad_transition"
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


@pytest.mark.django_db
def test_rejection_requires_a_reason(actor, application, reason):
    with pytest.raises(DomainError) as info:
        application_transition(application=application, to_status=ApplicationStatus.REJECTED, actor=actor)
    assert info.value.code == "reject_reason_required"
    assert info.value.messages == ["Укажите причину отказа."]
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
    rejected = application_transition(application=application, to_status=ApplicationStatus.REJECTED,
                                      actor=actor, reject_reason=reason, note="мест нет")
    stored = Application.objects.get(pk=rejected.pk)
    assert (stored.status, stored.reject_reason) == (ApplicationStatus.REJECTED, reason)
    assert application.history.last().note == "мест нет"


@pytest.mark.django_db
def test_the_database_refuses_a_rejection_without_reason(application):
    with pytest.raises(IntegrityError, match="application_reject_has_reason"), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.REJECTED)
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


@pytest.mark.django_db
def test_the_database_refuses_a_decision_before_submission(application):
    before = application.submitted_at - dt.timedelta(minutes=1)
    with pytest.raises(IntegrityError, match="application_decided_after_submitted"), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(decided_at=before)
    Application.objects.filter(pk=application.pk).update(decided_at=timezone.now())
    assert Application.objects.get(pk=application.pk).decided_at >= application.submitted_at

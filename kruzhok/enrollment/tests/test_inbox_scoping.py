"""Who may use the inbox and on which rows: an organization admin decides for their organization only (another
organization's application, group or enrollment is a 404 and a POST on it changes nothing); municipal and
regional admins act within their territory; teachers and parents are refused."""

from __future__ import annotations

import pytest

from kruzhok import factories as f
from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment, EnrollmentStatus, RejectReason
from kruzhok.enrollment.services import application_submit

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def theirs(world):
    """An open application and an active enrollment at ``other_org`` (A2) and at ``far_org`` (B1)."""
    other = application_submit(child=f.ChildFactory(municipality=world.a2), group=world.other_group, actor=None)
    far = application_submit(child=f.ChildFactory(municipality=world.b1), group=world.far_group, actor=None)
    return other, far


def listed(client) -> set[int]:
    response = client.get("/inbox/")
    assert response.status_code == 200
    return {a.pk for a in response.context["applications"]}


def test_each_admin_lists_the_applications_of_their_scope(client, world, theirs):
    other, far = theirs
    expected = {
        world.org_admin: {world.application.pk},
        world.municipal_admin: {world.application.pk},  # A1: org's only
        world.regional_admin: {world.application.pk, other.pk},  # region A: org and other_org
        world.outsider: {world.other_application.pk, far.pk},  # far_org in B1
        world.superuser: {world.application.pk, world.other_application.pk, other.pk, far.pk},
    }
    for user, pks in expected.items():
        client.force_login(user)
        assert listed(client) == pks, user


def test_the_group_filter_offers_only_my_groups(client, org_admin, world):
    client.force_login(org_admin)
    groups = client.get("/inbox/").context["filters"].fields["group"].queryset
    assert list(groups) == [world.group]
    # Filtering by someone else's group is not a valid choice: the filter falls back to my applications.
    assert {a.pk for a in client.get("/inbox/", {"group": world.far_group.pk}).context["applications"]} == {
        world.application.pk}


@pytest.mark.parametrize("url", ["/inbox/applications/{other}/", "/inbox/groups/{group}/"])
def test_another_organizations_pages_are_not_found(client, org_admin, world, theirs, url):
    client.force_login(org_admin)
    assert client.get(url.format(other=theirs[0].pk, group=world.other_group.pk)).status_code == 404


def test_actions_on_another_organizations_application_change_nothing(client, org_admin, world, theirs):
    other, _far = theirs
    client.force_login(org_admin)
    reason = RejectReason.objects.first()
    for data in ({"ids": [other.pk], "action": "reject", "reason": reason.pk}, {"row": f"waitlist:{other.pk}"}):
        response = client.post("/inbox/actions/", data, follow=True)
        assert "Заявка не найдена или уже закрыта." in response.content.decode()
    enroll = client.post(f"/inbox/applications/{other.pk}/enroll/", {
        "order_number": "1", "start_date": "2026-12-01", "funding_source": "budget"})
    assert enroll.status_code == 404
    other.refresh_from_db()
    assert other.status == S.INVITED
    assert other.history.count() == 1
    assert not Enrollment.objects.filter(application=other).exists()


def test_mixing_my_application_with_theirs_changes_nothing(client, org_admin, world, theirs):
    client.force_login(org_admin)
    client.post("/inbox/actions/", {"ids": [world.application.pk, theirs[0].pk], "action": "invite"})
    assert Application.objects.get(pk=world.application.pk).status == S.SUBMITTED
    assert Application.objects.get(pk=theirs[0].pk).status == S.INVITED


def test_expelling_or_transferring_another_organizations_pupil_changes_nothing(client, org_admin, world):
    client.force_login(org_admin)
    end = client.post(f"/inbox/enrollments/{world.other_enrollment.pk}/end/", {
        "status": "expelled", "end_date": "2026-11-20", "reason": "x"})
    transfer = client.post(f"/inbox/enrollments/{world.other_enrollment.pk}/transfer/", {
        "to_group": world.group.pk, "on": "2026-11-20", "reason": "x"})
    assert (end.status_code, transfer.status_code) == (404, 404)
    assert Enrollment.objects.get(pk=world.other_enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert not Enrollment.objects.filter(group=world.group, child=world.other_child).exists()


def test_transfer_only_into_my_own_groups(client, org_admin, world):
    client.force_login(org_admin)
    client.post(f"/inbox/enrollments/{world.enrollment.pk}/transfer/", {
        "to_group": world.other_group.pk, "on": "2026-11-20", "reason": "x"})
    assert Enrollment.objects.get(pk=world.enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert not Enrollment.objects.filter(group=world.other_group, child=world.child).exists()


def test_a_municipal_admin_acts_within_their_municipality(client, municipal_admin, world, theirs):
    client.force_login(municipal_admin)
    client.post("/inbox/actions/", {"row": f"invite:{world.application.pk}"})
    assert Application.objects.get(pk=world.application.pk).status == S.INVITED
    assert client.get(f"/inbox/applications/{theirs[0].pk}/").status_code == 404  # other_org is in A2


@pytest.mark.parametrize("who", ["teacher", "parent"])
def test_teachers_and_parents_are_refused(client, world, who):
    client.force_login(getattr(world, who))
    for url in ("/inbox/", "/inbox/groups/", f"/inbox/groups/{world.group.pk}/"):
        assert client.get(url).status_code == 403
    assert client.post("/inbox/actions/", {"row": f"invite:{world.application.pk}"}).status_code == 403
    assert Application.objects.get(pk=world.application.pk).status == S.SUBMITTED


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/inbox/"
    client.post("/inbox/actions/", {"row": f"invite:{world.application.pk}"})
    assert Application.objects.get(pk=world.application.pk).status == S.SUBMITTED

"""Who changes what: an organization edits only its events and results; the public sees only public events
and no child's personal data (names only with the family's publication consent, the rest as counts)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.events import services
from kruzhok.events.models import Event, EventParticipant, EventResult
from kruzhok.people.models import Consent

R = EventResult.Result


def test_org_admin_edits_only_own_events(world, org_admin):
    with pytest.raises(PermissionDenied):
        services.event_update(actor=org_admin, event=world.far_event, title="Чужое")
    with pytest.raises(PermissionDenied):
        services.event_cancel(actor=org_admin, event=world.far_event)
    world.far_event.refresh_from_db()
    assert world.far_event.status == Event.Status.PLANNED and world.far_event.title != "Чужое"
    services.event_update(actor=org_admin, event=world.event, title="Своё")
    world.event.refresh_from_db()
    assert world.event.title == "Своё"


def test_org_admin_cannot_create_an_event_for_another_organization(world, org_admin):
    with pytest.raises(PermissionDenied):
        services.event_create(actor=org_admin, title="Чужой конкурс", kind="contest", level="municipal",
                              start_date=dt.date(2025, 5, 1), organizer=world.far_org)
    assert not Event.objects.filter(title="Чужой конкурс").exists()
    event = services.event_create(actor=org_admin, title="Свой конкурс", kind="contest", level="municipal",
                                  start_date=dt.date(2025, 5, 1), organizer=world.org)
    assert (event.municipality, event.end_date) == (world.a1, dt.date(2025, 5, 1))


def test_results_only_on_own_events_or_own_pupils(world, org_admin):
    far = EventParticipant.objects.create(event=world.far_event, child=world.far_child, organization=world.far_org)
    with pytest.raises(PermissionDenied):
        services.result_record(actor=org_admin, participant=far, result=R.PLACE_1)
    with pytest.raises(PermissionDenied):  # nor may it put a participant of far_org on far_org's event
        services.participant_add(actor=org_admin, event=world.far_event, organization=world.far_org,
                                 child=world.far_child)
    assert not EventResult.objects.filter(participant=far).exists()
    assert EventParticipant.objects.filter(event=world.far_event).count() == 1
    # Its own pupil at another's contest: allowed (the organization records its pupils' achievements).
    own = services.participant_add(actor=org_admin, event=world.far_event, organization=world.org, child=world.child)
    services.result_record(actor=org_admin, participant=own, result=R.PLACE_2)
    # The organizer records anyone at its own event.
    guest = services.participant_add(actor=org_admin, event=world.event, organization=world.far_org,
                                     child=world.far_child)
    services.result_record(actor=org_admin, participant=guest, result=R.PLACE_3)


def test_org_pages_of_another_organization_are_404(client, world, org_admin):
    client.force_login(org_admin)
    assert client.get(reverse("events:org_event", args=[world.far_event.pk])).status_code == 404
    assert client.get(reverse("events:org_event_edit", args=[world.far_event.pk])).status_code == 404
    assert client.post(reverse("events:org_event_cancel", args=[world.far_event.pk])).status_code == 404
    listed = client.get(reverse("events:org_events")).context["page"].object_list
    assert {e.pk for e in listed} == {world.event.pk}


@pytest.mark.parametrize("who", ["parent", "teacher"])
def test_org_pages_refuse_non_admins(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("events:org_events")).status_code == 403
    assert client.get(reverse("events:org_teacher", args=[world.teacher_profile.pk])).status_code == 403


def test_public_sees_only_public_events(client, world):
    soon = timezone.localdate() + dt.timedelta(days=7)
    shown = f.EventFactory(title="Открытый фестиваль", municipality=world.a1, start_date=soon)
    hidden = f.EventFactory(title="Закрытое совещание", municipality=world.a1, start_date=soon, is_public=False)
    page = client.get(reverse("events:list")).content.decode()
    assert shown.title in page and hidden.title not in page
    assert client.get(reverse("events:detail", args=[hidden.pk])).status_code == 404


@pytest.fixture
def results(world):
    """A held contest: ``child`` (publication consent), ``far_child`` (no consent), ``other_child`` (consent
    withdrawn), a team."""
    event = f.EventFactory(title="Конкурс «Шустрики»", municipality=world.a1, organizer=world.org,
                           start_date=dt.date(2025, 3, 4), status="held")
    for child, org, result in ((world.child, world.org, R.PLACE_1), (world.far_child, world.far_org, R.PLACE_2),
                               (world.other_child, world.other_org, R.PLACE_2)):
        p = EventParticipant.objects.create(event=event, child=child, organization=org)
        EventResult.objects.create(participant=p, result=result)
    team = EventParticipant.objects.create(event=event, team_name="Команда «Искра»", organization=world.org)
    team.team_members.set([world.sibling])
    EventResult.objects.create(participant=team, result=R.PLACE_3)
    f.ConsentFactory(child=world.child, scope=Consent.Scope.PUBLICATION)
    f.ConsentFactory(child=world.other_child, scope=Consent.Scope.PUBLICATION,
                     given_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                     withdrawn_at=dt.datetime(2025, 2, 1, tzinfo=dt.UTC))
    f.ConsentFactory(child=world.far_child, scope=Consent.Scope.ENROLLMENT)  # not a publication consent
    return event


def test_public_results_name_only_with_consent(client, world, results):
    page = client.get(reverse("events:detail", args=[results.pk])).content.decode()
    assert f"{world.child.surname} {world.child.name}" in page
    assert "Команда «Искра»" in page
    for child in (world.far_child, world.other_child, world.sibling):
        assert child.surname not in page
        assert str(child.birth_date.year) not in page
    assert "II место — 2" in page  # the two without consent, as a count


def test_edit_page_keeps_the_event_within_the_organization(client, world, org_admin):
    client.force_login(org_admin)
    url = reverse("events:org_event_edit", args=[world.event.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name not in (
        "co_organizers", "programmes")}
    data.update({"title": "Городской конкурс «Удиви нас!»", "organizer": world.far_org.pk})
    response = client.post(url, data)
    assert response.status_code == 200 and "organizer" in response.context["form"].errors
    data["organizer"] = world.org.pk
    assert client.post(url, data).status_code == 302
    world.event.refresh_from_db()
    assert (world.event.title, world.event.organizer) == ("Городской конкурс «Удиви нас!»", world.org)

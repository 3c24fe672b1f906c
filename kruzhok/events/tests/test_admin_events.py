"""Events in the admin: a shared event shows each organization only its own participants."""

from __future__ import annotations

from kruzhok import factories as f
from kruzhok.accounts.tests import fixtures
from kruzhok.accounts.tests.admin_client import change_url, changelist_url
from kruzhok.events.models import EventParticipant, EventResult

full_world = fixtures.full_world  # the shared fixture, used by name


def test_participants_inline_is_scoped_to_the_organization(client, full_world):
    """A regional contest organized by ``org`` also has a participant from ``far_org``."""
    visitor = f.EventParticipantFactory(event=full_world.event, child=full_world.far_child,
                                        organization=full_world.far_org)
    client.force_login(full_world.org_admin)
    _dates, participants = client.get(change_url(full_world.event)).context["inline_admin_formsets"]
    shown = {form.instance.pk for form in participants.formset.forms}
    assert shown == {full_world.participant.pk}
    assert visitor.pk not in shown


def test_teacher_sees_results_of_own_mentees_only(client, full_world):
    client.force_login(full_world.teacher)
    response = client.get(changelist_url(EventResult))
    assert {r.pk for r in response.context["cl"].result_list} == {full_world.result.pk}
    assert client.get(changelist_url(EventParticipant)).status_code == 200


def test_lower_bound_participant_count_is_shown_as_such(client, full_world):
    event = full_world.event
    event.participants_count, event.participants_count_is_lower_bound = 1000, True
    event.save(update_fields=["participants_count", "participants_count_is_lower_bound"])
    client.force_login(full_world.municipal_admin)
    assert "более 1000" in client.get(changelist_url(type(event))).content.decode()

"""The bank of best practices: identified → in the bank → adopted by N organizations, who adopted it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kruzhok.core.errors import DomainError
from kruzhok.events.models import BestPractice
from kruzhok.events.services import practice_adopt, practice_status_set


@pytest.fixture
def practice(world):
    return BestPractice.objects.create(title="Тактическая медицина", organization=world.other_org,
                                       description="Комплексная программа первой помощи")


def test_lifecycle(world, practice):
    with pytest.raises(DomainError):  # not in the bank yet
        practice_adopt(actor=world.org_admin, practice=practice, organization=world.org)
    with pytest.raises(PermissionDenied):  # only its organization's or territory's admins move it
        practice_status_set(actor=world.org_admin, practice=practice, status=BestPractice.Status.IN_BANK)
    practice_status_set(actor=world.regional_admin, practice=practice, status=BestPractice.Status.IN_BANK)
    with pytest.raises(PermissionDenied):  # an organization adopts for itself only
        practice_adopt(actor=world.org_admin, practice=practice, organization=world.far_org)
    practice_adopt(actor=world.org_admin, practice=practice, organization=world.org)
    practice.refresh_from_db()
    assert practice.status == BestPractice.Status.ADOPTED
    assert list(practice.adopted_by.all()) == [world.org]


def test_public_bank_pages(client, world, practice):
    hidden = BestPractice.objects.create(title="Черновик практики", organization=world.org, description="…")
    practice_status_set(actor=world.regional_admin, practice=practice, status=BestPractice.Status.IN_BANK)
    page = client.get(reverse("events:practices")).content.decode()
    assert practice.title in page and hidden.title not in page
    assert client.get(reverse("events:practice", args=[hidden.pk])).status_code == 404
    url = reverse("events:practice", args=[practice.pk])
    client.force_login(world.org_admin)
    assert f'value="{world.org.pk}"' in client.get(url).content.decode()
    assert client.post(url, {"organization": world.far_org.pk}).status_code == 403
    client.post(url, {"organization": world.org.pk})
    assert list(practice.adopted_by.all()) == [world.org]
    assert "внедрили 1 организация" in client.get(reverse("events:practices")).content.decode()

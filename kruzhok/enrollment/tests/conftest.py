"""Fixtures shared by the enrollment tests."""

import pytest


@pytest.fixture
def signed_in(client, org_admin):
    """The test client signed in as the organization's admin (the inbox's user)."""
    client.force_login(org_admin)
    return client

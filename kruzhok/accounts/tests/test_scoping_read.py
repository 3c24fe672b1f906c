"""Every scoped model × every named user: ``scope_queryset`` returns exactly the rows worked out in ``expected``."""

from __future__ import annotations

import pytest

from kruzhok.accounts.scoping import _RULES, scope_queryset
from kruzhok.accounts.tests.expected import READ, case_id, cases, expected_pks


def test_every_model_with_a_rule_has_expectations():
    assert set(READ) == set(_RULES)


@pytest.mark.parametrize(("model", "user"), cases(READ), ids=case_id)
def test_user_sees_exactly_expected_rows(full_world, model, user):
    expected = expected_pks(full_world, model, READ[model][user])
    visible = set(scope_queryset(getattr(full_world, user), model._default_manager.all())
                  .values_list("pk", flat=True))
    assert visible == expected


@pytest.mark.parametrize("model", list(READ), ids=case_id)
def test_world_has_rows_of_every_model_on_both_sides(full_world, model):
    """The expectations mean something only if there are rows to withhold: someone sees less than all."""
    total = model._default_manager.count()
    assert total >= 1
    if READ[model]["outsider"] != "ALL":
        assert len(expected_pks(full_world, model, READ[model]["org_admin"])) < total

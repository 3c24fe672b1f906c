"""The search form's cached lists follow the rows they are made of (bulk writes and raw SQL do not signal:
the lists then catch up within ``selectors.CHOICES_TIMEOUT``)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from kruzhok.catalog.models import Direction, Organization, Venue
from kruzhok.catalog.selectors import filter_choices_forget
from kruzhok.territory.models import Municipality, Region, Settlement


def _listed_row_changed(sender, **kwargs) -> None:
    filter_choices_forget()


for _model in (Direction, Region, Municipality, Settlement, Organization, Venue):
    post_save.connect(_listed_row_changed, sender=_model, dispatch_uid=f"catalog_choices_{_model.__name__}")
    post_delete.connect(_listed_row_changed, sender=_model, dispatch_uid=f"catalog_choices_delete_{_model.__name__}")

"""The quick-check key follows every saved child (bulk writes call ``services.child_keys_rebuild``)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from kruzhok.people.models import Child


@receiver(post_save, sender=Child, dispatch_uid="dedup_child_key")
def _child_saved(sender, instance: Child, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    from kruzhok.dedup.services import child_key_refresh

    child_key_refresh(child=instance)

from __future__ import annotations

from typing import Any

from django.db import models

from kruzhok.core.models import AuditLog


def audit_record(*, actor: Any, action: str, obj: models.Model, **data: Any) -> AuditLog:
    """Write one audit row; call it inside the transaction of the change it describes."""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data,
    )

"""JSON API of the monitoring app (mounted by ``config.api``)."""

from ninja import Router

router = Router(tags=["monitoring"])

"""JSON API of the dedup app (mounted by ``config.api``)."""

from ninja import Router

router = Router(tags=["dedup"])

"""JSON API of the interchange app (mounted by ``config.api``)."""

from ninja import Router

router = Router(tags=["interchange"])

"""JSON API of the events app (mounted by ``config.api``)."""

from ninja import Router

router = Router(tags=["events"])

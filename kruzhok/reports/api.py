"""JSON API of the reports app (mounted by ``config.api``)."""

from ninja import Router

router = Router(tags=["reports"])

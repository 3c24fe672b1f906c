"""Template helpers of the monitoring pages: links that keep the dashboard's filter, and who sees the menu entry."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def may_monitor(user: Any) -> bool:
    """Municipal and regional admins and superusers (the header's «Мониторинг» link)."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    from kruzhok.monitoring.views import may_monitor as allowed

    return allowed(user)


@register.simple_tag(takes_context=True)
def drill(context: dict, kind: str, **params: Any) -> str:
    """The list behind a number: ``{% drill "children" by="direction" key=row.key %}`` with the page's filter."""
    return _with_filter(context, reverse("monitoring:list", args=[kind]), params)


@register.simple_tag(takes_context=True)
def filtered_url(context: dict, name: str, *args: Any, **params: Any) -> str:
    """Another monitoring page with the same filter: ``{% filtered_url "monitoring:quality" %}``."""
    return _with_filter(context, reverse(name, args=args), params)


def _with_filter(context: dict, path: str, params: dict[str, Any]) -> str:
    filtered = context.get("filtered")
    if filtered is not None:
        return filtered.url(path, **params)
    extra = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{extra}" if extra else path


@register.filter
def percent_of(value: float | None) -> float | None:
    """A ratio 0..1 as a percentage (group fill)."""
    return None if value is None else 100 * value


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def cell(value: Any) -> str:
    """A drill-down cell as text: dates as ДД.ММ.ГГГГ, booleans as да/нет, empty as a dash."""
    import datetime as dt

    from django.utils import formats, timezone
    from django.utils.translation import gettext as _

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if timezone.is_aware(value) else \
            value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return formats.number_format(value, 1)
    return str(value)


@register.filter
def num(value: Any) -> str:
    """A count with the locale's thousands separator (2 364 966), a dash for none."""
    from django.utils import formats

    if value is None or value == "":
        return "—"
    return formats.number_format(value, 0, force_grouping=True)

from __future__ import annotations

from typing import Any

from django import template

from kruzhok.accounts.scoping import user_scope

register = template.Library()


@register.filter
def may_manage_events(user: Any) -> bool:
    """Whether the organization's event pages are open to the user (organization and territory admins)."""
    from kruzhok.events.views import EVENT_ADMINS

    scope = user_scope(user)
    return scope.is_superuser or bool(scope.roles & EVENT_ADMINS)


@register.filter
def next_session(event: Any) -> Any:
    """The event's next date from today on, for an event held by a schedule (its ``dates`` prefetched)."""
    from kruzhok.events.selectors import next_session as first_from_today

    return first_from_today(event)

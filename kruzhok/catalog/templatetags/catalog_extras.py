"""Display helpers for the catalog pages, cheap enough for a page of twenty programmes with their groups.

``get_FOO_display`` hashes every lazily translated label of a field on each call; these look labels up in a
dictionary made once per field and language.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from kruzhok.catalog.models import ScheduleSlot

register = template.Library()


@cache
def _labels(model: type[models.Model], field: str, language: str) -> dict:
    with translation.override(language):
        return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


@register.filter
def label(obj: models.Model, field: str) -> str:
    """The display label of a choice field: ``{{ programme|label:"funding" }}``."""
    value = getattr(obj, field)
    return _labels(type(obj), field, translation.get_language() or "ru").get(value, value)


@register.filter
def schedule(slots) -> str:
    """A group's classes on one line: «вторник 18:00–19:00, четверг 15:00–16:30»."""
    names = _labels(ScheduleSlot, "weekday", translation.get_language() or "ru")
    return ", ".join(f"{names.get(slot.weekday, slot.weekday)} {slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"
                     for slot in slots)


@register.simple_tag
def group_line(group) -> str:
    """One group in the results — seats, ages, place, classes, how to apply — written here rather than by a
    template: a page shows up to sixty of them, and this is several times faster."""
    seats = group.seats_left
    if seats:
        badge = format_html('<span class="badge good seats">{}</span>', ngettext(
            "%(counter)s свободное место", "%(counter)s свободных мест", seats) % {"counter": seats})
    else:
        badge = format_html('<span class="badge none seats">{}</span>', gettext("мест нет — запись в очередь"))
    facts = [gettext("%(f)s–%(t)s лет") % {"f": group.age_from, "t": group.age_to}]
    if group.venue is not None:
        facts.append(f"{group.venue.settlement}, {group.venue.address}")
    classes = schedule(group.schedule.all())
    if classes:
        facts.append(classes)
    if group.open_now:
        action = format_html('<a class="apply" href="{}">{}</a>', reverse("cabinet:apply", args=[group.pk]),
                             gettext("Подать заявку") if seats else gettext("Встать в очередь"))
    elif group.opens_later:
        opens = date_format(timezone.localtime(group.enrollment_opens_at), "DATETIME_FORMAT")
        action = format_html('<span class="muted">{}</span>',
                             gettext("Приём заявок откроется %(opens)s") % {"opens": opens})
    else:
        action = format_html('<span class="muted">{}</span>', gettext("Приём заявок закрыт"))
    return format_html('<li class="group"><div class="group-head"><strong>{}</strong> {}</div>'
                       '<div class="muted">{}</div>{}</li>', group.name, badge, " · ".join(facts), action)

"""Display helpers for the catalog pages, cheap enough for a page of twenty programmes with their groups.

``get_FOO_display`` hashes every lazily translated label of a field on each call; these look labels up in a
dictionary made once per field and language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from html import escape as esc

from django import template
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from kruzhok.catalog.models import Programme, ScheduleSlot

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


_SENTINEL = 987654321


def _url_maker(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many ``pk``: one ``reverse()``, in the active language."""
    head, _, tail = reverse(name, args=[_SENTINEL]).partition(str(_SENTINEL))
    return lambda pk: f"{head}{pk}{tail}"


@register.simple_tag
def programme_hits(items) -> str:
    """The results' ``<li>`` items — a programme with its first three matching groups — written here rather than
    by a template included per programme: a page of twenty programmes and up to sixty groups, its URLs and
    fixed words looked up once, every value escaped with :func:`html.escape` (what ``escape`` does, without
    ``format_html``'s lazy-string checks per value)."""
    if not items:
        return ""
    language = translation.get_language() or "ru"
    words = {
        "ovz": f'<span class="badge">{esc(gettext("для детей с ОВЗ"))}</span>',
        "none": f'<p class="muted">{esc(gettext("Сейчас нет групп, подходящих под условия."))}</p>',
        "full": f'<span class="badge none seats">{esc(gettext("мест нет — запись в очередь"))}</span>',
        "apply": esc(gettext("Подать заявку")), "queue": esc(gettext("Встать в очередь")),
        "closed": f'<span class="muted">{esc(gettext("Приём заявок закрыт"))}</span>',
        "ages": gettext("%(f)s–%(t)s лет"),
    }
    labels = {name: _labels(Programme, name, language) for name in ("funding", "form", "level")}
    programme_url, organization_url = _url_maker("catalog:programme"), _url_maker("catalog:organization")
    apply_url = _url_maker("cabinet:apply")
    cards = []
    for hit in items:
        p = hit.programme
        url = programme_url(p.pk)
        tags = "".join(f'<span class="badge">{esc(str(tag))}</span>' for tag in (
            words["ages"] % {"f": p.age_from, "t": p.age_to},
            *(labels[name].get(getattr(p, name), getattr(p, name)) for name in ("funding", "form", "level"))))
        if p.adapted_ovz:
            tags += words["ovz"]
        if hit.groups:
            lines = "".join(_group_line(group, words, apply_url) for group in hit.groups[:3])
            groups = f'<ul class="groups">{lines}</ul>'
            if len(hit.groups) > 3:
                more = len(hit.groups) - 3
                text = ngettext("и ещё %(counter)s группа", "и ещё %(counter)s групп", more) % {"counter": more}
                groups += f'<p><a href="{url}">{esc(text)}</a></p>'
        else:
            groups = words["none"]
        organization = p.organization
        cards.append(
            f'<li class="hit"><h2><a href="{url}">{esc(hit.title)}</a></h2><p class="hit-meta">'
            f'<a href="{organization_url(organization.pk)}">{esc(organization.short_name)}</a>'
            f' · {esc(organization.municipality.localized_name(language))}'
            f' · {esc(capfirst(p.direction.localized_name(language)))}</p><p class="tags">{tags}</p>{groups}</li>')
    return mark_safe("\n".join(cards))  # every value escaped above


def _group_line(group, words: dict, apply_url: Callable[[int], str]) -> str:
    """One group in the results: seats, ages, place, classes, how to apply (HTML, values escaped)."""
    seats = group.seats_left
    if seats:
        text = ngettext("%(counter)s свободное место", "%(counter)s свободных мест", seats) % {"counter": seats}
        badge = f'<span class="badge good seats">{esc(text)}</span>'
    else:
        badge = words["full"]
    facts = [words["ages"] % {"f": group.age_from, "t": group.age_to}]
    if group.venue is not None:
        facts.append(f"{group.venue.settlement}, {group.venue.address}")
    if group.slots:
        facts.append(schedule(group.slots))
    if group.open_now:
        action = f'<a class="apply" href="{apply_url(group.pk)}">{words["apply"] if seats else words["queue"]}</a>'
    elif group.opens_later:
        opens = date_format(timezone.localtime(group.enrollment_opens_at), "DATETIME_FORMAT")
        action = f'<span class="muted">{esc(gettext("Приём заявок откроется %(opens)s") % {"opens": opens})}</span>'
    else:
        action = words["closed"]
    return (f'<li class="group"><div class="group-head"><strong>{esc(group.name)}</strong> {badge}</div>'
            f'<div class="muted">{esc(" · ".join(facts))}</div>{action}</li>')

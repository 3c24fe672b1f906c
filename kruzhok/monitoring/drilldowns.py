"""The lists behind the dashboard's numbers: which selector gives the rows, which columns a page and an export show.

Each :class:`Drilldown` names the selector of ``selectors.py`` that yields the (unscoped) queryset behind a figure,
the query parameters that narrow it (validated against their allowed values: anything else is a 404), and one
``row`` function whose values feed both the HTML table and the XLSX/CSV export (numbers stay numbers). The view
scopes the queryset with ``scope_queryset`` before it reads a row.

Children's lists show names, birth date, sex and residence — never a national identifier (СНИЛС / ИИН); a
teacher's list likewise omits their personal identifier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Course, Teacher
from kruzhok.monitoring import selectors as sel
from kruzhok.people.models import age_on

Column = tuple[str, Promise | str]


@dataclass(frozen=True)
class Drilldown:
    title: Promise
    columns: tuple[Column, ...]
    queryset: Callable[[sel.MonitoringFilter, dict[str, str]], QuerySet]
    row: Callable[[Any, sel.MonitoringFilter], Sequence[Any]]
    link: Callable[[Any], str | None] = lambda obj: None
    # Query parameter → allowed values (None: any short text), e.g. {"state": ("under", "over")}.
    params: Mapping[str, Sequence[str] | None] = field(default_factory=dict)
    filename: str = "list"


def clean_params(drilldown: Drilldown, query: Mapping[str, str]) -> dict[str, str]:
    """The drill-down's own parameters from the query string; an unknown value is a 404, not a silent default."""
    params: dict[str, str] = {}
    for name, allowed in drilldown.params.items():
        value = (query.get(name) or "").strip()
        if not value:
            continue
        if (allowed is not None and value not in allowed) or len(value) > 64:
            raise Http404(f"bad {name}")
        params[name] = value
    return params


def full_name(person: Any) -> str:
    return " ".join(part for part in (person.surname, person.name, person.patronymic) if part)


def period(on: dt.date) -> tuple[dt.date, dt.date]:
    """Applications are judged over the twelve months that end on the reference date."""
    return year_before(on) + dt.timedelta(days=1), on


def year_before(on: dt.date) -> dt.date:
    return sel.years_before(on, 1)


def _admin(model: str, pk: int) -> str:
    return reverse(f"admin:{model}_change", args=[pk])


NUMERIC_KEYS = ("municipality", "age", "direction")


def _row(p: dict[str, str]) -> tuple[str | None, str | None]:
    """The breakdown row (``by``, ``key``) of the query; a key of the wrong kind is a 404."""
    by, key = p.get("by"), p.get("key")
    if by in NUMERIC_KEYS and key is not None and not key.isdigit():
        raise Http404("bad key")
    return by, key


def row_label(by: str, key: str) -> str:
    """The breakdown row's name as the dashboard shows it (the key itself when there is nothing better)."""
    from kruzhok.catalog.models import Direction, Organization
    from kruzhok.people.models import ChildCategory, Sex
    from kruzhok.territory.models import Municipality

    labels: dict[str, Callable[[], Any]] = {
        "municipality": lambda: Municipality.objects.get(pk=int(key)).localized_name(),
        "direction": lambda: Direction.objects.get(pk=int(key)).localized_name(),
        "organization_type": lambda: Organization.Type(key).label,
        "settlement_kind": lambda: sel.SETTLEMENT_KINDS[key],
        "sex": lambda: Sex(key).label,
        "category": lambda: ChildCategory.Kind(key).label,
    }
    try:
        return str(labels[by]()) if by in labels else key
    except Exception:  # a stale or foreign key: show it as it is
        return key


def _children(f: sel.MonitoringFilter, p: dict[str, str]) -> QuerySet:
    by, key = _row(p)
    return sel.coverage_children(f=f, by=by, key=key).select_related("municipality", "settlement")


def _child_row(child: Any, f: sel.MonitoringFilter) -> list[Any]:
    return [full_name(child), child.birth_date, age_on(child.birth_date, f.on), child.get_sex_display(),
            child.municipality.localized_name() if child.municipality_id else "",
            child.settlement.localized_name() if child.settlement_id else ""]


def _enrollments(f: sel.MonitoringFilter, p: dict[str, str]) -> QuerySet:
    by, key = _row(p)
    return sel.coverage_enrollments(f=f, by=by, key=key).select_related(
        "child", "group__programme__organization", "group__programme__direction")


def _enrollment_row(e: Any, f: sel.MonitoringFilter) -> list[Any]:
    programme = e.group.programme
    return [full_name(e.child), programme.organization.short_name, programme.title, e.group.name,
            programme.direction.localized_name(), e.start_date, e.get_status_display()]


def _groups(f: sel.MonitoringFilter, p: dict[str, str]) -> QuerySet:
    qs = sel.fill_groups(f=f, state=p.get("state")).select_related("programme__organization")
    if p.get("organization"):
        qs = qs.filter(programme__organization_id=_int(p["organization"]))
    return qs


def _group_row(g: Any, f: sel.MonitoringFilter) -> list[Any]:
    enrolled = g.active_enrollments
    fill = round(100 * enrolled / g.capacity, 1) if g.capacity else None
    return [g.programme.organization.short_name, g.programme.title, g.name, g.capacity, enrolled, fill]


def _programmes(f: sel.MonitoringFilter, p: dict[str, str]) -> QuerySet:
    return sel.flag_programmes(f=f, flag=p.get("flag")).select_related("organization", "direction")


def _programme_row(pr: Any, f: sel.MonitoringFilter) -> list[Any]:
    return [pr.organization.short_name, pr.title, pr.direction.localized_name(), pr.get_funding_display(),
            pr.get_status_display()]


def _cards(f: sel.MonitoringFilter, p: dict[str, str]) -> QuerySet:
    qs = sel.card_programmes(f=f, defect=p.get("defect")).select_related("organization", "direction")
    if p.get("organization"):
        qs = qs.filter(organization_id=_int(p["organization"]))
    return qs


def _card_row(pr: Any, f: sel.MonitoringFilter) -> list[Any]:
    return [pr.organization.short_name, pr.title, pr.direction.localized_name(), pr.get_status_display()]


def _applications(f: sel.MonitoringFilter, p: dict[str, str]) -> QuerySet:
    start, end = period(f.on)
    return sel.timeliness_applications(f=f, start=start, end=end, state=p.get("state")).select_related(
        "child", "group__programme__organization")


def _application_row(a: Any, f: sel.MonitoringFilter) -> list[Any]:
    return [full_name(a.child), a.group.programme.organization.short_name, a.group.programme.title, a.group.name,
            a.submitted_at, a.answer_due_at, a.decided_at, a.get_status_display()]


def _teachers(f: sel.MonitoringFilter, p: dict[str, str]) -> QuerySet:
    qs = sel.staffing_teachers(f=f, education=p.get("education"), category=p.get("category"))
    if p.get("group") == "qualified":  # the figure «с высшей и первой категорией» of ``selectors.staffing``
        qs = qs.filter(category__in=sel.HIGHEST_CATEGORIES + sel.FIRST_CATEGORIES)
    elif p.get("group") == "courses":  # «прошли курсы за три года»: the same window as ``selectors.staffing``
        qs = qs.filter(pk__in=Course.objects.filter(completed_on__gt=sel.years_before(f.on, 3),
                                                    completed_on__lte=f.on).values("teacher_id"))
    return qs


def _teacher_row(t: Any, f: sel.MonitoringFilter) -> list[Any]:
    return [full_name(t), t.get_education_level_display(), t.get_category_display(), t.is_external_specialist]


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404("bad id") from None


DRILLDOWNS: dict[str, Drilldown] = {
    "children": Drilldown(
        title=_("Дети, охваченные дополнительным образованием"), filename="children",
        columns=(("name", _("Ребёнок")), ("birth_date", _("Дата рождения")), ("age", _("Возраст")),
                 ("sex", _("Пол")), ("municipality", _("Муниципалитет")), ("settlement", _("Населённый пункт"))),
        queryset=_children, row=_child_row, link=lambda c: _admin("people_child", c.pk),
        params={"by": sel.BREAKDOWNS, "key": None}),
    "enrollments": Drilldown(
        title=_("Зачисления"), filename="enrollments",
        columns=(("child", _("Ребёнок")), ("organization", _("Организация")), ("programme", _("Программа")),
                 ("group", _("Группа")), ("direction", _("Направленность")), ("start_date", _("Зачислен")),
                 ("status", _("Статус"))),
        queryset=_enrollments, row=_enrollment_row, link=lambda e: _admin("enrollment_enrollment", e.pk),
        params={"by": sel.BREAKDOWNS, "key": None}),
    "groups": Drilldown(
        title=_("Группы"), filename="groups",
        columns=(("organization", _("Организация")), ("programme", _("Программа")), ("group", _("Группа")),
                 ("capacity", _("Мест")), ("enrolled", _("Зачислено")), ("fill", _("Наполняемость, %"))),
        queryset=_groups, row=_group_row, link=lambda g: reverse("inbox:group", args=[g.pk]),
        params={"state": ("under", "normal", "full", "over"), "organization": None}),
    "programmes": Drilldown(
        title=_("Программы"), filename="programmes",
        columns=(("organization", _("Организация")), ("title", _("Программа")), ("direction", _("Направленность")),
                 ("funding", _("Финансирование")), ("status", _("Статус"))),
        queryset=_programmes, row=_programme_row, link=lambda p: _admin("catalog_programme", p.pk),
        params={"flag": sel.PROGRAMME_FLAGS}),
    "cards": Drilldown(
        title=_("Карточки программ с недостатками"), filename="cards",
        columns=(("organization", _("Организация")), ("title", _("Программа")), ("direction", _("Направленность")),
                 ("status", _("Статус"))),
        queryset=_cards, row=_card_row, link=lambda p: _admin("catalog_programme", p.pk),
        params={"defect": tuple(sel.CARD_DEFECTS), "organization": None}),
    "applications": Drilldown(
        title=_("Заявки"), filename="applications",
        columns=(("child", _("Ребёнок")), ("organization", _("Организация")), ("programme", _("Программа")),
                 ("group", _("Группа")), ("submitted_at", _("Подана")), ("answer_due_at", _("Ответить до")),
                 ("decided_at", _("Решение")), ("status", _("Статус"))),
        queryset=_applications, row=_application_row, link=lambda a: reverse("inbox:application", args=[a.pk]),
        params={"state": ("in_time", "late", "pending", "overdue")}),
    "teachers": Drilldown(
        title=_("Педагоги"), filename="teachers",
        columns=(("name", _("Педагог")), ("education", _("Образование")), ("category", _("Категория")),
                 ("external", _("Внешний специалист"))),
        queryset=_teachers, row=_teacher_row, link=lambda t: _admin("catalog_teacher", t.pk),
        params={"education": tuple(Teacher.Education.values), "category": tuple(Teacher.Category.values),
                "group": ("qualified", "courses")}),
}

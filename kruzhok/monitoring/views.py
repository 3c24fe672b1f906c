"""The monitoring workspace of the municipality and the region: the dashboard, the lists behind its numbers, the
data-quality page and the population (the coverage denominator).

Who may use it (``@monitoring_required``): municipal admins (their municipalities), regional admins (their regions
and every municipality of them) and superusers (everything); everyone else gets a 403. The territory comes from the
GET filter, whose choices are only the user's own territories: another municipality in the URL is refused (403).
Every figure comes from ``selectors.py``; every list behind a figure is passed through ``scope_queryset``.

The dashboard reads coverage from the precomputed aggregates (each figure says when it was computed); the other
sections (who is covered, programmes, groups, applications, cards, staffing) are separate fragments that htmx
loads as they scroll into view, so the page itself costs only the aggregate reads (``/monitoring/?municipality=<id>``
is the URL the benchmark times).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import scope_queryset, user_scope
from kruzhok.catalog.models import Teacher
from kruzhok.core.errors import DomainError
from kruzhok.core.jobs import job_for_user, job_start
from kruzhok.core.models import Job
from kruzhok.interchange.export import export_format, table_response
from kruzhok.monitoring import selectors as sel
from kruzhok.monitoring.drilldowns import DRILLDOWNS, clean_params, period, row_label, year_before
from kruzhok.monitoring.forms import (
    AGE_BANDS,
    DEFAULT_BAND,
    MonitoringFilterForm,
    PopulationGridForm,
    PopulationImportForm,
    PopulationSelectForm,
    monitored_territories,
)
from kruzhok.monitoring.services import population_set
from kruzhok.territory.models import Municipality, Population, Region

View = Callable[..., HttpResponse]
MONITORING_ROLES = frozenset({Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN})
PAGE_SIZE = 50
SECTIONS = ("children", "programmes", "groups", "applications", "cards", "staffing")
COMPOSITION = ("settlement_kind", "sex", "age", "category")


def may_monitor(user: Any) -> bool:
    scope = user_scope(user)
    return scope.is_superuser or bool(scope.roles & MONITORING_ROLES)


def monitoring_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            if not may_monitor(request.user):
                raise PermissionDenied(_("Мониторинг доступен муниципальным и региональным администраторам."))
            return view(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return render(request, "monitoring/forbidden.html", {"reason": str(refusal)}, status=403)

    wrapper.access = "monitoring"  # type: ignore[attr-defined]
    return wrapper


# --- the filter --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Filtered:
    form: MonitoringFilterForm
    f: sel.MonitoringFilter
    query: str  # the filter as a query string: every link on the page carries it

    def url(self, path: str, **params: Any) -> str:
        """``path`` with this filter and ``params`` (later values win: ``on=`` overrides the filter's date)."""
        extra = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return f"{path}?{self.query}{'&' if extra and self.query else ''}{extra}"

    def link(self, name: str, *args: Any, **params: Any) -> str:
        return self.url(reverse(name, args=args), **params)

    @property
    def lists(self) -> dict[str, str]:
        """The lists of children and enrollments behind the figures, with this filter: a table row appends
        ``&by=…&key=…`` to them (what ``{% drill %}`` gives, without a reverse() per cell)."""
        return {kind: self.link("monitoring:list", kind) for kind in ("children", "enrollments")}


def _default_territory(form: MonitoringFilterForm) -> Region | Municipality | None:
    monitored = form.monitored
    if monitored.everything:
        return None
    return monitored.regions.first() or monitored.municipalities.order_by("name").first()


def monitoring_filter(request: HttpRequest) -> Filtered:
    """The figures' filter from the GET parameters; a territory outside the user's rights is a 403."""
    form = MonitoringFilterForm(request.GET, monitored=monitored_territories(request.user))
    form.is_valid()
    if form.errors.keys() & {"region", "municipality"}:
        raise PermissionDenied(_("Эта территория вам недоступна."))
    data = form.cleaned_data
    territory = data.get("municipality") or data.get("region")
    if territory is None:
        territory = _default_territory(form)
    if not sel.monitoring_access(user=request.user, territory=territory):
        raise PermissionDenied(_("Эта территория вам недоступна."))
    age_from, age_to = form.cleaned_ages()
    direction = data.get("direction")
    f = sel.MonitoringFilter(on=form.cleaned_on(), territory=territory, age_from=age_from, age_to=age_to,
                             direction_id=direction.pk if direction else None,
                             organization_type=data.get("org_type") or None)
    return Filtered(form=form, f=f, query=filter_query(f))


def filter_query(f: sel.MonitoringFilter) -> str:
    band = next((k for k, v in AGE_BANDS.items() if v == (f.age_from, f.age_to)), DEFAULT_BAND)
    params: dict[str, Any] = {"on": f.on.isoformat(), "age": band}
    if isinstance(f.territory, Municipality):
        params["municipality"] = f.territory.pk
    elif isinstance(f.territory, Region):
        params["region"] = f.territory.pk
    if f.direction_id:
        params["direction"] = f.direction_id
    if f.organization_type:
        params["org_type"] = f.organization_type
    return urlencode(params)


def previous_year(f: sel.MonitoringFilter) -> sel.MonitoringFilter:
    return dataclasses.replace(f, on=year_before(f.on))


def trend(now: float | int | None, before: float | int | None) -> dict[str, Any] | None:
    """The change against the previous year, for the ▲/▼ marks."""
    if now is None or before is None:
        return None
    delta = now - before
    return {"before": before, "delta": delta, "direction": "up" if delta > 0 else "down" if delta < 0 else "same"}


# --- pages -------------------------------------------------------------------------------------------


@monitoring_required
def dashboard(request: HttpRequest) -> HttpResponse:
    filtered = monitoring_filter(request)
    f = filtered.f
    bys = ["direction", "organization_type"] + ([] if isinstance(f.territory, Municipality) else ["municipality"])
    overview = sel.coverage_overview(f=f, bys=bys, years=3, source=sel.AGGREGATES)
    coverage, coverage_before, clubs = overview.coverage, overview.year_before, overview.clubs
    by_direction = overview.breakdowns["direction"]
    by_type = overview.breakdowns["organization_type"]
    by_municipality = overview.breakdowns.get("municipality")
    points = overview.trend
    duplicates = sel.duplicates_effect(f=f, coverage=coverage)
    charts = {
        "directions": _bars(by_direction, _("Доля зачислений, %"), _("Доля детей, %")),
        "types": {"labels": [r.label for r in by_type.rows],
                  "values": [round(r.enrollment_share or 0, 1) for r in by_type.rows],
                  "label": _("Доля зачислений, %")},
        "trend": {"labels": [p.on.strftime("%d.%m.%Y") for p in points],
                  "values": [round(p.percent, 1) if p.percent is not None else None for p in points],
                  "label": _("Охват, %")},
    }
    return render(request, "monitoring/dashboard.html", {
        "filtered": filtered, "f": f, "coverage": coverage, "clubs": clubs, "job": _job(request),
        "duplicates": duplicates,
        "trends": {
            "percent": trend(coverage.percent, coverage_before.percent),
            "children": trend(coverage.children, coverage_before.children),
            "enrollments": trend(coverage.enrollments, coverage_before.enrollments),
            "clubs": trend(clubs.average, _average(coverage_before)),
        },
        "by_direction": by_direction, "by_type": by_type, "by_municipality": by_municipality, "points": points,
        "charts": charts, "sections": [(name, filtered.link("monitoring:section", name)) for name in SECTIONS],
    })


def _job(request: HttpRequest) -> Job | None:
    """The refresh job the user started (``?job=<id>``), shown with its progress."""
    try:
        return job_for_user(request.user, int(request.GET.get("job", "")))
    except (ValueError, Job.DoesNotExist):
        return None


@require_POST
@monitoring_required
def refresh(request: HttpRequest) -> HttpResponse:
    """Recompute the aggregates of the filter's date (and the two years before it, for the trend) in the background,
    for the municipalities of the chosen territory."""
    filtered = monitoring_filter(request)
    territory = filtered.f.territory
    params: dict[str, Any] = {"on": filtered.f.on.isoformat(), "years": 2}
    if isinstance(territory, Municipality):
        params["municipalities"] = [territory.pk]
    elif isinstance(territory, Region):
        params["municipalities"] = list(territory.municipalities.values_list("pk", flat=True))
    job = job_start(kind="monitoring.refresh", params=params, actor=request.user)
    return redirect(f"{reverse('monitoring:dashboard')}?{filtered.query}&job={job.pk}")


def _average(coverage: sel.Coverage) -> float | None:
    return coverage.enrollments / coverage.children if coverage.children else None


def _bars(breakdown: sel.Breakdown, first: str, second: str) -> dict[str, Any]:
    return {"labels": [r.label for r in breakdown.rows],
            "datasets": [{"label": first, "values": [round(r.enrollment_share or 0, 1) for r in breakdown.rows]},
                         {"label": second, "values": [round(r.children_share or 0, 1) for r in breakdown.rows]}]}


@monitoring_required
def section(request: HttpRequest, name: str) -> HttpResponse:
    """One organization-side block of the dashboard (an htmx fragment, or a page of its own without htmx)."""
    if name not in SECTIONS:
        raise Http404(name)
    filtered = monitoring_filter(request)
    context: dict[str, Any] = {"filtered": filtered, "f": filtered.f, "name": name}
    context.update(SECTION_BUILDERS[name](filtered))
    template = f"monitoring/_section_{name}.html"
    if request.headers.get("HX-Request"):
        return render(request, template, context)
    return render(request, "monitoring/section_page.html", {**context, "template": template})


def _children_section(filtered: Filtered) -> dict[str, Any]:
    """Who the covered children are: rural or urban, sex, age, category (from the aggregates)."""
    breakdowns = sel.coverage_breakdowns(f=filtered.f, bys=COMPOSITION, source=sel.AGGREGATES)
    return {"breakdowns": [(by, sel.BREAKDOWN_LABELS[by], breakdowns[by]) for by in COMPOSITION]}


def _programmes_section(filtered: Filtered) -> dict[str, Any]:
    return {"flags": sel.programme_flag_counts(f=filtered.f)}


def _groups_section(filtered: Filtered) -> dict[str, Any]:
    fill = sel.group_fill(f=filtered.f)
    before = sel.group_fill(f=previous_year(filtered.f))
    states = [("under", _("недобор"), fill.under), ("normal", _("норма"), fill.normal),
              ("full", _("заполнены"), fill.full), ("over", _("сверх мест"), fill.over)]
    return {"fill": fill, "fill_trend": trend(_pct(fill.mean_fill), _pct(before.mean_fill)), "states": states,
            "chart": {"labels": [str(label) for _key, label, _n in states], "values": [n for *_rest, n in states],
                      "label": _("Групп")}}


def _pct(ratio: float | None) -> float | None:
    return 100 * ratio if ratio is not None else None


def _applications_section(filtered: Filtered) -> dict[str, Any]:
    start, end = period(filtered.f.on)
    before = previous_year(filtered.f)
    timeliness = sel.application_timeliness(f=filtered.f, start=start, end=end)
    previous = sel.application_timeliness(f=before, start=year_before(start), end=year_before(end))
    return {"timeliness": timeliness, "start": start, "end": end,
            "share_trend": trend(timeliness.share_in_time, previous.share_in_time),
            "median_trend": trend(timeliness.median_hours, previous.median_hours)}


def _cards_section(filtered: Filtered) -> dict[str, Any]:
    cards = sel.card_completeness(f=filtered.f)
    defects = [(code, label, cards.defect_counts.get(code, 0)) for code, label in sel.CARD_DEFECTS.items()]
    return {"cards": cards, "defects": defects}


def _staffing_section(filtered: Filtered) -> dict[str, Any]:
    staffing = sel.staffing(f=filtered.f)
    before = sel.staffing(f=previous_year(filtered.f))
    return {"staffing": staffing, "teachers_trend": trend(staffing.teachers, before.teachers),
            "ratio_trend": trend(staffing.children_per_teacher, before.children_per_teacher),
            "category_trend": trend(staffing.highest_or_first_share, before.highest_or_first_share)}


SECTION_BUILDERS: dict[str, Callable[[Filtered], dict[str, Any]]] = {
    "children": _children_section, "programmes": _programmes_section, "groups": _groups_section,
    "applications": _applications_section, "cards": _cards_section, "staffing": _staffing_section}


@monitoring_required
def drilldown(request: HttpRequest, kind: str) -> HttpResponse:
    """The rows behind one number: scoped, paginated, exportable (``?format=xlsx`` or ``csv``)."""
    spec = DRILLDOWNS.get(kind)
    if spec is None:
        raise Http404(kind)
    filtered = monitoring_filter(request)
    params = clean_params(spec, request.GET)
    rows = scope_queryset(request.user, spec.queryset(filtered.f, params))
    if request.GET.get("format"):
        return table_response(filename=spec.filename, columns=list(spec.columns),
                              rows=(spec.row(obj, filtered.f) for obj in rows.iterator(chunk_size=2000)),
                              fmt=export_format(request))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    own = urlencode(params)
    labels = [label for _key, label in spec.columns]
    return render(request, "monitoring/list.html", {
        "filtered": filtered, "f": filtered.f, "spec": spec, "kind": kind, "page": page,
        "rows": [(spec.link(obj), list(zip(labels, spec.row(obj, filtered.f), strict=True)))
                 for obj in page.object_list],
        "subtitle": _subtitle(params),
        "base": f"{reverse('monitoring:list', args=[kind])}?{filtered.query}{'&' + own if own else ''}",
    })


def _subtitle(params: dict[str, str]) -> str:
    labels = {**sel.PROGRAMME_FLAGS, **sel.CARD_DEFECTS}
    states = {"under": _("недобор"), "normal": _("норма"), "full": _("заполнены"), "over": _("сверх мест"),
              "in_time": _("отвечены в срок"), "late": _("отвечены с опозданием"), "pending": _("ждут ответа"),
              "overdue": _("просрочены")}
    parts = []
    for name in ("flag", "defect"):
        if name in params:
            parts.append(str(labels[params[name]]))
    if "state" in params:
        parts.append(str(states[params["state"]]))
    if "group" in params:
        parts.append(str({"qualified": _("с высшей и первой категорией"),
                          "courses": _("прошли курсы за три года")}[params["group"]]))
    if "education" in params or "category" in params:
        if "education" in params:
            parts.append(str(Teacher.Education(params["education"]).label))
        if "category" in params:
            parts.append(str(Teacher.Category(params["category"]).label))
    if "by" in params:
        parts.append(f"{sel.BREAKDOWN_LABELS[params['by']]}: {row_label(params['by'], params.get('key', ''))}")
    return "; ".join(parts)


@monitoring_required
def quality(request: HttpRequest) -> HttpResponse:
    """Data quality: card defects per organization, overdue applications, group-fill alarms — each with a fix link."""
    filtered = monitoring_filter(request)
    start, end = period(filtered.f.on)
    return render(request, "monitoring/quality.html", {
        "filtered": filtered, "f": filtered.f, "cards": sel.card_completeness(f=filtered.f),
        "defect_labels": sel.CARD_DEFECTS, "fill": sel.group_fill(f=filtered.f),
        "timeliness": sel.application_timeliness(f=filtered.f, start=start, end=end),
    })


# --- population --------------------------------------------------------------------------------------


def _population_municipalities(user: Any):
    municipalities = monitored_territories(user).municipalities.order_by("name")
    if not municipalities.exists():
        raise PermissionDenied(_("Нет муниципалитетов, численность которых вы можете вводить."))
    return municipalities


@monitoring_required
def population(request: HttpRequest) -> HttpResponse:
    """The yearly population of children by single year of age: a grid per municipality and year, and an import."""
    municipalities = _population_municipalities(request.user)
    choose = PopulationSelectForm(request.GET if "municipality" in request.GET else None,
                                  municipalities=municipalities)
    municipality, year = municipalities.first(), _this_year()
    if choose.is_bound and choose.is_valid():
        municipality, year = choose.cleaned_data["municipality"], choose.cleaned_data["year"]
    elif choose.is_bound and choose.errors.get("municipality"):
        raise PermissionDenied(_("Эта территория вам недоступна."))
    grid = PopulationGridForm(request.POST or None, municipalities=municipalities,
                              initial=_grid_initial(municipality, year))
    if request.method == "POST" and "save" in request.POST:
        if grid.is_valid():
            chosen, year = grid.cleaned_data["municipality"], grid.cleaned_data["year"]
            try:  # an empty cell removes that age: the grid is the whole year of the municipality
                written = population_set(municipality=chosen, year=year, counts=grid.counts(), actor=request.user)
            except DomainError as error:
                grid.add_error(None, error.messages)
            else:
                messages.success(request, _("Сохранено ячеек: %(n)s.") % {"n": written})
                query = urlencode({"municipality": chosen.pk, "year": year})
                return redirect(f"{reverse('monitoring:population')}?{query}")
        if grid.errors.get("municipality"):
            raise PermissionDenied(_("Эта территория вам недоступна."))
    return _population_page(request, municipalities, municipality, year, grid=grid,
                            choose=choose if choose.is_bound else None)


def _population_page(request: HttpRequest, municipalities, municipality: Municipality, year: int, *,
                     grid: PopulationGridForm | None = None, choose: PopulationSelectForm | None = None,
                     ) -> HttpResponse:
    return render(request, "monitoring/population.html", {
        "choose": choose if choose is not None else PopulationSelectForm(
            initial={"municipality": municipality, "year": year}, municipalities=municipalities),
        "grid": grid if grid is not None else PopulationGridForm(
            municipalities=municipalities, initial=_grid_initial(municipality, year)),
        "municipality": municipality, "year": year,
        "import_form": PopulationImportForm(), "summary": _population_summary(municipalities, year),
    })


def _this_year() -> int:
    return timezone.localdate().year


def _grid_initial(municipality: Municipality, year: int) -> dict[str, Any]:
    initial: dict[str, Any] = {"municipality": municipality, "year": year}
    for age, count in Population.objects.filter(municipality=municipality, year=year).values_list("age", "count"):
        initial[f"age_{age}"] = count
    return initial


def _population_summary(municipalities, year: int) -> list[dict[str, Any]]:
    """Per municipality: the total of ages 5–17 entered for ``year`` and how many of the 18 ages are filled."""
    rows = municipalities.annotate(
        ages=Count("population", filter=Q(population__year=year)),
        band=Sum("population__count", filter=Q(population__year=year, population__age__gte=5)))
    return [{"municipality": m, "ages": m.ages, "band": m.band} for m in rows]

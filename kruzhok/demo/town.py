"""The demo town: a region with the main municipality modelled on seed 002 and a small neighbour.

``demo_town_build(seed=…, today=…)`` writes everything in one transaction; the same seed and reference date
give the same rows. ``demo_figures(municipality=…)`` reads back the headline numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from kruzhok.catalog.models import Organization, Programme
from kruzhok.demo.activity import MunicipalityActivity, activity_build, groups_create, last_year_plans
from kruzhok.demo.base import Ctx, years_before
from kruzhok.demo.catalog import MunicipalityCatalog, catalog_build, programmes_build
from kruzhok.demo.events import CONTESTS, events_build, partnerships_build, teacher_for_demo
from kruzhok.demo.people import MunicipalityPeople, people_build
from kruzhok.demo.placement import capacities_set, children_place, enrolled_select
from kruzhok.demo.spec import MAIN, NEIGHBOUR, REGION, MunicipalitySpec
from kruzhok.demo.users import demo_users_create
from kruzhok.enrollment.models import Application, Enrollment, EnrollmentStatus
from kruzhok.people.models import Child, Guardian
from kruzhok.territory.models import Municipality, Population, Region, Settlement

DEFAULT_SEED = 2024
NEIGHBOUR_CONTESTS = tuple(c for c in CONTESTS if c[1] in ("contest",))[:3]


@dataclasses.dataclass
class BuiltMunicipality:
    municipality: Municipality
    catalog: MunicipalityCatalog
    people: MunicipalityPeople
    activity: MunicipalityActivity


def demo_town_exists() -> bool:
    return Region.objects.filter(code=REGION["code"]).exists()


def _municipality_build(*, ctx: Ctx, spec: MunicipalitySpec, region: Region, index: int) -> BuiltMunicipality:
    municipality = Municipality.objects.create(region=region, name=spec.name, code=spec.code, kind=spec.kind)
    settlements = {s.name: Settlement(municipality=municipality, name=s.name, is_rural=s.is_rural)
                   for s in spec.settlements}
    Settlement.objects.bulk_create(settlements.values())
    catalog = catalog_build(ctx=ctx, spec=spec, municipality=municipality, settlements=settlements,
                            serial=index * 100 + 1)
    people = people_build(ctx=ctx, spec=spec, municipality=municipality, settlements=settlements, catalog=catalog,
                          snils_offset=index * 10_000_000 + 1_000)
    seats = enrolled_select(ctx=ctx, spec=spec, people=people)
    programmes_build(ctx=ctx, spec=spec, catalog=catalog, seats=seats)
    children_place(ctx=ctx, catalog=catalog, people=people,
                   rural_ids={s.pk for s in settlements.values() if s.is_rural})
    capacities = capacities_set(ctx=ctx, catalog=catalog)
    last_year = last_year_plans(ctx=ctx, catalog=catalog, people=people)
    groups_create(ctx=ctx, catalog=catalog, capacities=capacities, last_year=last_year)
    activity = activity_build(ctx=ctx, spec=spec, catalog=catalog, people=people, last_year=last_year)
    Population.objects.bulk_create([
        Population(municipality=municipality, year=ctx.today.year, age=age, count=count)
        for age, count in sorted(people.age_counts.items())])
    if index == 0:
        events_build(ctx=ctx, municipality=municipality, catalog=catalog, people=people)
    else:
        events_build(ctx=ctx, municipality=municipality, catalog=catalog, people=people,
                     contests=NEIGHBOUR_CONTESTS, seminars=(), upcoming=())
    partnerships_build(ctx=ctx, catalog=catalog, settlement_name=spec.settlements[0].name)
    return BuiltMunicipality(municipality=municipality, catalog=catalog, people=people, activity=activity)


def _demo_guardian(built: BuiltMunicipality) -> Guardian:
    """A mother of two or more children, one in a club and one with an application under way."""
    applied = {a.child_id for a in built.activity.applications if a.is_open}
    by_guardian: dict[int, list] = {}
    for kid in built.people.kids:
        for guardian in kid.guardians:
            by_guardian.setdefault(guardian.pk, []).append(kid)
    for kid in built.people.kids:
        if kid.groups and kid.guardians and kid.age >= 7:
            siblings = by_guardian[kid.guardians[0].pk]
            if 2 <= len(siblings) <= 4 and any(k.child.pk in applied for k in siblings):
                return kid.guardians[0]
    return next(k.guardians[0] for k in built.people.kids if k.groups and k.guardians)


@transaction.atomic
def demo_town_build(*, seed: int = DEFAULT_SEED, today: dt.date | None = None) -> dict:
    """Build the demo region from ``seed`` as of ``today`` (default: the local date); returns its figures."""
    ctx = Ctx(seed=seed, today=today or timezone.localdate())
    region = Region.objects.create(**REGION, country="RU")
    main = _municipality_build(ctx=ctx, spec=MAIN, region=region, index=0)
    neighbour = _municipality_build(ctx=ctx, spec=NEIGHBOUR, region=region, index=1)
    biggest = max((k for k, o in main.catalog.org_specs.items() if o.org_type == Organization.Type.SUPPLEMENTARY),
                  key=lambda k: sum(len(p.members) for p in main.catalog.groups if p.org_key == k))
    demo_users_create(region=region, municipality=main.municipality, neighbour=neighbour.municipality,
                      organization=main.catalog.organizations[biggest],
                      teacher=teacher_for_demo(main.catalog, biggest), guardian=_demo_guardian(main))
    return demo_figures(municipality=main.municipality, on=ctx.today)


def demo_figures(*, municipality: Municipality, on: dt.date) -> dict:
    """The headline numbers of a municipality on a date, counted the way the seed report counts them."""
    children = Child.objects.filter(municipality=municipality)
    in_band = Q(birth_date__gt=years_before(on, 18), birth_date__lte=years_before(on, 5))
    active = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE,
                                       group__programme__organization__municipality=municipality)
    enrollments = active.count()
    by_type = dict(active.values_list("group__programme__organization__org_type").annotate(n=Count("id")))
    by_direction = dict(active.values_list("group__programme__direction__code").annotate(n=Count("id")))
    population = Population.objects.filter(municipality=municipality, year=on.year)
    population_5_17 = sum(p.count for p in population if p.age >= 5)
    enrolled_5_17 = active.filter(child__birth_date__gt=years_before(on, 18),
                                  child__birth_date__lte=years_before(on, 5)).values("child_id").distinct().count()
    programmes = Programme.objects.filter(organization__municipality=municipality)

    def share(counts: dict) -> dict:
        return {key: round(100 * value / max(enrollments, 1), 1) for key, value in sorted(counts.items())}

    return {
        "municipality": municipality.name,
        "children_records": children.count(),
        "population": sum(p.count for p in population),
        "population_5_17": population_5_17,
        "children_5_17": children.filter(in_band).count(),
        "organizations": Organization.objects.filter(municipality=municipality).count(),
        "enrolled_unique": active.values("child_id").distinct().count(),
        "enrolled_5_17": enrolled_5_17,
        "coverage_percent": round(100 * enrolled_5_17 / population_5_17, 1) if population_5_17 else 0.0,
        "enrollments": enrollments,
        "share_by_org_type": share(by_type),
        "share_by_direction": share(by_direction),
        "network_programmes": programmes.filter(is_network=True).count(),
        "adapted_programmes": programmes.filter(Q(adapted_ovz=True) | Q(for_difficult_situation=True)).count(),
        "certificate_programmes": programmes.filter(funding=Programme.Funding.CERTIFICATE).count(),
        "applications_by_status": dict(Application.objects.filter(
            group__programme__organization__municipality=municipality).values_list("status").annotate(n=Count("id"))
            .order_by("status")),
    }

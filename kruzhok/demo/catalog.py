"""Organizations, venues, teachers and programmes of one demo municipality, and the plan of its groups.

Groups are only *planned* here (ages, seats, teacher, venue): their capacity is fixed after the children
have been placed (``activity.py``), so that no group ever holds more children than seats.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal

from kruzhok.catalog.models import (
    Course,
    Employment,
    Group,
    Organization,
    Programme,
    Publication,
    Teacher,
    TeacherAward,
    Venue,
)
from kruzhok.demo import names
from kruzhok.demo.base import Ctx, largest_remainder
from kruzhok.demo.spec import (
    ENROLLMENT_MATRIX,
    KG,
    KINDERGARTEN_TITLES,
    PROGRAMME_TITLES,
    SCHOOL,
    SUP,
    MunicipalitySpec,
    OrgSpec,
)
from kruzhok.territory.models import Municipality, Settlement

GROUP_SIZE = {SUP: (10, 20), SCHOOL: (10, 18), KG: (8, 14)}
GROUPS_PER_PROGRAMME = {SUP: (0.45, 0.35, 0.2), SCHOOL: (0.75, 0.25, 0.0), KG: (1.0, 0.0, 0.0)}
GROUPS_PER_TEACHER = {SUP: 2.6, SCHOOL: 1.6, KG: 1.8}
HOURS_BY_LEVEL = {Programme.Level.INTRODUCTORY: (36, 72), Programme.Level.BASIC: (72, 144),
                  Programme.Level.ADVANCED: (144, 216)}
COURSES = (
    "Современные технологии дополнительного образования детей",
    "Разработка дополнительных общеобразовательных общеразвивающих программ",
    "Работа с детьми с ОВЗ в системе дополнительного образования",
    "Наставничество в образовательной организации",
    "Оказание первой помощи",
    "Цифровые инструменты педагога дополнительного образования",
    "Выявление и сопровождение одарённых детей",
    "Работа в информационной системе «Навигатор дополнительного образования»",
)
COURSE_PROVIDERS = (
    "Институт развития образования Приреченской области",
    "Региональный модельный центр дополнительного образования детей",
    "Центр непрерывного повышения профессионального мастерства педагогов",
    "Приреченский педагогический колледж",
)
DIRECTION_BLURBS = {
    "artistic": "Развивает художественный вкус и творческие способности, готовит к выступлениям и выставкам.",
    "technical": "Знакомит с инженерным мышлением: конструирование, моделирование, программирование, проекты.",
    "sport": "Укрепляет здоровье, учит технике вида спорта и готовит к соревнованиям.",
    "tourism": "Походы, экскурсии и исследования родного края; навыки туриста и краеведа.",
    "social": "Развивает коммуникацию, лидерство и самостоятельность; социальные проекты и профориентация.",
    "military_patriotic": "Воспитывает гражданственность; строевая, огневая и медицинская подготовка.",
    "natural_science": "Опыты, наблюдения и исследования природы; подготовка к олимпиадам и конференциям.",
}


@dataclasses.dataclass
class GroupPlan:
    """A group before it is written: where, for whom, how many seats were planned, who fills them."""

    programme: Programme
    org_key: str
    org_type: str
    direction: str
    age_from: int
    age_to: int
    planned: int
    name: str
    venue: Venue
    teachers: list[Teacher] = dataclasses.field(default_factory=list)
    period: tuple[dt.date, dt.date] | None = None
    is_active: bool = True
    is_summer: bool = False
    members: list = dataclasses.field(default_factory=list)  # Kid objects placed in the group
    group: Group | None = None

    @property
    def settlement_id(self) -> int:
        return self.venue.settlement_id


@dataclasses.dataclass
class MunicipalityCatalog:
    organizations: dict[str, Organization]
    org_specs: dict[str, OrgSpec]
    venues: dict[str, list[Venue]]
    teachers: dict[str, list[Teacher]]
    programmes: list[Programme]
    groups: list[GroupPlan]
    summer_groups: list[GroupPlan]
    serial: int


def organizations_create(*, ctx: Ctx, spec: MunicipalitySpec, municipality: Municipality,
                         settlements: dict[str, Settlement], serial: int) -> tuple[dict, dict]:
    rng = ctx.rng
    organizations: dict[str, Organization] = {}
    for index, org_spec in enumerate(spec.organizations):
        number = serial + index
        organizations[org_spec.key] = Organization(
            municipality=municipality, name=org_spec.name, short_name=org_spec.short_name,
            tax_id=f"77{number:08d}", org_type=org_spec.org_type, subtype=org_spec.subtype,
            ownership=org_spec.ownership, licence_number=f"Л035-01277-77/{number:08d}",
            licence_date=dt.date(rng.randint(2012, 2021), rng.randint(1, 12), rng.randint(1, 28)),
            address=f"{org_spec.settlement}, {org_spec.address}", phone=f"+7343{rng.randrange(10**7):07d}",
            email=f"org{number}@example.com", website=f"https://org{number}.example.com",
        )
    Organization.objects.bulk_create(organizations.values())
    venues: dict[str, list[Venue]] = {}
    for org_spec in spec.organizations:
        org = organizations[org_spec.key]
        rows = [("Главное здание", org_spec.settlement, org_spec.address), *org_spec.extra_venues]
        venues[org_spec.key] = [
            Venue(organization=org, name=name, settlement=settlements[settlement], address=address,
                  is_accessible=rng.random() < 0.5)
            for name, settlement, address in rows
        ]
    Venue.objects.bulk_create([v for rows in venues.values() for v in rows])
    return organizations, venues


@dataclasses.dataclass
class _ProgrammePlan:
    org_key: str
    direction: str
    title: str
    age_from: int
    age_to: int
    sizes: list[int]


def _programme_plans(*, ctx: Ctx, spec: MunicipalitySpec, seats: int) -> list[_ProgrammePlan]:
    """Seats by type × direction (the seed's matrix) → by organization → programmes of 1–3 groups."""
    rng = ctx.rng
    cells = {(t, d): share for t, row in ENROLLMENT_MATRIX.items() for d, share in row.items()}
    cell_seats = largest_remainder(cells, seats)
    plans: list[_ProgrammePlan] = []
    used_titles: dict[str, set[str]] = {}
    for (org_type, direction), total in cell_seats.items():
        orgs = [o for o in spec.organizations if o.org_type == org_type]
        weights = {o.key: (o.shares.get(direction, 0.0) if o.shares else o.size) for o in orgs}
        if not any(weights.values()):
            weights = {o.key: o.size for o in orgs}
        for org_key, org_seats in largest_remainder(weights, total).items():
            titles = (KINDERGARTEN_TITLES if org_type == KG else PROGRAMME_TITLES)[direction]
            low, high = GROUP_SIZE[org_type]
            left = org_seats
            while left >= low // 2:
                used = used_titles.setdefault(org_key, set())
                free = [t for t in titles if t[0] not in used] or [
                    (f"{t[0]} (углублённый уровень)", t[1], t[2]) for t in titles
                    if f"{t[0]} (углублённый уровень)" not in used]
                if not free:
                    free = [(f"{titles[0][0]} — модуль {len(used) + 1}", titles[0][1], titles[0][2])]
                title, age_from, age_to = free[rng.randrange(len(free))]
                used.add(title)
                count = rng.choices((1, 2, 3), weights=GROUPS_PER_PROGRAMME[org_type])[0]
                sizes = []
                for _ in range(count):
                    size = min(left, rng.randint(low, high))
                    if left - size < low // 2:
                        size = left
                    if size <= 0:
                        break
                    sizes.append(size)
                    left -= size
                plans.append(_ProgrammePlan(org_key, direction, title, age_from, age_to, sizes))
            if left > 0 and plans and plans[-1].org_key == org_key:
                plans[-1].sizes[-1] += left
    return plans


def _age_bands(age_from: int, age_to: int, count: int) -> list[tuple[int, int]]:
    if count == 1 or age_to - age_from < 4:
        return [(age_from, age_to)] * count
    span = age_to - age_from
    return [(age_from + round(i * span / count), age_from + round((i + 1) * span / count)) for i in range(count)]


def _programme(*, ctx: Ctx, spec: MunicipalitySpec, plan: _ProgrammePlan, org: Organization, serial: int,
               status: str = Programme.Status.PUBLISHED) -> Programme:
    rng = ctx.rng
    level = rng.choices(list(Programme.Level), weights=(0.35, 0.5, 0.15))[0]
    low, high = HOURS_BY_LEVEL[level]
    form = Programme.Form.REMOTE if plan.title == "Индустриальные технологии" else rng.choices(
        list(Programme.Form), weights=(0.9, 0.03, 0.07))[0]
    description = (f"Программа {Programme.Level(level).label} уровня для детей {plan.age_from}–{plan.age_to} лет. "
                   f"{DIRECTION_BLURBS[plan.direction]}")
    return Programme(
        organization=org, code=f"{spec.code}-{serial:04d}", title=plan.title, direction=ctx.directions[plan.direction],
        description=description if rng.random() > 0.04 else "", level=level, age_from=plan.age_from,
        age_to=plan.age_to, hours=rng.choice(range(low, high + 1, 36)), duration_months=9, form=form,
        is_socially_significant=rng.random() < 0.3, for_gifted=plan.title in {
            "Проектирование", "Мультимедийная журналистика", "Мир глазами химика"} or rng.random() < 0.03,
        status=status,
    )


def _flag_programmes(*, ctx: Ctx, spec: MunicipalitySpec, programmes: list[Programme], org_types: list[str]) -> None:
    """Exactly the seed's number of network, adapted and certificate-funded programmes; a few paid ones."""
    rng = ctx.rng
    indexes = list(range(len(programmes)))

    def pick(count: int, weight_by_type: dict[str, float]) -> list[int]:
        pool = [i for i in indexes if weight_by_type.get(org_types[i], 0) > 0]
        keyed = sorted(pool, key=lambda i: rng.random() ** (1 / weight_by_type[org_types[i]]), reverse=True)
        return keyed[:count]

    for i in pick(spec.network_programmes, {SUP: 3.0, SCHOOL: 1.0, KG: 0.3}):
        programmes[i].is_network = True
    adapted = pick(spec.adapted_programmes, {SUP: 2.0, SCHOOL: 1.0, KG: 0.5})
    for n, i in enumerate(adapted):
        programmes[i].adapted_ovz = n % 3 != 2
        programmes[i].for_difficult_situation = n % 3 != 0
    sup_only = {SUP: 1.0}
    for i in pick(spec.certificate_programmes, sup_only):
        programmes[i].funding = Programme.Funding.CERTIFICATE
        programmes[i].certificate_hour_cost = Decimal(rng.choice(("95.50", "120.00", "134.40", "150.75")))
    paid = [i for i in pick(len(programmes) // 15, sup_only) if programmes[i].funding == Programme.Funding.FREE]
    for i in paid:
        programmes[i].funding = Programme.Funding.PAID
        programmes[i].price = Decimal(rng.choice((1500, 1800, 2200, 2500, 3200)))


def teachers_create(*, ctx: Ctx, spec: MunicipalitySpec, organizations: dict[str, Organization],
                    groups_by_org: dict[str, int], serial: int) -> dict[str, list[Teacher]]:
    """Teachers of every organization with their employment, courses, publications and awards."""
    rng = ctx.rng
    teachers: dict[str, list[Teacher]] = {}
    for org_spec in spec.organizations:
        count = max(1, math.ceil(groups_by_org.get(org_spec.key, 0) / GROUPS_PER_TEACHER[org_spec.org_type]))
        rows = []
        for _ in range(count):
            sex = "F" if rng.random() < 0.82 else "M"
            surname, name, patronymic = names.adult_full_name(rng, sex=sex, share_kazakh=0.05)
            serial += 1
            education = rng.choices(list(Teacher.Education)[:4], weights=(
                (0.45, 0.25, 0.2, 0.1) if org_spec.org_type == SUP else (0.7, 0.1, 0.18, 0.02)))[0]
            rows.append(Teacher(
                surname=surname, name=name, patronymic=patronymic, personal_id=names.snils_number(50_000_000 + serial),
                education_level=education,
                category=rng.choices(("ru_highest", "ru_first", "ru_compliance", ""), weights=(25, 35, 25, 15))[0],
                is_external_specialist=org_spec.org_type == SUP and rng.random() < 0.06,
                phone=names.phone_number(rng), email=f"{names.translit(surname)}.{serial}@example.com",
            ))
        teachers[org_spec.key] = rows
    Teacher.objects.bulk_create([t for rows in teachers.values() for t in rows])
    employments, courses, publications, awards = [], [], [], []
    sup_keys = [o.key for o in spec.organizations if o.org_type == SUP]
    for org_key, rows in teachers.items():
        org_type = organizations[org_key].org_type
        position = {SUP: "педагог дополнительного образования", SCHOOL: "учитель", KG: "воспитатель"}[org_type]
        if organizations[org_key].subtype == "sport_school":
            position = "тренер-преподаватель"
        for teacher in rows:
            start = dt.date(rng.randint(1995, ctx.year_start.year - 1), rng.choice((8, 9)), rng.randint(1, 28))
            employments.append(Employment(teacher=teacher, organization=organizations[org_key], position=position,
                                          start_date=start))
            if org_type != SUP and sup_keys and rng.random() < 0.08:
                employments.append(Employment(
                    teacher=teacher, organization=organizations[rng.choice(sup_keys)], is_main=False,
                    position="педагог дополнительного образования (совместитель)", rate=Decimal("0.50"),
                    start_date=ctx.year_start))
            for _ in range(rng.choices((0, 1, 2, 3), weights=(15, 40, 30, 15))[0]):
                courses.append(Course(
                    teacher=teacher, title=rng.choice(COURSES), provider=rng.choice(COURSE_PROVIDERS),
                    hours=rng.choice((16, 24, 36, 72)),
                    completed_on=ctx.day_between(ctx.year_start - dt.timedelta(days=3 * 365), ctx.today),
                    certificate_number=f"{rng.randint(10**11, 10**12 - 1)}"))
            if rng.random() < 0.08:
                publications.append(Publication(
                    teacher=teacher, title=f"Из опыта работы: {rng.choice(COURSES).lower()}",
                    journal=rng.choice(("Дополнительное образование и воспитание", "Педагогический вестник",
                                        "Вестник Приреченского института развития образования")),
                    level=rng.choice(("national", "regional", "municipal")),
                    year=ctx.year_start.year - rng.randint(0, 3)))
            if rng.random() < 0.1:
                awards.append(TeacherAward(
                    teacher=teacher, title=rng.choice(("Почётная грамота Министерства просвещения",
                                                       "Благодарственное письмо главы округа",
                                                       "Почётная грамота Министерства образования области")),
                    level=rng.choice(("national", "regional", "municipal")),
                    year=ctx.year_start.year - rng.randint(0, 5)))
    Employment.objects.bulk_create(employments)
    Course.objects.bulk_create(courses)
    Publication.objects.bulk_create(publications)
    TeacherAward.objects.bulk_create(awards)
    return teachers


def catalog_build(*, ctx: Ctx, spec: MunicipalitySpec, municipality: Municipality,
                  settlements: dict[str, Settlement], serial: int) -> MunicipalityCatalog:
    """Organizations and venues; programmes and groups follow once the number of seats is known."""
    organizations, venues = organizations_create(ctx=ctx, spec=spec, municipality=municipality,
                                                 settlements=settlements, serial=serial)
    return MunicipalityCatalog(organizations=organizations, org_specs={o.key: o for o in spec.organizations},
                               venues=venues, teachers={}, programmes=[], groups=[], summer_groups=[], serial=serial)


def programmes_build(*, ctx: Ctx, spec: MunicipalitySpec, catalog: MunicipalityCatalog, seats: int) -> None:
    """Programmes (with the seed's flags), their teachers and the plan of groups holding ``seats`` places."""
    rng = ctx.rng
    organizations, venues, org_specs = catalog.organizations, catalog.venues, catalog.org_specs
    plans = _programme_plans(ctx=ctx, spec=spec, seats=seats)
    programmes = [_programme(ctx=ctx, spec=spec, plan=p, org=organizations[p.org_key], serial=n + 1)
                  for n, p in enumerate(plans)]
    org_types = [org_specs[p.org_key].org_type for p in plans]
    _flag_programmes(ctx=ctx, spec=spec, programmes=programmes, org_types=org_types)

    summer = [_ProgrammePlan(org_key, direction, title, 10, 17, [rng.randint(18, 25)])
              for title, direction, org_key in spec.summer_shifts]
    summer_programmes = [_programme(ctx=ctx, spec=spec, plan=p, org=organizations[p.org_key],
                                    serial=len(plans) + n + 1) for n, p in enumerate(summer)]
    for programme in summer_programmes:
        programme.is_summer_shift, programme.duration_months, programme.hours = True, 1, 72
    first_org = spec.organizations[0].key
    drafts = [_programme(ctx=ctx, spec=spec, plan=_ProgrammePlan(first_org, d, f"{t} (проект)", a, b, []),
                         org=organizations[first_org], serial=900 + n, status=Programme.Status.DRAFT)
              for n, (d, (t, a, b)) in enumerate((("technical", PROGRAMME_TITLES["technical"][-1]),
                                                  ("artistic", PROGRAMME_TITLES["artistic"][-1])))]
    for draft in drafts:
        draft.description = ""
    Programme.objects.bulk_create([*programmes, *summer_programmes, *drafts])

    partner_rows = []
    partners_by_programme: dict[int, list[str]] = {}
    schools = [o.key for o in spec.organizations if o.org_type in (SCHOOL, KG)]
    sups = [o.key for o in spec.organizations if o.org_type == SUP]
    for plan, programme in zip(plans, programmes, strict=True):
        if not programme.is_network:
            continue
        pool = [k for k in (schools if org_specs[plan.org_key].org_type == SUP else sups) if k != plan.org_key]
        chosen = rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 2))))
        partners_by_programme[programme.pk] = chosen
        partner_rows += [Programme.network_partners.through(programme=programme, organization=organizations[k])
                         for k in chosen]
    Programme.network_partners.through.objects.bulk_create(partner_rows)

    groups_by_org: dict[str, int] = {}
    for plan in plans:
        groups_by_org[plan.org_key] = groups_by_org.get(plan.org_key, 0) + len(plan.sizes)
    teachers = teachers_create(ctx=ctx, spec=spec, organizations=organizations, groups_by_org=groups_by_org,
                               serial=catalog.serial * 1000)

    group_plans: list[GroupPlan] = []
    for plan, programme in zip(plans, programmes, strict=True):
        org_type = org_specs[plan.org_key].org_type
        own = venues[plan.org_key]
        for number, (size, (age_from, age_to)) in enumerate(
                zip(plan.sizes, _age_bands(plan.age_from, plan.age_to, len(plan.sizes)), strict=True), start=1):
            venue = own[0] if len(own) == 1 or rng.random() < 0.7 else own[rng.randrange(1, len(own))]
            partners = partners_by_programme.get(programme.pk)
            if partners and org_type == SUP and rng.random() < 0.5:
                venue = venues[rng.choice(partners)][0]  # classes in the partner school's building
            group_plans.append(GroupPlan(
                programme=programme, org_key=plan.org_key, org_type=org_type, direction=plan.direction,
                age_from=age_from, age_to=age_to, planned=size, venue=venue,
                name=f"Группа {number} ({age_from}–{age_to} лет)"))
    _assign_teachers(ctx=ctx, group_plans=group_plans, teachers=teachers)
    summer_groups = [
        GroupPlan(programme=programme, org_key=plan.org_key, org_type=SUP, direction=plan.direction, age_from=10,
                  age_to=17, planned=plan.sizes[0], venue=venues[plan.org_key][0], name="Смена 1", is_summer=True,
                  teachers=[teachers[plan.org_key][0]],
                  period=(dt.date(ctx.year_end.year, 6, 2), dt.date(ctx.year_end.year, 6, 22)))
        for plan, programme in zip(summer, summer_programmes, strict=True)
    ]
    catalog.teachers, catalog.groups, catalog.summer_groups = teachers, group_plans, summer_groups
    catalog.programmes = [*programmes, *summer_programmes, *drafts]


def _assign_teachers(*, ctx: Ctx, group_plans: list[GroupPlan], teachers: dict[str, list[Teacher]]) -> None:
    """Each organization's groups go to its teachers in blocks by direction; a few groups get a second one."""
    by_org: dict[str, list[GroupPlan]] = {}
    for plan in group_plans:
        by_org.setdefault(plan.org_key, []).append(plan)
    for org_key, plans in by_org.items():
        staff = teachers[org_key]
        ordered = sorted(plans, key=lambda p: (p.direction, p.programme.title))
        per_teacher = max(1, math.ceil(len(ordered) / len(staff)))
        for index, plan in enumerate(ordered):
            plan.teachers = [staff[min(index // per_teacher, len(staff) - 1)]]
            if len(staff) > 1 and ctx.rng.random() < 0.05:
                second = staff[ctx.rng.randrange(len(staff))]
                if second is not plan.teachers[0]:
                    plan.teachers.append(second)

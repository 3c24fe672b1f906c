"""Bulk data for benchmarks: ``scale_build(children=2_500_000, municipalities=…)`` in minutes.

Proportions follow the design's scale target (2.5 million children, 5 million enrollments, 100 000 groups,
60 000 programmes, 2 000 organizations): one organization per 1 250 children, one group per 25, three
programmes per five groups, about two enrollments per child, one application per enrollment plus some in
every other status, a guardian or two per family. Children are written in chunks with their guardians,
links, applications and enrollments (COPY on PostgreSQL). A group never gets more children than seats;
``Group.enrolled_count`` is kept by the triggers or — when the load runs with triggers off — set in one
UPDATE at the end. The same seed gives the same rows (and the same ids in an empty database).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from kruzhok.catalog.models import Direction, Group, Organization, Programme, Venue
from kruzhok.demo import names
from kruzhok.demo.base import academic_year_start, largest_remainder, years_before
from kruzhok.demo.progress import Progress
from kruzhok.demo.scale_io import (
    BackgroundLoader,
    TableWriter,
    indexes_deferred,
    next_id,
    sequences_reset,
    timestamp_text,
    triggers_disabled,
)
from kruzhok.demo.spec import AGE_SHAPE, KINDERGARTEN_TITLES, PROGRAMME_TITLES
from kruzhok.enrollment.models import Application, Enrollment, RejectReason
from kruzhok.people.models import Child, Guardian, GuardianLink
from kruzhok.territory.models import Municipality, Population, Region, Settlement

DEFAULT_SEED = 2024
CHILDREN_PER_ORGANIZATION = 1_250
CHILDREN_PER_GROUP = 25
PROGRAMMES_PER_GROUP = 0.6
CHUNK = 50_000
MIN_AGE = 3
CLUBS = ((0, 1, 2, 3, 4), (0.1, 0.17, 0.25, 0.25, 0.23))  # clubs per child aged 5–17: two per child overall
ORG_TYPES = (("supplementary", 0.3, 3.0), ("school", 0.5, 1.0), ("kindergarten", 0.2, 0.5))  # type, share, size
DIRECTION_SHARES = {"artistic": 32, "technical": 24, "sport": 22, "tourism": 8, "social": 6, "military_patriotic": 4,
                    "natural_science": 4}
EXTRA_STATUSES = (("submitted", "under_review", "invited", "waitlisted", "rejected", "withdrawn", "expired"),
                  (0.25, 0.15, 0.1, 0.2, 0.1, 0.12, 0.08))
EXTRA_APPLICATION_SHARE = 0.12

CHILD_FIELDS = ("id", "created_at", "updated_at", "surname", "name", "patronymic", "sex", "birth_date",
                "national_id_kind", "national_id", "municipality", "settlement", "school", "school_name", "grade",
                "phone", "certificate_number", "registered_by", "merged_into")
GUARDIAN_FIELDS = ("id", "created_at", "updated_at", "user", "surname", "name", "patronymic", "phone", "email")
LINK_FIELDS = ("id", "guardian", "child", "relation")
APPLICATION_FIELDS = ("id", "created_at", "updated_at", "child", "group", "channel", "submitted_at", "status",
                      "status_changed_at", "answer_due_at", "decided_at", "reject_reason", "comment", "submitted_by",
                      "idempotency_key")
ENROLLMENT_FIELDS = ("id", "created_at", "updated_at", "child", "group", "application", "status", "start_date",
                     "end_date", "order_number", "funding_source", "end_reason", "previous")
PROGRAMME_FIELDS = ("id", "created_at", "updated_at", "organization", "code", "title", "title_kk", "title_en",
                    "description", "direction", "level", "age_from", "age_to", "hours", "duration_months", "form",
                    "is_network", "adapted_ovz", "for_gifted", "for_difficult_situation", "is_summer_shift",
                    "funding", "price", "certificate_hour_cost", "is_socially_significant", "status")
GROUP_FIELDS = ("id", "created_at", "updated_at", "programme", "name", "venue", "capacity", "enrolled_count",
                "age_from", "age_to", "period_start", "period_end", "enrollment_opens_at", "enrollment_closes_at",
                "is_active")
FUNDING_SOURCE = {"free": "budget", "paid": "paid", "certificate": "certificate"}


def scale_region_code(seed: int) -> str:
    return f"SCALE-{seed}"


def scale_exists(*, seed: int = DEFAULT_SEED) -> bool:
    return Region.objects.filter(code=scale_region_code(seed)).exists()


@dataclasses.dataclass
class _Town:
    municipality: Municipality
    children: int
    settlement_ids: list[int]
    school_ids: list[int]
    kindergarten_ids: list[int]
    buckets: dict[int, list[int]]  # age → indexes of the town's groups that take it


@dataclasses.dataclass
class _Catalog:
    group_ids: list[int]
    group_capacity: list[int]
    group_funding: list[str]
    group_org: list[int]
    start_days: list[str]


class _Clock:
    """Dates and timestamps as text, cached: the generator makes millions of them."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.year_start = academic_year_start(today)
        # Rows are stamped with the start of ``today`` in the installation's time zone: never in the future when
        # ``today`` is the local date (a later hour of it would be, in the evening in UTC, and every generated
        # row would then count as changed after the next aggregates refresh).
        start = dt.datetime.combine(today, dt.time(0), tzinfo=timezone.get_current_timezone())
        self.now = timestamp_text(start.astimezone(dt.UTC))
        self.zone = self.now[19:]  # "+00:00" on PostgreSQL, "" on SQLite
        self._days: dict[int, str] = {}
        self.birth_ranges = {age: (years_before(today, age + 1).toordinal() + 1, years_before(today, age).toordinal())
                             for age in range(18)}

    def day(self, ordinal: int) -> str:
        text = self._days.get(ordinal)
        if text is None:
            text = self._days[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    def moment(self, ordinal: int, minute_of_day: int) -> str:
        """A UTC timestamp on a day, in the text form of :func:`timestamp_text`."""
        return f"{self.day(ordinal)} {minute_of_day // 60:02d}:{minute_of_day % 60:02d}:00{self.zone}"


def scale_build(*, children: int, municipalities: int, seed: int = DEFAULT_SEED, today: dt.date | None = None,
                progress: bool = True, defer_indexes: bool = True) -> dict:
    """Write a region of ``municipalities`` municipalities holding ``children`` children; returns the counts.

    On PostgreSQL outside a transaction the rows are generated while a second connection loads the previous
    chunk; the load is one transaction, with triggers off (when the role may) and plain indexes rebuilt at
    the end (``defer_indexes``). Inside a transaction (tests) and on SQLite everything runs in line.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    clock = _Clock(today or timezone.localdate())
    with transaction.atomic():
        region = Region.objects.create(code=scale_region_code(seed), name=f"Масштабная область {seed}", country="RU")
        towns = _towns_create(rng=rng, region=region, children=children, municipalities=municipalities)
        catalog = _catalog_create(rng=rng, clock=clock, towns=towns, children=children)
    writers = {name: TableWriter(model, fields) for name, model, fields in (
        ("children", Child, CHILD_FIELDS), ("guardians", Guardian, GUARDIAN_FIELDS),
        ("links", GuardianLink, LINK_FIELDS), ("applications", Application, APPLICATION_FIELDS),
        ("enrollments", Enrollment, ENROLLMENT_FIELDS))}
    bar = Progress(total=round(children * 7.6), label="children", enabled=progress)
    ages_by_town = [_ages(rng, town.children) for town in towns]
    populations = [Population(municipality=town.municipality, year=clock.today.year, age=age, count=ages.count(age))
                   for town, ages in zip(towns, ages_by_town, strict=True) for age in range(18)]
    outcome: dict[str, bool] = {}

    def load(chunks) -> None:
        """Write the chunks in one transaction: triggers off where allowed, plain indexes rebuilt at the end."""
        with transaction.atomic(), triggers_disabled() as off:
            outcome["triggers_disabled"] = off
            with indexes_deferred(writers_models) if defer_indexes else contextlib.nullcontext():
                for rows in chunks:
                    for name, writer in writers.items():
                        bar.advance(writer.write(rows[name]), label=name)
                bar.advance(0, label="indexes")
            Population.objects.bulk_create(populations)
            if off:
                _enrolled_counts_set(catalog.group_ids)

    writers_models = [w.model for w in writers.values()]
    # In a separate thread only outside any transaction (its connection could not see uncommitted rows).
    background = connection.vendor == "postgresql" and not connection.in_atomic_block
    generator = _PeopleGenerator(rng=rng, clock=clock, catalog=catalog, seed=seed)

    def chunks():
        for town, ages in zip(towns, ages_by_town, strict=True):
            for start in range(0, len(ages), CHUNK):
                yield generator.chunk(town=town, ages=ages[start:start + CHUNK])

    if background:
        loader = BackgroundLoader(load)
        for rows in chunks():
            loader.put(rows)
        loader.finish()
    else:
        load(chunks())
    off = outcome["triggers_disabled"]
    bar.close()
    sequences_reset([Child, Guardian, GuardianLink, Application, Enrollment, Programme, Group])
    if connection.vendor == "postgresql":
        # Every table the generator wrote, the small ones too: without statistics the planner takes the
        # 60 municipalities or 2 000 organizations for one row and plans nested loops over millions.
        with connection.cursor() as cursor:
            for model in (Child, Guardian, GuardianLink, Application, Enrollment, Group, Programme, Organization,
                          Municipality, Region, Settlement):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    wall = time.perf_counter() - started
    rows = {name: writer.written for name, writer in writers.items()}
    organizations, programmes = catalog_counts(region)
    rows.update(organizations=organizations, programmes=programmes, groups=len(catalog.group_ids))
    return {"region": region.code, "municipalities": len(towns), "children": rows["children"], "rows": rows,
            "rows_total": sum(rows.values()), "triggers_disabled": off, "seconds": round(wall, 1)}


def catalog_counts(region: Region) -> tuple[int, int]:
    return (Organization.objects.filter(municipality__region=region).count(),
            Programme.objects.filter(organization__municipality__region=region).count())


def _ages(rng: random.Random, count: int) -> list[int]:
    shape = {age: AGE_SHAPE[age] for age in range(MIN_AGE, 18)}
    ages = [age for age, n in largest_remainder(shape, count).items() for _ in range(n)]
    rng.shuffle(ages)
    return ages


def _towns_create(*, rng: random.Random, region: Region, children: int, municipalities: int) -> list[_Town]:
    weights = {index: rng.uniform(0.3, 3.0) for index in range(municipalities)}
    counts = largest_remainder(weights, children)
    prefix = f"SC{region.code[-4:]}"
    rows = [Municipality(region=region, code=f"{prefix}-{index + 1:05d}", kind="district",
                         name=f"Муниципальный район {index + 1} ({region.name})") for index in range(municipalities)]
    Municipality.objects.bulk_create(rows)
    settlements = [Settlement(municipality=m, name=name, is_rural=rural) for m in rows
                   for name, rural in ((f"г. Райцентр-{m.code[-4:]}", False), ("с. Первое", True),
                                       ("с. Второе", True), ("д. Третья", True))]
    Settlement.objects.bulk_create(settlements)
    return [_Town(municipality=m, children=counts[i], settlement_ids=[s.pk for s in settlements[4 * i:4 * i + 4]],
                  school_ids=[], kindergarten_ids=[], buckets={}) for i, m in enumerate(rows)]


def _catalog_create(*, rng: random.Random, clock: _Clock, towns: list[_Town], children: int) -> _Catalog:
    """Organizations and venues (ORM), programmes and groups (bulk writer), in proportion to the children."""
    total_orgs = max(3 * len(towns), round(children / CHILDREN_PER_ORGANIZATION))
    per_town = largest_remainder({i: max(t.children, 1) for i, t in enumerate(towns)}, total_orgs - 3 * len(towns))
    orgs, org_town = [], []
    for index, town in enumerate(towns):
        types = ["supplementary", "school", "kindergarten"] + rng.choices(
            [t for t, _, _ in ORG_TYPES], weights=[s for _, s, _ in ORG_TYPES], k=per_town[index])
        for number, org_type in enumerate(types, start=1):
            orgs.append(Organization(municipality=town.municipality, org_type=org_type,
                                     name=f"Организация {number} ({town.municipality.code})",
                                     short_name=f"{org_type[:3].upper()}-{town.municipality.code}-{number}",
                                     licence_number=f"Л035-{town.municipality.code}-{number}"))
            org_town.append(index)
    Organization.objects.bulk_create(orgs)
    venues = [Venue(organization=o, name="Главное здание", settlement_id=towns[t].settlement_ids[0],
                    address="ул. Центральная, 1") for o, t in zip(orgs, org_town, strict=True)]
    Venue.objects.bulk_create(venues)
    for org, town_index in zip(orgs, org_town, strict=True):
        town = towns[town_index]
        if org.org_type == "school":
            town.school_ids.append(org.pk)
        elif org.org_type == "kindergarten":
            town.kindergarten_ids.append(org.pk)

    directions = {d.code: d.pk for d in Direction.objects.filter(country="RU")}
    size = {t: s for t, _, s in ORG_TYPES}
    total_groups = max(len(orgs), round(children / CHILDREN_PER_GROUP))
    total_programmes = max(len(orgs), min(total_groups, round(total_groups * PROGRAMMES_PER_GROUP)))
    org_weights = [size[o.org_type] for o in orgs]
    programme_org = list(range(len(orgs))) + rng.choices(range(len(orgs)), weights=org_weights,
                                                         k=total_programmes - len(orgs))
    direction_codes, direction_weights = list(DIRECTION_SHARES), list(DIRECTION_SHARES.values())
    first_programme = next_id(Programme)
    now = clock.now
    programme_rows, programme_meta = [], []
    for number, org_index in enumerate(programme_org):
        org = orgs[org_index]
        code = rng.choices(direction_codes, weights=direction_weights)[0]
        titles = KINDERGARTEN_TITLES.get(code) if org.org_type == "kindergarten" else None
        title, age_from, age_to = rng.choice(titles or PROGRAMME_TITLES[code])
        funding = rng.choices(("free", "certificate", "paid"), weights=(0.85, 0.1, 0.05))[0]
        programme_rows.append((
            first_programme + number, now, now, org.pk, f"S{number:06d}", title, "", "", "", directions[code],
            "basic", age_from, age_to, 72 * rng.randint(1, 3), 9, "in_person", rng.random() < 0.08,
            rng.random() < 0.04, False, rng.random() < 0.02, False, funding, "2000.00" if funding == "paid" else None,
            "120.00" if funding == "certificate" else None, rng.random() < 0.3, "published"))
        programme_meta.append((org_index, age_from, age_to, funding))
    TableWriter(Programme, PROGRAMME_FIELDS).write(programme_rows)

    first_group = next_id(Group)
    group_programme = list(range(total_programmes)) + [rng.randrange(total_programmes)
                                                       for _ in range(total_groups - total_programmes)]
    opens = timestamp_text(dt.datetime.combine(clock.year_start - dt.timedelta(days=21), dt.time(4), tzinfo=dt.UTC))
    closes = timestamp_text(dt.datetime.combine(clock.year_start + dt.timedelta(days=45), dt.time(13), tzinfo=dt.UTC))
    period = (clock.year_start.isoformat(), dt.date(clock.year_start.year + 1, 5, 31).isoformat())
    catalog = _Catalog(group_ids=[], group_capacity=[], group_funding=[], group_org=[], start_days=[
        clock.day((clock.year_start + dt.timedelta(days=d)).toordinal())
        for d in range(max(1, min(25, (clock.today - clock.year_start).days) + 1))])
    group_rows = []
    for index, programme_index in enumerate(group_programme):
        org_index, age_from, age_to, funding = programme_meta[programme_index]
        capacity = rng.randint(40, 76)  # about 1.15 seats per planned enrollment
        group_id = first_group + index
        group_rows.append((group_id, now, now, first_programme + programme_index, f"Группа {index + 1}",
                           venues[org_index].pk, capacity, 0, age_from, age_to, *period, opens, closes, True))
        catalog.group_ids.append(group_id)
        catalog.group_capacity.append(capacity)
        catalog.group_funding.append(FUNDING_SOURCE[funding])
        catalog.group_org.append(orgs[org_index].pk)
        buckets = towns[org_town[org_index]].buckets
        for age in range(age_from, age_to + 1):
            buckets.setdefault(age, []).append(index)
    TableWriter(Group, GROUP_FIELDS).write(group_rows)
    return catalog


class _PeopleGenerator:
    """Children in families, their guardians and links, enrollments and applications — as row tuples."""

    def __init__(self, *, rng: random.Random, clock: _Clock, catalog: _Catalog, seed: int) -> None:
        self.rng, self.clock, self.catalog = rng, clock, catalog
        self.remaining = list(catalog.group_capacity)
        self.ids = {model: next_id(model) for model in (Child, Guardian, GuardianLink, Application, Enrollment)}
        self.reject_reasons = list(RejectReason.objects.order_by("code").values_list("id", flat=True)) or [None]
        self.snils_serial = 20_000_000 + (seed % 1000) * 100_000

    def _take(self, model) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def _groups_for(self, town: _Town, age: int, count: int) -> list[int]:
        """Up to ``count`` distinct groups with a free seat that take a child of ``age`` in ``town``."""
        bucket = town.buckets.get(age)
        chosen: list[int] = []
        rng, remaining = self.rng, self.remaining
        while bucket and len(chosen) < count:
            position = rng.randrange(len(bucket))
            group = bucket[position]
            if remaining[group] <= 0:
                bucket[position] = bucket[-1]
                bucket.pop()
                continue
            if group in chosen:
                if len(bucket) <= count:
                    break
                continue
            remaining[group] -= 1
            chosen.append(group)
        return chosen

    def chunk(self, *, town: _Town, ages: list[int]) -> dict[str, list[tuple]]:
        rng, clock = self.rng, self.clock
        now = clock.now
        rows: dict[str, list[tuple]] = {"children": [], "guardians": [], "links": [], "applications": [],
                                        "enrollments": []}
        municipality_id = town.municipality.pk
        position = 0
        while position < len(ages):
            size = rng.choices((1, 2, 3), weights=(0.55, 0.35, 0.1))[0]
            family_ages, position = ages[position:position + size], position + size
            family = names.family_new(rng)
            settlement = town.settlement_ids[0] if rng.random() < 0.8 else rng.choice(town.settlement_ids[1:])
            school = rng.choice(town.school_ids) if town.school_ids else None
            kindergarten = rng.choice(town.kindergarten_ids) if town.kindergarten_ids else None
            guardians = []
            if rng.random() < 0.97:
                guardian_id = self._take(Guardian)
                rows["guardians"].append((guardian_id, now, now, None, names.feminine_surname(family.surname),
                                          family.mother, family.mother_patronymic, names.phone_number(rng), ""))
                guardians.append((guardian_id, "mother"))
            if not guardians or rng.random() < 0.7:
                guardian_id = self._take(Guardian)
                rows["guardians"].append((guardian_id, now, now, None, family.surname, family.father,
                                          family.father_patronymic, names.phone_number(rng), ""))
                guardians.append((guardian_id, "father"))
            for age in family_ages:
                child_id = self._take(Child)
                sex = "M" if rng.random() < 0.51 else "F"
                surname, name, patronymic = names.child_full_name(rng, family=family, sex=sex)
                low, high = clock.birth_ranges[age]
                snils = ""
                if rng.random() < 0.9:
                    self.snils_serial += 1
                    snils = names.snils_number(self.snils_serial)
                rows["children"].append((
                    child_id, now, now, surname, name, patronymic, sex, clock.day(rng.randint(low, high)),
                    "snils" if snils else "", snils, municipality_id, settlement,
                    school if age >= 7 else kindergarten, "", min(age - 6, 11) if age >= 7 else None, "", "", None,
                    None))
                for guardian_id, relation in guardians:
                    rows["links"].append((self._take(GuardianLink), guardian_id, child_id, relation))
                self._activity(rows, town, child_id, age)
        return rows

    def _activity(self, rows: dict[str, list[tuple]], town: _Town, child_id: int, age: int) -> None:
        rng, clock, catalog = self.rng, self.clock, self.catalog
        now = clock.now
        clubs = rng.choices(*CLUBS)[0] if age >= 5 else int(rng.random() < 0.3)
        groups = self._groups_for(town, age, clubs)
        for group in groups:
            start = rng.choice(catalog.start_days)
            start_ordinal = dt.date.fromisoformat(start).toordinal()
            submitted = clock.moment(start_ordinal - rng.randint(2, 25), rng.randint(480, 1320))
            decided = clock.moment(start_ordinal, 600)
            application_id = self._take(Application)
            rows["applications"].append((application_id, now, now, child_id, catalog.group_ids[group],
                                         "navigator" if rng.random() < 0.8 else "organization", submitted, "enrolled",
                                         decided, submitted, decided, None, "", None, None))
            ended = rng.random() < 0.05
            rows["enrollments"].append((
                self._take(Enrollment), now, now, child_id, catalog.group_ids[group], application_id,
                "expelled" if ended else "active", start, clock.today.isoformat() if ended else None,
                f"{catalog.group_org[group] % 900 + 10}-Д от {start}", catalog.group_funding[group],
                "по заявлению родителей" if ended else "", None))
            if ended:
                self.remaining[group] += 1  # the seat is free again
        if age >= 5 and rng.random() < EXTRA_APPLICATION_SHARE:
            bucket = town.buckets.get(age)
            if bucket:
                group = bucket[rng.randrange(len(bucket))]
                if group not in groups:
                    status = rng.choices(*EXTRA_STATUSES)[0]
                    if status == "invited":  # an invitation holds a seat (``Group.held_count``)
                        if self.remaining[group] > 0:
                            self.remaining[group] -= 1
                        else:
                            status = "waitlisted"
                    submitted = clock.moment(clock.today.toordinal() - rng.randint(1, 20), rng.randint(480, 1320))
                    decided = None if status in ("submitted", "under_review") else submitted
                    rows["applications"].append((
                        self._take(Application), now, now, child_id, catalog.group_ids[group], "navigator", submitted,
                        status, submitted, submitted, decided,
                        rng.choice(self.reject_reasons) if status == "rejected" else None, "", None, None))


def _enrolled_counts_set(group_ids: list[int]) -> None:
    """With triggers off, set the counters the triggers keep: active enrollments, then invitations holding seats."""
    if not group_ids:
        return
    counters = [("enrolled_count", "enrollment_enrollment", "active")]
    if any(f.column == "held_count" for f in Group._meta.concrete_fields):
        counters.append(("held_count", "enrollment_application", "invited"))
    with connection.cursor() as cursor:
        for column, table, status in counters:
            cursor.execute(
                f"UPDATE catalog_group AS g SET {column} = c.n FROM ("
                f" SELECT group_id, COUNT(*) AS n FROM {table}"
                " WHERE status = %s AND group_id BETWEEN %s AND %s GROUP BY group_id) AS c"
                " WHERE g.id = c.group_id", [status, min(group_ids), max(group_ids)])

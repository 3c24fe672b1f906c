"""Children of one demo municipality in families, with guardians, categories and a few duplicate records."""

from __future__ import annotations

import dataclasses
import datetime as dt

from kruzhok.demo import names
from kruzhok.demo.base import Ctx, birth_date_for_age, largest_remainder
from kruzhok.demo.catalog import MunicipalityCatalog
from kruzhok.demo.spec import AGE_SHAPE, KG, SCHOOL, MunicipalitySpec
from kruzhok.people.models import Child, ChildCategory, Guardian, GuardianLink, age_on
from kruzhok.territory.models import Municipality, Settlement

FAMILY_SIZES = ((1, 0.5), (2, 0.37), (3, 0.11), (4, 0.02))
DUPLICATE_KINDS = ("typo", "yo", "swapped_date", "typo", "yo", "swapped_date", "no_patronymic", "typo", "yo")
ORPHANAGE_SHARE = 0.004
CATEGORY_SHARES = {ChildCategory.Kind.OVZ: 0.025, ChildCategory.Kind.DISABILITY: 0.012,
                   ChildCategory.Kind.DIFFICULT: 0.04, ChildCategory.Kind.GIFTED: 0.03}
CATEGORY_DOCUMENTS = {
    ChildCategory.Kind.OVZ: "Заключение ПМПК № {n}",
    ChildCategory.Kind.DISABILITY: "Справка МСЭ серия 2024 № {n}",
    ChildCategory.Kind.DIFFICULT: "Акт обследования условий жизни № {n}",
    ChildCategory.Kind.GIFTED: "Индивидуальный образовательный маршрут № {n}",
    ChildCategory.Kind.ORPHAN: "Постановление об установлении опеки № {n}",
    ChildCategory.Kind.ORPHANAGE: "Приказ о зачислении в детский дом № {n}",
}


@dataclasses.dataclass(eq=False)
class Kid:
    """A child while the demo is being built: the row plus what placing it in clubs needs."""

    child: Child
    age: int
    settlement_id: int
    rural: bool
    school_key: str | None
    guardians: list[Guardian] = dataclasses.field(default_factory=list)
    quota: int = 0
    groups: list = dataclasses.field(default_factory=list)
    original: Kid | None = None


@dataclasses.dataclass
class MunicipalityPeople:
    kids: list[Kid]
    duplicates: list[Kid]
    age_counts: dict[int, int]


def age_counts_for(spec: MunicipalitySpec) -> dict[int, int]:
    young = largest_remainder({a: AGE_SHAPE[a] for a in range(5)}, spec.children_under_5)
    school = largest_remainder({a: AGE_SHAPE[a] for a in range(5, 18)}, spec.children_5_17)
    return {**young, **school}


def _schools_by_settlement(spec: MunicipalitySpec, org_type: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for org in spec.organizations:
        if org.org_type == org_type and org.ownership != "regional":
            found.setdefault(org.settlement, []).append(org.key)
    return found


def people_build(*, ctx: Ctx, spec: MunicipalitySpec, municipality: Municipality, settlements: dict[str, Settlement],
                 catalog: MunicipalityCatalog, snils_offset: int) -> MunicipalityPeople:
    rng = ctx.rng
    counts = age_counts_for(spec)
    ages = [age for age, count in counts.items() for _ in range(count)]
    rng.shuffle(ages)
    schools = _schools_by_settlement(spec, SCHOOL)
    kindergartens = _schools_by_settlement(spec, KG)
    town = spec.settlements[0].name
    internat = next((o.key for o in spec.organizations if o.ownership == "regional"), None)
    snils = iter(rng.sample(range(snils_offset, snils_offset + 9_000_000), len(ages)))
    kids: list[Kid] = []
    guardians: list[Guardian] = []
    links: list[GuardianLink] = []
    categories: list[ChildCategory] = []
    director = None
    if internat:
        surname, name, patronymic = names.adult_full_name(rng, sex="F")
        director = Guardian(surname=surname, name=name, patronymic=patronymic, phone=names.phone_number(rng))
        guardians.append(director)

    position = 0
    while position < len(ages):
        size = rng.choices([s for s, _ in FAMILY_SIZES], weights=[w for _, w in FAMILY_SIZES])[0]
        family_ages, position = ages[position:position + size], position + size
        family = names.family_new(rng)
        settlement_spec = rng.choices(spec.settlements, weights=[s.share for s in spec.settlements])[0]
        settlement = settlements[settlement_spec.name]
        school_key = rng.choice(schools.get(settlement_spec.name) or schools[town])
        kg_key = rng.choice(kindergartens.get(settlement_spec.name) or kindergartens[town])
        situation = "family"
        single = len(family_ages) == 1
        if single and director is not None and family_ages[0] >= 7 and rng.random() < ORPHANAGE_SHARE * 2:
            situation = "orphanage"
        elif single and rng.random() < 0.012:
            situation = "custody"
        family_kids: list[Kid] = []
        used_names: set[str] = set()
        for age in family_ages:
            sex = "M" if rng.random() < 0.51 else "F"
            for _ in range(6):
                surname, name, patronymic = names.child_full_name(rng, family=family, sex=sex)
                if name not in used_names:
                    break
            used_names.add(name)
            org_key = None
            if age >= 7:
                org_key = internat if situation == "orphanage" else school_key
            elif age >= 3 and rng.random() < 0.88:
                org_key = kg_key
            child = Child(
                surname=surname, name=name, patronymic=patronymic, sex=sex,
                birth_date=birth_date_for_age(rng, age=age, on=ctx.today),
                municipality=municipality, settlement=settlement,
                school=catalog.organizations[org_key] if org_key else None,
                grade=min(age - 6, 11) if age >= 7 else None,
                phone=names.phone_number(rng) if age >= 11 and rng.random() < 0.6 else "",
                certificate_number=f"77{rng.randrange(10**8):08d}" if age >= 5 and rng.random() < 0.55 else "",
            )
            if rng.random() < 0.93:
                child.national_id_kind, child.national_id = Child.IdKind.SNILS, names.snils_number(next(snils))
            family_kids.append(Kid(child=child, age=age, settlement_id=settlement.pk,
                                   rural=settlement_spec.is_rural, school_key=org_key))
        kids.extend(family_kids)
        family_guardians = _guardians_for(ctx=ctx, family=family, situation=situation, director=director)
        guardians.extend(g for g, _ in family_guardians if g is not director)
        for kid in family_kids:
            kid.guardians = [g for g, _ in family_guardians]
            links.extend(GuardianLink(guardian=g, child=kid.child, relation=relation)
                         for g, relation in family_guardians)
            if situation == "orphanage":
                categories.append(_category(ctx, kid, ChildCategory.Kind.ORPHANAGE))
            elif situation == "custody":
                categories.append(_category(ctx, kid, ChildCategory.Kind.ORPHAN))

    for kind, share in CATEGORY_SHARES.items():
        eligible = [k for k in kids if k.age >= (7 if kind == ChildCategory.Kind.GIFTED else 3)]
        for kid in rng.sample(eligible, round(len(eligible) * share)):
            categories.append(_category(ctx, kid, kind))

    duplicates = _duplicates(ctx=ctx, spec=spec, kids=kids, catalog=catalog)
    Child.objects.bulk_create([k.child for k in kids] + [d.child for d in duplicates])
    Guardian.objects.bulk_create(guardians)
    for duplicate in duplicates:
        if duplicate.guardians:
            links.append(GuardianLink(guardian=duplicate.guardians[0], child=duplicate.child,
                                      relation=GuardianLink.Relation.MOTHER))
    GuardianLink.objects.bulk_create(links)
    ChildCategory.objects.bulk_create(categories)
    return MunicipalityPeople(kids=kids, duplicates=duplicates, age_counts=counts)


def _guardians_for(*, ctx: Ctx, family: names.Family, situation: str,
                   director: Guardian | None) -> list[tuple[Guardian, str]]:
    rng = ctx.rng
    if situation == "orphanage" and director is not None:
        return [(director, GuardianLink.Relation.OTHER)]
    if situation == "custody":
        surname, name, patronymic = names.adult_full_name(rng, sex="F")
        return [(Guardian(surname=surname, name=name, patronymic=patronymic, phone=names.phone_number(rng)),
                 GuardianLink.Relation.GUARDIAN)]
    found = []
    has_mother = rng.random() < 0.97
    if has_mother:
        surname = names.feminine_surname(family.surname)
        found.append((Guardian(surname=surname, name=family.mother, patronymic=family.mother_patronymic,
                               phone=names.phone_number(rng),
                               email=_email(rng, surname, family.mother) if rng.random() < 0.45 else ""),
                      GuardianLink.Relation.MOTHER))
    if not has_mother or rng.random() < 0.75:
        found.append((Guardian(surname=family.surname, name=family.father, patronymic=family.father_patronymic,
                               phone=names.phone_number(rng),
                               email=_email(rng, family.surname, family.father) if rng.random() < 0.3 else ""),
                      GuardianLink.Relation.FATHER))
    return found


def _email(rng, surname: str, name: str) -> str:
    return f"{names.translit(surname)}.{names.translit(name)[:1]}{rng.randrange(10, 1000)}@example.com"


def _category(ctx: Ctx, kid: Kid, kind: str) -> ChildCategory:
    rng = ctx.rng
    start = max(kid.child.birth_date, ctx.today - dt.timedelta(days=rng.randint(30, 5 * 365)))
    valid_to = None
    if kind == ChildCategory.Kind.DIFFICULT:
        valid_to = start + dt.timedelta(days=365)  # reviewed yearly: some have lapsed
    elif kind in (ChildCategory.Kind.DISABILITY, ChildCategory.Kind.OVZ) and rng.random() < 0.5:
        valid_to = dt.date(ctx.today.year + rng.randint(0, 3), 12, 31)
    return ChildCategory(child=kid.child, kind=kind, valid_from=start, valid_to=valid_to,
                         document=CATEGORY_DOCUMENTS[kind].format(n=rng.randint(1, 999)))


def _typo(text: str, rng) -> str:
    for double in ("нн", "лл", "сс", "пп"):
        if double in text:
            return text.replace(double, double[0], 1)
    i = rng.randrange(1, max(2, len(text) - 2))
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _duplicates(*, ctx: Ctx, spec: MunicipalitySpec, kids: list[Kid], catalog: MunicipalityCatalog) -> list[Kid]:
    """The same child registered a second time (by a school, without СНИЛС) with a slip: not merged."""
    rng = ctx.rng
    schools = [key for key, org in catalog.organizations.items() if org.org_type == SCHOOL]
    taken: set[int] = set()
    duplicates = []
    for kind in DUPLICATE_KINDS[: spec.duplicates]:
        def fits(kid: Kid, kind: str = kind) -> bool:
            c = kid.child
            if id(kid) in taken or not 7 <= kid.age <= 15 or not kid.guardians:
                return False
            if kind == "yo":
                return "ё" in f"{c.surname}{c.name}{c.patronymic}"
            if kind == "swapped_date":
                return c.birth_date.day <= 12 and c.birth_date.day != c.birth_date.month
            return True

        candidates = [k for k in kids if fits(k)]
        original = candidates[rng.randrange(len(candidates))]
        taken.add(id(original))
        source = original.child
        surname, name, patronymic, born = source.surname, source.name, source.patronymic, source.birth_date
        if kind == "typo":
            surname = _typo(surname, rng)
        elif kind == "yo":
            surname, name, patronymic = (part.translate(names.YO_PLAIN) for part in (surname, name, patronymic))
        elif kind == "swapped_date":
            born = dt.date(born.year, born.day, born.month)
        else:
            patronymic = ""
        registered_key = rng.choice([s for s in schools if s != original.school_key] or schools)
        registered_by = catalog.organizations[registered_key]
        child = Child(surname=surname, name=name, patronymic=patronymic, sex=source.sex, birth_date=born,
                      municipality=source.municipality, settlement=source.settlement, school=source.school,
                      grade=source.grade, registered_by=registered_by)
        duplicates.append(Kid(child=child, age=age_on(born, ctx.today), settlement_id=original.settlement_id,
                              rural=original.rural, school_key=registered_key,
                              guardians=original.guardians[:1] if rng.random() < 0.5 else [], original=original))
    return duplicates

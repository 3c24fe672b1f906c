"""Who attends which clubs: choosing the enrolled children and placing them in the planned groups.

Coverage is exact by construction: the number of enrolled children of each age is decided first (the
municipality's coverage of the 5–17 band, spread over ages like a real town's), each of them gets a number
of clubs (one, two or three), then each seat is drawn among the groups that suit the child's age, weighted
by the seats still planned and by where the child lives and studies.
"""

from __future__ import annotations

from kruzhok.demo.base import Ctx, largest_remainder
from kruzhok.demo.catalog import GroupPlan, MunicipalityCatalog
from kruzhok.demo.people import Kid, MunicipalityPeople
from kruzhok.demo.spec import CLUBS_PER_CHILD, ENROLLED_WEIGHT_BY_AGE, KG, SCHOOL, MunicipalitySpec

DUPLICATES_ENROLLED_SHARE = 0.6


def enrolled_select(*, ctx: Ctx, spec: MunicipalitySpec, people: MunicipalityPeople) -> int:
    """Give the chosen children their number of clubs (``Kid.quota``); returns the total number of seats."""
    rng = ctx.rng
    by_age: dict[int, list[Kid]] = {}
    for kid in people.kids:
        by_age.setdefault(kid.age, []).append(kid)
    target = round(spec.coverage * spec.children_5_17)
    weights = {age: len(by_age.get(age, [])) * weight for age, weight in ENROLLED_WEIGHT_BY_AGE.items()}
    quotas = largest_remainder(weights, target)
    quotas.update(largest_remainder({3: 1.0, 4: 1.6}, spec.preschool_enrolled))
    seats = 0
    for age, count in quotas.items():
        band = "preschool" if age < 7 else "primary" if age <= 12 else "teen"
        for kid in rng.sample(by_age.get(age, []), min(count, len(by_age.get(age, [])))):
            kid.quota = rng.choices((1, 2, 3), weights=CLUBS_PER_CHILD[band])[0]
            seats += kid.quota
    return seats


def _affinity(plan: GroupPlan, kid: Kid, rural_ids: set[int]) -> float:
    weight = 1.0
    if plan.org_key == kid.school_key:
        weight *= 4.0
    elif plan.org_type in (SCHOOL, KG):
        weight *= 0.25 if plan.org_type == SCHOOL else 0.15
    if plan.settlement_id == kid.settlement_id:
        weight *= 3.0
    elif plan.settlement_id in rural_ids:
        weight *= 0.05
    elif kid.rural:
        weight *= 0.4
    return weight


def _place(ctx: Ctx, kid: Kid, candidates: list[GroupPlan], rural_ids: set[int]) -> GroupPlan | None:
    taken = {id(p.programme) for p in kid.groups}
    pool = [p for p in candidates if id(p.programme) not in taken]
    if not pool:
        return None
    weights = [max(p.planned - len(p.members), 0.02) * _affinity(p, kid, rural_ids) for p in pool]
    plan = ctx.choose(pool, weights)
    plan.members.append(kid)
    kid.groups.append(plan)
    return plan


def children_place(*, ctx: Ctx, catalog: MunicipalityCatalog, people: MunicipalityPeople,
                   rural_ids: set[int]) -> None:
    """Seat every enrolled child ``quota`` times (never twice in one programme), then some duplicates."""
    rng = ctx.rng
    by_age: dict[int, list[GroupPlan]] = {}
    for plan in catalog.groups:
        for age in range(plan.age_from, plan.age_to + 1):
            by_age.setdefault(age, []).append(plan)
    enrolled = [k for k in people.kids if k.quota]
    rng.shuffle(enrolled)
    enrolled.sort(key=lambda k: k.age >= 7)  # the youngest first: few groups suit them
    for seat_round in range(3):
        for kid in enrolled:
            if kid.quota > seat_round:
                _place(ctx, kid, by_age.get(kid.age, []), rural_ids)
    for duplicate in people.duplicates:
        if rng.random() < DUPLICATES_ENROLLED_SHARE:
            own = [p for p in by_age.get(duplicate.age, []) if p.org_key == duplicate.school_key]
            _place(ctx, duplicate, own or by_age.get(duplicate.age, []), rural_ids)


def capacities_set(*, ctx: Ctx, catalog: MunicipalityCatalog) -> dict[int, int]:
    """Seats per group (by ``id`` of the plan): the children placed plus a few free seats; a quarter are full."""
    rng = ctx.rng
    capacities = {}
    for plan in catalog.groups:
        filled = len(plan.members)
        if filled == 0:
            capacities[id(plan)] = max(plan.planned, 8)
        else:
            capacities[id(plan)] = filled + (0 if rng.random() < 0.25 else rng.randint(1, 5))
    for plan in catalog.summer_groups:
        capacities[id(plan)] = plan.planned
    return capacities

"""A small catalog for the search and page tests: two towns in Kazakhstan, programmes with typos to forgive.

Kөкшетау (the city) has the palace of schoolchildren; Степногорск has school № 3. Titles are chosen so that
each typo or letter-variant case has one right answer.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from kruzhok import factories as f
from kruzhok.catalog.models import Programme


def catalog_build() -> SimpleNamespace:
    now = timezone.now()
    region = f.RegionFactory(name="Акмолинская область", code="AKM", country="KZ")
    city = f.MunicipalityFactory(region=region, name="Город Көкшетау", code="KOK")
    town = f.MunicipalityFactory(region=region, name="Степногорск", code="STP")
    kokshetau = f.SettlementFactory(municipality=city, name="Көкшетау")
    stepnogorsk = f.SettlementFactory(municipality=town, name="Степногорск")
    palace = f.OrganizationFactory(municipality=city, short_name="Дворец школьников",
                                   name="Дворец школьников имени Абая")
    school = f.OrganizationFactory(municipality=town, short_name="Школа № 3", name="Средняя школа № 3")
    closed = f.OrganizationFactory(municipality=town, short_name="Закрытый центр", is_active=False)
    palace_hall = f.VenueFactory(organization=palace, settlement=kokshetau, address="ул. Абая, 1")
    school_hall = f.VenueFactory(organization=school, settlement=stepnogorsk, address="мкр. 4, д. 2")

    def programme(title, direction, ages, organization, **fields):
        return f.ProgrammeFactory(title=title, direction=f.direction(direction), age_from=ages[0], age_to=ages[1],
                                  organization=organization, description=fields.pop("description", ""), **fields)

    def group(programme, name, venue, ages=None, weekday=1, start=(15, 0), end=(16, 30), **fields):
        ages = ages or (programme.age_from, programme.age_to)
        created = f.GroupFactory(programme=programme, name=name, venue=venue, age_from=ages[0], age_to=ages[1],
                                 **fields)
        f.ScheduleSlotFactory(group=created, weekday=weekday, starts_at=dt.time(*start), ends_at=dt.time(*end))
        return created

    robotics = programme("Робототехника", "technical", (7, 14), palace, level=Programme.Level.BASIC,
                         description="Собираем и программируем роботов на конструкторах.")
    robotics_young = group(robotics, "Младшая группа", palace_hall, ages=(7, 10), weekday=1)
    robotics_old = group(robotics, "Старшая группа", palace_hall, ages=(11, 14), weekday=3, start=(17, 0),
                         end=(18, 30), capacity=1)
    f.EnrollmentFactory(group=robotics_old)  # the only seat is taken
    chess = programme("Шахматы", "sport", (6, 17), school, funding=Programme.Funding.CERTIFICATE,
                      certificate_hour_cost=120, adapted_ovz=True, level=Programme.Level.ADVANCED)
    chess_group = group(chess, "Суббота", school_hall, weekday=6, start=(10, 0), end=(11, 0),
                        enrollment_opens_at=now + dt.timedelta(days=3))
    dance = programme("Танцевальная студия «Грация»", "artistic", (5, 12), palace, title_kk="«Грация» би студиясы",
                      funding=Programme.Funding.PAID, price=3000, form=Programme.Form.BLENDED,
                      description="Классический и современный танец.", description_kk="Классикалық және заманауи би.")
    dance_group = group(dance, "Грация-1", palace_hall, weekday=2, start=(18, 0), end=(19, 0))
    folk = programme("Народный танец", "artistic", (7, 15), school, form=Programme.Form.REMOTE)
    folk_group = group(folk, "Онлайн", None, weekday=4)
    club = programme("Клуб выходного дня", "social", (8, 16), palace,
                     description="Играем в шахматы и шашки, решаем задачи.")
    club_group = group(club, "Воскресенье", palace_hall, weekday=7, start=(11, 0), end=(13, 0),
                       enrollment_closes_at=now - dt.timedelta(days=1))
    art = programme("Мир искусства", "artistic", (6, 12), school, title_kk="Өнер әлемі")
    art_group = group(art, "Өнер", school_hall, weekday=5)
    toys = programme("Ёлочные игрушки своими руками", "artistic", (7, 12), palace)
    toys_group = group(toys, "Зимняя", palace_hall, weekday=5)
    draft = programme("Шахматный клуб (черновик)", "sport", (6, 17), palace, status=Programme.Status.DRAFT)
    group(draft, "Черновая", palace_hall)
    hidden = programme("Шахматы в закрытом центре", "sport", (6, 17), closed)
    group(hidden, "Закрытая", None)
    return SimpleNamespace(**{k: v for k, v in locals().items() if k not in {"programme", "group"}})

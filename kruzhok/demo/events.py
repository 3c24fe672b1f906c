"""Events with participants and results, partnerships and best practices of a demo municipality.

The main municipality's events are the tables of the seed report: the city contests of the last school
year (dates, participant counts, «более 1000» kept as a lower bound) and the seminars for teachers.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from openpyxl import Workbook

from kruzhok.catalog.models import Teacher
from kruzhok.demo.base import Ctx
from kruzhok.demo.catalog import MunicipalityCatalog
from kruzhok.demo.people import MunicipalityPeople
from kruzhok.demo.spec import SCHOOL, SUP
from kruzhok.events.models import (
    BestPractice,
    BestPracticeFile,
    Event,
    EventDate,
    EventLevel,
    EventParticipant,
    EventResult,
    Partnership,
)
from kruzhok.territory.models import Municipality

K = Event.Kind
# (title, kind, level, direction, (month, day), participants, «more than», organizer key)
CONTESTS = (
    ("Городской конкурс «Христос рождается! Славите!»", K.CONTEST, "municipal", "artistic", (12, 1), 50, False, "cdt"),
    ("Городской конкурс сборки-разборки автомата Калашникова", K.COMPETITION, "municipal", "military_patriotic",
     (1, 15), 30, False, "dyussh"),
    ("Городской дистанционный конкурс творческих проектов по технологии", K.CONTEST, "municipal", "technical",
     (2, 6), 48, False, "syut"),
    ("Профориентационные городские мероприятия «Билет в будущее»", K.FESTIVAL, "municipal", "social", (1, 22), 1000,
     True, "cdt"),
    ("Городская военно-спортивная игра «Зарница»", K.COMPETITION, "municipal", "military_patriotic", (1, 22), 120,
     False, "dyussh"),
    ("Городской конкурс «Азы финансовой грамотности»", K.CONTEST, "municipal", "social", (1, 10), 24, False, "cdt"),
    ("Городской турнир по киберспорту", K.COMPETITION, "municipal", "technical", (2, 19), 40, False, "technopark"),
    ("Городской конкурс изобретательских и рационализаторских проектов «Удиви нас!»", K.CONTEST, "municipal",
     "technical", (2, 12), 37, False, "technopark"),
    ("Муниципальный этап регионального конкурса исследовательских работ и творческих проектов «Я исследователь»",
     K.CONTEST, "municipal", "natural_science", (2, 19), 75, False, "cdt"),
    ("Конкурс технического творчества «Шустрики»", K.CONTEST, "municipal", "technical", (3, 4), 150, False, "syut"),
    ("Муниципальный этап областного конкурса юных чтецов «Живая классика»", K.CONTEST, "municipal", "social",
     (3, 15), 22, False, "cdt"),
    ("Закрытие муниципального этапа областного социально-педагогического проекта «Будь здоров!»", K.HOLIDAY,
     "municipal", "sport", (3, 11), 130, False, "cdt"),
    ("Открытый окружной конкурс «Рободрайв»", K.CONTEST, "district", "technical", (3, 18), 30, False, "technopark"),
    ("Профориентационный фестиваль «Навигатор»", K.FESTIVAL, "municipal", "social", (4, 1), 250, False, "cdt"),
    ("Конкурс творческих работ «Помните! Через века, через года…»", K.CONTEST, "municipal", "artistic", (4, 3), 66,
     False, "cdt"),
    ("Городской конкурс «Пасха красная»", K.CONTEST, "municipal", "artistic", (4, 15), 30, False, "dshi"),
    ("Творческий отчёт «Радуга талантов»", K.FESTIVAL, "municipal", "artistic", (4, 15), 800, False, "cdt"),
    ("Дни семейного творчества", K.HOLIDAY, "municipal", "artistic", (4, 20), 500, False, "cdt"),
    ("Городские соревнования по тактической медицине", K.COMPETITION, "municipal", "military_patriotic", (4, 27), 80,
     False, "cdt"),
    ("Городской фестиваль национальных культур «Живая традиция»", K.FESTIVAL, "municipal", "artistic", (5, 13), 30,
     False, "dshi"),
    ("ТЕХНО-НОЧЬ", K.FESTIVAL, "municipal", "technical", (5, 18), 200, True, "technopark"),
    ("Профильная школа «Академия мастерства» (подготовка помощников вожатых)", K.SHIFT, "municipal", "social",
     (5, 20), 15, False, "cdt"),
    ("Праздник, посвящённый Дню защиты детей", K.HOLIDAY, "municipal", None, (6, 1), 100, False, "cdt"),
    ("Городской конкурс «Энергия красок» среди лагерей с дневным пребыванием", K.CONTEST, "municipal", "artistic",
     (6, 17), 15, False, "cdt"),
    ("Праздник в микрорайоне «Весёлые вытворялки»", K.HOLIDAY, "municipal", None, (6, 27), 100, False, "cdt"),
)
# (title, (month, day), (month, day) or None, schedule note, participants)
SEMINARS = (
    ("Информационный день для ответственных в ОО по направлениям: талантливые дети, Юнармия, волонтёрское "
     "движение, Движение первых, профориентация, советники по воспитанию", (1, 10), (1, 19), "по графику", 70),
    ("Консультации для ответственных в ОО за систему «Навигатор»", (2, 2), (2, 7), "02.02 и 07.02", 13),
    ("Информационный практикум для ответственных в ОО по разработке программ дополнительного образования",
     (3, 26), None, "", 20),
    ("Консультации для разработчиков программ дополнительного образования", (9, 15), None, "по запросу", 6),
    ("Судейский семинар для педагогов, готовящих команды к военно-спортивным соревнованиям", (1, 9), (4, 16),
     "09.01 и 16.04", 12),
)
UPCOMING = (
    ("Городской конкурс «Христос рождается! Славите!»", K.CONTEST, "artistic", 60),
    ("Городская военно-спортивная игра «Зарница»", K.COMPETITION, "military_patriotic", 110),
    ("Конкурс технического творчества «Шустрики»", K.CONTEST, "technical", 150),
)
# An open tournament held by a schedule: (title, direction, [(days from today, start, end, place)]).
SCHEDULED = ("Открытый городской турнир по робототехнике «РобоЛига»", "technical", (
    (21, dt.time(15), dt.time(17), "Детский технопарк, зал 1: отборочный этап"),
    (35, dt.time(15), dt.time(17), "Детский технопарк, зал 1: полуфинал"),
    (49, dt.time(11), dt.time(15), "ДК «Современник»: финал"),
))
PLACES = (EventResult.Result.PLACE_1, EventResult.Result.PLACE_2, EventResult.Result.PLACE_3)
INDIVIDUAL_LIMIT = 60  # bigger events keep a count and the prize-winners only


def _own_rng(ctx: Ctx, key: str) -> random.Random:
    """A random source of its own for the additions below, so they leave the build's main stream (and with it
    every figure built after them) as it was."""
    return random.Random(f"events:{ctx.seed}:{key}")
# Contests of other levels where the pupils won (seed 000: «Международные – 12 призеров, Республиканские – 35,
# Областные – 21; Гран-при – 5, I место – 22, II место – 19»), at the demo's scale:
# (title, kind, level, direction, (month, day), external organizer, prize-winners)
HIGHER = (
    ("Международный конкурс детского творчества «Звёздный путь»", K.CONTEST, "international", "artistic", (11, 18),
     "Международный фонд «Таланты мира»", 5),
    ("Международная олимпиада по робототехнике «RoboCup Junior»", K.OLYMPIAD, "international", "technical", (4, 22),
     "Оргкомитет RoboCup", 3),
    ("Всероссийский конкурс «Большая перемена»", K.CONTEST, "national", "social", (10, 14), "АНО «Россия — страна "
     "возможностей»", 6),
    ("Всероссийский фестиваль «Таланты без границ»", K.FESTIVAL, "national", "artistic", (3, 25),
     "Министерство просвещения", 8),
    ("Всероссийские соревнования «Шаг в будущее»", K.COMPETITION, "national", "natural_science", (4, 5),
     "МГТУ им. Н. Э. Баумана", 4),
    ("Областной конкурс «Юные техники Урала»", K.CONTEST, "regional", "technical", (12, 12),
     "Дворец молодёжи", 6),
    ("Областная военно-спортивная игра «Зарница Урала»", K.COMPETITION, "regional", "military_patriotic", (2, 20),
     "Региональный центр патриотического воспитания", 5),
)
HIGHER_RESULTS = (EventResult.Result.GRAND_PRIX, EventResult.Result.PLACE_1, EventResult.Result.PLACE_1,
                  EventResult.Result.PLACE_2, EventResult.Result.PLACE_2, EventResult.Result.PLACE_3,
                  EventResult.Result.LAUREATE)
# Summer profile shifts of seed 002: (title, direction, participants).
SHIFTS = (
    ("Техно-смена", "technical", 35), ("Юный агроном", "natural_science", 20),
    ("Летняя школа научных экспериментов", "natural_science", 25), ("Летняя школа журналистов", "social", 18),
    ("Военно-патриотическая смена", "military_patriotic", 40), ("Летняя хореографическая школа", "artistic", 30),
    ("Летняя школа юных спасателей", "sport", 24),
)


def _last_year_day(ctx: Ctx, month: int, day: int) -> dt.date:
    """The day of the last school year (September to August before this one)."""
    year = ctx.year_start.year - 1 if month >= 9 else ctx.year_start.year
    return dt.date(year, month, day)


def events_build(*, ctx: Ctx, municipality: Municipality, catalog: MunicipalityCatalog, people: MunicipalityPeople,
                 contests=CONTESTS, seminars=SEMINARS, upcoming=UPCOMING) -> list[Event]:
    rng = ctx.rng
    orgs = catalog.organizations
    default_org = next(iter(orgs))
    schools = [org for org in orgs.values() if org.org_type == SCHOOL]
    enrolled = [k for k in people.kids if k.groups]
    by_direction: dict[str, list] = {}
    for kid in enrolled:
        for plan in kid.groups:
            by_direction.setdefault(plan.direction, []).append((kid, plan))
    events, co_organizers, participants, results = [], [], [], []
    for title, kind, level, direction, (month, day), count, lower_bound, organizer in contests:
        start = _last_year_day(ctx, month, day)
        event = Event(title=title, kind=kind, level=level, direction=ctx.directions.get(direction or ""),
                      start_date=start, end_date=start, municipality=municipality,
                      organizer=orgs.get(organizer, orgs[default_org]),
                      audience=Event.Audience.FAMILIES if kind == K.HOLIDAY else Event.Audience.CHILDREN,
                      format=Event.Format.REMOTE if "дистанцион" in title else Event.Format.IN_PERSON,
                      participants_count=count, participants_count_is_lower_bound=lower_bound,
                      status=Event.Status.HELD)
        events.append(event)
        co_organizers += [(event, org) for org in rng.sample(schools, min(len(schools), rng.randint(0, 2)))]
        pool = by_direction.get(direction or "", []) or [(k, k.groups[0]) for k in enrolled]
        recorded = count if count <= INDIVIDUAL_LIMIT else min(len(pool), rng.randint(6, 12))
        seen: set[int] = set()
        for kid, plan in rng.sample(pool, min(len(pool), recorded * 2)):
            if id(kid) in seen or len(seen) >= recorded:
                continue
            rank = len(seen)
            seen.add(id(kid))
            participant = EventParticipant(event=event, child=kid.child, organization=orgs[plan.org_key],
                                           mentor=plan.teachers[0] if plan.teachers else None)
            participants.append(participant)
            if kind in (K.CONTEST, K.COMPETITION):
                result = PLACES[rank] if rank < 3 else (EventResult.Result.LAUREATE if rank < 8
                                                        else EventResult.Result.PARTICIPANT)
                results.append(EventResult(participant=participant, result=result))
            elif rank < 5:
                results.append(EventResult(participant=participant, result=EventResult.Result.DIPLOMA))
    teachers = [(t, key) for key, rows in catalog.teachers.items() for t in rows]
    for title, (month, day), end, note, count in seminars:
        start = _last_year_day(ctx, month, day)
        finish = _last_year_day(ctx, *end) if end else start
        event = Event(title=title, kind=K.SEMINAR, level=EventLevel.MUNICIPAL, start_date=start,
                      end_date=max(finish, start), schedule_note=note, municipality=municipality,
                      organizer=orgs[default_org], audience=Event.Audience.TEACHERS, participants_count=count,
                      status=Event.Status.HELD, is_public=False)
        events.append(event)
        for teacher, key in rng.sample(teachers, min(count, len(teachers))):
            participants.append(EventParticipant(event=event, teacher=teacher, organization=orgs[key]))
    for title, kind, direction, count in upcoming:
        start = ctx.today + dt.timedelta(days=rng.randint(20, 90))
        events.append(Event(title=title, kind=kind, level=EventLevel.MUNICIPAL, direction=ctx.directions[direction],
                            start_date=start, end_date=start, municipality=municipality, organizer=orgs[default_org],
                            participants_count=count, registration_open=True, status=Event.Status.PLANNED))
    sessions: list[EventDate] = []
    if upcoming:
        title, direction, dates = SCHEDULED
        scheduled = Event(title=title, kind=K.COMPETITION, level=EventLevel.MUNICIPAL,
                          direction=ctx.directions[direction], start_date=ctx.today + dt.timedelta(days=dates[0][0]),
                          end_date=ctx.today + dt.timedelta(days=dates[-1][0]), municipality=municipality,
                          organizer=orgs[default_org], schedule_note="отборочный этап, полуфинал и финал",
                          registration_open=True, status=Event.Status.PLANNED)
        events.append(scheduled)
        sessions += [EventDate(event=scheduled, date=ctx.today + dt.timedelta(days=days), start_time=start,
                               end_time=end, place=place) for days, start, end, place in dates]
    shift_programmes: list[tuple[Event, object]] = []
    if contests is CONTESTS:  # the main municipality: the seed report's whole year
        _previous_year(ctx, events, municipality=municipality, orgs=orgs, default_org=default_org)
        _higher_levels(ctx, events, participants, results, municipality=municipality, orgs=orgs,
                       by_direction=by_direction, enrolled=enrolled)
        shift_programmes = _shifts(ctx, events, participants, municipality=municipality, catalog=catalog,
                                   default_org=default_org, by_direction=by_direction)
    Event.objects.bulk_create(events)
    Event.co_organizers.through.objects.bulk_create(
        [Event.co_organizers.through(event=e, organization=o) for e, o in co_organizers])
    Event.programmes.through.objects.bulk_create(
        [Event.programmes.through(event=e, programme=p) for e, p in shift_programmes])
    EventDate.objects.bulk_create(sessions)
    EventParticipant.objects.bulk_create(participants)
    EventResult.objects.bulk_create(results)
    return events


def _previous_year(ctx: Ctx, events: list, *, municipality: Municipality, orgs: dict, default_org: str) -> None:
    """The year before last, counts only: every fifth contest had not been held yet and two of the summer
    shifts had not opened, so the report's year-over-year change shows growth."""
    for index, (title, kind, level, direction, (month, day), count, lower_bound, organizer) in enumerate(CONTESTS):
        if index % 5 == 4:
            continue
        start = _last_year_day(ctx, month, day).replace(year=_last_year_day(ctx, month, day).year - 1)
        events.append(Event(title=title, kind=kind, level=level, direction=ctx.directions.get(direction or ""),
                            start_date=start, end_date=start, municipality=municipality,
                            organizer=orgs.get(organizer, orgs[default_org]),
                            participants_count=max(10, round(count * 0.9)),
                            participants_count_is_lower_bound=lower_bound, status=Event.Status.HELD))
    for title, (month, day), _end, note, count in SEMINARS[:3]:
        start = _last_year_day(ctx, month, day)
        events.append(Event(title=title, kind=K.SEMINAR, level=EventLevel.MUNICIPAL, schedule_note=note,
                            start_date=start.replace(year=start.year - 1), municipality=municipality,
                            organizer=orgs[default_org], audience=Event.Audience.TEACHERS, participants_count=count,
                            status=Event.Status.HELD, is_public=False))
    for index, (title, direction, count) in enumerate(SHIFTS[:5]):
        start = _last_year_day(ctx, 6, 3 + 7 * (index % 4))
        start = start.replace(year=start.year - 1)
        events.append(Event(title=f"Летняя профильная смена «{title}»", kind=K.SHIFT, level=EventLevel.MUNICIPAL,
                            direction=ctx.directions[direction], start_date=start,
                            end_date=start + dt.timedelta(days=13), municipality=municipality,
                            organizer=orgs[default_org], participants_count=count - 5, status=Event.Status.HELD))


def _higher_levels(ctx: Ctx, events: list, participants: list, results: list, *, municipality: Municipality,
                   orgs: dict, by_direction: dict, enrolled: list) -> None:
    """International, national and regional contests the pupils took part in and won (recorded by their
    organization, the event's organizer being outside the system)."""
    rng = _own_rng(ctx, f"higher:{municipality.code}")
    for title, kind, level, direction, (month, day), organizer, winners in HIGHER:
        start = _last_year_day(ctx, month, day)
        pool = by_direction.get(direction, []) or [(k, k.groups[0]) for k in enrolled]
        picked = rng.sample(pool, min(len(pool), winners + 2))
        recorder = orgs[picked[0][1].org_key] if picked else next(iter(orgs.values()))
        event = Event(title=title, kind=kind, level=level, direction=ctx.directions[direction], start_date=start,
                      end_date=start, municipality=municipality, organizer=recorder, external_organizer=organizer,
                      format=Event.Format.REMOTE if level == "international" else Event.Format.IN_PERSON,
                      status=Event.Status.HELD)
        events.append(event)
        for rank, (kid, plan) in enumerate(picked):
            participant = EventParticipant(event=event, child=kid.child, organization=orgs[plan.org_key],
                                           mentor=plan.teachers[0] if plan.teachers else None)
            participants.append(participant)
            result = HIGHER_RESULTS[rank % len(HIGHER_RESULTS)] if rank < winners else EventResult.Result.PARTICIPANT
            results.append(EventResult(participant=participant, result=result))


def _shifts(ctx: Ctx, events: list, participants: list, *, municipality: Municipality,
            catalog: MunicipalityCatalog, default_org: str, by_direction: dict) -> list[tuple[Event, object]]:
    """Last summer's profile shifts with the summer programmes of their direction and some participants."""
    rng = _own_rng(ctx, f"shifts:{municipality.code}")
    orgs = catalog.organizations
    summer = {}
    for plan in catalog.summer_groups:
        summer.setdefault(plan.direction, []).append(plan)
    links = []
    for index, (title, direction, count) in enumerate(SHIFTS):
        start = _last_year_day(ctx, 6, 3 + 7 * (index % 4))
        plans = summer.get(direction, [])
        organizer = orgs[plans[0].org_key] if plans else orgs[default_org]
        event = Event(title=f"Летняя профильная смена «{title}»", kind=K.SHIFT, level=EventLevel.MUNICIPAL,
                      direction=ctx.directions[direction], start_date=start, end_date=start + dt.timedelta(days=13),
                      municipality=municipality, organizer=organizer, participants_count=count,
                      status=Event.Status.HELD)
        events.append(event)
        links += [(event, p) for p in {id(plan.programme): plan.programme for plan in plans}.values()]
        pool = by_direction.get(direction, [])
        for kid, plan in rng.sample(pool, min(len(pool), count // 3)):
            participants.append(EventParticipant(event=event, child=kid.child, organization=orgs[plan.org_key]))
    return links


def partnerships_build(*, ctx: Ctx, catalog: MunicipalityCatalog, settlement_name: str) -> None:
    """Network agreements of the supplementary organizations with schools, social partners, best practices."""
    rng = ctx.rng
    orgs = catalog.organizations
    sups = [k for k, o in orgs.items() if o.org_type == SUP]
    schools = [k for k, o in orgs.items() if o.org_type == SCHOOL]
    network = [p for p in catalog.programmes if p.is_network]
    enrolled_by_programme: dict[int, int] = {}
    for plan in catalog.groups:
        enrolled_by_programme[plan.programme.pk] = enrolled_by_programme.get(plan.programme.pk, 0) + len(plan.members)
    partnerships, partner_links, programme_links = [], [], []
    start = dt.date(ctx.year_start.year - 2, 9, 1)
    for key in sups:
        own = [p for p in network if p.organization_id == orgs[key].pk]
        if not own:
            continue
        agreement = Partnership(kind=Partnership.Kind.NETWORK, organization=orgs[key],
                                title=f"Договор о сетевой форме реализации дополнительных общеобразовательных программ "
                                      f"({orgs[key].short_name})", start_date=start,
                                end_date=dt.date(start.year + 5, 8, 31),
                                children_covered=sum(enrolled_by_programme.get(p.pk, 0) for p in own))
        partnerships.append(agreement)
        partner_links += [(agreement, orgs[k]) for k in rng.sample(schools, min(len(schools), 3))]
        programme_links += [(agreement, p) for p in own]
    for kind, title, partner in (
            (Partnership.Kind.SOCIAL, "Социальное партнёрство с советом ветеранов",
             f"Совет ветеранов, {settlement_name}"),
            (Partnership.Kind.MEMORANDUM, "Меморандум о сотрудничестве в профориентации",
             "Политехнический техникум"),
            (Partnership.Kind.SOCIAL, "Совместные проекты с городской библиотекой",
             "Центральная городская библиотека")):
        partnerships.append(Partnership(kind=kind, title=title, organization=orgs[sups[0]], partner_name=partner,
                                        start_date=start + dt.timedelta(days=rng.randint(0, 300)),
                                        children_covered=rng.randint(40, 300)))
    memo_rng = _own_rng(ctx, f"memoranda:{settlement_name}")
    memo_start = dt.date(ctx.year_start.year - 1, 9, 1)
    memo_programmes = [p for p in catalog.programmes if p.organization_id == orgs[sups[0]].pk][:12]
    for key in schools:
        programmes = memo_rng.sample(memo_programmes, min(len(memo_programmes), memo_rng.randint(1, 3)))
        memo = Partnership(kind=Partnership.Kind.MEMORANDUM, organization=orgs[sups[0]],
                           title=f"Меморандум о сотрудничестве с {orgs[key].short_name}", start_date=memo_start,
                           end_date=dt.date(memo_start.year + 3, 8, 31),
                           children_covered=memo_rng.choice((45, 60, 60, 120)))
        partnerships.append(memo)
        partner_links.append((memo, orgs[key]))
        programme_links += [(memo, p) for p in programmes]
    Partnership.objects.bulk_create(partnerships)
    Partnership.partners.through.objects.bulk_create(
        [Partnership.partners.through(partnership=p, organization=o) for p, o in partner_links])
    Partnership.programmes.through.objects.bulk_create(
        [Partnership.programmes.through(partnership=p, programme=g) for p, g in programme_links])
    # Joint events: those an agreement's organization held with a partner school as co-organizer.
    for partnership, school in partner_links:
        Event.objects.filter(organizer=partnership.organization, co_organizers=school, partnership=None).update(
            partnership=partnership)

    practices = (
        ("Комплексная программа «Оказание первой помощи в условиях современного боя и чрезвычайных ситуаций»",
         "military_patriotic", BestPractice.Status.ADOPTED, 3),
        ("Дистанционный модуль «Индустриальные технологии» на базе детского технопарка", "technical",
         BestPractice.Status.IN_BANK, 1),
        ("Индивидуальный маршрут одарённого ребёнка в программе «Проектирование»", "technical",
         BestPractice.Status.IDENTIFIED, 0),
    )
    rows, adopted = [], []
    for title, direction, status, adopters in practices:
        practice = BestPractice(title=title, organization=orgs[sups[0]], direction=ctx.directions[direction],
                                description=f"{title}: цели, содержание, условия реализации и результаты.",
                                status=status)
        rows.append(practice)
        adopted += [(practice, orgs[k]) for k in schools[:adopters]]
    BestPractice.objects.bulk_create(rows)
    BestPractice.adopted_by.through.objects.bulk_create(
        [BestPractice.adopted_by.through(bestpractice=p, organization=o) for p, o in adopted])
    BestPracticeFile.objects.bulk_create(_practice_files(rows[0], key=settlement_name))


def _practice_files(practice: BestPractice, *, key: str) -> list[BestPracticeFile]:
    """Two materials of a practice: its description (text) and an adoption plan (a table). Their names do not
    depend on row ids, so a rebuilt demo finds them in the storage again instead of adding copies."""
    folder = f"practices/demo/{zlib.crc32(key.encode()):08x}"
    text = f"{practice.title}\n\n{practice.description}\n".encode()
    book = Workbook()
    sheet = book.active
    sheet.title = "План"
    sheet.append(["Этап", "Срок", "Ответственный"])
    for row in (("Знакомство с практикой", "сентябрь", "методист"), ("Пробные занятия", "октябрь–ноябрь", "педагог"),
                ("Итоговое мероприятие", "декабрь", "руководитель")):
        sheet.append(list(row))
    table = io.BytesIO()
    book.save(table)
    rows = []
    for name, title, content in ((f"{folder}/opisanie.txt", "Описание практики", text),
                                 (f"{folder}/plan-vnedreniya.xlsx", "План внедрения", table.getvalue())):
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))
        rows.append(BestPracticeFile(practice=practice, file=name, title=title, size=default_storage.size(name)))
    return rows


def teacher_for_demo(catalog: MunicipalityCatalog, org_key: str) -> Teacher:
    """The teacher of ``org_key`` leading the most groups: the demo teacher's profile."""
    counts: dict[int, int] = {}
    for plan in catalog.groups:
        if plan.org_key == org_key:
            for teacher in plan.teachers:
                counts[id(teacher)] = counts.get(id(teacher), 0) + 1
    return max(catalog.teachers[org_key], key=lambda t: counts.get(id(t), 0))

"""The numbers and names the demo town is built from.

The main municipality is modelled on a real municipal support centre's half-year report (seed 002): 5 487
children of whom 4 236 are aged 5–17, 21 licensed organizations, 80 % coverage, 66.4 % / 26 % / 7.7 % of
pupils in supplementary-education organizations / schools / kindergartens, the directions' shares
32/24/22/8/6/4/4 %, 64 network programmes, 15 for children with disabilities or in a difficult situation
and 24 funded by personalized-financing certificates. Town and organizations are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SUP, SCHOOL, KG = "supplementary", "school", "kindergarten"

DIRECTIONS = ("artistic", "technical", "sport", "tourism", "social", "military_patriotic", "natural_science")

# Share of enrollments (percent) by organization type × direction: rows give the seed's 66.4 / 26 / 7.7 split
# by type, columns sum to its 32 / 24 / 22 / 8 / 6 / 4 / 4 split by direction.
ENROLLMENT_MATRIX: dict[str, dict[str, float]] = {
    SUP: {"artistic": 22.0, "technical": 18.4, "sport": 12.3, "tourism": 6.0, "social": 2.5,
          "military_patriotic": 2.5, "natural_science": 2.6},
    SCHOOL: {"artistic": 6.5, "technical": 5.0, "sport": 7.5, "tourism": 2.0, "social": 2.5,
             "military_patriotic": 1.5, "natural_science": 1.0},
    KG: {"artistic": 3.5, "technical": 0.6, "sport": 2.2, "social": 1.0, "natural_science": 0.4},
}


@dataclass(frozen=True)
class SettlementSpec:
    name: str
    is_rural: bool
    share: float  # of the municipality's children


@dataclass(frozen=True)
class OrgSpec:
    key: str
    org_type: str
    name: str
    short_name: str
    settlement: str
    address: str
    subtype: str = ""
    ownership: str = "municipal"
    size: float = 1.0
    # Share of each direction's seats among the organizations of the same type (default: by ``size``).
    shares: dict[str, float] = field(default_factory=dict)
    extra_venues: tuple[tuple[str, str, str], ...] = ()  # (name, settlement, address)


@dataclass(frozen=True)
class MunicipalitySpec:
    code: str
    name: str
    kind: str
    settlements: tuple[SettlementSpec, ...]
    children_under_5: int
    children_5_17: int
    coverage: float  # share of children aged 5–17 with an active enrollment
    preschool_enrolled: int  # children aged 3–4 in kindergarten clubs
    organizations: tuple[OrgSpec, ...]
    network_programmes: int
    adapted_programmes: int
    certificate_programmes: int
    summer_shifts: tuple[tuple[str, str, str], ...]  # (title, direction, organization key)
    open_applications: dict[str, int]
    duplicates: int
    address_prefix: str


REGION = {"code": "DEMO-RU-77", "name": "Приреченская область", "name_kk": "Приречен облысы",
          "name_en": "Prirechensk Oblast"}

_TOWN = "г. Северореченск"

MAIN = MunicipalitySpec(
    code="DEMO-77-01",
    name="Северореченский городской округ",
    kind="urban_okrug",
    settlements=(
        SettlementSpec(_TOWN, False, 0.86),
        SettlementSpec("пос. Кедровый", True, 0.07),
        SettlementSpec("с. Покровское", True, 0.04),
        SettlementSpec("пос. Лесной", True, 0.02),
        SettlementSpec("д. Глубокая", True, 0.01),
    ),
    children_under_5=1251,
    children_5_17=4236,
    coverage=0.80,
    preschool_enrolled=50,
    organizations=(
        OrgSpec("cdt", SUP, "Муниципальное автономное учреждение дополнительного образования «Центр детского "
                "творчества «Радуга»", "ЦДТ «Радуга»", _TOWN, "ул. Ленина, 42", subtype="ddt",
                shares={"artistic": 0.6, "technical": 0.2, "sport": 0.3, "tourism": 0.8, "social": 0.9,
                        "military_patriotic": 0.6, "natural_science": 0.4},
                extra_venues=(("Филиал в пос. Кедровый", "пос. Кедровый", "ул. Школьная, 3"),
                              ("Клуб по месту жительства «Юность»", _TOWN, "ул. Мира, 17"))),
        OrgSpec("syut", SUP, "Муниципальное автономное учреждение дополнительного образования «Станция юных "
                "техников»", "СЮТ", _TOWN, "ул. Октябрьская, 8", subtype="syut",
                shares={"technical": 0.4, "tourism": 0.2, "natural_science": 0.2}),
        OrgSpec("technopark", SUP, "Муниципальное автономное учреждение дополнительного образования «Детский "
                "технопарк «Вектор»", "Технопарк «Вектор»", _TOWN, "ул. Индустриальная, 1", subtype="technopark",
                shares={"technical": 0.4, "social": 0.1, "natural_science": 0.4}),
        OrgSpec("dyussh", SUP, "Муниципальное бюджетное учреждение дополнительного образования «Детско-юношеская "
                "спортивная школа»", "ДЮСШ", _TOWN, "ул. Спортивная, 5", subtype="sport_school",
                shares={"sport": 0.7, "military_patriotic": 0.4},
                extra_venues=(("Лыжная база «Снежинка»", _TOWN, "ул. Лесная, 40"),)),
        OrgSpec("dshi", SUP, "Муниципальное бюджетное учреждение дополнительного образования «Детская школа "
                "искусств»", "ДШИ", _TOWN, "ул. Пушкина, 12", subtype="art_school", shares={"artistic": 0.4}),
        OrgSpec("school1", SCHOOL, "Муниципальное автономное общеобразовательное учреждение «Средняя "
                "общеобразовательная школа № 1»", "СОШ № 1", _TOWN, "ул. Ленина, 15", size=1.2),
        OrgSpec("school2", SCHOOL, "Муниципальное автономное общеобразовательное учреждение «Средняя "
                "общеобразовательная школа № 2»", "СОШ № 2", _TOWN, "ул. Горького, 30", size=1.1),
        OrgSpec("lyceum3", SCHOOL, "Муниципальное автономное общеобразовательное учреждение «Лицей № 3»",
                "Лицей № 3", _TOWN, "ул. Карла Маркса, 7", size=1.2),
        OrgSpec("school5", SCHOOL, "Муниципальное автономное общеобразовательное учреждение «Средняя "
                "общеобразовательная школа № 5»", "СОШ № 5", _TOWN, "ул. Советская, 54"),
        OrgSpec("school6", SCHOOL, "Муниципальное автономное общеобразовательное учреждение «Средняя "
                "общеобразовательная школа № 6»", "СОШ № 6", _TOWN, "ул. Строителей, 21"),
        OrgSpec("gymnasium7", SCHOOL, "Муниципальное автономное общеобразовательное учреждение «Гимназия № 7»",
                "Гимназия № 7", _TOWN, "ул. Свердлова, 3", size=1.1),
        OrgSpec("internat", SCHOOL, "Государственное казённое общеобразовательное учреждение «Северореченская "
                "школа-интернат»", "Школа-интернат", _TOWN, "ул. Заречная, 9", ownership="regional", size=0.4),
        OrgSpec("school_kedr", SCHOOL, "Муниципальное автономное общеобразовательное учреждение «Средняя "
                "общеобразовательная школа пос. Кедровый»", "СОШ пос. Кедровый", "пос. Кедровый",
                "ул. Школьная, 3", size=0.45),
        OrgSpec("school_pokr", SCHOOL, "Муниципальное автономное общеобразовательное учреждение «Основная "
                "общеобразовательная школа с. Покровское»", "ООШ с. Покровское", "с. Покровское",
                "ул. Центральная, 11", size=0.3),
        OrgSpec("kg3", KG, "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 3 "
                "«Солнышко»", "Детский сад № 3 «Солнышко»", _TOWN, "ул. Ленина, 60"),
        OrgSpec("kg5", KG, "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 5 "
                "«Ромашка»", "Детский сад № 5 «Ромашка»", _TOWN, "ул. Мира, 4"),
        OrgSpec("kg9", KG, "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 9 "
                "«Теремок»", "Детский сад № 9 «Теремок»", _TOWN, "ул. Калинина, 18"),
        OrgSpec("kg12", KG, "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 12 "
                "«Колокольчик»", "Детский сад № 12 «Колокольчик»", _TOWN, "ул. Гагарина, 25"),
        OrgSpec("kg15", KG, "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 15 "
                "«Берёзка»", "Детский сад № 15 «Берёзка»", _TOWN, "ул. Строителей, 9"),
        OrgSpec("kg18", KG, "Муниципальное автономное дошкольное образовательное учреждение «Детский сад № 18 "
                "«Сказка»", "Детский сад № 18 «Сказка»", _TOWN, "ул. Чайковского, 2"),
        OrgSpec("kg_kedr", KG, "Муниципальное автономное дошкольное образовательное учреждение «Детский сад "
                "пос. Кедровый «Ёлочка»", "Детский сад «Ёлочка»", "пос. Кедровый", "ул. Набережная, 6", size=0.4),
    ),
    network_programmes=64,
    adapted_programmes=15,
    certificate_programmes=24,
    summer_shifts=(
        ("Техно-смена", "technical", "technopark"),
        ("Юный агроном", "natural_science", "syut"),
        ("Летняя школа научных экспериментов", "natural_science", "technopark"),
        ("Летняя школа журналистов", "social", "cdt"),
        ("Академия мастерства (школа вожатых)", "social", "cdt"),
        ("Военно-патриотическая смена", "military_patriotic", "dyussh"),
        ("Летняя хореографическая школа", "artistic", "dshi"),
        ("Летняя школа юных спасателей", "military_patriotic", "cdt"),
    ),
    open_applications={"submitted": 60, "under_review": 45, "invited": 25, "waitlisted": 70, "rejected": 55,
                       "withdrawn": 40, "expired": 30},
    duplicates=8,
    address_prefix=_TOWN,
)

_VILLAGE = "пос. Верхнелесной"

NEIGHBOUR = MunicipalitySpec(
    code="DEMO-77-02",
    name="Верхнелесной муниципальный округ",
    kind="municipal_okrug",
    settlements=(
        SettlementSpec(_VILLAGE, False, 0.7),
        SettlementSpec("с. Никольское", True, 0.2),
        SettlementSpec("д. Сосновка", True, 0.1),
    ),
    children_under_5=92,
    children_5_17=330,
    coverage=0.68,
    preschool_enrolled=6,
    organizations=(
        OrgSpec("ddt_vl", SUP, "Муниципальное бюджетное учреждение дополнительного образования «Дом детского "
                "творчества пос. Верхнелесной»", "ДДТ пос. Верхнелесной", _VILLAGE, "ул. Ленина, 3", subtype="ddt"),
        OrgSpec("school_vl", SCHOOL, "Муниципальное бюджетное общеобразовательное учреждение «Верхнелесная "
                "средняя общеобразовательная школа»", "Верхнелесная СОШ", _VILLAGE, "ул. Школьная, 1"),
        OrgSpec("kg_vl", KG, "Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад "
                "«Светлячок»", "Детский сад «Светлячок»", _VILLAGE, "ул. Новая, 7"),
    ),
    network_programmes=4,
    adapted_programmes=2,
    certificate_programmes=3,
    summer_shifts=(("Лесная школа", "tourism", "ddt_vl"),),
    open_applications={"submitted": 6, "under_review": 4, "invited": 3, "waitlisted": 5, "rejected": 5,
                       "withdrawn": 3, "expired": 2},
    duplicates=1,
    address_prefix=_VILLAGE,
)

# (title, age from, age to) of programmes by direction; kindergartens have their own.
PROGRAMME_TITLES: dict[str, tuple[tuple[str, int, int], ...]] = {
    "artistic": (
        ("Хореографическая студия «Грация»", 5, 17), ("Вокальная студия «Звонкие голоса»", 6, 17),
        ("Изостудия «Палитра»", 6, 14), ("Театральная студия «Маска»", 8, 17),
        ("Декоративно-прикладное творчество", 7, 14), ("Бисероплетение", 7, 13), ("Гитара", 10, 17),
        ("Фортепиано", 6, 15), ("Народный танец", 7, 15), ("Мультстудия «Кадр»", 9, 15), ("Керамика", 7, 14),
        ("Фотостудия «Объектив»", 11, 17), ("Современный танец", 8, 17), ("Текстильная кукла", 7, 12),
        ("Эстрадный вокал", 9, 17), ("Ансамбль народной песни «Родники»", 7, 16), ("Дизайн костюма", 11, 17),
        ("Художественная роспись", 8, 14), ("Хоровое пение", 7, 12), ("Школа ведущих", 12, 17),
    ),
    "technical": (
        ("Робототехника", 7, 14), ("Лего-конструирование", 5, 9), ("3D-моделирование", 10, 17),
        ("Программирование на Python", 11, 17), ("Авиамоделирование", 9, 16), ("Судомоделирование", 9, 16),
        ("Картинг", 10, 17), ("Радиоэлектроника", 10, 17), ("Промышленный дизайн", 11, 17),
        ("Индустриальные технологии", 12, 17), ("Виртуальная и дополненная реальность", 11, 17),
        ("Беспилотные авиасистемы", 11, 17), ("Проектирование", 12, 17),
        ("Начальное техническое моделирование", 7, 11), ("Компьютерная графика", 10, 16),
        ("Автомоделирование", 8, 14), ("Основы алгоритмики", 8, 12),
    ),
    "sport": (
        ("Футбол", 6, 17), ("Волейбол", 10, 17), ("Баскетбол", 9, 17), ("Лыжные гонки", 8, 17), ("Шахматы", 6, 17),
        ("Самбо", 7, 17), ("Дзюдо", 7, 15), ("Лёгкая атлетика", 8, 17), ("Настольный теннис", 8, 17),
        ("Общая физическая подготовка", 7, 14), ("Ритмическая гимнастика", 5, 10), ("Тхэквондо", 7, 16),
        ("Хоккей", 7, 15), ("Спортивная аэробика", 6, 14), ("Мини-футбол", 8, 14), ("Гиревой спорт", 13, 17),
    ),
    "tourism": (
        ("Юный турист", 8, 14), ("Краеведение «Мой край»", 9, 15), ("Спортивный туризм", 10, 17),
        ("Школьный музей", 11, 17), ("Спортивное ориентирование", 9, 17), ("Юный экскурсовод", 10, 16),
        ("Горный туризм", 12, 17),
    ),
    "social": (
        ("Мультимедийная журналистика", 12, 17), ("Школа вожатых «Академия мастерства»", 14, 17),
        ("Волонтёрский отряд «Добро»", 12, 17), ("Азы финансовой грамотности", 10, 15),
        ("Английский язык для малышей", 5, 8), ("Психология общения", 12, 17),
        ("Подготовка к школе «Умники и умницы»", 5, 7), ("Юный журналист", 9, 13),
        ("Клуб «Движение первых»", 10, 17), ("Профориентация «Билет в будущее»", 12, 17),
    ),
    "military_patriotic": (
        ("Юнармеец", 10, 17), ("Оказание первой помощи в условиях современного боя и чрезвычайных ситуаций", 12, 17),
        ("Военно-спортивная подготовка", 11, 17), ("Юный спасатель", 10, 16), ("Стрелковая подготовка", 12, 17),
        ("Кадетский класс", 10, 15),
    ),
    "natural_science": (
        ("Мир глазами химика", 12, 17), ("Юный эколог", 7, 12), ("Юный агроном", 9, 14),
        ("Занимательная биология", 10, 15), ("Астрономия", 11, 17), ("Экспериментариум", 8, 12),
        ("Юный исследователь природы", 7, 11),
    ),
}
KINDERGARTEN_TITLES: dict[str, tuple[tuple[str, int, int], ...]] = {
    "artistic": (("Весёлые нотки", 3, 7), ("Волшебная кисточка", 4, 7), ("Танцевальная мозаика", 4, 7),
                 ("Театр сказки", 5, 7)),
    "technical": (("Лего-конструирование для дошкольников", 5, 7), ("Робомышь", 5, 7)),
    "sport": (("Весёлый мяч", 4, 7), ("Шахматы для дошкольников", 5, 7), ("Детский фитнес", 4, 7)),
    "social": (("Подготовка к школе «Умники и умницы»", 5, 7), ("Английский для малышей", 4, 7)),
    "natural_science": (("Маленький исследователь", 4, 7), ("Юный эколог", 5, 7)),
}

# Share of children aged 5–17 in supplementary education, by age (relative weights; the total is scaled to
# the municipality's coverage).
ENROLLED_WEIGHT_BY_AGE = {5: 0.62, 6: 0.75, 7: 0.88, 8: 0.92, 9: 0.93, 10: 0.92, 11: 0.9, 12: 0.87, 13: 0.82,
                          14: 0.77, 15: 0.7, 16: 0.62, 17: 0.55}
# Children of each age relative to the mean (the young cohorts are a little smaller).
AGE_SHAPE = {0: 0.94, 1: 0.97, 2: 1.0, 3: 1.02, 4: 1.06, 5: 0.98, 6: 0.99, 7: 1.01, 8: 1.03, 9: 1.04, 10: 1.04,
             11: 1.03, 12: 1.02, 13: 1.0, 14: 0.99, 15: 0.97, 16: 0.96, 17: 0.94}
# How many clubs an enrolled child attends: (1, 2, 3) weights by age band.
CLUBS_PER_CHILD = {"preschool": (0.9, 0.1, 0.0), "primary": (0.62, 0.28, 0.10), "teen": (0.7, 0.22, 0.08)}

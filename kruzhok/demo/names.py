"""Russian and Kazakh personal names for demo data, with the grammar that makes them look real.

* Surnames agree with sex: Иванов/Иванова, Королёв/Королёва, Троицкий/Троицкая; some never change
  (Шевченко, Седых, Сейткали).
* Patronymics come from the father's name: Сергей → Сергеевич/Сергеевна, Михаил → Михайлович,
  Илья → Ильич/Ильинична; Kazakh families use either the Russian form (Нурланович) or the Kazakh one
  (Нурланұлы / Нурланқызы).

Names are listed roughly from the most to the least frequent; samplers weight them that way.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass

RUSSIAN = "ru"
KAZAKH = "kz"

BOY_NAMES_RU = (
    "Александр Максим Артём Михаил Иван Дмитрий Даниил Кирилл Матвей Егор Андрей Никита Илья Алексей "
    "Тимофей Роман Марк Лев Ярослав Фёдор Сергей Владимир Глеб Семён Степан Арсений Павел Денис Макар "
    "Тимур Савелий Захар Константин Платон Богдан Мирон Елисей Григорий Вячеслав Николай Пётр Всеволод"
).split()
GIRL_NAMES_RU = (
    "Анастасия Мария Дарья Анна Софья Полина Виктория Елизавета Александра Ксения Варвара Алиса Екатерина "
    "Вероника Арина Валерия Алёна Ульяна Милана Ева Василиса Кристина Таисия Маргарита Ангелина Злата "
    "Есения Юлия Диана Олеся Татьяна Ольга Яна Майя Надежда Евгения Ярослава Любовь Мирослава Стефания"
).split()
BOY_NAMES_KZ = (
    "Алихан Нурсултан Айдар Арман Данияр Темирлан Ерасыл Санжар Алдияр Амир Мирас Адиль Дамир Ислам "
    "Ернур Асылбек Бауыржан Нурлан Ержан Жандос"
).split()
GIRL_NAMES_KZ = (
    "Айгерим Аружан Дана Жансая Камила Алия Асель Динара Малика Томирис Айша Амина Сабина Инжу Мадина "
    "Гульназ Аяулым Назерке"
).split()

# Adult men's names with the patronymics they give (masculine, feminine).
FATHERS_RU: dict[str, tuple[str, str]] = {
    "Сергей": ("Сергеевич", "Сергеевна"), "Александр": ("Александрович", "Александровна"),
    "Андрей": ("Андреевич", "Андреевна"), "Алексей": ("Алексеевич", "Алексеевна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"), "Евгений": ("Евгеньевич", "Евгеньевна"),
    "Владимир": ("Владимирович", "Владимировна"), "Михаил": ("Михайлович", "Михайловна"),
    "Павел": ("Павлович", "Павловна"), "Николай": ("Николаевич", "Николаевна"),
    "Денис": ("Денисович", "Денисовна"), "Игорь": ("Игоревич", "Игоревна"),
    "Роман": ("Романович", "Романовна"), "Олег": ("Олегович", "Олеговна"),
    "Виктор": ("Викторович", "Викторовна"), "Константин": ("Константинович", "Константиновна"),
    "Юрий": ("Юрьевич", "Юрьевна"), "Вячеслав": ("Вячеславович", "Вячеславовна"),
    "Максим": ("Максимович", "Максимовна"), "Антон": ("Антонович", "Антоновна"),
    "Иван": ("Иванович", "Ивановна"), "Артём": ("Артёмович", "Артёмовна"),
    "Василий": ("Васильевич", "Васильевна"), "Фёдор": ("Фёдорович", "Фёдоровна"),
    "Пётр": ("Петрович", "Петровна"), "Геннадий": ("Геннадьевич", "Геннадьевна"),
    "Илья": ("Ильич", "Ильинична"), "Никита": ("Никитич", "Никитична"),
    "Анатолий": ("Анатольевич", "Анатольевна"), "Виталий": ("Витальевич", "Витальевна"),
    "Станислав": ("Станиславович", "Станиславовна"), "Григорий": ("Григорьевич", "Григорьевна"),
    "Валерий": ("Валерьевич", "Валерьевна"), "Руслан": ("Русланович", "Руслановна"),
    "Эдуард": ("Эдуардович", "Эдуардовна"), "Леонид": ("Леонидович", "Леонидовна"),
}
FATHERS_KZ = (
    "Нурлан Ерлан Серик Болат Асхат Марат Бауыржан Ержан Талгат Канат Нуржан Жандос Арман Даурен Бахыт "
    "Азамат Айдос Габит Кайрат Данияр"
).split()
MOTHERS_RU = (
    "Елена Ольга Наталья Татьяна Ирина Светлана Анна Юлия Екатерина Мария Марина Анастасия Оксана Евгения "
    "Ксения Людмила Надежда Виктория Алёна Валентина Галина Дарья Кристина Любовь Вера Лариса Жанна"
).split()
MOTHERS_KZ = "Гульнара Айгуль Сауле Динара Жанар Асель Мадина Алма Гульмира Айжан Салтанат Ботагоз Меруерт".split()

SURNAMES_RU = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков Алексеев "
    "Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев "
    "Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев "
    "Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов "
    "Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков "
    "Миронов Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов "
    "Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев "
    "Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев "
    "Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров "
    "Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев "
    "Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Галкин Лукьянов Михеев Скворцов Юдин Белоусов "
    "Нестеров Симонов Харитонов Князев Цветков Воронцов Третьяков Галиев Хасанов Сафин Шарипов Гарипов "
    "Вишневский Троицкий Успенский Покровский Загорский Шевченко Коваленко Бондаренко Ковальчук Мельничук "
    "Седых Черных Белых"
).split()
SURNAMES_KZ = (
    "Нурланов Жумабаев Сериков Ахметов Касымов Омаров Искаков Сулейменов Абдрахманов Есенов Байжанов "
    "Токтаров Кенжебаев Ермеков Утепов Садыков Муканов Жаксыбеков Ахметжанов Тулегенов "
    "Сейткали Жаксылык Кенжебек Нуртай Алибек Толеген"
).split()

SHARE_KAZAKH = 0.10  # share of Kazakh families among the demo town's families
SHARE_KAZAKH_PATRONYMIC = 0.35  # Kazakh families writing «-ұлы / -қызы» rather than «-ович / -овна»


def _weights(count: int) -> list[float]:
    """Cumulative weights that favour the head of a list (a gentle Zipf)."""
    return list(itertools.accumulate(1.0 / (rank + 4) for rank in range(count)))


_CUM = {id(seq): _weights(len(seq)) for seq in (BOY_NAMES_RU, GIRL_NAMES_RU, BOY_NAMES_KZ, GIRL_NAMES_KZ,
                                                 MOTHERS_RU, MOTHERS_KZ, SURNAMES_RU, SURNAMES_KZ, FATHERS_KZ)}
_FATHER_NAMES_RU = tuple(FATHERS_RU)
_CUM[id(_FATHER_NAMES_RU)] = _weights(len(_FATHER_NAMES_RU))


def pick(rng: random.Random, names: tuple[str, ...] | list[str]) -> str:
    cumulative = _CUM[id(names)]
    return names[bisect.bisect(cumulative, rng.random() * cumulative[-1], 0, len(cumulative) - 1)]


def feminine_surname(surname: str) -> str:
    """Иванов → Иванова, Королёв → Королёва, Троицкий → Троицкая; Шевченко, Седых, Сейткали stay."""
    for ending, replacement in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая"), ("ый", "ая")):
        if surname.endswith(ending):
            return surname[: -len(ending)] + replacement
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def surname_for(surname: str, sex: str) -> str:
    return feminine_surname(surname) if sex == "F" else surname


def patronymic_for(father: str, sex: str, *, kazakh_form: bool = False) -> str:
    """The patronymic a child of ``father`` bears: Russian (-ович/-евна, …) or Kazakh (-ұлы/-қызы)."""
    if kazakh_form:
        return father + ("қызы" if sex == "F" else "ұлы")
    if father in FATHERS_RU:
        masculine, feminine = FATHERS_RU[father]
    else:  # Kazakh names end in a consonant: Нурлан → Нурланович / Нурлановна
        masculine, feminine = father + "ович", father + "овна"
    return feminine if sex == "F" else masculine


@dataclass(frozen=True)
class Family:
    """What siblings share: the surname (masculine form), the parents' names, how patronymics are written."""

    ethnicity: str
    surname: str
    father: str
    mother: str
    father_patronymic: str
    mother_patronymic: str
    kazakh_patronymic: bool


def family_new(rng: random.Random, *, share_kazakh: float = SHARE_KAZAKH) -> Family:
    kazakh = rng.random() < share_kazakh
    if kazakh:
        kazakh_form = rng.random() < SHARE_KAZAKH_PATRONYMIC
        return Family(
            ethnicity=KAZAKH, surname=pick(rng, SURNAMES_KZ), father=pick(rng, FATHERS_KZ),
            mother=pick(rng, MOTHERS_KZ),
            father_patronymic=patronymic_for(pick(rng, FATHERS_KZ), "M", kazakh_form=kazakh_form),
            mother_patronymic=patronymic_for(pick(rng, FATHERS_KZ), "F", kazakh_form=kazakh_form),
            kazakh_patronymic=kazakh_form,
        )
    return Family(
        ethnicity=RUSSIAN, surname=pick(rng, SURNAMES_RU), father=pick(rng, _FATHER_NAMES_RU),
        mother=pick(rng, MOTHERS_RU),
        father_patronymic=patronymic_for(pick(rng, _FATHER_NAMES_RU), "M"),
        mother_patronymic=patronymic_for(pick(rng, _FATHER_NAMES_RU), "F"),
        kazakh_patronymic=False,
    )


def child_first_name(rng: random.Random, *, sex: str, ethnicity: str) -> str:
    if ethnicity == KAZAKH:
        return pick(rng, GIRL_NAMES_KZ if sex == "F" else BOY_NAMES_KZ)
    return pick(rng, GIRL_NAMES_RU if sex == "F" else BOY_NAMES_RU)


def child_full_name(rng: random.Random, *, family: Family, sex: str) -> tuple[str, str, str]:
    """(surname, name, patronymic) of a child of ``family``."""
    return (surname_for(family.surname, sex), child_first_name(rng, sex=sex, ethnicity=family.ethnicity),
            patronymic_for(family.father, sex, kazakh_form=family.kazakh_patronymic))


def adult_full_name(rng: random.Random, *, sex: str, share_kazakh: float = SHARE_KAZAKH) -> tuple[str, str, str]:
    """A grown-up (a teacher, a director) with a full Russian-style name."""
    family = family_new(rng, share_kazakh=share_kazakh)
    if sex == "F":
        return surname_for(family.surname, "F"), family.mother, family.mother_patronymic
    return family.surname, family.father, family.father_patronymic


_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяұқәіңғүөһ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
     "f", "kh", "ts", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya", "u", "k", "a", "i", "n", "g", "u", "o", "h"],
    strict=True,
))


def translit(text: str) -> str:
    """Latin letters for e-mail addresses: «Королёва» → «koroleva»."""
    return "".join(_TRANSLIT.get(ch, ch if ch.isascii() and ch.isalnum() else "") for ch in text.lower())


def phone_number(rng: random.Random) -> str:
    """A Russian mobile number, +79XXXXXXXXX."""
    return f"+79{rng.randrange(10**9):09d}"


def snils_number(serial: int) -> str:
    """A valid 11-digit СНИЛС for a serial number (numbers above 001-001-998 carry a check number)."""
    first9 = f"{1_002_000 + serial:09d}"
    total = sum(int(d) * (9 - i) for i, d in enumerate(first9))
    check = total if total < 100 else 0 if total in (100, 101) else total % 101 % 100
    return f"{first9}{check:02d}"


# Spellings that a second registration of the same child typically gets wrong.
YO_PLAIN = str.maketrans("ёЁ", "еЕ")

"""Deterministic sample registries (tests and ``bench/import.py``): a town's children with enrollments."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from kruzhok.people.validators import iin_check_digit

SURNAMES = ("Иванов", "Петров", "Сидоров", "Ахметов", "Нургалиев", "Смирнов", "Кузнецов", "Попов", "Васильев",
            "Жумабаев", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев")
NAMES_M = ("Иван", "Пётр", "Арман", "Алексей", "Данияр", "Максим", "Артём", "Тимур", "Кирилл", "Ерлан")
NAMES_F = ("Анна", "Мария", "Айгерим", "Дарья", "Алия", "София", "Виктория", "Дана", "Полина", "Камила")

CHILD_HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "Вид идентификатора", "СНИЛС / ИИН",
                "Муниципалитет проживания", "Категории", "Представитель: фамилия", "Представитель: имя",
                "Представитель: телефон", "Кем приходится", "Организация", "Программа (код или название)", "Группа",
                "Дата зачисления"]


def make_iin(birth: dt.date, sex: str, serial: int) -> str:
    """A valid ИИН for a birth date and sex (``serial`` picks one of the numbers; skipped if it has no check digit)."""
    century = (birth.year // 100) - 18  # 1800s → 0, 1900s → 1, 2000s → 2
    digit = 2 * century + (1 if sex == "M" else 2)
    while True:
        first11 = f"{birth:%y%m%d}{digit}{serial % 10000:04d}"
        check = iin_check_digit(first11)
        if check is not None:
            return first11 + str(check)
        serial += 1


def bad_iin(iin: str) -> str:
    return iin[:11] + str((int(iin[11]) + 1) % 10)


def child_rows(n: int, *, groups: list[tuple[str, str, str]], municipality: str, start: dt.date,
               ages: tuple[int, int] = (7, 14), seed: int = 1) -> Iterator[list]:
    """``n`` rows of :data:`CHILD_HEADER`: distinct children (ИИН), each enrolled in one of ``groups``
    (organization, programme, group) on ``start``, aged within ``ages`` on that day."""
    rnd = random.Random(seed)
    n_ages = ages[1] - ages[0] + 1
    cycle = 2 * n_ages * 4 * 27
    for i in range(n):
        k = i % cycle
        sex = "M" if k % 2 == 0 else "F"
        age = ages[0] + (k // 2) % n_ages
        month = 9 + (k // (2 * n_ages)) % 4
        day = 2 + k // (8 * n_ages)
        birth = dt.date(start.year - age - 1, month, day)  # born after 1 September: ``age`` on ``start``
        iin = make_iin(birth, sex, 10 * (i // cycle))
        org, programme, group = groups[i % len(groups)]
        surname = SURNAMES[rnd.randrange(len(SURNAMES))] + ("а" if sex == "F" else "")
        yield [surname, (NAMES_M if sex == "M" else NAMES_F)[rnd.randrange(10)], "", birth,
               "мужской" if sex == "M" else "женский", "ИИН", iin, municipality,
               "ОВЗ" if i % 50 == 0 else "", surname, NAMES_F[rnd.randrange(10)], f"+7701{i:07d}",
               "мать", org, programme, group, start]

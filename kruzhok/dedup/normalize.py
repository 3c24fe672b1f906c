"""Normalized keys of a child's name, patronymic, phone and birth date: where the variants of one child meet.

Every name goes through one pipeline, whatever alphabet it was typed in:

1. :func:`kruzhok.core.text.fold` — case, «ё»→«е», Kazakh letters to their Russian lookalikes (ә→а, қ→к, ұ/ү→у,
   ө→о, і→и, ң→н, ғ→г, һ→х), «й»→«и»;
2. Cyrillic is transliterated to Latin, Latin (passport or Kazakh Latin spelling, with its diacritics) is taken
   as it is;
3. the Latin spelling is reduced to one skeleton: digraphs that spell one sound (zh/j, kh/h, ch, ts, sh),
   «x»→«ks», «q»→«k», «w»→«v», «y»→«i», «ye»→«e», doubled letters once.

So «Әлия», «Алия», «Aliya» and «Áliá» share the key ``alq``; «Жанна» and «Zhanna» share ``jana``.

A patronymic is reduced to its root: «Серикович», «Серікұлы», «Серик улы», «Serikovich» → ``serik``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from kruzhok.core.text import fold

_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}
# Kazakh Latin letters (2018/2021 alphabets) and other diacritics: to their plain Latin spelling.
_LATIN_SPECIAL = str.maketrans({"ı": "i", "ǵ": "g", "ğ": "g", "ş": "sh", "ç": "ch", "ñ": "n", "ń": "n",
                                "ä": "a", "á": "a", "ó": "o", "ö": "o", "ú": "u", "ü": "u", "ý": "y", "ū": "u"})
_SKELETON = (
    ("shch", "sh"), ("sch", "sh"), ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("tch", "ch"),
    ("ch", "c"), ("ts", "c"), ("tz", "c"), ("ph", "f"), ("x", "ks"), ("q", "k"), ("w", "v"),
    ("ye", "e"), ("yo", "e"), ("iy", "i"), ("y", "i"), ("ck", "k"),
    ("sh", "w"),  # one letter for one sound, so a typo in «ш» is one edit as in the other letters
)
_NOT_LATIN = re.compile(r"[^a-z]+")
_DOUBLES = re.compile(r"(.)\1+")
_DIGITS = re.compile(r"\D+")

# Patronymic suffixes, longest first, after folding (Kazakh ұлы/қызы folded to улы/кызы) or in Latin.
_PATRONYMIC_SUFFIXES = (
    "ьевич", "ьевна", "инична", "евич", "ович", "евна", "овна", "ична", "ич", "улы", "уулу", "кызы", "гызы",
    "оглы", "ievich", "ievna", "evich", "ovich", "evna", "ovna", "ichna", "ich", "uly", "ulu", "kyzy", "kizi",
    "qyzy", "ugli", "ogly",
)


def _plain(text: str) -> str:
    """Latin letters with diacritics to plain ones (Kazakh Cyrillic letters are left to ``fold``)."""
    text = (text or "").lower().translate(_LATIN_SPECIAL)
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def latin_key(text: str) -> str:
    """One skeleton for a name in any of its spellings ("" for an empty one)."""
    folded = fold(_plain(text))
    if not folded:
        return ""
    latin = _NOT_LATIN.sub("", "".join(_CYR_TO_LAT.get(ch, ch) for ch in folded))
    for old, new in _SKELETON:
        latin = latin.replace(old, new)
    latin = _DOUBLES.sub(r"\1", latin)
    # «я», «ю» are two Latin letters: one letter each, so a typo in them is one edit too.
    return latin.replace("ia", "q").replace("iu", "x")


def name_key(text: str) -> str:
    """The key of a first name or a surname (several words are joined: «Анна-Мария» = «Анна Мария»)."""
    return latin_key(text or "")


@lru_cache(maxsize=200_000)
def patronymic_root(text: str) -> str:
    """The father's name inside a patronymic, as a key: both styles and alphabets meet."""
    lowered = fold(_plain(text)).replace(" ", "")
    if not lowered:
        return ""
    # Strip the suffix in whichever alphabet it is written, then take the key of the root.
    for suffix in _PATRONYMIC_SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) - len(suffix) >= 2:
            lowered = lowered[: -len(suffix)]
            break
    key = latin_key(lowered)
    # «Сергеевич» → «серге», «Sergeevich» → «serge»: a trailing vowel of the root is not reliable.
    return key.rstrip("aeiou") or key


# Common first names of Kazakhstan and Russia: two *different* known names one letter apart (Мария / Дарья,
# Арина / Ирина, Диана / Яна) are different children, not a typo. The search adds every name frequent in the
# data it reads (``pipeline.prepare``).
COMMON_FIRST_NAMES = frozenset(latin_key(n) for n in (
    "Александр Алексей Андрей Антон Артём Арсений Богдан Вадим Валерий Василий Виктор Виталий Владимир "
    "Владислав Всеволод Вячеслав Георгий Глеб Григорий Даниил Денис Дмитрий Евгений Егор Иван Игорь Илья "
    "Кирилл Константин Лев Леонид Максим Марк Матвей Михаил Никита Николай Олег Павел Пётр Роман Руслан "
    "Савелий Семён Сергей Степан Тимофей Тимур Фёдор Юрий Ярослав Эдуард Захар Мирон Елисей Даниэль Давид "
    "Александра Алина Алиса Алёна Анастасия Ангелина Анна Арина Валерия Варвара Вера Вероника Виктория "
    "Дарья Диана Ева Евгения Екатерина Елена Елизавета Есения Злата Ирина Карина Кира Ксения Лилия Любовь "
    "Людмила Маргарита Марина Мария Милана Надежда Наталья Нина Олеся Ольга Полина Светлана София Таисия "
    "Татьяна Ульяна Юлия Яна Василиса Мирослава Стефания Эмилия Серафима Майя Агата Алия Амина Аделина "
    "Айдар Айбек Алихан Алмас Арман Арсен Асқар Аслан Әлихан Бауыржан Бекзат Бекжан Бақытжан Дамир Данияр "
    "Дәурен Ерасыл Ербол Ерлан Ерқанат Жандос Жасұлан Ислам Қайрат Қанат Мағжан Мейіржан Мұхаммед Нұрасыл "
    "Нұрлан Нұрсұлтан Олжас Рахат Санжар Сұлтан Серік Талғат Темірлан Ұлан Шыңғыс Еламан Әмір Ілияс Медет "
    "Нұрдәулет Абылай Азамат Ақжол Бейбіт Жәнібек Ғалым Дінмұхамед Ержан Марат Болат Мұрат Самат Рүстем Айдос "
    "Мейрам Нұржан Алдияр Әлинұр Айсұлтан Ансар Ахмед Әли Біржан Ерболат Нұрислам Рамазан Эмир Айсар Даниял "
    "Аида Айгерім Айдана Айжан Айым Ақбота Ақерке Әйгерім Әсем Әлия Аружан Балжан Гүлназ Дана Дариға "
    "Жанерке Жансая Жұлдыз Зарина Инкар Камила Қарақат Ләззат Мадина Малика Меруерт Мөлдір Назерке Нұрай "
    "Нұрсұлу Сабина Сая Томирис Ұлжан Ұлпан Шұғыла Динара Аяулым Аяжан Гүлнұр Жібек Көркем Айсұлу Дильназ "
    "Айзере Аймира Эльмира Сезім Іңкәр Ақмаржан Әмина Салтанат Толғанай Үміт Асель Айару Айлин Раяна Медина"
).split())


def phone_key(text: str) -> str:
    """The last ten digits of a phone number (+7 / 8 prefixes meet); "" when too short to mean anything."""
    digits = _DIGITS.sub("", text or "")
    return digits[-10:] if len(digits) >= 7 else ""


def quick_keys(*, surname: str, name: str, birth_date: dt.date) -> list[str]:
    """Keys of the quick duplicate check: the two name keys in a fixed order (a swap of first name and surname
    meets) with the birth date; the day/month swapped date is a second key when it is a valid date."""
    names = "|".join(sorted((name_key(surname), name_key(name))))
    keys = [f"{names}|{birth_date.isoformat()}"]
    if birth_date.day <= 12 and birth_date.day != birth_date.month:
        try:
            swapped = birth_date.replace(month=birth_date.day, day=birth_date.month)
        except ValueError:
            swapped = None
        if swapped is not None:
            keys.append(f"{names}|{swapped.isoformat()}")
    return keys


def stored_key(*, surname: str, name: str, birth_date: dt.date) -> str:
    """The one key stored per child (the first of :func:`quick_keys`)."""
    return quick_keys(surname=surname, name=name, birth_date=birth_date)[0]

"""Duplicate-children benchmark: records with known identity and realistic corruptions, our pipeline and Splink's
stock comparisons, pairwise precision / recall / F1 and the error of the unique-children count.

    .venv/bin/python bench/dedup.py [--quick] [--sizes 100000,1000000,2500000]

The generator (:func:`generate`) builds families — a surname, a father (his name gives the patronymic, in the
Russian «-ович/-овна» or the Kazakh «-ұлы/-қызы» style), one or two parents' phones, a municipality, a school —
with one to four children (3 % of births are twins: same birth date, different first names), half Russian and
half Kazakh names. Each child is registered once, and about 30 % again (by another organization, a second
parent account, an import), up to three more times; each repeat gets corruptions: a typo in the first name or
the surname, «ё» as «е», Kazakh letters typed as Russian lookalikes, the name in Latin letters (passport or
Kazakh Latin spelling), first name and surname swapped, the patronymic missing or in the other style, day and
month of birth swapped, one digit of the date wrong, the other parent's phone or none, no school, a national id
only on some records. The children are the input of the same code the search job runs
(``kruzhok.dedup.pipeline``: ``prepare`` → ``predict`` → ``cluster``), fed from an Arrow table instead of the ORM.

Reported per size (and at the top level for the largest): ``precision``, ``recall``, ``f1`` over the pairs of
records put in one cluster (clusters of the pairs at ``pipeline.COUNT_WEIGHT``; ``f1_at_merge_weight`` and
``unique_error_pct_at_merge_weight`` are the same figures for clusters at the stricter ``MERGE_WEIGHT``),
``unique_error_pct`` = (clusters − true children) / true children × 100, ``wall_s``
(normalization + Splink + clustering), ``peak_rss_mb`` (of this process, DuckDB included), ``quick_check_ms``
(the quick warning's key lookup, median over 200 lookups in an indexed SQLite table of every record's key) and
the same figures of Splink's stock comparisons trained by EM (``splink_stock_f1``, ``splink_stock_wall_s``).
Generation, our run and the stock run are three processes (each peak RSS is its own); the generated records are
kept in ``--data-dir`` (a temporary directory by default) between runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402

SEED = 5
SIZES = (100_000, 1_000_000, 2_500_000)
STOCK_NOTE = ("stock Splink: NameComparison on name, surname, patronymic, DateOfBirthComparison, ExactMatch on phone, "
              "school, municipality, sex over the raw lower-cased columns; blocking on (surname, birth_date), "
              "(name, birth_date), (name, surname); u by random sampling (1e6 pairs), m by EM; clusters at "
              "probability 0.5; same machine, threads and memory limit as ours")

RU_M = ("Александр Алексей Андрей Антон Артём Арсений Богдан Вадим Валерий Василий Виктор Виталий Владимир "
        "Владислав Всеволод Вячеслав Георгий Глеб Григорий Даниил Денис Дмитрий Евгений Егор Иван Игорь Илья "
        "Кирилл Константин Лев Леонид Максим Марк Матвей Михаил Никита Николай Олег Павел Пётр Роман Руслан "
        "Савелий Семён Сергей Степан Тимофей Тимур Фёдор Юрий Ярослав Эдуард Захар Мирон Елисей").split()
RU_F = ("Александра Алина Алиса Алёна Анастасия Ангелина Анна Арина Валерия Варвара Вера Вероника Виктория "
        "Дарья Диана Ева Евгения Екатерина Елена Елизавета Есения Злата Ирина Карина Кира Ксения Лилия Любовь "
        "Людмила Маргарита Марина Мария Милана Надежда Наталья Нина Олеся Ольга Полина Светлана София Таисия "
        "Татьяна Ульяна Юлия Яна Василиса Мирослава Стефания Эмилия Серафима Майя Агата").split()
KZ_M = ("Айдар Айбек Алихан Алмас Арман Арсен Асқар Аслан Бауыржан Бекзат Бекжан Бақытжан Дамир Данияр "
        "Дәурен Ерасыл Ербол Ерлан Ерқанат Жандос Жасұлан Ислам Қайрат Қанат Мағжан Мейіржан Мұхаммед Нұрасыл "
        "Нұрлан Нұрсұлтан Олжас Рахат Санжар Сұлтан Серік Талғат Темірлан Ұлан Шыңғыс Еламан "
        "Әмір Ілияс Медет Нұрдәулет Абылай Азамат Ақжол Бейбіт Жәнібек Ғалым Дінмұхамед").split()
KZ_F = ("Аида Айгерім Айдана Айжан Айым Ақбота Ақерке Әйгерім Әсем Әлия Аружан Балжан Гүлназ Дана Дариға "
        "Жанерке Жансая Жұлдыз Зарина Инкар Камила Қарақат Ләззат Мадина Малика Меруерт Мөлдір Назерке Нұрай "
        "Нұрсұлу Сабина Сая Томирис Ұлжан Ұлпан Шұғыла Динара Аяулым Аяжан Гүлнұр Жібек Көркем Айсұлу Дильназ "
        "Айзере Аймира Эльмира Сезім Іңкәр Ақмаржан Әмина Салтанат Толғанай Үміт").split()
RU_SURNAME_ROOTS = ("Иван Смирн Кузнец Попов Васильев Петр Соколов Михайл Новиков Федор Морозов Волков Алексеев "
                    "Лебедев Семен Егоров Павлов Козлов Степан Никола Орлов Андреев Макаров Никит Захаров Зайцев "
                    "Соловьев Борисов Яковлев Григорьев Роман Воробьев Сергеев Кузьмин Фролов Александров "
                    "Дмитриев Королев Гусев Киселев Ильин Максимов Поляков Сорокин Виноградов Ковалев Белов "
                    "Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов "
                    "Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов "
                    "Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов "
                    "Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышев Быков Маслов Родионов Коновалов "
                    "Лазарев Воронин Климов Филатов Пономарев Голубев Кудрявцев Прохоров Наумов Потапов Журавлев "
                    "Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачев "
                    "Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев "
                    "Бирюков Горбунов Анисимов Еремин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов "
                    "Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов Воронов Аксенов "
                    "Софронов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов "
                    "Плотников Демин Хохлов Жданов Носков Рябов").split()
KZ_SURNAME_ROOTS = ("Ахмет Әбдірахман Байжан Бекен Жұмабай Қасым Нұрпейіс Омар Сейіт Тұрсын Ысқақ Әлім Бектұр "
                    "Досым Ерғали Жақсылық Кенжебай Мұқан Оспан Сәрсен Төлеген Шәкір Абдулла Ақылбек Балтабай "
                    "Ғабит Есен Жұмағали Қалиев Мақсұт Нұрғали Рахым Сұлтанбек Тоқтар Уәли Хамит Шалқар Айтбай "
                    "Бақыт Дүйсен Жанұзақ Ибрай Қожахмет Мұса Орынбай Сағынтай Тілеу Үсен Есмағамбет Жолдас "
                    "Қуаныш Мырзахмет Әубәкір Бөлекбай Дәулет Жексен Иманғали Құдайберген Нұрмағамбет Сапар "
                    "Тәжібай Шайхы Әбіл Бейсен Елубай Жүніс Кәрім Мақаш Нысанбай Смағұл Тұяқ Әлиакбар Бисен "
                    "Ермек Жапар Қайыржан Медеу Сыздық Темір Шоқан Әшім Болат Ерден Жетпіс Қаржау Мұрат Садық "
                    "Телжан Ыбырай Айдос Дархан Еркін Жаңабай Кемел Мәлік Серғазы Тұрар Хасен Ілияс").split()
FATHERS_RU = ("Александр Алексей Андрей Виктор Владимир Дмитрий Евгений Игорь Константин Михаил Николай Олег "
              "Павел Роман Сергей Юрий Вадим Денис Максим Иван Илья Кирилл Артём Антон").split()
FATHERS_KZ = ("Серік Нұрлан Ерлан Қайрат Бауыржан Асқар Арман Талғат Ержан Марат Болат Қанат Ғалым Дәулет "
              "Бақыт Жандос Мұрат Самат Рүстем Айдос Ербол Мейрам Нұржан Тимур").split()

KZ_LETTERS = str.maketrans({"ә": "а", "қ": "к", "ұ": "у", "ү": "у", "ө": "о", "і": "и", "ң": "н", "ғ": "г",
                            "һ": "х", "Ә": "А", "Қ": "К", "Ұ": "У", "Ү": "У", "Ө": "О", "І": "И", "Ң": "Н",
                            "Ғ": "Г", "Һ": "Х"})
PASSPORT = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
            "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
            "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie",
            "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia", "ә": "a", "ғ": "g", "қ": "k", "ң": "n",
            "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i"}
KAZ_LATIN = {**PASSPORT, "ж": "j", "х": "h", "й": "i", "ш": "ş", "ч": "ç", "ә": "ä", "ғ": "ğ", "қ": "q",
             "ң": "ñ", "ө": "ö", "ұ": "ū", "ү": "ü", "і": "ı", "ы": "y", "ю": "iu", "я": "ia", "е": "e"}
ENGLISH = {**PASSPORT, "е": "e", "ё": "yo", "й": "y", "ю": "yu", "я": "ya", "х": "kh", "ы": "y", "ц": "ts",
           "щ": "sch"}
ALPHABET = "абвгдежзийклмнопрстуфхцчшщыэюя"
YO_NAMES = {"Артём": "Артем", "Пётр": "Петр", "Семён": "Семен", "Фёдор": "Федор", "Алёна": "Алена"}


def translit(text: str, table: dict) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        rep = table.get(low, ch)
        out.append(rep.capitalize() if ch != low else rep)
    return "".join(out)


def typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.35:
        return text[:i] + rng.choice(ALPHABET) + text[i + 1:]
    if kind < 0.6:
        return text[:i] + text[i + 1:]
    if kind < 0.8:
        return text[:i] + rng.choice(ALPHABET) + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def surname_for(root: str, sex: str, kazakh: bool) -> str:
    if kazakh and not root.endswith(("ов", "ев", "ин")):
        base = root + ("ов" if root[-1] not in "аеиоуыэюяәөұүі" else "ев")
    else:
        base = root
    if base.endswith("ий"):
        return base if sex == "M" else base[:-2] + "ая"
    return base if sex == "M" else base + "а"


def patronymic_for(father: str, sex: str, style: str) -> str:
    if style == "kz":
        return father + ("ұлы" if sex == "M" else "қызы")
    stem = father
    if stem.endswith("ий"):
        stem = stem[:-2]
        return stem + ("иевич" if sex == "M" else "иевна")
    if stem.endswith("й"):
        return stem[:-1] + ("евич" if sex == "M" else "евна")
    if stem[-1] in "аяё":
        stem = stem[:-1]
    return stem + ("ович" if sex == "M" else "овна")


def digit_off(rng: random.Random, day: dt.date) -> dt.date:
    for _ in range(10):
        text = list(day.strftime("%Y%m%d"))
        pos = rng.choice([3, 6, 7])
        text[pos] = str(rng.randrange(10))
        try:
            new = dt.date(int("".join(text[:4])), int("".join(text[4:6])), int("".join(text[6:])))
        except ValueError:
            continue
        if new != day and dt.date(2005, 1, 1) <= new <= dt.date(2023, 12, 31):
            return new
    return day


def generate(n_records: int, seed: int = SEED) -> pa.Table:
    """``n_records`` child records with the true identity in ``truth``."""
    rng = random.Random(seed)
    n_munis = max(5, n_records // 60_000)
    schools_per_muni = 40
    cols: dict[str, list] = {k: [] for k in ("unique_id", "surname", "name", "patronymic", "sex", "birth_date",
                                             "phone", "school", "municipality", "national_id", "truth")}
    child_id = 0
    start = dt.date(2006, 1, 1).toordinal()
    span = dt.date(2022, 12, 31).toordinal() - start
    while len(cols["unique_id"]) < n_records:
        kazakh = rng.random() < 0.5
        roots = KZ_SURNAME_ROOTS if kazakh else RU_SURNAME_ROOTS
        root = rng.choice(roots)
        father = rng.choice(FATHERS_KZ if kazakh else FATHERS_RU)
        pat_style = "kz" if kazakh and rng.random() < 0.6 else "ru"
        phones = [f"+77{rng.randrange(10**8, 10**9)}" for _ in range(2)]
        muni = rng.randrange(n_munis)
        school = f"{muni}-{rng.randrange(schools_per_muni)}"
        n_children = rng.choices((1, 2, 3, 4), (0.45, 0.35, 0.15, 0.05))[0]
        used: set[str] = set()
        births: list[tuple[str, dt.date]] = []
        for _ in range(n_children):
            birth = dt.date.fromordinal(start + rng.randrange(span))
            births.append((rng.choice("MF"), birth))
            if rng.random() < 0.03:  # twins
                births.append((rng.choice("MF"), birth))
        for sex, birth in births:
            names = (KZ_M if sex == "M" else KZ_F) if kazakh else (RU_M if sex == "M" else RU_F)
            if rng.random() < 0.15:  # mixed naming in Kazakh and Russian families
                names = (RU_M if sex == "M" else RU_F) if kazakh else names
            name = rng.choice(names)
            while name in used:
                name = rng.choice(names)
            used.add(name)
            child_id += 1
            surname = surname_for(root, sex, kazakh)
            patronymic = patronymic_for(father, sex, pat_style)
            nid = f"{birth:%y%m%d}{rng.randrange(10**5, 10**6)}"
            child_school = school if birth.year < 2019 else f"{muni}-k{rng.randrange(schools_per_muni)}"
            extra = rng.choices((0, 1, 2, 3), (0.7, 0.2, 0.07, 0.03))[0]
            for copy in range(1 + extra):
                rec = {"surname": surname, "name": name, "patronymic": patronymic, "sex": sex, "birth_date": birth,
                       "phone": phones[0], "school": child_school, "municipality": muni,
                       "national_id": nid if rng.random() < 0.2 else ""}
                if copy:
                    _corrupt(rng, rec, father=father, pat_style=pat_style, phones=phones, kazakh=kazakh)
                cols["unique_id"].append(len(cols["unique_id"]) + 1)
                for key, value in rec.items():
                    cols[key].append(value)
                cols["truth"].append(child_id)
    order = list(range(n_records))
    rng.shuffle(order)
    return pa.table({key: pa.array([values[i] for i in order]) for key, values in cols.items()})


def _corrupt(rng: random.Random, rec: dict, *, father: str, pat_style: str, phones: list[str], kazakh: bool) -> None:
    r = rng.random
    if r() < 0.3:  # Kazakh letters typed as Russian lookalikes
        for key in ("surname", "name", "patronymic"):
            rec[key] = rec[key].translate(KZ_LETTERS)
    if r() < 0.3:
        for key in ("surname", "name", "patronymic"):
            rec[key] = rec[key].replace("ё", "е").replace("Ё", "Е")
        rec["name"] = YO_NAMES.get(rec["name"], rec["name"])
    if r() < 0.12:
        rec["name"] = typo(rng, rec["name"])
    if r() < 0.12:
        rec["surname"] = typo(rng, rec["surname"])
    if r() < 0.15:
        rec["patronymic"] = ""
    elif kazakh and r() < 0.3:
        rec["patronymic"] = patronymic_for(father, rec["sex"], "ru" if pat_style == "kz" else "kz")
    if r() < 0.07:  # passport / Kazakh Latin / English spelling
        table = rng.choice((PASSPORT, KAZ_LATIN, ENGLISH))
        for key in ("surname", "name", "patronymic"):
            rec[key] = translit(rec[key], table)
    if r() < 0.04:
        rec["surname"], rec["name"] = rec["name"], rec["surname"]
    if r() < 0.04 and rec["birth_date"].day <= 12 and rec["birth_date"].day != rec["birth_date"].month:
        rec["birth_date"] = rec["birth_date"].replace(month=rec["birth_date"].day, day=rec["birth_date"].month)
    elif r() < 0.04:
        rec["birth_date"] = digit_off(rng, rec["birth_date"])
    roll = r()
    if roll < 0.3:
        rec["phone"] = phones[1]
    elif roll < 0.4:
        rec["phone"] = ""
    elif roll < 0.5:
        rec["phone"] = "8" + rec["phone"][2:]
    if r() < 0.25:
        rec["school"] = None
    if r() < 0.05:
        rec["municipality"] = rng.randrange(5)
    if r() < 0.1:
        rec["surname"] = rec["surname"].upper()


def pair_scores(truth: np.ndarray, predicted: np.ndarray) -> dict:
    """Pairwise precision / recall / F1 of a clustering against the truth, and the unique-count error."""
    def pairs(*labels: np.ndarray) -> int:
        _, counts = np.unique(np.stack(labels), axis=1, return_counts=True)
        counts = counts.astype(np.int64)
        return int((counts * (counts - 1) // 2).sum())

    true_pairs, pred_pairs, both = pairs(truth), pairs(predicted), pairs(truth, predicted)
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n_true, n_pred = len(np.unique(truth)), len(np.unique(predicted))
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "unique_error_pct": round((n_pred - n_true) / n_true * 100, 3), "true_children": int(n_true),
            "clusters": int(n_pred), "true_pairs": true_pairs, "predicted_pairs": pred_pairs}


def labels_of(raw: pa.Table, clusters: dict[int, int]) -> np.ndarray:
    ids = raw["unique_id"].to_numpy()
    return np.array([clusters.get(i, i) for i in ids.tolist()], dtype=np.int64)


def cpu_s() -> float:
    """CPU seconds of this process, DuckDB's threads included: on a shared machine ``wall_s`` also counts the time
    other processes held the cores; ``cpu_s`` / 2 is the wall time the same work needs on two free cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_ours(raw: pa.Table) -> tuple[dict, np.ndarray, np.ndarray]:
    """Our pipeline; the labels of the clusters at ``COUNT_WEIGHT`` (the figures) and at ``MERGE_WEIGHT`` (what
    an automatic merge at its suggested weight would leave)."""
    from kruzhok.dedup import pipeline

    started, cpu = time.perf_counter(), cpu_s()
    pairs = pipeline.predict(raw, threshold_weight=pipeline.COUNT_WEIGHT, keep_bayes_factors=False)
    predicted, predict_cpu = time.perf_counter(), cpu_s()
    clusters = pipeline.cluster(pairs, threshold_weight=pipeline.COUNT_WEIGHT)
    labels = labels_of(raw, clusters)
    wall = time.perf_counter() - started
    used = cpu_s() - cpu
    log(f"  ours: predict {predicted - started:.1f}s / {predict_cpu - cpu:.1f} CPU-s ({pairs.num_rows} pairs), "
        f"cluster {time.perf_counter() - predicted:.1f}s")
    merge_labels = labels_of(raw, pipeline.cluster(pairs, threshold_weight=pipeline.MERGE_WEIGHT))
    return {"wall_s": round(wall, 2), "cpu_s": round(used, 2), "predict_cpu_s": round(predict_cpu - cpu, 2),
            "pairs_scored": int(pairs.num_rows), "count_weight": pipeline.COUNT_WEIGHT}, labels, merge_labels


def run_stock(raw: pa.Table) -> tuple[dict, np.ndarray]:
    from kruzhok.dedup import pipeline

    started, cpu = time.perf_counter(), cpu_s()
    pairs = pipeline.stock_predict(raw, threshold_probability=0.5)
    clusters = pipeline.cluster(pairs, threshold_weight=0.0)
    labels = labels_of(raw, clusters)
    return {"wall_s": round(time.perf_counter() - started, 2), "cpu_s": round(cpu_s() - cpu, 2)}, labels


def quick_check_ms(raw: pa.Table) -> float:
    """Median time of the quick check's lookup by key in an indexed table of every record's key."""
    from kruzhok.dedup.normalize import quick_keys, stored_key

    with tempfile.TemporaryDirectory() as tmp:
        con = sqlite3.connect(os.path.join(tmp, "keys.sqlite3"))
        con.execute("CREATE TABLE k (child_id INTEGER PRIMARY KEY, key TEXT NOT NULL)")
        rows = zip(raw["unique_id"].to_pylist(), raw["surname"].to_pylist(), raw["name"].to_pylist(),
                   raw["birth_date"].to_pylist(), strict=True)
        con.executemany("INSERT INTO k VALUES (?, ?)",
                        ((i, stored_key(surname=s, name=n, birth_date=d)) for i, s, n, d in rows))
        con.execute("CREATE INDEX k_key ON k (key)")
        con.commit()
        times = []
        sample = random.Random(1).sample(range(raw.num_rows), 200)
        for i in sample:
            t0 = time.perf_counter()
            wanted = quick_keys(surname=raw["surname"][i].as_py(), name=raw["name"][i].as_py(),
                                birth_date=raw["birth_date"][i].as_py())
            placeholders = ",".join("?" * len(wanted))
            con.execute(f"SELECT child_id FROM k WHERE key IN ({placeholders})", wanted).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
        con.close()
    return round(statistics.median(times), 3)


def _worker(kind: str, path: str) -> None:
    """One measured step in a process of its own, so each peak RSS is that step's alone."""
    import pyarrow.feather as feather

    if kind == "generate":
        size = int(path.rsplit("-", 1)[1].split(".")[0])
        feather.write_feather(generate(size), path + ".part", compression="uncompressed")
        os.replace(path + ".part", path)
        return
    raw = feather.read_table(path, memory_map=False)
    truth = raw["truth"].to_numpy()
    raw = raw.drop_columns(["truth"])
    if kind == "ours":
        result, labels, merge_labels = run_ours(raw)
        at_merge = pair_scores(truth, merge_labels)
        from kruzhok.dedup.pipeline import MERGE_WEIGHT

        result.update({"merge_weight": MERGE_WEIGHT, "f1_at_merge_weight": at_merge["f1"],
                       "unique_error_pct_at_merge_weight": at_merge["unique_error_pct"]})
    else:
        result, labels = run_stock(raw)
    result.update(pair_scores(truth, labels))
    result["peak_rss_mb"] = peak_rss_mb()
    if kind == "ours":
        result["quick_check_ms"] = quick_check_ms(raw)
    print(json.dumps(result))


def _run(kind: str, path: str) -> dict:
    import subprocess

    done = subprocess.run([sys.executable, __file__, "--worker", kind, "--input", path], check=True,
                          stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default="")
    parser.add_argument("--no-stock", action="store_true")
    parser.add_argument("--stock-sizes", default="", help="sizes the stock baseline runs at (default: all)")
    parser.add_argument("--worker", default="")
    parser.add_argument("--input", default="")
    parser.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "kruzhok-bench-dedup"))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args.worker:
        _worker(args.worker, args.input)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s] or ([SIZES[0]] if args.quick else list(SIZES))
    os.makedirs(args.data_dir, exist_ok=True)
    results = {}
    for size in sizes:
        path = os.path.join(args.data_dir, f"records-{SEED}-{size}.arrow")
        while os.environ.get("DEDUP_BENCH_WAIT") and not os.path.exists(path):
            time.sleep(10)  # another process is generating these records
        if not os.path.exists(path):
            log(f"size {size}: generating {path}")
            _run("generate", path)
        log(f"size {size}: our pipeline")
        ours = _run("ours", path)
        log(f"  ours: {ours}")
        stock_sizes = [int(s) for s in args.stock_sizes.split(",") if s] or sizes
        if not args.no_stock and size in stock_sizes:
            log(f"size {size}: Splink stock comparisons")
            stock = _run("stock", path)
            log(f"  stock: {stock}")
            ours.update({"splink_stock_f1": stock["f1"], "splink_stock_wall_s": stock["wall_s"],
                         "splink_stock_precision": stock["precision"], "splink_stock_recall": stock["recall"],
                         "splink_stock_unique_error_pct": stock["unique_error_pct"],
                         "splink_stock_peak_rss_mb": stock["peak_rss_mb"], "splink_stock_cpu_s": stock.get("cpu_s"),
                         "splink_stock_note": STOCK_NOTE})
        results[str(size)] = ours
    largest = results[str(max(sizes))]
    top = {key: largest.get(key) for key in ("precision", "recall", "f1", "unique_error_pct", "wall_s", "cpu_s",
                                               "peak_rss_mb", "quick_check_ms", "unique_error_pct_at_merge_weight",
                                               "splink_stock_f1", "splink_stock_wall_s", "splink_stock_cpu_s",
                                               "splink_stock_note")}
    print(json.dumps({"benchmark": "dedup", "records": max(sizes), "cores": os.cpu_count(), **top,
                      "sizes": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()

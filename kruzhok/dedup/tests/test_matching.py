"""A hand-built set of pairs through the real pipeline (Splink on DuckDB): the ones that must match, and the
family trap — siblings and twins who share surname, patronymic, phone, school and even the birth date."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from kruzhok.dedup import pipeline

BASE = {"surname": "Сейітова", "name": "Әлия", "patronymic": "Серікқызы", "sex": "F",
        "birth_date": dt.date(2014, 3, 7), "phone": "+77011234567", "school": "12", "municipality": 1,
        "national_id": ""}

# (description, the other record as changes to BASE)
MUST_MATCH = [
    ("exact copy", {}),
    ("Kazakh letters as Russian lookalikes", {"surname": "Сейитова", "name": "Алия", "patronymic": "Серикказы"}),
    ("name in Latin letters", {"surname": "Seitova", "name": "Aliya", "patronymic": ""}),
    ("Kazakh Latin", {"surname": "Seıtova", "name": "Álıa", "patronymic": "Serikqyzy"}),
    ("first name and surname swapped", {"surname": "Әлия", "name": "Сейітова"}),
    ("patronymic in the Russian style", {"patronymic": "Сериковна"}),
    ("patronymic missing, other parent's phone", {"patronymic": "", "phone": "87779998877"}),
    ("day and month swapped", {"birth_date": dt.date(2014, 7, 3)}),
    ("one digit of the date", {"birth_date": dt.date(2014, 3, 8)}),
    ("typo in the surname", {"surname": "Сейтова"}),
    ("typo in the first name, no school", {"name": "Алиия", "school": None}),
    ("another organization registered her, no phone", {"phone": "", "school": None, "municipality": 2}),
    ("upper case and «ё»", {"surname": "СЕЙІТОВА"}),
]
MUST_NOT_MATCH = [
    ("twin sister: same everything but the first name", {"name": "Аружан"}),
    ("twin brother", {"name": "Әлихан", "sex": "M", "patronymic": "Серікұлы"}),
    ("twin with a name one letter away", {"name": "Амина"}),
    ("sister two years older", {"name": "Аружан", "birth_date": dt.date(2012, 5, 20)}),
    ("namesake elsewhere, other parents", {"patronymic": "Ерланқызы", "phone": "+77770000000", "school": "99",
                                           "municipality": 3, "birth_date": dt.date(2014, 9, 21)}),
    ("same name, another birth year", {"birth_date": dt.date(2016, 3, 7), "patronymic": "Маратқызы",
                                       "phone": "+77015550000", "school": "7"}),
    ("different national ids", {"national_id": "140307600002", "phone": "", "school": None,
                                "municipality": 2}),
]


def _score(cases: list[tuple[str, dict]]) -> dict[str, float]:
    rows = []
    for i, (_, changes) in enumerate(cases):
        rows.append({**BASE, "national_id": "140307600001" if changes.get("national_id") else "",
                     "unique_id": 2 * i + 1})
        rows.append({**BASE, **changes, "unique_id": 2 * i + 2})
    table = pa.Table.from_pylist(rows)
    pairs = pipeline.predict(table, threshold_weight=-200, population=100_000)
    scored = {(r["unique_id_l"], r["unique_id_r"]): r["match_weight"] for r in pairs.to_pylist()}
    return {description: scored.get((2 * i + 1, 2 * i + 2), float("-inf"))
            for i, (description, _) in enumerate(cases)}


def test_duplicates_match():
    weights = _score(MUST_MATCH)
    missed = {d: round(w, 1) for d, w in weights.items() if w < pipeline.MERGE_WEIGHT}
    assert not missed, missed


def test_siblings_and_twins_do_not_match():
    weights = _score(MUST_NOT_MATCH)
    matched = {d: round(w, 1) for d, w in weights.items() if w >= pipeline.REVIEW_WEIGHT}
    assert not matched, matched


@pytest.mark.parametrize("names", [("Мария", "Дарья"), ("Арина", "Ирина"), ("Диана", "Яна"), ("Алина", "Алиса"),
                                   ("Данияр", "Даниял"), ("Нұрлан", "Нұрсұлтан")])
def test_twins_with_close_known_names_do_not_match(names):
    """Two common names one letter apart are two children: the family fields give them nothing."""
    first, second = names
    table = pa.Table.from_pylist([{**BASE, "name": first, "unique_id": 1}, {**BASE, "name": second, "unique_id": 2}])
    pairs = pipeline.predict(table, threshold_weight=-200, population=100_000).to_pylist()
    assert not pairs or pairs[0]["match_weight"] < pipeline.REVIEW_WEIGHT, pairs[0]["match_weight"]


def test_explanation_names_each_comparison():
    # Twins whose names are spelled alike (Алина / Алиса): the blocking proposes the pair, the model explains
    # it. (A twin with an unlike name, Аружан next to Әлия, is not even proposed.)
    table = pa.Table.from_pylist([{**BASE, "name": "Алина", "unique_id": 1}, {**BASE, "name": "Алиса", "unique_id": 2}])
    row = pipeline.predict(table, threshold_weight=-200, population=100_000).to_pylist()[0]
    explained = {c["field"]: c for c in pipeline.explain(row)}
    assert explained["fn"]["level"] == "different" and explained["fn"]["weight"] < -5
    # The family fields agree but count nothing when the first names differ.
    for family_field in ("sn", "pat", "phone", "school"):
        assert explained[family_field]["level"] == "first names differ"
        assert explained[family_field]["weight"] == 0
    assert explained["dob"]["level"] == "exact" and explained["dob"]["weight"] > 5
    assert round(sum(c["weight"] for c in explained.values()), 1) == round(
        row["match_weight"] - pipeline.math.log2(pipeline.settings(100_000)["probability_two_random_records_match"]
                                                 / (1 - pipeline.settings(100_000)[
                                                     "probability_two_random_records_match"])), 1)

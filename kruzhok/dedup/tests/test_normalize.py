"""The keys where the spellings of one child meet: letters, alphabets, patronymic styles, phones, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok.dedup.normalize import name_key, patronymic_root, phone_key, quick_keys, stored_key


@pytest.mark.parametrize("variants", [
    ("Әлия", "Алия", "Aliya", "Áliá", "АЛИЯ"),
    ("Асқар", "Аскар", "Askar", "Asqar"),
    ("Нұрсұлтан", "Нурсултан", "Nursultan", "Nūrsūltan"),
    ("Ғалым", "Галым", "Galym", "Ğalym", "Ǵalym"),
    ("Өмірзақ", "Омирзак", "Omirzak", "Ömirzaq"),
    ("Іңкәр", "Инкар", "Inkar", "Iñkär"),
    ("Һадиша", "Хадиша", "Khadisha", "Hadisha"),
    ("Үміт", "Умит", "Umit", "Ümit"),
    ("Сейітқали", "Сейиткали", "Seitkali"),
    ("Артём", "Артем", "Artyom", "Artem"),
    ("Фёдоров", "Федоров", "Fedorov", "Fyodorov"),
    ("Жанна", "Zhanna", "Janna"),
    ("Юлия", "Yuliya", "Iuliia", "Yulia"),
    ("Александр", "Aleksandr", "Alexandr"),
    ("Шолпан", "Sholpan", "Şolpan"),
    ("Чингиз", "Chingiz", "Çingiz"),
    ("Кирилл", "Кирил", "Kirill"),
    ("Дмитрий", "Dmitriy", "Dmitry", "Dmitrii"),
    ("Ерлан", "Yerlan", "Erlan"),
    ("Айжан", "Ayzhan", "Aizhan", "Aijan"),
])
def test_variants_of_one_name_share_a_key(variants):
    assert len({name_key(v) for v in variants}) == 1, {v: name_key(v) for v in variants}


@pytest.mark.parametrize(("one", "other"), [("Мария", "Дарья"), ("Арина", "Ирина"), ("Айдар", "Айдана"),
                                            ("Иван", "Ян"), ("Алексей", "Александр")])
def test_different_names_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


@pytest.mark.parametrize("variants", [
    ("Серикович", "Серікұлы", "Серик улы", "Серикулы", "Serikovich", "Serikuly", "Серик ұлы"),
    ("Серикқызы", "Сериковна", "Serikovna", "Serikkyzy", "Серік қызы"),
    ("Сергеевич", "Сергеевна", "Sergeevich", "Sergeyevna"),
    ("Нұрланұлы", "Нурланович", "Нурлановна", "Нұрланқызы", "Nurlanuly"),
    ("Ерланқызы", "Ерлановна", "Erlankyzy"),
])
def test_patronymic_styles_share_a_root(variants):
    assert len({patronymic_root(v) for v in variants}) == 1, {v: patronymic_root(v) for v in variants}


def test_patronymic_roots_of_different_fathers_differ():
    assert patronymic_root("Серикович") != patronymic_root("Ерланович")
    assert patronymic_root("") == ""


def test_phone_key_meets_plus7_and_8():
    assert phone_key("+7 (701) 123-45-67") == phone_key("87011234567") == "7011234567"
    assert phone_key("123") == ""


def test_quick_keys_meet_swapped_names_and_swapped_day_month():
    born = dt.date(2015, 3, 7)
    key = stored_key(surname="Сейітова", name="Әлия", birth_date=born)
    assert key in quick_keys(surname="Сейитова", name="Алия", birth_date=born)
    assert key in quick_keys(surname="Aliya", name="Seitova", birth_date=born)  # swapped first name and surname
    assert key in quick_keys(surname="Сейитова", name="Алия", birth_date=dt.date(2015, 7, 3))  # day/month
    assert key not in quick_keys(surname="Сейитова", name="Алина", birth_date=born)
    assert len(quick_keys(surname="А", name="Б", birth_date=dt.date(2015, 3, 25))) == 1  # 25 is no month

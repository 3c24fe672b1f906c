"""National identifiers: the ИИН and СНИЛС validators, and the child record that checks its ИИН against itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from kruzhok import factories as f
from kruzhok.people.models import Child
from kruzhok.people.validators import (
    format_snils,
    iin_birth_date_and_sex,
    iin_check_digit,
    snils_check_number,
    validate_iin,
    validate_snils,
)


def refusal_code(validator, value: str) -> str:
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value.code


# --- ИИН: YYMMDD, a century-and-sex digit, four serial digits, a check digit -------------------------


def test_iin_check_digit_by_hand_first_weights():
    # 15.01.02, century/sex 5 (2000s, male), serial 0001.
    digits = [1, 5, 0, 1, 0, 2, 5, 0, 0, 0, 1]
    weighted = 1 * 1 + 5 * 2 + 0 * 3 + 1 * 4 + 0 * 5 + 2 * 6 + 5 * 7 + 0 * 8 + 0 * 9 + 0 * 10 + 1 * 11
    assert weighted == 73 and 73 % 11 == 7
    assert iin_check_digit("".join(map(str, digits))) == 7
    assert validate_iin("150102500017") == "150102500017"
    assert iin_birth_date_and_sex("150102500017") == (dt.date(2015, 1, 2), "M")


def test_iin_check_digit_by_hand_second_weights_when_first_gives_ten():
    # Serial 0081: weights 1..11 give 153 ≡ 10 (mod 11), so weights 3..11,1,2 decide: 100 ≡ 1.
    first = 1 * 1 + 5 * 2 + 0 * 3 + 1 * 4 + 0 * 5 + 2 * 6 + 5 * 7 + 0 * 8 + 0 * 9 + 8 * 10 + 1 * 11
    second = 1 * 3 + 5 * 4 + 0 * 5 + 1 * 6 + 0 * 7 + 2 * 8 + 5 * 9 + 0 * 10 + 0 * 11 + 8 * 1 + 1 * 2
    assert (first, first % 11) == (153, 10)
    assert (second, second % 11) == (100, 1)
    assert iin_check_digit("15010250081") == 1
    assert validate_iin("150102500811") == "150102500811"
    # The first-weights remainder would be 10, which is not a digit: no other check digit passes.
    for wrong in "023456789":
        assert refusal_code(validate_iin, "15010250081" + wrong) == "iin_checksum"


def test_iin_with_no_possible_check_digit_is_refused():
    # Serial 0080: both weight sets give a remainder of 10; such numbers are never issued.
    first = 1 * 1 + 5 * 2 + 1 * 4 + 2 * 6 + 5 * 7 + 8 * 10
    second = 1 * 3 + 5 * 4 + 1 * 6 + 2 * 8 + 5 * 9 + 8 * 1
    assert first % 11 == 10 and second % 11 == 10
    assert iin_check_digit("15010250080") is None
    for last in "0123456789":
        assert refusal_code(validate_iin, "15010250080" + last) == "iin_checksum"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("15010250001", "iin_format"),  # 11 digits
        ("1501025000170", "iin_format"),  # 13 digits
        ("", "iin_format"),
        ("15010250001A", "iin_format"),
        ("I50102500017", "iin_format"),
        ("١٥٠١٠٢٥٠٠٠١٧", "iin_format"),  # Arabic-Indic digits are digits to Python, not to an ИИН
        ("150102000017", "iin_century"),  # century/sex digit 0
        ("150102700017", "iin_century"),  # 7
        ("150102900017", "iin_century"),  # 9
        ("991332300017", "iin_date"),  # month 13
        ("990230400017", "iin_date"),  # 30 February
        ("010229500017", "iin_date"),  # 2001 is not a leap year
        ("150102500018", "iin_checksum"),  # 7 is right
        ("150102500010", "iin_checksum"),
    ],
)
def test_iin_refused(value, code):
    assert refusal_code(validate_iin, value) == code


def test_iin_refusal_message_is_readable():
    with pytest.raises(ValidationError) as info:
        validate_iin("150102500018")
    assert info.value.messages == ["ИИН: неверная контрольная цифра."]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("150102500017", "150102500017"), ("150102 500017", "150102500017"), ("150-102-500-017", "150102500017")],
)
def test_iin_spaces_and_dashes_are_accepted_and_removed(value, expected):
    assert validate_iin(value) == expected


@pytest.mark.parametrize(
    ("century_sex", "born", "sex"),
    [("1", dt.date(1815, 1, 2), "M"), ("2", dt.date(1815, 1, 2), "F"), ("3", dt.date(1915, 1, 2), "M"),
     ("4", dt.date(1915, 1, 2), "F"), ("5", dt.date(2015, 1, 2), "M"), ("6", dt.date(2015, 1, 2), "F")],
)
def test_iin_century_and_sex_digit(century_sex, born, sex):
    first11 = f"150102{century_sex}0001"
    check = iin_check_digit(first11)
    assert check is not None
    assert iin_birth_date_and_sex(validate_iin(f"{first11}{check}")) == (born, sex)


_CENTURY_SEX = {1800: ("1", "2"), 1900: ("3", "4"), 2000: ("5", "6")}


@st.composite
def iin_prefixes(draw) -> tuple[str, dt.date, str]:
    """The first 11 digits of an ИИН: a real date, the matching century/sex digit and any serial."""
    born = draw(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2099, 12, 31)))
    sex = draw(st.sampled_from(["M", "F"]))
    digit = _CENTURY_SEX[born.year // 100 * 100][0 if sex == "M" else 1]
    serial = draw(st.integers(min_value=0, max_value=9999))
    return f"{born:%y%m%d}{digit}{serial:04d}", born, sex


@given(iin_prefixes())
def test_any_prefix_with_its_check_digit_validates(prefix):
    first11, born, sex = prefix
    check = iin_check_digit(first11)
    assume(check is not None)
    iin = f"{first11}{check}"
    assert validate_iin(iin) == iin
    assert iin_birth_date_and_sex(iin) == (born, sex)


@given(iin_prefixes(), st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_invalidates(prefix, shift):
    first11, _born, _sex = prefix
    check = iin_check_digit(first11)
    assume(check is not None)
    assert refusal_code(validate_iin, f"{first11}{(check + shift) % 10}") == "iin_checksum"


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_check_digit_is_a_digit_or_none(first11):
    check = iin_check_digit(first11)
    assert check is None or 0 <= check <= 9


# --- СНИЛС: nine digits and a two-digit check number -------------------------------------------------


def test_snils_known_example():
    weighted = 1 * 9 + 1 * 8 + 2 * 7 + 2 * 6 + 3 * 5 + 3 * 4 + 4 * 3 + 4 * 2 + 5 * 1
    assert weighted == 95
    assert snils_check_number("112233445") == 95
    assert validate_snils("112-233-445 95") == "11223344595"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("112-233-445 95", "11223344595"), ("112-233-445-95", "11223344595"), ("112 233 445 95", "11223344595"),
     ("11223344595", "11223344595"), (" 112-233-445 95 ", "11223344595")],
)
def test_snils_formatting_is_accepted(value, expected):
    assert validate_snils(value) == expected
    assert format_snils(expected) == "112-233-445 95"


@pytest.mark.parametrize(
    ("first9", "weighted", "check"),
    [
        ("001508815", 100, 0),  # sum 100 → 00
        ("001437544", 101, 0),  # sum 101 → 00
        ("001318759", 102, 1),  # sum above 101 → remainder of 101
        ("017948659", 200, 99),
        ("006996682", 201, 0),  # remainder 100 → 00
    ],
)
def test_snils_check_number_edges(first9, weighted, check):
    assert sum(int(d) * (9 - i) for i, d in enumerate(first9)) == weighted
    assert snils_check_number(first9) == check
    assert validate_snils(f"{first9}{check:02d}") == f"{first9}{check:02d}"


def test_snils_with_sum_100_refuses_check_100():
    # "100" does not fit the two check digits: 00 is the only right answer, "10" is wrong.
    assert refusal_code(validate_snils, "00150881510") == "snils_checksum"


@pytest.mark.parametrize("value", ["000-000-001 77", "001-001-998 00", "001-001-998 42", "000-123-456 99"])
def test_snils_up_to_001_001_998_has_no_check_number(value):
    assert validate_snils(value) == value.replace("-", "").replace(" ", "")


def test_snils_from_001_001_999_is_checked():
    check = snils_check_number("001001999")
    assert validate_snils(f"001001999{check:02d}")
    assert refusal_code(validate_snils, f"001001999{(check + 1) % 100:02d}") == "snils_checksum"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("112-233-445 96", "snils_checksum"),
        ("112-233-445 59", "snils_checksum"),
        ("112-233-445 9", "snils_format"),
        ("112-233-445 955", "snils_format"),
        ("112-233-44A 95", "snils_format"),
        ("112.233.445 95", "snils_format"),
        ("", "snils_format"),
    ],
)
def test_snils_refused(value, code):
    assert refusal_code(validate_snils, value) == code


@given(st.integers(min_value=1001999, max_value=999_999_999), st.integers(min_value=1, max_value=99))
def test_snils_any_number_with_its_check_validates_and_another_check_does_not(number, shift):
    first9 = f"{number:09d}"
    check = snils_check_number(first9)
    assert 0 <= check <= 99
    assert validate_snils(f"{first9}{check:02d}") == f"{first9}{check:02d}"
    assert refusal_code(validate_snils, f"{first9}{(check + shift) % 100:02d}") == "snils_checksum"


# --- on the child record: Child.full_clean() -----------------------------------------------------------

IIN_BOY_2015_01_02 = "150102500017"


def child_with(**fields) -> Child:
    return f.ChildFactory.build(municipality=f.MunicipalityFactory(), **fields)


def national_id_errors(child: Child) -> list[str]:
    with pytest.raises(ValidationError) as info:
        child.full_clean()
    return info.value.message_dict.get("national_id", [])


@pytest.mark.django_db
def test_child_with_a_matching_iin_is_valid():
    child = child_with(birth_date=dt.date(2015, 1, 2), sex="M", national_id_kind=Child.IdKind.IIN,
                       national_id=IIN_BOY_2015_01_02)
    child.full_clean()
    assert child.national_id == IIN_BOY_2015_01_02


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [(Child.IdKind.SNILS, "112-233-445 95", "11223344595"), (Child.IdKind.IIN, "150102 500017", IIN_BOY_2015_01_02)],
)
def test_child_accepts_a_formatted_id_and_stores_digits(kind, typed, stored):
    # As printed on the document: the record keeps the digits only.
    child = child_with(birth_date=dt.date(2015, 1, 2), sex="M", national_id_kind=kind, national_id=typed)
    child.full_clean()
    assert child.national_id == stored


@pytest.mark.django_db
def test_child_iin_wrong_checksum_refused():
    child = child_with(birth_date=dt.date(2015, 1, 2), sex="M", national_id_kind=Child.IdKind.IIN,
                       national_id="150102500018")
    assert national_id_errors(child) == ["ИИН: неверная контрольная цифра."]


@pytest.mark.django_db
def test_child_iin_birth_date_disagrees():
    child = child_with(birth_date=dt.date(2015, 1, 3), sex="M", national_id_kind=Child.IdKind.IIN,
                       national_id=IIN_BOY_2015_01_02)
    assert national_id_errors(child) == ["ИИН не совпадает с датой рождения."]


@pytest.mark.django_db
def test_child_iin_sex_disagrees():
    child = child_with(birth_date=dt.date(2015, 1, 2), sex="F", national_id_kind=Child.IdKind.IIN,
                       national_id=IIN_BOY_2015_01_02)
    assert national_id_errors(child) == ["ИИН не совпадает с полом ребёнка."]


@pytest.mark.django_db
def test_child_iin_century_disagrees():
    # Same day and month, but century digit 3 says 1915 (a 1915-born record fails the age rules anyway).
    first11 = "15010230001"
    iin = f"{first11}{iin_check_digit(first11)}"
    child = child_with(birth_date=dt.date(2015, 1, 2), sex="M", national_id_kind=Child.IdKind.IIN, national_id=iin)
    assert national_id_errors(child) == ["ИИН не совпадает с датой рождения."]


@pytest.mark.django_db
def test_child_snils_wrong_checksum_refused():
    child = child_with(national_id_kind=Child.IdKind.SNILS, national_id="11223344596")
    assert national_id_errors(child) == ["СНИЛС: неверное контрольное число."]
    child.national_id = "11223344595"
    child.full_clean()


@pytest.mark.django_db
def test_child_snils_is_not_checked_as_iin():
    # A valid ИИН is not a valid СНИЛС: the kind decides which rule applies.
    child = child_with(birth_date=dt.date(2015, 1, 2), national_id_kind=Child.IdKind.SNILS,
                       national_id=IIN_BOY_2015_01_02)
    assert national_id_errors(child) == ["СНИЛС состоит из 11 цифр."]

"""National identifiers: Kazakh ИИН (12 digits, encodes birth date and sex) and Russian СНИЛС (11 digits)."""

from __future__ import annotations

import datetime as dt
import re
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_IIN_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_IIN_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_SEPARATORS = re.compile(r"[\s\-]")
_IIN = re.compile(r"[0-9]{12}")
_IIN_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def normalize_digits(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


def iin_check_digit(first11: str) -> int | None:
    """The 12th digit of an ИИН for its first 11 digits, or None when no valid check digit exists."""
    if len(first11) != 11:
        raise ValueError("an ИИН check digit needs 11 digits")
    digits = [int(c) for c in first11]
    control = sum(map(mul, digits, _IIN_WEIGHTS_1)) % 11
    if control == 10:
        control = sum(map(mul, digits, _IIN_WEIGHTS_2)) % 11
        if control == 10:
            return None
    return control


def iin_birth_date_and_sex(iin: str) -> tuple[dt.date, str]:
    """Birth date and sex (``"M"``/``"F"``) encoded in an ИИН; raises ValueError for an impossible date."""
    birth = dt.date(_IIN_CENTURY[iin[6]] + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    return birth, "M" if iin[6] in "135" else "F"


def iin_parse(value: str) -> tuple[str, dt.date, str]:
    """A checked ИИН (separators removed) with the birth date and sex it encodes; ValidationError when invalid.

    One pass over the number for an import's hundred thousand rows: :func:`validate_iin` and
    :func:`iin_birth_date_and_sex` in one."""
    iin = value if len(value) == 12 and value.isdigit() else normalize_digits(value)
    if not _IIN.fullmatch(iin):
        raise ValidationError(_("ИИН состоит из 12 цифр."), code="iin_format")
    if iin[6] not in _IIN_CENTURY:
        raise ValidationError(_("ИИН: седьмая цифра (век и пол) должна быть от 1 до 6."), code="iin_century")
    try:
        birth, sex = iin_birth_date_and_sex(iin)
    except ValueError:
        raise ValidationError(_("ИИН: первые шесть цифр не образуют дату рождения."), code="iin_date") from None
    if iin_check_digit(iin[:11]) != int(iin[11]):
        raise ValidationError(_("ИИН: неверная контрольная цифра."), code="iin_checksum")
    return iin, birth, sex


def validate_iin(value: str) -> str:
    return iin_parse(value)[0]


def snils_check_number(first9: str) -> int:
    total = sum(int(d) * (9 - i) for i, d in enumerate(first9))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    remainder = total % 101
    return 0 if remainder == 100 else remainder


def validate_snils(value: str) -> str:
    snils = normalize_digits(value)
    if not re.fullmatch(r"[0-9]{11}", snils):
        raise ValidationError(_("СНИЛС состоит из 11 цифр."), code="snils_format")
    # Numbers up to 001-001-998 were issued before check numbers existed.
    if int(snils[:9]) > 1001998 and snils_check_number(snils[:9]) != int(snils[9:]):
        raise ValidationError(_("СНИЛС: неверное контрольное число."), code="snils_checksum")
    return snils


def format_snils(snils: str) -> str:
    return f"{snils[0:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:11]}"

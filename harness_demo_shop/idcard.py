"""Resident identity card numbers (GB 11643-1999): checksum, birth date and age.

The premium depends on the insured's age, taken from the birth date inside the ID number, so the
number is validated here before any price is quoted.
"""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class InvalidIdNumber(ValueError):
    """The ID number is malformed; the message is shown to the buyer (Simplified Chinese)."""


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def with_check_char(first17: str) -> str:
    """Complete 17 digits into a valid 18-character ID number (used by tests and load tests)."""
    if not re.fullmatch(r"\d{17}", first17):
        raise ValueError("need exactly 17 digits")
    return first17 + check_char(first17)


def make_id_number(birth: date, region: str = "110101", sequence: int = 123) -> str:
    """A valid ID number for someone born on `birth` (test data, not a real person)."""
    return with_check_char(f"{region}{birth:%Y%m%d}{sequence % 1000:03d}")


def parse_birth_date(id_number: str, today: date) -> date:
    """Validate `id_number` and return the birth date inside it.

    Raises InvalidIdNumber for a wrong length or character, an impossible or future birth date,
    or a wrong check character.
    """
    value = id_number.strip().upper()
    if not _SHAPE.match(value):
        raise InvalidIdNumber("身份证号码应为18位，前17位为数字，最后一位为数字或X")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("身份证号码中的出生日期无效") from exc
    if birth > today or birth.year < 1900:
        raise InvalidIdNumber("身份证号码中的出生日期无效")
    if check_char(value[:17]) != value[17]:
        raise InvalidIdNumber("身份证号码校验位不正确，请核对后重新输入")
    return birth


def age_on(birth: date, today: date) -> int:
    """Age in whole years on `today` (周岁)."""
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    return today.year - birth.year - int(before_birthday)


def mask_id_number(id_number: str) -> str:
    """Only the region and the last four characters are ever stored or shown again."""
    value = id_number.strip().upper()
    return value[:6] + "*" * 8 + value[-4:]

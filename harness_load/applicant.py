"""Plausible applicant data for the application step: a GB 11643 ID number with a valid
check character, a Chinese name and a mainland mobile number."""

from __future__ import annotations

import random
from datetime import date, timedelta

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_AREAS = ("110105", "310104", "440305", "330106", "510107", "420106")
_SURNAMES = "王李张刘陈杨黄赵吴周"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军")


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def random_id_number(rng: random.Random) -> str:
    """An 18-character ID for someone born 1965-2004: adult, and within every product's age
    limits (the accident product insures 18-65)."""
    birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
    first17 = f"{rng.choice(_AREAS)}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_check_char(first17)


def random_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)


def random_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}"


def random_application(rng: random.Random) -> dict[str, object]:
    name = random_name(rng)
    return {"applicant_name": name, "insured_name": name, "id_number": random_id_number(rng),
            "phone": random_phone(rng), "consent": True}

"""Reading the number of cooling-off (犹豫期) days out of a notice's text.

Stores word the notice in many ways ("15天犹豫期", "犹豫期为15天", "犹豫期十五日", "a cooling-off
period of 15 days"); the gate needs the number, so it is parsed here and reported as a
measurement next to the notice's visibility.
"""

from __future__ import annotations

import re

_NUM = r"(\d{1,3}|[零〇一二两三四五六七八九十百]{1,4})"
_DAY = r"(?:个)?(?:自然|工作)?(?:天|日)"
_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(_NUM + r"\s*" + _DAY + r"\s*(?:的)?\s*犹豫期"),
    re.compile(r"犹豫期\s*(?:为|是|有|共|:|：)?\s*(?:长达|不少于|至少)?\s*" + _NUM + r"\s*" + _DAY),
    re.compile(r"cooling[- ]off period (?:of|is) (\d{1,3}) (?:calendar )?days?", re.IGNORECASE),
    re.compile(r"(\d{1,3})[- ](?:calendar[- ])?days?(?:'s?)? cooling[- ]off", re.IGNORECASE),
    re.compile(r"(?:free[- ]look|cooling[- ]off)[^.。\d]{0,40}?(\d{1,3}) days?", re.IGNORECASE),
)
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}


def parse_cooling_off_days(text: str | None) -> int | None:
    """The cooling-off period in days stated in `text`, or None when no wording is recognised."""
    if not text:
        return None
    compact = re.sub(r"\s+", " ", text)
    for pattern in _PATTERNS:
        match = pattern.search(compact)
        if match:
            return _to_int(match.group(1))
    return None


def _to_int(token: str) -> int | None:
    """Arabic digits or a small Chinese numeral (一 … 九十九, 一百) as an int."""
    if token.isdigit():
        return int(token)
    if token in ("百", "一百"):
        return 100
    if "十" in token:
        tens, _, ones = token.partition("十")
        ten_value = _DIGITS.get(tens, 1) if tens else 1
        return ten_value * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    if len(token) == 1 and token in _DIGITS:
        return _DIGITS[token]
    return None

"""Premium rating: product × plan × age band → premium in fen (integer, never float yuan).

The price is always computed here on the server; a client-sent amount is only compared with it.
"""

from __future__ import annotations

# upper bound (inclusive) of each age band, in years
AGE_BANDS: tuple[tuple[str, int], ...] = (
    ("0-17", 17),
    ("18-30", 30),
    ("31-40", 40),
    ("41-50", 50),
    ("51-60", 60),
    ("61-80", 80),
)

# (product, plan) -> premium in fen per age band, in the order of AGE_BANDS
RATING_TABLE: dict[tuple[str, str], tuple[int, ...]] = {
    ("travel", "basic"): (1500, 2000, 2000, 2500, 3500, 5000),
    ("travel", "standard"): (3000, 3900, 3900, 4900, 6900, 9900),
    ("travel", "premium"): (5900, 7900, 7900, 9900, 12900, 19900),
    ("medical", "basic"): (19900, 13600, 21600, 39600, 76800, 128800),
    ("medical", "standard"): (29900, 19900, 31900, 59900, 109900, 179900),
    ("medical", "premium"): (39900, 26900, 42900, 79900, 149900, 239900),
    ("accident", "basic"): (5000, 5000, 5000, 6000, 8000, 12000),
    ("accident", "standard"): (9900, 9900, 9900, 11900, 15900, 22900),
    ("accident", "premium"): (19900, 19900, 19900, 23900, 29900, 45900),
}


def age_band(age: int) -> str:
    """The band label for an age in whole years; ages above the table use the last band."""
    if age < 0:
        raise ValueError(f"age must not be negative, got {age}")
    for label, upper in AGE_BANDS:
        if age <= upper:
            return label
    return AGE_BANDS[-1][0]


def premium_fen(product: str, plan: str, age: int) -> int:
    """The premium in fen; KeyError for a product/plan pair that is not on sale."""
    prices = RATING_TABLE[(product, plan)]
    labels = [label for label, _ in AGE_BANDS]
    return prices[labels.index(age_band(age))]


def lowest_premium_fen(product: str) -> int:
    """The 'from' price shown on the product list."""
    return min(min(v) for (p, _), v in RATING_TABLE.items() if p == product)


def format_yuan(fen: int) -> str:
    """Fen as a yuan string for pages: 13600 -> '136.00'."""
    return f"{fen // 100}.{fen % 100:02d}"

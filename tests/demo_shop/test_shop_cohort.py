"""Gray-release cohorts: stable hash of the visitor id, the asked share, across processes."""

from __future__ import annotations

import os
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from harness_demo_shop.cohort import CONTROL, GRAY, assign_cohort

VISITORS = [f"visitor-{n}" for n in range(4000)]


def test_share_of_gray_visitors_follows_the_percent() -> None:
    for percent in (0, 10, 50, 100):
        gray = sum(assign_cohort(v, percent) == GRAY for v in VISITORS)
        assert abs(gray / len(VISITORS) - percent / 100) < 0.03


@given(st.text(min_size=1, max_size=64), st.floats(min_value=0, max_value=100))
def test_a_larger_gray_share_never_moves_gray_visitors_back(visitor: str, percent: float) -> None:
    if assign_cohort(visitor, percent) == GRAY:
        assert assign_cohort(visitor, min(100.0, percent + 5)) == GRAY


def test_cohorts_do_not_depend_on_the_process_hash_seed() -> None:
    code = ("from harness_demo_shop.cohort import assign_cohort;"
            "print(''.join('g' if assign_cohort(f'visitor-{n}', 30) == 'gray' else 'c' "
            "for n in range(300)))")
    outputs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True)
        outputs.add(done.stdout.strip())
    here = "".join("g" if assign_cohort(f"visitor-{n}", 30) == GRAY else "c" for n in range(300))
    assert outputs == {here}
    assert assign_cohort("visitor-1", 0) == CONTROL

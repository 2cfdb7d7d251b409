"""Every published vector of tests/data/gray/stats_known_answers.json, at its published rounding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.gray.multiplicity import holm
from harness.gray.noninferiority import noninferiority_p, score_interval
from harness.gray.power import mde_proportion
from harness.gray.proportions import newcombe_interval, pooled_z_test, wilson_interval
from harness.gray.ranks import mann_whitney
from harness.gray.srm import sample_ratio

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "data" / "gray" / "stats_known_answers.json").read_text("utf-8"))


def _places(published: float) -> float:
    """Half a unit in the last published decimal place (values are rounded as published)."""
    text = repr(published)
    if "e" in text:
        mantissa, exp = text.split("e")
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return 0.5 * 10.0 ** (int(exp) - decimals) * 1.0000001
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0 ** (-decimals) * 1.0000001


def close(value: float, published: float) -> bool:
    return abs(value - published) <= _places(published)


@pytest.mark.parametrize("vec", VECTORS["srm_chi_square_equal_split"])
def test_srm_chi_square(vec: dict[str, Any]) -> None:
    res = sample_ratio(vec["counts"][0], vec["counts"][1], 0.5)
    assert close(res.chi2, vec["chi2"])
    assert close(res.p_value, vec["p"])


@pytest.mark.parametrize("vec", VECTORS["two_proportion_z_test_pooled"])
def test_pooled_z(vec: dict[str, Any]) -> None:
    (s_a, s_b), (n_a, n_b) = vec["successes"], vec["totals"]
    z, p = pooled_z_test(s_a, n_a, s_b, n_b)
    assert close(z, vec["z"])
    assert close(p, vec["p_two_sided"])


@pytest.mark.parametrize("vec", VECTORS["wilson_interval_95"])
def test_wilson(vec: dict[str, Any]) -> None:
    low, high = wilson_interval(vec["successes"], vec["total"])
    assert close(low, vec["low"]) and close(high, vec["high"])


@pytest.mark.parametrize("vec", VECTORS["newcombe_difference_interval_95"])
def test_newcombe(vec: dict[str, Any]) -> None:
    low, high = newcombe_interval(*vec["a"], *vec["b"])
    assert close(low, vec["low"]) and close(high, vec["high"])


@pytest.mark.parametrize("vec", VECTORS["mann_whitney_u"])
def test_mann_whitney(vec: dict[str, Any]) -> None:
    u, p = mann_whitney(np.array(vec["x"], float), np.array(vec["y"], float))
    assert u == vec["U"]
    assert close(p, vec["p_exact_two_sided"])


@pytest.mark.parametrize("vec", VECTORS["holm_adjusted_p"])
def test_holm(vec: dict[str, Any]) -> None:
    assert holm(vec["p"]) == pytest.approx(vec["adjusted"], abs=1e-12)


@pytest.mark.parametrize("vec", VECTORS["minimum_detectable_effect"])
def test_mde(vec: dict[str, Any]) -> None:
    n = vec["n_per_cohort"]
    mde = mde_proportion(vec["baseline"], n, n, vec["alpha_two_sided"], vec["power"])
    assert close(mde, vec["mde_abs_normal_approx"])


def test_pitfall_score_interval_with_nonzero_null() -> None:
    """The pitfall note: the Miettinen-Nurminen interval of 56/70 - 48/80, whose ends are score
    tests at a non-zero null, is (0.0528, 0.3382), not statsmodels 0.15's (0.0526, 0.3440)."""
    low, high = score_interval(56, 70, 48, 80)
    assert close(low, 0.0528) and close(high, 0.3382)
    assert not close(high, 0.3440)


def test_score_interval_matches_newcombe_table_ii_methods_5_and_6() -> None:
    """Cross-check of the score machinery at other nulls (figures not in the JSON file, as
    listed in Newcombe 1998b Table II): 9/10 - 3/10 by Miettinen-Nurminen (method 6) is
    0.1700 to 0.8406; Mee's interval without the N/(N-1) factor (method 5) of 56/70 - 48/80
    is 0.0533 to 0.3377."""
    low, high = score_interval(9, 10, 3, 10)
    assert close(low, 0.1700) and close(high, 0.8406)
    low, high = score_interval(56, 70, 48, 80, miettinen_nurminen=False)
    assert close(low, 0.0533) and close(high, 0.3377)


def test_noninferiority_p_is_alpha_half_at_the_score_bound() -> None:
    """The one-sided FM test at a margin equal to the (Mee) interval's bound sits exactly at
    alpha/2: the test and the interval are the same inversion."""
    low, high = score_interval(50, 100, 52, 100, miettinen_nurminen=False)
    assert noninferiority_p(50, 100, 52, 100, -low, higher_is_better=True) == pytest.approx(0.025)
    assert noninferiority_p(50, 100, 52, 100, high, higher_is_better=False) == pytest.approx(0.025)

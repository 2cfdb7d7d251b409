"""The corruption suite: a real GO run directory (tests/data/go_run), corrupted one site at a
time in every way tests/contract/corrupt.py knows, judged in-process by the readers, gates and
verdict the features use (tests/contract/judge.py). The property: never GO, and no criterion's
reason is a raw Python error.

At least 1,000 generated cases; CI's time budget is met by judging in-process and by reusing
the outcome of every criterion whose files a case did not touch. The benchmark
(bench/bench_corruption.py) reports cases per second and the share of mutation kinds covered.
Consistent forgery across files is the business of the release record's hashes, not of this
suite (README-evidence).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.model import Decision
from tests.contract.corrupt import KINDS, Site, Sites, all_sites, apply
from tests.contract.judge import judge

GO = Path(__file__).resolve().parent.parent / "data" / "go_run"
CASES = 1000
SEEN: Counter[str] = Counter()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("corruption") / "run"
    shutil.copytree(GO, target)
    return target


@pytest.fixture(scope="module")
def sites(run: Path) -> Sites:
    return all_sites(run)


def test_the_evidence_is_a_go_run(run: Path, sites: Sites) -> None:
    judged = judge(run, share=True)
    assert judged.verdict.decision is Decision.GO, judged.verdict.reasons
    assert judged.raw_errors == []
    assert all(sites[kind] for kind in KINDS), [k for k in KINDS if not sites[k]]


@st.composite
def corruption(draw: st.DrawFn, sites: Sites) -> tuple[Site, int]:
    kind = draw(st.sampled_from(KINDS))
    file = draw(st.sampled_from(sorted(sites[kind])))
    site = draw(st.sampled_from(sites[kind][file]))
    return site, draw(st.integers(0, max(site.spread - 1, 0)))


def test_corrupted_evidence_is_never_go(run: Path, sites: Sites) -> None:
    @settings(max_examples=CASES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(corruption(sites))
    def never_go(case: tuple[Site, int]) -> None:
        site, choice = case
        path = run / site.file
        original = path.read_bytes()
        apply(run, site, choice)
        try:
            judged = judge(run, share=True)
        finally:
            path.write_bytes(original)
        SEEN[site.kind] += 1
        assert judged.raw_errors == [], (site, judged.raw_errors)
        assert judged.verdict.decision is not Decision.GO, site

    never_go()
    assert sum(SEEN.values()) >= CASES
    assert set(SEEN) == set(KINDS), f"kinds never drawn: {set(KINDS) - set(SEEN)}"

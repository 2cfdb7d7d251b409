"""One check's evidence: every escort quantity asked of Prometheus, per cohort and for the
whole store ("all"), per journey step where the query has `{step}`; appended to
raw/escort/samples.jsonl so that a watch killed at any moment keeps every check it wrote.

The collector never judges: a query that cannot be answered becomes a sample with `error` (and
no value), no series becomes `value: null` (no data), both of which the judge reads as
INCONCLUSIVE, never as zero. When Prometheus is unreachable the remaining queries of the check
are not asked (each would wait for its own timeout); their samples carry the same error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import httpx

from harness.errors import ConfigError
from harness_contract.escort import ALL_COHORTS, EscortSample, render_query
from harness_watch.prometheus import QueryResult, duration, query

ALL = "all"  # the cohort name of a whole-store sample
_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# errors after which the rest of the check is not asked (the server, not the query, failed)
_TRANSPORT = (" is unreachable: ", " did not answer within ")


def _check_names(kind: str, names: Iterable[str]) -> None:
    """Cohort and step names go into PromQL label matchers: plain tokens only."""
    for name in names:
        if not _NAME.match(name) or name == ALL:
            raise ConfigError(f"{kind} name {name!r} must be 1-64 letters, digits or _.:- "
                              f"(and not {ALL!r}): it is put into PromQL label matchers")


def _cohort_matcher(cohort: str) -> str:
    """A cohort as the regular expression of `cohort=~"..."` (its dots escaped)."""
    return ALL_COHORTS if cohort == ALL else cohort.replace(".", "\\\\.")


def plan_queries(window: str, queries: Mapping[str, str], cohorts: Sequence[str],
                 steps: Sequence[str]) -> list[tuple[str, str, str | None, str]]:
    """(quantity, cohort, step, PromQL) of every query one check asks, in a stable order."""
    _check_names("cohort", cohorts)
    _check_names("step", steps)
    planned: list[tuple[str, str, str | None, str]] = []
    for quantity, template in queries.items():
        per_cohort = [*cohorts, ALL] if "{cohort}" in template else [ALL]
        per_step: list[str | None] = list(steps) if "{step}" in template else [None]
        for step in per_step:
            for cohort in per_cohort:
                promql = render_query(template, window, _cohort_matcher(cohort), step)
                planned.append((quantity, cohort, step, promql))
    return planned


def collect_check(url: str, check: int, at: float, window_seconds: float,
                  queries: Mapping[str, str], cohorts: Sequence[str], steps: Sequence[str],
                  timeout_s: float = 10.0, client: httpx.Client | None = None
                  ) -> list[EscortSample]:
    """Ask every quantity at UNIX time `at` over the `window_seconds` before it."""
    window = duration(window_seconds)
    planned = plan_queries(window, queries, cohorts, steps)
    samples: list[EscortSample] = []
    own = client is None
    session = client or httpx.Client(trust_env=False)
    broken: QueryResult | None = None
    try:
        for quantity, cohort, step, promql in planned:
            result = broken or query(url, promql, at, timeout_s, session)
            if result.error is not None and any(t in result.error for t in _TRANSPORT):
                broken = QueryResult(None, 0, result.error)
            samples.append(EscortSample(
                check=check, at=at, window_seconds=window_seconds, quantity=quantity,
                cohort=cohort, value=result.value, series=result.series, query=promql,
                error=result.error, step=step))
    finally:
        if own:
            session.close()
    return samples


def append_samples(path: Path | str, samples: Sequence[EscortSample]) -> None:
    """Append one line per sample with one write, then flush and fsync (the file, and its folder
    when the file is new), so a watch killed afterwards has lost nothing it wrote."""
    if not samples:
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    is_new = not target.exists()
    data = "".join(sample.to_json() + "\n" for sample in samples).encode("utf-8")
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    if is_new:
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

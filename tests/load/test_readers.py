"""Readers of load evidence: real captured files read, broken ones raise EvidenceError naming
the file, the line and the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.errors import EvidenceError
from harness.readers.generator import (
    read_generator_health,
    read_load_plan,
    read_purchases,
    read_reconciliation,
)
from harness.readers.locust import (
    read_failures,
    read_locust_stats,
    read_stats_history,
    read_stats_json,
)
from harness.readers.locust_phases import read_phase_stats
from tests.load.conftest import DATA

Evidence = Callable[[str], Path]
GOOD = DATA / "good"


def test_locust_outputs_of_a_real_run() -> None:
    stats = read_locust_stats(GOOD / "stats.csv")
    assert stats.names == ("1 start", "2 notice", "3 health", "4 application", "5 pay",
                           "purchase", "Aggregated")
    purchase = stats.get("purchase")
    assert purchase is not None and purchase.request_type == "JOURNEY"
    assert purchase.percentiles_ms[95.0] == 2500.0
    assert len(stats.http_rows) == 5
    history = read_stats_history(GOOD / "stats_history.csv")
    assert history[0].p95_ms is None  # Locust's "N/A" before the first request
    assert history[-1].total_requests > 0
    assert read_failures(GOOD / "failures.csv") == ()
    assert {e["name"] for e in read_stats_json(GOOD / "stats.json")} >= {"5 pay", "purchase"}
    emfile = read_failures(DATA / "emfile" / "failures.csv")
    assert "Too many open files" in emfile[0].error


def test_harness_evidence_of_a_real_run() -> None:
    health = read_generator_health(GOOD / "generator.jsonl")
    assert health.samples[-1].final
    assert {len(s.workers) for s in health.samples} == {2}
    plan = read_load_plan(GOOD / "phases.json")
    assert [p.kind for p in plan.phases] == ["warmup", "steady"]
    assert plan.workers_expected == 2
    purchases = read_purchases(GOOD / "purchases.jsonl")
    store = read_reconciliation(GOOD / "reconciliation.json")
    assert store.journeys is not None
    assert len(purchases.paid) == store.summary["paid"] == len(store.journeys) > 50


def test_phase_stats_leave_the_warm_up_out() -> None:
    whole = read_locust_stats(GOOD / "stats.csv")
    steady = read_phase_stats(GOOD / "phase_stats.jsonl", ["steady"])
    ramp = read_phase_stats(GOOD / "phase_stats.jsonl", ["ramp-up"])
    for name in ("1 start", "purchase"):
        w, s, r = whole.get(name), steady.get(name), ramp.get(name)
        assert w is not None and s is not None and r is not None
        assert s.request_count + r.request_count <= w.request_count
        assert s.request_count > r.request_count > 0
    assert "steady" in steady.source


def test_phase_stats_of_a_phase_that_never_ended(evidence: Evidence) -> None:
    path = evidence("good") / "phase_stats.jsonl"
    with pytest.raises(EvidenceError, match="no snapshot at the end of phase 'spike'"):
        read_phase_stats(path, ["spike"])


@pytest.mark.parametrize("name", ["stats.csv", "stats_history.csv", "generator.jsonl",
                                  "phases.json", "purchases.jsonl", "stats.json"])
def test_missing_file_names_it(evidence: Evidence, name: str) -> None:
    folder = evidence("good")
    (folder / name).unlink()
    reader = READERS[name]
    with pytest.raises(EvidenceError, match=f"{name}: missing"):
        reader(folder / name)


@pytest.mark.parametrize("name", ["stats.csv", "stats_history.csv", "generator.jsonl",
                                  "phases.json", "stats.json", "reconciliation.json"])
def test_empty_file_is_evidence_error(evidence: Evidence, name: str) -> None:
    folder = evidence("good")
    (folder / name).write_text("", encoding="utf-8")
    with pytest.raises(EvidenceError, match="empty file"):
        READERS[name](folder / name)


def test_stats_csv_cut_short_lacks_the_aggregated_row(evidence: Evidence) -> None:
    path = evidence("good") / "stats.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match="no Aggregated row: the file is truncated"):
        read_locust_stats(path)


def test_stats_csv_cut_mid_line_names_the_line(evidence: Evidence) -> None:
    path = evidence("good") / "stats.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"stats\.csv:\d+: .*truncated"):
        read_locust_stats(path)


def test_nan_in_stats_csv_names_line_and_column(evidence: Evidence) -> None:
    path = evidence("good") / "stats.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[5] = "nan"  # Average Response Time of 2 notice
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"stats\.csv:3: column 'Average Response Time' is "
                                            r"'nan': not a finite number"):
        read_locust_stats(path)


def test_a_csv_that_is_not_from_locust(evidence: Evidence) -> None:
    path = evidence("good") / "stats.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"stats\.csv:1: no column 'Type'"):
        read_locust_stats(path)


def test_generator_line_cut_short_names_the_line(evidence: Evidence) -> None:
    path = evidence("good") / "generator.jsonl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:-40], encoding="utf-8")
    count = text.count("\n")
    with pytest.raises(EvidenceError, match=f"generator.jsonl:{count}: not valid JSON"):
        read_generator_health(path)


def test_generator_nan_names_line_and_field(evidence: Evidence) -> None:
    path = evidence("good") / "generator.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    data = json.loads(lines[1])
    data["workers"][1]["cpu_percent"] = float("nan")
    lines[1] = json.dumps(data)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"generator\.jsonl:2: NaN is not a number"):
        read_generator_health(path)


def test_generator_missing_field_names_it(evidence: Evidence) -> None:
    path = evidence("good") / "generator.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    data = json.loads(lines[2])
    del data["workers"][0]["users"]
    lines[2] = json.dumps(data)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"generator.jsonl:3: field 'workers\[0\]\.users' "
                                            "is missing"):
        read_generator_health(path)


def test_purchase_without_policy_number_when_paid(evidence: Evidence) -> None:
    path = evidence("good") / "purchases.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    data = json.loads(lines[4])
    data["policy_number"] = None
    lines[4] = json.dumps(data)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"purchases\.jsonl:5: field 'policy_number'"):
        read_purchases(path)


def test_an_empty_purchase_log_where_locust_counted_purchases_was_cut(
        evidence: Evidence) -> None:
    path = evidence("good") / "purchases.jsonl"
    path.write_text("", encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"holds 0 paid purchase.* counts 137 completed"):
        read_purchases(path)


def test_phases_without_phases(evidence: Evidence) -> None:
    path = evidence("good") / "phases.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["phases"] = []
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"phases\.json: field 'phases' is empty"):
        read_load_plan(path)


READERS: dict[str, Callable[[Path], object]] = {
    "stats.csv": read_locust_stats, "stats_history.csv": read_stats_history,
    "generator.jsonl": read_generator_health, "phases.json": read_load_plan,
    "purchases.jsonl": read_purchases, "stats.json": read_stats_json,
    "reconciliation.json": read_reconciliation,
}


def _set_median(folder: Path, name: str, value: str, min_ms: str | None = None) -> None:
    import csv

    path = folder / "stats.csv"
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    for row in rows:
        if row["Name"] == name:
            row["Median Response Time"] = value
            if min_ms is not None:
                row["Min Response Time"] = min_ms
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)


def test_a_median_locust_clamped_to_the_exact_minimum_is_read(evidence: Evidence) -> None:
    """Locust reports min(max(bucket median, min), max): a fractional median equal to the
    exact min or max is Locust's own output (seen in a real run), anything else is not."""
    folder = evidence("good")
    low = next(r for r in read_locust_stats(folder / "stats.csv").rows if r.name == "1 start")
    _set_median(folder, "1 start", "2.0016279993578792", min_ms="2.0016279993578792")
    assert read_locust_stats(folder / "stats.csv").get("1 start") is not None
    _set_median(folder, "1 start", "2.5", min_ms="2.0016279993578792")
    with pytest.raises(EvidenceError, match=r"'Median Response Time'.*differs from the 50% column"):
        read_locust_stats(folder / "stats.csv")
    assert low.request_count > 0

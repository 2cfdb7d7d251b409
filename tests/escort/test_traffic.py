"""The escort demo's traffic: loopback only, bounded, and it stops when told or when its time
is up."""

from __future__ import annotations

import time

import pytest

from harness.errors import ConfigError
from harness_demo_shop.server import start_in_background
from harness_watch.traffic import TrafficPlan, run_traffic, start_traffic
from tests.escort.producers import poll


@pytest.mark.parametrize("url", ["http://10.0.0.1:8000", "http://192.0.2.7", "ftp://127.0.0.1:21",
                                 "http://no-such-host.invalid:80"])
def test_only_loopback_targets(url: str) -> None:
    with pytest.raises(ConfigError, match="loopback only"):
        TrafficPlan(url).check()


@pytest.mark.parametrize("options", [{"rate_per_s": 0}, {"rate_per_s": 1000},
                                     {"duration_s": 0}, {"duration_s": 10**7},
                                     {"complaint_percent": 101}, {"max_in_flight": 0}])
def test_bounded(options: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        TrafficPlan("http://127.0.0.1:8000", **options).check()  # type: ignore[arg-type]


def test_a_shop_that_is_not_there_is_counted_not_raised() -> None:
    report = run_traffic(TrafficPlan("http://127.0.0.1:9", rate_per_s=20, duration_s=0.5))
    assert report.started >= 5 and report.paid == 0
    assert report.status[0] == report.started  # no answer at all, every purchase


@pytest.mark.slow
def test_purchases_at_the_rate_and_a_prompt_stop() -> None:
    with start_in_background(workers=1, gray_percent=50) as shop:
        began = time.monotonic()
        report = run_traffic(TrafficPlan(shop.url, rate_per_s=10, duration_s=3,
                                         complaint_percent=50, health_error_percent=50))
        took = time.monotonic() - began
        # 30 purchases due at 0, 0.1 ... 2.9 s; the last ones finish within one request timeout
        assert 2.9 <= took < 3 + 10 + 1
        assert report.started + report.skipped == 30, report.as_dict()
        assert report.started >= 25 and report.paid == report.started, report.as_dict()
        assert report.complaints > 0 and report.health_errors > 0
        assert set(report.by_cohort) == {"gray", "control"}
        traffic = start_traffic(shop.url, rate_per_s=5, duration_s=600)
        poll(lambda: traffic.report.started, lambda n: n >= 1, timeout_s=10)
        began = time.monotonic()
        traffic.stop()
        stopped = traffic.join(15)
        assert not traffic.running() and time.monotonic() - began < 12
        assert stopped.started >= 1

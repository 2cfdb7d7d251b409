"""The pure parts of harness_load/: profiles, think times, applicant data, socket-error
classification and the loopback-only target check (none of them imports Locust)."""

from __future__ import annotations

import argparse
import errno
import random

import pytest

from harness.cli.load import add_arguments, overrides_from, size_for_machine
from harness.errors import ConfigError, TargetError
from harness_load.applicant import id_check_char, random_application, random_id_number
from harness_load.launcher import (
    check_capacity,
    destinations_for,
    plan_machine,
    shop_workers_for,
    workers_for,
)
from harness_load.profiles import profile_from_env
from harness_load.socket_errors import classify_socket_error
from harness_load.target import check_local_target
from harness_load.think import ThinkTimes


def test_smoke_profile_defaults() -> None:
    smoke = profile_from_env("smoke", {})
    assert [(p.kind, p.users) for p in smoke.phases] == [("warmup", 50), ("steady", 50)]
    assert smoke.duration_s == 25
    assert smoke.think.mean_s("pay") == pytest.approx(60 * 0.02)


def test_peak_profile_ramps_holds_spikes_and_recovers() -> None:
    peak = profile_from_env("peak", {})
    assert [(p.name, p.kind) for p in peak.phases] == [
        ("ramp-up", "warmup"), ("settle", "warmup"), ("steady", "steady"), ("spike", "spike"),
        ("recovery", "recovery")]
    assert peak.peak_users == 120_000
    assert peak.phases[2].users == 100_000
    assert peak.phases[2].start_s == 660  # the steady state starts 60 s after the ramp
    assert peak.planned_users_at(300) == 50_000  # halfway up a 600-second ramp
    assert peak.planned_users_at(630) == 100_000  # settling
    assert peak.think.mean_s("pay") == 60.0


def test_overrides_come_from_the_environment() -> None:
    gray = profile_from_env("gray", {"HARNESS_LOAD_USERS": "300", "HARNESS_LOAD_HOLD_S": "20",
                                     "HARNESS_LOAD_THINK_S": "pay=1-3",
                                     "HARNESS_LOAD_PRODUCTS": "travel=1"})
    assert gray.peak_users == 300
    assert gray.think.ranges_s["pay"] == (1.0, 3.0)
    assert gray.requests_per_purchase == 4.0
    assert gray.planned_rps(300, 0.0) == pytest.approx(300 * 4 / gray.think_per_purchase_s)


@pytest.mark.parametrize(("env", "message"), [
    ({"HARNESS_LOAD_USERS": "many"}, "HARNESS_LOAD_USERS='many' is not a number"),
    ({"HARNESS_LOAD_THINK_S": "lunch=3"}, "unknown step 'lunch'"),
    ({"HARNESS_LOAD_THINK_S": "pay=9-3"}, "LOW <= HIGH"),
    ({"HARNESS_LOAD_PRODUCTS": "pets=1"}, "unknown product 'pets'"),
])
def test_bad_overrides_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        profile_from_env("smoke", env)


def test_unknown_profile() -> None:
    with pytest.raises(ValueError, match="unknown load profile 'huge'"):
        profile_from_env("huge", {})


def test_think_scale_zero_means_no_pauses() -> None:
    think = ThinkTimes.from_env({"HARNESS_LOAD_THINK_SCALE": "0"})
    assert think.sample_s("application") == 0.0


def test_gb11643_check_character() -> None:
    assert id_check_char("11010519491231002") == "X"
    rng = random.Random(7)
    for _ in range(200):
        number = random_id_number(rng)
        assert len(number) == 18 and id_check_char(number[:17]) == number[17]
    form = random_application(rng)
    assert form["consent"] is True and str(form["phone"]).startswith("1")


@pytest.mark.parametrize(("exc", "kind"), [
    (OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"), "EADDRNOTAVAIL"),
    (OSError(errno.EMFILE, "Too many open files"), "EMFILE"),
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "ECONNREFUSED"),
    ("OSError(24, 'Too many open files')", "EMFILE"),
    (TimeoutError(), "ETIMEDOUT"),
    (ValueError("HTTP 500"), None),
    (None, None),
])
def test_socket_errors_are_told_from_http_errors(exc: BaseException | str | None,
                                                 kind: str | None) -> None:
    assert classify_socket_error(exc) == kind


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://127.0.0.9:80/",
                                 "http://localhost:8000", "http://[::1]:8000"])
def test_loopback_targets_are_allowed(url: str) -> None:
    check_local_target(url, allow_non_local=False)


@pytest.mark.parametrize("url", ["http://10.1.2.3:8000", "http://192.168.0.1",
                                 "ftp://127.0.0.1", "127.0.0.1:8000"])
def test_other_targets_are_refused(url: str) -> None:
    with pytest.raises(TargetError):
        check_local_target(url, allow_non_local=False)


def test_consent_allows_a_non_local_target() -> None:
    check_local_target("http://10.1.2.3:8000", allow_non_local=True)


def test_capacity_needs_enough_workers_and_destinations() -> None:
    check_capacity(100_000, workers=6, destinations=4)
    with pytest.raises(ConfigError, match="100,000 users need at least 6 workers"):
        check_capacity(100_000, workers=2, destinations=4)
    with pytest.raises(ConfigError, match="need at least 4 destination addresses"):
        check_capacity(100_000, workers=6, destinations=1)
    assert workers_for(100_000, cores=2) == 6
    assert workers_for(50, cores=2) == 2


def test_harness_load_sizes_the_machine_for_the_profiles_peak() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    peak = parser.parse_args(["--profile", "peak"])
    size_for_machine(peak, overrides_from(peak))
    assert (peak.workers, peak.spread, peak.shop_workers) == (7, 5, 7)  # 120,000 in the spike
    smoke = parser.parse_args(["--workers", "3"])
    size_for_machine(smoke, overrides_from(smoke))
    assert (smoke.workers, smoke.spread, smoke.shop_workers) == (3, 1, 2)
    assert destinations_for(28_001) == 2 and shop_workers_for(18_001) == 2
    assert plan_machine("peak", {"HARNESS_LOAD_SPIKE_USERS": "0"}).workers == 6
    with pytest.raises(ConfigError, match="HARNESS_LOAD_USERS"):
        plan_machine("peak", {"HARNESS_LOAD_USERS": "many"})


def test_stairs_hold_each_level_in_its_own_steady_phase() -> None:
    plan = profile_from_env("peak", {"HARNESS_LOAD_STAIRS": "30000,60000",
                                     "HARNESS_LOAD_RAMP_S": "60", "HARNESS_LOAD_HOLD_S": "180",
                                     "HARNESS_LOAD_SETTLE_S": "0",
                                     "HARNESS_LOAD_SPIKE_USERS": "0"})
    assert [(p.name, p.users, p.start_s) for p in plan.phases] == [
        ("ramp-up-1", 30000, 0), ("steady-1", 30000, 60), ("ramp-up-2", 60000, 240),
        ("steady-2", 60000, 300)]
    assert plan.planned_users_at(270) == 45000
    with pytest.raises(ValueError, match="must rise"):
        profile_from_env("peak", {"HARNESS_LOAD_STAIRS": "60000,30000"})


def test_each_stair_settles_before_its_steady_state() -> None:
    plan = profile_from_env("peak", {"HARNESS_LOAD_STAIRS": "30000,60000",
                                     "HARNESS_LOAD_RAMP_S": "60", "HARNESS_LOAD_HOLD_S": "180",
                                     "HARNESS_LOAD_SETTLE_S": "30",
                                     "HARNESS_LOAD_SPIKE_USERS": "0"})
    assert [(p.name, p.kind, p.users, p.start_s) for p in plan.phases] == [
        ("ramp-up-1", "warmup", 30000, 0), ("settle-1", "warmup", 30000, 60),
        ("steady-1", "steady", 30000, 90), ("ramp-up-2", "warmup", 60000, 270),
        ("settle-2", "warmup", 60000, 330), ("steady-2", "steady", 60000, 360)]
    assert plan.planned_users_at(345) == 60000


def test_extra_screens_count_in_the_planned_rate() -> None:
    plain = profile_from_env("gray", {})
    longer = profile_from_env("gray", {"HARNESS_LOAD_EXTRA_STEPS": "2"})
    assert longer.requests_per_purchase == plain.requests_per_purchase + 2
    assert longer.think_per_purchase_s == pytest.approx(plain.think_per_purchase_s + 11.0)

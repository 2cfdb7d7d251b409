"""`harness check`: spot checks through the real command line (a child browser per call)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

JOURNEYS = Path(__file__).resolve().parents[2] / "harness_browser" / "journeys"
PATTERN = r"\d+天犹豫期"


def harness(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", "check", *args],
                          capture_output=True, text=True, timeout=180, check=False)


def as_json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.stdout, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.browser
def test_notice_passes_on_desktop_and_fails_below_the_fold_on_phones(site: str) -> None:
    done = harness("notice", f"{site}/notice/phone_banner.html", "--text", PATTERN,
                   "--viewport", "desktop", "--viewport", "1280x720", "--viewport", "phone",
                   "--json")
    assert done.returncode == 1, done.stderr
    report = as_json(done)
    assert report["passed"] is False and report["status"] == "failed"
    rows = {r["viewport"]: r for r in report["viewports"]}
    assert rows["desktop"]["passed"] and rows["1280x720"]["width"] == 1280
    assert rows["phone"]["status"] == "failed"
    assert any("below the fold" in r for r in rows["phone"]["reasons"])
    assert rows["desktop"]["measurements"]["min_font_px"] >= 12
    assert len(report["reasons"]) == 1 and report["reasons"][0].startswith("phone")


@pytest.mark.browser
def test_a_notice_that_passes_everywhere_exits_0_with_a_readable_line(site: str) -> None:
    done = harness("notice", f"{site}/notice/phone_banner.html", "--text", PATTERN,
                   "--selector", "#notice", "--viewport", "desktop-hd")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED" in done.stdout and "result: PASSED (exit 0)" in done.stdout


@pytest.mark.browser
def test_a_notice_missing_from_a_loaded_page_is_failed(site: str) -> None:
    done = harness("notice", f"{site}/notice/phone_banner.html", "--text", "30天犹豫期",
                   "--viewport", "desktop", "--json")
    assert done.returncode == 1
    assert "no notice matching" in as_json(done)["viewports"][0]["message"]


@pytest.mark.browser
def test_a_page_that_does_not_load_or_answers_404_could_not_be_checked(site: str) -> None:
    done = harness("notice", f"{site}/notice/nope.html", "--text", PATTERN, "--viewport",
                   "phone", "--json")
    assert done.returncode == 3 and "HTTP 404" in as_json(done)["reasons"][0]
    done = harness("notice", f"http://127.0.0.1:{closed_port()}/", "--text", PATTERN)
    assert done.returncode == 3 and "COULD NOT CHECK" in done.stdout


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "127.0.0.1:8000"])
def test_only_http_pages_are_checked(url: str) -> None:
    done = harness("notice", url, "--text", PATTERN)
    assert done.returncode == 2 and "http://" in done.stderr


def test_a_text_that_is_no_regular_expression_is_a_usage_error() -> None:
    done = harness("notice", "http://127.0.0.1:1/", "--text", "犹豫期(")
    assert done.returncode == 2 and "regular expression" in done.stderr


def test_an_unknown_viewport_is_a_usage_error() -> None:
    done = harness("notice", "http://127.0.0.1:1/", "--text", PATTERN, "--viewport", "tablet")
    assert done.returncode == 2 and "WIDTHxHEIGHT" in done.stderr


@pytest.mark.browser
def test_steps_counts_a_journey_file(shop_site: str, tmp_path: Path) -> None:
    journey = str(JOURNEYS / "demo-travel.toml")
    done = harness("steps", journey, "--base-url", shop_site, "--json", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    report = as_json(done)
    assert report["passed"] and report["step_count"] == 4 and report["completed"]
    assert (tmp_path / "journey.json").is_file()
    done = harness("steps", journey, "--base-url", shop_site, "--max-steps", "3")
    assert done.returncode == 1 and "result: FAILED (exit 1)" in done.stdout


@pytest.mark.browser
def test_steps_against_a_store_that_is_not_there_could_not_be_checked() -> None:
    done = harness("steps", str(JOURNEYS / "demo-travel.toml"), "--base-url",
                   f"http://127.0.0.1:{closed_port()}", "--json")
    assert done.returncode == 3
    report = as_json(done)
    assert report["status"] == "could not check" and not report["completed"]


@pytest.mark.browser
def test_check_notice_waits_for_a_single_page_app_to_draw(site: str) -> None:
    done = harness("notice", f"{site}/spa/hash.html?late=1#/insure", "--text", r"犹豫期为\d+天",
                   "--wait-for", "#cooling", "--viewport", "desktop", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert as_json(done)["viewports"][0]["passed"]


@pytest.mark.browser
def test_a_redirect_to_the_browsers_error_page_could_not_be_checked(site: str) -> None:
    done = harness("notice", f"{site}/spa/broken_redirect.html", "--text", PATTERN,
                   "--viewport", "desktop", "--json")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "error page" in as_json(done)["reasons"][0]


def test_a_journey_file_with_a_bad_key_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text('name = "x"\nstart = "/"\nactions = "click"\n', encoding="utf-8")
    done = harness("steps", str(bad), "--base-url", "http://127.0.0.1:1/")
    assert done.returncode == 2 and str(bad) in done.stderr and "actions" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.browser
def test_steps_counts_a_python_journey(site: str) -> None:
    journey = str(Path(__file__).parent / "journeys" / "h5.py")
    done = harness("steps", journey, "--base-url", site, "--viewport", "phone", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = as_json(done)
    assert report["step_count"] == 3 and report["steps"][2]["screen_id"].endswith("#/insure")

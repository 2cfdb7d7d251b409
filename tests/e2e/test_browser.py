"""Choosing the browser, the named viewports, the probe, and reading the cooling-off days."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness_browser.browser import (
    CHROMIUM_ARGS,
    VIEWPORTS,
    chromium_executable,
    launch_args,
    viewport,
)
from harness_browser.cooling_off import parse_cooling_off_days


def test_browser_choice_order(tmp_path: Path) -> None:
    chosen = tmp_path / "harness-browser"
    bundled = tmp_path / "chrome"
    bundled.write_text("")
    env = {"HARNESS_CHROMIUM": "/opt/chromium"}
    assert chromium_executable(env, chosen, str(bundled)) == "/opt/chromium"
    chosen.write_text("/usr/lib/chromium/chromium\n")
    assert chromium_executable({}, chosen, str(bundled)) == "/usr/lib/chromium/chromium"
    chosen.write_text("playwright\n")
    assert chromium_executable({}, chosen, None) is None
    chosen.unlink()
    assert chromium_executable({}, chosen, str(bundled)) is None  # Playwright's own, installed


def test_launch_args_keep_chromium_off_the_network() -> None:
    args = launch_args("/usr/bin/chromium")
    assert args["headless"] is True and args["executable_path"] == "/usr/bin/chromium"
    for flag in ("--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"):
        assert flag in args["args"] and flag in CHROMIUM_ARGS
    assert "executable_path" not in launch_args(None)


def test_named_viewports() -> None:
    assert set(VIEWPORTS) == {"desktop", "desktop-hd", "phone", "phone-small", "wechat"}
    assert (viewport("desktop").width, viewport("desktop").height) == (1366, 768)
    phone = viewport("phone").context_args()
    assert phone["viewport"] == {"width": 390, "height": 844}
    assert phone["device_scale_factor"] == 3 and phone["is_mobile"] and phone["has_touch"]
    wechat = viewport("wechat")
    assert (wechat.width, wechat.height) == (414, 736)
    assert "MicroMessenger" in (wechat.user_agent or "")
    with pytest.raises(ValueError, match="use one of desktop"):
        viewport("tablet")


@pytest.mark.browser
def test_probe_prints_one_json_line() -> None:
    done = subprocess.run([sys.executable, "-m", "harness_browser.probe"], capture_output=True,
                          text=True,
                          timeout=120, check=False)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result) == {"executable", "version", "launches", "error"}
    assert result["launches"] is True and done.returncode == 0, result["error"]


@pytest.mark.parametrize(("text", "days"), [
    ("本产品有15天犹豫期：自保单生效之日起", 15),
    ("犹豫期为15天", 15),
    ("犹豫期15日", 15),
    ("犹豫期：十五天", 15),
    ("您享有二十天的犹豫期", 20),
    ("本产品有1天犹豫期", 1),
    ("You have a cooling-off period of 15 days.", 15),
    ("a 10-day cooling-off period", 10),
    ("保险期间1年，请仔细阅读条款", None),
    ("", None),
])
def test_cooling_off_days(text: str, days: int | None) -> None:
    assert parse_cooling_off_days(text) == days

"""Browser options: validated from the user's table, carried in $HARNESS_BROWSER_OPTIONS, and
applied to every launch and context (host rules, headers, log-in state, user agents)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from playwright.sync_api import Browser

from harness.errors import ConfigError
from harness_browser.browser import chromium_executable, launch_args, new_context, viewport
from harness_browser.options import ENV_OPTIONS, BrowserOptions

HOST = "shop.insurer.test"
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>h5</title></head><body>
<p id="state">waiting</p><script src="http://{HOST}/app.js"></script></body></html>"""
APP_JS = "document.getElementById('state').textContent = 'bundle loaded';"


class _Store(BaseHTTPRequestHandler):
    """The page on 127.0.0.1, its bundle on shop.insurer.test; remembers what it was sent."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def do_GET(self) -> None:
        self.seen.append({"path": self.path, "host": self.headers.get("Host"),
                          "user_agent": self.headers.get("User-Agent"),
                          "token": self.headers.get("X-Staging-Token"),
                          "cookie": self.headers.get("Cookie")})
        body, kind = (APP_JS, "text/javascript") if self.path == "/app.js" else (
            PAGE, "text/html; charset=utf-8")
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def store() -> Iterator[tuple[str, int]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Store)
    _Store.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_full_table_round_trips_through_the_environment() -> None:
    table = {"args": ["--host-resolver-rules=MAP shop.insurer.test 127.0.0.1:8443"],
             "proxy": {"server": "http://proxy:3128", "bypass": "127.0.0.1"},
             "extra_http_headers": {"X-Staging-Token": "t"}, "storage_state": "auth.json",
             "ignore_https_errors": True, "user_agents": {"wechat": "MicroMessenger"},
             "viewports": {"tablet": [820, 1180]}}
    options = BrowserOptions.from_mapping(table, "harness.toml [browser]")
    again = BrowserOptions.from_env({ENV_OPTIONS: options.to_json()})
    assert again == options and again.viewports == {"tablet": (820, 1180)}
    assert BrowserOptions.from_env({}) == BrowserOptions()
    assert viewport("tablet", options).width == 820
    assert options.context_args("wechat")["user_agent"] == "MicroMessenger"
    assert "user_agent" not in options.context_args("phone")


@pytest.mark.parametrize(("table", "key"), [
    ({"argz": []}, "argz"), ({"args": "--x"}, "args"), ({"args": ["x"]}, "args"),
    ({"proxy": "http://p:1"}, "proxy"), ({"proxy": {"bypass": "x"}}, "proxy"),
    ({"extra_http_headers": {"X": 1}}, "extra_http_headers"),
    ({"storage_state": 3}, "storage_state"), ({"ignore_https_errors": "yes"},
                                              "ignore_https_errors"),
    ({"user_agents": ["x"]}, "user_agents"), ({"viewports": {"t": [820]}}, "viewports"),
])
def test_a_bad_key_names_the_place_and_the_key(table: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        BrowserOptions.from_mapping(table, "harness.toml [browser]")
    assert "harness.toml [browser]" in str(err.value) and key in str(err.value)


def test_bad_json_in_the_environment_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=ENV_OPTIONS):
        BrowserOptions.from_env({ENV_OPTIONS: "{nope"})


@pytest.mark.browser
def test_host_rules_headers_user_agent_and_log_in_state_reach_the_store(
        chromium: Browser, store: tuple[str, int], tmp_path: Path) -> None:
    url, port = store
    plain = new_context(chromium, "wechat", BrowserOptions())
    try:  # without the host rule the bundle's host does not resolve
        page = plain.new_page()
        page.goto(url)
        assert page.text_content("#state") == "waiting"
    finally:
        plain.close()
    state = tmp_path / "logged-in.json"
    state.write_text(json.dumps({"cookies": [{
        "name": "session", "value": "abc", "domain": "127.0.0.1", "path": "/",
        "expires": -1, "httpOnly": False, "secure": False, "sameSite": "Lax"}],
        "origins": []}), encoding="utf-8")
    options = BrowserOptions.from_mapping({
        "args": [f"--host-resolver-rules=MAP {HOST} 127.0.0.1:{port}"],
        "extra_http_headers": {"X-Staging-Token": "s3cret"}, "storage_state": str(state),
        "user_agents": {"wechat": "Mozilla/5.0 TestStore MicroMessenger/8.0"}}, "test")
    kind = chromium.browser_type  # a second sync_playwright() cannot run inside the first
    browser = kind.launch(**launch_args(chromium_executable(bundled=kind.executable_path),
                                        options))
    try:
        context = new_context(browser, "wechat", options)
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("document.getElementById('state').textContent !== 'waiting'")
        assert page.text_content("#state") == "bundle loaded"
    finally:
        browser.close()
    bundle = next(s for s in _Store.seen if s["path"] == "/app.js" and s["token"])
    assert bundle["host"] == HOST and bundle["token"] == "s3cret"
    assert bundle["user_agent"] == "Mozilla/5.0 TestStore MicroMessenger/8.0"
    first = next(s for s in _Store.seen if s["path"] == "/" and s["token"])
    assert first["cookie"] == "session=abc"


@pytest.mark.browser
def test_check_notice_launches_with_the_options_in_the_environment(
        store: tuple[str, int]) -> None:
    url, port = store
    options = BrowserOptions(args=(f"--host-resolver-rules=MAP {HOST} 127.0.0.1:{port}",))
    env = {**os.environ, ENV_OPTIONS: options.to_json()}
    done = subprocess.run([sys.executable, "-m", "harness", "check", "notice", url, "--text",
                           "bundle loaded", "--viewport", "desktop"], env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert any(s["host"] == HOST for s in _Store.seen)

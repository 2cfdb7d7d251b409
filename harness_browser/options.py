"""Browser options from the user's configuration: what a store needs to be drivable at all.

    [browser]
    args = ["--host-resolver-rules=MAP shop.insurer.test 127.0.0.1:8443"]  # Chromium arguments
    proxy = { server = "http://proxy:3128", bypass = "127.0.0.1" }        # Playwright's proxy
    extra_http_headers = { "X-Staging-Token" = "..." }                    # every request
    storage_state = "auth/logged-in.json"   # a saved log-in (context.storage_state(path=...))
    ignore_https_errors = true              # a staging certificate
    user_agents = { wechat = "Mozilla/5.0 ... MicroMessenger/8.0.50 ..." }  # per viewport
    viewports = { tablet = [820, 1180] }    # extra named viewports, WIDTH x HEIGHT

The judge validates the table (`from_mapping`) and hands it to the browser workers as JSON in
$HARNESS_BROWSER_OPTIONS (`to_json` / `from_env`); every browser launch and context in
harness_browser applies it (harness_browser.browser). No Playwright here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.errors import ConfigError

ENV_OPTIONS = "HARNESS_BROWSER_OPTIONS"
_PROXY_KEYS = ("server", "bypass", "username", "password")


@dataclass(frozen=True)
class BrowserOptions:
    """Chromium arguments, proxy, headers, log-in state, TLS leniency, user agents, viewports."""

    args: tuple[str, ...] = ()
    proxy: dict[str, str] | None = None
    extra_http_headers: dict[str, str] = field(default_factory=dict)
    storage_state: str | None = None
    ignore_https_errors: bool = False
    user_agents: dict[str, str] = field(default_factory=dict)
    viewports: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str) -> BrowserOptions:
        """Validate a TOML table (or the JSON form); ConfigError names `where` and the key."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where}: browser options must be a table")
        known = tuple(cls.__dataclass_fields__)
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {unknown}; known: {', '.join(known)}")
        args = data.get("args", [])
        if not isinstance(args, list | tuple) or not all(
                isinstance(a, str) and a.startswith("-") for a in args):
            raise ConfigError(f"{where}: args must be a list of Chromium arguments such as "
                              "[\"--host-resolver-rules=MAP shop.example.com 127.0.0.1:8443\"]")
        return cls(args=tuple(args), proxy=_proxy(data.get("proxy"), where),
                   extra_http_headers=_strings(data, "extra_http_headers", where),
                   storage_state=_optional_text(data, "storage_state", where),
                   ignore_https_errors=_flag(data, "ignore_https_errors", where),
                   user_agents=_strings(data, "user_agents", where),
                   viewports=_viewports(data.get("viewports", {}), where))

    def to_json(self) -> str:
        """The JSON form from_env reads back (for $HARNESS_BROWSER_OPTIONS)."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BrowserOptions:
        """$HARNESS_BROWSER_OPTIONS (JSON) validated; absent or empty: the defaults."""
        env = os.environ if environ is None else environ
        text = env.get(ENV_OPTIONS, "").strip()
        if not text:
            return cls()
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"${ENV_OPTIONS}: not JSON: {exc}") from exc
        return cls.from_mapping(data, f"${ENV_OPTIONS}")

    def context_args(self, viewport_name: str) -> dict[str, Any]:
        """What this adds to a new context's keyword arguments at `viewport_name`."""
        args: dict[str, Any] = {}
        if self.extra_http_headers:
            args["extra_http_headers"] = dict(self.extra_http_headers)
        if self.storage_state:
            args["storage_state"] = self.storage_state
        if self.ignore_https_errors:
            args["ignore_https_errors"] = True
        if viewport_name in self.user_agents:
            args["user_agent"] = self.user_agents[viewport_name]
        return args


def _proxy(raw: Any, where: str) -> dict[str, str] | None:
    if raw is None:
        return None
    if (not isinstance(raw, Mapping) or set(raw) - set(_PROXY_KEYS)
            or not isinstance(raw.get("server"), str) or not raw["server"]
            or not all(isinstance(v, str) for v in raw.values())):
        raise ConfigError(f"{where}: proxy must be a table with server (e.g. "
                          "\"http://proxy:3128\") and optionally bypass, username, password "
                          "(all strings)")
    return dict(raw)


def _strings(data: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    raw = data.get(key, {})
    if not isinstance(raw, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise ConfigError(f"{where}: {key} must be a table of strings (name = \"value\")")
    return dict(raw)


def _optional_text(data: Mapping[str, Any], key: str, where: str) -> str | None:
    raw = data.get(key)
    if raw is not None and (not isinstance(raw, str) or not raw):
        raise ConfigError(f"{where}: {key} must be a file path (a string)")
    return raw


def _flag(data: Mapping[str, Any], key: str, where: str) -> bool:
    raw = data.get(key, False)
    if not isinstance(raw, bool):
        raise ConfigError(f"{where}: {key} must be true or false, not {raw!r}")
    return raw


def _viewports(raw: Any, where: str) -> dict[str, tuple[int, int]]:
    def size(value: Any) -> bool:
        return (isinstance(value, list | tuple) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 10_000 for v in value))

    if not isinstance(raw, Mapping) or not all(
            isinstance(k, str) and k and size(v) for k, v in raw.items()):
        raise ConfigError(f"{where}: viewports must be a table of name = [WIDTH, HEIGHT] "
                          "(CSS pixels, 100..10000), e.g. tablet = [820, 1180]")
    return {k: (int(v[0]), int(v[1])) for k, v in raw.items()}

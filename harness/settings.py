"""One configuration for a gate project: defaults < harness.toml < HARNESS_* variables < flags.

`harness.toml` (or `[tool.harness]` in the project's `pyproject.toml`) holds every setting of a
project; each key is declared once below with its type, default and meaning, so an unknown key
or a value of the wrong type stops the run before anything starts, naming the file, the key and
the form expected (exit 2). Two tables are free-form here and validated by their owners:
`[browser]` (harness_browser's BrowserOptions) and `[integrity]` (the reconciliation source).
The effective configuration is saved in every run directory (`config.json`, secrets masked).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness_contract.escort import DEFAULT_STEPS

CONFIG_FILE = "harness.toml"


@dataclass(frozen=True)
class Key:
    kind: type | tuple[type, ...]
    default: Any
    help: str
    env: str | None = None


# section -> key -> declaration; `table` kinds are free-form tables checked by their owner
SCHEMA: dict[str, dict[str, Key]] = {
    "project": {
        "features": Key(str, "features", "folder of .feature files (one sub-folder per area)"),
        "journeys": Key(str, "journeys", "folder of <product>.toml or <product>.py journeys",
                        "HARNESS_JOURNEYS"),
        "reports": Key(str, "reports", "where run directories are made", "HARNESS_REPORTS"),
        "areas": Key(list, [], "judge only these areas (feature sub-folders); [] = all",
                     "HARNESS_AREAS"),
        "skip": Key(list, [], "phases to leave out: load, gray, browser", "HARNESS_SKIP"),
        "waivers": Key(str, "", "TOML file of waivers", "HARNESS_WAIVERS"),
        "history": Key(str, "", "the release history kept between runs (CI: a folder you "
                       "keep); empty = the reports folder", "HARNESS_HISTORY"),
        "requirements": Key(str, "", "requirements file (TOML [[requirement]] or CSV id,title,"
                            "owner) every one of which a criterion must cover",
                            "HARNESS_REQUIREMENTS"),
        "requirements_missing": Key(str, "inconclusive", "a listed requirement no criterion "
                                    "covered: inconclusive | warn"),
    },
    "target": {
        "url": Key(str, "", "base URL of the store; empty = start the bundled demo shop",
                   "HARNESS_TARGET_URL"),
        "allow_non_local": Key(bool, False, "allow a target outside 127.0.0.0/8 (you own it)",
                               "HARNESS_ALLOW_NON_LOCAL"),
        "version": Key(str, "", "the version of the release under test; empty = asked of the "
                       "target (version_header / version_endpoint)", "HARNESS_TARGET_VERSION"),
        "version_header": Key(str, "", "response header naming the version, e.g. X-App-Version"),
        "version_endpoint": Key(str, "", "path answering the version, e.g. /version"),
    },
    "demo": {
        "variant": Key(str, "good", "demo shop release variant (only without target.url)",
                       "HARNESS_VARIANT"),
        "gray_percent": Key((int, float), 50.0, "share of demo-shop visitors on the new version"),
    },
    "browser": {},  # validated by harness_browser.options.BrowserOptions.from_mapping
    "load": {
        "profile": Key(str, "smoke", "smoke | peak (gray is the gray phase's own)",
                       "HARNESS_PROFILE"),
        "workers": Key(int, 2, "Locust worker processes"),
        "locustfile": Key(str, "", "your Locust file; empty = the bundled demo-shop buyer",
                          "HARNESS_LOCUSTFILE"),
        "user_classes": Key(list, [], "Locust user classes of your locustfile to run"),
        "users": Key(int, 0, "override the profile's users (0 = the profile's)"),
        "ramp_s": Key((int, float), 0, "override the ramp-up seconds (0 = the profile's)"),
        "hold_s": Key((int, float), 0, "override the steady-state seconds (0 = the profile's)"),
        "think_scale": Key((int, float), 0, "multiply every think time (0 = the profile's)"),
    },
    "gray": {
        "source": Key(str, "", "events file (CSV/Parquet) or SQL URL; empty = the demo shop's "
                      "export after the gray phase's traffic", "HARNESS_GRAY_SOURCE"),
        "table": Key(str, "", "table of events when source is an SQL URL"),
        "query": Key(str, "", "SQL query of events when source is an SQL URL"),
        "gray_share": Key((int, float), 0, "configured share of users on the new version "
                          "(0-1); 0 = demo.gray_percent for the demo shop"),
        "users": Key(int, 3000, "simulated visitors of the demo gray phase"),
        "hold_s": Key(int, 20, "seconds the demo gray phase holds its visitors"),
    },
    "integrity": {},  # validated by harness_load.reconciliation.IntegritySource.from_mapping
    "escort": {
        "window": Key(str, "72h", "how long `harness watch` escorts a release (e.g. 72h, 10m)",
                      "HARNESS_ESCORT_WINDOW"),
        "interval": Key(str, "15m", "time between two checks of the escort",
                        "HARNESS_ESCORT_INTERVAL"),
        "prometheus": Key(str, "", "URL of the Prometheus that scrapes your store; empty = "
                          "the demo shop with its own Prometheus (`harness watch --demo`)",
                          "HARNESS_PROMETHEUS_URL"),
        "queries": Key(dict, {}, "PromQL per quantity where your metric names differ from the "
                       "demo shop's, e.g. { purchase_requests = \"sum(increase(x[{window}]))\" }"),
        "steps": Key(list, list(DEFAULT_STEPS),
                     "journey steps whose p95 is judged (the `step` label)"),
        "cohorts": Key(list, ["gray", "control"], "cohorts compared at every check (the "
                       "`cohort` label); [] = no gray comparison"),
        "complaints": Key(str, "", "complaints and feedback: a CSV/Parquet file or an SQL URL; "
                          "empty = the demo shop's feedback table (demo only)",
                          "HARNESS_COMPLAINTS_SOURCE"),
        "complaints_table": Key(str, "", "table of complaints when complaints is an SQL URL"),
        "complaints_query": Key(str, "", "SQL query of complaints when complaints is an SQL URL"),
        "rollback_command": Key(str, "", "command run once on ROLLBACK (no shell); empty = none",
                                "HARNESS_ROLLBACK_COMMAND"),
        "rollback_webhook": Key(str, "", "URL POSTed once on ROLLBACK (JSON); empty = none",
                                "HARNESS_ROLLBACK_WEBHOOK"),
        "settle": Key(str, "", "wait after an interval ends before asking Prometheus (its last "
                      "scrape); empty = a tenth of the interval, at most 30s"),
        "scrape_interval": Key(str, "5s", "scrape interval of the demo's own Prometheus"),
    },
    "report": {
        "allure": Key(str, "", "the Allure 3 executable; empty = node_modules/.bin/allure "
                      "in the project or a parent folder, else `allure` on PATH",
                      "HARNESS_ALLURE"),
    },
}
FREE_TABLES = frozenset({"browser", "integrity"})


@dataclass(frozen=True)
class Settings:
    """The effective settings; `origin` says which layer set each key (for config.json)."""

    values: Mapping[str, Any]
    origin: Mapping[str, str]
    tables: Mapping[str, Mapping[str, Any]]
    source: str  # the file the project's settings came from, or "defaults"

    def get(self, dotted: str) -> Any:
        return self.values[dotted]

    def text(self, dotted: str) -> str:
        return str(self.values[dotted])

    def table(self, name: str) -> Mapping[str, Any]:
        return self.tables.get(name, {})

    def with_flags(self, flags: Mapping[str, Any]) -> Settings:
        """Flags win: every dotted key whose flag value is not None replaces the setting."""
        values, origin = dict(self.values), dict(self.origin)
        for dotted, value in flags.items():
            if value is None:
                continue
            if dotted not in values:
                raise ConfigError(f"internal: flag for unknown setting {dotted}")
            values[dotted] = _check(value, _key(dotted), dotted, "command line")
            origin[dotted] = "flag"
        return Settings(values, origin, self.tables, self.source)

    def effective(self) -> dict[str, Any]:
        """Nested dict of every setting and table, for config.json (callers mask secrets)."""
        out: dict[str, Any] = {}
        for dotted, value in self.values.items():
            section, key = dotted.split(".", 1)
            out.setdefault(section, {})[key] = value
        for name, table in self.tables.items():
            out[name] = dict(table)
        return {"source": self.source, "settings": out, "origin": dict(self.origin)}


def load_settings(project: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the project's file, then the environment (flags come later)."""
    env = os.environ if environ is None else environ
    data, source = read_config_file(project)
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for section, keys in SCHEMA.items():
        for key, decl in keys.items():
            values[f"{section}.{key}"] = decl.default
            origin[f"{section}.{key}"] = "default"
    tables: dict[str, Mapping[str, Any]] = {}
    for section, content in data.items():
        where = f"{source}: [{section}]"
        if section not in SCHEMA:
            raise ConfigError(f"{source}: unknown section [{section}]; the sections are "
                              f"{', '.join('[' + s + ']' for s in SCHEMA)}")
        if not isinstance(content, dict):
            raise ConfigError(f"{where} must be a table, not {type(content).__name__}")
        if section in FREE_TABLES:
            tables[section] = content
            continue
        for key, value in content.items():
            dotted = f"{section}.{key}"
            if key not in SCHEMA[section]:
                known = ", ".join(SCHEMA[section])
                raise ConfigError(f"{where}: unknown key {key!r}; the keys of [{section}] are "
                                  f"{known}")
            values[dotted] = _check(value, SCHEMA[section][key], dotted, source)
            origin[dotted] = source
    for section, keys in SCHEMA.items():
        for key, decl in keys.items():
            if decl.env and decl.env in env:
                dotted = f"{section}.{key}"
                values[dotted] = _from_env(env[decl.env], decl, decl.env)
                origin[dotted] = f"${decl.env}"
    return Settings(values, origin, tables, source)


def read_config_file(project: Path) -> tuple[dict[str, Any], str]:
    """The project's harness.toml, else `[tool.harness]` of its pyproject.toml, else nothing."""
    path = project / CONFIG_FILE
    if path.is_file():
        return _read_toml(path), str(path)
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        tool = _read_toml(pyproject).get("tool", {})
        if isinstance(tool, dict) and isinstance(tool.get("harness"), dict):
            return dict(tool["harness"]), f"{pyproject} [tool.harness]"
    return {}, "defaults"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save "
                          "it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from exc


def _key(dotted: str) -> Key:
    section, key = dotted.split(".", 1)
    return SCHEMA[section][key]


def _expected(decl: Key) -> str:
    kinds = decl.kind if isinstance(decl.kind, tuple) else (decl.kind,)
    names = {bool: "true or false", int: "a whole number", float: "a number",
             str: "a string in quotes", list: "a list such as [\"a\", \"b\"]",
             dict: "a table such as { name = \"value\" }"}
    return " or ".join(dict.fromkeys(names[k] for k in kinds))


def _check(value: Any, decl: Key, dotted: str, source: str) -> Any:
    kinds = decl.kind if isinstance(decl.kind, tuple) else (decl.kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if ok and isinstance(value, list):
        ok = all(isinstance(v, str) for v in value)
    if ok and isinstance(value, dict):
        ok = all(isinstance(v, str) for v in value.values())
    if ok and isinstance(value, float) and value != value:
        ok = False  # NaN is never a setting
    if not ok:
        raise ConfigError(f"{source}: {dotted} = {value!r}: expected {_expected(decl)} "
                          f"({decl.help})")
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return value


def _from_env(raw: str, decl: Key, name: str) -> Any:
    kinds = decl.kind if isinstance(decl.kind, tuple) else (decl.kind,)
    try:
        if list in kinds:
            return [p.strip() for p in raw.split(",") if p.strip()]
        if bool in kinds:
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no", ""):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        if float in kinds:
            return float(raw)
        if int in kinds:
            return int(raw)
    except ValueError as exc:
        raise ConfigError(f"${name}={raw!r}: expected {_expected(decl)} ({decl.help})") from exc
    return raw

"""The files `harness init` writes, rendered from the templates shipped in the package.

One set of feature templates serves both kinds of project: the demo example renders them for
the demo shop's products (travel, medical, accident) and request names, a user's project for
the products they name. harness.toml is rendered from the settings schema itself, so every
setting appears, commented with its default and meaning, and can never drift from the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from jinja2 import Environment, StrictUndefined

from harness.errors import ConfigError
from harness.settings import FREE_TABLES, SCHEMA

TEMPLATES = resources.files("harness") / "templates"
# the Examples keyword in English and in Chinese (a feature file's `# language: zh-CN`)
_EXAMPLES = re.compile(r"^\s*(?:Examples|例子):", re.MULTILINE)


@dataclass(frozen=True)
class Product:
    code: str
    cooling_off_days: int = 15
    health: bool = False


DEMO_PRODUCTS = (Product("travel", 1), Product("medical", 15, health=True),
                 Product("accident", 10))
DEMO_LOAD_STEPS = (("1 start", 500), ("2 notice", 500), ("3 health", 500),
                   ("4 application", 500), ("5 pay", 800))
DEMO_PEAK_STEPS = (("1 start", 500), ("2 notice", 500), ("3 health", 500),
                   ("4 application", 800), ("5 pay", 1000))
# the request names of the locustfile template (loadtests/locustfile.py of a new project)
USER_LOAD_STEPS = (("quote", 500), ("order", 500), ("pay", 800))
USER_AREAS = ("purchase_flow", "disclosures", "regulation", "health_declaration")
VIEWPORTS = ("desktop", "desktop-hd", "phone", "phone-small", "wechat")
# the escort's journey steps (harness_contract.escort.DEFAULT_STEPS) and their p95 in seconds
ESCORT_STEPS = (("start", 2), ("notice", 2), ("health", 2), ("application", 2), ("pay", 3))

_BROWSER_EXAMPLE = """\
# [browser]                     # how Chromium reaches and sees your store
# args = ["--host-resolver-rules=MAP api.myinsurer.com 127.0.0.1:9000"]
# proxy = { server = "http://127.0.0.1:3128", bypass = "localhost" }
# extra_http_headers = { "X-Staging-Token" = "from-your-ci-secret" }
# storage_state = "auth.json"   # a saved log-in (playwright's storage state)
# ignore_https_errors = true    # staging certificates
# user_agents = { wechat = "Mozilla/5.0 ... MicroMessenger/8.0.49" }
"""
_INTEGRITY_EXAMPLE = """\
# [integrity]                   # where your store's records are, to reconcile purchases
# kind = "sql"                  # "sql", "csv" or "endpoint"
# url = "postgresql://readonly@db.staging:5432/shop"   # the password: $PGPASSWORD / .pgpass
# query = "select order_no as order_id, policy_no as policy_number, premium_fen from orders"
"""


def demo_files(lang: str) -> dict[str, str]:
    """The project that gates the bundled demo shop: `make demo` runs exactly this."""
    files = _features(lang, DEMO_PRODUCTS, DEMO_LOAD_STEPS, DEMO_PEAK_STEPS, VIEWPORTS)
    journeys = resources.files("harness_browser") / "journeys"
    for product in DEMO_PRODUCTS:
        files[f"journeys/{product.code}.toml"] = _read(journeys / f"demo-{product.code}.toml")
    files["harness.toml"] = render_settings(
        "the example gate project of the bundled demo shop (harness init --example demo)",
        {"demo.variant": "good"})
    files[".gitignore"] = "reports/\n"
    return files


def project_files(products: tuple[Product, ...], lang: str, target: str,
                  viewports: tuple[str, ...] = VIEWPORTS) -> dict[str, str]:
    """A gate project for the user's own store, checked at `viewports` (the first one is
    where the step count and the sales-page rules are judged)."""
    files = _features(lang, products, USER_LOAD_STEPS, USER_LOAD_STEPS, viewports)
    env = _environment()
    journey = env.from_string(_read(TEMPLATES / "project" / "journey.toml.tmpl"))
    for product in products:
        files[f"journeys/{product.code}.toml"] = journey.render(code=product.code,
                                                                health=product.health)
    files["loadtests/locustfile.py"] = _read(TEMPLATES / "project" / "locustfile.py.tmpl")
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        files[f"ci/{name}"] = _read(TEMPLATES / "project" / "ci" / name)
    areas = [a for a in USER_AREAS if a != "health_declaration"
             or any(p.health for p in products)]
    files["harness.toml"] = render_settings(
        "the launch gate of my store (made by harness init; every setting is shown, "
        "commented out where it keeps its default)",
        {"target.url": target, "project.areas": areas,
         "load.locustfile": "loadtests/locustfile.py"})
    files[".gitignore"] = "reports/\n"
    return files


def _features(lang: str, products: tuple[Product, ...], load_steps: tuple[tuple[str, int], ...],
              peak_steps: tuple[tuple[str, int], ...],
              viewports: tuple[str, ...]) -> dict[str, str]:
    base = TEMPLATES / "features" / lang
    if not base.is_dir():
        raise ConfigError(f"--lang {lang}: no feature templates in that language")
    env = _environment()
    phones = [v for v in viewports if "desktop" not in v]
    desktops = [v for v in viewports if "desktop" in v]
    pair = [v for v in (desktops[:1] + phones[:1])] or list(viewports[:1])
    context: dict[str, Any] = {"products": products, "load_steps": load_steps,
                               "peak_steps": peak_steps, "viewports": viewports,
                               "main_viewport": viewports[0], "pair_viewports": pair,
                               "escort_steps": ESCORT_STEPS}
    files: dict[str, str] = {}
    for area in sorted(base.iterdir(), key=lambda t: t.name):
        for feature in sorted(area.iterdir(), key=lambda t: t.name):
            text = env.from_string(_read(feature)).render(**context)
            if all(_table_rows(table) > 1 for table in _EXAMPLES.split(text)[1:]):
                files[f"features/{area.name}/{feature.name}"] = text  # else: no product has it
    common = TEMPLATES / "common"
    files["features/conftest.py"] = _read(common / "conftest.py.tmpl")
    files["features/test_features.py"] = _read(common / "test_features.py.tmpl")
    return files


def _table_rows(text: str) -> int:
    """Rows (header included) of the Examples table at the start of `text`."""
    rows = 0
    for line in text.splitlines()[1:]:
        if not line.strip().startswith("|"):
            break
        rows += 1
    return rows


def render_settings(title: str, chosen: dict[str, Any]) -> str:
    """harness.toml with every setting of the schema: chosen ones set, the rest commented."""
    lines = [f"# harness.toml: {title}.",
             "# Precedence: these settings < HARNESS_* variables < command-line flags. An unknown",
             "# key is an error. Paths are relative to this folder.", ""]
    for section, keys in SCHEMA.items():
        if section in FREE_TABLES:
            lines.append(_BROWSER_EXAMPLE if section == "browser" else _INTEGRITY_EXAMPLE)
            continue
        set_here = [k for k in keys if f"{section}.{k}" in chosen]
        lines.append(f"[{section}]" if set_here else f"# [{section}]")
        for key, decl in keys.items():
            dotted = f"{section}.{key}"
            value = chosen.get(dotted, decl.default)
            env = f" (${decl.env})" if decl.env else ""
            prefix = "" if dotted in chosen else "# "
            lines.append(f"{prefix}{key} = {_toml(value)}    # {decl.help}{env}")
        lines.append("")
    return "\n".join(lines)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def _environment() -> Environment:
    return Environment(keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                       undefined=StrictUndefined, autoescape=False)


def _read(item: Traversable) -> str:
    return item.read_text(encoding="utf-8")

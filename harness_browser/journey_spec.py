"""What a journey file says, validated: the TOML form and the `JOURNEY = {...}` table of a Python
journey share every key and every check. No Playwright here, so the judge can validate a
project's journeys (discover_journeys) before any phase starts, without starting a browser or
running the user's code.

Every mistake is a ConfigError naming the file and the key (`actions[3].do`, `[notice] path`).
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harness.errors import ConfigError
from harness_browser.regulation_spec import RegulationSpec

if TYPE_CHECKING:
    from harness_browser.steps import JourneyRecorder, Step

ACTIONS = ("goto", "click", "fill", "check", "check_all", "choose", "select", "press", "wait",
           "read")
PREPARE_ACTIONS = ("fill", "check", "choose", "check_all", "select", "click")
IDENTITY_PARTS: tuple[str, ...] = ("path", "hash", "heading", "marker", "dialog")
_NEEDS = {"goto": ("url",), "fill": ("selector", "value"), "select": ("selector", "value"),
          "press": ("selector", "value"), "read": ("selector", "name")}
_FLAGS = {"advance": False, "counted": True, "optional": False, "repeat": False}
_TOP = ("name", "start", "description", "actions", "notice", "regulation", "screen", "health",
        "viewports", "not_applicable", "target")
_TAG = re.compile(r"@?[A-Za-z0-9_][A-Za-z0-9_.:-]*")
_PRODUCT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
Script = Callable[["JourneyRecorder", str], None]


@dataclass(frozen=True)
class Action:
    """One buyer action; `advance` marks actions that move to a new screen."""

    do: str
    selector: str | None = None
    value: str | None = None
    url: str | None = None
    name: str | None = None
    advance: bool = False
    counted: bool = True
    optional: bool = False
    repeat: bool = False
    description: str = ""

    def label(self) -> str:
        return self.description or f"{self.do} {self.selector or self.url or ''}".strip()


@dataclass(frozen=True)
class ScreenMatch:
    """Which screen: a data-flow-step marker, a regex over path + hash route
    (`/index.html#/insure`), or an exact visible h1."""

    screen: str | None = None
    path: str | None = None
    heading: str | None = None

    def is_on(self, step: Step) -> bool:
        """True when `step` is this screen (any of marker, path regex, heading)."""
        where = step.url_path + (step.hash_route or "")
        return bool((self.screen and step.flow_marker == self.screen)
                    or (self.path and re.search(self.path, where))
                    or (self.heading and step.heading == self.heading))

    @property
    def given(self) -> bool:
        return bool(self.screen or self.path or self.heading)


@dataclass(frozen=True)
class NoticeSpec(ScreenMatch):
    """Where the notice is (selector and/or regex), which screen shows it, and what to wait for
    before measuring it (`wait_for`, a selector: a single-page app still drawing)."""

    selector: str | None = None
    pattern: str | None = None
    wait_for: str | None = None


@dataclass(frozen=True)
class HealthSpec(ScreenMatch):
    """The health-declaration check: the screen with the form, the submit button, the form
    (optional), answers to give first (`prepare`, default: submit empty) and the fields that
    must then be rejected (`expect_invalid`, default: every field left empty)."""

    submit: str = "#submit"
    form: str | None = None
    prepare: tuple[Action, ...] = ()
    expect_invalid: tuple[str, ...] | None = None


DEMO_HEALTH = HealthSpec(screen="health")


@dataclass(frozen=True)
class Journey:
    """A purchase journey: declarative `actions`, or a `script(recorder, base_url)`."""

    name: str
    start: str
    actions: tuple[Action, ...] = ()
    notice: NoticeSpec | None = None
    description: str = ""
    script: Script | None = field(default=None, compare=False)
    regulation: RegulationSpec = field(default_factory=RegulationSpec)
    identity: tuple[str, ...] = IDENTITY_PARTS
    health: HealthSpec = DEMO_HEALTH
    viewports: tuple[str, ...] = ()
    not_applicable: Mapping[str, str] = field(default_factory=dict)
    python: Path | None = None
    target: str | None = None


def read_journey_data(path: Path) -> dict[str, Any]:
    """The journey's keys: a TOML file's tables, or a Python journey's `JOURNEY = {...}` literal
    (read without running the file), checked to define `journey(page, base_url)`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the journey file: {exc}") from exc
    if path.suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    if path.suffix != ".py":
        raise ConfigError(f"{path}: a journey is a .toml or a .py file")
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise ConfigError(f"{path}, line {exc.lineno}: not valid Python: {exc.msg}") from exc
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "journey"]
    if not funcs or len(funcs[0].args.args) != 2:
        raise ConfigError(f"{path}: a Python journey defines `def journey(page, base_url):` "
                          "(two arguments: a Playwright page and the store's base URL)")
    data: dict[str, Any] = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "JOURNEY"):
            try:
                data = ast.literal_eval(node.value)
            except ValueError as exc:
                raise ConfigError(f"{path}, line {node.lineno}: JOURNEY must be a literal dict "
                                  f"(strings, numbers, lists, dicts): {exc}") from exc
            if not isinstance(data, dict):
                raise ConfigError(f"{path}, line {node.lineno}: JOURNEY must be a dict")
    if "actions" in data:
        raise ConfigError(f"{path}: JOURNEY.actions: a Python journey's actions are its "
                          "`journey` function; remove the key")
    return {"name": path.stem, "start": "", **data, "actions": []}


def parse_journey(data: Mapping[str, Any], *, source: str = "<journey>",
                  python: Path | None = None) -> Journey:
    """A Journey from already-parsed TOML (or a Python journey's JOURNEY table)."""
    unknown = sorted(set(data) - set(_TOP))
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {unknown}; known: {', '.join(_TOP)}")
    name = _text(data, "name", source, required=True)
    target = _target(data, source)
    # a TOML journey with its own target may start there
    start = _text(data, "start", source, required=python is None and target is None) or ""
    raw_actions = data.get("actions", [])
    if not isinstance(raw_actions, list):
        raise ConfigError(f"{source}: actions must be a list of [[actions]] tables, "
                          f"not {type(raw_actions).__name__}")
    actions = tuple(_parse_action(a, f"{source}: actions[{i}]")
                    for i, a in enumerate(raw_actions))
    if not actions and python is None:
        raise ConfigError(f"{source}: the journey has no [[actions]]")
    return Journey(
        name=str(name), start=start, actions=actions, python=python,
        description=_text(data, "description", source) or "",
        notice=_notice(data, source),
        regulation=RegulationSpec.from_table(_table(data, "regulation", source), source),
        identity=_identity(_table(data, "screen", source), source),
        health=_health(data, source), viewports=_viewports(data, source),
        not_applicable=_not_applicable(data, source), target=target)


def load_journey_file(path: str | Path) -> Journey:
    """Parse and validate a journey file (.toml, or .py with `def journey(page, base_url)`)."""
    path = Path(path)
    data = read_journey_data(path)
    return parse_journey(data, source=str(path), python=path if path.suffix == ".py" else None)


def discover_journeys(folder: str | Path) -> dict[str, Path]:
    """Products from the journey files in `folder`: `<product>.toml` or `<product>.py`, each
    validated fully (ConfigError naming file and key); two files for one product is an error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no journeys folder; write journeys/<product>.toml "
                          "(or .py) for each product")
    found: dict[str, Path] = {}
    for path in sorted([*folder.glob("*.toml"), *folder.glob("*.py")]):
        if path.name.startswith(("_", ".")):
            continue
        if not _PRODUCT.fullmatch(path.stem):
            raise ConfigError(f"{path}: a product name is letters, digits, '-', '_' or '.'")
        if path.stem in found:
            raise ConfigError(f"{path}: product {path.stem!r} has two journeys "
                              f"({found[path.stem].name} and {path.name}); keep one")
        load_journey_file(path)
        found[path.stem] = path
    if not found:
        raise ConfigError(f"{folder}: no journey files (<product>.toml or <product>.py)")
    return found


def _parse_action(raw: Any, where: str) -> Action:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: an action is a table (do = ..., selector = ...)")
    do = raw.get("do")
    if do not in ACTIONS:
        raise ConfigError(f"{where}.do: {do!r} is not an action; use one of {', '.join(ACTIONS)}")
    unknown = sorted(set(raw) - set(Action.__dataclass_fields__))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; known: "
                          f"{', '.join(Action.__dataclass_fields__)}")
    for key in ("selector", "value", "url", "name", "description"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool)
                                  or not isinstance(value, str | int | float)):
            raise ConfigError(f"{where}.{key}: must be a string, not {value!r}")
    missing = [k for k in _NEEDS.get(str(do), ("selector",)) if raw.get(k) in (None, "")]
    if missing:
        raise ConfigError(f"{where}: '{do}' needs {', '.join(missing)}")
    flags = {k: raw.get(k, default) for k, default in _FLAGS.items()}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise ConfigError(f"{where}.{key}: must be true or false, not {value!r}")

    def text(key: str) -> str | None:
        return None if raw.get(key) is None else str(raw[key])

    return Action(do=str(do), selector=text("selector"), value=text("value"), url=text("url"),
                  name=text("name"), description=text("description") or "", **flags)


def _table(data: Mapping[str, Any], key: str, source: str) -> dict[str, Any]:
    raw = data.get(key, {})
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: [{key}] must be a table, not {type(raw).__name__}")
    return dict(raw)


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = False,
          table: str = "", regex: bool = False) -> str | None:
    name = f"[{table}] {key}" if table else key
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ConfigError(f"{where}: {name} is required (a non-empty string)")
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {name} must be a string, not {value!r}")
    if regex:
        try:
            re.compile(value)
        except re.error as exc:
            raise ConfigError(f"{where}: {name} is not a regular expression: {exc}") from exc
    return value


def _checked(raw: Mapping[str, Any], table: str, known: tuple[str, ...], source: str) -> None:
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigError(f"{source}: [{table}] has unknown key(s) {unknown}; "
                          f"known: {', '.join(known)}")


def _match(raw: Mapping[str, Any], table: str, source: str) -> dict[str, str | None]:
    return {"screen": _text(raw, "screen", source, table=table),
            "path": _text(raw, "path", source, table=table, regex=True),
            "heading": _text(raw, "heading", source, table=table)}


def _notice(data: Mapping[str, Any], source: str) -> NoticeSpec | None:
    if "notice" not in data:
        return None
    raw = _table(data, "notice", source)
    _checked(raw, "notice", ("selector", "pattern", "screen", "path", "heading", "wait_for"),
             source)
    spec = NoticeSpec(**_match(raw, "notice", source),
                      selector=_text(raw, "selector", source, table="notice"),
                      pattern=_text(raw, "pattern", source, table="notice", regex=True),
                      wait_for=_text(raw, "wait_for", source, table="notice"))
    if not (spec.selector or spec.pattern):
        raise ConfigError(f"{source}: [notice] needs selector and/or pattern (a regex)")
    if not spec.given:
        raise ConfigError(f"{source}: [notice] needs screen, path or heading: the screen on "
                          "which the notice is checked")
    return spec


def _health(data: Mapping[str, Any], source: str) -> HealthSpec:
    if "health" not in data:
        return DEMO_HEALTH
    raw = _table(data, "health", source)
    _checked(raw, "health", ("screen", "path", "heading", "submit", "form", "prepare",
                             "expect_invalid"), source)
    match = _match(raw, "health", source)
    if not any(match.values()):
        raise ConfigError(f"{source}: [health] needs screen, path or heading: the screen with "
                          "the health-declaration form")
    prepare = raw.get("prepare", [])
    if not isinstance(prepare, list):
        raise ConfigError(f"{source}: [health] prepare must be a list of [[health.prepare]] "
                          "actions")
    expect = raw.get("expect_invalid")
    if expect is not None and not _strings(expect):
        raise ConfigError(f"{source}: [health] expect_invalid must be a list of field names")
    answers = tuple(_parse_action(a, f"{source}: health.prepare[{i}]")
                    for i, a in enumerate(prepare))
    for i, answer in enumerate(answers):
        if answer.do not in PREPARE_ACTIONS:
            raise ConfigError(f"{source}: health.prepare[{i}].do: {answer.do!r} gives no "
                              f"answer; use one of {', '.join(PREPARE_ACTIONS)}")
    return HealthSpec(**match, submit=_text(raw, "submit", source, table="health") or "#submit",
                      form=_text(raw, "form", source, table="health"), prepare=answers,
                      expect_invalid=tuple(expect) if expect is not None else None)


def _identity(raw: Mapping[str, Any], source: str) -> tuple[str, ...]:
    _checked(raw, "screen", ("identity",), source)
    parts = raw.get("identity", list(IDENTITY_PARTS))
    if not _strings(parts) or not parts or set(parts) - set(IDENTITY_PARTS):
        raise ConfigError(f"{source}: [screen] identity must be a non-empty list of "
                          f"{', '.join(map(repr, IDENTITY_PARTS))}; got {parts!r}")
    return tuple(parts)


def _viewports(data: Mapping[str, Any], source: str) -> tuple[str, ...]:
    raw = data.get("viewports", [])
    if not _strings(raw) or "" in raw:
        raise ConfigError(f"{source}: viewports must be a list of viewport names "
                          f"(e.g. [\"phone\", \"wechat\"]), not {raw!r}")
    return tuple(raw)


def _not_applicable(data: Mapping[str, Any], source: str) -> dict[str, str]:
    raw = data.get("not_applicable", {})
    if not isinstance(raw, Mapping) or not all(
            isinstance(k, str) and _TAG.fullmatch(k) and isinstance(v, str) and v.strip()
            for k, v in raw.items()):
        raise ConfigError(f"{source}: [not_applicable] maps a criterion (its tag, e.g. "
                          "\"REQ-HEALTH-ERRORS\") to the reason it does not apply, as text")
    return {k.lstrip("@"): v for k, v in raw.items()}


def _target(data: Mapping[str, Any], source: str) -> str | None:
    """The product's own base URL: an absolute http(s) URL, or a path (or #route) joined to
    the project's target."""
    value = _text(data, "target", source)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ConfigError(f"{source}: target must be an http(s) URL such as "
                          "\"https://h5.example/#/selectpage\" or a path joined to the "
                          f"project's target such as \"/h5/\"; got {value!r}")
    if not parts.scheme and parts.netloc:
        raise ConfigError(f"{source}: target {value!r} names a host without a scheme; write "
                          "https://... (or a path starting with /)")
    return value


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)

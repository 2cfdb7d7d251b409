"""Journeys written in Python: `journeys/<product>.py` defining `journey(page, base_url)`, the
function `playwright codegen --target python` records, over a Playwright sync `page`.

The function gets a RecordedPage: the real page with every buyer action routed through the
journey recorder, so the same screen-identity rules count its steps as a TOML journey's. A click,
double-click, tap, press or goto is an advancing action: it is a step when the screen changed,
nothing when it did not (no error: a recorded script clicks a date picker many times). fill, type,
check, uncheck and select_option note the field on the current screen. Locators made from the
page (locator, get_by_role, get_by_text, ..., first, nth, filter) are wrapped the same way, and
`expect(...)` from playwright.sync_api accepts them. Everything else is the real page's.

The first page.goto opens the start screen (step 0) unless the journey file gives `start`;
a relative URL joins to base_url. A new tab the store opens (a cashier) is followed: `page` then
drives it, and `with page.expect_popup() as info: ...; page1 = info.value` gives that same
recorded page. Screens reached inside `with page.uncounted():` are recorded as steps that do not
count (the payment-success page), as a TOML action's `counted = false`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import FrameLocator, Locator

from harness.errors import ConfigError
from harness_browser.steps import BrowserErrorPage, JourneyRecorder

_ADVANCING = frozenset({"click", "dblclick", "tap", "press"})
_FIELDS = frozenset({"fill", "type", "press_sequentially", "check", "uncheck", "set_checked",
                     "select_option", "set_input_files"})
_CHAINS = frozenset({"locator", "get_by_role", "get_by_text", "get_by_label",
                     "get_by_placeholder", "get_by_alt_text", "get_by_title", "get_by_test_id",
                     "frame_locator", "filter", "nth", "and_", "or_", "first", "last",
                     "owner", "content_frame"})


class JourneyScriptError(RuntimeError):
    """The Python journey itself failed (an assertion, a NameError): where, and why."""


def python_script(path: Path) -> Callable[[JourneyRecorder, str], None]:
    """The journey function of `path`, as a script over the recorder (run_journey's form)."""
    spec = importlib.util.spec_from_file_location(f"harness_journey_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{path}: cannot load the Python journey")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ConfigError(f"{path}: importing the journey failed: {_where(exc, path)}") from exc
    function = getattr(module, "journey", None)
    if not callable(function):
        raise ConfigError(f"{path}: defines no function journey(page, base_url)")

    def script(recorder: JourneyRecorder, base_url: str) -> None:
        try:
            function(RecordedPage(recorder, base_url), base_url)
        except (PlaywrightError, BrowserErrorPage):
            raise
        except Exception as exc:
            raise JourneyScriptError(f"{path}: {_where(exc, path)}") from exc

    return script


def _where(exc: Exception, path: Path) -> str:
    """`line N: ExcType: message`, N the deepest line of the journey file in the traceback."""
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__)
             if Path(f.filename) == path]
    at = f"line {lines[-1]}: " if lines else ""
    return f"{at}{type(exc).__name__}: {exc}"[:1000]


class _Recorded:
    """Shared by the page and locator wrappers: route actions through the recorder.
    `_target` gives the real Playwright object now (a page can change: a followed tab)."""

    _recorder: JourneyRecorder
    _label: str
    _target: Callable[[], Any]

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target(), name)
        if name in _CHAINS:
            if callable(attr):
                return lambda *a, **k: _wrap(self._recorder, attr(*a, **k),
                                             f"{self._label}.{name}({_args(a, k)})")
            return _wrap(self._recorder, attr, f"{self._label}.{name}")
        if name in _ADVANCING and callable(attr):
            return lambda *a, **k: self._advance(f"{name} {self._label}{_args(a, k, ' ')}",
                                                 lambda: attr(*a, **k))
        if name in _FIELDS and callable(attr):
            return lambda *a, **k: self._field(attr, a, k)
        return attr

    def _advance(self, label: str, action: Callable[[], object]) -> None:
        if self._recorder.current is None:
            self._recorder.begin("start")
        self._recorder.advance(label, action)

    def _field(self, method: Callable[..., Any], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> Any:
        result = method(*args, **kwargs)
        target = self._target()
        if isinstance(target, Locator):
            self._recorder.note_field(target)
        elif args and isinstance(args[0], str):  # page.fill(selector, value)
            self._recorder.note_field(self._recorder.page.locator(args[0]).first)
        return result


class RecordedLocator(_Recorded):
    """A Playwright Locator (or FrameLocator) whose actions go through the recorder."""

    def __init__(self, recorder: JourneyRecorder, target: Locator | FrameLocator,
                 label: str) -> None:
        object.__setattr__(self, "_recorder", recorder)
        object.__setattr__(self, "_target", lambda: target)
        object.__setattr__(self, "_label", label)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance(x, Locator) holds: `expect(...)` accepts it
        return type(self._target())

    def __repr__(self) -> str:
        return f"<recorded {self._label}>"


class RecordedPage(_Recorded):
    """The page a Python journey drives: always the recorder's current page."""

    def __init__(self, recorder: JourneyRecorder, base_url: str) -> None:
        object.__setattr__(self, "_recorder", recorder)
        object.__setattr__(self, "_base", base_url)
        object.__setattr__(self, "_label", "page")
        object.__setattr__(self, "_target", lambda: recorder.page)

    @contextlib.contextmanager
    def uncounted(self) -> Iterator[None]:
        """Screens reached inside `with page.uncounted():` are steps that do not count (the
        payment-success page; a TOML journey's `counted = false`)."""
        before = self._recorder.counting
        self._recorder.counting = False
        try:
            yield
        finally:
            self._recorder.counting = before

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return type(self._recorder.page)

    def goto(self, url: str, **kwargs: Any) -> Any:
        """The first goto opens the start screen (step 0); later ones are advancing actions."""
        full = urljoin(self._base, url) if self._base else url
        if self._recorder.current is None:
            response = self._recorder.page.goto(full, **kwargs)
            self._recorder.begin(f"open {url}")
            return response
        self._recorder.advance(f"goto {url}", lambda: self._recorder.page.goto(full, **kwargs))
        return None

    def expect_popup(self, *args: Any, **kwargs: Any) -> Any:
        """The recorder follows the new tab itself; `.value` is this (recorded) page."""
        return _PopupFollowed(self)

    def __repr__(self) -> str:
        return f"<recorded page {self._recorder.page.url}>"


class _PopupFollowed:
    """`with page.expect_popup() as info:` for a recorded page: value is the recorded page."""

    def __init__(self, page: RecordedPage) -> None:
        self.value = page

    def __enter__(self) -> _PopupFollowed:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _wrap(recorder: JourneyRecorder, value: Any, label: str) -> Any:
    if isinstance(value, Locator | FrameLocator):
        return RecordedLocator(recorder, value, label)
    return value


def _args(args: tuple[Any, ...], kwargs: dict[str, Any], lead: str = "") -> str:
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return (lead + ", ".join(shown))[:120] if shown else ""

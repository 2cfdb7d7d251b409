"""What a buyer (and a screen reader) gets back from a health-declaration form submitted wrong.

"Clear error prompts" are measured, not eyeballed: after submitting the form empty (or with a
configured invalid answer) each field that should be rejected is checked for aria-invalid, an
error message tied to it (aria-describedby / aria-errormessage to visible text, or text added
to its label), focus on the first invalid field, an announced error summary (role=alert), and
axe-core's verdict on a few rules. Measurements only: the gate decides what is good enough.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from harness_browser.steps import JourneyRecorder, Settle

_JS = (Path(__file__).parent / "js" / "form_errors.js").read_text(encoding="utf-8")
AXE_FILE = Path("node_modules") / "axe-core" / "axe.min.js"


def find_axe() -> Path:
    """axe-core's axe.min.js: $HARNESS_AXE, else node_modules/axe-core in the current folder (the
    gate project) or a folder above it, where `npm install axe-core` puts it."""
    configured = os.environ.get("HARNESS_AXE")
    if configured:
        return Path(configured)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / AXE_FILE).is_file():
            return folder / AXE_FILE
    return here / AXE_FILE  # missing: run_axe says how to install it
DEFAULT_AXE_RULES: tuple[str, ...] = (
    "label", "aria-valid-attr-value", "color-contrast", "autocomplete-valid", "target-size")
_AXE_RUN_JS = """async ([rules, context]) => {
  const r = await axe.run(context ? document.querySelector(context) : document,
    {runOnly: {type: 'rule', values: rules}, resultTypes: ['violations', 'incomplete']});
  const brief = (x) => ({id: x.id, impact: x.impact, help: x.help, nodes: x.nodes.length,
    targets: x.nodes.slice(0, 10).map((n) => n.target.flat().join(' >>> '))});
  return {version: axe.version, violations: r.violations.map(brief),
          incomplete: r.incomplete.map(brief), passes: r.passes.map((x) => x.id)};
}"""


@dataclass(frozen=True)
class FieldErrorMeasurement:
    """One field (a radio group counts once) after the rejected submission."""

    name: str
    kind: str
    expected_invalid: bool
    aria_invalid: bool
    error_message: str | None
    error_source: str | None
    error_visible: bool
    label: str


@dataclass(frozen=True)
class AxeResult:
    """axe-core's results for the chosen rules; `incomplete` means axe could not verify."""

    version: str | None
    rules: list[str]
    violations: list[dict[str, Any]] = field(default_factory=list)
    incomplete: list[dict[str, Any]] = field(default_factory=list)
    passes: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class FormErrorCheck:
    """Measurements of a rejected submission; `problems()` lists them in words."""

    form_found: bool
    screen_changed: bool
    url_path: str | None
    fields: list[FieldErrorMeasurement]
    expected_invalid: list[str]
    missing_aria_invalid: list[str]
    missing_error_message: list[str]
    first_invalid: str | None
    focus: str | None
    focus_on_first_invalid: bool
    summary_present: bool
    summary_text: str
    summaries: list[dict[str, Any]]
    axe: AxeResult
    screenshot: str | None = None

    def problems(self) -> list[str]:
        """Each measurement that falls short, as a sentence (no thresholds are involved)."""
        out = [] if self.form_found else ["the form was not found"]
        if self.missing_aria_invalid:
            out.append("not marked aria-invalid: " + ", ".join(self.missing_aria_invalid))
        if self.missing_error_message:
            out.append("no visible error message tied to: " + ", ".join(self.missing_error_message))
        if self.expected_invalid and not self.focus_on_first_invalid:
            out.append(f"focus is on {self.focus or 'nothing'}, not on the first invalid field "
                       f"({self.first_invalid})")
        if not self.summary_present:
            out.append("no non-empty error summary with role=alert")
        out += [f"axe {v['id']}: {v['help']} ({v['nodes']} element(s))"
                for v in self.axe.violations]
        out += [f"axe could not verify {v['id']} ({v['nodes']} element(s))"
                for v in self.axe.incomplete]
        if self.axe.error:
            out.append(f"axe did not run: {self.axe.error}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "problems": self.problems()}


def check_form_errors(page: Page, *, submit: str = "#submit", form: str | None = None,
                      prepare: Callable[[Page], object] | None = None,
                      expect_invalid: Sequence[str] | None = None,
                      axe_rules: Sequence[str] = DEFAULT_AXE_RULES,
                      axe_path: Path | None = None, screenshot_path: str | Path | None = None,
                      settle: Settle | None = None) -> FormErrorCheck:
    """Submit the form on the current page the wrong way and measure the error prompts.

    `prepare` sets a configured invalid answer first (default: submit it empty).
    `expect_invalid` names the fields that must be rejected (default: every field left empty).
    """
    if prepare is not None:
        prepare(page)
    before = page.evaluate(_JS, {"form": form})
    recorder = JourneyRecorder(page, settle=settle)
    try:
        recorder.begin("form before submission")
        changed = recorder.advance("submit the form", lambda: page.click(submit)) is not None
    finally:
        recorder.close()
    after = page.evaluate(_JS, {"form": form})
    expected = list(expect_invalid) if expect_invalid is not None else [
        f["name"] for f in before.get("fields", []) if f["empty"]]
    fields = _fields(before, after, expected)
    shot = None
    if screenshot_path is not None:
        Path(screenshot_path).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot_path), full_page=False, scale="css")
        shot = str(screenshot_path)
    return _check(after, fields, expected, changed, run_axe(page, axe_rules, axe_path, form),
                  shot)


def _fields(before: dict[str, Any], after: dict[str, Any],
            expected: list[str]) -> list[FieldErrorMeasurement]:
    labels_before = {f["name"]: f["label"] for f in before.get("fields", [])}
    out = []
    for f in after.get("fields", []):
        visible = [m for m in f["messages"] if m["visible"] and m["text"]]
        message = visible[0] if visible else (f["messages"][0] if f["messages"] else None)
        source = message["source"] if message else None
        text = message["text"] if message else None
        old_label = labels_before.get(f["name"], f["label"])
        if not visible and f["label"] != old_label and old_label in f["label"]:
            text, source = f["label"].replace(old_label, "", 1).strip(), "label"
        out.append(FieldErrorMeasurement(
            name=f["name"], kind=f["kind"], expected_invalid=f["name"] in expected,
            aria_invalid=f["aria_invalid"], error_message=text or None, error_source=source,
            error_visible=bool(visible) or source == "label", label=f["label"]))
    return out


def _check(after: dict[str, Any], fields: list[FieldErrorMeasurement], expected: list[str],
           changed: bool, axe: AxeResult, shot: str | None) -> FormErrorCheck:
    by_name = {f.name: f for f in fields}
    wanted = [by_name[n] for n in expected if n in by_name]
    gone = [n for n in expected if n not in by_name]
    first = next((f.name for f in fields if f.name in expected), None)
    alerts = [s for s in after.get("summaries", []) if s["visible"] and s["text"]
              and s["role"] == "alert"]
    return FormErrorCheck(
        form_found=bool(after.get("form_found")), screen_changed=changed,
        url_path=after.get("url_path"), fields=fields, expected_invalid=expected,
        missing_aria_invalid=[f.name for f in wanted if not f.aria_invalid] + gone,
        missing_error_message=[f.name for f in wanted
                               if not (f.error_message and f.error_visible)] + gone,
        first_invalid=first, focus=after.get("focus"),
        focus_on_first_invalid=first is not None and after.get("focus_field") == first,
        summary_present=bool(alerts), summary_text=alerts[0]["text"] if alerts else "",
        summaries=after.get("summaries", []), axe=axe, screenshot=shot)


def run_axe(page: Page, rules: Sequence[str] = DEFAULT_AXE_RULES, axe_path: Path | None = None,
            context: str | None = None) -> AxeResult:
    """Inject axe-core into every frame and run the given rules from the top frame."""
    axe_path = axe_path or find_axe()
    try:
        source = axe_path.read_text(encoding="utf-8")
    except OSError as exc:
        return AxeResult(None, list(rules), error=f"cannot read {axe_path}: {exc}; run "
                         "`npm install axe-core@4` in your project (or set $HARNESS_AXE)")
    for frame in page.frames:
        try:
            frame.evaluate(source + "\n;0")
        except PlaywrightError:
            continue  # a detached or navigating frame; axe reports it as incomplete if it matters
    try:
        raw = page.evaluate(_AXE_RUN_JS, [list(rules), context])
    except PlaywrightError as exc:
        return AxeResult(None, list(rules), error=str(exc)[:1000])
    return AxeResult(version=raw["version"], rules=list(rules), violations=raw["violations"],
                     incomplete=raw["incomplete"], passes=raw["passes"])

"""What the sales-page rules need, measured while a journey runs (journey.json "regulation").

《互联网保险业务监管办法》 and the 可回溯 notice ask for things a buyer sees on the way: an entry
prompt before any input that waits for a click, no box ticked by default, exclusion clauses
(责任免除) pointed out, a surrender (退保) entry that is not hidden. Each screen is measured on
arrival, before the buyer acts (js/regulation.js), and after the last screen the surrender entry
is looked for on the success page and on the policy page it links to. The disclosure rules
(service contact, key facts, insurer and seller, surrender terms, automatic renewal, catch-all
health questions, the uncertainty statement) are measured on the same arrival
(js/sales_rules.js, each screen's "sales"). Measurements only; the
thresholds are in features/regulation and the judgement in harness/gates/regulation.py.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from harness_browser.regulation_spec import RegulationSpec
from harness_browser.steps import JourneyRecorder, Step, evaluate_retrying

_JS = (Path(__file__).parent / "js" / "regulation.js").read_text(encoding="utf-8")
_SALES_JS = (Path(__file__).parent / "js" / "sales_rules.js").read_text(encoding="utf-8")
MAX_POLICY_LINKS = 3
_ENTRY_JS = """(pattern) => {
  const re = new RegExp(pattern);
  const shown = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility === 'visible' && parseFloat(s.opacity) > 0
      && r.width > 0 && r.height > 0; };
  const entries = Array.from(document.querySelectorAll('#surrender, a[href], button, '
    + 'input[type=submit], input[type=button], [role=button], [role=link]'))
    .filter((el) => el.id === 'surrender' || re.test(el.innerText || el.value || ''));
  const seen = entries.find(shown) || null;
  return {entry: seen && {tag: seen.tagName.toLowerCase(), id: seen.id || null,
    text: (seen.innerText || seen.value || '').replace(/\\s+/g, ' ').trim().slice(0, 80)},
    hidden: entries.filter((el) => !shown(el)).length};
}"""
_LINKS_JS = """([pattern, max]) => { const re = new RegExp(pattern, 'i');
  return Array.from(document.querySelectorAll('a[href]')).filter((a) => a.getClientRects().length
    && (re.test(a.innerText) || re.test(a.getAttribute('href')))).map((a) => a.href)
    .filter((h) => /^https?:/.test(h)).slice(0, max); }"""


class RegulationProbe:
    """Collects the per-screen measurements of one journey; `to_dict` is journey.json's part.

    `prompt_dwell_ms` > 0 waits that long on the first screen showing the traceability prompt
    and looks again: a prompt that went away by itself was not acknowledged by the buyer.
    """

    def __init__(self, spec: RegulationSpec | None = None, prompt_dwell_ms: float = 0) -> None:
        self.spec = spec or RegulationSpec()
        self.prompt_dwell_ms = prompt_dwell_ms
        self.screens: list[dict[str, Any]] = []
        self.exclusions: dict[str, Any] | None = None
        self.prompt_dwell: dict[str, Any] | None = None
        self.surrender: dict[str, Any] | None = None

    def on_step(self, recorder: JourneyRecorder, step: Step) -> None:
        """Measure the screen the buyer just arrived on."""
        raw = self._snapshot(recorder.page)
        sales = evaluate_retrying(recorder.page, _SALES_JS, self.spec.patterns())
        self.screens.append({"step": step.index, "screen_id": step.screen_id,
                             "fields": raw["fields"], "preselected": raw["preselected"],
                             "prompt": raw["prompt"], "sales": sales})
        if self.exclusions is None and raw["exclusions"] is not None:
            self.exclusions = {"step": step.index, "screen_id": step.screen_id,
                               **raw["exclusions"]}
        if raw["prompt"] and self.prompt_dwell is None and self.prompt_dwell_ms > 0:
            recorder.page.wait_for_timeout(self.prompt_dwell_ms)
            again = self._snapshot(recorder.page)
            self.prompt_dwell = {"step": step.index, "dwell_ms": self.prompt_dwell_ms,
                                 "still_shown": again["prompt"] is not None
                                 and recorder.screen().screen_id == step.screen_id}

    def probe_surrender(self, page: Page) -> None:
        """Look for a visible 退保 entry on this page (0 clicks), else on the policy pages it
        links to (1 click). Links are followed with GET; nothing is submitted."""
        searched = [page.url]
        found = page.evaluate(_ENTRY_JS, self.spec.surrender)
        clicks: int | None = 0 if found["entry"] else None
        url = page.url
        if clicks is None:
            links = page.evaluate(_LINKS_JS, [self.spec.policy_link, MAX_POLICY_LINKS])
            for href in links:
                with contextlib.suppress(PlaywrightError):
                    page.goto(urljoin(page.url, href))
                    searched.append(page.url)
                    found = page.evaluate(_ENTRY_JS, self.spec.surrender)
                    if found["entry"]:
                        clicks, url = 1, page.url
                        break
        self.surrender = {"found": clicks is not None, "clicks": clicks,
                          "url": url if clicks is not None else None, "entry": found["entry"],
                          "hidden_entries": found["hidden"], "searched": searched,
                          "max_clicks_searched": 1}

    def to_dict(self) -> dict[str, Any]:
        return {"screens": self.screens, "exclusions": self.exclusions,
                "prompt_dwell": self.prompt_dwell, "surrender": self.surrender,
                "patterns": {**self.spec.patterns(),
                             "exclusions": self.spec.exclusions_selector or self.spec.exclusions},
                "named": sorted(self.spec.named())}

    def _snapshot(self, page: Page) -> dict[str, Any]:
        result: dict[str, Any] = evaluate_retrying(page, _JS, {
            "tracePattern": self.spec.traceability,
            "exclusionsSelector": self.spec.exclusions_selector,
            "exclusionsPattern": self.spec.exclusions})
        return result

"""Page versions as evidence (可回溯): the HTML of every screen a journey recorded, once the
screen settled, kept gzip-compressed beside journey.json with an index of SHA-256 hashes
(harness_contract.pages: pages/NN-screen.html.gz and pages.json)."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import Page

from harness_browser.steps import Step, evaluate_retrying
from harness_contract.pages import PAGES_DIR, PAGES_JSON, PageIndex, PageRecord, page_record

_HTML_JS = "() => document.documentElement.outerHTML"


def clear_pages(out: Path) -> None:
    """Remove the page versions of an earlier run into the same folder."""
    shutil.rmtree(out / PAGES_DIR, ignore_errors=True)
    (out / PAGES_JSON).unlink(missing_ok=True)


def capture_page(page: Page, out: Path, step: Step) -> PageRecord:
    """Keep the HTML of the screen `step` is on (called on arrival, before the buyer acts)."""
    html = evaluate_retrying(page, _HTML_JS, None)
    return page_record(out, step.index, step.screen_id, page.url, str(html))


def write_index(out: Path, pages: list[PageRecord]) -> None:
    (out / PAGES_JSON).write_text(PageIndex(pages=tuple(pages)).to_json(), encoding="utf-8")

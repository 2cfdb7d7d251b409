"""A gate run whose journeys declare viewports and criteria that do not apply, and that keeps
the page versions the browser saw (可回溯), as a user runs it: `harness run`, then `harness
verify`. Marked `gate`: one run of two areas on the bundled demo shop (about a minute)."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.gate.test_gate_end_to_end import harness, latest

pytestmark = [pytest.mark.gate, pytest.mark.slow]
REASON = "the insurer's own flow test counts this product's steps"


@pytest.fixture(scope="module")
def declared_run(tmp_path_factory: pytest.TempPathFactory,
                 demo_project: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    project = tmp_path_factory.mktemp("declared") / "project"
    shutil.copytree(demo_project, project)
    travel = project / "journeys" / "travel.toml"  # a phone-only store
    travel.write_text('viewports = ["phone"]\n' + travel.read_text(encoding="utf-8"),
                      encoding="utf-8")
    medical = project / "journeys" / "medical.toml"
    medical.write_text(medical.read_text(encoding="utf-8")
                       + f'\n[not_applicable]\n"REQ-FLOW-LENGTH" = "{REASON}"\n',
                       encoding="utf-8")
    reports = project / "reports"
    done = harness("run", "--areas", "purchase_flow,disclosures", "--no-report", "--reports",
                   str(reports), cwd=project)
    return done, latest(reports)


def test_declared_criteria_are_not_applicable_with_their_reason_and_nothing_else(
        declared_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, run = declared_run
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    verdict = json.loads((run / "verdict.json").read_text(encoding="utf-8"))
    assert verdict["decision"] == "GO"
    by_status: dict[str, list[dict[str, object]]] = {}
    for c in verdict["criteria"]:
        by_status.setdefault(str(c["status"]), []).append(c)
    assert set(by_status) == {"passed", "not_applicable"}
    skipped = {str(c["scenario"]): str(c["message"]) for c in by_status["not_applicable"]}
    # travel is driven at phone only: its notice at the four other viewports does not apply
    assert sorted(s for s in skipped if "travel" in s) == [
        f"The cooling-off notice of travel is fully visible on the first screen at {v}"
        for v in ("desktop", "desktop-hd", "phone-small", "wechat")]
    assert all("driven only at phone" in m for s, m in skipped.items() if "travel" in s)
    assert skipped["Buying medical takes at most 5 steps"].endswith(REASON)
    passed = {str(c["scenario"]): str(c["message"]) for c in by_status["passed"]}
    assert "travel at phone took" in passed["Buying travel takes at most 5 steps"]
    assert sorted(p.name for p in (run / "raw" / "browser" / "travel").iterdir()) == ["phone"]
    text = (run / "verdict.md").read_text(encoding="utf-8")
    assert "| not_applicable |" in text and "5 criteria not applicable" in text
    # the page versions each journey saw are in its Allure result (可回溯)
    names = [a["name"] for f in (run / "allure-results").glob("*-result.json")
             for a in _attachments(json.loads(f.read_text(encoding="utf-8")))]
    assert "page versions (pages.json)" in names, sorted(set(names))[:20]
    # said before the run, too
    assert ("travel.toml: drives travel at phone only; 4 scenario(s) ask for it at desktop, "
            "desktop-hd, phone-small, wechat, and will be NOT APPLICABLE") in done.stdout
    declared = json.loads((run / "raw" / "browser" / "journeys.json").read_text("utf-8"))
    assert declared["products"]["travel"]["viewports"] == ["phone"]


def test_page_versions_are_kept_linked_and_verified(
        declared_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, run = declared_run
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    folder = run / "raw" / "browser" / "medical" / "desktop"
    index = json.loads((folder / "pages.json").read_text(encoding="utf-8"))
    assert len(index["pages"]) >= 5 and index["pages"][0]["step"] == 0
    text = (run / "verdict.md").read_text(encoding="utf-8")
    assert "## Page versions (可回溯)" in text
    assert "(raw/browser/medical/desktop/pages.json)" in text
    intact = harness("verify", str(run), cwd=run)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    page = folder / index["pages"][1]["file"]
    html = gzip.decompress(page.read_bytes())
    page.write_bytes(gzip.compress(html.replace(b"</body>", b"<p>edited</p></body>")))
    changed = harness("verify", str(run), cwd=run)
    assert changed.returncode == 1, changed.stdout + changed.stderr
    assert f"raw/browser/medical/desktop/{index['pages'][1]['file']}: changed" in changed.stdout


def _attachments(node: dict[str, object]) -> list[dict[str, str]]:
    """Every attachment of an Allure result, its steps' included."""
    found = list(node.get("attachments") or [])  # type: ignore[call-overload]
    for step in node.get("steps") or []:  # type: ignore[attr-defined]
        found += _attachments(step)
    return found

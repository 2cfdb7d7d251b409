import json
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.model import Status
from harness.policy import Policy
from harness.verdict import decide
from harness.writers.allure import write_allure_extras
from harness.writers.json_verdict import verdict_document, write_verdict_json
from harness.writers.junit import render_junit
from harness.writers.markdown import render_markdown

from .factories import criterion


def _verdict():  # type: ignore[no-untyped-def]
    return decide([criterion("flow :: medical takes at most 5 steps", Status.FAILED,
                             observed=7, threshold=5, message="medical took 7 steps"),
                   criterion("notice :: phone", Status.INCONCLUSIVE, "minor",
                             observed=None, message="screenshot missing"),
                   criterion("load :: error ratio")],
                  Policy(), run={"run_id": "r1", "target": "http://127.0.0.1:1"})


def test_markdown_names_the_deciding_criterion_with_numbers() -> None:
    text = render_markdown(_verdict())
    assert text.startswith("# Launch verdict: NO-GO")
    why = text.split("## Why: what decided it")[1].split("##")[0]
    assert "medical takes at most 5 steps" in why
    assert "observed 7 steps (threshold <= 5 steps)" in why
    assert "notice :: phone" not in why


def test_junit_has_one_case_per_criterion_with_failure_and_error() -> None:
    root = ET.fromstring(render_junit(_verdict()).split("?>", 1)[1])
    cases = root.findall(".//testcase")
    assert len(cases) == 3
    kinds = sorted(child.tag for case in cases for child in case
                   if child.tag in ("failure", "error", "system-out"))
    assert kinds == ["error", "failure", "system-out"]


def test_verdict_json_hash_changes_with_content(tmp_path: Path) -> None:
    path = tmp_path / "verdict.json"
    write_verdict_json(_verdict(), path)
    document = json.loads(path.read_text())
    assert document["decision"] == "NO-GO"
    assert document["exit_code"] == 1
    assert document["reasons"] == ["flow :: medical takes at most 5 steps"]
    assert len(document["criteria"]) == 3
    other = verdict_document(decide([criterion("load :: error ratio")], Policy()))
    assert other["content_sha256"] != document["content_sha256"]


def test_allure_extras_and_launch_verdict_entry(tmp_path: Path) -> None:
    write_allure_extras(_verdict(), tmp_path, {"target": "http://127.0.0.1:1"})
    assert "target=http" in (tmp_path / "environment.properties").read_text()
    [result] = [json.loads(p.read_text()) for p in tmp_path.glob("*-result.json")]
    assert result["name"] == "Launch verdict: NO-GO"
    assert result["status"] == "failed"
    statuses = sorted(step["status"] for step in result["steps"])
    assert statuses == ["broken", "failed", "passed"]
    attachment = result["attachments"][0]["source"]
    assert (tmp_path / attachment).read_text().startswith("# Launch verdict")

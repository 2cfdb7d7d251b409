"""`harness record`: a recorded codegen script (kept in tests/data) becomes a Python journey
that runs against any base URL and is counted like any other."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from harness.errors import ConfigError
from harness_browser.browser import new_context
from harness_browser.journey import load_journey, run_journey
from harness_browser.record import convert_codegen, main, write_journey

RECORDING = Path(__file__).resolve().parents[1] / "data" / "record" / "codegen_h5.py"


def test_the_recording_becomes_a_journey_function_on_paths(tmp_path: Path) -> None:
    text = convert_codegen(RECORDING.read_text(encoding="utf-8"))
    assert "def journey(page: Page, base_url: str) -> None:" in text
    assert 'page.goto("/spa/hash.html#/selectpage")' in text
    assert "127.0.0.1:8000" not in text.split('"""')[-1]
    assert "launch(" not in text and "context.close()" not in text
    journey = load_journey(write_journey(RECORDING, tmp_path / "journeys" / "h5.py"))
    assert journey.python == tmp_path / "journeys" / "h5.py"


@pytest.mark.browser
def test_the_converted_journey_runs_against_another_base_url(chromium: Browser, site: str,
                                                             tmp_path: Path) -> None:
    path = write_journey(RECORDING, tmp_path / "h5.py")
    context = new_context(chromium, "phone")
    try:
        record = run_journey(context.new_page(), load_journey(path), tmp_path / "out", "phone",
                             base_url=site)
    finally:
        context.close()
    assert record.completed, record.error
    assert record.step_count == 3 and record.steps[2].fields_filled == ["applicant"]


@pytest.mark.parametrize(("source", "message"), [
    ("page.goto('x')\n", "no run(playwright) function"),
    ("def run(playwright):\n    page = context.new_page()\n", "has no actions"),
    ("def run(playwright)\n", "not valid Python"),
])
def test_what_is_no_recording_is_refused(source: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        convert_codegen(source)
    assert message in str(err.value) and "<recording>" in str(err.value)


def test_the_command_refuses_a_toml_output_and_a_missing_display(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["http://x/", "-o", str(tmp_path / "x.toml"), "--from-recording",
                 str(RECORDING)]) == 2
    assert "journeys/<product>.py" in capsys.readouterr().err
    monkeypatch.delenv("DISPLAY", raising=False)
    assert main(["http://x/", "-o", str(tmp_path / "x.py")]) == 2
    assert "needs a display" in capsys.readouterr().err
    assert main(["http://x/", "-o", str(tmp_path / "x.py"), "--from-recording",
                 str(RECORDING)]) == 0 and (tmp_path / "x.py").is_file()

"""The contract's shared rules: viewports, loopback, client-side errors, the raw/ layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import TargetError
from harness_contract import VIEWPORT_SIZES, NotLoopback, RunLayout, check_local_target
from harness_contract.client_errors import generator_limit


def test_viewports_are_the_browsers() -> None:
    from harness_browser.browser import VIEWPORTS

    assert {n: (v.width, v.height, v.is_mobile) for n, v in VIEWPORTS.items()} == \
        {n: (v.width, v.height, v.mobile) for n, v in VIEWPORT_SIZES.items()}


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:1/x",
                                 "https://[::1]:8443/"])
def test_loopback_targets_pass(url: str) -> None:
    check_local_target(url, allow_non_local=False)


@pytest.mark.parametrize(("url", "words"), [
    ("http://10.0.0.1/", "not loopback"), ("ftp://127.0.0.1/", r"not an http\(s\) URL"),
    ("http://127.0.0.1:99999/", "invalid port"), ("http://no-such-host.invalid/", "resolve")])
def test_other_targets_are_refused(url: str, words: str) -> None:
    with pytest.raises(NotLoopback, match=words):
        check_local_target(url, allow_non_local=False)


def test_consent_allows_any_http_target_and_the_producer_name_is_kept() -> None:
    check_local_target("http://10.0.0.1/", allow_non_local=True)
    from harness_load.target import check_local_target as producers

    with pytest.raises(TargetError, match="not loopback"):
        producers("http://10.0.0.1/", allow_non_local=False)


@pytest.mark.parametrize(("text", "kind"), [
    ("OSError(99, 'Cannot assign requested address')", "EADDRNOTAVAIL"),
    ("JourneyAborted(\"1 start: OSError(24, 'Too many open files')\")", "EMFILE"),
    ("OSError(23, 'Too many open files in system')", "ENFILE"),
    ("ConnectionError(105, 'x')", "ENOBUFS"),
    ("EADDRNOTAVAIL x3", "EADDRNOTAVAIL"),
    ("ConnectionRefusedError(111, 'Connection refused')", None),
    ("HTTPError('500 Server Error')", None)])
def test_client_side_errors(text: str, kind: str | None) -> None:
    assert generator_limit(text) == kind


def test_layout_names_every_file() -> None:
    layout = RunLayout(Path("/r"))
    assert layout.load("stats.csv") == Path("/r/raw/load/stats.csv")
    assert layout.reconciliation == Path("/r/raw/store/reconciliation.json")
    assert layout.journey("medical", "phone") == Path("/r/raw/browser/medical/phone/journey.json")
    assert layout.form_errors("medical", "desktop") == \
        Path("/r/raw/browser/health-medical/desktop/form-errors.json")

"""Requirement coverage (a listed requirement without a criterion that ran is INCONCLUSIVE,
naming it) and the version of the release under test, asked of a real local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.record import target_version
from harness.record.requirements import read_requirements

from .runs import make_run

REQUIREMENTS = """\
[[requirement]]
id = "REQ-COOLING-OFF"
title = "Cooling-off notice on the first screen"
owner = "compliance"

[[requirement]]
id = "REQ-SURRENDER"
title = "Surrender entry reachable"
owner = "product: Li Wei"
"""


def _verdict(tmp_path: Path, mode: str) -> dict[str, object]:
    path = tmp_path / "requirements.toml"
    path.write_text(REQUIREMENTS, encoding="utf-8")
    run = make_run(tmp_path / "reports", f"run-{mode}", "good", "1.4.0",
                   {"requirements": str(path), "requirements_mode": mode})
    data: dict[str, object] = json.loads((run.path / "verdict.json").read_text())
    return data


def test_listed_requirement_without_criterion_is_inconclusive_naming_it(tmp_path: Path) -> None:
    verdict = _verdict(tmp_path, "inconclusive")
    assert verdict["decision"] == "INCONCLUSIVE"
    assert verdict["reasons"] == ["requirements :: REQ-SURRENDER"]
    [row] = [c for c in verdict["criteria"] if c["id"] == "requirements :: REQ-SURRENDER"]  # type: ignore[attr-defined]
    assert "owner: product: Li Wei" in row["message"]
    assert (tmp_path / "reports" / "run-inconclusive" / "requirements.toml").is_file()


def test_requirement_coverage_as_a_warning_only(tmp_path: Path) -> None:
    verdict = _verdict(tmp_path, "warn")
    assert verdict["decision"] == "GO"
    assert any("REQ-SURRENDER" in str(w) for w in verdict["warnings"])  # type: ignore[attr-defined]


def test_requirements_file_errors_name_the_row(tmp_path: Path) -> None:
    path = tmp_path / "reqs.csv"
    path.write_text("id,title,owner\nREQ-A,a,x\nCOOLING,b,y\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reqs.csv: line 3: id 'COOLING'"):
        read_requirements(path)
    path.write_text("\ufeffid,title,owner\nREQ-A,a,x\n", encoding="utf-8")
    assert [r.id for r in read_requirements(path)] == ["REQ-A"]


class _Shop(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        bodies = {"/version": b'{"version": "2.3.1", "commit": "abc"}',
                  "/api/build": b"build-77\nsecond line", "/": b"<html></html>"}
        body = bodies.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("X-App-Version", "2.3.1-rc1")
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def shop() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_target_version_from_endpoint_header_or_nothing(shop: str) -> None:
    assert target_version(shop, endpoint="/version") == "2.3.1"
    assert target_version(shop + "/", endpoint="api/build") == "build-77"
    assert target_version(shop, header="x-app-version") == "2.3.1-rc1"
    assert target_version(shop, header="X-Missing") is None
    assert target_version(shop, endpoint="/nope", header="X-App-Version") == "2.3.1-rc1"
    assert target_version(shop) is None
    assert target_version("http://127.0.0.1:9", header="X-App-Version", timeout=2) is None

"""Starting a real Prometheus, and asking any Prometheus for one number.

The answers of /api/v1/query are checked on recorded JSON bodies (every shape a query can come
back in); the server itself is the real Debian binary, started on loopback by the test."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter, start_http_server

from harness.errors import ConfigError, ToolError
from harness_watch.prometheus import (
    QueryResult,
    _result,
    config_text,
    duration,
    find_binary,
    query,
    start_prometheus,
)
from tests.escort.producers import needs_prometheus, poll


def _answer(body: Any, status: int = 200) -> QueryResult:
    return _result(httpx.Response(status, content=json.dumps(body).encode()), "http://p")


def _vector(*values: str) -> dict[str, Any]:
    result = [{"metric": {"i": str(n)}, "value": [1.0, v]} for n, v in enumerate(values)]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def test_one_series_is_the_value() -> None:
    assert _answer(_vector("42.5")) == QueryResult(42.5, 1)
    scalar = {"status": "success", "data": {"resultType": "scalar", "result": [1.0, "3"]}}
    assert _answer(scalar) == QueryResult(3.0, 1)


def test_no_series_and_nan_are_no_data_never_zero() -> None:
    empty = _answer(_vector())
    assert (empty.value, empty.series, empty.error) == (None, 0, None)
    assert empty.note is not None and "no series" in empty.note
    nan = _answer(_vector("NaN"))
    assert (nan.value, nan.series, nan.error) == (None, 0, None)
    assert nan.note is not None and "NaN" in nan.note


@pytest.mark.parametrize(("body", "words"), [
    (_vector("1", "2", "3"), "query returned 3 series, expected one"),
    (_vector("+Inf"), "inf"),
    (_vector("-1"), "never negative"),
    (_vector("x"), "malformed"),
    ({"status": "success", "data": {"resultType": "matrix", "result": []}}, "matrix"),
    ({"status": "error", "errorType": "bad_data", "error": "parse error"}, "bad_data"),
    ("not an object", "unexpected JSON"),
])
def test_anything_but_one_number_is_an_error(body: Any, words: str) -> None:
    result = _answer(body)
    assert result.value is None
    assert result.error is not None and words in result.error


def test_non_json_answer_is_an_error() -> None:
    result = _result(httpx.Response(502, content=b"<html>bad gateway</html>"), "http://p")
    assert result.value is None and result.error is not None and "502" in result.error


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_names_the_url_without_its_password() -> None:
    url = f"http://watch:s3cret@127.0.0.1:{_closed_port()}"
    result = query(url, "up", time.time(), timeout_s=2)
    assert result.value is None and result.error is not None
    assert "unreachable" in result.error and "127.0.0.1" in result.error
    assert "s3cret" not in result.error and "***" in result.error


def test_durations_and_config() -> None:
    assert [duration(s) for s in (900, 1, 1.5, 86400, 0.25)] == \
        ["15m", "1s", "1500ms", "1d", "250ms"]
    with pytest.raises(ConfigError):
        duration(0)
    config = json.loads(config_text(["127.0.0.1:8000", "http://127.0.0.2:9000/metrics",
                                     "https://127.0.0.3:9443/custom"], 1))
    assert config["global"]["scrape_interval"] == "1s"
    jobs = {(j["scheme"], j["metrics_path"]): j["static_configs"][0]["targets"]
            for j in config["scrape_configs"]}
    assert jobs == {("http", "/metrics"): ["127.0.0.1:8000", "127.0.0.2:9000"],
                    ("https", "/custom"): ["127.0.0.3:9443"]}
    for bad in ([], ["127.0.0.1"], ["ftp://127.0.0.1:21"]):
        with pytest.raises(ConfigError):
            config_text(bad, 1)


def test_a_missing_binary_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="apt-get install -y prometheus"):
        find_binary(str(tmp_path / "no-prometheus"))
    with pytest.raises(ToolError):
        start_prometheus(tmp_path, ["127.0.0.1:1"], 1, binary=str(tmp_path / "missing"))


@pytest.fixture
def exporter() -> Iterator[tuple[str, Any]]:
    registry = CollectorRegistry()
    counter = Counter("escort_test_events", "events", ["cohort"], registry=registry)
    counter.labels("gray").inc(0)
    counter.labels("control").inc(0)
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    yield f"127.0.0.1:{server.server_port}", counter
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.mark.slow
@needs_prometheus
def test_real_prometheus_scrapes_answers_and_stops_cleanly(
        tmp_path: Path, exporter: tuple[str, Any]) -> None:
    target, counter = exporter
    with start_prometheus(tmp_path, [target], scrape_interval_s=0.5) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.binary == find_binary() and "prometheus" in server.version
        assert os.getpgid(server.pid) == server.pid  # its own process group
        assert (tmp_path / "prometheus.yml").exists()
        assert server.wait_scraped(30) == ""
        counter.labels("gray").inc(7)
        counter.labels("control").inc(3)
        seen = poll(lambda: query(server.url, "sum(escort_test_events_total)"),
                    lambda r: r.value == 10, timeout_s=20)
        assert seen == QueryResult(10.0, 1)
        several = query(server.url, "escort_test_events_total")
        assert several.value is None and several.error is not None
        assert "2 series, expected one" in several.error
        pid = server.pid
    assert (tmp_path / "prometheus-data").is_dir() and any((tmp_path / "prometheus-data").iterdir())
    assert not _running(pid), "Prometheus outlived stop()"
    after = query(server.url, "sum(escort_test_events_total)", timeout_s=2)
    assert after.value is None and after.error is not None and "unreachable" in after.error


@pytest.mark.slow
@needs_prometheus
def test_a_target_that_is_down_is_reported(tmp_path: Path) -> None:
    with start_prometheus(tmp_path, [f"127.0.0.1:{_closed_port()}"], 0.5) as server:
        problem = server.wait_scraped(15)
    assert "not every target could be scraped" in problem and "down" in problem


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        return fh.read().rsplit(")", 1)[1].split()[0] != "Z"

"""The store's own account of orders and policies after a run, into
raw/store/reconciliation.json ({"summary": {...counts}, "journeys": [...]}), which the integrity
gate (harness/gates/integrity.py) reconciles with the buyers' purchase log.

Three sources (`IntegritySource.kind`):

* "endpoint": GET <url>/api/reconciliation page by page (the demo shop's; `url` defaults to the
  load target);
* "sql": a query through an SQLAlchemy URL returning the columns order_id, policy_number,
  premium_fen (harness_load/store_records.py);
* "csv": an export with those columns, UTF-8, a header line (harness_load/store_records.py).

For sql and csv, one row per policy: an order the store charged but issued no policy for is a
row with an empty policy_number (NULL); an order with two policies is two rows. A password in a
URL is masked (`***`) in every message and file.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import ConfigError, EvidenceError
from harness.secret import mask_url

__all__ = ["KINDS", "IntegritySource", "fetch_reconciliation", "mask_url", "reconcile",
           "store_path"]

TIMEOUT_S = 60.0
PAGE_LIMIT = 10_000
MAX_PAGES = 1_000
KINDS = ("endpoint", "sql", "csv")
# key -> the kinds it belongs to
KEYS = {"kind": KINDS, "url": ("endpoint", "sql"), "query": ("sql",), "path": ("csv",)}


@dataclass(frozen=True)
class IntegritySource:
    """Where the store's records come from: kind "endpoint" (url: the store's base URL, default
    the load target), "sql" (url: SQLAlchemy URL, query) or "csv" (path)."""

    kind: str = "endpoint"
    url: str | None = None
    query: str | None = None
    path: Path | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str,
                     base_dir: Path | None = None) -> IntegritySource:
        """From a TOML table such as `[integrity]`; `where` names it in errors ("harness.toml
        [integrity]"). A relative `path` is taken from `base_dir` (the project directory)."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where}: expected a table (kind = \"sql\", url = ..., query = ...)")
        for key, value in data.items():
            if key not in KEYS:
                raise ConfigError(f"{where}: unknown key {key!r}; use {', '.join(KEYS)}")
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: {key} must be a non-empty string, got "
                                  f"{type(value).__name__}")
        kind = str(data.get("kind", "endpoint"))
        if kind not in KINDS:
            raise ConfigError(f"{where}: kind = {kind!r} is not one of {', '.join(KINDS)}")
        for key in data:
            if kind not in KEYS[key]:
                raise ConfigError(f"{where}: {key} is not used with kind = {kind!r} (it is for "
                                  f"kind = {' or '.join(repr(k) for k in KEYS[key])})")
        required = {"sql": ("url", "query"), "csv": ("path",)}.get(kind, ())
        missing = [k for k in required if k not in data]
        if missing:
            raise ConfigError(f"{where}: kind = {kind!r} needs {' and '.join(missing)}")
        url = data.get("url")
        if kind == "sql":
            _check_sql_url(str(url), where)
        path = None
        if "path" in data:
            path = Path(data["path"]).expanduser()
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
        return cls(kind, url, data.get("query"), path)

    def describe(self) -> str:
        """One line for logs and reports; passwords masked."""
        if self.kind == "csv":
            return f"csv {self.path}"
        if self.kind == "sql":
            return f"sql {mask_url(str(self.url))}"
        return f"endpoint {self.url or '(the load target)'}/api/reconciliation"


def store_path(run_dir: Path) -> Path:
    return run_dir / "raw" / "store" / "reconciliation.json"


def reconcile(source: IntegritySource, run_dir: Path, target_url: str,
              since_ms: int | None = None) -> Path:
    """Write raw/store/reconciliation.json of `run_dir` from `source`; return its path.

    `since_ms` (epoch ms of the run's start): the endpoint's `since`, and the `:since_ms` bind
    parameter if the SQL query names it. Raises EvidenceError saying what is wrong (the file,
    line and column of a bad CSV row; never a password)."""
    path = store_path(run_dir)
    if source.kind == "endpoint":
        error = fetch_reconciliation(source.url or target_url, path, since_ms)
        if error:
            raise EvidenceError(error)
        return path
    from harness_load.store_records import csv_rows, record, sql_rows

    if source.kind == "sql":
        rows = sql_rows(str(source.url), str(source.query), since_ms)
        origin = {"kind": "sql", "url": mask_url(str(source.url)), "query": source.query}
    else:
        assert source.path is not None
        rows = csv_rows(source.path)
        origin = {"kind": "csv", "path": str(source.path)}
    try:
        text = record(rows, origin).to_json()
    except ValueError as exc:  # the contract refused the record (EvidenceInvalid)
        raise EvidenceError(f"the store's records make no valid reconciliation: {exc}") from None
    _write_text(path, text)
    return path


def fetch_reconciliation(target: str, path: Path, since_ms: int | None = None) -> str | None:
    """GET /api/reconciliation page by page (`next_after`) into `path`; None on success, else
    what went wrong. `since_ms` limits it to journeys paid since the run started."""
    base = target.rstrip("/") + "/api/reconciliation"
    journeys: list[Any] = []
    summary: Any = None
    after: int | None = 0
    pages = 0
    try:
        while after is not None and pages < MAX_PAGES:
            query = {"after": after, "limit": PAGE_LIMIT}
            if since_ms is not None:
                query["since"] = since_ms
            page = _get_json(f"{base}?{urllib.parse.urlencode(query)}")
            summary = page.get("summary", summary)
            journeys.extend(page.get("journeys") or [])
            after = page.get("next_after")
            pages += 1
    except (OSError, urllib.error.URLError, ValueError, AttributeError) as exc:
        return f"GET {mask_url(base)} failed: {exc}"
    _write_text(path, json.dumps({"summary": summary or {}, "journeys": journeys},
                                 ensure_ascii=False))
    return None


def _check_sql_url(url: str, where: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigError(f"{where}: url is not an SQLAlchemy URL; write it as "
                          "dialect+driver://user:password@host/database (for example "
                          "postgresql+psycopg://qa@db.staging/shop or sqlite:///shop.db)") from None


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
        data = json.loads(resp.read())
    if not isinstance(data, dict):
        raise ValueError("the answer is not a JSON object")
    return data

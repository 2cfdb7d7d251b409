"""Evidence files as text and JSON, with errors that say which file, which line, what to do.

Every reader starts here, so missing, unreadable, empty, truncated and NaN-carrying evidence is
refused the same way everywhere (and turns into INCONCLUSIVE, never into a passed criterion).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from harness.errors import EvidenceError
from harness_contract import EvidenceInvalid

T = TypeVar("T")


def read_evidence_text(path: Path, missing_hint: str = "the run did not write it") -> str:
    """The file's text; missing, unreadable or empty files raise EvidenceError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise EvidenceError(f"missing: {missing_hint}", path=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise EvidenceError(f"unreadable: {exc}", path=str(path)) from exc
    if not text.strip():
        raise EvidenceError("empty file", path=str(path))
    return text


def parse_json(text: str, source: str, line: int | None = None) -> Any:
    """JSON without NaN or Infinity (they are not measurements); errors name file and line."""

    def reject(name: str) -> Any:
        raise EvidenceError(f"{name} is not a number the harness accepts", path=source,
                            line=line)

    try:
        return json.loads(text, parse_constant=reject)
    except ValueError as exc:
        raise EvidenceError(f"not valid JSON ({exc}); the file is cut or corrupt", path=source,
                            line=line) from exc


def read_json_lines(path: Path, missing_hint: str = "the run did not write it"
                    ) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) for each non-blank line."""
    for number, line in enumerate(read_evidence_text(path, missing_hint).splitlines(), start=1):
        if line.strip():
            yield number, parse_json(line, str(path), number)


LOAD_HINT = "the load run did not write it"


def json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) for each non-blank line of a load evidence file."""
    return read_json_lines(path, LOAD_HINT)


def read_json(path: Path) -> Any:
    return parse_json(read_evidence_text(path, LOAD_HINT), str(path))


def read_json_object(path: Path, missing_hint: str = "the run did not write it"
                     ) -> dict[str, Any]:
    data = parse_json(read_evidence_text(path, missing_hint), str(path))
    if not isinstance(data, dict):
        raise EvidenceError("expected a JSON object", path=str(path))
    return data


def contract_record(path: Path, parse: Callable[[str, str], T],
                    missing_hint: str = "the run did not write it") -> T:
    """Parse `path` with a harness_contract record's strict reader (`Record.from_json`, or
    `Log.from_text`); its EvidenceInvalid becomes the judge's EvidenceError, same message."""
    text = read_evidence_text(path, missing_hint)
    with as_evidence_error():
        return parse(text, str(path))


@contextmanager
def as_evidence_error() -> Iterator[None]:
    """Turn the contract's EvidenceInvalid into EvidenceError (file, line, field, problem)."""
    try:
        yield
    except EvidenceInvalid as exc:
        what = f"field {exc.field!r} {exc.problem}" if exc.field else exc.problem
        raise EvidenceError(what, path=exc.file, line=exc.line) from exc

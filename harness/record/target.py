"""The version of the release under test, asked of the target itself.

`target_version(url, header=..., endpoint=...)`: the value of a response header of `url`
(e.g. `X-App-Version`), or the body of a version endpoint (`/version`: a JSON object's
"version" field, a JSON string, or the first line of plain text). The caller checks that the
URL is allowed (loopback unless the user consented). None when the target does not say.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT_S = 5.0
_MAX_BODY = 64 * 1024
_MAX_VERSION = 100


def target_version(url: str, header: str | None = None, endpoint: str | None = None,
                   timeout: float = TIMEOUT_S) -> str | None:
    """The target's version from `endpoint` (a path or URL under `url`) or `header`."""
    if endpoint:
        found = _from_endpoint(urllib.parse.urljoin(url.rstrip("/") + "/", endpoint.lstrip("/")),
                               timeout)
        if found:
            return found
    if header:
        return _from_header(url, header, timeout)
    return None


def _fetch(url: str, timeout: float) -> tuple[dict[str, str], bytes] | None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return None
    request = urllib.request.Request(url, headers={"User-Agent": "launch-harness",
                                                   "Accept": "application/json, text/plain"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return {k.lower(): v for k, v in response.headers.items()}, response.read(_MAX_BODY)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _from_header(url: str, header: str, timeout: float) -> str | None:
    got = _fetch(url, timeout)
    return _clean(got[0].get(header.lower())) if got else None


def _from_endpoint(url: str, timeout: float) -> str | None:
    got = _fetch(url, timeout)
    if got is None:
        return None
    text = got[1].decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return _clean(text.splitlines()[0] if text else None)
    if isinstance(data, dict):
        for key in ("version", "release", "build"):
            if isinstance(data.get(key), str | int | float):
                return _clean(str(data[key]))
        return None
    return _clean(str(data)) if isinstance(data, str | int | float) else None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())[:_MAX_VERSION]
    return text or None

"""Classify a failed request's exception: a client-side socket error (the generator ran out of
ports or file descriptors, or the target refused) versus an HTTP-level error.

Generator-limit errors (EADDRNOTAVAIL, EMFILE, ENFILE, ENOBUFS) mean the measurement is about the
load generator, not the target: the validity gate makes the run INCONCLUSIVE. Connection errors
the target causes (ECONNREFUSED, ECONNRESET, timeouts) are counted too, separately, and stay in
the error ratio.
"""

from __future__ import annotations

import errno

GENERATOR_LIMIT = ("EADDRNOTAVAIL", "EMFILE", "ENFILE", "ENOBUFS")
TARGET_SIDE = ("ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE")

_BY_ERRNO = {getattr(errno, name): name for name in GENERATOR_LIMIT + TARGET_SIDE}
_BY_TEXT = (
    ("cannot assign requested address", "EADDRNOTAVAIL"),
    ("too many open files", "EMFILE"),
    ("no buffer space available", "ENOBUFS"),
    ("connection refused", "ECONNREFUSED"),
    ("connection reset", "ECONNRESET"),
    ("broken pipe", "EPIPE"),
    ("timed out", "ETIMEDOUT"),
    ("timeout", "ETIMEDOUT"),
)


def classify_socket_error(exc: BaseException | str | None) -> str | None:
    """The errno name of a socket-level failure, or None for HTTP-level failures and success.

    Looks at `errno` on the exception and its causes, then at the text (Locust's failure
    records keep only the text)."""
    if exc is None:
        return None
    seen = 0
    current: BaseException | None = exc if isinstance(exc, BaseException) else None
    while current is not None and seen < 5:
        code = getattr(current, "errno", None)
        if isinstance(code, int) and code in _BY_ERRNO:
            return _BY_ERRNO[code]
        if isinstance(current, TimeoutError):
            return "ETIMEDOUT"
        current = current.__cause__ or current.__context__
        seen += 1
    text = str(exc).lower()
    if isinstance(exc, BaseException):
        text = f"{type(exc).__name__} {text}".lower()
    for needle, name in _BY_TEXT:
        if needle in text:
            return name
    return None

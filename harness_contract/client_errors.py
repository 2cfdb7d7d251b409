"""Which failures Locust recorded (failures.csv "Error") are the load generator's own: it ran
out of local ports or file descriptors, so the request never reached the store. Those count
against the generator (the run is not valid), not against the store's error ratio.

The same names as harness_load.socket_errors (the producer's classifier of live exceptions);
this one reads the text Locust keeps, e.g. "OSError(99, 'Cannot assign requested address')".
"""

from __future__ import annotations

import errno
import re

GENERATOR_LIMIT = ("EADDRNOTAVAIL", "EMFILE", "ENFILE", "ENOBUFS")
_NUMBERS = {getattr(errno, name): name for name in GENERATOR_LIMIT}
_TEXTS = (("cannot assign requested address", "EADDRNOTAVAIL"),
          ("too many open files in system", "ENFILE"),
          ("too many open files", "EMFILE"),
          ("no buffer space available", "ENOBUFS"))
_ERRNO_CALL = re.compile(r"(?:OSError|ConnectionError|socket\.error|error)\((\d+),")


def generator_limit(error_text: str) -> str | None:
    """The errno name when `error_text` says the generator hit its own limit, else None."""
    lowered = error_text.lower()
    for name in GENERATOR_LIMIT:
        if name.lower() in lowered:
            return name
    for needle, name in _TEXTS:
        if needle in lowered:
            return name
    for match in _ERRNO_CALL.finditer(error_text):
        found = _NUMBERS.get(int(match.group(1)))
        if found:
            return found
    return None

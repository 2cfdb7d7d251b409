"""Raise this process's soft open-file limit to the hard limit.

Each simulated user holds a socket; the default soft limit (often 1,024) caps a generator at
about a thousand users with EMFILE errors long before CPU does. The hard limit here is 20,000
(docs: ENVIRONMENT.md); the soft limit can be raised to it without privileges."""

from __future__ import annotations

import resource


def raise_nofile_limit() -> int:
    """Set soft RLIMIT_NOFILE = hard and return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            return soft
        return target
    return soft

"""The release record: history across runs, what changed, a verifiable trail, the version of
the release under test and requirement coverage.

The lead calls `seal(run_dir, history_dir)` right after the verdict is judged, and
`target_version(url, header=None, endpoint=None)` before the run (loopback-checked URL).
"""

from __future__ import annotations

from harness.record.history import history_dir
from harness.record.seal import seal
from harness.record.target import target_version

__all__ = ["history_dir", "seal", "target_version"]

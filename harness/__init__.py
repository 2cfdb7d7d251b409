"""launch-harness: GO / NO-GO for an internet-insurance release, with the evidence for it."""

from harness.errors import ConfigError, EvidenceError, HarnessError, TargetError, ToolError
from harness.model import (
    Comparator,
    Criterion,
    Decision,
    ExitCode,
    Outcome,
    Severity,
    Status,
    Verdict,
    Waiver,
)

__version__ = "0.1.0"

__all__ = [
    "Comparator",
    "ConfigError",
    "Criterion",
    "Decision",
    "EvidenceError",
    "ExitCode",
    "HarnessError",
    "Outcome",
    "Severity",
    "Status",
    "TargetError",
    "ToolError",
    "Verdict",
    "Waiver",
    "__version__",
]

"""The one exception tree of the harness; every message says where and what to do.

    HarnessError                 root: anything the harness reports to a person
    +-- ConfigError              bad option, setting or feature-file phrase (exit 2)
    +-- EvidenceError            evidence missing, empty, corrupt or invalid (INCONCLUSIVE)
    +-- TargetError              target refused, or not allowed (non-loopback without consent)
    +-- ToolError                an external tool (Chromium, Locust, Allure) failed to run (exit 4)

Nothing below `harness.cli` calls `sys.exit`; the CLI maps these to exit codes.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Root of every error the harness raises on purpose."""


class ConfigError(HarnessError):
    """A setting, option or feature-file phrase is wrong; the message names it and the fix."""


class EvidenceError(HarnessError):
    """Evidence is missing, empty, corrupt or invalid; the message names the file and field."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.line = line


class TargetError(HarnessError):
    """The target cannot be used: unreachable, or not local without explicit consent."""


class ToolError(HarnessError):
    """An external tool (Chromium, Locust, Allure, npm) could not run or crashed."""

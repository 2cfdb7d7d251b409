"""The rollback hook: on ROLLBACK the watch calls the configured command or webhook, once.

Never called when neither is configured. What it answered is kept in the run directory
(rollback-hook.log, secrets masked) and in escort-state.json. The command runs without a
shell, with the decision in its environment ($HARNESS_ESCORT_DECISION, _CHECK, _REASONS,
_RUN_DIR); the webhook receives a JSON POST of the same. A hook that fails is reported, and the
escort's outcome stays ESCORT FAILED: the release has to be rolled back either way.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.secret import mask_text

HOOK_LOG = "rollback-hook.log"
TIMEOUT_S = 300.0
_MAX_KEPT = 64 * 1024


@dataclass(frozen=True)
class RollbackHook:
    command: str = ""
    webhook: str = ""
    timeout_s: float = TIMEOUT_S

    @property
    def configured(self) -> bool:
        return bool(self.command or self.webhook)

    def describe(self) -> str:
        parts = []
        if self.command:
            words = shlex.split(self.command)
            parts.append(f"command {words[0] if words else '?'} ({len(words) - 1} argument(s))")
        if self.webhook:
            parts.append(f"webhook {mask_webhook(self.webhook)}")
        return " and ".join(parts) or "none configured"


def mask_webhook(url: str) -> str:
    """scheme://host/*** : a webhook's path and query are often its secret (Slack, DingTalk)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    tail = "/***" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{tail}"


def call_hook(hook: RollbackHook, run_dir: Path, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Call what is configured; returns what happened (kept in escort-state.json)."""
    result: dict[str, Any] = {}
    log = [f"rollback hook for check {payload.get('check')}: {hook.describe()}"]
    if hook.command:
        result["command"] = _run_command(hook, run_dir, payload, log)
    if hook.webhook:
        result["webhook"] = _post(hook, payload, log)
    (run_dir / HOOK_LOG).write_text(mask_text("\n".join(log)) + "\n", encoding="utf-8")
    result["log"] = HOOK_LOG
    return result


def _run_command(hook: RollbackHook, run_dir: Path, payload: Mapping[str, Any],
                 log: list[str]) -> dict[str, Any]:
    env = dict(os.environ)
    env.update({"HARNESS_ESCORT_DECISION": str(payload.get("decision", "")),
                "HARNESS_ESCORT_CHECK": str(payload.get("check", "")),
                "HARNESS_ESCORT_REASONS": "\n".join(payload.get("reasons") or []),
                "HARNESS_ESCORT_RUN_DIR": str(run_dir)})
    try:
        done = subprocess.run(shlex.split(hook.command), env=env, cwd=run_dir,
                              capture_output=True, timeout=hook.timeout_s, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        log.append(f"command failed to run: {type(exc).__name__}: {exc}")
        return {"exit_code": None, "error": mask_text(f"{type(exc).__name__}: {exc}")[:300]}
    out = done.stdout[-_MAX_KEPT:].decode("utf-8", "replace")
    err = done.stderr[-_MAX_KEPT:].decode("utf-8", "replace")
    log += [f"command exit code {done.returncode}", "--- stdout ---", out,
            "--- stderr ---", err]
    return {"exit_code": done.returncode}


def _post(hook: RollbackHook, payload: Mapping[str, Any], log: list[str]) -> dict[str, Any]:
    body = json.dumps(dict(payload), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(hook.webhook, data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "User-Agent": "launch-harness watch"})
    where = mask_webhook(hook.webhook)
    try:
        with urllib.request.urlopen(request, timeout=min(hook.timeout_s, 30.0)) as response:
            status = int(response.status)
            text = response.read(_MAX_KEPT).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read(_MAX_KEPT).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.append(f"webhook {where} unreachable: {exc}")
        return {"status": None, "error": mask_text(str(exc))[:300]}
    log += [f"webhook {where} answered HTTP {status}", text]
    return {"status": status}

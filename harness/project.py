"""The user's gate project: a folder holding harness.toml, features/, journeys/, loadtests/ and
reports/. Every path a run uses resolves against it, never against the installed harness.

The project is `--project DIR`, else the current directory. `harness init` makes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.secret import mask_text
from harness.settings import Settings, load_settings


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings

    @property
    def features_dir(self) -> Path:
        return self.path("project.features")

    @property
    def journeys_dir(self) -> Path:
        return self.path("project.journeys")

    @property
    def reports_dir(self) -> Path:
        return self.path("project.reports")

    def path(self, dotted: str) -> Path:
        """A path setting, resolved against the project folder."""
        return (self.root / self.settings.text(dotted)).resolve()

    def optional_path(self, dotted: str) -> Path | None:
        value = self.settings.text(dotted)
        return (self.root / value).resolve() if value else None

    def with_flags(self, flags: Mapping[str, Any]) -> Project:
        return Project(self.root, self.settings.with_flags(flags))

    def effective_config(self) -> dict[str, Any]:
        """What config.json of a run holds: the settings, where each came from, secrets masked."""
        masked: dict[str, Any] = mask_secrets({"project": str(self.root),
                                               **self.settings.effective()})
        return masked


def open_project(directory: str | Path | None = None,
                 environ: Mapping[str, str] | None = None) -> Project:
    """The project at `directory` (default: the current directory), with its settings."""
    root = Path(directory or ".").expanduser()
    if not root.is_dir():
        raise ConfigError(f"--project {root}: no such folder (make one with `harness init "
                          f"{root}`)")
    root = root.resolve()
    return Project(root, load_settings(root, environ))


def mask_secrets(value: Any) -> Any:
    """The same structure with passwords and tokens in URLs replaced by ***."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


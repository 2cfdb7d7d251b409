"""Evidence files attached to the Allure report, so a release manager sees what was measured."""

from __future__ import annotations

from pathlib import Path

import allure

_TYPES = {".png": allure.attachment_type.PNG, ".html": allure.attachment_type.HTML,
          ".csv": allure.attachment_type.CSV, ".json": allure.attachment_type.JSON,
          ".jsonl": allure.attachment_type.TEXT}


def attach_files(*paths: Path) -> None:
    """Attach each file that exists (a missing one is the gate's business, not the report's)."""
    for path in paths:
        if path.is_file():
            allure.attach.file(str(path), name=path.name,
                               attachment_type=_TYPES.get(path.suffix, allure.attachment_type.TEXT))

"""Checks that run before any phase of a gate run, so a typo costs seconds, not a load test.

    check_features([Path("features")])   # ConfigError naming file:line, or None

Feature files are parsed with pytest-bdd's own parser (the one the acceptance phase will use),
so what passes here parses there. Each scenario needs exactly one severity tag (@blocker
@critical @normal @minor @trivial, on the scenario, its rule or its feature), and a tag that
looks like a severity but is not one (@major, @high...) is an error, not a silent `normal`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import ConfigError
from harness.model import Severity

if TYPE_CHECKING:
    from pytest_bdd.gherkin_parser import Scenario, Tag

SEVERITIES = tuple(s.value for s in Severity)
# tags people write for a severity that Allure does not have
SEVERITY_LOOKALIKES = frozenset({"major", "severe", "high", "low", "medium",
                                 "blocking", "crit", "block", "urgent", "important", "p0",
                                 "p1", "p2", "p3"})


def check_features(paths: Iterable[Path | str]) -> None:
    """Parse every .feature file under `paths` (files or folders); raise ConfigError naming
    the file and line of the first syntax error or bad severity tag, and what to write."""
    files = list(_feature_files(paths))
    if not files:
        raise ConfigError(f"no .feature files in {', '.join(str(p) for p in paths)}")
    for path in files:
        _check_file(path)


def _feature_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    for item in paths:
        path = Path(item)
        if path.is_dir():
            yield from sorted(path.rglob("*.feature"))
        elif path.is_file():
            yield path
        else:
            raise ConfigError(f"{path}: no such feature file or folder")


def _check_file(path: Path) -> None:
    from pytest_bdd.exceptions import GherkinParseError
    from pytest_bdd.gherkin_parser import get_gherkin_document
    from pytest_bdd.parser import FeatureParser

    try:
        FeatureParser(str(path.parent), path.name).parse()
        document = get_gherkin_document(str(path))
    except GherkinParseError as exc:
        shown = f" ({exc.line_content.strip()})" if exc.line_content.strip() else ""
        raise ConfigError(f"{path}:{exc.line}: {exc.message.splitlines()[0]}{shown}; fix the "
                          "Gherkin there (pytest-bdd cannot parse it)") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    if document.feature is None:
        return
    feature_tags = list(document.feature.tags)
    for child in document.feature.children:
        if child.scenario is not None:
            _check_scenario(path, child.scenario, feature_tags)
        if child.rule is not None:
            for inner in child.rule.children:
                if inner.scenario is not None:
                    _check_scenario(path, inner.scenario, feature_tags + list(child.rule.tags))


def _check_scenario(path: Path, scenario: Scenario, inherited: list[Tag]) -> None:
    tags = inherited + list(scenario.tags)
    for tag in tags:
        name = tag.name.lstrip("@")
        if name.lower() in SEVERITY_LOOKALIKES or (name.lower() in SEVERITIES
                                                   and name not in SEVERITIES):
            close = difflib.get_close_matches(name.lower(), SEVERITIES, n=1, cutoff=0.3)
            hint = f" (did you mean @{close[0]}?)" if close else ""
            raise ConfigError(f"{path}:{tag.location.line}: @{name} is not a severity{hint}; "
                              f"use one of {' '.join('@' + s for s in SEVERITIES)}")
    severities = [t.name.lstrip("@") for t in tags if t.name.lstrip("@") in SEVERITIES]
    if len(severities) != 1:
        raise ConfigError(f"{path}:{scenario.location.line}: scenario {scenario.name!r} has "
                          f"{len(severities)} severity tags; give it exactly one of "
                          f"{' '.join('@' + s for s in SEVERITIES)} (on it or its feature)")

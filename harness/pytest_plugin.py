"""The harness pytest plugin (entry point `pytest11: harness`): turns scenarios into criteria.

Thin on purpose. It registers the `--harness-*` options, lets Gherkin tags become markers,
checks severity tags at collection, writes the plan of criteria (plan.jsonl) so a scenario
that never ran is INCONCLUSIVE rather than forgotten, and gives step definitions the
`record_criterion` fixture. A failed criterion fails its Then step (Allure: failed); an
inconclusive one breaks it (Allure: broken); a scenario that crashed before recording is
recorded INCONCLUSIVE with its error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ConfigError, EvidenceError
from harness.model import Criterion, Outcome, Severity, Status
from harness.readers.criteria import CRITERIA_FILE, PLAN_FILE
from harness.writers.compliance import citations
from harness.writers.criteria import append_criterion

RecordCriterion = Callable[..., Criterion]
_SEVERITIES = {s.value for s in Severity}
_SEVERITY_TYPOS = {"major", "severe", "high", "low", "medium", "blocking"}
_RECORDED = pytest.StashKey[list[Criterion]]()
_SCENARIO = pytest.StashKey[tuple[str, str, tuple[str, ...]]]()


class CriterionInconclusive(Exception):
    """Raised in a Then step whose evidence was missing or invalid (Allure shows 'broken')."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "launch-harness")
    group.addoption("--harness-run-dir", default=os.environ.get("HARNESS_RUN_DIR"),
                    help="run directory for criteria.jsonl and evidence ($HARNESS_RUN_DIR)")
    group.addoption("--harness-target", default=None,
                    help="base URL of the store under test (default: [target] url of the "
                         "project's harness.toml, $HARNESS_TARGET_URL, else the demo shop)")
    group.addoption("--harness-variant", default=None,
                    help="demo shop variant started when no target is given")
    group.addoption("--harness-journeys", default=None,
                    help="folder of <product>.toml / <product>.py journeys (default: the "
                         "project's journeys/)")
    group.addoption("--harness-allow-non-local", action="store_true", default=None,
                    help="allow a target outside 127.0.0.0/8")
    group.addoption("--harness-areas", default="",
                    help="judge only these areas (sub-folders of the features folder), "
                         "comma-separated; areas tagged @on_request run only when named")


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Every Gherkin tag becomes a registered marker (so `-m critical` selects by severity);
    a severity-like word that is not Allure's is an error naming the accepted ones."""
    from pytest_bdd.scenario import CONFIG_STACK  # type: ignore[attr-defined]

    if tag.lower() in _SEVERITY_TYPOS:
        raise ConfigError(f"tag @{tag} is not a severity: use one of "
                          f"{', '.join('@' + s for s in sorted(_SEVERITIES))}")
    CONFIG_STACK[-1].addinivalue_line("markers", f"{tag}: Gherkin tag")
    return getattr(pytest.mark, tag)(function)  # type: ignore[no-any-return]


def pytest_configure(config: pytest.Config) -> None:
    for severity in Severity:
        config.addinivalue_line("markers", f"{severity.value}: Allure severity {severity.value}")
    _apply_project_settings(config)


def _apply_project_settings(config: pytest.Config) -> None:
    """Options not given on the command line come from the project's harness.toml (the
    rootdir's, found upwards) and HARNESS_* variables, as `harness run` would use them."""
    from harness.settings import CONFIG_FILE, load_settings

    root = next((d for d in (config.rootpath, *config.rootpath.parents)
                 if (d / CONFIG_FILE).is_file()), config.rootpath)
    settings = load_settings(root)
    defaults = {"harness_target": settings.text("target.url") or None,
                "harness_variant": settings.text("demo.variant"),
                "harness_allow_non_local": bool(settings.get("target.allow_non_local"))}
    journeys = (root / settings.text("project.journeys")).resolve()
    if journeys.is_dir():
        defaults["harness_journeys"] = str(journeys)
    for name, value in defaults.items():
        if getattr(config.option, name, None) is None:
            setattr(config.option, name, value)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _deselect_on_request(config, items)
    plan = []
    for item in items:
        info = scenario_of(item)
        if info is None:
            continue
        feature, scenario, tags, where = info
        severities = [t for t in tags if t in _SEVERITIES]
        if len(severities) != 1:
            raise pytest.UsageError(
                f"{where}: scenario {scenario!r} has {len(severities)} severity tags; give it "
                "exactly one of @blocker @critical @normal @minor @trivial (on the scenario or "
                "its feature)")
        plan.append({"id": criterion_id(feature, scenario, item), "feature": feature,
                     "scenario": scenario, "tags": list(tags), "where": where})
    run_dir = _run_dir(config)
    if run_dir is not None and plan and not hasattr(config, "workerinput"):
        run_dir.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in plan)
        (run_dir / PLAN_FILE).write_text(lines, encoding="utf-8")


def _deselect_on_request(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the selected areas (`--harness-areas`: sub-folders of the features folder).
    Scenarios tagged @on_request (the peak load: many minutes) run only when their area is
    selected by name, or their area folder or feature file is named on the command line."""
    selected = {a.strip() for a in str(config.getoption("--harness-areas") or "").split(",")
                if a.strip()}
    named = [Path(str(arg).split("::")[0]).resolve() for arg in config.args]
    keep, drop = [], []
    for item in items:
        info = scenario_of(item)
        if info is None:
            keep.append(item)
            continue
        area, feature_file = area_of(item)
        named_here = any(feature_file == n or n.is_relative_to(feature_file.parent)
                         for n in named)
        on_request = "on_request" in info[2] and area not in selected and not named_here
        if (selected and area not in selected) or on_request:
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def area_of(item: pytest.Item) -> tuple[str, Path]:
    """(area, feature file): the area is the first folder of the feature's path under the
    features base folder ("" for a feature file directly in it)."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    function: Callable[..., Any] = getattr(item, "function")  # noqa: B009  a scenario item
    template = scenario_wrapper_template_registry[function]
    rel = Path(template.feature.rel_filename)
    return (rel.parts[0] if len(rel.parts) > 1 else ""), Path(template.feature.filename)


def scenario_of(item: pytest.Item) -> tuple[str, str, tuple[str, ...], str] | None:
    """(feature name, scenario name, tags, file:line) of a pytest-bdd scenario item."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    function = getattr(item, "function", None)
    template = scenario_wrapper_template_registry.get(function) if function else None
    if template is None:
        return None
    feature = template.feature
    tags = tuple(sorted(template.tags | feature.tags))
    name = template.name
    example = getattr(item, "callspec", None)
    if example is not None and "_pytest_bdd_example" in example.params:
        for key, value in example.params["_pytest_bdd_example"].items():
            name = name.replace(f"<{key}>", str(value))
    return feature.name, name, tags, f"{feature.rel_filename}:{template.line_number}"


def criterion_id(feature: str, scenario: str, item: pytest.Item) -> str:
    """`feature :: scenario`; an outline whose name has no placeholder gets its example id."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    function = getattr(item, "function", None)
    template = scenario_wrapper_template_registry.get(function) if function else None
    callspec = getattr(item, "callspec", None)
    suffix = ""
    if callspec is not None and template is not None and "<" not in template.name:
        suffix = f"[{callspec.id}]"
    return f"{feature} :: {scenario}{suffix}"


@pytest.fixture
def harness_run_dir(request: pytest.FixtureRequest) -> Path:
    """The run directory of this gate run (made when missing)."""
    path = _run_dir(request.config) or request.config.rootpath / "reports" / "adhoc"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def record_criterion(request: pytest.FixtureRequest, harness_run_dir: Path) -> RecordCriterion:
    """Record the current scenario's criterion; fails or breaks the step unless it passed."""

    def record(outcome: Outcome) -> Criterion:
        criterion = _criterion_for(request.node, outcome)
        append_criterion(harness_run_dir / CRITERIA_FILE, criterion)
        request.node.stash.setdefault(_RECORDED, []).append(criterion)
        _attach(criterion)
        if criterion.status is Status.FAILED:
            raise AssertionError(f"criterion failed: {outcome.message}")
        if criterion.status is Status.INCONCLUSIVE:
            raise CriterionInconclusive(f"inconclusive: {outcome.message}")
        if criterion.status is Status.NOT_APPLICABLE:
            pytest.skip(outcome.message)
        return criterion

    return record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if call.when == "call" and call.excinfo is not None and not item.stash.get(_RECORDED, []):
        info = scenario_of(item)
        run_dir = _run_dir(item.config)
        if info is not None and run_dir is not None:
            error = call.excinfo.value
            kind = "" if isinstance(error, EvidenceError) else f" ({type(error).__name__})"
            message = f"could not be checked{kind}: {error}".splitlines()[0]
            append_criterion(run_dir / CRITERIA_FILE,
                             _criterion_for(item, Outcome.inconclusive(message[:500])))
    return report


def _criterion_for(item: pytest.Item, outcome: Outcome) -> Criterion:
    info = scenario_of(item)
    if info is None:
        tags = tuple(m.name for m in item.iter_markers())
        return Criterion(id=item.nodeid, feature=item.path.name, scenario=item.name,
                         tags=tags, outcome=outcome)
    feature, scenario, tags, _ = info
    return Criterion(id=criterion_id(feature, scenario, item), feature=feature,
                     scenario=scenario, tags=tags, outcome=outcome)


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any,
                               scenario: Any) -> None:
    """Allure labels from the Gherkin: severity, suite = feature, parent suite = area tag,
    and for criteria citing an article (`@ART-IIB-13`) epic = regulation, story = article."""
    try:
        import allure
    except ImportError:
        return
    tags = set(scenario.tags) | set(feature.tags)
    severity = next((t for t in tags if t in _SEVERITIES), None)
    if severity:
        allure.dynamic.severity(allure.severity_level(severity))
    areas = sorted(t for t in tags if t.islower() and t not in _SEVERITIES)
    if areas:
        allure.dynamic.parent_suite(areas[0].replace("_", " "))
    allure.dynamic.suite(feature.name)
    for requirement in sorted(t for t in tags if t.startswith("REQ-")):
        allure.dynamic.label("requirement", requirement)
    for cite in citations(tags):  # Behaviors: an epic per regulation, a story per article
        allure.dynamic.epic(cite.title)
        allure.dynamic.story(f"{cite.short} {cite.article_label}")


def _attach(criterion: Criterion) -> None:
    try:
        import allure
    except ImportError:  # allure-pytest-bdd not installed: criteria.jsonl still has it
        return
    allure.attach(json.dumps(criterion.to_record(), ensure_ascii=False, indent=2),
                  name=f"criterion: {criterion.status.value}",
                  attachment_type=allure.attachment_type.JSON)


def _run_dir(config: pytest.Config) -> Path | None:
    value = config.getoption("--harness-run-dir", default=None)
    return Path(value) if value else None

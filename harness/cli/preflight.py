"""Everything `harness run` checks before any phase starts, and the plan it then follows.

Settings, areas, the target rule, waivers, journeys (one per product the features name) and
the sources the load, gray and integrity areas need are all checked here, so a typo or a
missing file stops the run in seconds with exit 2, naming the file and key, instead of after a
load test. Phases no selected area needs are not run at all.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.cli.acceptance import check_areas, default_areas
from harness.cli.browser_phase import asked_viewports, feature_tags, needed_evidence
from harness.errors import ConfigError
from harness.policy import Policy, read_waivers
from harness.preflight import check_features
from harness.project import Project
from harness_contract.journey_plan import JourneyPlan, resolve_target
from harness_contract.viewports import VIEWPORT_NAMES

# the step library's areas and the phase whose evidence they judge; other areas need none
AREA_NEEDS = {"capacity": "load", "capacity_peak": "load", "integrity": "load",
              "gray_release": "gray"}
PHASES = ("load", "gray", "browser")


@dataclass(frozen=True)
class Plan:
    bundled: bool  # no [target] url: the bundled demo shop is started
    target_url: str | None
    variant: str
    allow_non_local: bool
    areas: tuple[str, ...]
    limited: bool  # fewer areas than the project has: the verdict says which were judged
    not_judged: tuple[str, ...]
    phases: frozenset[str]
    journeys: Path | None  # None: the demo shop's own journeys
    locustfile: Path | None
    user_classes: tuple[str, ...]
    integrity: Any  # harness_load.reconciliation.IntegritySource | None
    policy: Policy
    notes: tuple[str, ...] = ()  # worth saying before the run, not worth stopping it
    browser_options: str = ""  # $HARNESS_BROWSER_OPTIONS for every browser process of the run
    # what the journey files declare (raw/browser/journeys.json)
    declared: JourneyPlan = field(default_factory=JourneyPlan)

    @property
    def slug(self) -> str:
        return self.target_url or self.variant


def plan_run(project: Project) -> Plan:
    settings = project.settings
    skip = set(settings.get("project.skip"))
    unknown = sorted(skip - set(PHASES))
    if unknown:
        raise ConfigError(f"skip: unknown phase(s) {', '.join(unknown)}; the phases are "
                          f"{', '.join(PHASES)}")
    features = project.features_dir
    asked = tuple(settings.get("project.areas"))
    check_areas(features, asked)
    check_features([features])  # syntax errors and bad severity tags, with file and line
    candidates = asked or default_areas(features, settings.text("load.profile"))
    not_judged = tuple(a for a in candidates if AREA_NEEDS.get(a) in skip)
    areas = tuple(a for a in candidates if a not in not_judged)
    if not areas:
        raise ConfigError(f"nothing to judge: no area of {features} is left after --skip "
                          f"{','.join(sorted(skip))}")
    target = settings.text("target.url").rstrip("/") or None
    allow = bool(settings.get("target.allow_non_local"))
    if target:
        from harness_load.target import check_local_target

        check_local_target(target, allow)
    needs = {AREA_NEEDS[a] for a in areas if a in AREA_NEEDS}
    journeys, notes, declared = _journeys(project, features, areas, bundled=target is None)
    _check_declared(project, declared, features, target, allow)
    locustfile = project.optional_path("load.locustfile")
    if target and "load" in needs:
        _require_load_sources(project, locustfile, areas)
    integrity = _integrity(project)
    if target and "gray" in needs and not settings.text("gray.source"):
        raise ConfigError(f"{settings.source}: the gray_release area needs your events: set "
                          "[gray] source (a CSV/Parquet file or an SQL URL) and gray_share, or "
                          "leave it out with --skip gray")
    browser = _browser_options(project)
    waivers = project.optional_path("project.waivers")
    policy = Policy(waivers=read_waivers(waivers) if waivers else ())
    phases = frozenset(p for p in PHASES if p not in skip and (p == "browser" or p in needs))
    return Plan(bundled=target is None, target_url=target,
                variant=settings.text("demo.variant"), allow_non_local=allow, areas=areas,
                limited=bool(asked) or bool(not_judged), not_judged=not_judged,
                phases=phases, journeys=journeys, locustfile=locustfile,
                user_classes=tuple(settings.get("load.user_classes")), integrity=integrity,
                policy=policy, notes=notes, browser_options=browser, declared=declared)


def _browser_options(project: Project) -> str:
    """The project's [browser] table validated, as the JSON the browser processes read."""
    table = project.settings.table("browser")
    if not table:
        return ""
    from harness_browser.options import BrowserOptions

    options = BrowserOptions.from_mapping(table, f"{project.settings.source}: [browser]")
    return options.to_json()


def _integrity(project: Project) -> Any:
    """The project's [integrity] table, validated (None: the demo shop's endpoint, or none)."""
    table = project.settings.table("integrity")
    if not table:
        return None
    from harness_load.reconciliation import IntegritySource

    return IntegritySource.from_mapping(table, f"{project.settings.source}: [integrity]",
                                        base_dir=project.root)


def _require_load_sources(project: Project, locustfile: Path | None,
                          areas: tuple[str, ...]) -> None:
    source = project.settings.source
    if locustfile is None:
        load_areas = ", ".join(a for a in areas if a in AREA_NEEDS)
        raise ConfigError(f"{source}: the load areas ({load_areas}) "
                          "need a Locust user for your store: set [load] locustfile (`harness "
                          "init` writes a template at loadtests/locustfile.py), or leave them "
                          "out with --skip load")
    if not locustfile.is_file():
        raise ConfigError(f"{source}: [load] locustfile = {locustfile}: no such file")
    if "integrity" in areas and not project.settings.table("integrity"):
        raise ConfigError(f"{source}: the integrity area needs your store's records: set "
                          "[integrity] (an SQL query or a CSV export; see the README), or "
                          "leave it out with --areas")


def _check_declared(project: Project, declared: JourneyPlan, features: Path,
                    target: str | None, allow: bool) -> None:
    """What the journeys declare, checked against the project: viewports it knows, criteria
    (tags) its features have, and each product's own target under the loopback rule."""
    custom = project.settings.table("browser").get("viewports") or {}
    known = [*VIEWPORT_NAMES, *(custom if isinstance(custom, dict) else {})]
    tags = feature_tags(features)
    for _, journey in sorted(declared.products.items()):
        unknown = [v for v in journey.viewports if v not in known]
        if unknown:
            raise ConfigError(f"{journey.file}: viewports: {unknown[0]!r} is not a viewport; "
                              f"use {', '.join(known)} (or add it to [browser] viewports)")
        typos = sorted(t for t in journey.not_applicable if t not in tags)
        if typos:
            raise ConfigError(f"{journey.file}: [not_applicable] {typos[0]!r}: no feature of "
                              f"{features} has the tag @{typos[0]}; name a criterion by a tag "
                              "it has (e.g. its @REQ-... tag)")
        if journey.target:
            from harness_load.target import check_local_target

            base = target or "http://127.0.0.1"
            check_local_target(resolve_target(base, journey.target), allow)


def _journeys(project: Project, features: Path, areas: tuple[str, ...],
              bundled: bool) -> tuple[Path | None, tuple[str, ...], JourneyPlan]:
    """The project's journeys folder, every file in it valid and one per product the features
    name; None (the demo shop's own journeys) only for the bundled demo shop without one.
    A journey no selected feature names is worth a note: its product is not judged."""
    folder = project.journeys_dir
    products = sorted({product for _, product, _ in needed_evidence(features, areas)})
    if not folder.is_dir():
        if bundled or not products:
            return None, (), JourneyPlan()
        raise ConfigError(f"{folder}: no journeys folder; the features name the products "
                          f"{', '.join(products)}: write one journey per product there "
                          "(<product>.toml or .py; `harness init` writes an example)")
    declared = check_journeys(folder)
    found = {p: j.file for p, j in declared.products.items()}
    missing = [p for p in products if p not in found]
    if missing:
        raise ConfigError(f"{folder}: no journey for {', '.join(missing)}, which the features "
                          f"name; found {', '.join(sorted(found)) or 'none'}; write "
                          f"{folder / (missing[0] + '.toml')}")
    unused = sorted(set(found) - set(products)) if products else []
    notes = tuple(f"{found[p]}: no selected feature names the product {p!r}, so it is not "
                  "judged (add it to the Examples of your features, or re-run `harness init "
                  "--products ...` in a scratch folder and copy the rows)" for p in unused)
    return folder, notes + _undriven(declared, features, areas), declared


def _undriven(declared: JourneyPlan, features: Path, areas: tuple[str, ...]) -> tuple[str, ...]:
    """A note per product whose journey is driven at fewer viewports than its features name:
    those scenarios will be NOT APPLICABLE, which a reader should know before the run."""
    notes = []
    for product, counts in sorted(asked_viewports(features, areas).items()):
        journey = declared.products.get(product)
        if journey is None or not journey.viewports:
            continue
        missed = {v: n for v, n in counts.items() if v not in journey.viewports}
        if missed:
            notes.append(f"{journey.file}: drives {product} at {', '.join(journey.viewports)} "
                         f"only; {sum(missed.values())} scenario(s) ask for it at "
                         f"{', '.join(sorted(missed))}, and will be NOT APPLICABLE (add the "
                         "viewports to the journey to judge them)")
    return tuple(notes)


def check_journeys(folder: Path) -> JourneyPlan:
    """Every journey file of `folder` parsed and validated by the browser package, in a child
    process (the judge never imports Playwright); product -> file. ConfigError on any error."""
    command = [sys.executable, "-m", "harness_browser.journey_check", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode == 2:
        raise ConfigError(done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                          else f"{folder}: invalid journey")
    if done.returncode != 0:
        raise ConfigError(f"{folder}: the journeys could not be checked (exit "
                          f"{done.returncode}): {done.stderr.strip()[-400:]}")
    return JourneyPlan.from_json(done.stdout, f"{folder} (python -m harness_browser.journey_check)")

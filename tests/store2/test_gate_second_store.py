"""Issue 10's proof: a store this project did not write (tests/stores/h5shop: a hash-routed H5
app with no h1, a log-in, a cashier on another origin, assets on a host name only Chromium's
host rules resolve), gated from a project made by `harness init` in a temporary folder, by the
wheel installed into a fresh virtual environment. Good build GO; notice below the fold NO-GO
naming that criterion; a build that loses policies NO-GO on integrity."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.project.installed import Installed, build_wheel, install
from tests.stores.h5shop import start_h5shop

pytestmark = [pytest.mark.gate, pytest.mark.slow]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    wheel = build_wheel(tmp_path_factory.mktemp("dist"))
    return install(wheel, tmp_path_factory.mktemp("venv") / "venv")


@pytest.fixture
def gate(installed: Installed, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A project made by `harness init` for the store started with the test's variant."""
    with start_h5shop(variant=request.param, db_path=tmp_path / "h5.db") as shop:
        project = tmp_path / "gate"
        done = installed.run("init", str(project), "--products", "medical:15:health",
                             "--viewports", "phone,desktop", "--target", shop.url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        shop.write_project(project)
        yield project


def verdict(project: Path) -> dict[str, object]:
    run = (project / "reports" / "latest").resolve()
    return dict(json.loads((run / "verdict.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("gate", ["good"], indirect=True)
def test_the_good_build_is_go(installed: Installed, gate: Path) -> None:
    done = installed.run("run", "--areas", "purchase_flow,disclosures", "--no-report", cwd=gate)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert verdict(gate)["decision"] == "GO"


@pytest.mark.parametrize("gate", ["notice-below-fold"], indirect=True)
def test_the_notice_below_the_fold_is_no_go_naming_it(installed: Installed, gate: Path) -> None:
    done = installed.run("run", "--areas", "disclosures", "--no-report", cwd=gate)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    text = (gate / "reports" / "latest" / "verdict.md").read_text(encoding="utf-8")
    assert "fully visible on the first screen" in text.split("## Why")[1].split("\n## ")[0]


@pytest.mark.parametrize("gate", ["lost-policies"], indirect=True)
def test_lost_policies_are_no_go_on_integrity(installed: Installed, gate: Path) -> None:
    done = installed.run("run", "--areas", "integrity", "--no-report", cwd=gate)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    why = (gate / "reports" / "latest" / "verdict.md").read_text(encoding="utf-8")
    assert "One policy per paid purchase" in why.split("## Why")[1].split("\n## ")[0]

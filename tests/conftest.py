from pathlib import Path

import pytest

from tests.project.maker import make_demo_project

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gate project for the demo shop, made by `harness init --example demo` once per session
    (with xdist, once per worker)."""
    return make_demo_project(tmp_path_factory.mktemp("demo-project"))

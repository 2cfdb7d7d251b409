from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.project.maker import make_demo_project

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gate project for the demo shop, made by `harness init --example demo` once per session
    (with xdist, once per worker)."""
    return make_demo_project(tmp_path_factory.mktemp("demo-project"))


@pytest.fixture(scope="module")
def shop_url() -> Iterator[str]:
    """The bundled demo shop (variant good, one worker) on a free loopback port."""
    from harness_demo_shop.server import start_in_background

    shop = start_in_background(variant="good", port=0, workers=1)
    try:
        yield str(shop.url)
    finally:
        shop.stop()

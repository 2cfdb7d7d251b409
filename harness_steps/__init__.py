"""The harness's step library: every phrase the default features use, for any project.

A gate project binds it in its `features/conftest.py` (written by `harness init`):

    from harness_steps import *  # noqa: F403

which makes these step definitions and fixtures visible to the project's features, beside the
project's own steps. `harness steps` lists every phrase with the evidence it reads. Each
Then-step reads evidence from the run directory and calls a pure gate in `harness.gates`; the
harness pytest plugin records the criterion. Nothing here imports Playwright or Locust: the
browser is driven through `harness_browser` only when evidence is missing, in its own imports.
"""

from harness_steps.capacity import *  # noqa: F403
from harness_steps.capacity_peak import *  # noqa: F403
from harness_steps.disclosures import *  # noqa: F403
from harness_steps.escort import *  # noqa: F403
from harness_steps.fixtures import *  # noqa: F403
from harness_steps.gray_release import *  # noqa: F403
from harness_steps.health_declaration import *  # noqa: F403
from harness_steps.integrity import *  # noqa: F403
from harness_steps.purchase_flow import *  # noqa: F403
from harness_steps.regulation import *  # noqa: F403

AREAS = ("capacity", "capacity_peak", "disclosures", "escort", "gray_release",
         "health_declaration", "integrity", "purchase_flow", "regulation")

"""journeys.json (raw/browser/): what each product's journey file declares about where it is
measured, kept with the run's evidence.

    {"products": {"h5": {"file": "journeys/h5.py", "viewports": ["phone", "wechat"],
                         "not_applicable": {"REQ-HEALTH-ERRORS": "no health declaration"},
                         "target": "https://h5.example/#/selectpage"}}}

`viewports`: the only viewports the product's journey is driven at (empty: any the features
name). `not_applicable`: criteria (by tag, e.g. REQ-HEALTH-ERRORS) that do not apply to the
product, each with its reason. `target`: the product's own base URL, absolute or relative to the
project's target (null: the project's target).

The browser phase writes it from the journey files (harness_browser.journey_check) and skips
what does not apply; the step definitions read it and record such a criterion NOT APPLICABLE
with the journey's reason, never passed. Only what a journey declares is not applicable: a
measurement missing for any other reason stays INCONCLUSIVE.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urljoin, urlsplit

from harness_contract._record import dumps
from harness_contract.fields import Obj, loads, mapping_of_texts

JOURNEYS_JSON = "journeys.json"


def resolve_target(project_target: str, target: str | None) -> str:
    """A product's base URL: its journey's `target` (absolute, or joined to the project's
    target: "/h5/", "#/selectpage"), else the project's target."""
    if not target:
        return project_target
    if urlsplit(target).scheme:
        return target
    return urljoin(project_target.rstrip("/") + "/", target)


@dataclass(frozen=True)
class ProductJourney:
    """One product's journey file and what it declares."""

    product: str
    file: str
    viewports: tuple[str, ...] = ()
    not_applicable: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None

    def main_viewport(self, default: str) -> str:
        """Where a criterion judged at one viewport only is judged: the journey's first
        viewport, else `default` (the feature's)."""
        return self.viewports[0] if self.viewports else default

    def why_not_applicable(self, viewport: str, tags: Iterable[str]) -> str | None:
        """The journey's reason a criterion with `tags` at `viewport` does not apply to this
        product, or None when it applies."""
        for tag in sorted(t.lstrip("@") for t in tags):
            if tag in self.not_applicable:
                return f"{self.file}: [not_applicable] {tag}: {self.not_applicable[tag]}"
        if self.viewports and viewport not in self.viewports:
            return (f"{self.file}: the {self.product} journey is driven only at "
                    f"{', '.join(self.viewports)} (its viewports), not at {viewport}")
        return None

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "viewports": list(self.viewports),
                "not_applicable": dict(self.not_applicable), "target": self.target}


@dataclass(frozen=True)
class JourneyPlan:
    """Every product's journey declarations (empty: the demo shop's own journeys)."""

    products: Mapping[str, ProductJourney] = field(
        default_factory=lambda: MappingProxyType({}))

    def product(self, name: str) -> ProductJourney:
        """The product's declarations; a product without a journey file declares nothing."""
        return self.products.get(name) or ProductJourney(product=name, file=f"<{name}>")

    def to_json(self) -> str:
        text = dumps({"products": {p: j.to_dict() for p, j in sorted(self.products.items())}})
        JourneyPlan.from_json(text, f"{JOURNEYS_JSON} (to_json)")  # a producer bug fails here
        return text

    @classmethod
    def from_json(cls, text: str, file: str) -> JourneyPlan:
        o = Obj(loads(text, file), file)
        table = o.obj("products")
        products = {}
        for name in sorted(table.data):
            entry = table.obj(name)
            viewports = entry.texts("viewports")
            if "" in viewports or len(set(viewports)) != len(viewports):
                raise entry.fail("viewports", f"is {list(viewports)!r}: names, each once")
            target = entry.opt_text("target", empty_ok=False)
            if target is not None and urlsplit(target).scheme not in ("", "http", "https"):
                raise entry.fail("target", f"is {target!r}: an http(s) URL or a path")
            reasons = mapping_of_texts(entry, "not_applicable")
            if any(not r.strip() for r in reasons.values()):
                raise entry.fail("not_applicable", "has an empty reason")
            products[name] = ProductJourney(product=name, file=entry.text("file"),
                                            viewports=viewports, not_applicable=reasons,
                                            target=target)
        return cls(products=MappingProxyType(products))

"""form-errors.json (raw/browser/health-<product>/<viewport>/): what a rejected health
declaration showed the buyer, measured field by field.

`problems` is a summary the producer wrote; the judge does not trust it alone. `from_json`
re-derives the problems from the measurements (`derived_problems`) and refuses a record whose
summary lists fewer: a measurement that shows a missing message, no focus or an axe violation
is a problem whatever `problems` says. Lists of missing fields must agree with `fields`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness_contract._record import dumps
from harness_contract.fields import Obj, loads


@dataclass(frozen=True)
class FormErrorsRecord:
    reached: bool
    form_found: bool
    expected_invalid: tuple[str, ...]
    problems: tuple[str, ...]
    screenshot: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {**self.raw, "reached": self.reached, "form_found": self.form_found,
                "expected_invalid": list(self.expected_invalid),
                "problems": list(self.problems), "screenshot": self.screenshot}
        text = dumps(data)
        FormErrorsRecord.from_json(text, "form-errors.json (to_json)")
        return text

    @classmethod
    def from_json(cls, text: str, file: str) -> FormErrorsRecord:
        return cls.from_obj(Obj(loads(text, file), file))

    @classmethod
    def from_obj(cls, o: Obj) -> FormErrorsRecord:
        reached = o.boolean("reached")
        problems = o.texts("problems")
        if not reached:
            if o.boolean("form_found") or o.texts("expected_invalid"):
                raise o.fail("reached", "is false but a form or rejected fields are reported")
            if not problems:
                raise o.fail("problems", "is empty: a form that was not reached must say why")
            return cls(False, False, (), problems, None, o.data)
        derived = derived_problems(o)
        missing = [p for p in derived if p not in problems]
        if missing:
            more = f" (+{len(missing) - 1} more)" if len(missing) > 1 else ""
            raise o.fail("problems", f"leaves out what the measurements show: "
                                     f"{missing[0]!r}{more}")
        return cls(True, o.boolean("form_found"), o.texts("expected_invalid"), problems,
                   o.opt_text("screenshot"), o.data)


def derived_problems(o: Obj) -> list[str]:
    """The problems the measurements show, in harness_browser.form_errors' words; raises
    EvidenceInvalid when the measurements disagree with each other."""
    expected = list(o.texts("expected_invalid"))
    fields = [_field(f) for f in o.objs("fields")]
    by_name = {f["name"]: f for f in fields}
    if len(by_name) != len(fields):
        raise o.fail("fields", "lists a field twice: ambiguous")
    for i, f in enumerate(fields):
        if f["expected_invalid"] != (f["name"] in expected):
            raise o.fail(f"fields[{i}].expected_invalid", f"is {f['expected_invalid']} but "
                         f"expected_invalid {'lists' if not f['expected_invalid'] else 'omits'}"
                         f" {f['name']!r}")
    wanted = [by_name[n] for n in expected if n in by_name]
    gone = [n for n in expected if n not in by_name]
    missing_aria = [f["name"] for f in wanted if not f["aria_invalid"]] + gone
    missing_msg = [f["name"] for f in wanted
                   if not (f["error_message"] and f["error_visible"])] + gone
    for name, derived in (("missing_aria_invalid", missing_aria),
                          ("missing_error_message", missing_msg)):
        listed = list(o.texts(name))
        if sorted(listed) != sorted(derived):
            raise o.fail(name, f"is {listed!r} but the fields show {derived!r}")
    first = next((f["name"] for f in fields if f["name"] in expected), None)
    focus_ok = o.boolean("focus_on_first_invalid")
    if focus_ok and first is None:
        raise o.fail("focus_on_first_invalid", "is true but no field was expected invalid")
    summaries = o.objs("summaries")
    alerts = [s for s in summaries if s.boolean("visible") and s.opt_text("text")
              and s.data.get("role") == "alert"]
    summary_present = o.boolean("summary_present")
    if summary_present != bool(alerts):
        raise o.fail("summary_present", f"is {summary_present} but {len(alerts)} visible "
                                        "role=alert summary(ies) were measured")
    out = [] if o.boolean("form_found") else ["the form was not found"]
    if missing_aria:
        out.append("not marked aria-invalid: " + ", ".join(missing_aria))
    if missing_msg:
        out.append("no visible error message tied to: " + ", ".join(missing_msg))
    if expected and not focus_ok:
        out.append(f"focus is on {o.opt_text('focus') or 'nothing'}, not on the first invalid "
                   f"field ({first})")
    if not summary_present:
        out.append("no non-empty error summary with role=alert")
    axe = o.obj("axe")
    for kind, words in (("violations", "axe {id}: {help} ({nodes} element(s))"),
                        ("incomplete", "axe could not verify {id} ({nodes} element(s))")):
        for v in axe.objs(kind):
            out.append(words.format(id=v.text("id"), help=v.opt_text("help", absent_ok=True) or "",
                                    nodes=v.integer("nodes")))
    error = axe.opt_text("error", empty_ok=False)
    if error:
        out.append(f"axe did not run: {error}")
    return out


def _field(o: Obj) -> dict[str, Any]:
    return {"name": o.text("name"), "aria_invalid": o.boolean("aria_invalid"),
            "error_message": o.opt_text("error_message"),
            "error_visible": o.boolean("error_visible"),
            "expected_invalid": o.boolean("expected_invalid")}

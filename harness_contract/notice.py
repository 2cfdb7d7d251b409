"""One cooling-off notice check inside journey.json (`notice_checks[i]`), validated for types
and for agreement between what it concluded and what it measured: a record that says
`covered_by: div#banner` and `passed: false` while its measurement shows no covered point is
inconsistent, not "uncovered"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness_contract.fields import MAX_COUNT, Obj

POINT_KINDS = ("total", "visible", "covered", "not_painted", "outside")
MAX_PX = 1_000_000.0


def check_notice(o: Obj, step_indices: set[int]) -> Mapping[str, Any]:
    """Validate `o` (one notice check) and return its data."""
    step = o.integer("step")
    if step not in step_indices:
        raise o.fail("step", f"is {step}, not a step of this journey")
    o.text("screen_id", empty_ok=True)
    found, passed = o.boolean("found"), o.boolean("passed")
    reasons = o.texts("reasons")
    if passed != (found and not reasons):
        raise o.fail("passed", f"is {passed} while found is {found} and {len(reasons)} "
                               "reason(s) are listed: the record contradicts itself")
    o.text("text", empty_ok=True)
    selector = o.opt_text("selector")
    lines = o.integer("lines", hi=100_000)
    if o.integer("lines_in_viewport", hi=100_000) > lines:
        raise o.fail("lines_in_viewport", f"is more than the {lines} lines of the notice")
    o.opt_number("min_font_px", hi=MAX_PX)
    o.opt_number("min_contrast", lo=1.0, hi=21.0)
    o.opt_number("effective_opacity", hi=1.0)
    covered_by = o.opt_text("covered_by")
    o.boolean("scroll_unchanged")
    o.opt_text("screenshot")
    o.opt_integer("cooling_off_days", hi=10_000)
    observations = o.obj("observations") if found else None
    measurement = o.obj("measurement")
    view = measurement.obj("viewport")
    size = (view.number("width", lo=1.0, hi=MAX_PX), view.number("height", lo=1.0, hi=MAX_PX))
    view.number("scale", lo=0.01, hi=100.0)
    candidates = [_candidate(c, size) for c in measurement.objs("candidates")]
    if found != bool(candidates):
        raise o.fail("found", f"is {found} but the measurement has {len(candidates)} "
                              "candidate(s)")
    if found:
        best = next((c for c in candidates if c.data.get("selector") == selector), None)
        if best is None:
            raise o.fail("selector", f"is {selector!r}, which no measured candidate has")
        if best.data.get("covered_by") != covered_by:
            raise o.fail("covered_by", f"is {covered_by!r} but the measured candidate says "
                                       f"{best.data.get('covered_by')!r}")
        if best.data.get("line_count") != lines:
            raise o.fail("lines", f"is {lines} but the measured candidate has "
                                  f"{best.data.get('line_count')} lines")
        assert observations is not None
        outside = {b.data["row"] for b in best.objs("line_boxes") if b.data["where"] != "inside"}
        if o.data["lines_in_viewport"] != lines - len(outside):
            raise o.fail("lines_in_viewport", f"is {o.data['lines_in_viewport']} but the "
                         f"measurement has {len(outside)} of {lines} row(s) outside")
        uncovered = observations.boolean("uncovered")
        if uncovered != (best.obj("points").data["covered"] == 0):
            raise o.fail("observations.uncovered", f"is {uncovered} but the measurement has "
                         f"{best.obj('points').data['covered']} covered point(s)")
    return o.data


WHERE = ("inside", "below", "above", "left", "right", "partly-below", "partly-outside")


def _candidate(c: Obj, view: tuple[float, float]) -> Obj:
    """One measured element: what interpret() (the judge of the notice) reads, typed; a line
    box said to be inside the viewport is inside it (in the top frame, where the viewport's
    coordinates are the page's)."""
    c.text("selector")
    c.text("tag")
    line_count = c.integer("line_count", hi=100_000)
    top_frame = c.integer("frame_depth", hi=100) == 0
    rows = set()
    for box in c.objs("line_boxes"):
        where = box.choice("where", WHERE)
        rows.add(box.integer("row", hi=100_000))
        x, y = box.number("x", lo=-MAX_PX, hi=MAX_PX), box.number("y", lo=-MAX_PX, hi=MAX_PX)
        w, h = box.number("width", hi=MAX_PX), box.number("height", hi=MAX_PX)
        if top_frame and where == "inside" and not (
                x >= -0.5 and y >= -0.5 and x + w <= view[0] + 0.5 and y + h <= view[1] + 0.5):
            raise box.fail("where", f"is 'inside' but the box {x:g},{y:g} {w:g}x{h:g} is not "
                                    f"inside the {view[0]:g}x{view[1]:g} viewport")
    if len(rows) != line_count:
        raise c.fail("line_count", f"is {line_count} but the line boxes are on {len(rows)} "
                                   "row(s)")
    for t in c.objs("texts"):
        t.number("font_px", hi=MAX_PX)
        t.opt_number("transform_scale", hi=1000.0, absent_ok=True)
        t.opt_number("contrast", lo=1.0, hi=21.0)
        t.boolean("transparent")
        t.text("visibility")
        t.opt_text("background_unknown")
    c.opt_text("display_none")
    c.opt_text("closed_details")
    c.opt_text("overflow_clipped_by")
    for clip in c.objs("clips"):
        clip.text("kind"), clip.text("value", empty_ok=True), clip.text("selector")
    for box in c.objs("scrolled_containers"):
        box.text("selector"), box.number("scroll_top", hi=MAX_PX)
        box.number("scroll_left", hi=MAX_PX)
    c.number("effective_opacity", hi=1.0)
    points = c.obj("points")
    n = {k: points.integer(k, hi=MAX_COUNT) for k in POINT_KINDS}
    parts = n["visible"] + n["covered"] + n["not_painted"] + n["outside"]
    if parts != n["total"]:
        raise points.fail("total", f"is {n['total']} but visible + covered + not_painted + "
                                   f"outside = {parts}")
    covered_by = c.opt_text("covered_by")
    if (covered_by is not None) != (n["covered"] > 0):
        raise c.fail("covered_by", f"is {covered_by!r} while {n['covered']} point(s) are "
                                   "covered: the measurement contradicts itself")
    return c

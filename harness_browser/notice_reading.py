"""Reading a notice measurement: the reasons a person would not see the notice on the first
screen, against the thresholds the feature states.

The measurement is taken in the browser (first_screen.py, js/first_screen.js); this module turns
it into a NoticeCheck without importing Playwright, so the step definitions that re-judge a
stored measurement with the feature's thresholds never load the browser.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from harness_browser.cooling_off import parse_cooling_off_days


@dataclass(frozen=True)
class NoticeCheck:
    """What the first-screen check saw; `reasons` is empty exactly when `passed`."""

    found: bool
    passed: bool
    reasons: list[str]
    text: str = ""
    selector: str | None = None
    lines: int = 0
    lines_in_viewport: int = 0
    min_font_px: float | None = None
    min_contrast: float | None = None
    effective_opacity: float | None = None
    covered_by: str | None = None
    bbox: dict[str, float] | None = None
    viewport: dict[str, float] = field(default_factory=dict)
    in_shadow_dom: bool = False
    frame_depth: int = 0
    cooling_off_days: int | None = None
    scroll_unchanged: bool = True
    screenshot: str | None = None
    thresholds: dict[str, float] = field(default_factory=dict)
    candidates: int = 0
    observations: dict[str, bool] = field(default_factory=dict)
    measurement: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def interpret(raw: dict[str, Any], *, selector: str | None, pattern: str | None,
              min_font_px: float, min_contrast: float) -> NoticeCheck:
    """Turn the JS measurement into a NoticeCheck: pick the best candidate, list the reasons."""
    thresholds = {"min_font_px": min_font_px, "min_contrast": min_contrast}
    viewport = raw.get("viewport", {})
    candidates = raw.get("candidates") or []
    if not candidates:
        return NoticeCheck(found=False, passed=False, viewport=viewport, thresholds=thresholds,
                           reasons=_not_found_reasons(raw, selector, pattern),
                           measurement=raw)
    scale = float(viewport.get("scale") or 1)
    judged = [(_reasons(c, viewport, scale, min_font_px, min_contrast), i, c)
              for i, c in enumerate(candidates)]
    reasons, _, best = min(judged, key=lambda t: (len(t[0]), t[1]))
    texts = best["texts"]
    fonts = [_rendered_px(t, scale) for t in texts]
    contrasts = [t["contrast"] for t in texts if t["contrast"] is not None]
    rows_out = {ln["row"] for ln in best["line_boxes"] if ln["where"] != "inside"}
    inside = best["line_count"] - len(rows_out)
    return NoticeCheck(
        found=True, passed=not reasons, reasons=reasons, text=best["text"],
        selector=best["selector"], lines=best["line_count"], lines_in_viewport=inside,
        min_font_px=round(min(fonts), 2) if fonts else None,
        min_contrast=min(contrasts) if contrasts else None,
        effective_opacity=best["effective_opacity"], covered_by=best["covered_by"],
        bbox=best["bbox"], viewport=viewport, in_shadow_dom=best["in_shadow_dom"],
        frame_depth=best["frame_depth"], cooling_off_days=parse_cooling_off_days(best["text"]),
        thresholds=thresholds, candidates=int(raw.get("candidate_count") or 0),
        observations=observe(best),
        measurement=raw,  # every candidate, so `interpret` can re-judge with other thresholds
    )


def observe(c: dict[str, Any]) -> dict[str, bool]:
    """Threshold-free yes/no observations of one candidate (True is what a person needs)."""
    texts, pts, boxes = c["texts"], c["points"], c["line_boxes"]
    return {
        "displayed": not c["display_none"],
        "outside_closed_details": not c["closed_details"],
        "has_rendered_text": bool(boxes),
        "visibility_visible": all(t["visibility"] == "visible" for t in texts),
        "opacity_nonzero": c["effective_opacity"] > 0,
        "text_colour_opaque": not any(t["transparent"] for t in texts),
        "all_lines_in_viewport": bool(boxes) and all(b["where"] == "inside" for b in boxes),
        "uncovered": pts["covered"] == 0,
        "unclipped": not c["overflow_clipped_by"] and not c["clips"],
        "painted_where_sampled": pts["total"] > 0 and pts["visible"] == pts["total"],
        "no_scrolled_container": not c["scrolled_containers"],
        "contrast_measurable": not any(t["background_unknown"] for t in texts),
    }


def _reasons(c: dict[str, Any], viewport: dict[str, Any], scale: float,
             min_font_px: float, min_contrast: float) -> list[str]:
    """Every reason a person would not read this candidate on the first screen."""
    reasons = _presence_reasons(c)
    if c["line_boxes"]:
        reasons += _position_reasons(c, viewport) + _paint_reasons(c)
    reasons += _legibility_reasons(c, scale, min_font_px, min_contrast)
    return reasons


def _presence_reasons(c: dict[str, Any]) -> list[str]:
    out = []
    if c["display_none"]:
        out.append(f"the notice is not displayed (display:none on {c['display_none']})")
    if c["closed_details"]:
        out.append(f"the notice is inside a closed <details> ({c['closed_details']}): "
                   "it shows only after the buyer opens it")
    if not c["line_boxes"] and c["tag"] in ("img", "svg", "canvas", "picture", "object"):
        out.append(f"the notice text is only in an image (<{c['tag']}> {c['selector']}), not "
                   "in the page's text: its legibility cannot be measured")
    elif not c["line_boxes"] and not c["display_none"]:
        out.append("the notice has zero size: none of its text is rendered")
    if any(t["visibility"] != "visible" for t in c["texts"]):
        out.append("the notice text is hidden (visibility:hidden)")
    if c["effective_opacity"] == 0:
        out.append("the notice is fully transparent (opacity 0 on it or an ancestor)")
    for s in c["scrolled_containers"]:
        out.append(f"the notice sits in a scroll container ({s['selector']}) that is scrolled "
                   f"(scrollTop {s['scroll_top']}, scrollLeft {s['scroll_left']} px), so "
                   "what is shown is not its first screen")
    return out


def _position_reasons(c: dict[str, Any], viewport: dict[str, Any]) -> list[str]:
    lines = c["line_boxes"]
    below = sum(1 for ln in lines if ln["where"] in ("below", "partly-below"))
    away = sum(1 for ln in lines if ln["where"] in ("above", "left", "right", "partly-outside"))
    out = []
    size = f"{viewport.get('width', 0):.0f}x{viewport.get('height', 0):.0f} px"
    frame = ", inside an iframe" if c["frame_depth"] else ""
    if below:
        out.append(f"{below} of {len(lines)} text line boxes are below the fold (visible area "
                   f"{size}{frame}): a person must scroll to read them")
    if away:
        out.append(f"{away} of {len(lines)} text line boxes are off-screen (outside the visible "
                   f"area{frame}, e.g. moved away by text-indent or positioning)")
    return out


def _paint_reasons(c: dict[str, Any]) -> list[str]:
    pts = c["points"]
    out = []
    if pts["covered"]:
        out.append(f"the notice is covered by {c['covered_by']} at {pts['covered']} of "
                   f"{pts['total']} sampled points of its text")
    clipped = c["overflow_clipped_by"]
    if clipped:
        out.append(f"the notice is clipped by {clipped} (overflow hidden or zero height)")
    for clip in c["clips"]:
        out.append(f"the notice is clipped by {clip['kind']}: {clip['value']} on "
                   f"{clip['selector']}")
    if pts["not_painted"] and not clipped and not c["clips"] and not any(
            t["visibility"] != "visible" for t in c["texts"]):
        out.append(f"the notice text is not painted at {pts['not_painted']} of {pts['total']} "
                   "sampled points (clipped or hidden)")
    return out


def _legibility_reasons(c: dict[str, Any], scale: float, min_font_px: float,
                        min_contrast: float) -> list[str]:
    texts = c["texts"]
    out = []
    if any(t["transparent"] for t in texts):
        out.append("the notice text is transparent (color or -webkit-text-fill-color has "
                   "alpha 0)")
    fonts = [_rendered_px(t, scale) for t in texts]
    if fonts and min(fonts) < min_font_px:
        out.append(f"the smallest notice text is {min(fonts):.1f} px "
                   f"(minimum {min_font_px:g} px)")
    unknown = [t["background_unknown"] for t in texts if t["background_unknown"]]
    if unknown:
        out.append(f"the contrast cannot be verified: {unknown[0]} (the background is unknown)")
    contrasts = [t["contrast"] for t in texts if t["contrast"] is not None]
    if contrasts and not any(t["transparent"] for t in texts) and min(contrasts) < min_contrast:
        out.append(f"the notice text contrast is {min(contrasts):.2f}:1 "
                   f"(minimum {min_contrast:g}:1)")
    return out


def _rendered_px(text: dict[str, Any], page_scale: float) -> float:
    """Font size as drawn: CSS px times any transform scale and the page's zoom."""
    return float(text["font_px"]) * float(text.get("transform_scale") or 1) * page_scale


def _not_found_reasons(raw: dict[str, Any], selector: str | None,
                       pattern: str | None) -> list[str]:
    images = raw.get("image_matches") or []
    if images:
        return [f"the notice text is only in an image ({images[0]['selector']}, alt "
                f"\"{images[0]['alt']}\"), not in the page's text: it cannot be enlarged, "
                "translated or read aloud reliably, and its legibility cannot be measured"]
    what = " and ".join(x for x in (
        f"selector {selector!r}" if selector else "", f"text /{pattern}/" if pattern else "") if x)
    reasons = []
    if selector and pattern and raw.get("selector_matches"):
        reasons.append(f"{raw['selector_matches']} element(s) match selector {selector!r} but "
                       f"none has text matching /{pattern}/")
    elif what:
        reasons.append(f"no notice matching {what} was found on the page")
    else:
        reasons.append("no notice was found on the page (no selector or text pattern was given "
                       "to look for)")
    frames = (raw.get("searched") or {}).get("cross_origin_frames") or 0
    if frames:
        reasons.append(f"{frames} cross-origin frame(s) could not be searched")
    return reasons

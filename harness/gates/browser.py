"""Browser gates: purchase-flow length, the cooling-off notice, health-declaration errors.
Pure functions: browser evidence + threshold -> Outcome. A journey that did not complete, a
notice that was never measured, or a form check that did not run is INCONCLUSIVE; so is a spot
check (`harness check notice`) of a page that did not load."""

from __future__ import annotations

from collections.abc import Sequence

from harness.model import Comparator, Outcome, Status
from harness.readers.browser import FormErrorEvidence, JourneyEvidence, NoticeSpotEvidence


def flow_length_gate(journey: JourneyEvidence, max_steps: int) -> Outcome:
    """Counted steps from clicking the product to payment done <= max_steps."""
    evidence = _evidence(journey.source, *(s.screenshot for s in journey.steps))
    if not journey.completed:
        return Outcome.inconclusive(
            f"the {journey.journey} journey did not reach payment at {journey.viewport}: "
            f"{journey.error}", evidence=evidence)
    counted = journey.counted_steps
    path = " → ".join(s.description for s in counted)
    fields = {s.description: len(s.fields_filled) for s in counted}
    ok = Comparator.LE.holds(len(counted), max_steps)
    return Outcome(
        status=Status.PASSED if ok else Status.FAILED,
        message=f"{journey.journey} at {journey.viewport} took {len(counted)} steps "
                f"(threshold ≤ {max_steps}): {path}",
        observed=len(counted), threshold=max_steps, comparator=Comparator.LE, unit="steps",
        evidence=evidence,
        details={"screens": [s.screen_id for s in counted], "fields_per_step": fields,
                 "fields_total": sum(fields.values())})


def notice_visible_gate(journey: JourneyEvidence, reasons: Sequence[str] | None,
                        min_font_px: float, min_contrast: float) -> Outcome:
    """The notice is fully visible on the first screen: `reasons` (what a person would not
    see, judged against the feature's thresholds) is empty. None: never measured."""
    notice = journey.notice
    shot = str(notice.get("screenshot")) if notice and notice.get("screenshot") else None
    evidence = _evidence(journey.source, shot)
    if notice is None or reasons is None:
        why = journey.error if not journey.completed else "the journey never reached the notice"
        return Outcome.inconclusive(
            f"the cooling-off notice of {journey.journey} at {journey.viewport} was not "
            f"measured: {why}", evidence=evidence)
    thresholds = f"text ≥ {min_font_px:g} px, contrast ≥ {min_contrast:g}:1"
    details = {k: notice.get(k) for k in ("lines", "lines_in_viewport", "min_font_px",
                                          "min_contrast", "covered_by", "bbox", "viewport")}
    if reasons:
        return Outcome(status=Status.FAILED, observed="not fully visible",
                       threshold="fully visible", unit="", evidence=evidence,
                       message=f"the cooling-off notice of {journey.journey} at "
                               f"{journey.viewport} is not fully visible on the first screen "
                               f"({thresholds}): " + "; ".join(reasons),
                       details={**details, "reasons": list(reasons)})
    return Outcome(status=Status.PASSED, observed="fully visible", threshold="fully visible",
                   evidence=evidence, details=details,
                   message=f"the cooling-off notice of {journey.journey} at {journey.viewport}"
                           f" is fully visible on the first screen ({thresholds})")


def cooling_off_days_gate(journey: JourneyEvidence, days: int | None, min_days: int) -> Outcome:
    """The notice states a cooling-off period of at least `min_days` days."""
    evidence = _evidence(journey.source)
    if journey.notice is None:
        return Outcome.inconclusive(f"the cooling-off notice of {journey.journey} was not "
                                    "measured", evidence=evidence)
    text = str(journey.notice.get("text") or "")[:120]
    if days is None:
        return Outcome(status=Status.FAILED, observed=None, threshold=min_days,
                       comparator=Comparator.GE, unit="days", evidence=evidence,
                       message=f"the notice of {journey.journey} states no number of "
                               f"cooling-off days: “{text}”")
    ok = Comparator.GE.holds(days, min_days)
    return Outcome(status=Status.PASSED if ok else Status.FAILED, observed=days,
                   threshold=min_days, comparator=Comparator.GE, unit="days",
                   evidence=evidence,
                   message=f"the notice of {journey.journey} states {days} cooling-off days "
                           f"(threshold ≥ {min_days}): “{text}”")


def form_errors_gate(check: FormErrorEvidence) -> Outcome:
    """Every rejected field is marked invalid with its own visible message, focus moves to the
    first one, a role=alert summary is announced, axe finds no violation and verifies all."""
    evidence = _evidence(check.source, check.screenshot)
    if not check.form_found or not check.expected_invalid:
        why = f": {check.problems[0]}" if not check.form_found and check.problems else ""
        return Outcome.inconclusive("the health-declaration form was not found or nothing was "
                                    f"rejected, so its errors could not be checked{why}",
                                    evidence=evidence)
    count = len(check.problems)
    if count:
        return Outcome(status=Status.FAILED, observed=count, threshold=0,
                       comparator=Comparator.EQ, unit="problems", evidence=evidence,
                       message="health-declaration errors are not clear: "
                               + "; ".join(check.problems),
                       details={"problems": list(check.problems)})
    return Outcome(status=Status.PASSED, observed=0, threshold=0, comparator=Comparator.EQ,
                   unit="problems", evidence=evidence,
                   message=f"each of the {len(check.expected_invalid)} unanswered questions is "
                           "marked invalid with its own message, focus moves to the first, "
                           "the summary is announced and axe-core verifies the form")


def _evidence(*paths: str | None) -> tuple[str, ...]:
    return tuple(p for p in paths if p)


def notice_spot_gate(spot: NoticeSpotEvidence, min_font_px: float,
                     min_contrast: float) -> Outcome:
    """One viewport of `harness check notice`: a page that did not load, or answered with an
    HTTP error, could not be checked (INCONCLUSIVE); a notice not found is FAILED (the page
    loaded and a person would not see it); otherwise `reasons` decide."""
    where = f"{spot.viewport} ({spot.width}x{spot.height})"
    evidence = _evidence(spot.screenshot)
    if spot.error:
        return Outcome.inconclusive(f"{where}: could not check: {spot.error}", evidence=evidence)
    if spot.http_status is not None and spot.http_status >= 400:
        return Outcome.inconclusive(f"{where}: could not check: the page answered HTTP "
                                    f"{spot.http_status}", evidence=evidence)
    thresholds = f"text ≥ {min_font_px:g} px, contrast ≥ {min_contrast:g}:1"
    details = {"reasons": list(spot.reasons), **spot.measurements}
    if not spot.found or spot.reasons:
        why = "; ".join(spot.reasons) or "the notice was not found"
        return Outcome(status=Status.FAILED, observed="not fully visible",
                       threshold="fully visible", evidence=evidence, details=details,
                       message=f"{where}: not fully visible on the first screen ({thresholds}): "
                               f"{why}")
    return Outcome(status=Status.PASSED, observed="fully visible", threshold="fully visible",
                   evidence=evidence, details=details,
                   message=f"{where}: fully visible on the first screen ({thresholds})")

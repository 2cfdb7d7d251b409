"""Sales-page rules (《互联网保险业务监管办法》, the 可回溯 notice, 《保险销售行为管理办法》) judged
from what the journey measured on each screen (journey.json "regulation",
harness_browser/regulation.py).

Pure functions: journey evidence + the feature's thresholds -> Outcome. Evidence from before
these rules were measured, a journey that stopped before the screens a rule needs, or a
measurement that was not made is INCONCLUSIVE, never passed.
"""

from __future__ import annotations

from harness.model import Comparator, Outcome, Status
from harness.readers.browser import JourneyEvidence, RegulationEvidence, TextRun


def _unmeasured(journey: JourneyEvidence, what: str) -> Outcome:
    why = journey.error if not journey.completed else "this evidence predates the measurement"
    return Outcome.inconclusive(f"{what} of {journey.journey} at {journey.viewport} was not "
                                f"measured: {why}", evidence=(journey.source,))


def traceability_gate(journey: JourneyEvidence, min_dwell_s: float) -> Outcome:
    """The 可回溯 entry prompt is on a screen before the first screen with an input field (text,
    checkbox, radio), shows a button, and is still there after being watched `min_dwell_s`
    seconds without a click. Not watched (long enough): INCONCLUSIVE."""
    rules = journey.regulation
    if rules is None or not rules.screens:
        return _unmeasured(journey, "the traceability prompt")
    where = f"{journey.journey} at {journey.viewport}"
    prompt = next((s for s in rules.screens if s.prompt), None)
    first_input = next((s for s in rules.screens if s.collects_input), None)
    evidence = (journey.source,)
    if first_input is not None and (prompt is None or first_input.step <= prompt.step):
        later = f" (the prompt comes at step {prompt.step})" if prompt else ""
        return _failed(f"the first input field of {where} is on step {first_input.step} "
                       f"({first_input.screen_id}) with no traceability prompt before it{later}",
                       evidence)
    if prompt is None:
        if not journey.completed:
            return _unmeasured(journey, "the traceability prompt")
        return _failed(f"no traceability (可回溯) prompt on any screen of {where}", evidence)
    if not prompt.prompt_buttons:
        return _failed(f"the traceability prompt of {where} ({prompt.screen_id}) shows no button "
                       "for the buyer to acknowledge it", evidence)
    if rules.prompt_dwell_ms is None or rules.prompt_dwell_ms < min_dwell_s * 1000:
        watched = "not watched" if rules.prompt_dwell_ms is None else \
            f"watched only {rules.prompt_dwell_ms / 1000:g} s"
        return Outcome.inconclusive(
            f"the traceability prompt of {where} was {watched} (needs {min_dwell_s:g} s): "
            "whether it waits for a click is unknown", evidence=evidence)
    if not rules.prompt_still_shown:
        return _failed(f"the traceability prompt of {where} went away by itself within "
                       f"{rules.prompt_dwell_ms / 1000:g} s, without the buyer's click", evidence)
    return Outcome(status=Status.PASSED, observed="before any input, waits for a click",
                   threshold="before any input, waits for a click", evidence=evidence,
                   details={"prompt_step": prompt.step, "prompt": prompt.prompt,
                            "buttons": list(prompt.prompt_buttons),
                            "first_input_step": first_input.step if first_input else None},
                   message=f"the traceability prompt of {where} (“{prompt.prompt}”, step "
                           f"{prompt.step}) comes before any input field and was still shown "
                           f"after {rules.prompt_dwell_ms / 1000:g} s; the buyer leaves it with "
                           f"“{prompt.prompt_buttons[0]}”")


def no_preselection_gate(journey: JourneyEvidence) -> Outcome:
    """No checkbox, radio or switch is ticked on arrival at any screen (consents, riders,
    auto-renew, health answers). A journey that stopped early is INCONCLUSIVE unless a ticked box
    was already seen."""
    rules = journey.regulation
    if rules is None or not rules.screens:
        return _unmeasured(journey, "pre-selection")
    ticked = [(s, p) for s in rules.screens for p in s.preselected]
    evidence = (journey.source,)
    where = f"{journey.journey} at {journey.viewport}"
    if ticked:
        listed = "; ".join(f"step {s.step} ({s.screen_id}): {p.get('kind')} "
                           f"“{p.get('label') or p.get('name')}”" for s, p in ticked[:10])
        return Outcome(status=Status.FAILED, observed=len(ticked), threshold=0,
                       comparator=Comparator.EQ, unit="pre-ticked boxes", evidence=evidence,
                       details={"preselected": [dict(p, step=s.step) for s, p in ticked]},
                       message=f"{len(ticked)} box(es) of {where} are ticked before the buyer "
                               f"acts: {listed}")
    if not journey.completed:
        return _unmeasured(journey, "pre-selection on every screen")
    boxes = sum(s.fields.get("checkbox", 0) + s.fields.get("radio", 0) for s in rules.screens)
    return Outcome(status=Status.PASSED, observed=0, threshold=0, comparator=Comparator.EQ,
                   unit="pre-ticked boxes", evidence=evidence,
                   message=f"none of the {boxes} checkboxes and radio buttons on the "
                           f"{len(rules.screens)} screens of {where} is ticked on arrival")


def exclusions_gate(journey: JourneyEvidence, min_weight: float, min_size_ratio: float,
                    min_color_distance: float, min_contrast: float) -> Outcome:
    """Every text run of the exclusion clauses (责任免除) is emphasised against the body text
    (weight ≥ min_weight, or size ≥ min_size_ratio × body, or a colour differing by at least
    min_color_distance in one of R, G, B) and has contrast ≥ min_contrast. No exclusions on
    any screen of a completed journey: FAILED."""
    rules = journey.regulation
    if rules is None:
        return _unmeasured(journey, "the exclusion clauses")
    where = f"{journey.journey} at {journey.viewport}"
    rule = (f"weight ≥ {min_weight:g}, or ≥ {min_size_ratio:g}× the body text, or a colour "
            f"≥ {min_color_distance:g} apart; contrast ≥ {min_contrast:g}:1")
    found = rules.exclusions
    if found is None:
        if not journey.completed:
            return _unmeasured(journey, "the exclusion clauses")
        return _failed(f"no exclusion clauses (责任免除) were found on any screen of {where}",
                       (journey.source,))
    weak = [(run, _why_weak(run, found.body_font_px, found.body_color, min_weight,
                            min_size_ratio, min_color_distance, min_contrast))
            for run in found.runs]
    weak = [(run, why) for run, why in weak if why]
    details = {"body_font_px": found.body_font_px, "body_color": found.body_color,
               "runs": len(found.runs), "screen": found.screen_id}
    if weak:
        listed = "; ".join(f"“{run.text[:24]}” {why}" for run, why in weak[:5])
        return Outcome(status=Status.FAILED, observed=len(weak), threshold=0,
                       comparator=Comparator.EQ, unit="plain runs", evidence=(journey.source,),
                       details=details,
                       message=f"{len(weak)} of {len(found.runs)} text runs of the exclusion "
                               f"clauses of {where} are not emphasised ({rule}): {listed}")
    return Outcome(status=Status.PASSED, observed=0, threshold=0, comparator=Comparator.EQ,
                   unit="plain runs", evidence=(journey.source,), details=details,
                   message=f"all {len(found.runs)} text runs of the exclusion clauses of "
                           f"{where} are emphasised ({rule})")


def _why_weak(run: TextRun, body_px: float | None, body_color: tuple[int, int, int] | None,
              min_weight: float, min_ratio: float, min_distance: float,
              min_contrast: float) -> str:
    """Empty when the run is emphasised and readable, else what is missing."""
    if run.contrast is None or run.contrast < min_contrast:
        return f"has contrast {run.contrast}:1"
    bold = run.weight >= min_weight
    larger = body_px is not None and run.font_px >= min_ratio * body_px
    distinct = body_color is not None and \
        max(abs(a - b) for a, b in zip(run.color, body_color, strict=True)) >= min_distance
    if bold or larger or distinct:
        return ""
    return (f"is weight {run.weight:g}, {run.font_px:g} px (body {body_px:g} px) in the body "
            f"text's colour" if body_px is not None else "is like the body text")


def surrender_gate(journey: JourneyEvidence, max_clicks: int) -> Outcome:
    """A visible surrender (退保) entry is at most `max_clicks` clicks from the payment-success
    page. Not found within the depth searched, when the threshold allows deeper: INCONCLUSIVE."""
    rules: RegulationEvidence | None = journey.regulation
    found = rules.surrender if rules else None
    where = f"{journey.journey} at {journey.viewport}"
    if not found:
        return _unmeasured(journey, "the surrender entry")
    evidence = (journey.source,)
    clicks = found.get("clicks")
    searched = int(found.get("max_clicks_searched") or 0)
    if clicks is None:
        if max_clicks > searched:
            return Outcome.inconclusive(f"no surrender entry of {where} within {searched} click"
                                        f"(s); deeper pages were not searched", evidence=evidence)
        hidden = int(found.get("hidden_entries") or 0)
        extra = f" ({hidden} hidden one(s) on the page)" if hidden else ""
        return Outcome(status=Status.FAILED, observed=None, threshold=max_clicks,
                       comparator=Comparator.LE, unit="clicks", evidence=evidence,
                       details={"searched": found.get("searched")},
                       message=f"no visible surrender (退保) entry of {where} within {searched} "
                               f"click(s) of the payment-success page{extra}; searched "
                               f"{', '.join(found.get('searched') or [])}")
    entry = found.get("entry") or {}
    ok = Comparator.LE.holds(int(clicks), max_clicks)
    return Outcome(status=Status.PASSED if ok else Status.FAILED, observed=int(clicks),
                   threshold=max_clicks, comparator=Comparator.LE, unit="clicks",
                   evidence=evidence, details={"url": found.get("url"), "entry": entry},
                   message=f"the surrender entry “{entry.get('text')}” of {where} is {clicks} "
                           f"click(s) from the payment-success page (threshold ≤ {max_clicks})")


def _failed(message: str, evidence: tuple[str, ...]) -> Outcome:
    return Outcome(status=Status.FAILED, message=message, evidence=evidence)

"""Cooling-off notice on the first screen (features/disclosures).

The journey measured the notice once; here the feature's thresholds are applied to those
measurements (harness_browser.notice_reading.interpret), so a re-judge uses the numbers in the
feature."""

from pytest_bdd import parsers, then

from harness.gates.browser import cooling_off_days_gate, notice_visible_gate
from harness.pytest_plugin import RecordCriterion
from harness.readers.browser import JourneyEvidence
from harness_browser.cooling_off import parse_cooling_off_days
from harness_browser.notice_reading import interpret

# what these steps read, for `harness steps`
EVIDENCE = "raw/browser/<product>/<viewport>/journey.json (notice measurement), notice.png"


@then(parsers.parse("犹豫期提示完整显示在首屏，字号不小于{min_font_px:g}px，对比度不低于"
                    "{min_contrast:g}:1"))
@then(parsers.parse("the cooling-off notice is fully visible on the first screen with text of "
                    "at least {min_font_px:g} px and contrast of at least {min_contrast:g}:1"))
def notice_visible(journey: JourneyEvidence, min_font_px: float, min_contrast: float,
                   record_criterion: RecordCriterion) -> None:
    reasons = None
    notice = journey.notice
    if notice is not None and notice.get("measurement"):
        check = interpret(dict(notice["measurement"]), selector=notice.get("selector"),
                          pattern=None, min_font_px=min_font_px, min_contrast=min_contrast)
        reasons = list(check.reasons)
        if not notice.get("scroll_unchanged", True):
            reasons.append("the page scrolled while the notice was measured")
    record_criterion(notice_visible_gate(journey, reasons, min_font_px, min_contrast))


@then(parsers.parse("犹豫期提示写明的犹豫期不少于{min_days:d}天"))
@then(parsers.parse("the cooling-off notice states a cooling-off period of at least "
                    "{min_days:d} days"))
def notice_days(journey: JourneyEvidence, min_days: int,
                record_criterion: RecordCriterion) -> None:
    text = str((journey.notice or {}).get("text") or "")
    days = parse_cooling_off_days(text) if journey.notice else None
    record_criterion(cooling_off_days_gate(journey, days, min_days))

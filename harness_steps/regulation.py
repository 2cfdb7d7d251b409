"""Sales-page rules (features/regulation): judged from the per-screen measurements every
purchase journey records (journey.json "regulation"); no journey is driven again for them."""

from pytest_bdd import parsers, then

from harness.gates.regulation import (
    exclusions_gate,
    no_preselection_gate,
    surrender_gate,
    traceability_gate,
)
from harness.pytest_plugin import RecordCriterion
from harness.readers.browser import JourneyEvidence

# what these steps read, for `harness steps`
EVIDENCE = "raw/browser/<product>/<viewport>/journey.json (regulation measurements per screen)"


@then(parsers.parse("可回溯提示出现在任何输入项之前，且在没有点击的情况下至少{min_dwell_s:g}秒"
                    "后仍在显示"))
@then(parsers.parse("the traceability prompt is shown before any input field and is still "
                    "shown after at least {min_dwell_s:g} s without a click"))
def traceability_first(journey: JourneyEvidence, min_dwell_s: float,
                       record_criterion: RecordCriterion) -> None:
    record_criterion(traceability_gate(journey, min_dwell_s))


@then("到达每个页面时，没有任何复选框或单选按钮被默认勾选")
@then("no checkbox or radio button is ticked on arrival at any screen")
def nothing_ticked(journey: JourneyEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(no_preselection_gate(journey))


@then(parsers.parse("责任免除条款的每一行都突出显示：字重不低于{min_weight:g}，或字号至少是正文的"
                    "{min_ratio:g}倍，或颜色与正文至少相差{min_distance:g}；且对比度不低于"
                    "{min_contrast:g}:1"))
@then(parsers.parse("every line of the exclusion clauses has a font weight of at least "
                    "{min_weight:g}, or text at least {min_ratio:g} times the body text, or a "
                    "colour at least {min_distance:g} apart from the body text, and contrast of "
                    "at least {min_contrast:g}:1"))
def exclusions_emphasised(journey: JourneyEvidence, min_weight: float, min_ratio: float,
                          min_distance: float, min_contrast: float,
                          record_criterion: RecordCriterion) -> None:
    record_criterion(exclusions_gate(journey, min_weight, min_ratio, min_distance, min_contrast))


@then(parsers.parse("从支付成功页最多点击{max_clicks:d}次即可到达可见的退保入口"))
@then(parsers.parse("a visible surrender entry is at most {max_clicks:d} click from the "
                    "payment-success page"))
def surrender_reachable(journey: JourneyEvidence, max_clicks: int,
                        record_criterion: RecordCriterion) -> None:
    record_criterion(surrender_gate(journey, max_clicks))

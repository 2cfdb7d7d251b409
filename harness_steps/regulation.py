"""Sales-page rules (features/regulation): judged from the per-screen measurements every
purchase journey records (journey.json "regulation"); no journey is driven again for them.
The disclosure rules (service contact, key facts, insurer, seller, surrender terms, renewal
consent, catch-all health questions, the uncertainty statement) are harness.gates.sales_rules."""

from pytest_bdd import parsers, then

from harness.gates.regulation import (
    exclusions_gate,
    no_preselection_gate,
    surrender_gate,
    traceability_gate,
)
from harness.gates.sales_rules import (
    catch_all_gate,
    key_facts_gate,
    named_gate,
    renewal_consent_gate,
    service_contact_gate,
    surrender_terms_gate,
    uncertainty_gate,
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


@then("支付前的每个页面都展示客服电话和在线客服入口")
@then("a customer-service phone number and an online service entry are shown on every screen "
      "before payment")
def service_contact(journey: JourneyEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(service_contact_gate(journey))


@then("支付前展示产品名称及其备案编号或条款编码、保费、等待期和犹豫期")
@then("the product name with its filing number or clause code, the premium, the waiting period "
      "and the cooling-off period are shown before payment")
def key_facts(journey: JourneyEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(key_facts_gate(journey))


@then("支付前写明承保保险公司的名称")
@then("the insurer is named before payment")
def insurer_named(journey: JourneyEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(named_gate(journey, "insurer"))


@then("支付前写明销售机构的名称")
@then("the seller is named before payment")
def seller_named(journey: JourneyEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(named_gate(journey, "seller"))


@then("支付前说明退保条件和时限")
@then("the surrender conditions and time limits are stated before payment")
def surrender_terms(journey: JourneyEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(surrender_terms_gate(journey))


@then("不会替用户选择自动续保，自动续保只以用户自己勾选的选项提供")
@then("automatic renewal is never chosen for the buyer and is offered only as a box the buyer "
      "ticks")
def renewal_consent(journey: JourneyEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(renewal_consent_gate(journey))


@then("健康告知中没有询问未列明疾病的兜底问题")
@then("the health declaration asks no catch-all question about diseases it does not list")
def no_catch_all(journey: JourneyEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(catch_all_gate(journey))


@then(parsers.parse("保单利益不确定性提示的字重不低于{min_weight:g}，字号至少是产品名称的"
                    "{min_ratio:g}倍"))
@then(parsers.parse("the uncertainty statement has a font weight of at least {min_weight:g} and "
                    "is at least {min_ratio:g} times the size of the product name"))
def uncertainty_statement(journey: JourneyEvidence, min_weight: float, min_ratio: float,
                          record_criterion: RecordCriterion) -> None:
    record_criterion(uncertainty_gate(journey, min_weight, min_ratio))

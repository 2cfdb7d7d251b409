"""Purchase flow length (features/purchase_flow)."""

from pytest_bdd import parsers, then

from harness.gates.browser import flow_length_gate
from harness.pytest_plugin import RecordCriterion
from harness.readers.browser import JourneyEvidence

# what these steps read, for `harness steps`
EVIDENCE = "raw/browser/<product>/<viewport>/journey.json (steps)"


@then(parsers.parse("从点击产品到支付完成不超过{max_steps:d}步"))
@then(parsers.parse("the journey takes at most {max_steps:d} steps from clicking the product "
                    "to payment done"))
def at_most_steps(journey: JourneyEvidence, max_steps: int,
                  record_criterion: RecordCriterion) -> None:
    record_criterion(flow_length_gate(journey, max_steps))

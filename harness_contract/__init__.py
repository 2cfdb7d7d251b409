"""The evidence contract: what producers (harness_browser, harness_load, a user's own) write
under a run directory and what the judge (harness) reads. Standard library only; it imports
neither the judge nor any producer.

    layout        the raw/ path names under a run directory
    viewports     the named viewports and their sizes
    loopback      the rule for which targets load may be sent to
    journey       journey.json          JourneyRecord
    journey_plan  journeys.json         JourneyPlan (what each journey declares: viewports, not
                                        applicable criteria, its own target)
    pages         pages.json            PageIndex (the HTML of every screen, gzip, SHA-256)
    sales_rules   journey.json's per-screen disclosure measurements (SalesScreenRecord)
    form_errors   form-errors.json      FormErrorsRecord
    generator     generator.jsonl       GeneratorSample (a line), GeneratorLog (the file);
                  phases.json           LoadPlanRecord
    purchases     purchases.jsonl       PurchaseLine (a line), PurchaseLog (the file)
    reconciliation reconciliation.json  ReconciliationRecord
    client_errors which failures.csv errors are the generator's own

Every record has `to_json()` for producers and a strict `from_json(text, file)` for readers;
any defect raises `EvidenceInvalid(file, field, problem)`, whose message names all three.
"""

from harness_contract.errors import EvidenceInvalid
from harness_contract.form_errors import FormErrorsRecord
from harness_contract.generator import (
    GeneratorLog,
    GeneratorSample,
    LoadPlanRecord,
    PlanPhase,
    WorkerSample,
)
from harness_contract.journey import JourneyRecord, RegulationRecord, StepRecord
from harness_contract.layout import RunLayout
from harness_contract.loopback import NotLoopback, check_local_target
from harness_contract.purchases import PurchaseLine, PurchaseLog
from harness_contract.reconciliation import ReconciliationRecord, StoreJourney
from harness_contract.viewports import VIEWPORT_NAMES, VIEWPORT_SIZES

__all__ = [
    "VIEWPORT_NAMES", "VIEWPORT_SIZES", "EvidenceInvalid", "FormErrorsRecord", "GeneratorLog",
    "GeneratorSample", "JourneyRecord", "LoadPlanRecord", "NotLoopback", "PlanPhase",
    "PurchaseLine", "PurchaseLog", "ReconciliationRecord", "RegulationRecord", "RunLayout",
    "StepRecord", "StoreJourney", "WorkerSample", "check_local_target",
]

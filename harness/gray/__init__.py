"""Gray-release cohort statistics: is the gray cohort worse than control, and can we tell?

    readers.cohort  -> EventLog (integer-coded events)   events.py
    metrics         -> per-user funnel counts, samples   metrics.py, samples.py
    comparison      -> GrayComparison (+ Holm)           comparison.py, multiplicity.py
    statistics      -> Wilson/Newcombe, FM/MN score, Hodges-Lehmann, Welch, SRM, MDE
    gates.gray      -> Outcome per guardrail (harness/gates/gray.py)
    report, chart   -> table, gray.json, PNG charts

DataFrames and arrays stay inside this package and the reader; gates receive frozen samples.
"""

from harness.gray.comparison import GUARDRAILS, GrayComparison, compare
from harness.gray.events import EVENTS, EventLog, Provenance
from harness.gray.means import MeanSummary
from harness.gray.samples import DurationSample, MeanSample, ProportionSample
from harness.gray.srm import SampleRatio

__all__ = [
    "EVENTS",
    "GUARDRAILS",
    "DurationSample",
    "EventLog",
    "GrayComparison",
    "MeanSample",
    "MeanSummary",
    "ProportionSample",
    "Provenance",
    "SampleRatio",
    "compare",
]

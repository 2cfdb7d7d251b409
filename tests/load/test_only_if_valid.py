"""A latency or error criterion is trusted only when the generator itself was valid."""

from harness.gates.load import only_if_valid
from harness.model import Outcome, Status

MEASURED = Outcome(status=Status.PASSED, message="p95 of 5 pay was 19 ms")


def test_a_valid_generator_keeps_the_outcome() -> None:
    valid = Outcome(status=Status.PASSED, message="50 users held")
    assert only_if_valid(MEASURED, valid) is MEASURED


def test_an_invalid_or_unjudged_generator_makes_it_inconclusive_naming_why() -> None:
    saturated = Outcome.inconclusive("worker-1 at 97 % CPU")
    for validity, why in ((saturated, "worker-1 at 97 % CPU"), (None, "not judged")):
        judged = only_if_valid(MEASURED, validity)
        assert judged.status is Status.INCONCLUSIVE
        assert why in judged.message
        assert "p95 of 5 pay was 19 ms" in judged.message


def test_a_failed_measurement_is_not_trusted_either() -> None:
    failed = Outcome(status=Status.FAILED, message="p95 of 5 pay was 2,400 ms")
    judged = only_if_valid(failed, Outcome.inconclusive("users not reached"))
    assert judged.status is Status.INCONCLUSIVE

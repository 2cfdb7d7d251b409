"""The probe after the load: a listening port answers, a closed one does not (and says why);
a dead store's Source makes the verdict INCONCLUSIVE first, also when re-judged from its record.
"""

from __future__ import annotations

import socket
from pathlib import Path

from harness.model import Criterion, Decision, Outcome, Status
from harness.policy import Policy
from harness.store_probe import recorded_store_down, store_down_source, store_refuses
from harness.verdict import STORE_ID, decide


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_listening_store_answers_and_a_closed_port_is_refused() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert store_refuses(f"http://127.0.0.1:{server.getsockname()[1]}/shop") is None
    why = store_refuses(f"http://127.0.0.1:{_closed_port()}", wait_s=0.5)
    assert why is not None and "ConnectionRefusedError" in why


def test_a_dead_store_is_inconclusive_first_and_survives_a_rejudge(tmp_path: Path) -> None:
    passed = Criterion("f :: s", "f", "s", ("blocker",), Outcome(Status.PASSED, "ok"))
    source = store_down_source(tmp_path, "http://user:pw@127.0.0.1:9/", "refused")
    assert "pw" not in source.detail and "did not answer after the load phase" in source.detail
    verdict = decide([passed], Policy(), sources=[source])
    assert verdict.decision is Decision.INCONCLUSIVE and verdict.reasons == (STORE_ID,)
    again = recorded_store_down(tmp_path)
    assert again is not None and source.detail in again.detail
    (tmp_path / "store-down.json").write_text("{", encoding="utf-8")  # damaged: still counts
    damaged = recorded_store_down(tmp_path)
    assert damaged is not None
    assert decide([passed], Policy(), sources=[damaged]).decision is Decision.INCONCLUSIVE
    assert recorded_store_down(tmp_path / "nowhere") is None

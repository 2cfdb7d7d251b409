"""purchases.jsonl (raw/load/): what each simulated buyer was told at payment, one line per
payment attempt; and the cross-check against Locust's own count of completed purchases.

A line is `paid` (with the charged amount and the policy number the buyer got) or `failed`
(with neither). The file is checked whole: a journey or idempotency key appears once (a
repeated line is ambiguous, not a second purchase). `check_against_locust` refuses a log with
fewer paid lines than Locust counted successful purchases: the log was cut.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from harness_contract._record import dumps
from harness_contract.errors import EvidenceInvalid
from harness_contract.fields import MAX_FEN, Obj, json_lines, loads

STATUSES = ("paid", "failed")


@dataclass(frozen=True)
class PurchaseLine:
    status: str
    journey_id: str
    idempotency_key: str
    premium_fen: int
    charged_fen: int | None
    policy_number: str | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def paid(self) -> bool:
        return self.status == "paid"

    def to_json(self) -> str:
        data = {**self.extra, **{k: v for k, v in asdict(self).items() if k != "extra"}}
        text = dumps(data, indent=None)
        PurchaseLine.from_json(text, "purchases.jsonl (to_json)")
        return text

    @classmethod
    def from_json(cls, text: str, file: str, line: int | None = None) -> PurchaseLine:
        return cls.from_obj(Obj(loads(text, file, line), file, line))

    @classmethod
    def from_obj(cls, o: Obj) -> PurchaseLine:
        status = o.choice("status", STATUSES)
        paid = status == "paid"
        charged = o.integer("charged_fen", hi=MAX_FEN) if paid else o.opt_integer("charged_fen")
        number = o.text("policy_number") if paid else o.opt_text("policy_number")
        if not paid and (charged is not None or number is not None):
            raise o.fail("status", "is 'failed' but a charge or a policy number is recorded")
        known = {"status", "journey_id", "idempotency_key", "premium_fen", "charged_fen",
                 "policy_number"}
        return cls(status=status, journey_id=o.text("journey_id"),
                   idempotency_key=o.text("idempotency_key"),
                   premium_fen=o.integer("premium_fen", lo=1, hi=MAX_FEN),
                   charged_fen=charged, policy_number=number,
                   extra={k: v for k, v in o.data.items() if k not in known})


@dataclass(frozen=True)
class PurchaseLog:
    lines: tuple[PurchaseLine, ...]
    file: str

    @property
    def paid(self) -> tuple[PurchaseLine, ...]:
        return tuple(p for p in self.lines if p.paid)

    @classmethod
    def from_text(cls, text: str, file: str) -> PurchaseLog:
        """An empty file is a run with no payment attempt (the judge decides what that means)."""
        if not text.strip():
            return cls((), file)
        lines: list[PurchaseLine] = []
        journeys: dict[str, int] = {}
        keys: dict[str, int] = {}
        for number, data in json_lines(text, file):
            p = PurchaseLine.from_obj(Obj(data, file, number))
            for seen, value, name in ((journeys, p.journey_id, "journey_id"),
                                      (keys, p.idempotency_key, "idempotency_key")):
                if value in seen:
                    raise EvidenceInvalid(file, name, f"{value!r} is on line {seen[value]} "
                                          "already: a repeated record is ambiguous", number)
                seen[value] = number
            lines.append(p)
        return cls(tuple(lines), file)


def check_against_locust(log: PurchaseLog, successes: int, failures: int,
                         stats_file: str) -> None:
    """Locust counted `successes` completed purchases (its `purchase` event): the log must hold
    at least as many paid lines (more is possible: a worker killed before its last stats report
    kept its lines); failed payments are a subset of Locust's failed purchases."""
    paid = len(log.paid)
    if paid < successes:
        raise EvidenceInvalid(log.file, "", f"holds {paid} paid purchase(s) but {stats_file} "
                              f"counts {successes} completed: the log was cut or lines were lost")
    failed = len(log.lines) - paid
    if failed > failures:
        raise EvidenceInvalid(log.file, "", f"holds {failed} failed payment(s) but "
                              f"{stats_file} counts only {failures} failed purchase(s)")

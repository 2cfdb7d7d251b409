"""`harness gray EVENTS`: compare the gray cohort with control and answer GO / NO-GO /
INCONCLUSIVE; prints the table (or JSON) and writes gray.json, funnel.png, duration.png."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import ConfigError, EvidenceError
from harness.model import Decision, ExitCode
from harness.secret import mask_text, mask_url

if TYPE_CHECKING:  # numpy, scipy, pyarrow and matplotlib load in run(), not for --help
    from harness.gates.gray import GrayThresholds

# GrayThresholds' defaults, for --help without importing scipy (a test keeps them equal)
DEFAULTS: dict[str, float] = {"conversion_margin_pp": 1.0, "error_margin_pp": 1.0,
                              "duration_margin_s": 5.0, "health_views_margin": 0.1,
                              "alpha": 0.05, "power": 0.8, "srm_alpha": 0.001}

EPILOG = """\
Each guardrail (conversion, health-declaration error ratio, views per user, time on the
application page) is FAILED when gray is significantly worse (Holm-adjusted) and its estimate
is past the margin, PASSED when non-inferiority at the margin is shown, and INCONCLUSIVE when
the split mismatches (sample-ratio p < --srm-alpha), when the cohorts are too small to detect
the margin (the minimum detectable effect is printed) or when neither is shown.
Exit: 0 GO, 1 NO-GO, 2 usage or configuration error, 3 INCONCLUSIVE (also for invalid events).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("events", metavar="EVENTS",
                        help="events file (CSV in UTF-8 or GBK, Parquet) or a SQLAlchemy "
                             "database URL such as sqlite:///shop.db (with --table or --query)")
    parser.add_argument("--table", help="table holding the events (database URL only)")
    parser.add_argument("--query", help="SQL query returning the event columns (database URL)")
    parser.add_argument("--split", "--gray-share", dest="gray_share", default="0.5",
                        metavar="SHARE", help="configured share of users in gray: 0.05 or 5%% "
                                              "(default 0.5)")
    parser.add_argument("--control-label", action="append", default=None, metavar="LABEL",
                        help="cohort value meaning control (repeat or comma-separate; "
                             "default control)")
    parser.add_argument("--gray-label", action="append", default=None, metavar="LABEL",
                        help="cohort value meaning gray (repeat or comma-separate; default gray)")
    t = argparse.Namespace(**DEFAULTS)
    parser.add_argument("--margin-pp", type=float, default=t.conversion_margin_pp,
                        help="how many points lower gray conversion may be (default %(default)s)")
    parser.add_argument("--error-margin-pp", type=float, default=t.error_margin_pp,
                        help="how many points higher the health-declaration error ratio may be "
                             "(default %(default)s)")
    parser.add_argument("--duration-margin-s", type=float, default=t.duration_margin_s,
                        help="how many seconds longer on the application page (default "
                             "%(default)s)")
    parser.add_argument("--views-margin", type=float, default=t.health_views_margin,
                        help="how many more health-declaration views per user (default "
                             "%(default)s)")
    parser.add_argument("--alpha", type=float, default=t.alpha,
                        help="two-sided significance level (default %(default)s)")
    parser.add_argument("--power", type=float, default=t.power,
                        help="power required to call a margin detectable (default %(default)s)")
    parser.add_argument("--srm-alpha", type=float, default=t.srm_alpha,
                        help="sample-ratio-mismatch threshold (default %(default)s)")
    parser.add_argument("--since", help="start of the analysis window, ISO 8601 (UTC if no zone)")
    parser.add_argument("--until", help="end of the analysis window (exclusive), ISO 8601")
    parser.add_argument("--json", action="store_true", help="print gray.json instead of the table")
    parser.add_argument("--out", type=Path, help="output folder (default $HARNESS_RUN_DIR/raw/gray"
                                                 " or ./reports/gray-<timestamp>)")


def _share(text: str) -> float:
    try:
        value = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    except ValueError as exc:
        raise ConfigError(f"--split {text!r} is not a number; write 0.05 or 5%") from exc
    if not 0.0 < value < 1.0:
        raise ConfigError(f"--split {text!r} must lie strictly between 0 and 1 (or 0% and 100%)")
    return value


def _labels(values: list[str] | None, default: str) -> tuple[str, ...]:
    parts = [p.strip() for v in (values or [default]) for p in v.split(",") if p.strip()]
    if not parts:
        raise ConfigError(f"empty cohort label; pass e.g. --{default}-label {default}")
    return tuple(parts)


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(f"{option} {text!r} is not ISO 8601; write 2026-05-01T00:00:00Z") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _thresholds(args: argparse.Namespace) -> GrayThresholds:
    from harness.gates.gray import GrayThresholds

    for name in ("alpha", "power", "srm_alpha"):
        if not 0.0 < getattr(args, name) < 1.0:
            raise ConfigError(f"--{name.replace('_', '-')} must lie strictly between 0 and 1")
    for name in ("margin_pp", "error_margin_pp", "duration_margin_s", "views_margin"):
        if not getattr(args, name) > 0.0:
            raise ConfigError(f"--{name.replace('_', '-')} must be a positive number")
    return GrayThresholds(conversion_margin_pp=args.margin_pp, error_margin_pp=args.error_margin_pp,
                          duration_margin_s=args.duration_margin_s,
                          health_views_margin=args.views_margin, alpha=args.alpha,
                          power=args.power, srm_alpha=args.srm_alpha)


def _out_dir(option: Path | None) -> Path:
    if option is not None:
        return option
    run_dir = os.environ.get("HARNESS_RUN_DIR")
    if run_dir:
        return Path(run_dir) / "raw" / "gray"
    return Path("reports") / f"gray-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"


def run(args: argparse.Namespace) -> int:
    from harness.gates.gray import gray_outcomes
    from harness.gray.chart import write_charts
    from harness.gray.comparison import compare
    from harness.gray.report import decide, render_table, report_document, table_rows
    from harness.readers.cohort import CohortLabels, Window, read_cohort_events

    gray_share = _share(args.gray_share)
    thresholds = _thresholds(args)
    labels = CohortLabels(control=_labels(args.control_label, "control"),
                          gray=_labels(args.gray_label, "gray"))
    window = Window(_moment(args.since, "--since"), _moment(args.until, "--until"))
    out = _out_dir(args.out)
    try:
        log = read_cohort_events(args.events, labels=labels, window=window, table=args.table,
                                 query=args.query)
    except EvidenceError as exc:
        return _unreadable(exc, args.events, out)
    comparison = compare(log, gray_share)
    outcomes = gray_outcomes(comparison, thresholds)
    charts = [str(p) for p in write_charts(comparison, out, thresholds.alpha)]
    settings = {**vars(thresholds), "gray_share": gray_share}
    document = report_document(comparison, outcomes, settings, thresholds.alpha, charts)
    document["events"] = mask_url(args.events)
    text = mask_text(json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False))
    (out / "gray.json").write_text(text + "\n", encoding="utf-8")
    decision = decide(outcomes)
    if args.json:
        print(text)
    else:
        print(render_table(table_rows(comparison, outcomes, thresholds.alpha)))
        print()
        for name, outcome in outcomes.items():
            print(mask_text(f"- {name}: {outcome.status.value}: {outcome.message}"))
        _print_provenance(document["provenance"])
        print(f"\ngray decision: {decision.value}  (report: {out / 'gray.json'})")
    return int(ExitCode.for_decision(decision))


def _unreadable(exc: EvidenceError, events: str, out: Path) -> int:
    """Invalid evidence is INCONCLUSIVE (exit 3), never a pass; the reason is kept on disk."""
    out.mkdir(parents=True, exist_ok=True)
    reason = mask_text(str(exc))  # a database URL in the message keeps no password
    document = {"decision": Decision.INCONCLUSIVE.value, "reasons": [reason],
                "events": mask_url(events)}
    (out / "gray.json").write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                                   encoding="utf-8")
    print(f"harness gray: inconclusive: {reason}", file=sys.stderr)
    return int(ExitCode.INCONCLUSIVE)


def _print_provenance(prov: dict[str, object]) -> None:
    notes = [f"{prov['rows_used']:,} of {prov['rows_read']:,} events used"]
    for key, text in (("rows_outside_window", "outside the window"),
                      ("users_in_both_cohorts", "users in both cohorts excluded"),
                      ("rows_unknown_event", "events of unknown type ignored")):
        if prov.get(key):
            notes.append(f"{prov[key]:,} {text}")
    print("\n" + "; ".join(notes), file=sys.stdout)

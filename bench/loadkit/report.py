"""Figures from a load run: percentiles and errors per operation, approvals per second, the targets."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.loadkit.clients import Recorder, Sample

PAGES = ("review page (mine)", "review page (all)")
#: (operation, percentile, most seconds) from issue 7 and bad-input-catalogue.md section 4.2.
LATENCY_TARGETS = (
    *((page, 95, 0.300) for page in PAGES),
    *((page, 99, 1.0) for page in PAGES),
    ("approve", 99, 0.200),
    ("upload", 100, 1.0),
)
APPROVALS_PER_S = 100.0


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of ``values`` (pct 100 is the maximum)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class OpFigures:
    op: str
    count: int
    errors: Counter[str]
    p50: float
    p95: float
    p99: float
    max: float

    def value(self, pct: float) -> float:
        return {50: self.p50, 95: self.p95, 99: self.p99, 100: self.max}[int(pct)]


def op_figures(op: str, samples: Sequence[Sample]) -> OpFigures:
    times = [s.seconds for s in samples] or [0.0]
    return OpFigures(
        op=op,
        count=len(samples),
        errors=Counter(s.outcome for s in samples if s.outcome != "ok"),
        p50=percentile(times, 50),
        p95=percentile(times, 95),
        p99=percentile(times, 99),
        max=max(times),
    )


def summarise(rec: Recorder, duration: float, *, locked: int = 0) -> dict[str, Any]:
    """Everything the report prints, as plain data (``--json`` writes it as it is)."""
    inside = [s for s in rec.samples if 0 <= s.start < duration]  # not the ramp, not after the end
    ops = sorted({s.op for s in inside})
    figures = {op: op_figures(op, [s for s in inside if s.op == op]) for op in ops}
    approved = [s for s in inside if s.op == "approve" and s.outcome == "ok"]
    per_window = _per_window(approved, duration, window=10.0)
    rate = len(approved) / duration if duration else 0.0
    errors = sum(sum(f.errors.values()) for f in figures.values())
    checks = [_latency_check(figures, op, pct, most) for op, pct, most in LATENCY_TARGETS]
    checks.append(("0 errors", errors == 0, f"{errors} errors"))
    checks.append(("no 'database is locked'", locked == 0, f"{locked} in the server log"))
    checks.append((f">= {APPROVALS_PER_S:g} approvals/s", rate >= APPROVALS_PER_S, f"{rate:.1f}/s"))
    if per_window:
        low = min(per_window)
        checks.append(("sustained (slowest 10 s window)", low >= APPROVALS_PER_S, f"{low:.1f}/s"))
    return {
        "duration_s": duration,
        "operations": {
            op: {
                "count": f.count,
                "errors": dict(f.errors),
                "p50_ms": round(f.p50 * 1000, 1),
                "p95_ms": round(f.p95 * 1000, 1),
                "p99_ms": round(f.p99 * 1000, 1),
                "max_ms": round(f.max * 1000, 1),
            }
            for op, f in figures.items()
        },
        "approvals": len(approved),
        "approvals_per_s": round(rate, 1),
        "approvals_per_s_by_10s": [round(r, 1) for r in per_window],
        "p99_ms_by_10s": {  # where in the run the slow requests fell (a burst, or all along)
            op: _p99_per_window([s for s in inside if s.op == op], duration, window=10.0)
            for op in ("approve", *PAGES)
        },
        "database_locked": locked,
        "hostile": _verdicts(rec),
        "notes": sorted(rec.notes),
        "targets": [{"target": name, "met": met, "measured": got} for name, met, got in checks],
    }


def _verdicts(rec: Recorder) -> list[dict[str, Any]]:
    """Per hostile file and outcome: how many uploads ended so, and the slowest upload-to-verdict time."""
    groups: dict[tuple[str, str], list[float]] = {}
    for name, outcome, seconds in rec.verdicts:
        groups.setdefault((name, outcome), []).append(seconds)
    return [
        {"file": name, "outcome": outcome, "uploads": len(times), "slowest_s": round(max(times), 1)}
        for (name, outcome), times in sorted(groups.items())
    ]


def _latency_check(figures: dict[str, OpFigures], op: str, pct: float, most: float) -> tuple[str, bool, str]:
    name = f"{op} {'max' if pct == 100 else f'p{pct:g}'} <= {most * 1000:g} ms"
    found = figures.get(op)
    if found is None:
        return name, False, "not measured"
    got = found.value(pct)
    return name, got <= most, f"{got * 1000:.0f} ms"


def _per_window(samples: Sequence[Sample], duration: float, *, window: float) -> list[float]:
    """Approvals per second in each whole window of the run (a partial last window is left out)."""
    windows = int(duration // window)
    counts = Counter(int(s.start // window) for s in samples)
    return [counts.get(i, 0) / window for i in range(windows)]


def _p99_per_window(samples: Sequence[Sample], duration: float, *, window: float) -> list[float]:
    """p99 latency (ms) of the requests started in each whole window of the run (0 where none)."""
    windows: dict[int, list[float]] = {}
    for s in samples:
        windows.setdefault(int(s.start // window), []).append(s.seconds)
    return [
        round(percentile(windows[i], 99) * 1000) if i in windows else 0
        for i in range(int(duration // window))
    ]


def render(summary: dict[str, Any]) -> str:
    lines = [
        f"{'operation':<20} {'count':>6} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    ]
    for op, f in summary["operations"].items():
        errors = sum(f["errors"].values())
        lines.append(
            f"{op:<20} {f['count']:>6} {errors:>7} {f['p50_ms']:>8} {f['p95_ms']:>8} {f['p99_ms']:>8} {f['max_ms']:>8}"
        )
        lines += [f"{'':<20} {n:>6} x {kind}" for kind, n in f["errors"].items()]
    lines.append(
        f"approvals: {summary['approvals']} in {summary['duration_s']:g} s = {summary['approvals_per_s']}/s "
        f"(per 10 s window: {', '.join(map(str, summary['approvals_per_s_by_10s'])) or '-'})"
    )
    lines += [
        f"{op} p99 ms per 10 s window: {', '.join(map(str, p99s)) or '-'}"
        for op, p99s in summary.get("p99_ms_by_10s", {}).items()
    ]
    lines.append(f"'database is locked' in the server log: {summary['database_locked']}")
    lines += [
        f"  {h['file']}: {h['uploads']} x {h['outcome']} (verdict within {h['slowest_s']} s)"
        for h in summary["hostile"]
    ]
    lines += [f"  {note}" for note in summary["notes"]]
    lines.append("targets:")
    lines += [
        f"  [{'met' if t['met'] else 'MISSED'}] {t['target']}: {t['measured']}" for t in summary["targets"]
    ]
    return "\n".join(lines)

"""Quality of the matcher on the development set (``../shared/eval``: bank.csv + questions.csv).

Run: ``.venv/bin/python bench/matcher_eval.py [--semantic] [--errors] [--no-sweep]``. Prints top-1,
recall@5, the precision and coverage of ``auto``, the share of no-match questions that end in ``none``,
per kind, and a threshold sweep that shows the precision/coverage trade-off behind the default
thresholds. ``--semantic`` (needs ``trustdesk[semantic]``) also builds the index with the semantic
signal, prints one row per mode with the time per question, and sweeps the semantic thresholds.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from core.errors import ConfigError  # noqa: E402
from matcher import BankItem, MatchResult, Thresholds, build_index, match  # noqa: E402
from matcher.match import DEFAULT_SEMANTIC_THRESHOLDS, band_of  # noqa: E402


def eval_dir() -> Path:
    env = os.environ.get("TRUSTDESK_SHARED_DATA")
    root = Path(env).resolve().parent if env else REPO.parent / "shared"
    return root / "eval"


def _split(value: str, sep: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(sep) if part.strip())


def load_bank(path: Path) -> list[BankItem]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            BankItem(
                key=row["key"],
                question=row["question"],
                alternates=_split(row["alternates"], "|"),
                answer=row["answer"],
                short_answer=row["short_answer"] or None,
                category=row["category"],
                controls=_split(row["controls"], ";"),
            )
            for row in csv.DictReader(handle)
        ]


@dataclass(frozen=True)
class Asked:
    question: str
    expected: str
    kind: str


def load_questions(path: Path) -> list[Asked]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [Asked(r["question"], r["expected_key"], r["kind"]) for r in csv.DictReader(handle)]


@dataclass(frozen=True)
class Figures:
    top1: float
    recall5: float
    auto_precision: float
    auto_coverage: float
    nomatch_none: float
    nomatch_auto: int
    auto_count: int


def rebanded(result: MatchResult, thresholds: Thresholds) -> str:
    if not result.candidates:
        return "none"
    scores = [c.score for c in result.candidates]
    return band_of(scores[0], scores[1] if len(scores) > 1 else 0.0, thresholds, first=True)


def figures(asked: Sequence[Asked], results: Sequence[MatchResult], thresholds: Thresholds) -> Figures:
    matched = [(a, r) for a, r in zip(asked, results, strict=True) if a.expected]
    nomatch = [r for a, r in zip(asked, results, strict=True) if not a.expected]
    top1 = sum(bool(r.candidates) and r.candidates[0].entry_key == a.expected for a, r in matched)
    recall5 = sum(a.expected in [c.entry_key for c in r.candidates[:5]] for a, r in matched)
    autos = [(a, r) for a, r in matched if rebanded(r, thresholds) == "auto"]
    right = sum(r.candidates[0].entry_key == a.expected for a, r in autos)
    nomatch_auto = sum(rebanded(r, thresholds) == "auto" for r in nomatch)
    return Figures(
        top1=top1 / max(len(matched), 1),
        recall5=recall5 / max(len(matched), 1),
        auto_precision=right / max(len(autos) + nomatch_auto, 1),
        auto_coverage=len(autos) / max(len(matched), 1),
        nomatch_none=sum(rebanded(r, thresholds) == "none" for r in nomatch) / max(len(nomatch), 1),
        nomatch_auto=nomatch_auto,
        auto_count=len(autos) + nomatch_auto,
    )


@dataclass(frozen=True)
class Timing:
    build_s: float
    match_ms_per_question: float


def run(directory: Path, *, semantic: bool = False) -> tuple[list[Asked], list[MatchResult]]:
    asked, results, _ = timed_run(directory, semantic=semantic)
    return asked, results


def timed_run(directory: Path, *, semantic: bool = False) -> tuple[list[Asked], list[MatchResult], Timing]:
    """Build the index and match every question; the build and the matching timed apart."""
    bank = load_bank(directory / "bank.csv")
    started = time.perf_counter()
    index = build_index(bank, semantic=semantic)
    built = time.perf_counter()
    asked = load_questions(directory / "questions.csv")
    results = match(index, [a.question for a in asked], top_k=5)
    per_question = (time.perf_counter() - built) * 1000 / max(len(asked), 1)
    return asked, results, Timing(built - started, per_question)


def print_overall(
    asked: Sequence[Asked], results: Sequence[MatchResult], thresholds: Thresholds, *, label: str = ""
) -> None:
    f = figures(asked, results, thresholds)
    print(f"{label}thresholds: auto={thresholds.auto} review={thresholds.review} margin={thresholds.margin}")
    print(
        f"{label}top-1 {f.top1:.3f}  recall@5 {f.recall5:.3f}  auto precision {f.auto_precision:.3f} "
        f"({f.auto_count} auto)  auto coverage {f.auto_coverage:.3f}  "
        f"no-match in none {f.nomatch_none:.3f}  no-match auto {f.nomatch_auto}"
    )


def print_per_kind(asked: Sequence[Asked], results: Sequence[MatchResult], thresholds: Thresholds) -> None:
    groups: dict[str, list[int]] = defaultdict(list)
    for position, a in enumerate(asked):
        groups[a.kind].append(position)
    print(f"\n{'kind':<11}{'n':>4}{'top-1':>8}{'recall@5':>10}{'auto':>7}{'auto ok':>9}{'none':>7}")
    for kind, positions in sorted(groups.items()):
        sub_a = [asked[p] for p in positions]
        sub_r = [results[p] for p in positions]
        bands = [rebanded(r, thresholds) for r in sub_r]
        hits = [
            bool(a.expected) and r.candidates[0].entry_key == a.expected
            for a, r in zip(sub_a, sub_r, strict=True)
        ]
        top5 = [
            a.expected in [c.entry_key for c in r.candidates[:5]] for a, r in zip(sub_a, sub_r, strict=True)
        ]
        autos = [i for i, b in enumerate(bands) if b == "auto"]
        print(
            f"{kind:<11}{len(positions):>4}{sum(hits):>8}{sum(top5):>10}{len(autos):>7}"
            f"{sum(hits[i] for i in autos):>9}{bands.count('none'):>7}"
        )


def print_sweep(asked: Sequence[Asked], results: Sequence[MatchResult], base: Thresholds) -> None:
    print(f"\nsweep (review={base.review}); auto precision / auto coverage / no-match auto")
    margins = (0.0, 0.03, 0.06, 0.1)
    print(f"{'auto':>6}" + "".join(f"{'margin ' + str(m):>24}" for m in margins))
    for auto in np.arange(0.40, 0.621, 0.01):
        cells = []
        for margin in margins:
            f = figures(
                asked, results, Thresholds(auto=float(auto), review=min(base.review, auto), margin=margin)
            )
            cells.append(f"{f.auto_precision:.3f}/{f.auto_coverage:.3f}/{f.nomatch_auto}")
        print(f"{auto:>6.2f}" + "".join(f"{c:>24}" for c in cells))
    print(f"\n{'review':>7}{'no-match none':>15}{'matchable in none':>19}")
    for review in np.arange(0.20, 0.451, 0.01):
        t = Thresholds(auto=max(base.auto, float(review)), review=float(review), margin=base.margin)
        f = figures(asked, results, t)
        lost = sum(rebanded(r, t) == "none" for a, r in zip(asked, results, strict=True) if a.expected)
        print(f"{review:>7.2f}{f.nomatch_none:>15.3f}{lost:>19}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--errors", action="store_true", help="list the questions whose top-1 is wrong")
    parser.add_argument("--no-sweep", action="store_true", help="skip the threshold sweep")
    parser.add_argument(
        "--semantic", action="store_true", help="also run the semantic reranker (trustdesk[semantic])"
    )
    args, _ = parser.parse_known_args(argv)  # bench/run.py passes its own arguments to every script
    directory = eval_dir()
    if not (directory / "bank.csv").exists():
        print(
            f"skipped: {directory} has no bank.csv (set TRUSTDESK_SHARED_DATA or place shared/ beside the repo)"
        )
        return 0
    if args.semantic:
        return main_semantic(directory, errors=args.errors, sweep=not args.no_sweep)
    asked, results = run(directory)
    thresholds = Thresholds()
    print_overall(asked, results, thresholds)
    print_per_kind(asked, results, thresholds)
    if not args.no_sweep:
        print_sweep(asked, results, thresholds)
    if args.errors:
        print_errors(asked, results, thresholds)
    return 0


def main_semantic(directory: Path, *, errors: bool, sweep: bool) -> int:
    """Both modes on the same data: one row each, then the semantic per-kind table and sweep."""
    try:
        timed_run(directory, semantic=True)  # warm-up: loads the ONNX session once, outside the timing
        semantic_run = timed_run(directory, semantic=True)
    except ConfigError as exc:
        print(f"skipped --semantic: {exc}")
        return 0
    default_run = timed_run(directory)
    for label, (asked, results, timing), thresholds in (
        ("default  ", default_run, Thresholds()),
        ("semantic ", semantic_run, DEFAULT_SEMANTIC_THRESHOLDS),
    ):
        print_overall(asked, results, thresholds, label=label)
        print(f"{label}build {timing.build_s:.2f} s  match {timing.match_ms_per_question:.2f} ms/question")
    asked, results, _ = semantic_run
    print_per_kind(asked, results, DEFAULT_SEMANTIC_THRESHOLDS)
    if sweep:
        print_sweep(asked, results, DEFAULT_SEMANTIC_THRESHOLDS)
    if errors:
        print_errors(asked, results, DEFAULT_SEMANTIC_THRESHOLDS)
    return 0


def print_errors(asked: Sequence[Asked], results: Sequence[MatchResult], thresholds: Thresholds) -> None:
    print("\nerrors (expected, got, band, score, question)")
    for a, r in zip(asked, results, strict=True):
        top = r.candidates[0] if r.candidates else None
        got = top.entry_key if top else "-"
        band = rebanded(r, thresholds)
        if (a.expected and got != a.expected) or (not a.expected and band != "none"):
            score = top.score if top else 0.0
            print(f"{a.expected or '(none)':<9}{got:<9}{band:<7}{score:.3f}  [{a.kind}] {a.question[:90]}")


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed of the matcher on synthetic banks, beside ``rapidfuzz.process.cdist`` on the same data.

Run: ``.venv/bin/python bench/matcher_speed.py [--quick]``. For Q questions x N entries it prints the
index build time, the match time (index already built), the peak traced memory of each, and the
time of ``cdist(questions, bank questions, scorer=fuzz.token_set_ratio)`` with one worker and with every
core, beside ``match`` with one and two threads (``workers=``). cdist is
skipped when Q x N is above ``--cdist-limit`` pairs (it would take minutes); the output says so.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process

from matcher import BankItem, MatchIndex, build_index, match

T = TypeVar("T")
SECURITY_WORDS = [
    "access",
    "control",
    "encryption",
    "backup",
    "recovery",
    "incident",
    "response",
    "vendor",
    "risk",
    "policy",
    "training",
    "audit",
    "log",
    "monitoring",
    "firewall",
    "network",
    "segmentation",
    "endpoint",
    "malware",
    "patch",
    "vulnerability",
    "scan",
    "penetration",
    "test",
    "identity",
    "password",
    "mfa",
    "sso",
    "privileged",
    "account",
    "review",
    "retention",
    "deletion",
    "privacy",
    "consent",
    "breach",
    "notification",
    "insurance",
    "claim",
    "continuity",
    "disaster",
    "availability",
    "cloud",
    "region",
    "key",
    "management",
    "tls",
    "certificate",
    "secure",
    "development",
    "code",
    "review",
    "change",
    "approval",
    "asset",
    "inventory",
    "laptop",
    "mobile",
    "device",
]
FILLER = [
    "do",
    "you",
    "have",
    "a",
    "the",
    "for",
    "of",
    "and",
    "is",
    "are",
    "your",
    "how",
    "often",
    "describe",
    "what",
    "which",
    "all",
    "our",
    "data",
]
SHORT_ANSWERS = ("Yes", "No", "Partial", None)


def synthetic_words(rng: random.Random, count: int) -> list[str]:
    """Pronounceable made-up words, so the vocabulary grows with the bank as a real one does."""
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    words = set(SECURITY_WORDS)
    while len(words) < count:
        size = rng.randint(2, 4)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(size)))
    return sorted(words)


def sentence(rng: random.Random, vocabulary: Sequence[str], size: int) -> str:
    picks = [rng.choice(vocabulary) if rng.random() < 0.7 else rng.choice(FILLER) for _ in range(size)]
    return " ".join(picks).capitalize() + "?"


def synthetic_bank(n: int, seed: int = 7) -> list[BankItem]:
    rng = random.Random(seed)
    vocabulary = synthetic_words(rng, max(2_000, n // 5))
    return [
        BankItem(
            key=f"SYN-{i:06d}",
            question=sentence(rng, vocabulary, rng.randint(8, 16)),
            answer=sentence(rng, vocabulary, rng.randint(25, 60)),
            short_answer=rng.choice(SHORT_ANSWERS),
            category=rng.choice(("Identity", "Encryption", "Network", "Privacy", "Insurance")),
        )
        for i in range(n)
    ]


def synthetic_questions(bank: Sequence[BankItem], q: int, seed: int = 11) -> list[str]:
    """Rewordings of random entries: words dropped and shuffled."""
    rng = random.Random(seed)
    questions = []
    for _ in range(q):
        words = rng.choice(bank).question.rstrip("?").split()
        kept = [w for w in words if rng.random() < 0.8] or words
        rng.shuffle(kept)
        questions.append(" ".join(kept) + "?")
    return questions


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measured(step: Callable[[], T]) -> tuple[T, float, float]:
    """Run ``step``; return its result, wall seconds and the process's peak RSS afterwards (MiB).

    Time is taken without tracemalloc, which would slow Python code down several times.
    """
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started, peak_rss_mib()


def cdist_seconds(questions: Sequence[str], bank: Sequence[BankItem], workers: int) -> float:
    choices = [item.question for item in bank]
    started = time.perf_counter()
    process.cdist(questions, choices, scorer=fuzz.token_set_ratio, workers=workers, dtype="uint8")
    return time.perf_counter() - started


def run(qs: Sequence[int], ns: Sequence[int], cdist_limit: int) -> None:
    print("peak RSS is the whole process's high-water mark after the step (it only grows)")
    print(
        "match 1 / 2: match() with workers=1 / 2 threads; cdist 1 / all: workers=1 / workers=-1 (every core)"
    )
    print("x 1v1 = cdist 1 / match 1; x 2vall = cdist all / match 2 (the same cores on both sides)")
    header = (
        f"{'N':>8}{'Q':>7}{'build s':>9}{'RSS MiB':>9}{'match 1':>9}{'match 2':>9}{'RSS MiB':>9}"
        f"{'cdist 1':>9}{'cdist all':>10}{'x 1v1':>8}{'x 2vall':>9}"
    )
    print(header)
    for n in ns:
        bank = synthetic_bank(n)
        index: MatchIndex
        index, build_s, build_mib = measured(lambda bank=bank: build_index(bank))
        for q in qs:
            questions = synthetic_questions(bank, q)
            _, one_s, _ = measured(lambda qs=questions, index=index: match(index, qs))
            _, two_s, match_mib = measured(lambda qs=questions, index=index: match(index, qs, workers=2))
            if q * n <= cdist_limit:
                single, every = cdist_seconds(questions, bank, 1), cdist_seconds(questions, bank, -1)
                cells = f"{single:>9.2f}{every:>10.2f}{single / one_s:>8.1f}{every / two_s:>9.1f}"
            else:
                cells = f"{'skipped':>9}{'skipped':>10}{'-':>8}{'-':>9}"
            print(
                f"{n:>8}{q:>7}{build_s:>9.2f}{build_mib:>9.0f}{one_s:>9.2f}{two_s:>9.2f}{match_mib:>9.0f}{cells}"
            )
            sys.stdout.flush()
    print(f"\npeak RSS of the whole run: {peak_rss_mib():.0f} MiB")
    print(f"cdist skipped above {cdist_limit:,} question x entry pairs (it would take minutes).")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Matcher speed on synthetic banks.")
    parser.add_argument(
        "--quick", action="store_true", help="small grid: Q in (100, 1000) x N in (1000, 10000)"
    )
    parser.add_argument("--cdist-limit", type=int, default=10_000_000, help="largest Q x N to run cdist on")
    args, _ = parser.parse_known_args(argv)  # bench/run.py passes its own arguments to every script
    if args.quick:
        run((100, 1_000), (1_000, 10_000), args.cdist_limit)
    else:
        run((100, 1_000, 5_000), (1_000, 10_000, 100_000), args.cdist_limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``--repeat N`` and ``--quick`` options of the benchmarks that repeat one measurement."""

from __future__ import annotations

import argparse


def repeat_options(
    doc: str | None, argv: list[str] | None, *, default: int, quick: int, what: str
) -> argparse.Namespace:
    """``--repeat`` (``default``) and ``--quick`` (``quick`` repeats); other arguments are ignored,
    since ``bench/run.py`` passes its own to every script."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=default, help=f"{what} (default {default})")
    parser.add_argument("--quick", action="store_true", help=f"{quick} of each (make bench)")
    args, _ = parser.parse_known_args(argv)
    if args.quick:
        args.repeat = quick
    return args

"""Functions run in the sandbox's child process by tests/core/test_sandbox.py (importable by name)."""

from __future__ import annotations

import time

from core.errors import CorruptFile


def double(x: int) -> int:
    return x * 2


def corrupt() -> None:
    raise CorruptFile("the sheet is damaged", where="vendor.xlsx!Security!C14", fix="re-save it in Excel")


def sleep_forever() -> None:
    time.sleep(60)


def eat_memory() -> None:
    hoard = []
    while True:
        hoard.append(bytearray(20_000_000))


def crash() -> float:
    return 1 / 0


def hold(seconds: float) -> tuple[float, float]:
    """Run for ``seconds`` and say when (monotonic clock, shared by every process on the machine)."""
    started = time.monotonic()
    time.sleep(seconds)
    return started, time.monotonic()


def burn_cpu() -> None:
    while True:
        pass

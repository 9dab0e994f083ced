"""``bench/bad_input_speed.py`` (the timing of catalogue U12-U14) still reaches the verdicts it times."""

from __future__ import annotations

import pytest

from bench import bad_input_speed


def test_the_bad_input_benchmark_times_the_refusal_and_the_two_bounded_imports(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bad_input_speed.main(["--repeat", "1"]) == 0
    lines = {line.split("  ")[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "refused" in lines["U12 zip bomb"] and "expands 1,027-fold" in lines["U12 zip bomb"]
    assert lines["U13 far cell"].endswith("5 questions")
    assert lines["U14 lying dimension"].endswith("5 questions")

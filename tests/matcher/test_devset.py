"""Quality on the development set (../shared/eval); skipped when it is absent.

The floors are the figures measured with the default thresholds (see docs/benchmarks.md) minus a
small margin, so a regression fails here while noise does not.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from matcher import Thresholds
from tests.shared_data import REPO, require_shared


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("matcher_eval", REPO / "bench" / "matcher_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("matcher_eval", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared_data
def test_dev_set_quality_floors() -> None:
    directory: Path = require_shared("eval", "bank.csv").parent
    bench = _bench()
    asked, results = bench.run(directory)
    f = bench.figures(asked, results, Thresholds())
    report = (
        f"top-1 {f.top1:.3f}, recall@5 {f.recall5:.3f}, auto precision {f.auto_precision:.3f}, "
        f"auto coverage {f.auto_coverage:.3f}, no-match in none {f.nomatch_none:.3f}, no-match auto {f.nomatch_auto}"
    )
    assert f.top1 >= 0.90, report  # measured 0.923
    assert f.recall5 >= 0.98, report  # measured 0.992
    assert f.auto_precision >= 0.98, report  # measured 1.000
    assert f.auto_coverage >= 0.58, report  # measured 0.608
    assert f.nomatch_none >= 0.76, report  # measured 0.800
    assert f.nomatch_auto == 0, report

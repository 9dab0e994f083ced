"""How fast the hostile spreadsheets of catalogue 2.1 get their verdict: U12, U13 and U14.

Run: ``.venv/bin/python bench/bad_input_speed.py [--quick] [--repeat N]`` (``make bench`` runs it too).

The tests (``tests/catalogue/test_uploads.py``, ``tests/ingest/test_bad_input.py``) assert each verdict;
this script measures how long ``ingest.parse`` takes to reach it, beside the catalogue's figure:

- U12, a zip-bomb XLSX (``bench/loadkit/hostile.py``): refused by the archive check from the zip's
  central directory, before anything is inflated (catalogue: under 10 ms);
- U13, an XLSX of five questions plus one cell at XFD1048576 (catalogue: only the real rows, no memory
  growth);
- U14, the same five questions under a ``<dimension>`` that claims A1:XFD1048576 (catalogue: under 1 s).

Each runs ``--repeat`` times in this process after one warm-up (imports excluded); the median and the
slowest are printed, with the process's peak RSS so far after each case (U12 comes last: generating the
bomb takes 100 MB). The files are generated in memory.
"""

from __future__ import annotations

import argparse
import io
import re
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook

import ingest
from bench.loadkit.hostile import zip_bomb_xlsx
from bench.loadkit.options import repeat_options
from core.errors import TrustdeskError

SHEET = "xl/worksheets/sheet1.xml"
FAR_ROW = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row></sheetData>'


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    return repeat_options(__doc__, argv, default=20, quick=5, what="parses of each file")


def five_questions() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Security"
    ws.append(["ID", "Question", "Answer"])
    for n, text in enumerate(
        (
            "Do you enforce MFA for all staff?",
            "Is data encrypted at rest?",
            "Are backups tested every quarter?",
            "Do you run EDR on every endpoint?",
            "Is there an incident response plan?",
        ),
        start=1,
    ):
        ws.append([f"Q{n}", text, None])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def patched(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """``data`` (an XLSX) with its first worksheet rewritten by ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, change(body) if item.filename == SHEET else body)
    return out.getvalue()


def far_cell(sheet: bytes) -> bytes:
    return sheet.replace(b"</sheetData>", FAR_ROW)


def lying_dimension(sheet: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)


def verdict(path: Path) -> str:
    try:
        found = ingest.parse(path)
    except TrustdeskError as exc:
        return f"refused: {str(exc).split('. Fix:')[0]}"
    return f"{len(found.questions)} questions"


def timed(path: Path, repeat: int) -> tuple[str, list[float]]:
    said = verdict(path)  # warm-up, and the verdict every run must repeat
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        again = verdict(path)
        times.append(1000 * (time.perf_counter() - started))
        assert again == said, (again, said)
    return said, times


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    cases: list[tuple[str, str, Callable[[], bytes], str]] = [
        ("U13 far cell", "far.xlsx", lambda: patched(five_questions(), far_cell), "real rows only"),
        ("U14 lying dimension", "lie.xlsx", lambda: patched(five_questions(), lying_dimension), "under 1 s"),
        ("U12 zip bomb", "bomb.xlsx", zip_bomb_xlsx, "under 10 ms"),  # last: making it takes 100 MB
    ]
    print(f"imports done, peak RSS {peak_rss_mb():.0f} MB ({args.repeat} runs of each)")
    print(
        f"{'case':20} {'file KB':>8} {'median ms':>10} {'max ms':>8} {'peak MB':>8}  {'catalogue':14} verdict"
    )
    with tempfile.TemporaryDirectory(prefix="trustdesk-bad-input-") as tmp:
        for name, filename, make, target in cases:
            data = make()
            path = Path(tmp) / filename
            path.write_bytes(data)
            said, times = timed(path, args.repeat)
            print(
                f"{name:20} {len(data) / 1024:8.1f} {statistics.median(times):10.2f} {max(times):8.2f}"
                f" {peak_rss_mb():8.0f}  {target:14} {said}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Parse speed and peak memory of ``ingest.parse`` per format, on questionnaires generated at run time.

Run: ``.venv/bin/python bench/ingest_speed.py [--quick] [--repeat N]`` (``make bench`` runs it too).

Generated in a temporary directory (nothing is kept): XLSX questionnaires of 5,000 and 20,000 rows
(openpyxl), the same rows as CSV, a DOCX of ~300 questions as a table and as numbered paragraphs
(python-docx), a ~50-page text PDF with one table per page (reportlab). Each parse runs in a fresh
child process (this script with ``--child``), so its peak RSS is its own: the child reports its
high-water RSS (``VmHWM``) after importing ``ingest`` and every reader (the baseline) and after parsing. The real files under
``../shared/data/questionnaires`` are timed too when that folder exists. Times are wall-clock seconds
of ``ingest.parse`` alone (imports excluded), the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data" / "questionnaires"
READABLE = {".xlsx", ".xlsm", ".csv", ".docx", ".pdf", ".json"}
MAX_ROWS = 25_000  # the 20,000-question sheet has a title and a header row: above the default limit of 20,000
DOMAINS = ("Governance", "Access Control", "Cryptography", "Logging", "Network", "Resilience")
VERBS = ("Do you", "Is there", "Are staff", "Does the service", "Have you")
TOPICS = (
    "enforce multi-factor authentication for administrators",
    "review access rights of privileged accounts every quarter",
    "encrypt customer data at rest with keys held in a managed service",
    "retain security logs for at least twelve months",
    "test restores from backup at least once a year",
    "scan production hosts for vulnerabilities every week",
)


def question(i: int) -> str:
    return f"{VERBS[i % len(VERBS)]} {TOPICS[i % len(TOPICS)]} (control {i})?"


def rows(n: int) -> list[tuple[str, str, str, str]]:
    """``n`` questions in domains of 50: (section, id, text, existing answer)."""
    out = []
    for i in range(n):
        answer = ("Yes", "No", "", "")[i % 4]
        out.append(
            (
                DOMAINS[i // 50 % len(DOMAINS)],
                f"{DOMAINS[i // 50 % 6][:3].upper()}-{i + 1:05d}",
                question(i),
                answer,
            )
        )
    return out


def make_xlsx(path: Path, n: int) -> int:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Questionnaire"
    ws.append(["Vendor security questionnaire (generated for the ingest benchmark)"])
    ws.append(["Domain", "ID", "Question", "Answer", "Comments"])
    for row in rows(n):
        ws.append([*row, None])
    validation = DataValidation(type="list", formula1='"Yes,No,N/A"', allow_blank=True)
    validation.add(f"D3:D{n + 2}")
    ws.add_data_validation(validation)
    wb.save(path)
    return n


def make_csv(path: Path, n: int) -> int:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Domain", "ID", "Question", "Answer"])
        writer.writerows(rows(n))
    return n


def make_docx_table(path: Path, n: int) -> int:
    from docx import Document

    doc = Document()
    doc.add_heading("Vendor security questionnaire", level=1)
    doc.add_paragraph("Answer every question in the Answer column.")
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ("ID", "Question", "Answer"), strict=True):
        cell.text = title
    for _, qid, text, answer in rows(n):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = qid, text, answer
    doc.save(str(path))
    return n


def make_docx_numbered(path: Path, n: int) -> int:
    from docx import Document

    doc = Document()
    doc.add_heading("Vendor security questionnaire", level=1)
    for i, (section, _, text, _) in enumerate(rows(n)):
        if i % 50 == 0:
            doc.add_heading(f"{i // 50 + 1}. {section}", level=2)
        doc.add_paragraph(f"{i // 50 + 1}.{i % 50 + 1} {text}")
        doc.add_paragraph("")
    doc.save(str(path))
    return n


def make_pdf(path: Path, pages: int, per_page: int = 6) -> int:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    styles = getSampleStyleSheet()
    story: list[object] = []
    data = rows(pages * per_page)
    for page in range(pages):
        story.append(Paragraph(f"Section {page + 1}: {data[page * per_page][0]}", styles["Heading2"]))
        body = [["ID", "Question", "Answer"]]
        for _, qid, text, answer in data[page * per_page : (page + 1) * per_page]:
            body.append([qid, Paragraph(text, styles["BodyText"]), answer])
        table = Table(body, colWidths=[70, 330, 70])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story.extend([table, PageBreak()])
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return pages


@dataclass(frozen=True)
class Case:
    name: str
    unit: str  # "rows" or "pages"
    filename: str
    make: Callable[[Path], int]


def cases(quick: bool) -> list[Case]:
    small, large, docx_n, pdf_pages = (1_000, 5_000, 100, 10) if quick else (5_000, 20_000, 300, 50)
    return [
        Case(f"XLSX {small:,} rows", "rows", f"q{small}.xlsx", lambda p: make_xlsx(p, small)),
        Case(f"XLSX {large:,} rows", "rows", f"q{large}.xlsx", lambda p: make_xlsx(p, large)),
        Case(f"CSV {small:,} rows", "rows", f"q{small}.csv", lambda p: make_csv(p, small)),
        Case(f"CSV {large:,} rows", "rows", f"q{large}.csv", lambda p: make_csv(p, large)),
        Case(f"DOCX table, {docx_n} questions", "rows", "table.docx", lambda p: make_docx_table(p, docx_n)),
        Case(
            f"DOCX numbered paragraphs, {docx_n} questions",
            "rows",
            "numbered.docx",
            lambda p: make_docx_numbered(p, docx_n),
        ),
        Case(
            f"PDF {pdf_pages} pages, a table per page",
            "pages",
            "tables.pdf",
            lambda p: make_pdf(p, pdf_pages),
        ),
    ]


def peak_rss_kib() -> int:
    """This process's peak RSS: ``VmHWM`` on Linux. Not ``ru_maxrss``, which after fork + exec also holds
    the parent's high-water mark (here the generator's), so every child would report at least that."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(path: str) -> None:
    """Parse ``path`` once in this fresh process and print timings and RSS as JSON."""
    import ingest
    from ingest import registry

    started = time.perf_counter()
    for name in registry.READERS:  # import every reader now: parse time is parsing, not importing
        registry.load_reader(name)
    imported = time.perf_counter() - started
    base = peak_rss_kib()
    started = time.perf_counter()
    try:
        result = ingest.parse(Path(path), limits=ingest.Limits(max_rows=MAX_ROWS))
        outcome = {"questions": len(result.questions), "reader": result.reader, "error": None}
    except Exception as exc:  # reported in the table, never hidden
        outcome = {"questions": 0, "reader": "-", "error": f"{type(exc).__name__}: {exc}"[:70] + "..."}
    seconds = time.perf_counter() - started
    peak = peak_rss_kib()
    print(
        json.dumps({**outcome, "seconds": seconds, "import_s": imported, "base_kib": base, "peak_kib": peak})
    )


def measure(path: Path, repeat: int) -> dict[str, object]:
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    first = runs[0]
    return {
        **first,
        "import_s": statistics.median(float(r["import_s"]) for r in runs),
        "seconds": statistics.median(float(r["seconds"]) for r in runs),
        "peak_mib": max(int(r["peak_kib"]) for r in runs) / 1024,
        "base_mib": min(int(r["base_kib"]) for r in runs) / 1024,
    }


IMPORTS: list[float] = []


def row(name: str, units: str, m: dict[str, object], amount: int | None) -> str:
    seconds = float(str(m["seconds"]))
    IMPORTS.append(float(str(m["import_s"])))
    rate = f"{amount / seconds:,.0f}" if amount and not m["error"] else "-"
    peak, base = float(str(m["peak_mib"])), float(str(m["base_mib"]))
    found = m["error"] or f"{m['questions']} ({m['reader']})"
    size = f"{amount:,} {units}" if amount else "-"
    return f"| {name} | {size} | {found} | {seconds:.2f} | {rate} | {peak:.0f} | {peak - base:.0f} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller files, one run each")
    parser.add_argument("--repeat", type=int, default=3, help="runs per file (median time, max RSS)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    repeat = 1 if args.quick else max(1, args.repeat)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    print(f"{stamp}; {os.cpu_count()} CPUs; load average {load:.1f}; Python {platform.python_version()}")
    print(f"median of {repeat} run(s), each in a fresh process; RSS = VmHWM of that process\n")
    header = "| file | size | questions found (reader) | parse s | per s | peak RSS MiB | over import MiB |"
    print(header + "\n|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="trustdesk-bench-") as tmp:
        for case in cases(args.quick):
            path = Path(tmp) / case.filename
            amount = case.make(path)
            print(row(case.name, case.unit, measure(path, repeat), amount), flush=True)
    if SHARED.is_dir():
        for path in sorted(p for p in SHARED.rglob("*") if p.suffix.lower() in READABLE):
            label = f"shared {path.relative_to(SHARED)} ({path.stat().st_size // 1024} KiB)"
            print(row(label, "rows", measure(path, repeat), None), flush=True)
    else:
        print(f"\n{SHARED} is absent: real files skipped")
    print(
        f"\nimporting ingest and every reader (not counted above): median {statistics.median(IMPORTS):.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Import and export of the answer bank as CSV, XLSX or JSON.

Import is all or nothing: every row is validated before anything is written, and the whole import runs
in one transaction. Export neutralises spreadsheet formula injection by prefixing ``'`` to a cell that
starts with ``=``, ``+``, ``-`` or ``@``; import removes that prefix again, so export -> import round-trips.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from answerbank.models import SHORT_ANSWERS, STATUSES, BankEntry, EntryCreate
from core.errors import ImportFileError

REQUIRED = ("key", "question", "answer", "short_answer", "category", "controls", "alternates")
OPTIONAL = ("owner", "review_by", "status")
COLUMNS = REQUIRED + OPTIONAL
FORMATS = ("csv", "xlsx", "json")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RawRow:
    where: str  # "bank.csv row 7"
    cells: dict[str, Any]
    column_ref: dict[str, str] = field(
        default_factory=dict
    )  # column name -> "column C" / "column short_answer"


def file_format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ImportFileError(
            f"{path.name}: the extension {path.suffix or '(none)'!r} is not supported",
            fix="use a .csv, .xlsx or .json file",
        )
    return fmt


def read_entries(path: Path) -> list[EntryCreate]:
    """Every row of the file as a validated entry, or :class:`ImportFileError` naming file, row, column."""
    if not path.is_file():
        raise ImportFileError(f"{path} does not exist", fix="check the path")
    rows = list({"csv": _csv_rows, "xlsx": _xlsx_rows, "json": _json_rows}[file_format(path)](path))
    entries: list[EntryCreate] = []
    first_row: dict[str, str] = {}
    for row in rows:
        entry = _entry_from_row(row)
        if entry.key in first_row:
            raise ImportFileError(
                f"duplicate key {entry.key!r} (first seen at {first_row[entry.key]})",
                where=f"{row.where}, {_col(row, 'key')}",
                fix="give every row its own key",
            )
        first_row[entry.key] = row.where
        entries.append(entry)
    return entries


def _check_header(path: Path, header: Sequence[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            where=f"{path.name} header row",
            fix=f"the header must contain {','.join(REQUIRED)} (optional: {','.join(OPTIONAL)})",
        )


def _csv_rows(path: Path) -> Iterator[RawRow]:
    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    _check_header(path, header)
    for number, cells in enumerate(reader, start=2):
        yield RawRow(f"{path.name} row {number}", {k: v for k, v in cells.items() if k})


def _xlsx_rows(path: Path) -> Iterator[RawRow]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        _check_header(path, header)
        for number, values in enumerate(rows, start=2):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            cells = {h: v for h, v in zip(header, values, strict=False) if h}
            refs = {h: f"column {get_column_letter(i + 1)} ({h})" for i, h in enumerate(header) if h}
            yield RawRow(f"{path.name}!{sheet.title} row {number}", cells, refs)
    finally:
        workbook.close()


def _json_rows(path: Path) -> Iterator[RawRow]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"not valid JSON ({exc.msg})", where=f"{path.name} line {exc.lineno}", fix="fix the JSON syntax"
        ) from None
    items = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ImportFileError(
            'expected a list of entries (or {"entries": [...]})',
            where=path.name,
            fix="export a bank with `trustdesk bank export bank.json` to see the shape",
        )
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportFileError(
                "entry is not an object",
                where=f"{path.name} entry {number}",
                fix="make every entry a JSON object",
            )
        _check_header(path, list(item))
        yield RawRow(f"{path.name} entry {number}", item)


def _col(row: RawRow, name: str) -> str:
    return row.column_ref.get(name, f"column {name}")


def _text(row: RawRow, name: str) -> str:
    value = row.cells.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value) if name == "alternates" else ";".join(str(v) for v in value)
    return unneutralise(str(value)).strip()


def _entry_from_row(row: RawRow) -> EntryCreate:
    def fail(name: str, what: str, fix: str) -> ImportFileError:
        return ImportFileError(what, where=f"{row.where}, {_col(row, name)}", fix=fix)

    key, question = _text(row, "key"), _text(row, "question")
    if not key:
        raise fail("key", "the key is empty", "give every row a stable key such as IAM-001")
    if not question:
        raise fail("question", f"entry {key}: the question is empty", "write the question")
    short = _text(row, "short_answer") or None
    if short is not None:
        short = next((s for s in SHORT_ANSWERS if s.lower() == short.lower()), short)
        if short not in SHORT_ANSWERS:
            raise fail(
                "short_answer",
                f"short answer {short!r} is not allowed",
                f"use one of {', '.join(SHORT_ANSWERS)} or leave it empty",
            )
    status = _text(row, "status") or "approved"
    if status not in STATUSES:
        raise fail("status", f"status {status!r} is not allowed", f"use one of {', '.join(STATUSES)}")
    return EntryCreate(
        key=key,
        question=question,
        answer=_text(row, "answer"),
        short_answer=short,
        category=_text(row, "category"),
        controls=[c.strip() for c in _text(row, "controls").split(";") if c.strip()],
        alternates=[a.strip() for a in _text(row, "alternates").split("|") if a.strip()],
        owner=_text(row, "owner") or None,
        review_by=_date(row, fail),
        status=status,
    )


def _date(row: RawRow, fail: Any) -> date | None:
    value = row.cells.get("review_by")
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise fail("review_by", f"review_by {value!r} is not a date", "write dates as YYYY-MM-DD") from None


# ---------------------------------------------------------------- export


def neutralise(value: str) -> str:
    """Make a cell that a spreadsheet would run as a formula plain text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def unneutralise(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES) else value


def entry_row(entry: BankEntry | EntryCreate) -> dict[str, str]:
    return {
        "key": entry.key,
        "question": entry.question,
        "answer": entry.answer,
        "short_answer": entry.short_answer or "",
        "category": entry.category,
        "controls": ";".join(entry.controls),
        "alternates": "|".join(entry.alternates),
        "owner": entry.owner or "",
        "review_by": entry.review_by.isoformat() if entry.review_by else "",
        "status": entry.status,
    }


def write_entries(path: Path, entries: Sequence[BankEntry | EntryCreate]) -> None:
    fmt = file_format(path)
    rows = [entry_row(e) for e in entries]
    part = path.with_name(path.name + ".part")
    if fmt == "json":
        part.write_text(json.dumps({"entries": rows}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    elif fmt == "csv":
        with part.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows({k: neutralise(v) for k, v in r.items()} for r in rows)
    else:
        _write_xlsx(part, rows)
    part.replace(path)


def _write_xlsx(path: Path, rows: list[dict[str, str]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Answer bank"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([neutralise(row[c]) for c in COLUMNS])
    with path.open("wb") as fh:
        workbook.save(fh)

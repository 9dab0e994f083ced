"""CSV/TSV questionnaires: encoding and dialect sniffed, then the same table detection as a sheet.

Pipeline: ``decode`` (BOM, UTF-8, else charset-normalizer) -> ``sniff_dialect`` -> ``rows`` (row limit)
-> ``Grid`` -> ``detect_layout`` -> ``read_items`` -> questions located by cell (``C14``).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from openpyxl.utils import get_column_letter

from core.errors import CorruptFile, LimitExceeded
from ingest import sniff
from ingest import text as tx
from ingest.limits import Limits
from ingest.model import Location, Question, Questionnaire
from ingest.readers._items import read_items
from ingest.readers._table import MAX_COLS, Grid, Item, Layout, detect_layout

NAME = "csv"
DELIMITERS = ",;\t|"
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    delimiter: str
    newline: str


def score(head: bytes, filename: str) -> int:
    """Delimited text: several lines with the same number of ``,`` ``;`` tab or ``|``."""
    kind = sniff.content_kind(head)
    if kind != "text" and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return 0
    encoding = next((name for bom, name in _BOMS if head.startswith(bom)), "utf-8")
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff").lstrip()
    if not text or text[0] in "{[<":
        return 0
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best = max((min(line.count(d) for line in lines[:5]) for d in DELIMITERS), default=0) if lines else 0
    if best == 0:
        return 0
    return 60 if filename.lower().endswith((".csv", ".tsv", ".txt")) else 50


def decode(data: bytes, *, display: str) -> Decoded:
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = guess_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise CorruptFile(
            f"the text could not be decoded as {encoding}",
            where=display,
            fix="save the file again as CSV UTF-8 (Excel: File > Save As > CSV UTF-8)",
        ) from exc
    newline = "\r\n" if "\r\n" in text[:10_000] else "\n"
    return Decoded(text.lstrip("\ufeff"), encoding, sniff_dialect(text[:20_000]), newline)


_WESTERN = set("àâäáãåæçéèêëíìîïñóòôöõøœúùûüýÿßÀÂÄÁÃÅÆÇÉÈÊËÍÌÎÏÑÓÒÔÖÕØŒÚÙÛÜÝ’‘“”–—€°ºª«»¿¡·")


def guess_encoding(data: bytes) -> str:
    """Windows-1252 when it decodes to Western European letters (Excel's CSV on Windows), else the
    best guess of charset-normalizer."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    extra = [ch for ch in text if ord(ch) > 127]
    if extra and sum(ch in _WESTERN for ch in extra) >= 0.9 * len(extra):
        return "cp1252"
    best = from_bytes(data[:200_000]).best()
    return best.encoding if best else "cp1252"


def sniff_dialect(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=first.count)


def rows(decoded: Decoded, *, limits: Limits, display: str) -> list[list[str]]:
    out: list[list[str]] = []
    reader = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=decoded.delimiter)
    try:
        for row in reader:
            out.append(row)
            if len(out) > limits.max_rows:
                raise LimitExceeded(
                    f"the file has more than {limits.max_rows:,} rows",
                    where=display,
                    fix="delete the rows that are not questions, split the file, or raise TRUSTDESK_MAX_ROWS",
                )
    except csv.Error as exc:
        raise CorruptFile(f"the CSV is malformed ({exc})", where=display, fix="export it again") from exc
    return out


def to_grid(table: list[list[str]]) -> Grid:
    grid = Grid(name="", cells={})
    for r, row in enumerate(table, start=1):
        for c, value in enumerate(row[:MAX_COLS], start=1):
            text = tx.clean_text(value)
            if text:
                grid.cells[(r, c)] = text
    return grid


def load(path: Path, *, limits: Limits) -> tuple[Decoded, list[list[str]]]:
    display = path.name
    decoded = decode(path.read_bytes(), display=display)
    return decoded, rows(decoded, limits=limits, display=display)


def read(path: Path, *, limits: Limits) -> Questionnaire:
    decoded, table = load(path, limits=limits)
    grid = to_grid(table)
    result = Questionnaire(source=path.name, reader=NAME, questions=[])
    result.detected.update(encoding=decoded.encoding, delimiter=decoded.delimiter)
    layout = detect_layout(grid)
    if layout is None:
        result.warnings.append("no column of questions found")
        return result
    result.detected.update(
        header_row=layout.header_row,
        question_column=get_column_letter(layout.question_col),
        reasons=layout.reasons,
    )
    for item in read_items(grid, layout):
        result.questions.append(to_question(layout, item))
        if item.section and item.section not in result.sections:
            result.sections.append(item.section)
    return result


def to_question(layout: Layout, item: Item) -> Question:
    ref = f"{get_column_letter(layout.question_col)}{item.row}"
    if layout.choice_cols:
        columns = {c: f"{get_column_letter(col)}{item.row}" for c, col in layout.choice_cols.items()}
        location = Location(kind="cell", columns=columns)
        choices: tuple[str, ...] = tuple(layout.choice_cols)
    else:
        cell = f"{get_column_letter(layout.answer_col or layout.question_col + 1)}{item.row}"
        location = Location(kind="cell", cell=cell)
        choices = tx.inline_choices(item.text)
    header = layout.headers.get(layout.answer_col or 0, "")
    choices = choices or tx.inline_choices(header)
    return Question(
        ref=ref,
        number=item.number,
        section=item.section,
        text=item.text,
        answer_type=tx.answer_type_for(choices, header),
        choices=choices,
        location=location,
        existing_answer=item.existing,
    )

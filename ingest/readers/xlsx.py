"""XLSX questionnaires (openpyxl, plus the raw sheet XML for what openpyxl drops). Macro-enabled
workbooks never get here: ``sniff.check_macros`` refuses them.

Pipeline: ``check_rows`` (sheets over the row limit, from the XML, before loading: truncated with a warning) -> ``load`` (cached values) ->
per sheet ``to_grid`` (merged cells filled down, validations attached) -> ``detect_layout`` ->
``read_items`` -> ``choose_sheets`` and ``claim`` (``_sheets``) -> ``to_question``; visible sheets first,
hidden ones only when no visible sheet holds questions; the same question on several tabs is kept once,
on the tab where it is answered.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.errors import CorruptFile
from ingest import sniff
from ingest import text as tx
from ingest.limits import Limits
from ingest.model import AnswerType, Location, Question, Questionnaire
from ingest.readers import _xlsx_xml as xx
from ingest.readers._items import read_items
from ingest.readers._sheets import SheetFind, choose_sheets, claim
from ingest.readers._table import MAX_COLS, Grid, Item, Layout, detect_layout

NAME = "xlsx"
log = logging.getLogger(__name__)
_CODE_TYPES: dict[str, AnswerType] = {
    "unique_choice": "choice",
    "multiple_choice": "multi_choice",
    "text": "text",
    "date": "date",
    "number": "number",
}


def score(head: bytes, filename: str) -> int:
    """A ZIP whose members are under ``xl/`` is a workbook, whatever its name."""
    if not head.startswith(sniff.ZIP_MAGIC):
        return 0
    if b"xl/" in head:
        return 100
    if b"word/" in head or b"ppt/" in head:
        return 0
    return 20 if filename.lower().endswith((".xlsx", ".xlsm")) else 5


def read(path: Path, *, limits: Limits) -> Questionnaire:
    display = path.name
    with _open_zip(path, display) as zf:
        parts, names, raw_xml, long_sheets = read_package(zf, limits=limits, display=display)
    wb = load(path, display)
    result = Questionnaire(source=display, reader=NAME, questions=[])
    result.warnings.extend(truncation_warning(display, name, limits) for name in long_sheets)
    codes = code_table(wb)
    for hidden in (False, True):  # hidden sheets only when no visible sheet holds questions
        found = []
        for part in parts:
            wanted = (part.state != "visible") == hidden and part.name not in codes.sheets
            if wanted and part.name in wb.sheetnames and isinstance(wb[part.name], Worksheet):  # not charts
                sheet_xml = raw_xml.get(part.name, xx.SheetXml())
                found.extend(read_sheet(wb, part, names, sheet_xml.validations, codes, limits))
        chosen = choose_sheets(found, result)
        owners = claim(chosen)
        for sheet in chosen:
            add_sheet(sheet, codes, result, owners)
        if result.questions:
            if not hidden:
                result.detected["hidden_sheets_skipped"] = [p.name for p in parts if p.state != "visible"]
            break
    report(result, raw_xml)
    return result


def report(result: Questionnaire, raw_xml: dict[str, xx.SheetXml]) -> None:
    """Warnings the user should see: nothing found, formulas without saved results."""
    if not result.questions:
        result.warnings.append("no questions found on any sheet")
    used = {q.location.sheet for q in result.questions} or set(raw_xml)  # nothing found: say why it may be
    for name, sheet_xml in raw_xml.items():
        count = sheet_xml.uncached_formulas
        if count and name in used:
            cells = "1 cell contains a formula" if count == 1 else f"{count:,} cells contain formulas"
            result.warnings.append(
                f"{result.source}!{name}: {cells} without values; re-save in Excel so that their values "
                "are stored (until then they read as empty)"
            )


def read_package(
    zf: zipfile.ZipFile, *, limits: Limits, display: str
) -> tuple[list[xx.SheetPart], dict[Any, str], dict[str, xx.SheetXml], list[str]]:
    """Sheets, defined names and validations from the raw XML, and the sheets over the row limit."""
    try:
        parts = xx.sheet_parts(zf)
        long_sheets = check_rows(zf, parts, limits=limits)
        names = xx.defined_names(zf)
        raw = {p.name: xx.read_sheet_xml(zf, p.part) for p in parts if p.part in zf.namelist()}
    except DefusedXmlException as exc:
        raise CorruptFile(
            "the workbook contains disallowed XML constructs (DTD/entities)",
            where=display,
            fix="open the file in Excel and save it as a new .xlsx",
        ) from exc
    except (KeyError, ParseError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise CorruptFile(
            f"the workbook is damaged ({type(exc).__name__}: {exc})",
            where=display,
            fix="open the file in Excel and save it as a new .xlsx",
        ) from exc
    return parts, names, raw, long_sheets


def _open_zip(path: Path, display: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptFile(
            f"the workbook is damaged ({exc})", where=display, fix="save it again from Excel"
        ) from exc


def check_rows(zf: zipfile.ZipFile, parts: list[xx.SheetPart], *, limits: Limits) -> list[str]:
    """The sheets with more rows than ``limits.max_rows``, counted from the XML before loading; only
    their first rows are read (catalogue U11: truncated, never silently). ``sniff`` has already refused
    any sheet part over ``max_member_bytes``, so what openpyxl loads stays bounded."""
    names = set(zf.namelist())
    return [
        part.name
        for part in parts
        if part.part in names
        and sniff.count_rows(zf, part.part, stop_after=limits.max_rows) > limits.max_rows
    ]


def truncation_warning(source: str, sheet: str, limits: Limits) -> str:
    return (
        f"{source}!{sheet}: the sheet has more than {limits.max_rows:,} rows; only the first "
        f"{limits.max_rows:,} were read (the rest was left out). Split the workbook into files of at most "
        f"{limits.max_rows:,} rows, or set TRUSTDESK_MAX_ROWS higher, to read them all"
    )


def load(path: Path, display: str) -> Workbook:
    """The workbook with cached formula values; any parse failure becomes a clear ``CorruptFile``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Data Validation extension is not supported": read from XML
            with path.open("rb") as fh:  # a file object: openpyxl would refuse a name not ending .xlsx
                return openpyxl.load_workbook(fh, data_only=True, keep_links=False)
    except DefusedXmlException as exc:
        raise CorruptFile(
            "the workbook contains disallowed XML constructs (DTD/entities)",
            where=display,
            fix="open the file in Excel and save it as a new .xlsx",
        ) from exc
    except Exception as exc:  # openpyxl raises KeyError, ValueError, TypeError ... on damaged parts
        raise CorruptFile(
            f"the workbook could not be read ({type(exc).__name__}: {exc})",
            where=display,
            fix="open the file in Excel and save it as a new .xlsx",
        ) from exc


def cell_text(value: Any) -> str:
    if isinstance(value, bool):  # a linked checkbox or TRUE/FALSE typed in: shown as Excel shows it
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return tx.clean_text(value)


def to_grid(ws: Worksheet, *, max_rows: int) -> Grid:
    """The sheet's non-empty cells (sparse, so a lone far cell costs nothing), merged ranges filled."""
    grid = Grid(name=ws.title, cells={})
    for dim in ws.column_dimensions.values():
        if dim.hidden and dim.min and dim.max:
            grid.hidden_cols.update(range(dim.min, min(dim.max, MAX_COLS) + 1))
    for (row, col), cell in list(ws._cells.items()):
        if row <= max_rows and col <= MAX_COLS and cell.value is not None:
            if isinstance(cell.value, str) and len(cell.value) > tx.MAX_CELL_CHARS:
                grid.cut.append((row, col))
            value = cell_text(cell.value)
            if value:
                grid.cells[(row, col)] = value
    for merged in ws.merged_cells.ranges:
        anchor = grid.cells.get((merged.min_row, merged.min_col))
        for row in range(merged.min_row, min(merged.max_row, max_rows) + 1):
            for col in range(merged.min_col, min(merged.max_col, MAX_COLS) + 1):
                if (row, col) == (merged.min_row, merged.min_col):
                    continue
                grid.covered.add((row, col))
                if anchor:
                    grid.cells[(row, col)] = anchor
    return grid


def resolve_choices(
    wb: Workbook, sheet: xx.SheetPart, formula: str, names: dict[Any, str]
) -> tuple[str, ...]:
    """A validation's list: literal, a range, or a defined name (sheet-scoped first) -> values."""
    literal = xx.literal_list(formula)
    if literal is not None:
        return literal
    ref = formula.lstrip("=").strip()
    ref = names.get((ref, sheet.index)) or names.get((ref, None)) or ref
    target = xx.split_reference(ref, sheet.name)
    if target is None or target[0] not in wb.sheetnames:
        return ()
    bounds = xx.clamp(target[1], max_row=1_000)
    if bounds is None:
        return ()
    min_col, min_row, max_col, max_row = bounds
    block = wb[target[0]].iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col)
    values: list[str] = []
    for row in block:
        for cell in row:
            text = cell_text(cell.value)
            if text and text not in values:
                values.append(text)
    return tuple(values[:50])


class CodeTable(dict[str, tuple[AnswerType, tuple[str, ...]]]):
    """Answer definitions by code; ``sheets`` are the tabs that hold them (not questionnaires)."""

    sheets: set[str]


def code_table(wb: Workbook) -> CodeTable:
    """Answer definitions (``id | question_type | question_choices``) that type codes point at."""
    table = CodeTable()
    table.sheets = set()
    for ws in wb.worksheets:
        header = [str(c.value or "").strip().lower() for c in next(ws.iter_rows(max_row=1), ())]
        if "id" not in header or not any(h.startswith("question_choices") for h in header):
            continue
        table.sheets.add(ws.title)
        i_id, i_type = header.index("id"), header.index("question_type") if "question_type" in header else -1
        i_choice = next(i for i, h in enumerate(header) if h.startswith("question_choices"))
        for row in ws.iter_rows(min_row=2, max_row=500, values_only=True):
            if row[i_id]:
                choices = tuple(c.strip() for c in str(row[i_choice] or "").split("\n") if c.strip())
                kind = _CODE_TYPES.get(str(row[i_type] or "") if i_type >= 0 else "", "text")
                table[str(row[i_id]).strip()] = (kind, choices)
    return table


def read_sheet(
    wb: Workbook,
    part: xx.SheetPart,
    names: dict[Any, str],
    raw: list[xx.Validation],
    codes: CodeTable,
    limits: Limits,
) -> list[SheetFind]:
    ws = wb[part.name]
    grid = to_grid(ws, max_rows=limits.max_rows)
    grid.known_codes = set(codes)
    for validation in raw:
        if validation.kind == "list":
            choices = resolve_choices(wb, part, validation.formula, names)
            for cell in xx.sqref_cells(validation.sqref, max_row=max(grid.max_row, 1)):
                grid.validations[cell] = choices
    layout = detect_layout(grid)
    if layout is None:
        return []
    return [SheetFind(grid, layout, read_items(grid, layout))]


def add_sheet(
    found: SheetFind, codes: CodeTable, result: Questionnaire, owners: dict[tuple[str | None, str], str]
) -> None:
    """Add a sheet's questions, skipping any already seen or claimed by another tab (``claim``)."""
    seen = {(q.number, q.text.casefold()) for q in result.questions}
    added = 0
    for item in found.items:
        key = (item.number, item.text.casefold())
        if key not in seen and owners.get(key, found.grid.name) == found.grid.name:
            seen.add(key)
            result.questions.append(to_question(found.grid, found.layout, item, codes))
            added += 1
            if item.section and item.section not in result.sections:
                result.sections.append(item.section)
    result.detected.setdefault("sheets", {})[found.grid.name] = describe(
        found.layout, added, len(found.items)
    )
    for row, col in found.grid.cut:  # catalogue U15: never a silent cut
        result.warnings.append(
            f"{result.source}!{found.grid.name}!{get_column_letter(col)}{row}: the cell holds more than "
            f"{tx.MAX_CELL_CHARS:,} characters (Excel's limit for a cell); only the first {tx.MAX_CELL_CHARS:,} "
            "were read"
        )


def describe(layout: Layout, added: int, found: int) -> dict[str, Any]:
    def letter(col: int | None) -> str | None:
        return get_column_letter(col) if col else None

    return {
        "header_row": layout.header_row,
        "question_column": letter(layout.question_col),
        "number_column": letter(layout.number_col),
        "answer_column": letter(layout.answer_col),
        "choice_columns": {k: letter(v) for k, v in layout.choice_cols.items()},
        "questions": added,
        "duplicates_of_other_sheets": found - added,
        "reasons": layout.reasons,
    }


def to_question(grid: Grid, layout: Layout, item: Item, codes: CodeTable) -> Question:
    ref = f"{grid.name}!{get_column_letter(layout.question_col)}{item.row}"
    if layout.choice_cols:
        columns = {c: f"{get_column_letter(col)}{item.row}" for c, col in layout.choice_cols.items()}
        location = Location(kind="cell", sheet=grid.name, columns=columns)
        choices: tuple[str, ...] = tuple(layout.choice_cols)
        kind: AnswerType = tx.answer_type_for(choices)
    else:
        col = layout.answer_col or layout.question_col + 1
        location = Location(kind="cell", sheet=grid.name, cell=f"{get_column_letter(col)}{item.row}")
        header = layout.headers.get(col, "")
        choices = grid.validations.get((item.row, col), ()) or tx.inline_choices(item.text)
        choices = choices or tx.inline_choices(header)
        kind = tx.answer_type_for(choices, header)
        if item.code and item.code in codes and not choices:
            code_kind, choices = codes[item.code]
            kind = "yes_no" if code_kind == "choice" and tx.is_yes_no(choices) else code_kind
    return Question(
        ref=ref,
        number=item.number,
        section=item.section,
        text=item.text,
        answer_type=kind,
        choices=choices,
        location=location,
        existing_answer=item.existing,
    )

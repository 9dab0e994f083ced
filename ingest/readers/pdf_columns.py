"""Borderless PDF tables (spreadsheet exports without gridlines): columns come from the header row.

Pipeline: ``text_rows`` (words -> printed lines) -> ``borderless_header`` (the line that reads as a
header, split into cells at wide gaps) -> ``blocks`` (lines -> table rows by vertical gaps in the question
column) -> ``pdf_tables.read_row`` and ``add_row``, exactly as for ruled tables.
"""

from __future__ import annotations

import itertools
from typing import Any

from ingest.model import Location, Question
from ingest.readers.pdf_tables import Layout, TableState, add_row, find_layout, read_row
from ingest.text import is_number, is_question_text

Word = dict[str, Any]


def text_rows(words: list[Word], *, tolerance: float = 3.0) -> list[list[Word]]:
    """Words grouped into printed lines (same ``top`` within ``tolerance``), each sorted left to right."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (round(float(w["top"])), float(w["x0"]))):
        if rows and abs(float(rows[-1][0]["top"]) - float(word["top"])) <= tolerance:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: float(w["x0"])) for row in rows]


def header_cells(row: list[Word]) -> list[tuple[float, str]]:
    """(x0, text) of each header cell: words closer than about one character width belong together."""
    cells: list[tuple[float, str]] = []
    last_x1 = -1e9
    for word in row:
        size = float(word.get("bottom", 0)) - float(word.get("top", 0)) or 10.0
        if cells and float(word["x0"]) - last_x1 < size:
            cells[-1] = (cells[-1][0], f"{cells[-1][1]} {word['text']}")
        else:
            cells.append((float(word["x0"]), str(word["text"])))
        last_x1 = float(word["x1"])
    return cells


def borderless_header(rows: list[list[Word]]) -> tuple[int, Layout, list[float]] | None:
    """The first printed line that reads as a table header with a question and an answer or number column."""
    for index, row in enumerate(rows[:60]):
        cells = header_cells(row)
        if len(cells) < 2:
            continue
        layout = find_layout([[text for _, text in cells]], scan_rows=1)
        if layout is not None and layout.header_row == 0:
            return index, layout, [x for x, _ in cells]
    return None


def _column(x0: float, starts: list[float]) -> int:
    return max((c for c, start in enumerate(starts) if start <= x0 + 2), default=0)


def blocks(
    rows: list[list[Word]], layout: Layout, starts: list[float]
) -> list[tuple[float, float, list[str | None]]]:
    """Printed lines -> (top, bottom, cells) table rows: a question cell ends at a wider vertical gap; the
    other columns attach to the question cell their line sits in (top, middle or bottom aligned)."""
    q = layout.question_col
    banners = [r for r in rows if is_spanning(r, starts)]
    rows = [r for r in rows if not any(r is b for b in banners)]
    tops = [float(r[0]["top"]) for r in rows if any(_column(float(w["x0"]), starts) == q for w in r)]
    steps = sorted(b - a for a, b in itertools.pairwise(tops) if b > a)
    step = steps[len(steps) // 4] if steps else 12.0
    spans: list[list[float]] = []
    for top in tops:
        if spans and top - spans[-1][1] <= step * 1.3:
            spans[-1][1] = top
        else:
            spans.append([top, top])
    grid: list[list[list[str]]] = [[[] for _ in starts] for _ in spans]
    reach = [b for _, b in spans]  # the lowest line of each row so far (answers can run longer)
    table: list[tuple[float, float, list[str | None]]] = []
    for row in rows:
        top = float(row[0]["top"])
        distance, target = min(
            ((max(a - top, 0.0, top - reach[i]), i) for i, (a, b) in enumerate(spans)), default=(0.0, -1)
        )
        columns = {_column(float(w["x0"]), starts) for w in row}
        if 0 < distance <= step * 1.6 and not columns & {0, q}:
            distance = 0.0  # an answer or note wrapping below its question: the same row
        if target >= 0 and distance <= step:
            reach[target] = max(reach[target], top)
        if target < 0 or distance > step:
            text = " ".join(str(w["text"]) for w in row)
            table.append((top, top + step, [text] + [None] * (len(starts) - 1)))
            continue
        for word in row:
            grid[target][_column(float(word["x0"]), starts)].append(str(word["text"]))
    for (a, _), bottom, cells in zip(spans, reach, grid, strict=True):
        table.append((a, bottom + step, [" ".join(cell) or None for cell in cells]))
    for row in banners:
        top = float(row[0]["top"])
        table.append((top, top + step, [" ".join(str(w["text"]) for w in row)] + [None] * (len(starts) - 1)))
    return sorted(table, key=lambda item: item[0])


def is_spanning(row: list[Word], starts: list[float]) -> bool:
    """A line printed across column boundaries as one phrase from the first column (a section banner
    spanning merged cells), not a row of cells: no wide gap between its words, and no question."""
    if len(row) < 2 or _column(float(row[0]["x0"]), starts) != 0 or len(header_cells(row)) != 1:
        return False
    text = " ".join(str(w["text"]) for w in row)
    columns = {_column(float(w["x0"]), starts) for w in row}
    return len(columns) > 1 and not is_question_text(text) and not is_number(str(row[0]["text"]))


def borderless_page_questions(
    rows: list[list[Word]], page: int, width: float, state: TableState, questions: list[Question]
) -> None:
    """Questions of one page of a borderless table; the header found on an earlier page carries on."""
    found = borderless_header(rows)
    if found is not None:
        index, state.layout, state.starts = found
        rows = rows[index + 1 :]
    if state.layout is None or not state.starts:
        return
    layout, starts = state.layout, state.starts
    col = layout.answer_col if layout.answer_col is not None else layout.question_col
    right = starts[col + 1] if col + 1 < len(starts) else width
    for top, bottom, cells in blocks(rows, layout, starts):
        box = (starts[col], top, right, bottom)
        add_row(read_row(cells, layout), state, questions, Location(kind="pdf_box", page=page, box=box))

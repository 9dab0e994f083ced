"""Word tables: cell text (form controls included, nested tables left to their own reading), the
controls of an answer cell, and the questions of one table.

Pipeline per table: ``table_grid`` (``cell_text`` of every cell) -> ``pdf_tables.find_layout`` ->
``pdf_tables.read_row`` per row -> ``table_question`` (choices from the answer cell's drop-down list when
the row prints none) -> ``infer_yes_no``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from docx.table import Table

from ingest.model import Location, Question
from ingest.readers.docx_controls import Control, control_of, render
from ingest.readers.docx_numbering import W
from ingest.readers.pdf_tables import Layout, Row, find_layout, infer_yes_no, read_row, row_choices
from ingest.text import is_noise


@dataclass
class Collected:
    questions: list[Question] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    section: str | None = None
    tables: list[dict[str, Any]] = field(default_factory=list)

    def set_section(self, title: str) -> None:
        self.section = title
        if title not in self.sections:
            self.sections.append(title)


def unique_cells(table: Table) -> list[Any]:
    """The table's cells in reading order, each merged cell once."""
    seen: set[int] = set()
    cells = []
    for cell in table._cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def cell_text(cell: Any) -> str:
    """All text in a cell, content controls included; a control still showing its placeholder is empty,
    a table nested in the cell is read as a table of its own."""
    lines = []
    for paragraph in cell._tc.iter(f"{W}p"):
        if _in_placeholder(paragraph, cell._tc) or _in_nested_table(paragraph, cell._tc):
            continue
        parts = render(paragraph)
        lines.append(" ".join([parts.text, *parts.values]))
    return "\n".join(lines)


def cell_controls(tc: Any) -> list[Control]:
    """The form controls in a table cell (not in a table nested in it), in document order."""
    found = []
    for node in tc.iter(f"{W}ffData", f"{W}sdt"):
        control = control_of(node)
        if control is None and node.tag == f"{W}sdt" and node.getparent() is tc:
            control = Control("text", node)  # a text control around the whole cell content
        if control is not None and not _in_nested_table(node, tc):
            found.append(control)
    return found


def _in_nested_table(node: Any, stop: Any) -> bool:
    node = node.getparent()
    while node is not None and node is not stop:
        if node.tag == f"{W}tbl":
            return True
        node = node.getparent()
    return False


def _in_placeholder(node: Any, stop: Any) -> bool:
    while node is not None and node is not stop:
        if node.tag == f"{W}sdt":
            props = node.find(f"{W}sdtPr")
            if props is not None and props.find(f"{W}showingPlcHdr") is not None:
                return True
        node = node.getparent()
    return False


def table_grid(table: Table) -> list[list[str | None]]:
    """Cell texts by grid position; merged cells repeat their text, as Word shows them."""
    return [[cell_text(cell) for cell in row.cells] for row in table.rows]


def table_questions(table: Table, t_index: int, found: Collected) -> list[Question]:
    grid = table_grid(table)
    layout = find_layout(grid)
    found.tables.append({"table": t_index, "layout": None if layout is None else asdict(layout)})
    if layout is None:
        return []
    cells = list(table._cells)
    questions: list[Question] = []
    for r in range(layout.header_row + 1, len(grid)):
        row = read_row(grid[r], layout)
        if row.kind == "banner":
            found.set_section(row.text)
        elif row.kind == "continuation" and questions:
            last = questions[-1]
            questions[-1] = replace(last, text=f"{last.text} {row.text}")
        elif row.kind == "question":
            if row.section:
                found.set_section(row.section)
            col = layout.answer_col if layout.answer_col is not None else layout.question_col
            listed = dropdown_choices(cell_controls(cells[r * table._column_count + col]._tc))
            if listed and not row.choices:
                row = replace(row, choices=listed)
            questions.append(_table_question(row, r, t_index, layout, found))
    return infer_yes_no(questions)


def dropdown_choices(controls: list[Control]) -> tuple[str, ...]:
    """The choices of the first drop-down list among ``controls`` (placeholder entries left out)."""
    lists = [c.choices for c in controls if c.kind == "dropdown"]
    return tuple(choice for choice in lists[0] if choice.strip() and not is_noise(choice)) if lists else ()


def _table_question(row: Row, r: int, t_index: int, layout: Layout, found: Collected) -> Question:
    col = layout.answer_col if layout.answer_col is not None else layout.question_col
    answer_type, choices = row_choices(row, layout)
    marks = {label: str(c) for label, c in layout.choice_cols}  # Yes | No | N/A answered with a mark
    return Question(
        ref=f"t{t_index}r{r}",
        number=row.number,
        section=found.section,
        text=row.text,
        answer_type=answer_type,
        choices=choices,
        location=Location(kind="docx_cell", table=t_index, row=r, col=col, columns=marks or None),
        existing_answer=row.answer if layout.answer_col is not None else None,
    )

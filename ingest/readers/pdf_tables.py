"""Table grids -> questions, for PDF tables (pdfplumber) and Word tables (the DOCX reader uses it too).

Pipeline, each step testable alone: ``find_layout`` (header row anywhere, or columns from content) ->
``read_row`` (banner row, question row, continuation row or noise) -> ``inline_choices``.
A grid is a list of rows of cell strings (``None`` for an empty or merged-away cell).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ingest.model import AnswerType, Location, Question
from ingest.readers._vocabulary import (
    ANSWER_OR_COMMENTS_HEAD,
    CHECKED,
    CHOICE_HEAD,
    MARKS,
    NUMBER_HEAD,
    QUESTION_ANYWHERE,
    SECTION_HEAD,
    UNCHECKED,
)
from ingest.text import (
    answer_type_for,
    choice_kind,
    clean_text,
    is_noise,
    is_number,
    is_question_text,
    looks_like_prompt,
    normalize_number,
    split_number,
)
from ingest.text import (
    inline_choices as text_inline_choices,
)

Grid = Sequence[Sequence[str | None]]

_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n(?=[a-z])")


@dataclass(frozen=True)
class Layout:
    """Where the questions are in a table: ``header_row`` is -1 when columns came from content."""

    header_row: int
    question_col: int
    answer_col: int | None
    number_col: int | None
    answer_header: str = ""
    header: tuple[str, ...] = ()
    label_value: bool = False  # a two-column form: every label on the left asks for the value beside it
    choice_cols: tuple[tuple[str, int], ...] = ()  # Yes | No | N/A columns answered with a mark
    section_col: int | None = None  # "Control Domain": a section printed once, over its rows

    @property
    def strict(self) -> bool:
        """Columns guessed from content: only question-like texts count (labels do in a form)."""
        return self.header_row < 0 and not self.header and not self.label_value


@dataclass(frozen=True)
class Row:
    """One classified table row."""

    kind: str  # "question", "banner", "continuation" or "skip"
    number: str | None = None
    text: str = ""
    answer: str | None = None
    choices: tuple[str, ...] = ()
    section: str | None = None


def cell(value: str | None) -> str:
    """Clean text of one cell; a word broken by a hyphen at a narrow column's edge is rejoined."""
    if not value:
        return ""
    return clean_text(_HYPHEN_BREAK.sub("", value))


def find_layout(grid: Grid, *, scan_rows: int = 12) -> Layout | None:
    """Question, answer and number columns from a header row anywhere in the first rows, else content."""
    for r, row in enumerate(grid[:scan_rows]):
        texts = [cell(v) for v in row]
        if len({t for t in texts if t}) < 2:
            continue  # a title or banner merged across the table is not a header
        numbers = [c for c, t in enumerate(texts) if NUMBER_HEAD.match(t)]
        questions = [
            c for c, t in enumerate(texts) if QUESTION_ANYWHERE.search(t) and c not in numbers and len(t) < 60
        ]
        if not questions:
            continue
        q = questions[0]
        answers = [
            c
            for c, t in enumerate(texts)
            if c != q and c not in numbers and ANSWER_OR_COMMENTS_HEAD.search(t)
        ]
        marks, at = choice_columns(grid, r)
        a = marks[0][1] if marks else answers[0] if answers else (q + 1 if q + 1 < len(texts) else None)
        left = [c for c in numbers if c < q]
        asked = [c for c in left if "question" in texts[c].casefold()]
        near = asked or left  # "Question ID" over "Control ID"; else the nearest left of the question
        n = near[-1] if near else numbers[0] if numbers else None
        header = "" if marks or a is None else texts[a]
        sections = [c for c, t in enumerate(texts) if SECTION_HEAD.search(t) and c not in (q, a, n)]
        section = sections[0] if sections else None
        return Layout(at, q, a, n, header, tuple(texts), choice_cols=marks, section_col=section)
    return label_value_layout(grid) or layout_from_content(grid)


def choice_columns(grid: Grid, r: int) -> tuple[tuple[tuple[str, int], ...], int]:
    """Yes | No | N/A headers in adjacent columns of the header row or of the row below it (a two-row
    header such as CAIQ v3's): the answer is a mark in one of them. Returns them and the last header row."""
    for at in range(r, min(r + 2, len(grid))):
        texts = [cell(v) for v in grid[at]]
        cols = [c for c, t in enumerate(texts) if CHOICE_HEAD.match(t)]
        run = [c for c in cols if c - 1 in cols or c + 1 in cols]
        if len(run) >= 2:
            return tuple((texts[c], c) for c in run), at
    return (), r


def label_value_layout(grid: Grid) -> Layout | None:
    """A two-column table without a header whose left cells are labels or questions and whose right
    cells are the answers (``Company name: | ...``): a form, unless the right column reads like
    definitions (a glossary: long texts beside short terms, none left blank, no label ending in ``:``)."""
    rows = [(cell(r[0]), cell(r[1])) for r in grid if len(r) == 2 and cell(r[0]) and cell(r[0]) != cell(r[1])]
    if len(rows) < 2 or max((len(r) for r in grid), default=0) != 2:
        return None
    labels = [
        left for left, _ in rows if looks_like_prompt(left) and not is_number(left) and len(left) <= 200
    ]
    if len(labels) < 0.7 * len(rows):
        return None
    blanks = sum(1 for _, right in rows if not right or is_noise(right))
    asked = sum(1 for left, _ in rows if left.endswith((":", "?")) or is_question_text(left))
    if blanks < 0.3 * len(rows) and asked < 0.5 * len(rows):
        return None
    return Layout(-1, 0, 1, None, label_value=True)


def layout_from_content(grid: Grid) -> Layout | None:
    """No header: the question column holds the most question-like texts, numbers sit left of it."""
    width = max((len(r) for r in grid), default=0)
    if width == 0:
        return None
    counts = [sum(1 for row in grid if c < len(row) and is_question_text(cell(row[c]))) for c in range(width)]
    q = max(range(width), key=lambda c: counts[c])
    if counts[q] == 0:
        return None
    n = None
    for c in range(q):
        values = [cell(row[c]) for row in grid if c < len(row) and cell(row[c])]
        if values and sum(is_number(v) for v in values) >= 0.6 * len(values):
            n = c
    a = q + 1 if q + 1 < width else None
    return Layout(-1, q, a, n)


def _at(row: Sequence[str | None], col: int | None) -> str:
    return cell(row[col]) if col is not None and col < len(row) else ""


def _is_banner(filled: list[str], texts: list[str], question: str) -> bool:
    """A section row: one text, merged across the row or outside the question column, not a question."""
    if len(set(filled)) != 1:
        return False
    only = filled[0]
    merged = len(filled) == len(texts) > 1
    if not merged and (len(filled) != 1 or question == only):
        return False
    return not is_question_text(only) and not is_noise(only)


def read_row(row: Sequence[str | None], layout: Layout) -> Row:
    """Classify one row below the header."""
    texts = [cell(v) for v in row]
    filled = [t for t in texts if t]
    if not filled:
        return Row("skip")
    question = _at(row, layout.question_col)
    number_cell = _at(row, layout.number_col)
    if _is_banner(filled, texts, question):
        return Row("banner", text=split_number(filled[0])[1])
    if not question or is_noise(question):
        return Row("skip")
    if not number_cell and question[:1].islower() and layout.number_col is not None:
        return Row("continuation", text=question)
    if tuple(texts) == layout.header:
        return Row("skip")  # the header row repeated on a later page
    ok = is_question_text(question) if layout.strict else looks_like_prompt(question)
    if not ok:
        return Row("skip")
    number, text = row_number(number_cell, question)
    section = _at(row, layout.section_col) or None
    if layout.label_value:
        text = text.rstrip(" :") or text
    if layout.choice_cols:
        marked = [label for label, c in layout.choice_cols if _at(row, c).casefold() in MARKS]
        labels = tuple(label for label, _ in layout.choice_cols)
        return Row("question", number, text, marked[0] if marked else None, labels, section)
    answer = _at(row, layout.answer_col) if layout.answer_col != layout.question_col else ""
    boxes = checkboxes(answer)
    if boxes is not None:
        return Row("question", number, text, boxes[1], boxes[0], section)
    return Row("question", number, text, answer if answer and not is_noise(answer) else None, (), section)


def row_number(number_cell: str, question: str) -> tuple[str | None, str]:
    """The number from its own column (its copy at the start of the text dropped), else the text's prefix."""
    prefixed, rest = split_number(question)
    if not number_cell:
        return prefixed, rest
    number = normalize_number(number_cell)
    return number, rest if prefixed == number else question


_BOX = re.compile(rf"([{CHECKED}{UNCHECKED}])\s*([^{CHECKED}{UNCHECKED}]+)")


def checkboxes(text: str) -> tuple[tuple[str, ...], str | None] | None:
    """``"☒ Yes ☐ No"`` -> ``(("Yes", "No"), "Yes")``: the choices printed as boxes and the ticked ones."""
    found = [(glyph, clean_text(label).strip(" ,;/")) for glyph, label in _BOX.findall(text)]
    found = [(glyph, label) for glyph, label in found if label]
    if len(found) < 2:
        return None
    ticked = [label for glyph, label in found if glyph in CHECKED]
    return tuple(label for _, label in found), ", ".join(ticked) or None


_TRAILING_YES_NO = re.compile(
    r"^(?P<text>.*\S)\s+(?P<choices>yes\s+no(?:\s+n/?a)?)\s*$", re.IGNORECASE | re.DOTALL
)


def trailing_choices(text: str) -> tuple[str, tuple[str, ...], str | None]:
    """``"Do you ...? ☒ Yes ☐ No"`` or ``"Do you ...? Yes No"`` (boxes drawn as shapes) ->
    (question text, choices, ticked); the text unchanged when it ends in no choices."""
    for pos, ch in enumerate(text):
        if ch in CHECKED + UNCHECKED:
            boxes = checkboxes(text[pos:])
            if boxes is not None and text[:pos].strip():
                return clean_text(text[:pos]), boxes[0], boxes[1]
            break
    match = _TRAILING_YES_NO.match(text)
    if match and is_question_text(match["text"]):
        return clean_text(match["text"]), tuple(match["choices"].split()), None
    return text, (), None


def row_choices(row: Row, layout: Layout) -> tuple[AnswerType, tuple[str, ...]]:
    """Choices printed as checkboxes in the answer cell, else ``(Yes/No)`` in the text, else the header."""
    if row.choices:
        return answer_type_for(row.choices), row.choices
    return inline_choices(row.text, layout.answer_header)


def inline_choices(text: str, header: str = "") -> tuple[AnswerType, tuple[str, ...]]:
    """``"Do you ...? (Yes/No/N/A)"`` -> ``("yes_no", ("Yes", "No", "N/A"))``; else from the header."""
    choices = text_inline_choices(text)
    if choices:
        return answer_type_for(choices), choices
    return answer_type_for((), header), ()


@dataclass
class TableState:
    """What carries from one PDF table to the next: the layout (a table continuing on the next page
    without its header keeps it) and the current section."""

    layout: Layout | None = None
    width: int = 0
    section: str | None = None
    sections: list[str] = field(default_factory=list)
    detected: list[dict[str, Any]] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    other_columns: bool = False  # the last table holds the other columns of a wide sheet: no questions


def continue_layout(grid: Grid, state: TableState) -> Layout | None:
    """This table's own header, else the previous table's layout when the column count matches."""
    layout = find_layout(grid)
    width = max((len(r) for r in grid), default=0)
    own_header = layout is not None and layout.header_row >= 0
    state.other_columns = not own_header and bool(grid) and other_header(grid[0], state)
    if state.other_columns:
        return None
    if not own_header and state.layout is not None and width == state.width:
        layout = replace(state.layout, header_row=-1)
    if layout is not None:
        state.layout, state.width = layout, width
    return layout


def other_header(row: Sequence[str | None], state: TableState) -> bool:
    """After a questionnaire table with a header, a table headed by other short labels and no question
    column: the columns a wide sheet prints to the right, on later pages ("down, then over")."""
    texts = [cell(v) for v in row]
    if state.layout is None or not state.layout.header or tuple(texts) == state.layout.header:
        return False
    labels = all(t and len(t.split()) <= 8 and not is_number(t) and not is_question_text(t) for t in texts)
    return labels and len(set(texts)) >= 3


def page_table_questions(page: Any, page_number: int, state: TableState, questions: list[Question]) -> None:
    """Append the questions of every table on one pdfplumber page (continuation rows join the last)."""
    for t_index, table in enumerate(page.find_tables()):
        grid = table.extract()
        layout = continue_layout(grid, state)
        state.detected.append(
            {
                "page": page_number,
                "table": t_index,
                "bbox": tuple(float(v) for v in table.bbox),
                "layout": None if layout is None else asdict(layout),
                "other_columns": state.other_columns,
            }
        )
        if layout is None:
            continue
        for r in range(layout.header_row + 1, len(grid)):
            box = _answer_box(table, r, layout)
            add_row(
                read_row(grid[r], layout),
                state,
                questions,
                Location(kind="pdf_box", page=page_number, box=box),
            )


def add_row(row: Row, state: TableState, questions: list[Question], location: Location) -> None:
    """Apply one classified row: a banner sets the section, a continuation extends the last question."""
    if row.kind == "banner":
        state.section = row.text
        if row.text not in state.sections:
            state.sections.append(row.text)
    elif row.kind == "continuation" and questions:
        questions[-1] = replace(questions[-1], text=f"{questions[-1].text} {row.text}")
    elif row.kind == "question" and state.layout is not None:
        if row.section:
            add_row(Row("banner", text=row.section), state, questions, location)
        box = location.box or (0.0, 0.0, 0.0, 0.0)
        ref = f"p{location.page}y{round(box[1])}x{round(box[0])}"
        questions.append(_question(row, state.layout, state.section, location.page or 0, box, ref))


def _answer_box(table: Any, r: int, layout: Layout) -> tuple[float, float, float, float]:
    row = table.rows[r]
    col = layout.answer_col if layout.answer_col is not None else layout.question_col
    cells = row.cells
    box = cells[col] if col < len(cells) and cells[col] is not None else row.bbox
    return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))


def _question(
    row: Row, layout: Layout, section: str | None, page: int, box: tuple[float, float, float, float], ref: str
) -> Question:
    answer_type, choices = row_choices(row, layout)
    return Question(
        ref=ref,
        number=row.number,
        section=section,
        text=row.text,
        answer_type=answer_type,
        choices=choices,
        location=Location(kind="pdf_box", page=page, box=box),
        existing_answer=row.answer,
    )


def infer_yes_no(questions: list[Question]) -> list[Question]:
    """Filled-in tables without a choice list (PDF exports, Word tables): when most answers read yes/no/N/A,
    each question answered that way is a ``yes_no`` with the column's own wordings as choices."""
    answered = [q for q in questions if q.existing_answer and q.answer_type == "text"]
    kinds = {q.ref: choice_kind(q.existing_answer or "") for q in answered}
    yes_no = [q for q in answered if kinds[q.ref]]
    if len(yes_no) < 3 or len(yes_no) < 0.6 * len(answered):
        return questions
    wordings: dict[str, str] = {}
    for q in yes_no:
        wordings.setdefault(kinds[q.ref] or "", clean_text(q.existing_answer))
    choices = tuple(wordings[k] for k in ("yes", "no", "na") if k in wordings)
    if "yes" not in wordings or "no" not in wordings:
        return questions
    return [replace(q, answer_type="yes_no", choices=choices) if kinds.get(q.ref) else q for q in questions]

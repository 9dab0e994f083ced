"""Turn the rows of a grid into question items, given its :class:`~ingest.readers._table.Layout`.

Per row: repeated header, banner (a section) or ``make_item`` (question, guidance or noise); then
``demote_parents`` turns numbered headings (``1 Governance`` followed by ``1.1 ...``) into sections.
"""

from __future__ import annotations

from ingest import text as tx
from ingest.readers._table import Grid, Item, Layout, data_rows, header_role, header_score
from ingest.readers._vocabulary import MARKS

BANNER_MAX_WORDS = 10


def read_items(grid: Grid, layout: Layout) -> list[Item]:
    items: list[Item] = []
    section = _section_above(grid, layout.header_row)
    for row in data_rows(grid, layout.header_row):
        values = grid.row_values(row)
        if not values:
            continue
        anchors = [(c, v) for c, v in values if (row, c) not in grid.covered]
        if _is_header_repeat(anchors, layout):
            section = _header_section(anchors) or section
            continue
        text = (
            grid.get(row, layout.question_col)
            or grid.get(row, layout.fallback_col)
            or _coded_label(grid, layout, row)
        )
        if not text or (row, layout.question_col) in grid.covered:
            section = _banner(grid, layout, row, values) or section
            continue
        item = make_item(grid, layout, row, text, section)
        if item is None:
            if _banner_text(text, values, layout):
                section = text
            continue
        items.append(item)
    return drop_boilerplate(demote_parents(items))


def _section_above(grid: Grid, header_row: int | None) -> str | None:
    """A lone heading just above the header row (``Governance`` over ``Stream | Level | ...``)."""
    for row in range((header_row or 1) - 1, max((header_row or 1) - 3, 0), -1):
        values = [(c, v) for c, v in grid.row_values(row) if (row, c) not in grid.covered]
        if len(values) == 1 and 4 <= len(values[0][1]) <= 60 and not tx.is_noise(values[0][1]):
            return values[0][1]
    return None


def drop_boilerplate(items: list[Item]) -> list[Item]:
    """Text repeated on five or more rows that asks nothing ("Automatic from the Interview Sheet")."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.text] = counts.get(item.text, 0) + 1
    return [i for i in items if counts[i.text] < 5 or tx.is_question_text(i.text)]


def _coded_label(grid: Grid, layout: Layout, row: int) -> str:
    """A row with an answer-type code but no question text is answerable: its label is the question."""
    if not layout.code_col or not grid.get(row, layout.code_col):
        return ""
    skip = {layout.number_col, layout.code_col, layout.answer_col}
    for col, value in grid.row_values(row):
        if col not in skip and not tx.is_number(value) and len(value) >= 4:
            return value
    return ""


def make_item(grid: Grid, layout: Layout, row: int, text: str, section: str | None) -> Item | None:
    if tx.is_noise(text):
        return None
    raw_number = grid.get(row, layout.number_col)
    number = tx.normalize_number(raw_number) if raw_number and tx.is_number(raw_number) else None
    prefix, body = tx.split_number(text)
    if prefix and (number is None or number == prefix):
        number, text = prefix, body
    if number is None and not tx.is_question_text(text):
        if layout.number_col or _banner_text(text, grid.row_values(row), layout):
            return None
        if not tx.looks_like_prompt(text):
            return None
    if layout.section_col and grid.get(row, layout.section_col):
        section = grid.get(row, layout.section_col)
    code = grid.get(row, layout.code_col).split(" ")[0] or None
    return Item(
        row=row, number=number, text=text, section=section, existing=existing(grid, layout, row), code=code
    )


def existing(grid: Grid, layout: Layout, row: int) -> str | None:
    """The answer already in the file: the answer cell, or the choice whose column is marked."""
    if layout.choice_cols:
        marked = [c for c, col in layout.choice_cols.items() if grid.get(row, col).strip().lower() in MARKS]
        return marked[0] if marked else None
    value = grid.get(row, layout.answer_col)
    if not value or tx.is_noise(value):
        return None
    return value


def demote_parents(items: list[Item]) -> list[Item]:
    """A numbered heading that is not itself a question, followed by its children, is a section."""
    kept: list[Item] = []
    parent: Item | None = None
    for i, item in enumerate(items):
        nxt = items[i + 1] if i + 1 < len(items) else None
        if item.number and nxt and nxt.number and _is_parent(item, nxt):
            parent = item
            continue
        if parent and parent.number and item.number and item.number.startswith(parent.number + "."):
            item.section = parent.text
        else:
            parent = None
        kept.append(item)
    return kept


def _is_parent(item: Item, nxt: Item) -> bool:
    return (
        nxt.number is not None
        and item.number is not None
        and nxt.number.startswith(item.number + ".")
        and not tx.is_question_text(item.text)
        and len(item.text.split()) <= BANNER_MAX_WORDS
        and item.existing is None
    )


def _is_header_repeat(values: list[tuple[int, str]], layout: Layout) -> bool:
    """The header printed again (each section of a long sheet), not a data row with a "Yes" in it."""
    if any(tx.is_question_text(v) for _, v in values):
        return False
    same = sum(1 for c, v in values if layout.headers.get(c, "").casefold() == v.casefold())
    roles = {header_role(v) for _, v in values} & {"question", "answer", "number"}
    return same >= 2 or (len(roles) >= 2 and header_score(values) >= 5)


def _header_section(values: list[tuple[int, str]]) -> str | None:
    for _, value in values:
        if header_role(value) is None and not tx.is_number(value) and len(value.split()) <= BANNER_MAX_WORDS:
            return value
    return None


def _banner(grid: Grid, layout: Layout, row: int, values: list[tuple[int, str]]) -> str | None:
    """A row without question text whose first short text is a heading (``1. Access Control``), in
    English when the sheet also has the heading in English."""
    skip = {layout.answer_col, *layout.choice_cols.values()}
    # a code in the ID column ("SDLC") only when the row has no other heading ("Development security")
    for col, value in sorted(values, key=lambda cv: cv[0] == layout.number_col):
        if col in skip or tx.is_number(value) or (row, col) in grid.covered:
            continue
        if grid.get(row, layout.english.get(col)):  # the same heading in English is on this row
            continue
        heading = tx.split_number(value)[1]
        if (
            len(heading.split()) <= BANNER_MAX_WORDS + 4
            and not tx.is_noise(heading)
            and 4 <= len(heading) <= 100
        ):
            return heading
    return None


def _banner_text(text: str, values: list[tuple[int, str]], layout: Layout) -> bool:
    """Short, alone on its row, no final period: a heading, not a question."""
    others = [v for c, v in values if c not in (layout.question_col, layout.number_col)]
    return (
        not others
        and len(text.split()) <= BANNER_MAX_WORDS
        and not text.endswith((".", "?", ":"))
        and not tx.is_question_text(text)
    )

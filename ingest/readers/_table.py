"""Find the questions in a grid of cells (one spreadsheet tab or one CSV file).

Pipeline: ``find_header`` -> ``find_question_col`` -> ``find_number_col`` -> ``find_answer`` ->
``read_items``. Each step looks at headers first and at the content second, and records its reason in
``Layout.reasons`` so that a reader can report what it detected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest import text as tx
from ingest.readers import _vocabulary as vocab

HEADER_SCAN_ROWS = 60
MAX_COLS = 60
_CODE = re.compile(r"^[A-Z][A-Z0-9_.]{1,15}$")
_LANGUAGES = (
    r"[a-z]{2}(?:[-_][a-z]{2})?|eng|english|anglais|ingl[ée]s|englisch|inglese|french|fran[çc]ais|"
    r"spanish|espa[ñn]ol|german|deutsch|italian|italiano|portugu[eê]s|portuguese|dutch|nederlands"
)
# "description[en]", "Question (EN)", "Question - English", "question_en": a field in one language
_LANG_MARK = re.compile(
    rf"^(?P<base>.*?\S)\s*(?:\[\s*(?P<a>{_LANGUAGES})\s*\]|\(\s*(?P<b>{_LANGUAGES})\s*\)|"
    rf"\s[-–—:/]\s*(?P<c>{_LANGUAGES})|_(?P<d>[a-z]{{2}}))$",
    re.IGNORECASE,
)
_ENGLISH = {"en", "eng", "english", "anglais", "inglés", "ingles", "englisch", "inglese"}


@dataclass
class Grid:
    """Cells as clean text, 1-based ``(row, col)``; ``covered`` are merged cells below/right of an anchor."""

    name: str
    cells: dict[tuple[int, int], str]
    covered: set[tuple[int, int]] = field(default_factory=set)
    validations: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    known_codes: set[str] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)  # never the question or a free answer column
    cut: list[tuple[int, int]] = field(default_factory=list)  # cells longer than MAX_CELL_CHARS, cut

    def get(self, row: int, col: int | None) -> str:
        return self.cells.get((row, col), "") if col else ""

    _rows: dict[int, list[tuple[int, str]]] = field(default_factory=dict, init=False, repr=False)
    _indexed: int = field(default=-1, init=False, repr=False)

    def _index(self) -> dict[int, list[tuple[int, str]]]:
        """Cells grouped by row (rebuilt whenever cells were added since the last look)."""
        if self._indexed != len(self.cells):
            self._rows = {}
            for (row, col), value in sorted(self.cells.items()):
                if col <= MAX_COLS:
                    self._rows.setdefault(row, []).append((col, value))
            self._indexed = len(self.cells)
        return self._rows

    @property
    def max_row(self) -> int:
        return max(self._index(), default=0)

    @property
    def max_col(self) -> int:
        return min(max((c for _, c in self.cells), default=0), MAX_COLS)

    def anchor_values(self, row: int) -> list[tuple[int, str]]:
        """The row's values without the copies that fill merged ranges."""
        return [(c, v) for c, v in self.row_values(row) if (row, c) not in self.covered]

    def row_values(self, row: int) -> list[tuple[int, str]]:
        return self._index().get(row, [])


@dataclass
class Layout:
    header_row: int | None
    headers: dict[int, str]
    question_col: int
    number_col: int | None = None
    answer_col: int | None = None
    section_col: int | None = None
    choice_cols: dict[str, int] = field(default_factory=dict)
    answer_codes: bool = False
    code_col: int | None = None
    english: dict[int, int] = field(default_factory=dict)  # column -> its English version (same field)
    fallback_col: int | None = None  # the question column in the other language, for rows English lacks
    reasons: list[str] = field(default_factory=list)


@dataclass
class Item:
    row: int
    number: str | None
    text: str
    section: str | None
    existing: str | None
    code: str | None = None


def header_role(text: str) -> str | None:
    """What a header cell names: number, section, choice, question, answer, other; ``None`` for data."""
    if len(text) > 60 or len(text.split()) > 8 or text.endswith("?"):
        return None
    for role, pattern in (
        ("choice", vocab.CHOICE_HEAD),
        ("number", vocab.NUMBER_HEAD),
        ("section", vocab.SECTION_HEAD),
    ):
        if pattern.match(text):
            return role
    if vocab.QUESTION_START.match(text) or vocab.QUESTION_WORD.search(text):
        return "question"
    if vocab.ANSWER_HEAD.search(text):
        return "answer"
    return "other" if vocab.OTHER_HEAD.search(text) else None


def header_score(values: list[tuple[int, str]]) -> int:
    weights = {"question": 3, "answer": 3, "number": 2, "section": 1, "choice": 1, "other": 1}
    if not values or sum(1 for _, v in values if len(v) > 80) > 1:
        return 0
    roles = [header_role(v) for _, v in values if len(v) <= 80]
    if sum(1 for r in roles if r) < 2 or not {"question", "answer", "number"} & set(roles):
        return 0
    return sum(weights.get(r or "", 0) for r in roles)


def find_header(grid: Grid) -> tuple[int | None, dict[int, str]]:
    """The first row that reads like a header (roles such as Question, Answer, #), or ``None``. A row of
    Yes / No / N/A right below it (a two-row header) is merged into it."""
    best: tuple[int, int] | None = None
    for row in range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1):
        score = header_score(grid.anchor_values(row))
        if score >= 3 and (best is None or score > best[0]):
            best = (score, row)
    if best is None:
        return None, {}
    row = best[1]
    headers = dict(grid.row_values(row))
    below = grid.anchor_values(row + 1)
    if sum(1 for _, v in below if header_role(v) == "choice") >= 2:
        headers.update(below)
        row += 1
    return row, headers


def data_rows(grid: Grid, header_row: int | None) -> range:
    return range((header_row or 0) + 1, grid.max_row + 1)


def text_score(value: str) -> int:
    """3 for a question or statement to answer, 1 for other sentence-like text, 0 otherwise."""
    if tx.is_question_text(value):
        return 3
    return 1 if len(value) >= 20 and len(value.split()) >= 4 and not tx.is_noise(value) else 0


def find_question_col(grid: Grid, header_row: int | None, headers: dict[int, str]) -> tuple[int, str] | None:
    """The column holding the most question-like text; a Question-like header counts as a bonus."""
    scores: dict[int, float] = {}
    for (row, col), value in grid.cells.items():
        if row > (header_row or 0) and col <= MAX_COLS and (row, col) not in grid.covered:
            scores[col] = scores.get(col, 0.0) + text_score(value)
    for col in list(scores):
        role = header_role(headers.get(col, ""))
        if role in ("number", "answer", "choice") or col in grid.hidden_cols:
            del scores[col]
            continue
        if role == "question":
            scores[col] = scores[col] * 1.5 + 2
        if re.search(r"\[en\]|\(en\)|english", headers.get(col, ""), re.IGNORECASE):
            scores[col] += 1
    if not scores or max(scores.values()) < 2:
        return None
    col = max(scores, key=lambda c: (scores[c], -c))
    why = "header" if header_role(headers.get(col, "")) == "question" else "content"
    return col, f"question column {col} by {why} (score {scores[col]:.0f})"


def find_number_col(grid: Grid, layout: Layout) -> None:
    """The column whose values are IDs on the question rows, mostly distinct (not a depth or level)."""
    rows = [r for r in data_rows(grid, layout.header_row) if grid.get(r, layout.question_col)]
    best: tuple[float, int] | None = None
    for col in range(1, grid.max_col + 1):
        if col == layout.question_col or not rows:
            continue
        values = [grid.get(r, col) for r in rows]
        numbers = [v for v in values if tx.is_number(v)]
        ratio = len(numbers) / len(rows) * (len(set(numbers)) / max(len(numbers), 1))
        bonus = 0.5 if header_role(layout.headers.get(col, "")) == "number" else 0.0
        score = ratio + bonus - (0.01 * abs(layout.question_col - col))
        if ratio >= 0.25 and score >= 0.25 and (best is None or score > best[0]):
            best = (score, col)
    if best:
        layout.number_col = best[1]
        layout.reasons.append(f"number column {best[1]} ({best[0]:.2f})")


def find_choice_cols(layout: Layout) -> None:
    """Yes / No / N/A headers in adjacent columns: the answer is an ``x`` in one of them."""
    cols = sorted(c for c, h in layout.headers.items() if header_role(h) == "choice")
    runs = [c for c in cols if c - 1 in cols or c + 1 in cols]
    if len(runs) >= 2:
        layout.choice_cols = {layout.headers[c]: c for c in runs}
        layout.reasons.append(f"x-columns {sorted(layout.choice_cols)}")


def find_answer_col(grid: Grid, layout: Layout) -> None:
    """Answer column by header, else by data validations on question rows, else the first free column."""
    q = layout.question_col
    named = [c for c, h in layout.headers.items() if header_role(h) == "answer" and c != q]
    if named:
        right = [c for c in named if c > q]
        layout.answer_col = min(right) if right else min(named)
        layout.reasons.append(f"answer column {layout.answer_col} by header")
        return
    rows = [r for r in data_rows(grid, layout.header_row) if grid.get(r, q)]
    counts: dict[int, int] = {}
    for row, col in grid.validations:
        if row in rows and col != q:
            counts[col] = counts.get(col, 0) + 1
    if counts:
        layout.answer_col = max(counts, key=lambda c: counts[c])
        layout.reasons.append(f"answer column {layout.answer_col} by data validation")
        return
    layout.answer_col = free_column(grid, layout, after=q)
    layout.reasons.append(
        f"answer column {layout.answer_col}: first unlabelled column right of the questions"
    )


def free_column(grid: Grid, layout: Layout, *, after: int) -> int:
    """First column right of ``after`` with no header whose cells (if any) sit on question rows only, so
    the same column is found again once answers have been written into it."""
    rows = data_rows(grid, layout.header_row)
    qrows = {r for r in rows if grid.get(r, layout.question_col) or grid.get(r, layout.code_col)}
    rows_of: dict[int, set[int]] = {}
    for row, col in grid.cells:
        rows_of.setdefault(col, set()).add(row)
    for col in range(after + 1, MAX_COLS + 1):
        if not layout.headers.get(col) and col not in grid.hidden_cols and rows_of.get(col, set()) <= qrows:
            return col
    return grid.max_col + 1


def detect_codes(grid: Grid, layout: Layout) -> None:
    """An "answer" column filled with type codes (``YNANA``, ``TXT``) names answer types, not answers."""
    col = layout.answer_col
    rows = [r for r in data_rows(grid, layout.header_row) if grid.get(r, layout.question_col)]
    values = [grid.get(r, col) for r in rows if grid.get(r, col)]
    codes = [part for v in values for part in v.split(" ")]
    is_codes = bool(col) and len(values) >= 0.8 * len(rows) > 0 and all(_CODE.match(v) for v in codes)
    is_codes = is_codes and not any(tx.choice_kind(v) for v in values)  # YES / NO / NA are answers
    few = len(set(values)) <= max(3, len(values) // 4) or set(codes) <= grid.known_codes
    if col and is_codes and few:
        layout.answer_codes = True
        layout.code_col = col
        layout.answer_col = free_column(grid, layout, after=col)
        layout.reasons.append(
            f"column {col} holds answer-type codes; answers go to column {layout.answer_col}"
        )


def language_of(header: str) -> tuple[str, str | None]:
    """``"description[en]"`` -> ``("description", "en")``; ``"Question"`` -> ``("question", None)``."""
    match = _LANG_MARK.match(header.strip())
    if not match:
        return header.strip().casefold(), None
    language = next(g for g in (match["a"], match["b"], match["c"], match["d"]) if g)
    return match["base"].strip().casefold(), language.casefold()


def english_versions(headers: dict[int, str]) -> dict[int, int]:
    """Columns offered in several languages (``description`` and ``description[en]``, ``Question (FR)``
    and ``Question (EN)``): each non-English column -> the English column of the same field."""
    named = {col: language_of(text) for col, text in headers.items() if text}
    english = {base: col for col, (base, lang) in named.items() if lang in _ENGLISH}
    return {
        col: english[base]
        for col, (base, lang) in named.items()
        if base in english and lang not in _ENGLISH and col != english[base]
    }


def prefer_english(grid: Grid, layout: Layout) -> None:
    """Take the question text from the English version of the question column when it has text."""
    col = layout.english.get(layout.question_col)
    rows = data_rows(grid, layout.header_row)
    if col and sum(1 for r in rows if grid.get(r, col)) >= 0.5 * sum(
        1 for r in rows if grid.get(r, layout.question_col)
    ):
        layout.fallback_col, layout.question_col = layout.question_col, col
        layout.reasons.append(f"question column {col}: the English version of column {layout.fallback_col}")


def detect_layout(grid: Grid) -> Layout | None:
    header_row, headers = find_header(grid)
    found = find_question_col(grid, header_row, headers)
    if found is None:
        return None
    layout = Layout(header_row=header_row, headers=headers, question_col=found[0], reasons=[found[1]])
    if header_row:
        layout.reasons.insert(0, f"header row {header_row}")
    layout.english = english_versions(headers)
    prefer_english(grid, layout)
    sections = [c for c, h in headers.items() if header_role(h) == "section" and c != layout.question_col]
    layout.section_col = layout.english.get(sections[0], sections[0]) if sections else None
    find_number_col(grid, layout)
    find_choice_cols(layout)
    if not layout.choice_cols:
        find_answer_col(grid, layout)
        detect_codes(grid, layout)
    return layout

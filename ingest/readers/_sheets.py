"""Which tabs of a workbook hold the questionnaire, and which tab owns a question that several repeat.

``SheetFind`` is one tab's detection result; ``choose_sheets`` keeps the tabs that read like a
questionnaire (not lookups, dashboards or instruction tabs); ``claim`` gives each repeated question to
the tab where it is answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest import text as tx
from ingest.model import Questionnaire
from ingest.readers._table import Grid, Item, Layout, header_role

_PREAMBLE_SHEET = re.compile(
    r"\b(?:instructions?|introduction|intro|read ?me|guide|guidance|how to|help|cover|about|legend|glossary|"
    r"definitions|change ?log|(?:revision|version) history)\b",
    re.IGNORECASE,
)
_MECHANICS = re.compile(
    r"\b(?:tabs?|workbook|spreadsheet|worksheets?|columns?|rows?|cells?|drop-?downs?|"
    r"(?:this|the completed) (?:questionnaire|form|document|file))\b",
    re.IGNORECASE,
)


@dataclass
class SheetFind:
    grid: Grid
    layout: Layout
    items: list[Item]

    @property
    def numbered(self) -> int:
        return sum(1 for i in self.items if i.number)

    @property
    def questionlike(self) -> int:
        return sum(
            1 for i in self.items if tx.is_question_text(i.text) or (i.number and len(i.text.split()) >= 4)
        )

    @property
    def validated(self) -> bool:
        """Answer cells with a data validation: the tab where answers are entered."""
        col = self.layout.answer_col
        return any((i.row, col) in self.grid.validations for i in self.items)

    @property
    def form(self) -> bool:
        """Numbered fields under a header naming the question and the answer column (``ID | Field |
        Vendor Response``): short labels such as "Vendor name" are questions there."""
        layout = self.layout
        named = {
            header_role(layout.headers.get(layout.question_col, "")),
            header_role(layout.headers.get(layout.answer_col or 0, "")),
        }
        return named == {"question", "answer"} and self.numbered >= max(1, 0.5 * len(self.items))

    @property
    def preamble(self) -> bool:
        """A tab that explains how to fill in the workbook: no header row, and named like one
        (Instructions, Introduction, Read me ...) or mostly about tabs, columns and rows."""
        if self.layout.header_row is not None:
            return False
        mechanics = sum(1 for i in self.items if _MECHANICS.search(i.text))
        return bool(_PREAMBLE_SHEET.search(self.grid.name)) or mechanics >= 0.5 * len(self.items)


def choose_sheets(found: list[SheetFind], result: Questionnaire) -> list[SheetFind]:
    """Keep sheets that read like questionnaires; beside a numbered questionnaire, unnumbered tabs are
    lookups or dashboards; beside a tab with a header row, instruction tabs are not questions."""
    kept = [f for f in found if f.items and (f.questionlike >= max(1, 0.3 * len(f.items)) or f.form)]
    kept = [f for f in kept if len(f.items) >= 2 or f.layout.header_row]
    if any(f.layout.header_row and not f.preamble for f in kept):
        kept = [f for f in kept if not f.preamble]
    if any(f.numbered >= 10 for f in kept):
        for f in kept:
            if f.numbered < 0.3 * len(f.items):
                result.warnings.append(
                    f"sheet {f.grid.name}: {len(f.items)} unnumbered rows beside a numbered "
                    "questionnaire were not taken as questions"
                )
        kept = [f for f in kept if f.numbered >= 0.3 * len(f.items)]
    for f in found:
        if f not in kept:
            result.detected.setdefault("sheets_without_questions", []).append(f.grid.name)
    return kept


def claim(sheets: list[SheetFind]) -> dict[tuple[str | None, str], str]:
    """The tab each question belongs to when several tabs repeat it (same number and text): the first
    tab whose answer cells carry a data validation (where the vendor answers, not a report copying the
    answers by formula), else the first tab."""
    owners: dict[tuple[str | None, str], str] = {}
    for found in sorted(sheets, key=lambda f: not f.validated):  # stable: workbook order otherwise
        for item in found.items:
            owners.setdefault((item.number, item.text.casefold()), found.grid.name)
    return owners

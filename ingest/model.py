"""The contract every reader fulfils: plain dataclasses, no database, no Flask."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

AnswerType = Literal["yes_no", "choice", "multi_choice", "text", "number", "date"]


@dataclass(frozen=True)
class Location:
    """Where a question's answer belongs in the original file.

    ``kind`` is one of ``cell`` (XLSX/CSV: ``sheet`` + ``cell`` such as ``C14``, or for an x-column
    layout ``columns`` maps each choice to its cell), ``docx_cell`` (``table``/``row``/``col``; for an
    x-column layout ``columns`` maps each choice to its column index),
    ``docx_paragraph`` (``paragraph`` index), ``pdf_box`` (``page`` + ``box`` [x0, top, x1, bottom]),
    ``form_field`` (``field`` name) or ``vsaq`` (``item`` id).
    """

    kind: str
    sheet: str | None = None
    cell: str | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    paragraph: int | None = None
    page: int | None = None
    box: tuple[float, float, float, float] | None = None
    field: str | None = None
    item: str | None = None
    columns: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Question:
    ref: str
    number: str | None
    section: str | None
    text: str
    answer_type: AnswerType
    choices: tuple[str, ...]
    location: Location
    existing_answer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "number": self.number,
            "section": self.section,
            "text": self.text,
            "answer_type": self.answer_type,
            "choices": list(self.choices),
            "location": self.location.to_dict(),
            "existing_answer": self.existing_answer,
        }


@dataclass
class Questionnaire:
    source: str
    reader: str
    questions: list[Question]
    sections: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    detected: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "reader": self.reader,
            "sections": self.sections,
            "detected": self.detected,
            "questions": [q.to_dict() for q in self.questions],
            "warnings": self.warnings,
        }

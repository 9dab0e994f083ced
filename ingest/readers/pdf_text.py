"""Text-mode PDF questionnaires: printed lines -> paragraphs -> numbered questions, options, answers.

Pipeline: ``page_lines`` (pdfplumber lines with font size and weight) -> ``drop_furniture`` (running
headers, footers, page numbers) -> ``paragraphs`` (gaps, fonts, numbering) -> ``text_questions``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from ingest.model import Location, Question
from ingest.readers.pdf_tables import inline_choices, trailing_choices
from ingest.text import answer_type_for, clean_text, is_noise, is_question_text, split_number


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float
    bold: bool


def page_lines(page: Any) -> list[Line]:
    """Text lines of one page with their font size and weight (from the first characters)."""
    lines = []
    for raw in page.extract_text_lines(return_chars=True):
        chars = raw.get("chars") or [{}]
        fonts = [str(c.get("fontname", "")) for c in chars]
        size = float(Counter(round(float(c.get("size", 0)), 1) for c in chars).most_common(1)[0][0])
        bold = sum("bold" in f.lower() for f in fonts) > len(fonts) / 2
        lines.append(
            Line(page.page_number, raw["top"], raw["bottom"], raw["x0"], raw["x1"], raw["text"], size, bold)
        )
    return lines


def furniture_key(text: str) -> str:
    """Short lines ("Page 3 of 9") match with digits masked; longer ones only word for word."""
    text = clean_text(text).lower()
    return re.sub(r"\d+", "#", text) if len(text) <= 40 else text


def furniture_keys(lines: list[Line], heights: list[float], *, band: float = 0.1) -> set[str]:
    """Texts repeated in the top or bottom band of at least half the pages (running headers, page
    numbers), with digits masked so that "Page 2 of 9" matches "Page 3 of 9"."""
    pages = len(heights)
    if pages < 2:
        return set()
    seen: dict[str, set[int]] = {}
    for ln in lines:
        height = heights[ln.page - 1]
        if ln.top < band * height or ln.bottom > (1 - band) * height:
            seen.setdefault(furniture_key(ln.text), set()).add(ln.page)
    return {key for key, on in seen.items() if len(on) >= max(2, pages / 2)}


def drop_furniture(lines: list[Line], heights: list[float]) -> list[Line]:
    repeated = furniture_keys(lines, heights)
    return [ln for ln in lines if furniture_key(ln.text) not in repeated]


def paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Group printed lines into paragraphs (see ``_starts_paragraph``)."""
    groups: list[list[Line]] = []
    for ln in lines:
        if not groups or _starts_paragraph(groups[-1][-1], ln):
            groups.append([ln])
        else:
            groups[-1].append(ln)
    return groups


def _starts_paragraph(prev: Line, ln: Line) -> bool:
    """A font change, a wide gap, or a numbered or bulleted line starts a paragraph, except a line that
    merely continues an unfinished sentence at the same indent (``...within`` / ``24 hours?``). A page
    break only ends a paragraph whose sentence is finished."""
    if abs(ln.size - prev.size) > 0.5 or ln.bold != prev.bold:
        return True
    finished = prev.text.rstrip().endswith((".", "?", ":", "!", ")"))
    listed = split_number(ln.text)[0] is not None or _BULLET.match(ln.text) is not None
    if ln.page != prev.page:
        return finished or listed
    if ln.top - prev.top > 1.35 * max(ln.size, 1):
        return True
    number = split_number(ln.text)[0]
    plain_integer = number is not None and number.isdigit() and not re.match(r"^\(?\d+[.)]", ln.text.strip())
    return listed and (finished or not plain_integer or abs(ln.x0 - prev.x0) > 2)


_BULLET = re.compile(r"^[•●▪◦■\-–o]\s+(?P<rest>\S.*)$")


def text_questions(lines: list[Line], sections: list[str]) -> list[Question]:
    """Numbered paragraphs that ask something; short lettered or bulleted entries right after a question
    are its choices, plain text under it its answer; bigger, bold or numbered short lines are titles."""
    body = Counter(round(ln.size) for ln in lines).most_common(1)[0][0] if lines else 0
    section: str | None = None
    questions: list[Question] = []
    after_question = False
    for group in paragraphs(lines):
        text, choices, ticked = trailing_choices(clean_text(" ".join(ln.text for ln in group)))
        number, rest = split_number(text)
        heading = group[0].size > body + 0.5 or group[0].bold
        if is_noise(text):
            continue
        if is_question_text(rest) and (number or text.endswith("?")) and (not heading or text.endswith("?")):
            question = _text_question(group, number, rest, section)
            if choices:
                question = replace(question, answer_type=answer_type_for(choices), choices=choices)
            questions.append(replace(question, existing_answer=ticked))
            after_question = True
        elif after_question and (option := _option(text, number, rest)) and not heading:
            questions[-1] = _add_choice(questions[-1], option)
        elif (heading or number) and len(rest.split()) <= 8 and not rest.endswith("?"):
            section, after_question = rest, False
            if rest not in sections:
                sections.append(rest)
        elif after_question and not heading and number is None:
            questions[-1] = _add_answer(questions[-1], text)
        else:
            after_question = False
    return questions


_ANSWER_PREFIX = re.compile(r"^(?:answer|response|reply|vendor response)\s*[:\-]\s*", re.IGNORECASE)


def _add_answer(question: Question, text: str) -> Question:
    """Plain text printed under a question is its answer (a completed questionnaire exported to PDF)."""
    text = _ANSWER_PREFIX.sub("", text)
    joined = f"{question.existing_answer} {text}" if question.existing_answer else text
    return replace(question, existing_answer=joined.strip() or None)


def _option(text: str, number: str | None, rest: str) -> str | None:
    """``a. Daily`` / ``ii) Weekly`` / ``• Never`` -> the choice text; ``None`` for anything else."""
    bullet = _BULLET.match(text)
    if bullet:
        rest = bullet["rest"]
    elif number is None or not number.isalpha():
        return None
    return rest if len(rest.split()) <= 10 else None


def _add_choice(question: Question, option: str) -> Question:
    choices = (*question.choices, option)
    multi = re.search(r"\b(?:all that apply|select all|check all|tick all)\b", question.text, re.IGNORECASE)
    kind = "multi_choice" if multi else answer_type_for(choices)
    return replace(question, choices=choices, answer_type=kind)


def _text_question(group: list[Line], number: str | None, text: str, section: str | None) -> Question:
    page_lines_ = [ln for ln in group if ln.page == group[0].page]
    box = (
        min(ln.x0 for ln in page_lines_),
        page_lines_[0].top,
        max(ln.x1 for ln in page_lines_),
        page_lines_[-1].bottom,
    )
    answer_type, choices = inline_choices(text)
    return Question(
        ref=f"p{group[0].page}y{round(group[0].top)}",
        number=number,
        section=section,
        text=text,
        answer_type=answer_type,
        choices=choices,
        location=Location(kind="pdf_box", page=group[0].page, box=box),
    )


def headings(lines: list[Line]) -> list[tuple[int, float, str]]:
    """(page, top, title) of lines set bigger or bolder than the body text that are not questions."""
    body = Counter(round(ln.size) for ln in lines).most_common(1)[0][0] if lines else 0
    found = []
    for ln in lines:
        text = split_number(ln.text)[1]
        if (ln.size > body + 0.5 or ln.bold) and not is_question_text(text) and not is_noise(text):
            found.append((ln.page, ln.top, text))
    return found

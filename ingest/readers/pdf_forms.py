"""Fillable PDF forms (AcroForm): each field is a question, read with pypdf.

Pipeline: ``widgets`` (every widget annotation, page by page, with its field's full name) ->
``group_fields`` (radio kids become one field) -> ``field_question`` (text from the tooltip, else the
label printed beside or above the widget; type and choices from the field's own export values).
Separate Yes / No / N/A check boxes on one line become one question (``group_question``) whose
``Location.columns`` maps each choice to its box's field name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from ingest.model import AnswerType, Location, Question
from ingest.text import choice_kind, clean_text, is_yes_no, split_number

RADIO = 1 << 15
PUSHBUTTON = 1 << 16
MULTISELECT = 1 << 21


@dataclass
class Field:
    """One form field, possibly shown by several widgets (radio buttons)."""

    name: str
    kind: str  # /Tx, /Btn, /Ch, /Sig
    flags: int
    tooltip: str
    value: Any
    page: int
    rect: tuple[float, float, float, float]
    states: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


def _inherited(node: DictionaryObject, key: str) -> Any:
    seen = 0
    current: Any = node
    while current is not None and seen < 32:
        if key in current:
            return current[key]
        parent = current.get("/Parent")
        current = parent.get_object() if parent is not None else None
        seen += 1
    return None


def _field_node(annot: DictionaryObject) -> Any:
    """The field a widget belongs to: itself when it carries a name, else its parent (radio kids)."""
    parent = annot.get("/Parent")
    return annot if "/T" in annot or parent is None else parent.get_object()


def full_name(node: DictionaryObject) -> str:
    """``parent.child`` as in the AcroForm tree."""
    parts: list[str] = []
    current: Any = node
    for _ in range(32):
        if current is None:
            break
        if "/T" in current:
            parts.append(str(current["/T"]))
        parent = current.get("/Parent")
        current = parent.get_object() if parent is not None else None
    return ".".join(reversed(parts))


def widgets(reader: PdfReader) -> Iterator[tuple[int, DictionaryObject]]:
    """(1-based page number, widget annotation) in page order."""
    for page_number, page in enumerate(reader.pages, start=1):
        annots = page.get("/Annots")
        for ref in annots.get_object() if annots is not None else []:
            annot = ref.get_object()
            if annot.get("/Subtype") == "/Widget":
                yield page_number, annot


def group_fields(reader: PdfReader) -> list[Field]:
    """Fields in the order their first widget appears; radio buttons collect their export states."""
    fields: dict[str, Field] = {}
    for page_number, annot in widgets(reader):
        name = full_name(annot)
        if not name:
            continue
        states = [str(k).lstrip("/") for k in _appearance_states(annot) if str(k) != "/Off"]
        if name in fields:
            fields[name].states.extend(s for s in states if s not in fields[name].states)
            continue
        rect = tuple(float(v) for v in annot.get("/Rect", [0, 0, 0, 0]))
        options = _inherited(annot, "/Opt") or []
        fields[name] = Field(
            name=name,
            kind=str(_inherited(annot, "/FT") or ""),
            flags=int(_inherited(annot, "/Ff") or 0),
            tooltip=clean_text(_inherited(annot, "/TU") or ""),
            value=_inherited(_field_node(annot), "/V"),
            page=page_number,
            rect=(rect[0], rect[1], rect[2], rect[3]),
            states=states,
            options=[_option_text(o) for o in options],
        )
    return list(fields.values())


def _appearance_states(annot: DictionaryObject) -> list[Any]:
    ap = annot.get("/AP")
    normal = ap.get_object().get("/N") if ap is not None else None
    normal = normal.get_object() if normal is not None else None
    return list(normal.keys()) if isinstance(normal, DictionaryObject) else []


def _option_text(option: Any) -> str:
    option = option.get_object() if hasattr(option, "get_object") else option
    if isinstance(option, list) and option:
        return clean_text(option[-1])
    return clean_text(option)


def field_type(item: Field) -> tuple[AnswerType, tuple[str, ...]] | None:
    """Answer type and the field's own choices; ``None`` for buttons and signatures (not questions)."""
    if item.kind == "/Tx":
        return "text", ()
    if item.kind == "/Ch":
        kind: AnswerType = "multi_choice" if item.flags & MULTISELECT else "choice"
        return kind, tuple(item.options)
    if item.kind == "/Btn" and not item.flags & PUSHBUTTON:
        choices = tuple(item.states)
        if item.flags & RADIO:
            return ("yes_no" if is_yes_no(choices) else "choice"), choices
        return "yes_no", (*choices, "Off")
    return None


def existing_value(item: Field) -> str | None:
    value = item.value
    if value is None:
        return None
    text = ", ".join(clean_text(v) for v in value) if isinstance(value, list) else clean_text(value)
    text = text.lstrip("/") if item.kind == "/Btn" else text
    return None if not text or (item.kind == "/Btn" and text == "Off") else text


def field_question(item: Field, label: str, page_height: float) -> Question | None:
    kind = field_type(item)
    if kind is None:
        return None
    raw = item.tooltip or label or item.name
    number, text = split_number(raw)
    x0, y0, x1, y1 = item.rect
    return Question(
        ref=item.name,
        number=number,
        section=None,
        text=text,
        answer_type=kind[0],
        choices=kind[1],
        location=Location(
            kind="form_field",
            field=item.name,
            page=item.page,
            box=(x0, page_height - max(y0, y1), x1, page_height - min(y0, y1)),
        ),
        existing_answer=existing_value(item),
    )


def nearby_label(lines: list[dict[str, Any]], box: tuple[float, float, float, float]) -> str:
    """The printed label of a widget: the text left of it on its line, else the closest line above."""
    x0, top, x1, bottom = box
    middle = (top + bottom) / 2
    left = [ln for ln in lines if ln["top"] - 2 <= middle <= ln["bottom"] + 2 and ln["x1"] <= x0 + 2]
    if left:
        return clean_text(max(left, key=lambda ln: ln["x1"])["text"])
    above = [ln for ln in lines if ln["bottom"] <= top + 2 and top - ln["bottom"] < 40]
    above = [ln for ln in above if ln["x0"] < x1 and ln["x1"] > x0 - 20]
    if above:
        return clean_text(max(above, key=lambda ln: ln["bottom"])["text"])
    return ""


# Yes/No drawn as separate check boxes ("Do you ...?  [ ] Yes  [ ] No"): one question, one box per choice.
Word = dict[str, Any]
_TRAILING_CHOICES = re.compile(r"(?:\s+(?:yes|no|n/?a|not applicable))+\s*$", re.IGNORECASE)


def side_texts(words: list[Word], box: tuple[float, float, float, float]) -> tuple[str, str]:
    """(text left of the widget on its line, the label right next to it)."""
    x0, top, x1, bottom = box
    middle = (top + bottom) / 2
    same = sorted((w for w in words if w["top"] - 3 <= middle <= w["bottom"] + 3), key=lambda w: w["x0"])
    right: list[Word] = []
    for word in (w for w in same if w["x0"] >= x1 - 1):
        gap = word["x0"] - (right[-1]["x1"] if right else x1)
        if gap > (12 if right else 30):
            break
        right.append(word)
    left = " ".join(str(w["text"]) for w in same if w["x1"] <= x0 + 1)
    return clean_text(left), clean_text(" ".join(str(w["text"]) for w in right))


def is_option_box(item: Field, right: str) -> str | None:
    """The choice a lone check box stands for ("Yes", "No", "N/A"), from its label or export value."""
    if item.kind != "/Btn" or item.flags & (RADIO | PUSHBUTTON):
        return None
    if item.tooltip and choice_kind(item.tooltip) is None:
        return None
    for candidate in (item.tooltip, right, *item.states):
        if candidate and choice_kind(candidate):
            return clean_text(candidate)
    return None


@dataclass
class OptionBox:
    item: Field
    box: tuple[float, float, float, float]
    label: str
    left: str


def group_question(group: list[OptionBox], above: str) -> Question:
    """One question for boxes on one line: text left of the first box (or the line above it)."""
    first = group[0]
    number, text = split_number(_TRAILING_CHOICES.sub("", first.left) or above)
    labels = tuple(dict.fromkeys(option.label for option in group))
    ticked = [option.label for option in group if existing_value(option.item)]
    return Question(
        ref=first.item.name,
        number=number,
        section=None,
        text=text,
        answer_type="yes_no" if is_yes_no(labels) else "choice",
        choices=labels,
        location=Location(
            kind="form_field",
            field=first.item.name,
            page=first.item.page,
            box=first.box,
            columns={option.label: option.item.name for option in group},
        ),
        existing_answer=", ".join(ticked) or None,
    )

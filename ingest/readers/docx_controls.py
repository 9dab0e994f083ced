"""Word form controls as answer locations, read and written in place.

Two generations of controls: legacy form fields (``w:fldChar`` with ``w:ffData``: FORMTEXT,
FORMCHECKBOX, FORMDROPDOWN; a text field's value is the field result between its ``separate`` and
``end`` marks) and content controls (``w:sdt``: check boxes in ``w14:checkbox``, ``w:dropDownList`` and
``w:comboBox`` with their ``w:listItem`` choices, ``w:date``, and plain or rich text inside a paragraph).

Pipeline: ``render`` walks a paragraph in document order and returns its ``Parts``: the text a reader
sees (a check box printed as a ☒ or ☐ glyph before its label, so ``pdf_tables.checkboxes`` reads it like
any printed box), the values of its text-like controls kept apart from that text, and the controls
themselves. ``tick`` and ``set_value`` write an answer back into the same controls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.readers._vocabulary import CHECKED, UNCHECKED
from ingest.readers.docx_numbering import W
from ingest.text import clean_text, match_choice

W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_VALUE_KINDS = ("text", "dropdown", "date")


@dataclass
class Control:
    """One form control: ``kind`` is ``checkbox``, ``text``, ``dropdown`` or ``date``; ``node`` is its
    ``w:ffData`` (legacy) or ``w:sdt`` (content control)."""

    kind: str
    node: Any
    choices: tuple[str, ...] = ()

    @property
    def legacy(self) -> bool:
        return bool(self.node.tag == f"{W}ffData")


@dataclass
class Parts:
    """A paragraph as a reader sees it: ``text`` without the values of text-like controls (those are in
    ``values``), check boxes as glyphs."""

    text: str = ""
    values: list[str] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)

    @property
    def full(self) -> str:
        """The text with the control values where they stand (what a cell shows)."""
        return clean_text(" ".join([self.text, *self.values]))


def control_of(node: Any) -> Control | None:
    """The control a ``w:ffData`` or ``w:sdt`` node defines; ``None`` for block content controls that
    merely wrap paragraphs or tables, and for fields that are not form fields."""
    if node.tag == f"{W}ffData":
        if node.find(f"{W}checkBox") is not None:
            return Control("checkbox", node)
        entries = node.findall(f"{W}ddList/{W}listEntry")
        if entries:
            return Control("dropdown", node, tuple(e.get(f"{W}val", "") for e in entries))
        return Control("text", node)
    props = node.find(f"{W}sdtPr")
    if props is None:
        return Control("text", node) if node.getparent().tag == f"{W}p" else None
    if props.find(f"{W14}checkbox") is not None:
        return Control("checkbox", node)
    items = props.findall(f"{W}dropDownList/{W}listItem") + props.findall(f"{W}comboBox/{W}listItem")
    if items:
        return Control(
            "dropdown", node, tuple(i.get(f"{W}displayText") or i.get(f"{W}value", "") for i in items)
        )
    if props.find(f"{W}date") is not None:
        return Control("date", node)
    return Control("text", node) if node.getparent().tag == f"{W}p" else None


def is_checked(control: Control) -> bool:
    if control.legacy:
        box = control.node.find(f"{W}checkBox")
        mark = box.find(f"{W}checked")
        if mark is None:
            mark = box.find(f"{W}default")
            return mark is not None and mark.get(f"{W}val", "0") in ("1", "true", "on")
        return mark.get(f"{W}val", "1") in ("1", "true", "on")
    mark = control.node.find(f"{W}sdtPr/{W14}checkbox/{W14}checked")
    return mark is not None and mark.get(f"{W14}val", "0") in ("1", "true")


def _placeholder(sdt: Any) -> bool:
    return sdt.find(f"{W}sdtPr/{W}showingPlcHdr") is not None


def value_of(control: Control, result: str) -> str:
    """A text-like control's value: ``result`` is the text it shows; a legacy drop-down shows its
    selected entry."""
    if control.legacy and control.kind == "dropdown":
        chosen = control.node.find(f"{W}ddList/{W}result")
        index = int(chosen.get(f"{W}val", "0")) if chosen is not None else 0
        return control.choices[index] if 0 <= index < len(control.choices) else ""
    if not control.legacy and _placeholder(control.node):
        return ""
    return clean_text(result)


@dataclass
class _Field:
    control: Control | None
    result: bool = False
    text: list[str] = field(default_factory=list)


def render(paragraph: Any) -> Parts:
    """The paragraph's ``Parts``, walking its runs, fields and content controls in document order."""
    parts = Parts()
    words: list[str] = []
    fields: list[_Field] = []
    seen: dict[int, tuple[Control, list[str]]] = {}
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}fldChar", f"{W}sdt"):
        if node.tag == f"{W}sdt":
            control = control_of(node)
            if control is not None:
                seen[id(node)] = (control, [])
                parts.controls.append(control)
                if control.kind == "checkbox":
                    words.append(CHECKED[0] if is_checked(control) else UNCHECKED[0])
            continue
        if node.tag == f"{W}fldChar":
            _field_mark(node, fields, parts, words)
            continue
        text = node.text or "" if node.tag == f"{W}t" else {f"{W}tab": " ", f"{W}br": "\n"}[node.tag]
        owner = _owner(node, paragraph, seen)
        if owner is not None:
            if owner[0].kind != "checkbox":
                owner[1].append(text)
        elif fields and fields[-1].result and fields[-1].control is not None:
            fields[-1].text.append(text)
        else:
            words.append(text)
    for control, texts in seen.values():
        if control.kind in _VALUE_KINDS and (value := value_of(control, "".join(texts))):
            parts.values.append(value)
    parts.text = clean_text("".join(words))
    return parts


def _owner(
    node: Any, stop: Any, seen: dict[int, tuple[Control, list[str]]]
) -> tuple[Control, list[str]] | None:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if id(parent) in seen:
            return seen[id(parent)]
        parent = parent.getparent()
    return None


def _field_mark(node: Any, fields: list[_Field], parts: Parts, words: list[str]) -> None:
    """Track legacy fields: ``begin`` opens one (a form field when it carries ``w:ffData``), ``separate``
    starts its shown result, ``end`` closes it and records a form field's value."""
    kind = node.get(f"{W}fldCharType")
    if kind == "begin":
        data = node.find(f"{W}ffData")
        control = control_of(data) if data is not None else None
        fields.append(_Field(control))
        if control is not None:
            parts.controls.append(control)
            if control.kind == "checkbox":
                words.append(CHECKED[0] if is_checked(control) else UNCHECKED[0])
    elif kind == "separate" and fields:
        fields[-1].result = True
    elif kind == "end" and fields:
        done = fields.pop()
        if done.control is not None and done.control.kind in _VALUE_KINDS:
            value = value_of(done.control, "".join(done.text))
            if value:
                parts.values.append(value)


def tick(controls: list[Control], labels: tuple[str, ...], wanted: set[str]) -> None:
    """Set each check box to whether its label (same order as ``labels``) is wanted."""
    boxes = [c for c in controls if c.kind == "checkbox"]
    for control, label in zip(boxes, labels, strict=False):
        set_checked(control, label in wanted)


def set_checked(control: Control, on: bool) -> None:
    if control.legacy:
        box = control.node.find(f"{W}checkBox")
        mark = box.find(f"{W}checked")
        if mark is None:
            mark = box.makeelement(f"{W}checked", {})
            box.append(mark)
        mark.set(f"{W}val", "1" if on else "0")
        return
    state = control.node.find(f"{W}sdtPr/{W14}checkbox")
    mark = state.find(f"{W14}checked")
    if mark is None:
        mark = state.makeelement(f"{W14}checked", {})
        state.insert(0, mark)
    mark.set(f"{W14}val", "1" if on else "0")
    wanted = state.find(f"{W14}{'checkedState' if on else 'uncheckedState'}")
    glyph = chr(int(wanted.get(f"{W14}val"), 16)) if wanted is not None else (CHECKED if on else UNCHECKED)[0]
    for text in control.node.iter(f"{W}t"):
        if text.text and text.text.strip():
            text.text = glyph
            break


def set_value(control: Control, answer: str) -> None:
    """Write a text, date or drop-down answer into the control (a drop-down takes one of its choices)."""
    choice = match_choice(answer, control.choices) if control.choices else answer
    if control.legacy and control.kind == "dropdown" and choice in control.choices:
        result = control.node.find(f"{W}ddList/{W}result")
        if result is None:
            result = control.node.find(f"{W}ddList").makeelement(f"{W}result", {})
            control.node.find(f"{W}ddList").insert(0, result)
        result.set(f"{W}val", str(control.choices.index(choice)))
        return
    runs = _legacy_result_runs(control) if control.legacy else _sdt_runs(control)
    _replace_runs(runs, choice)


def _sdt_runs(control: Control) -> list[Any]:
    """The control's runs; a placeholder's flag and grey placeholder style go (the answer is real)."""
    for flag in control.node.findall(f"{W}sdtPr/{W}showingPlcHdr"):
        flag.getparent().remove(flag)
    for style in control.node.iter(f"{W}rStyle"):
        if style.get(f"{W}val", "").lower().startswith("placeholder"):
            style.getparent().remove(style)
    content = control.node.find(f"{W}sdtContent")
    runs = list(content.iter(f"{W}r"))
    if not runs:
        target = content.find(f"{W}p")
        holder = target if target is not None else content
        runs = [holder.makeelement(f"{W}r", {})]
        holder.append(runs[0])
    return runs


def _legacy_result_runs(control: Control) -> list[Any]:
    """The runs between the field's ``separate`` and ``end`` marks (one is added when there are none)."""
    begin_run = control.node.getparent().getparent()
    runs: list[Any] = []
    separate = None
    for run in begin_run.itersiblings(f"{W}r"):
        mark = run.find(f"{W}fldChar")
        kind = mark.get(f"{W}fldCharType") if mark is not None else None
        if kind == "separate":
            separate = run
        elif kind == "end":
            if separate is None:
                separate = run.makeelement(f"{W}r", {})
                separate.append(separate.makeelement(f"{W}fldChar", {f"{W}fldCharType": "separate"}))
                run.addprevious(separate)
            if not runs:
                runs.append(run.makeelement(f"{W}r", {}))
                run.addprevious(runs[0])
            return runs
        elif separate is not None:
            runs.append(run)
    return runs


def _replace_runs(runs: list[Any], text: str) -> None:
    if not runs:
        return
    first = runs[0]
    for child in [c for c in first if c.tag != f"{W}rPr"]:
        first.remove(child)
    node = first.makeelement(f"{W}t", {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    node.text = text
    first.append(node)
    for extra in runs[1:]:
        extra.getparent().remove(extra)

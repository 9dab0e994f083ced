"""Google VSAQ questionnaires: JSON with ``//`` comments and ``"a" + "b"`` string joins.

Pipeline: ``to_json`` (drop comments, join strings) -> ``json.loads`` -> ``walk`` the tree of blocks
-> ``to_question`` for every answerable item (radiogroup, checkgroup, line, box, check, yesno).

Answers: VSAQ keeps them apart from the template, as the flat object its ``getValuesAsJson`` /
``setValues`` exchange (item id -> value: ``"checked"`` or ``""`` for each radio and check choice,
``"yes"`` / ``"no"`` for a yesno item, the text for line and box items). A filled file is the template
with that object as its top-level ``"answers"`` member (VSAQ reads only ``questionnaire``, so the file
still loads there); ``existing_answer`` is read back from it in the file's own choice wording.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import CorruptFile, LimitExceeded, UnsupportedFormat
from ingest.limits import Limits
from ingest.model import AnswerType, Location, Question, Questionnaire
from ingest.sniff import check_file

NAME = "vsaq"

ANSWERABLE = {"radiogroup", "checkgroup", "line", "box", "check", "yesno"}
ANSWERS_KEY = "answers"
CHECKED = "checked"
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_YES_NO = re.compile(r"^\s*(yes|no)\b", re.IGNORECASE)


def score(head: bytes, filename: str) -> int:
    """High when the content is a VSAQ template, whatever the file is called."""
    text = head[:65536].decode("utf-8", errors="ignore").lstrip("\ufeff")
    if '"questionnaire"' not in text and '"extensions"' not in text:
        return 0  # cheap first: a PDF or a workbook never gets the character-by-character pass below
    body = to_json(text).lstrip()
    if not body.startswith("{"):
        return 0
    if not re.search(r'"(questionnaire|extensions)"\s*:\s*\[', body):
        return 0
    has_items = re.search(r'"type"\s*:\s*"(block|radiogroup|checkgroup|line|box|info)"', body)
    if not has_items:
        return 10
    return 90 if filename.lower().endswith(".json") else 85


def read(path: Path, *, limits: Limits) -> Questionnaire:
    kind = check_file(path, limits=limits, display=path.name)
    if kind != "text":
        raise UnsupportedFormat(
            f"the content is not VSAQ JSON text (it looks like {kind})",
            where=path.name,
            fix="upload the questionnaire template .json from VSAQ",
        )
    tree = load(path)
    values = answer_values(tree)
    items, repeated = answerable(roots_of(tree, path.name))
    questions = [to_question(item, ref=ref, values=values) for ref, item in items]
    sections = list(dict.fromkeys(item.section for _, item in items if item.section))
    warnings = [f"{path.name}: item id {ref!r} appears twice; kept the first" for ref in repeated]
    if len(questions) > limits.max_rows:
        raise LimitExceeded(
            f"{len(questions)} questions, more than the limit of {limits.max_rows}",
            where=path.name,
            fix="split the questionnaire or raise TRUSTDESK_MAX_ROWS",
        )
    return Questionnaire(
        source=str(path),
        reader=NAME,
        questions=questions,
        sections=sections,
        warnings=warnings,
        detected={
            "format": "vsaq",
            "extension": "extensions" in tree,
            "items": len(questions),
            "answers": len(values),
        },
    )


def load(path: Path) -> dict[str, Any]:
    """The file as a JSON object (comments dropped, string joins joined)."""
    return parse_text(path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff"), path.name)


def parse_text(raw: str, name: str) -> dict[str, Any]:
    try:
        tree = json.loads(to_json(raw))
    except json.JSONDecodeError as exc:
        raise CorruptFile(
            f"not valid VSAQ JSON ({exc.msg})",
            where=f"{name} line {exc.lineno} column {exc.colno}",
            fix="check the file for a missing comma or quote; VSAQ allows only // comments and + joins",
        ) from exc
    if not isinstance(tree, dict):
        raise UnsupportedFormat(
            "the JSON is not a VSAQ questionnaire (no top-level object)",
            where=name,
            fix="export the questionnaire template from VSAQ",
        )
    return tree


def roots_of(tree: dict[str, Any], name: str) -> list[Any]:
    roots = tree.get("questionnaire", tree.get("extensions"))
    if not isinstance(roots, list):
        raise UnsupportedFormat(
            "the JSON has no 'questionnaire' or 'extensions' list",
            where=name,
            fix="export the questionnaire template from VSAQ",
        )
    return roots


def skip_blank(text: str, i: int) -> int:
    """Index of the next character that is neither whitespace nor inside a comment."""
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("//", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
        else:
            return i
    return n


def string_end(text: str, start: int) -> int:
    """Index just past the JSON string literal opening at ``start`` (or the end of text)."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return len(text)


def _string_run(text: str, start: int) -> tuple[str, int]:
    """The string at ``start`` joined with any ``+ "..."`` that follow; returns (literal, end)."""
    end = string_end(text, start)
    parts = [text[start + 1 : end - 1]]
    while True:
        plus = skip_blank(text, end)
        if not text.startswith("+", plus):
            break
        nxt = skip_blank(text, plus + 1)
        if not text.startswith('"', nxt):
            break
        end = string_end(text, nxt)
        parts.append(text[nxt + 1 : end - 1])
    return '"' + "".join(parts) + '"', end


def to_json(text: str) -> str:
    """Turn VSAQ's JSON-ish text into strict JSON: drop comments, join ``"a" + "b"``."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            literal, i = _string_run(text, i)
            out.append(literal)
        elif text.startswith("//", i) or text.startswith("/*", i):
            i = skip_blank(text, i)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Item:
    """One answerable item with the context the tree gives it."""

    data: dict[str, Any]
    section: str | None
    intro: str | None


def walk(items: list[Any], *, section: str | None) -> Iterator[Item]:
    """Answerable items in document order; ``intro`` is the nearest preceding info text in the block."""
    intro: str | None = None
    for node in items:
        if not isinstance(node, dict):
            continue
        kind = str(node.get("type", ""))
        if kind == "block":
            title = clean(node.get("text")) or section
            yield from walk(node.get("items") or [], section=title)
        elif kind == "info":
            intro = clean(node.get("text"))
        elif kind in ANSWERABLE:
            yield Item(node, section, intro)


def clean(value: Any) -> str:
    """Plain text from VSAQ's HTML-flavoured strings."""
    if not isinstance(value, str):
        return ""
    text = html.unescape(_TAG.sub(" ", value))
    return _SPACE.sub(" ", text).strip()


def _choices(data: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(choice ids, choice labels) in file order."""
    ids: list[str] = []
    labels: list[str] = []
    for choice in data.get("choices") or []:
        if isinstance(choice, dict):
            for key, label in choice.items():
                ids.append(str(key))
                labels.append(clean(label) or str(key))
    return tuple(ids), tuple(labels)


def answer_type(kind: str, labels: tuple[str, ...]) -> AnswerType:
    if kind in {"check", "yesno"}:
        return "yes_no"
    if kind == "checkgroup":
        return "multi_choice"
    if kind == "radiogroup":
        starts = {m.group(1).lower() for m in (_YES_NO.match(label) for label in labels) if m}
        return "yes_no" if len(labels) == 2 and starts == {"yes", "no"} else "choice"
    return "text"


def answer_values(tree: dict[str, Any]) -> dict[str, str]:
    """The file's ``"answers"`` object (item id -> value), values as strings; ``{}`` when absent."""
    values = tree.get(ANSWERS_KEY)
    if not isinstance(values, dict):
        return {}
    return {
        str(k): (CHECKED if v is True else "" if v in (False, None) else str(v)) for k, v in values.items()
    }


def choices_of(data: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(choice ids, labels) an item offers; check and yesno items offer Yes and No."""
    kind = str(data.get("type", ""))
    ids, labels = _choices(data)
    if kind == "check" and not labels:
        return ("yes", "no"), ("Yes", "No")
    if kind == "yesno":
        return ("yes", "no"), (clean(data.get("yes")) or "Yes", clean(data.get("no")) or "No")
    return ids, labels


def answerable(roots: list[Any]) -> tuple[list[tuple[str, Item]], list[str]]:
    """(ref, item) for every answerable item in document order, and the refs seen more than once (only
    the first of each is kept)."""
    items: list[tuple[str, Item]] = []
    seen: set[str] = set()
    repeated: list[str] = []
    for item in walk(roots, section=None):
        ref = item_ref(item, len(items))
        if ref in seen:
            repeated.append(ref)
            continue
        seen.add(ref)
        items.append((ref, item))
    return items, repeated


def item_ref(item: Item, index: int) -> str:
    """The item id; a checkgroup often has none: its answers are keyed by the choice ids."""
    data = item.data
    choice_ids, _ = _choices(data)
    if data.get("id"):
        return str(data["id"])
    return f"group:{choice_ids[0]}" if choice_ids else f"item-{index + 1}"


def existing_answer(data: dict[str, Any], values: dict[str, str]) -> str | None:
    """The answer recorded in ``values`` for one item, in the item's own wording (labels, text)."""
    kind = str(data.get("type", ""))
    ids, labels = choices_of(data)
    own = values.get(str(data.get("id"))) if data.get("id") else None
    if kind in {"line", "box"}:
        return own or None
    if kind == "check":
        return None if own is None else labels[0] if own == CHECKED else labels[1]
    if kind == "yesno":
        return {"yes": labels[0], "no": labels[1]}.get(own or "")
    ticked = [label for cid, label in zip(ids, labels, strict=True) if values.get(cid) == CHECKED]
    return ", ".join(ticked) or None


def to_question(item: Item, *, ref: str, values: dict[str, str] | None = None) -> Question:
    data = item.data
    kind = str(data["type"])
    item_id = str(data["id"]) if data.get("id") else None
    _, labels = choices_of(data)
    text = clean(data.get("text")) or item.intro or ", ".join(_choices(data)[1])
    return Question(
        ref=ref,
        number=item_id,
        section=item.section,
        text=text,
        answer_type=answer_type(kind, labels),
        choices=labels,
        location=Location(kind="vsaq", item=ref),
        existing_answer=existing_answer(data, values or {}),
    )

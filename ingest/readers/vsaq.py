"""Google VSAQ questionnaires: JSON with ``//`` comments and ``"a" + "b"`` string joins.

Pipeline: ``to_json`` (drop comments, join strings) -> ``json.loads`` -> ``walk`` the tree of blocks
-> ``to_question`` for every answerable item (radiogroup, checkgroup, line, box, check).
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
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_YES_NO = re.compile(r"^\s*(yes|no)\b", re.IGNORECASE)


def score(head: bytes, filename: str) -> int:
    """High when the content is a VSAQ template, whatever the file is called."""
    text = head[:65536].decode("utf-8", errors="ignore").lstrip("\ufeff")
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
    raw = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    tree = _load(raw, path.name)
    roots = _roots(tree, path.name)
    sections: list[str] = []
    questions: list[Question] = []
    warnings: list[str] = []
    for item in walk(roots, section=None):
        if item.section and item.section not in sections:
            sections.append(item.section)
        question = to_question(item, index=len(questions))
        if question.ref in {q.ref for q in questions}:
            warnings.append(f"{path.name}: item id {question.ref!r} appears twice; kept the first")
            continue
        questions.append(question)
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
        detected={"format": "vsaq", "extension": "extensions" in tree, "items": len(questions)},
    )


def _load(raw: str, name: str) -> dict[str, Any]:
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


def _roots(tree: dict[str, Any], name: str) -> list[Any]:
    roots = tree.get("questionnaire", tree.get("extensions"))
    if not isinstance(roots, list):
        raise UnsupportedFormat(
            "the JSON has no 'questionnaire' or 'extensions' list",
            where=name,
            fix="export the questionnaire template from VSAQ",
        )
    return roots


def _skip_blank(text: str, i: int) -> int:
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


def _string_end(text: str, start: int) -> int:
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
    end = _string_end(text, start)
    parts = [text[start + 1 : end - 1]]
    while True:
        plus = _skip_blank(text, end)
        if not text.startswith("+", plus):
            break
        nxt = _skip_blank(text, plus + 1)
        if not text.startswith('"', nxt):
            break
        end = _string_end(text, nxt)
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
            i = _skip_blank(text, i)
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


def to_question(item: Item, *, index: int) -> Question:
    data = item.data
    kind = str(data["type"])
    item_id = str(data["id"]) if data.get("id") else None
    choice_ids, labels = _choices(data)
    text = clean(data.get("text")) or item.intro or ", ".join(labels)
    if kind == "check" and not labels:
        labels = ("Yes", "No")
    # A checkgroup often has no id of its own: its answers are keyed by the choice ids.
    ref = item_id or (f"group:{choice_ids[0]}" if choice_ids else f"item-{index + 1}")
    return Question(
        ref=ref,
        number=item_id,
        section=item.section,
        text=text,
        answer_type=answer_type(kind, labels),
        choices=labels,
        location=Location(kind="vsaq", item=ref),
    )

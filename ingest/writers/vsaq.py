"""Write answers into a copy of a Google VSAQ questionnaire.

VSAQ keeps answers apart from the template, as the flat object of its ``getValuesAsJson`` /
``setValues``: item id -> ``"checked"`` or ``""`` for every radio and check choice, ``"yes"`` / ``"no"``
for a yesno item, the text for line and box items. The copy is the template, byte for byte, with that
object as its top-level ``"answers"`` member: added before the closing brace, or replacing the one a
previous fill wrote (answers already there and not given again are kept). Comments and ``+`` string
joins elsewhere in the file are untouched; VSAQ reads only ``questionnaire``, so the copy still loads.

Pipeline: ``load`` -> ``answerable`` (the reader's refs) -> ``encode`` each answer -> ``top_members``
(where the top-level object closes and where its ``answers`` value sits) -> splice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from core.errors import CorruptFile, InputFileError
from ingest.model import Question
from ingest.readers import vsaq as reader
from ingest.text import choice_kind, clean_text, match_choice

NAME = "vsaq"


def fill(src: Path, questions: Sequence[Question], answers: Mapping[str, str], out: Path) -> Path:
    """Copy ``src`` to ``out`` with ``answers`` (keyed by ``Question.ref``) in its ``answers`` object."""
    raw = src.read_bytes().decode("utf-8", errors="replace")
    tree = reader.parse_text(raw.lstrip("\ufeff"), src.name)
    items = dict(reader.answerable(reader.roots_of(tree, src.name))[0])
    known = {q.ref for q in questions} & set(items)
    unknown = sorted(set(answers) - known)
    if unknown:
        raise InputFileError(
            f"no question with ref {', '.join(unknown[:5])}",
            where=src.name,
            fix="pass the questions returned by reading this same file",
        )
    values = reader.answer_values(tree)
    for ref, answer in answers.items():
        values.update(encode(items[ref].data, answer, where=f"{src.name} item {ref}"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(splice(raw, values, name=src.name).encode("utf-8"))
    return out


def encode(data: dict[str, Any], answer: str, *, where: str) -> dict[str, str]:
    """One item's answer as VSAQ values: the item's own id for text, yes/no and check items, one entry
    per choice id for radio and check groups."""
    kind = str(data.get("type", ""))
    ids, labels = reader.choices_of(data)
    item_id = str(data.get("id") or "")
    if kind in {"line", "box"}:
        return {item_id: answer}
    chosen = chosen_ids(answer, ids, labels, where=where, single=kind != "checkgroup")
    if kind == "check":
        return {item_id: reader.CHECKED if chosen == ["yes"] else ""}
    if kind == "yesno":
        return {item_id: chosen[0] if chosen else ""}
    return {cid: reader.CHECKED if cid in chosen else "" for cid in ids}


def chosen_ids(
    answer: str, ids: tuple[str, ...], labels: tuple[str, ...], *, where: str, single: bool
) -> list[str]:
    """The choice ids an answer names: a label or an id, else a label's yes/no meaning; a checkgroup
    answer may name several, one per line or separated by ``;``, ``|`` or ``,`` (a separator that no
    label itself contains)."""
    text = clean_text(answer)
    if not text:
        return []
    exact = _exact(text, ids, labels)
    if exact is not None:
        return [exact]
    for parts in [] if single else _splits(answer, labels):
        found = [_exact(part, ids, labels) or _loose(part, ids, labels) for part in parts]
        if None not in found:
            return [cid for cid in found if cid is not None]
    loose = _loose(text, ids, labels)
    if loose is not None:
        return [loose]
    raise InputFileError(
        f"answer {answer!r} is not {'one' if single else 'a list'} of the item's choices "
        f"({' | '.join(labels)})",
        where=where,
        fix="answer with the choice's wording or id (yes/no answers are mapped automatically)",
    )


def _splits(answer: str, labels: tuple[str, ...]) -> list[list[str]]:
    """Ways to cut a multi-choice answer into parts: by lines, then by each separator no label holds."""
    cuts = [re.split(r"\s*\n\s*", answer.strip())]
    cuts += [answer.split(sep) for sep in (";", "|", ",") if not any(sep in label for label in labels)]
    return [
        parts for parts in ([clean_text(p) for p in cut if clean_text(p)] for cut in cuts) if len(parts) > 1
    ]


def _exact(text: str, ids: tuple[str, ...], labels: tuple[str, ...]) -> str | None:
    key = clean_text(text).casefold()
    for cid, label in zip(ids, labels, strict=True):
        if key in (cid.casefold(), clean_text(label).casefold()):
            return cid
    return None


def _loose(text: str, ids: tuple[str, ...], labels: tuple[str, ...]) -> str | None:
    """The one choice meaning yes, no or N/A as the answer does ("Yes" for "Yes, always.")."""
    label = match_choice(text, labels)
    if label in labels:
        return ids[labels.index(label)]
    kind = choice_kind(text)
    starts = [i for i, lab in enumerate(labels) if kind and choice_kind(lab.split(",")[0]) == kind]
    return ids[starts[0]] if len(starts) == 1 else None


def splice(raw: str, values: Mapping[str, str], *, name: str) -> str:
    """``raw`` with its top-level ``answers`` member set to ``values`` (added after the last member)."""
    last, spans = top_members(raw, name=name)
    body = json.dumps(dict(values), ensure_ascii=False, indent=2).replace("\n", "\n  ")
    if reader.ANSWERS_KEY in spans:
        start, end = spans[reader.ANSWERS_KEY]
        return raw[:start] + body + raw[end:]
    comma = "" if raw[:last].endswith("{") else ","
    return f'{raw[:last]}{comma}\n  "{reader.ANSWERS_KEY}": {body}{raw[last:]}'


def top_members(text: str, *, name: str) -> tuple[int, dict[str, tuple[int, int]]]:
    """Where the top-level object's last value ends, and each top-level member's value span (start,
    end) in ``text``; strings and comments are skipped, so braces and commas inside them do not count."""
    i = reader.skip_blank(text, 1 if text.startswith("\ufeff") else 0)
    depth, key, start, last, expect_key = 0, "", -1, i, False
    spans: dict[str, tuple[int, int]] = {}
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = reader.string_end(text, i)
            if depth == 1 and expect_key:
                key, expect_key = text[i + 1 : end - 1], False
            i = last = end
            continue
        if ch.isspace() or text.startswith(("//", "/*"), i):
            i = reader.skip_blank(text, i)
            continue
        if ch in "{[":
            depth += 1
            expect_key = expect_key or depth == 1
        elif ch in "}]" and depth == 1:
            if key:
                spans[key] = (start, last)
            return last, spans
        elif ch in "}]":
            depth -= 1
        elif depth == 1 and ch == ":":
            start = reader.skip_blank(text, i + 1)
        elif depth == 1 and ch == ",":
            spans[key] = (start, last)
            key, expect_key = "", True
        i = last = i + 1
    raise CorruptFile("the top-level JSON object never closes", where=name, fix="export the template again")

"""Write answers into a copy of a CSV, in the file's own encoding, delimiter and line endings.

A cell that would start with ``= + - @`` (or a tab / carriage return) gets a leading ``'`` so that a
spreadsheet opening the copy never evaluates an answer as a formula.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from ingest import text as tx
from ingest.limits import Limits
from ingest.model import Question
from ingest.readers import csv as csv_reader

_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _position(ref: str) -> tuple[int, int]:
    match = _REF.match(ref)
    if not match:
        raise ValueError(f"{ref!r} is not a cell reference")
    col = 0
    for ch in match[1]:
        col = col * 26 + ord(ch) - 64
    return int(match[2]) - 1, col - 1


def cells(questions: Sequence[Question], answers: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for question in questions:
        if question.ref not in answers:
            continue
        answer = answers[question.ref]
        if question.location.columns:
            chosen = tx.match_choice(answer, tuple(question.location.columns))
            for choice, ref in question.location.columns.items():
                out[ref] = "x" if choice == chosen else ""
        elif question.location.cell:
            out[question.location.cell] = neutralise(tx.match_choice(answer, question.choices))
    return out


def fill(src: Path, questions: Sequence[Question], answers: Mapping[str, str], out: Path) -> Path:
    decoded, table = csv_reader.load(src, limits=Limits())
    for ref, value in cells(questions, answers).items():
        row, col = _position(ref)
        while len(table) <= row:
            table.append([])
        while len(table[row]) <= col:
            table[row].append("")
        table[row][col] = value
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=decoded.delimiter, lineterminator=decoded.newline)
    writer.writerows(table)
    encoding = "utf-8-sig" if decoded.encoding == "utf-8-sig" else decoded.encoding
    part = out.with_name(out.name + ".part")
    part.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
    os.replace(part, out)
    return out

"""Write answers into a copy of an XLSX by editing only the cells that hold answers.

openpyxl drops x14 validations, some defined names and unknown parts when it saves, so the workbook
is never re-saved: ``plan`` (answers -> cells, in the file's own choice wording) -> ``set_cells`` on the
affected worksheet XML parts (lxml) -> ``copy_zip``, every other member copied unchanged.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from lxml import etree

from core.errors import CorruptFile, ValidationError
from ingest import text as tx
from ingest.model import Question
from ingest.readers import _xlsx_xml as xx

NS = xx.NS_MAIN
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
CALC_CHAIN = "xl/calcChain.xml"
_CALC_CHAIN_REF = re.compile(rb"<(?:Override|Relationship)\b[^>]*calcChain[^>]*/>")
Plan = dict[str, dict[str, str | None]]  # sheet -> cell -> value (None clears the cell)


def plan(questions: Sequence[Question], answers: Mapping[str, str]) -> Plan:
    """Where each answer goes; yes/no/N/A mapped onto the file's choices or onto its ``x`` column."""
    cells: Plan = {}
    for question in questions:
        if question.ref not in answers or question.location.sheet is None:
            continue
        answer = answers[question.ref]
        sheet = cells.setdefault(question.location.sheet, {})
        columns = question.location.columns
        if columns:
            chosen = tx.match_choice(answer, tuple(columns))
            if chosen not in columns:
                raise ValidationError(
                    f"answer {answer!r} is none of {', '.join(columns)}",
                    where=f"{question.location.sheet}!{question.ref}",
                    fix=f"answer with one of: {', '.join(columns)}",
                )
            for choice, cell in columns.items():
                sheet[cell] = "x" if choice == chosen else None
        elif question.location.cell:
            sheet[question.location.cell] = tx.match_choice(answer, question.choices)
    return cells


def fill(src: Path, questions: Sequence[Question], answers: Mapping[str, str], out: Path) -> Path:
    """Copy ``src`` to ``out`` with ``answers`` (keyed by ``Question.ref``) in their cells."""
    cells = plan(questions, answers)
    with zipfile.ZipFile(src) as zin:
        parts = {p.name: p.part for p in xx.sheet_parts(zin)}
        missing = sorted(set(cells) - set(parts))
        if missing:
            raise ValidationError(
                f"sheet {missing[0]!r} is not in the workbook",
                where=src.name,
                fix="parse this very file again and answer the questions it returns",
            )
        edits = {parts[name]: values for name, values in cells.items()}
        copy_zip(zin, out, edits)
    return out


def copy_zip(zin: zipfile.ZipFile, out: Path, edits: dict[str, dict[str, str | None]]) -> None:
    """Write the new package next to ``out`` first, then rename (never a half-written file). When an
    answer replaced a formula, the calculation chain is dropped (Excel rebuilds it) instead of being left
    pointing at a cell that no longer holds a formula."""
    removed: list[str] = []
    changed = {
        name: set_cells(zin.read(name), values, where=name, removed=removed) for name, values in edits.items()
    }
    part = out.with_name(out.name + ".part")
    try:
        with zipfile.ZipFile(part, "w") as zout:
            for info in zin.infolist():
                data = changed.get(info.filename) or zin.read(info)
                if removed and info.filename == CALC_CHAIN:
                    continue
                if removed and info.filename in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
                    data = _CALC_CHAIN_REF.sub(b"", data)
                zout.writestr(info, data)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


def _col_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def _split_ref(ref: str) -> tuple[int, int]:
    match = _REF.match(ref)
    if not match:
        raise ValidationError(f"{ref!r} is not a cell reference", fix="use references such as C14")
    return int(match[2]), _col_index(match[1])


def set_cells(
    data: bytes, values: dict[str, str | None], *, where: str, removed: list[str] | None = None
) -> bytes:
    """Set (or clear) cells in one worksheet's XML as inline strings; the rest of the part is kept.
    Cells whose formula was replaced are appended to ``removed``."""
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptFile(
            f"worksheet XML is damaged ({exc})", where=where, fix="save it again in Excel"
        ) from exc
    sheet_data = root.find(f"{{{NS}}}sheetData")
    if sheet_data is None:
        raise CorruptFile("worksheet has no sheetData", where=where, fix="save it again in Excel")
    for ref, value in values.items():
        row_no, col_no = _split_ref(ref)
        cell = _cell(_row(sheet_data, row_no), ref, col_no)
        if removed is not None and cell.find(f"{{{NS}}}f") is not None:
            removed.append(f"{where}!{ref}")
        _write(cell, value)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return out


def _row(sheet_data: etree._Element, row_no: int) -> etree._Element:
    for index, row in enumerate(sheet_data):
        current = int(row.get("r", "0"))
        if current == row_no:
            return row
        if current > row_no:
            new = etree.Element(f"{{{NS}}}row", r=str(row_no))
            sheet_data.insert(index, new)
            return new
    return etree.SubElement(sheet_data, f"{{{NS}}}row", r=str(row_no))


def _cell(row: etree._Element, ref: str, col_no: int) -> etree._Element:
    for index, cell in enumerate(row):
        current = cell.get("r")
        if current == ref:
            return cell
        if current and _split_ref(current)[1] > col_no:
            new = etree.Element(f"{{{NS}}}c", r=ref)
            row.insert(index, new)
            return new
    return etree.SubElement(row, f"{{{NS}}}c", r=ref)


def _write(cell: etree._Element, value: str | None) -> None:
    """An inline string (never a formula, whatever the text starts with); ``None`` empties the cell."""
    for child in list(cell):
        cell.remove(child)
    cell.attrib.pop("t", None)
    if value is None or value == "":
        return
    cell.set("t", "inlineStr")
    inline = etree.SubElement(cell, f"{{{NS}}}is")
    text = etree.SubElement(inline, f"{{{NS}}}t")
    text.text = _NOT_XML.sub("", value)[: tx.MAX_CELL_CHARS]  # XML 1.0 cannot hold control characters
    if value != value.strip():
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

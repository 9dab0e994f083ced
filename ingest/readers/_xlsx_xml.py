"""What openpyxl drops, read from the workbook's XML parts directly (defusedxml: no DTDs, no entities).

* ``sheet_parts``: sheet name -> worksheet part (``xl/worksheets/sheet3.xml``), in workbook order
* ``defined_names``: named ranges, with their sheet scope (``localSheetId``)
* ``validations``: every list validation of a sheet, the classic ``<dataValidation>`` AND Excel 2010's
  ``<x14:dataValidation>`` extension (whose list usually points at another sheet or a named range)
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from openpyxl.utils.cell import range_boundaries

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"
MAX_VALIDATED_ROWS = 20_000


@dataclass(frozen=True)
class SheetPart:
    name: str
    part: str
    index: int
    state: str


@dataclass(frozen=True)
class Validation:
    sqref: str
    formula: str
    kind: str  # "list", "whole", "decimal", "date", ...
    source: str  # "classic" or "x14"


def _xml(zf: zipfile.ZipFile, member: str) -> Element:
    root: Element = SafeET.fromstring(zf.read(member))
    return root


def sheet_parts(zf: zipfile.ZipFile) -> list[SheetPart]:
    """Worksheets in workbook order with their zip member and visibility."""
    book = _xml(zf, "xl/workbook.xml")
    rels_root = _xml(zf, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in rels_root.iter(f"{{{NS_PKG}}}Relationship")}
    parts: list[SheetPart] = []
    for index, sheet in enumerate(book.iter(f"{{{NS_MAIN}}}sheet")):
        target = targets.get(sheet.get(f"{{{NS_REL}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        parts.append(SheetPart(sheet.get("name", ""), part, index, sheet.get("state", "visible")))
    return parts


def defined_names(zf: zipfile.ZipFile) -> dict[tuple[str, int | None], str]:
    """``(name, localSheetId or None)`` -> reference text such as ``'DV-Lists'!$M$2:$M$6``."""
    names: dict[tuple[str, int | None], str] = {}
    for node in _xml(zf, "xl/workbook.xml").iter(f"{{{NS_MAIN}}}definedName"):
        local = node.get("localSheetId")
        names[(node.get("name", ""), int(local) if local is not None else None)] = (node.text or "").strip()
    return names


@dataclass
class SheetXml:
    validations: list[Validation] = field(default_factory=list)
    uncached_formulas: int = 0  # formula cells saved without their result (data_only reads None)


def read_sheet_xml(zf: zipfile.ZipFile, part: str) -> SheetXml:
    """Validations (classic and x14) and formula cells without a value, streaming the sheet once."""
    found = SheetXml()
    c, f, v, row = (f"{{{NS_MAIN}}}{tag}" for tag in ("c", "f", "v", "row"))
    with zf.open(part) as fh:
        for _, node in SafeET.iterparse(fh, events=("end",)):
            if node.tag == c:
                if node.find(f) is not None and not (node.findtext(v) or "").strip():
                    found.uncached_formulas += 1
                node.clear()
            elif node.tag == row:
                node.clear()
            elif node.tag == f"{{{NS_MAIN}}}dataValidation":
                formula = node.findtext(f"{{{NS_MAIN}}}formula1") or ""
                found.validations.append(
                    Validation(node.get("sqref", ""), formula.strip(), node.get("type", "any"), "classic")
                )
            elif node.tag == f"{{{NS_X14}}}dataValidation":
                sqref = node.findtext(f"{{{NS_XM}}}sqref") or ""
                formula = node.findtext(f"{{{NS_X14}}}formula1/{{{NS_XM}}}f") or ""
                found.validations.append(
                    Validation(sqref.strip(), formula.strip(), node.get("type", "any"), "x14")
                )
    return found


def validations(zf: zipfile.ZipFile, part: str) -> list[Validation]:
    """All validations of one worksheet part, classic and x14."""
    return read_sheet_xml(zf, part).validations


def sqref_cells(sqref: str, *, max_row: int) -> list[tuple[int, int]]:
    """``"F18 M20:P20"`` -> [(18, 6), (20, 13), ...], rows capped at ``max_row``."""
    cells: list[tuple[int, int]] = []
    for ref in sqref.split():
        bounds = clamp(ref, max_row=max_row)
        if bounds is None:
            continue
        min_col, min_row, max_col, last_row = bounds
        for row in range(min_row, last_row + 1):
            cells.extend((row, col) for col in range(min_col, max_col + 1))
    return cells


def clamp(ref: str, *, max_row: int, max_col: int = 60) -> tuple[int, int, int, int] | None:
    """``A1:A1048576`` -> (min_col, min_row, max_col, max_row) bounded, so no range costs a million cells."""
    try:
        min_col, min_row, last_col, last_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return None
    if min_col is None or min_row is None or last_col is None or last_row is None:
        return None
    last_row = min(last_row, max_row, min_row + MAX_VALIDATED_ROWS)
    return min_col, min_row, min(last_col, max_col), last_row


_SHEET_REF = re.compile(
    r"^(?:'(?P<q>(?:[^']|'')+)'|(?P<s>[^'!]+))!(?P<range>\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)$"
)
_LOCAL_REF = re.compile(r"^\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?$")


def split_reference(ref: str, default_sheet: str) -> tuple[str, str] | None:
    """``'DV-Lists'!$M$2:$M$6`` -> ``("DV-Lists", "M2:M6")``; ``None`` for formulas and ``#REF!``."""
    ref = ref.lstrip("=").strip()
    match = _SHEET_REF.match(ref)
    if match:
        sheet = (match["q"] or "").replace("''", "'") or match["s"] or default_sheet
        return sheet, match["range"].replace("$", "")
    if _LOCAL_REF.match(ref):
        return default_sheet, ref.replace("$", "")
    return None


def literal_list(formula: str) -> tuple[str, ...] | None:
    """``"Yes,No,N/A"`` (a list typed into the validation) -> its items."""
    text = formula.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return tuple(item.strip() for item in text[1:-1].split(",") if item.strip())
    return None

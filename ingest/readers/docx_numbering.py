"""Word's automatic numbering: the number Word prints before a list paragraph (``1.``, ``1.a``, ``4.2.1``).

Word stores only ``numPr`` (list id + level) on a paragraph or its style; the printed text comes from
``numbering.xml``: ``w:num`` -> ``w:abstractNum`` -> ``w:lvl`` (start, numFmt, lvlText ``%1.%2``),
with counters that advance in document order and restart the deeper levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_LEVELS = 9


@dataclass(frozen=True)
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class Numbering:
    """Definitions from ``numbering.xml`` and the running counters of each list."""

    abstract: dict[str, dict[int, Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)
    counters: dict[str, list[int | None]] = field(default_factory=dict)

    @classmethod
    def from_element(cls, root: Any | None, style_nums: dict[str, str] | None = None) -> Numbering:
        """``style_nums`` maps a list style's id to its numId, for ``numStyleLink`` definitions."""
        numbering = cls()
        if root is None:
            return numbering
        links: dict[str, str] = {}
        for abstract in root.iter(f"{W}abstractNum"):
            levels: dict[int, Level] = {}
            for lvl in abstract.iter(f"{W}lvl"):
                levels[int(lvl.get(f"{W}ilvl", "0"))] = _level(lvl)
            abstract_id = abstract.get(f"{W}abstractNumId", "")
            numbering.abstract[abstract_id] = levels
            link = abstract.find(f"{W}numStyleLink")
            if link is not None and not levels:
                links[abstract_id] = link.get(f"{W}val", "")
        for num in root.iter(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            overrides: dict[int, int] = {}
            for override in num.iter(f"{W}lvlOverride"):
                start = override.find(f"{W}startOverride")
                if start is not None:
                    overrides[int(override.get(f"{W}ilvl", "0"))] = int(start.get(f"{W}val", "1"))
            abstract_id = ref.get(f"{W}val", "") if ref is not None else ""
            numbering.nums[num.get(f"{W}numId", "")] = (abstract_id, overrides)
        for abstract_id, style_id in links.items():  # the levels live in the list style's own list
            target = numbering.nums.get((style_nums or {}).get(style_id, ""))
            if target is not None:
                numbering.abstract[abstract_id] = numbering.abstract.get(target[0], {})
        return numbering

    def level(self, num_id: str, ilvl: int) -> Level | None:
        entry = self.nums.get(num_id)
        if entry is None:
            return None
        return self.abstract.get(entry[0], {}).get(ilvl)

    def advance(self, num_id: str, ilvl: int) -> str | None:
        """Count this paragraph and return its printed label; ``""`` for a bullet, ``None`` if unknown."""
        entry = self.nums.get(num_id)
        levels = self.abstract.get(entry[0], {}) if entry else {}
        if entry is None or ilvl not in levels:
            return None
        abstract_id, overrides = entry
        key = num_id if overrides else abstract_id
        counters = self.counters.setdefault(key, [None] * MAX_LEVELS)
        current = counters[ilvl]
        counters[ilvl] = overrides.get(ilvl, levels[ilvl].start) if current is None else current + 1
        for deeper in range(ilvl + 1, MAX_LEVELS):
            counters[deeper] = None
        if levels[ilvl].fmt == "bullet":
            return ""
        return render(levels, counters, ilvl, overrides)


def _level(lvl: Any) -> Level:
    def val(tag: str, default: str) -> str:
        node = lvl.find(f"{W}{tag}")
        return str(node.get(f"{W}val", default)) if node is not None else default

    try:
        start = int(val("start", "1"))
    except ValueError:
        start = 1
    return Level(start=start, fmt=val("numFmt", "decimal"), text=val("lvlText", ""))


def render(levels: dict[int, Level], counters: list[int | None], ilvl: int, overrides: dict[int, int]) -> str:
    """Fill ``%1``..``%9`` in the level's text with each level's counter in its own format."""
    text = levels[ilvl].text
    for k in range(ilvl, -1, -1):
        placeholder = f"%{k + 1}"
        if placeholder not in text:
            continue
        level = levels.get(k, Level())
        value = counters[k] if counters[k] is not None else overrides.get(k, level.start)
        text = text.replace(placeholder, format_number(int(value or 0), level.fmt))
    return text.strip()


def format_number(value: int, fmt: str) -> str:
    if fmt in {"lowerLetter", "upperLetter"}:
        letters = _letters(value)
        return letters if fmt == "lowerLetter" else letters.upper()
    if fmt in {"lowerRoman", "upperRoman"}:
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "none":
        return ""
    return str(value)


def _letters(value: int) -> str:
    """Word repeats the letter: a..z, aa..zz, aaa..."""
    if value <= 0:
        return ""
    letter = chr(ord("a") + (value - 1) % 26)
    return letter * ((value - 1) // 26 + 1)


def _roman(value: int) -> str:
    pairs = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC")]
    pairs += [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for size, symbol in pairs:
        count, value = divmod(value, size)
        out.append(symbol * count)
    return "".join(out)


@dataclass(frozen=True)
class StyleInfo:
    name: str
    based_on: str | None
    num_id: str | None
    ilvl: int | None


@dataclass
class Styles:
    """Paragraph styles by id, read once (python-docx looks the default style up on every access)."""

    by_id: dict[str, StyleInfo] = field(default_factory=dict)
    default: str | None = None

    @classmethod
    def from_element(cls, root: Any | None) -> Styles:
        styles = cls()
        for style in root.iter(f"{W}style") if root is not None else []:
            style_id = style.get(f"{W}styleId", "")
            if style.get(f"{W}type") == "paragraph" and style.get(f"{W}default") in {"1", "true", "on"}:
                styles.default = style_id
            name, based = style.find(f"{W}name"), style.find(f"{W}basedOn")
            num_id, ilvl = _num_pr(style.find(f"{W}pPr"))
            styles.by_id[style_id] = StyleInfo(
                name=name.get(f"{W}val", "") if name is not None else style_id,
                based_on=based.get(f"{W}val") if based is not None else None,
                num_id=num_id,
                ilvl=ilvl,
            )
        return styles

    def style_id(self, ppr: Any | None) -> str | None:
        node = ppr.find(f"{W}pStyle") if ppr is not None else None
        return node.get(f"{W}val") if node is not None else self.default

    def name(self, ppr: Any | None) -> str:
        info = self.by_id.get(self.style_id(ppr) or "")
        return info.name if info is not None else ""

    def num_pr(self, ppr: Any | None) -> tuple[str, int] | None:
        """(numId, ilvl) from the paragraph, else from its style chain; ``None`` when not numbered."""
        num_id, ilvl = _num_pr(ppr)
        style_id, seen = self.style_id(ppr), 0
        while style_id and seen < 20 and (num_id is None or ilvl is None):
            info = self.by_id.get(style_id)
            if info is None:
                break
            num_id = num_id if num_id is not None else info.num_id
            ilvl = ilvl if ilvl is not None else info.ilvl
            style_id, seen = info.based_on, seen + 1
        if not num_id or num_id == "0":
            return None  # numId 0 switches numbering off
        return num_id, ilvl or 0

    def numbered_styles(self) -> dict[str, str]:
        """Style id -> numId, for list styles that ``numStyleLink`` points at."""
        return {sid: info.num_id for sid, info in self.by_id.items() if info.num_id}


def _num_pr(ppr: Any | None) -> tuple[str | None, int | None]:
    numpr = ppr.find(f"{W}numPr") if ppr is not None else None
    if numpr is None:
        return None, None
    id_node, level_node = numpr.find(f"{W}numId"), numpr.find(f"{W}ilvl")
    num_id = id_node.get(f"{W}val") if id_node is not None else None
    try:
        ilvl = int(level_node.get(f"{W}val", "0")) if level_node is not None else None
    except ValueError:
        ilvl = 0
    return num_id, ilvl

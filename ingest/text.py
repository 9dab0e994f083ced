"""Text helpers shared by every reader: clean a cell, split a numbering prefix, tell questions from noise.

Each helper is a small pure function so it can be tested alone and reused by the DOCX/PDF readers.
"""

from __future__ import annotations

import re
import unicodedata

from ingest.model import AnswerType

MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell; longer text is cut, never kept whole

_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
_LINES = re.compile(r"\s*\n\s*")
# An ID as printed: A&A-01.1, GNRL-01, G-SM-A-1-1, RG-PS-01, FUN.GOV.1, 4.2.1, 1.a, 1), (a), Q12, IV.
_ID = (
    r"(?:[A-Za-z]{1,6}[&/][A-Za-z]{1,6}-\d{1,3}(?:\.\d{1,3})*"  # A&A-01.1, IAM/SE-02
    r"|[A-Za-z][A-Za-z0-9]{0,9}(?:[-_.][A-Za-z0-9]{1,10}){1,6}"  # GNRL-01, G-SM-A-1-1, FUN.GOV.1, 1.a-x
    r"|\d{1,3}(?:\.\d{1,3}){0,5}(?:\.?[a-z]{1,3})?"  # 4, 4.2.1, 1.a, 1a, 3.spe
    r"|[A-Za-z]{1,3}\d{1,4}(?:\.\d{1,3})*"  # Q12, A1.2, CC6.1
    r"|[ivxlcIVXLC]{1,6}"  # roman numerals
    r"|[a-z])"  # a
)
NUMBER_RE = re.compile(rf"^{_ID}$")
_PREFIX = re.compile(rf"^\(?(?P<num>{_ID})(?:[.):]\s*|\s+[-–—]\s+|\s+)(?P<rest>\S.*)$", re.DOTALL)
_QUESTION_WORDS = (
    "are|is|do|does|did|has|have|had|can|could|will|would|should|shall|may|must|was|were|"
    "what|which|who|whom|whose|when|where|why|how|"
    "describe|provide|confirm|list|specify|explain|define|detail|indicate|identify|state|outline|"
    "attach|upload|summarize|summarise|please|enter|select|give|name|share|include|submit|"
    "est-ce|existe|dispose|avez|êtes|quel|quelle|quels|quelles|comment|qui|où|"
    "décrivez|decrivez|fournissez|indiquez|précisez|expliquez|listez|confirmez|joignez|"
    "tiene|dispone|existe|cuenta|cuál|cuáles|cómo|quién|describa|indique|proporcione|especifique|"
    "explique|confirme|enumere|adjunte|detalle|"
    "hat|haben|gibt|wie|welche|beschreiben"
)
_QUESTION_START = re.compile(rf"^(?:{_QUESTION_WORDS})\b", re.IGNORECASE)
_NOISE = re.compile(
    r"^(?:©|\(c\)\s|copyright\b|do not (?:insert|delete|modify|change|edit|alter|remove)\b|all rights reserved|confidential\b|page \d+( of \d+)?$|"
    r"end of (?:table|document|questionnaire|section)\b|-+\s*end\b|total\b|"
    r"instructions?\b|note:|notes:|legend\b|version \d|last updated|prepared by|"
    r"for internal use|this (?:document|questionnaire|workbook|sheet) (?:is|contains|must|should)\b|"
    r"please (?:complete|fill|answer|return|read|use|select|enter) (?:the|this|all|each|in|your)\b)",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"^(?:<[^>]*>|\[[^\]]*\]|-+|_+|\.+|n/?a\?|tbd|todo|enter (?:text|answer) here|"
    r"(?:please )?(?:select|choose)(?: an? (?:item|option|answer|value))?(?: from (?:the )?list)?\.*|"
    r"click (?:or tap )?here to enter text\.?)$",
    re.IGNORECASE,
)

YES = ("yes", "y", "true", "si", "sí", "oui", "ja", "sim")
NO = ("no", "n", "false", "non", "nein", "não", "nao")
NA = ("n/a", "na", "n.a.", "not applicable", "no aplica", "non applicable", "nicht zutreffend")


def clean_text(value: object) -> str:
    """A cell or paragraph as one clean line: lines joined, spaces collapsed, capped at Excel's limit."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)[:MAX_CELL_CHARS])
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "")
    text = _LINES.sub(" ", text.strip())
    return _SPACE.sub(" ", text).strip()


def normalize_number(raw: str) -> str:
    """``A&A- 01.1`` -> ``A&A-01.1``; ``1.a `` -> ``1.a``; a trailing ``.`` or ``)`` is dropped."""
    text = re.sub(r"\s*([-.&/_])\s*", r"\1", raw.strip())
    text = text.strip("()")
    return text.rstrip(".):").strip()


def is_number(value: str) -> bool:
    """True when ``value`` is an ID or numbering as printed (``4.2.1``, ``GNRL-01``, ``1.a``)."""
    text = normalize_number(value)
    return bool(text) and len(text) <= 24 and NUMBER_RE.match(text) is not None


def split_number(text: str) -> tuple[str | None, str]:
    """Split a numbering prefix from question text: ``"4.2.1 Do you..."`` -> ``("4.2.1", "Do you...")``."""
    text = clean_text(text)
    match = _PREFIX.match(text)
    if not match:
        return None, text
    number, rest = normalize_number(match["num"]), match["rest"].strip()
    if not rest or not (
        any(ch.isdigit() for ch in number) or "-" in number or match.group(0)[len(match["num"])] in ".)"
    ):
        return None, text  # "Do you..." must not lose "Do"; a bare word is not a number
    if number.isalpha() and len(number) > 1 and number.lower().strip("ivxlc"):
        return None, text
    return number, rest


def is_noise(text: str) -> bool:
    """Footers, copyright lines, "End of table" sentinels, instructions and placeholders."""
    text = clean_text(text)
    if not text:
        return True
    return bool(_NOISE.match(text) or _PLACEHOLDER.match(text))


def is_question_text(text: str) -> bool:
    """A question or a statement to answer ("Describe...", "Provide...", "Confirm that...")."""
    text = clean_text(text)
    if len(text) < 8 or is_noise(text):
        return False
    if text.rstrip().endswith("?") or text.lstrip("¿").endswith("?"):
        return True
    body = text.lstrip("¿¡\"'“(*•▪◦-– ")
    return _QUESTION_START.match(body) is not None and len(body.split()) >= 3


def looks_like_prompt(text: str) -> bool:
    """Looser than :func:`is_question_text`: a row label that asks for something (``Company name``)."""
    text = clean_text(text)
    return len(text) >= 3 and not is_noise(text) and not is_number(text) and any(c.isalpha() for c in text)


def choice_kind(choice: str) -> str | None:
    """``"yes"``, ``"no"`` or ``"na"`` when a choice means that, in the file's own wording."""
    key = clean_text(choice).lower().rstrip(".!")
    if key in YES:
        return "yes"
    if key in NO:
        return "no"
    if key in NA or key.replace(" ", "") in NA:
        return "na"
    return None


def is_yes_no(choices: tuple[str, ...] | list[str]) -> bool:
    """Choices are a yes/no list (optionally with N/A), in any of the languages above."""
    kinds = [choice_kind(c) for c in choices]
    return bool(kinds) and None not in kinds and "yes" in kinds and "no" in kinds


def answer_type_for(choices: tuple[str, ...], header: str = "") -> AnswerType:
    """The answer type implied by the file's choices, or by the answer column's header."""
    if choices:
        return "yes_no" if is_yes_no(choices) else "choice"
    head = clean_text(header).lower()
    if re.search(r"\b(yes\s*/\s*no|y\s*/\s*n|sí\s*/\s*no|oui\s*/\s*non)\b", head):
        return "yes_no"
    if re.search(r"\bdate\b|\bfecha\b", head):
        return "date"
    if re.search(r"\b(number|count|amount|qty|quantity)\b", head):
        return "number"
    return "text"


_INLINE = re.compile(r"[(\[]\s*((?:[^()\[\]/]{1,20}/){1,4}[^()\[\]/]{1,20})\s*[)\]]\s*[.:?]?\s*$")


def inline_choices(text: str) -> tuple[str, ...]:
    """``"Is MFA enforced? (Yes/No/N/A)"`` -> ``("Yes", "No", "N/A")`` when the choices mean yes/no."""
    match = _INLINE.search(text)
    if not match:
        return ()
    parts = [p.strip() for p in match.group(1).split("/")]
    merged: list[str] = []
    for part in parts:  # "N/A" was split in two
        if merged and merged[-1].upper() == "N" and part.upper() == "A":
            merged[-1] = f"{merged[-1]}/{part}"
        elif part:
            merged.append(part)
    return tuple(merged) if is_yes_no(merged) else ()


def match_choice(answer: str, choices: tuple[str, ...]) -> str:
    """Map an answer (``yes``/``No``/``N/A`` or exact) onto the file's own wording of that choice."""
    if not choices:
        return answer
    wanted = clean_text(answer).lower()
    for choice in choices:
        if clean_text(choice).lower() == wanted:
            return choice
    kind = choice_kind(answer)
    if kind is None:
        first = wanted.split(",")[0].split(" ")[0].rstrip(".!")
        kind = choice_kind(first)
    for choice in choices if kind else ():
        if choice_kind(choice) == kind:
            return choice
    return answer

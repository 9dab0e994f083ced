"""The words and marks every table reader recognises, in one place: spreadsheet grids (``_table``) and
Word and PDF tables (``pdf_tables``) classify header cells and read ticked answers with these.

Each reader matches them its own way: a spreadsheet header cell must *start* with a question term (its
cells are many and long), a Word or PDF header cell need only *contain* one (its cells are few and
short, often wrapped); there a "Comments" column is where answers go, in a spreadsheet it is a column of
its own (``OTHER_HEAD``).
"""

from __future__ import annotations

import re

# Header of the question column.
QUESTION_TERMS = (
    r"questions?|preguntas?|fragen?|requirements?|requisito|exigence|query|criteria|description|"
    r"control (?:question|description|requirement|statement)|questionnaire item|assessment question|"
    r"information requested|question posée"
)
QUESTION_START = re.compile(
    rf"^(?:{QUESTION_TERMS}|questions?(?: text| description)|question ?/ ?requirement|description\[en\]|field)\b",
    re.IGNORECASE,
)
QUESTION_ANYWHERE = re.compile(rf"\b(?:{QUESTION_TERMS})\b", re.IGNORECASE)
# "Question" anywhere in a spreadsheet header, but not "Question ID" / "Question #".
QUESTION_WORD = re.compile(
    r"\b(?:questions?|preguntas?|fragen?)\b(?!\s*(?:id|#|no|number|ref))", re.IGNORECASE
)

# Header of the answer column.
ANSWER_TERMS = (
    r"answers?|responses?|reply|respuesta|réponse|antwort|yes\s*/\s*no|y\s*/\s*n|vendor (?:comment|response)s?|"
    r"compliant\?|implemented\?"
)
ANSWER_HEAD = re.compile(rf"\b(?:{ANSWER_TERMS})(?:\b|(?<=\?))", re.IGNORECASE)
ANSWER_OR_COMMENTS_HEAD = re.compile(rf"\b(?:{ANSWER_TERMS}|comments?)(?:\b|(?<=\?))", re.IGNORECASE)

# Header of the number column: the whole cell.
NUMBER_HEAD = re.compile(
    r"^(?:#|no\.?|nr\.?|num(?:ber)?|ids?|ref(?:erence)?\.?(?:[ _.]?(?:id|no|#))?|ref_id|q ?#|q ?no\.?|"
    r"question (?:id|#|no\.?|number)|index|item(?: ?#| no\.?)?|control id|s/n|sl\.? ?no\.?|seq|n[º°o]\.?)$",
    re.IGNORECASE,
)

SECTION_HEAD = re.compile(
    r"(?:^|\b(?:ccm|control|question)\s)(?:section|category|domain|area|topic|family|chapter|theme|"
    r"control family|dominio|secci[óo]n|categor[íi]a|th[èe]me|domaine)\b",
    re.IGNORECASE,
)
# One column per choice (Yes | No | N/A), answered with a mark.
CHOICE_HEAD = re.compile(r"^(?:yes|no|n/?a|not applicable|partial(?:ly)?|s[íi]|oui|non)$", re.IGNORECASE)
OTHER_HEAD = re.compile(r"\b(?:comments?|notes?|remarks|evidence|documentation|status|owner|rating)\b", re.I)

# A ticked check box printed in text, and an unticked one.
CHECKED = "☒☑■✔✓❒"
UNCHECKED = "☐□❑"
# What marks the chosen column of a Yes | No | N/A layout (case-insensitive cell values).
MARKS = frozenset({"x", "✓", "✔", "☒", "■", "1", "true", "yes", "y"})

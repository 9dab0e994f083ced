"""Step 1: normalise text (case, accents, punctuation, numbering, British spelling, common typos).

Each function is one small step; :func:`normalise` chains them. The output is lower-case words
separated by single spaces, so the thesaurus and the vectorisers see the same tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# "4.2.1", "A&A-01.1", "IAM-02:", "1.a)", "(b)", "Q12.", "ii." at the very start of a question.
_NUMBERING = re.compile(
    r"""^\s*(?:
        q(?:uestion)?\s*\d+[.:)]?                     # Q12 / Question 12
      | [a-z]{1,4}(?:&[a-z]{1,4})?-\d+(?:\.\d+)*[.:)]? # A&A-01.1 / IAM-02
      | \d+(?:\.\d+)*(?:\.?[a-z])?[.:)]?               # 4.2.1 / 1.a) / 3b.
      | \(?[a-z]\)                                     # a) / (b)
      | \(?(?:i{1,3}|iv|v|vi{1,3}|ix|x)[.)]            # ii. / (iv)
    )\s+""",
    re.VERBOSE,
)
_AMPERSAND_ACRONYM = re.compile(r"\b([a-z])\s*&\s*([a-z])\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")

# Questionnaire filler: it carries no topic and only slows the sparse product down.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "nor",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "done",
        "you",
        "your",
        "yours",
        "we",
        "our",
        "ours",
        "us",
        "they",
        "their",
        "them",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "which",
        "what",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "if",
        "whether",
        "any",
        "all",
        "each",
        "every",
        "some",
        "such",
        "other",
        "than",
        "then",
        "so",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "having",
        "not",
        "no",
        "yes",
        "please",
        "describe",
        "explain",
        "provide",
        "list",
        "confirm",
        "specify",
        "state",
        "detail",
        "outline",
        "indicate",
        "share",
        "tell",
        "give",
        "about",
        "into",
        "onto",
        "over",
        "under",
        "per",
        "via",
        "also",
        "only",
        "just",
    ]
)

_AMERICAN = {
    "programme": "program",
    "programmes": "programs",
    "licence": "license",
    "licences": "licenses",
    "defence": "defense",
    "offence": "offense",
    "centre": "center",
    "centres": "centers",
    "behaviour": "behavior",
    "behavioural": "behavioral",
    "colour": "color",
    "favour": "favor",
    "honour": "honor",
    "labour": "labor",
    "catalogue": "catalog",
    "dialogue": "dialog",
    "analyse": "analyze",
    "analysed": "analyzed",
    "analysing": "analyzing",
    "enrolment": "enrollment",
    "fulfil": "fulfill",
    "judgement": "judgment",
    "cheque": "check",
    "grey": "gray",
    "storey": "story",
    "tyre": "tire",
    "artefact": "artifact",
    "artefacts": "artifacts",
    "whilst": "while",
    "amongst": "among",
}
# Words that end in -ise but are not British spellings of -ize.
_ISE_KEEP = frozenset(
    [
        "advise",
        "advised",
        "advises",
        "advising",
        "exercise",
        "exercised",
        "exercises",
        "premise",
        "premises",
        "enterprise",
        "enterprises",
        "otherwise",
        "promise",
        "promised",
        "comprise",
        "comprised",
        "comprises",
        "revise",
        "revised",
        "revises",
        "supervise",
        "supervised",
        "surprise",
        "surprised",
        "disguise",
        "raise",
        "raised",
        "raises",
        "praise",
        "wise",
        "noise",
        "precise",
        "concise",
        "expertise",
        "franchise",
        "merchandise",
        "compromise",
        "compromised",
        "compromises",
        "devise",
        "devised",
        "improvise",
        "televise",
        "circumcise",
        "excise",
        "incise",
        "chastise",
        "despise",
        "rise",
        "arise",
        "arisen",
        "arising",
        "cruise",
        "poise",
        "bruise",
        "treatise",
        "likewise",
        "clockwise",
        "paradise",
        "mortise",
        "porpoise",
    ]
)
_ISE_SUFFIX = re.compile(r"^(\w{2,}?)is(e|ed|es|ing|er|ers|ation|ations)$")
_DOUBLE_L = re.compile(r"^(\w+[aeiou])ll(ed|ing|er|ers)$")
_DOUBLE_L_STEMS = frozenset(
    ["cancel", "label", "model", "travel", "signal", "level", "fuel", "total", "channel", "tunnel"]
)

_TYPOS = {
    "comapny": "company",
    "compnay": "company",
    "recieve": "receive",
    "recieved": "received",
    "seperate": "separate",
    "seperated": "separated",
    "occured": "occurred",
    "occuring": "occurring",
    "acess": "access",
    "accesss": "access",
    "securty": "security",
    "secuirty": "security",
    "secrity": "security",
    "pasword": "password",
    "passwrod": "password",
    "authentification": "authentication",
    "authetication": "authentication",
    "encyption": "encryption",
    "encrpytion": "encryption",
    "enviroment": "environment",
    "enviornment": "environment",
    "managment": "management",
    "maintainance": "maintenance",
    "maintenence": "maintenance",
    "vulnerabilty": "vulnerability",
    "vunerability": "vulnerability",
    "vulnerabilites": "vulnerabilities",
    "polcy": "policy",
    "poilcy": "policy",
    "buisness": "business",
    "bussiness": "business",
    "continuty": "continuity",
    "incidnet": "incident",
    "incedent": "incident",
    "reponse": "response",
    "responce": "response",
    "emplyee": "employee",
    "employes": "employees",
    "empolyees": "employees",
    "thrid": "third",
    "rquired": "required",
    "requried": "required",
    "wich": "which",
    "teh": "the",
}


def fold_case(text: str) -> str:
    """Lower-case and strip accents (``Résumé`` -> ``resume``)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def strip_numbering(text: str) -> str:
    """Drop a questionnaire numbering prefix such as ``4.2.1``, ``A&A-01.1`` or ``1.a)``."""
    previous = None
    while previous != text:
        previous, text = text, _NUMBERING.sub("", text, count=1)
    return text


def tokenize(text: str) -> list[str]:
    """Split on anything that is not a letter or digit; ``E&O`` becomes the single token ``eo``."""
    if "&" in text:
        text = _AMPERSAND_ACRONYM.sub(r"\1\2", text)
    return [tok for tok in _NON_WORD.split(text) if tok]


@lru_cache(maxsize=200_000)
def americanize(token: str) -> str:
    """Map one British spelling to American (``organisation`` -> ``organization``)."""
    if token in _AMERICAN:
        return _AMERICAN[token]
    if token not in _ISE_KEEP:
        match = _ISE_SUFFIX.match(token)
        if match and len(token) > 5:
            return f"{match.group(1)}iz{match.group(2)}"
    match = _DOUBLE_L.match(token)
    if match and f"{match.group(1)}l" in _DOUBLE_L_STEMS:
        return f"{match.group(1)}l{match.group(2)}"
    return token


def fix_typo(token: str) -> str:
    """Correct a common misspelling from a fixed list; other words are left alone."""
    return _TYPOS.get(token, token)


_WORD_FORMS: dict[str, str] = {}


def _word_form(token: str) -> str:
    form = _WORD_FORMS.get(token)
    if form is None:
        form = americanize(_TYPOS.get(token, token))
        if len(_WORD_FORMS) < 500_000:
            _WORD_FORMS[token] = form
    return form


def normalise_tokens(text: str) -> list[str]:
    """All steps, returning tokens."""
    folded = strip_numbering(fold_case(text))
    forms = _WORD_FORMS  # inlined lookup: this runs for every word of every bank answer
    return [forms[tok] if tok in forms else _word_form(tok) for tok in tokenize(folded)]


def normalise(text: str) -> str:
    """All steps, returning one space-separated string."""
    return " ".join(normalise_tokens(text))


def normalise_all(texts: Iterable[str]) -> list[str]:
    return [normalise(text) for text in texts]

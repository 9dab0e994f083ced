"""The plain data that goes into the matcher and comes out of it."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import ValidationError

BANDS = ("auto", "review", "none")
ANSWER_TYPES = ("yes_no", "choice", "multi_choice", "text", "number", "date")


@dataclass(frozen=True)
class BankItem:
    """One answer-bank entry, or one evidence item (title as ``question``, description as ``answer``)."""

    key: str
    question: str
    alternates: tuple[str, ...] = ()
    answer: str = ""
    short_answer: str | None = None
    category: str = ""
    controls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """One incoming question; ``number`` is its numbering in the questionnaire, if any."""

    text: str
    number: str | None = None
    answer_type: str | None = None


@dataclass(frozen=True)
class Thresholds:
    """Score cut-offs for the bands.

    ``auto`` also needs the best candidate to lead the runner-up by ``margin``, so near-duplicate
    entries (MFA for email vs for remote access) are never approved in bulk for each other.
    """

    auto: float = 0.44
    review: float = 0.34
    margin: float = 0.05

    def __post_init__(self) -> None:
        if not 0.0 <= self.review <= self.auto <= 1.0:
            raise ValidationError(
                f"thresholds must satisfy 0 <= review <= auto <= 1, got review={self.review} auto={self.auto}",
                where="matcher thresholds",
                fix="lower the review threshold or raise the auto threshold",
            )
        if not 0.0 <= self.margin <= 1.0:
            raise ValidationError(
                f"margin must be in [0, 1], got {self.margin}",
                where="matcher thresholds",
                fix="use a margin such as 0.05",
            )


@dataclass(frozen=True)
class Candidate:
    """One bank entry proposed for a question, with the parts of its score."""

    entry_key: str
    score: float
    band: str
    reasons: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MatchResult:
    """The candidates for one question, best first; ``band`` is the band of the best one."""

    question: str
    band: str
    candidates: tuple[Candidate, ...]

"""Writers put answers back into a copy of the original file, one module per reader name::

    def fill(src: Path, questions: Sequence[Question], answers: Mapping[str, str], out: Path) -> Path

``answers`` are keyed by ``Question.ref``; the return value is the path written.
"""

"""The index as bytes: round trip, and refusal of another bank, another format version or damage."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from core.errors import ValidationError
from matcher import MatchIndex, build_index, content_hash, index_from_bytes, index_to_bytes, match
from matcher.types import BankItem
from tests.matcher.bank import BANK

QUESTIONS = [
    "Is 2FA required for webmail?",
    "Are backups encrypted?",
    "Do you sign a BAA?",
    "Totally unrelated",
]


def test_round_trip_gives_identical_matches(index: MatchIndex) -> None:
    loaded = index_from_bytes(index_to_bytes(index), expected_hash=content_hash(BANK))
    assert match(loaded, QUESTIONS) == match(index, QUESTIONS), "a reloaded index must match exactly as built"
    assert loaded.content_hash == index.content_hash


def test_other_bank_hash_is_rejected(index: MatchIndex) -> None:
    changed = [*BANK[:-1], BankItem(key="NEW", question="Is there a new entry?")]
    with pytest.raises(ValidationError, match="content hash"):
        index_from_bytes(index_to_bytes(index), expected_hash=content_hash(changed))


def test_other_format_version_is_rejected(index: MatchIndex) -> None:
    with np.load(io.BytesIO(index_to_bytes(index)), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays["meta"].tobytes())
    meta["format_version"] = MatchIndex.FORMAT_VERSION + 1
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with pytest.raises(ValidationError, match="format version"):
        index_from_bytes(buffer.getvalue(), expected_hash=index.content_hash)


@pytest.mark.parametrize("data", [b"", b"not an npz", b"PK\x03\x04garbage"], ids=["empty", "text", "bad-zip"])
def test_damaged_data_is_rejected(data: bytes) -> None:
    with pytest.raises(ValidationError, match=r"unreadable|incomplete"):
        index_from_bytes(data, expected_hash="x")


def test_content_hash_changes_with_any_field() -> None:
    base = BankItem(key="K", question="Q", answer="A")
    variants = [
        BankItem(key="K", question="Q", answer="B"),
        BankItem(key="K", question="Q", answer="A", controls=("x",)),
    ]
    assert all(content_hash([base]) != content_hash([v]) for v in variants), "hash must cover every field"


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="duplicate key"):
        build_index([BankItem(key="K", question="a"), BankItem(key="K", question="b")])


@pytest.mark.parametrize(
    "items",
    [
        pytest.param([], id="empty-bank"),
        pytest.param([BankItem(key="ONLY", question="", answer="")], id="entry-without-text"),
    ],
)
def test_round_trip_of_degenerate_banks(items: list[BankItem]) -> None:
    built = build_index(items)
    loaded = index_from_bytes(index_to_bytes(built), expected_hash=content_hash(items))
    assert match(loaded, QUESTIONS) == match(built, QUESTIONS), "degenerate banks must survive the round trip"

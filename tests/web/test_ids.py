"""``web/ids.py``: record ids in URLs are opaque tokens that round-trip, and anything else is refused."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.ids import LIMIT, TOKEN_LENGTH, OpaqueIds

IDS = OpaqueIds("a" * 64)
OTHER = OpaqueIds("b" * 64)
ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"  # base64url, in order


@given(st.integers(min_value=0, max_value=LIMIT - 1))
def test_every_id_round_trips_through_a_22_character_url_safe_token(record_id: int) -> None:
    token = IDS.encode(record_id)
    assert len(token) == TOKEN_LENGTH and set(token) <= set(ALPHABET)
    assert IDS.decode(token) == record_id
    assert OTHER.encode(record_id) != token, "another installation's secret gives other tokens"


@given(st.text(alphabet=ALPHABET, min_size=TOKEN_LENGTH, max_size=TOKEN_LENGTH))
def test_a_made_up_token_is_refused_unless_it_is_exactly_what_encode_writes(token: str) -> None:
    try:
        record_id = IDS.decode(token)
    except ValueError:
        return
    assert IDS.encode(record_id) == token  # only with probability 2**-64 per try


@pytest.mark.parametrize("record_id", [-1, LIMIT])
def test_ids_outside_63_bits_are_refused(record_id: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        IDS.encode(record_id)


def test_wrong_length_foreign_and_non_canonical_tokens_are_refused() -> None:
    token = IDS.encode(42)
    with pytest.raises(ValueError, match="22 characters"):
        IDS.decode(token[:-1])
    with pytest.raises(ValueError, match="not a record id of this installation"):
        IDS.decode(OTHER.encode(42))
    # the last character carries 2 bits of the block and 4 of padding: flipping padding keeps the bytes
    last = ALPHABET.index(token[-1])
    twin = token[:-1] + ALPHABET[last ^ 0b0001]
    with pytest.raises(ValueError, match="canonical"):
        IDS.decode(twin)
    with pytest.raises(ValueError):
        IDS.decode("!" * TOKEN_LENGTH)


def test_neighbouring_ids_give_unrelated_tokens() -> None:
    tokens = [IDS.encode(n) for n in range(1, 1001)]
    assert len(set(tokens)) == 1000
    first_chars = {t[0] for t in tokens}
    assert len(first_chars) > 50, "a keyed permutation spreads over the whole alphabet"

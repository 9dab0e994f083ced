"""Opaque record ids in URLs (catalogue Z06): ``/questionnaires/ZkM3...`` rather than ``/questionnaires/7``.

A record id (an integer below 2**63) becomes, in a URL, the 16-byte block of its eight big-endian bytes
followed by eight zero bytes, encrypted with AES under a key derived from the app's secret key
(HKDF-SHA256), written as 22 characters of URL-safe base64. One AES block is a keyed permutation: the
token shows neither the id nor how many records exist, and neighbouring ids give unrelated tokens. On the
way in, a token that is not 22 such characters, is not the canonical spelling, or does not decrypt to
eight zero bytes (a made-up or altered token: all but a 2**-64 chance) matches no route: 404.

Authorisation never depends on this: every route still checks the record belongs to the organisation in
the URL. Every node must share ``TRUSTDESK_SECRET_KEY`` (they do already, for sessions); changing it
changes every record URL (bookmarks break; share links keep working, they carry their own tokens).
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from werkzeug.routing import BaseConverter, ValidationError

TOKEN_LENGTH = 22
PAD = bytes(8)
LIMIT = 2**63


class OpaqueIds:
    """Encode record ids for URLs and decode them back, under one secret."""

    def __init__(self, secret: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=16, salt=None, info=b"trustdesk url ids v1").derive(
            secret.encode()
        )
        # ECB on exactly one block is the block cipher itself: a keyed permutation of 128-bit values
        self._cipher = Cipher(algorithms.AES(key), modes.ECB())

    def encode(self, record_id: int) -> str:
        if not 0 <= record_id < LIMIT:
            raise ValueError(f"record id {record_id} is outside 0 .. 2**63 - 1")
        encryptor = self._cipher.encryptor()  # about 2 microseconds: a page of 50 cards needs no cache
        return _spell(encryptor.update(record_id.to_bytes(8, "big") + PAD) + encryptor.finalize())

    def decode(self, token: str) -> int:
        """The id behind ``token``; ValueError if it is not one of ours."""
        if len(token) != TOKEN_LENGTH:
            raise ValueError(f"a record id in a URL has {TOKEN_LENGTH} characters, not {len(token)}")
        try:
            block = base64.urlsafe_b64decode(token + "==")
        except binascii.Error as exc:
            raise ValueError("not URL-safe base64") from exc
        if _spell(block) != token:
            raise ValueError("not the canonical spelling of a record id")
        decryptor = self._cipher.decryptor()
        plain = decryptor.update(block) + decryptor.finalize()
        if plain[8:] != PAD:
            raise ValueError("not a record id of this installation")
        return int.from_bytes(plain[:8], "big")


def _spell(block: bytes) -> str:
    return base64.urlsafe_b64encode(block).rstrip(b"=").decode("ascii")


def converter(ids: OpaqueIds) -> type[BaseConverter]:
    """The ``<id:...>`` URL converter: views receive the integer, ``url_for`` writes the token."""

    class OpaqueIdConverter(BaseConverter):
        regex = r"[A-Za-z0-9_-]{22}"
        part_isolating = True

        def to_python(self, value: str) -> int:
            try:
                return ids.decode(value)
            except ValueError:
                raise ValidationError() from None  # no route matches: 404

        def to_url(self, value: int) -> str:
            return ids.encode(int(value))

    return OpaqueIdConverter

"""Trustdesk errors -> HTTP status codes; the most specific class first (catalogue section 2.1)."""

from __future__ import annotations

from core.errors import (
    Busy,
    Conflict,
    EmptyFile,
    InputFileError,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    StorageFull,
    TrustdeskError,
    UnsupportedFormat,
    ValidationError,
)

STATUS: tuple[tuple[type[TrustdeskError], int], ...] = (
    (NotFound, 404),
    (PermissionDenied, 403),
    (Conflict, 409),
    (Busy, 503),  # C03: a write waited past the lock timeout; retry
    (StorageFull, 507),  # C07: the disk is full; nothing was stored
    (ValidationError, 400),
    (EmptyFile, 400),  # U01
    (QuotaExceeded, 413),  # or 429; the catalogue allows either (U25)
    (UnsupportedFormat, 415),  # wrong type, legacy or encrypted Office, macros (U01-U03, U20)
    (InputFileError, 422),  # damaged, encrypted PDF, no text layer, over a limit (U04-U18)
)


def http_status(exc: TrustdeskError) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 400)

"""The one exception tree of Trustdesk.

Every error says what went wrong, where (``vendor.xlsx!Security!C14``, ``bank.csv row 7 column
short_answer``, ``policy.pdf page 3``) and how to fix it. The web layer maps classes to status codes,
the CLI turns them into ``click.ClickException``.

    TrustdeskError
    ├── ConfigError            a TRUSTDESK_* setting is missing or invalid
    ├── NotFound               a record does not exist (or is not visible to the caller)
    ├── PermissionDenied       the caller's role does not allow the action
    ├── Conflict               someone else changed the record first (compare-and-set lost)
    ├── Busy                   another writer held the lock past the timeout; retry
    ├── StorageFull            the disk or quota is full; nothing was saved
    ├── ValidationError        user-supplied data is invalid
    │   └── ImportFileError    a file being imported is invalid (names file, row, column)
    └── InputFileError         an uploaded/parsed file cannot be read
        ├── UnsupportedFormat  the content is not a format Trustdesk reads
        │   └── EmptyFile      the file has 0 bytes
        ├── CorruptFile        the file is damaged or truncated
        ├── EncryptedFile      the file is password-protected
        ├── NeedsOCR           a PDF has no text layer
        └── LimitExceeded      the file exceeds a size, row, page, ratio or time limit
            └── QuotaExceeded  the organisation's storage or file-count quota is used up
"""

from __future__ import annotations


class TrustdeskError(Exception):
    """Base of every error Trustdesk raises on purpose."""

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [f"{self.where}: {self.what}" if self.where else self.what]
        if self.fix:
            parts.append(f"Fix: {self.fix}")
        return " ".join(p.rstrip(".") + "." for p in parts)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # keyword-only arguments: rebuild explicitly so errors cross process boundaries intact
        return _rebuild, (type(self), self.what, self.where, self.fix)


def _rebuild(cls: type[TrustdeskError], what: str, where: str | None, fix: str | None) -> TrustdeskError:
    return cls(what, where=where, fix=fix)


class ConfigError(TrustdeskError):
    """A ``TRUSTDESK_*`` setting is missing or invalid."""


class NotFound(TrustdeskError):
    """A record does not exist, or is not visible to the caller."""


class PermissionDenied(TrustdeskError):
    """The caller's role does not allow this action."""


class Conflict(TrustdeskError):
    """Someone else changed the record first."""


class Busy(TrustdeskError):
    """Another writer held the database lock past the timeout; nothing was saved, retry."""


class StorageFull(TrustdeskError):
    """The disk (or a quota) is full; nothing was saved."""


class ValidationError(TrustdeskError):
    """User-supplied data is invalid."""


class ImportFileError(ValidationError):
    """A file being imported is invalid; ``where`` names file, row and column."""


class InputFileError(TrustdeskError):
    """An uploaded or parsed file cannot be read."""


class UnsupportedFormat(InputFileError):
    """The content is not a format Trustdesk reads."""


class EmptyFile(UnsupportedFormat):
    """The file has 0 bytes."""


class CorruptFile(InputFileError):
    """The file is damaged or truncated."""


class EncryptedFile(InputFileError):
    """The file is password-protected."""


class NeedsOCR(InputFileError):
    """A PDF has no text layer."""


class LimitExceeded(InputFileError):
    """The file exceeds a size, row, page, compression-ratio or time limit."""


class QuotaExceeded(LimitExceeded):
    """The organisation's storage or file-count quota is used up."""

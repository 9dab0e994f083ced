"""Limits that bound what parsing one untrusted file may cost. Values come from settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024
    max_rows: int = 10_000
    max_pages: int = 300
    max_archive_entries: int = 5_000
    max_member_bytes: int = 25 * 1024 * 1024
    max_uncompressed_bytes: int = 300 * 1024 * 1024
    max_compression_ratio: float = 100.0
    parse_timeout_s: float = 60.0

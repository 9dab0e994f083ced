"""Match questions against an organisation's bank: bank entries -> matcher items, and the index cache.

The cache file is keyed by organisation and the bank's content hash (plus the organisation's thesaurus
additions), carries the matcher's format version, is written atomically (``.part`` then rename) and is
rebuilt whenever it does not match. It is never a pickle.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matcher
from answerbank.models import BankEntry
from core.errors import TrustdeskError

log = logging.getLogger(__name__)


def bank_items(entries: Sequence[BankEntry]) -> list[matcher.BankItem]:
    """The live entries (not retired) as matcher items."""
    return [
        matcher.BankItem(
            key=e.key,
            question=e.question,
            alternates=tuple(e.alternates),
            answer=e.answer,
            short_answer=e.short_answer,
            category=e.category,
            controls=tuple(e.controls),
        )
        for e in entries
        if e.status != "retired"
    ]


def thesaurus_for(extra: Mapping[str, Sequence[str]] | None = None) -> matcher.Thesaurus:
    base = matcher.load_default_thesaurus()
    return base.extended(extra) if extra else base


@dataclass(frozen=True)
class IndexCache:
    """Built indexes under ``root``; ``semantic`` adds the optional embedding signal (and its own key)."""

    root: Path
    semantic: bool = False

    def _path(self, org_slug: str, key: str) -> Path:
        return self.root / f"{org_slug}-{key[:32]}.tdx"

    def get(
        self,
        *,
        org_slug: str,
        items: Sequence[matcher.BankItem],
        extra: Mapping[str, Sequence[str]] | None = None,
    ) -> matcher.MatchIndex:
        """The index for these items, from the cache when it is current, else built and cached."""
        bank_hash = matcher.content_hash(items)
        extra_json = json.dumps({k: sorted(v) for k, v in sorted((extra or {}).items())})
        mode = "semantic" if self.semantic else "lexical"
        key = hashlib.sha256(f"{bank_hash}\n{extra_json}\n{mode}".encode()).hexdigest()
        path = self._path(org_slug, key)
        if path.is_file():
            try:
                return matcher.index_from_bytes(path.read_bytes(), expected_hash=bank_hash)
            except TrustdeskError as exc:
                log.info("index cache %s is stale or unreadable (%s); rebuilding", path.name, exc)
        index = matcher.build_index(items, thesaurus=thesaurus_for(extra), semantic=self.semantic)
        self._write(path, matcher.index_to_bytes(index))
        self._remove_others(org_slug, keep=path)
        return index

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + f".{os.getpid()}.part")
        part.write_bytes(data)
        os.replace(part, path)

    def _remove_others(self, org_slug: str, *, keep: Path) -> None:
        for old in self.root.glob(f"{org_slug}-*.tdx"):
            if old != keep:
                old.unlink(missing_ok=True)

"""The index cache: keyed by organisation, bank content and mode; rebuilt when stale; never a pickle."""

from __future__ import annotations

from pathlib import Path

import pytest

import matcher
from answerbank.matching import IndexCache
from core.errors import ConfigError
from matcher import semantic

ITEMS = [
    matcher.BankItem(key="MFA-1", question="Is MFA enforced for all staff?", short_answer="Yes"),
    matcher.BankItem(key="BCK-1", question="Are backups immutable?", short_answer="Yes"),
]


def _files(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("*.tdx"))


def test_second_lookup_reads_the_cached_file_instead_of_rebuilding(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path)
    first = cache.get(org_slug="acme", items=ITEMS)
    (cached,) = tmp_path.glob("acme-*.tdx")
    stamp = cached.stat().st_mtime_ns
    second = cache.get(org_slug="acme", items=ITEMS)
    assert cached.stat().st_mtime_ns == stamp, "a current cache file must not be rewritten"
    assert second.keys == first.keys
    assert matcher.match(second, ["Is 2FA enforced for employees?"])[0].candidates[0].entry_key == "MFA-1"


def test_changed_bank_gets_a_new_file_and_the_old_one_is_removed(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path)
    cache.get(org_slug="acme", items=ITEMS)
    before = _files(tmp_path)
    cache.get(org_slug="acme", items=[*ITEMS, matcher.BankItem(key="EDR-1", question="Is EDR deployed?")])
    after = _files(tmp_path)
    assert len(after) == 1 and after != before


def test_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path)
    cache.get(org_slug="acme", items=ITEMS)
    (cached,) = tmp_path.glob("acme-*.tdx")
    cached.write_bytes(b"not an index")
    index = cache.get(org_slug="acme", items=ITEMS)
    assert list(index.keys) == ["MFA-1", "BCK-1"]
    assert cached.read_bytes() != b"not an index"


def test_organisations_never_share_a_cache_file(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path)
    cache.get(org_slug="acme", items=ITEMS)
    cache.get(org_slug="globex", items=ITEMS)
    names = _files(tmp_path)
    assert len(names) == 2 and {n.split("-")[0] for n in names} == {"acme", "globex"}


@pytest.mark.skipif(semantic.available(), reason="checks the error when the semantic extra is absent")
def test_semantic_cache_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"trustdesk\[semantic\]"):
        IndexCache(tmp_path, semantic=True).get(org_slug="acme", items=ITEMS)


@pytest.mark.skipif(not semantic.available(), reason="needs pip install 'trustdesk[semantic]'")
def test_semantic_index_is_cached_apart_from_the_lexical_one(tmp_path: Path) -> None:
    lexical = IndexCache(tmp_path).get(org_slug="acme", items=ITEMS)
    with_embeddings = IndexCache(tmp_path, semantic=True).get(org_slug="acme", items=ITEMS)
    assert lexical.semantic_rows is None and with_embeddings.semantic_rows is not None
    again = IndexCache(tmp_path, semantic=True).get(org_slug="acme", items=ITEMS)
    assert again.semantic_rows is not None

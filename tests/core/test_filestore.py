"""The file store makes a write durable before it returns: the file's bytes, then the rename that puts
it in place (the folder's entries), including folders the write created."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from core.filestore import FileStore


def _record_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What each ``os.fsync`` call synced, by path, in call order."""
    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return synced


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name synced descriptors")
def test_a_stored_file_is_synced_then_its_rename_and_the_folders_it_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileStore(tmp_path / "files")
    synced = _record_fsyncs(monkeypatch)

    stored = store.put_bytes(b"first questionnaire")

    final = store.path_for(stored.sha256)
    assert final.read_bytes() == b"first questionnaire"
    assert Path(synced[0]).name.startswith(".incoming-"), "the bytes are synced before the rename"
    folders = {Path(p) for p in synced[1:]}
    assert folders == {final.parent, final.parent.parent, store.root}, synced


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name synced descriptors")
def test_a_file_in_an_existing_folder_syncs_only_that_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileStore(tmp_path / "files")
    data = b"second questionnaire"
    folder = store.path_for(hashlib.sha256(data).hexdigest()).parent
    folder.mkdir(parents=True)
    synced = _record_fsyncs(monkeypatch)

    store.put_bytes(data)

    assert [Path(p) for p in synced[1:]] == [folder], synced

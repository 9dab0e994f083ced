"""The content-addressed file store: files kept by SHA-256 under ``$TRUSTDESK_HOME/files``.

A write goes to a temporary file in the same folder, is fsynced, then renamed into place and the folder
fsynced (so the rename survives a power cut too), before the database row that points at it is
committed: a crash can leave an unreferenced file but never a row without its file. :meth:`FileStore.sweep` removes files no row refers to (and temporary files a
crashed writer left) once they are older than a grace period, so uploads still in flight are kept.
A full disk raises :class:`StorageFull` and leaves no temporary file. File names from users are never
used as paths.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.errors import LimitExceeded, NotFound, StorageFull

CHUNK = 1 << 16
TEMP_PREFIX = ".incoming-"
SWEEP_GRACE_S = 24 * 3600
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _fsync_dir(folder: Path) -> None:
    """Make the entries of ``folder`` durable: without it a power cut can undo a rename whose file
    contents were already synced, and leave a committed row pointing at no file."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


@dataclass(frozen=True)
class FileStore:
    root: Path

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound(f"{sha256!r} is not a SHA-256 digest", fix="use the digest the store returned")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None, name: str = "upload") -> StoredFile:
        """Copy ``stream`` into the store; the same content is stored once."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=TEMP_PREFIX)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise LimitExceeded(
                            f"{name} is larger than {max_bytes // (1024 * 1024)} MiB",
                            fix="send a smaller file or raise TRUSTDESK_MAX_UPLOAD_MB",
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            final = self.path_for(digest.hexdigest())
            new_dirs = [d for d in (final.parent.parent, final.parent) if not d.is_dir()]
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            for folder in {final.parent, *(d.parent for d in new_dirs)}:  # the renames themselves
                _fsync_dir(folder)
        except OSError as exc:
            if exc.errno in _FULL:
                raise StorageFull(
                    f"no space left to store {name}",
                    where=str(self.root),
                    fix="free disk space on the file store (or raise its quota), then try again",
                ) from exc
            raise
        finally:
            tmp.unlink(missing_ok=True)
        return StoredFile(digest.hexdigest(), size)

    def put_bytes(self, data: bytes, *, name: str = "upload") -> StoredFile:
        import io

        return self.put(io.BytesIO(data), name=name)

    def open(self, sha256: str) -> BinaryIO:
        path = self.path_for(sha256)
        if not path.is_file():
            raise NotFound(
                f"file {sha256[:12]}… is missing from the file store",
                where=str(self.root),
                fix="restore the file store from a backup",
            )
        return path.open("rb")

    def all_digests(self) -> Iterator[str]:
        if self.root.exists():
            for path in self.root.glob("??/??/*"):
                if path.is_file() and len(path.name) == 64:
                    yield path.name

    def orphans(self, referenced: Iterable[str]) -> list[str]:
        keep = set(referenced)
        return sorted(d for d in self.all_digests() if d not in keep)

    def sweep(
        self, referenced: Iterable[str], *, grace_s: float = SWEEP_GRACE_S, dry_run: bool = False
    ) -> list[str]:
        """Remove files no row refers to and stale temporary files, if older than ``grace_s``.

        Returns the names removed (or that would be, with ``dry_run``). A file younger than the grace
        period may belong to an upload whose row is not committed yet, so it stays.
        """
        cutoff = time.time() - grace_s
        doomed = [self.path_for(d) for d in self.orphans(referenced)]
        if self.root.exists():
            doomed += list(self.root.glob(TEMP_PREFIX + "*"))
        removed = []
        for path in doomed:
            try:
                if path.stat().st_mtime > cutoff:
                    continue
                if not dry_run:
                    path.unlink()
            except FileNotFoundError:
                continue
            removed.append(path.name)
        return sorted(removed)

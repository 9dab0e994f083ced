"""Evidence packs: assemble the ZIP (``manifest.json``, ``index.html``, the filled questionnaire, the
evidence files) and verify one.

The manifest lists every other member of the ZIP with its SHA-256 and size; :func:`verify` recomputes
them and names every file that was changed, added or removed. Which answers and which evidence go in is
decided by ``review.packs`` (it needs the questionnaire); this module only writes and checks the archive.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape
from sqlmodel import Session, col, select

from core import audit
from core.errors import CorruptFile, NotFound
from core.filestore import FileStore, StoredFile
from evidence.filetypes import EXTENSIONS
from evidence.models import Evidence, Pack

FORMAT = "trustdesk-pack/1"
MANIFEST = "manifest.json"
MAX_MEMBERS = 10_000


@dataclass
class Member:
    path: str
    data: bytes


@dataclass
class VerifyReport:
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.added or self.removed)

    def describe(self) -> str:
        if self.ok:
            return f"OK: all {self.checked} files match the manifest."
        lines = [f"FAILED: {len(self.changed) + len(self.added) + len(self.removed)} problem(s)."]
        lines += [f"  changed: {p}" for p in self.changed]
        lines += [f"  added:   {p}" for p in self.added]
        lines += [f"  removed: {p}" for p in self.removed]
        return "\n".join(lines)


def evidence_path(item: Evidence) -> str:
    """The member name of an evidence file: built from its id, version and title, never the user's name."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", item.title).strip("-").lower()[:60] or "evidence"
    return f"evidence/{item.id}-v{item.version}-{slug}{EXTENSIONS.get(item.media_type, '.bin')}"


def evidence_entry(item: Evidence, *, path: str | None) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "version": item.version,
        "kind": item.kind,
        "path": path,
        "url": item.url,
        "sha256": item.sha256,
        "size": item.size,
        "media_type": item.media_type,
        "confidentiality": item.confidentiality,
        "valid_from": item.valid_from.isoformat() if item.valid_from else None,
        "valid_until": item.valid_until.isoformat() if item.valid_until else None,
        "controls": list(item.controls),
    }


def read_evidence_file(files: FileStore, item: Evidence) -> bytes:
    assert item.sha256 is not None
    with files.open(item.sha256) as fh:
        return fh.read()


def assemble(manifest: dict[str, Any], members: list[Member]) -> bytes:
    """The ZIP: members, an ``index.html`` rendered from the manifest, and the manifest with every hash."""
    index = Member("index.html", render_index(manifest).encode("utf-8"))
    everything = [*members, index]
    manifest = {
        "format": FORMAT,
        **manifest,
        "files": {
            m.path: {"sha256": hashlib.sha256(m.data).hexdigest(), "size": len(m.data)} for m in everything
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
        for member in everything:
            archive.writestr(member.path, member.data)
    return buffer.getvalue()


def render_index(manifest: dict[str, Any]) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    source = resources.files("evidence").joinpath("pack_index.html").read_text(encoding="utf-8")
    by_id = {str(e["id"]): e for e in manifest.get("evidence", [])}
    return env.from_string(source).render(m=manifest, by_id=by_id)


def verify(path: Path) -> VerifyReport:
    """Recompute every hash in the pack; name each member changed, added or removed."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptFile(f"{path.name} is not a readable ZIP file", fix="download the pack again") from exc
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if len(names) > MAX_MEMBERS:
            raise CorruptFile(f"{path.name} has {len(names)} members", fix="this is not a Trustdesk pack")
        if MANIFEST not in names:
            raise CorruptFile(f"{path.name} has no {MANIFEST}", fix="this is not a Trustdesk pack")
        try:
            listed: dict[str, Any] = json.loads(archive.read(MANIFEST))["files"]
        except (ValueError, KeyError, TypeError) as exc:
            raise CorruptFile(f"{path.name}: {MANIFEST} is damaged", fix="download the pack again") from exc
        report = VerifyReport()
        for name in names:
            if name == MANIFEST:
                continue
            if name not in listed:
                report.added.append(name)
                continue
            report.checked += 1
            if _digest(archive, name) != listed[name].get("sha256"):
                report.changed.append(name)
        report.removed = sorted(set(listed) - set(names))
    return report


def _digest(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    try:
        with archive.open(name) as fh:
            for chunk in iter(lambda: fh.read(1 << 16), b""):
                digest.update(chunk)
    except (zipfile.BadZipFile, OSError):
        return "unreadable"  # a CRC error from a tampered member: reported as changed
    return digest.hexdigest()


def record_pack(
    session: Session,
    *,
    org_id: int,
    questionnaire_id: int,
    title: str,
    stored: StoredFile,
    members: int,
    actor: str,
    actor_id: int | None = None,
) -> Pack:
    """The row (and audit event) of a pack whose ZIP is already in the file store."""
    pack = Pack(
        org_id=org_id,
        questionnaire_id=questionnaire_id,
        title=title[:255],
        sha256=stored.sha256,
        size=stored.size,
        files=members,
        built_by=actor,
    )
    session.add(pack)
    session.flush()
    audit.record(
        session,
        actor=actor,
        actor_id=actor_id,
        org_id=org_id,
        action="pack.build",
        target_type="evidence_pack",
        target_id=str(pack.id),
        detail={"questionnaire_id": questionnaire_id, "sha256": stored.sha256, "files": members},
    )
    return pack


def get_pack(session: Session, *, org_id: int, pack_id: int) -> Pack:
    pack = session.get(Pack, pack_id)
    if pack is None or pack.org_id != org_id:
        raise NotFound(f"pack {pack_id} does not exist in this organisation", fix="build a pack first")
    return pack


def list_packs(session: Session, *, org_id: int) -> list[Pack]:
    return list(session.exec(select(Pack).where(Pack.org_id == org_id).order_by(col(Pack.id).desc())))


def pack_manifest(files: FileStore, pack: Pack) -> dict[str, Any]:
    with files.open(pack.sha256) as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as archive:
        manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
    return manifest


def pack_member(files: FileStore, pack: Pack, path: str) -> bytes:
    with files.open(pack.sha256) as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as archive:
        return archive.read(path)

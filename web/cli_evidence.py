"""`trustdesk evidence ...`, `trustdesk catalog ...`, `trustdesk crosswalk ...` and `trustdesk pack ...`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import click

from answerbank.store import Actor
from core import accounts
from core.db import read_session, write_session
from core.errors import NotFound
from core.models import Organisation
from evidence import catalogs, crosswalks, packs, shares
from evidence import store as evidence_store
from evidence.models import CONFIDENTIALITY, Evidence, EvidenceCreate
from review.models import QuestionnaireRecord
from review.packs import build_pack, refuse_if_stale
from web.cli_common import emit, runtime
from web.context import Runtime

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _evidence_dict(item: Evidence, *, today: date) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "version": item.version,
        "kind": item.kind,
        "sha256": item.sha256,
        "url": item.url,
        "size": item.size,
        "media_type": item.media_type,
        "filename": item.filename,
        "controls": item.controls,
        "confidentiality": item.confidentiality,
        "owner": item.owner,
        "valid_from": item.valid_from,
        "valid_until": item.valid_until,
        "expired": evidence_store.is_expired(item, today=today),
    }


def _line(item: Evidence, *, today: date) -> str:
    flag = " EXPIRED" if evidence_store.is_expired(item, today=today) else ""
    until = item.valid_until.isoformat() if item.valid_until else "open"
    return f"{item.id:>5}  v{item.version:<3} {until:<10} {item.confidentiality:<8} {item.title}{flag}"


@click.group()
def evidence() -> None:
    """The evidence library of an organisation: files and links that prove controls."""


@evidence.command("add")
@click.argument("source")
@click.option("--org", "org_slug", required=True)
@click.option("--title", required=True)
@click.option("--description", default="")
@click.option("--owner", default=None)
@click.option("--controls", default="", help="Control references, comma-separated (NIST-CSF-2.0:PR.AA-03).")
@click.option("--confidentiality", type=click.Choice(CONFIDENTIALITY), default="nda", show_default=True)
@click.option("--valid-from", type=DATE, default=None, help="YYYY-MM-DD")
@click.option("--valid-until", type=DATE, default=None, help="YYYY-MM-DD")
@click.option("--version-of", type=int, default=None, help="Add SOURCE as a new version of this evidence id.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def evidence_add(ctx: click.Context, /, source: str, org_slug: str, title: str, **opts: Any) -> None:
    """Add a file (type checked by content, stored by SHA-256) or an http(s) link as evidence."""
    rt = runtime(ctx)
    upload, url = _source(rt, source)
    valid_from = opts["valid_from"].date() if opts["valid_from"] else None
    valid_until = opts["valid_until"].date() if opts["valid_until"] else None
    with write_session(rt.ready_engine()) as session:
        org = accounts.require_org(session, slug=org_slug)
        assert org.id is not None
        if opts["version_of"]:
            item = evidence_store.add_version(
                session,
                org_id=org.id,
                evidence_id=opts["version_of"],
                actor=Actor("cli"),
                upload=upload,
                url=url,
                valid_from=valid_from,
                valid_until=valid_until,
            )
        else:
            data = EvidenceCreate(
                title=title,
                description=opts["description"],
                owner=opts["owner"],
                controls=[c.strip() for c in opts["controls"].split(",") if c.strip()],
                confidentiality=opts["confidentiality"],
                valid_from=valid_from,
                valid_until=valid_until,
            )
            item = evidence_store.add_evidence(
                session, org_id=org.id, data=data, actor=Actor("cli"), upload=upload, url=url
            )
    emit(
        _evidence_dict(item, today=date.today()),
        opts["as_json"],
        f"Evidence {item.id} v{item.version}: {item.title}",
    )


def _source(rt: Runtime, source: str) -> tuple[evidence_store.Upload | None, str | None]:
    """An http(s) link as it is, or a file read, checked by content and put in the file store."""
    if source.startswith(("http://", "https://")):
        return None, source
    path = Path(source)
    if not path.is_file():
        raise click.BadParameter(f"{source} is not a file or an http(s) link", param_hint="SOURCE")
    with path.open("rb") as fh:
        max_bytes = rt.settings.max_upload_mb * 1024 * 1024
        return evidence_store.accept_file(rt.files, fh, max_bytes=max_bytes, filename=path.name), None


@evidence.command("list")
@click.option("--org", "org_slug", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def evidence_list(ctx: click.Context, org_slug: str, as_json: bool) -> None:
    """List an organisation's evidence with version, validity and confidentiality."""
    today = date.today()
    with read_session(runtime(ctx).ready_engine()) as session:
        org = accounts.require_org(session, slug=org_slug)
        assert org.id is not None
        items = evidence_store.list_evidence(session, org_id=org.id)
    emit(
        [_evidence_dict(i, today=today) for i in items],
        as_json,
        "\n".join(_line(i, today=today) for i in items) or "No evidence.",
    )


@evidence.command("expiring")
@click.option("--org", "org_slug", required=True)
@click.option("--days", default=30, show_default=True, type=click.IntRange(0, 3650))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def evidence_expiring(ctx: click.Context, org_slug: str, days: int, as_json: bool) -> None:
    """Evidence whose validity ends within DAYS days (already expired included)."""
    today = date.today()
    with read_session(runtime(ctx).ready_engine()) as session:
        org = accounts.require_org(session, slug=org_slug)
        assert org.id is not None
        items = evidence_store.expiring(session, org_id=org.id, days=days, today=today)
    emit(
        [_evidence_dict(i, today=today) for i in items],
        as_json,
        "\n".join(_line(i, today=today) for i in items) or f"Nothing expires within {days} days.",
    )


@evidence.command("link")
@click.argument("entry_key")
@click.argument("evidence_id", type=int)
@click.option("--org", "org_slug", required=True)
@click.pass_context
def evidence_link(ctx: click.Context, entry_key: str, evidence_id: int, org_slug: str) -> None:
    """Make a bank entry cite an evidence item (shown on its answers, packed with them)."""
    from answerbank.store import require_entry

    with write_session(runtime(ctx).ready_engine()) as session:
        org = accounts.require_org(session, slug=org_slug)
        assert org.id is not None
        require_entry(session, org_id=org.id, key=entry_key)
        evidence_store.link_entry(
            session, org_id=org.id, entry_key=entry_key, evidence_id=evidence_id, actor=Actor("cli")
        )
    click.echo(f"Bank entry {entry_key} now cites evidence {evidence_id}.")


@click.group()
def catalog() -> None:
    """Control catalogs (NIST CSF 2.0, SP 800-53, SP 800-171, your own), imported from files."""


@catalog.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", default=None, help="The catalog key control references use (default: from the file).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def catalog_import(ctx: click.Context, file: Path, key: str | None, as_json: bool) -> None:
    """Import an OSCAL catalog (JSON or XML) or a CSV (id,title,family); replaces a catalog with the same key."""
    parsed = catalogs.read_catalog(file, key=key)
    with write_session(runtime(ctx).ready_engine()) as session:
        stored, created = catalogs.store_catalog(session, parsed=parsed)
        added = 0
        if parsed.edges:
            edges = [crosswalks.Edge(s, t, "maps_to") for s, t in parsed.edges]
            added, _ = crosswalks.store_crosswalk(
                session, parsed=crosswalks.ParsedCrosswalk(file.name, edges)
            )
    data = {
        "key": stored.key,
        "title": stored.title,
        "controls": len(parsed.controls),
        "created": created,
        "crosswalk_edges": added,
    }
    emit(
        data,
        as_json,
        f"Catalog {stored.key} ({stored.title}): {len(parsed.controls)} controls "
        f"{'imported' if created else 'replaced'}" + (f", {added} crosswalk edges." if added else "."),
    )


@catalog.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def catalog_list(ctx: click.Context, as_json: bool) -> None:
    """List the imported catalogs."""
    with read_session(runtime(ctx).ready_engine()) as session:
        rows = [(c, len(catalogs.controls_of(session, catalog=c))) for c in catalogs.list_catalogs(session)]
    emit(
        [{"key": c.key, "title": c.title, "controls": n} for c, n in rows],
        as_json,
        "\n".join(f"{c.key:<20} {n:>5}  {c.title}" for c, n in rows) or "No catalogs.",
    )


@click.group()
def crosswalk() -> None:
    """Crosswalks between catalogs (which control of one relates to which of another)."""


@crosswalk.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def crosswalk_import(ctx: click.Context, file: Path, as_json: bool) -> None:
    """Import a crosswalk: CSV (source,target[,relationship]) or a YAML mapping library."""
    parsed = crosswalks.read_crosswalk(file)
    with write_session(runtime(ctx).ready_engine()) as session:
        added, known = crosswalks.store_crosswalk(session, parsed=parsed)
    emit(
        {"file": file.name, "edges": len(parsed.edges), "added": added, "already_known": known},
        as_json,
        f"{file.name}: {len(parsed.edges)} edges, {added} added, {known} already known.",
    )


@click.group()
def pack() -> None:
    """Evidence packs: build one for a questionnaire, verify one, share one."""


@pack.command("build")
@click.argument("questionnaire_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def pack_build(ctx: click.Context, questionnaire_id: int, out: Path, as_json: bool) -> None:
    """Build the evidence pack (ZIP) of a questionnaire's approved answers."""
    rt = runtime(ctx)
    engine = rt.ready_engine()
    with read_session(engine) as session:
        record = session.get(QuestionnaireRecord, questionnaire_id)
        if record is None:
            raise NotFound(
                f"questionnaire {questionnaire_id} does not exist",
                fix="list them with `trustdesk questionnaire list --org SLUG`",
            )
        org = session.get(Organisation, record.org_id)
        assert org is not None
    built = build_pack(engine, files=rt.files, sandbox=rt.sandbox, org=org, record=record, actor=Actor("cli"))
    out.write_bytes(built.data)
    m = built.manifest
    emit(
        {
            "pack_id": built.pack.id,
            "file": str(out),
            "sha256": built.pack.sha256,
            "answers": len(m["answers"]),
            "evidence": len(m["evidence"]),
            "left_out": len(m["left_out"]),
        },
        as_json,
        f"Pack {built.pack.id} written to {out}: {len(m['answers'])} answers, {len(m['evidence'])} evidence, "
        f"{len(m['left_out'])} left out.",
    )


@pack.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def pack_verify(file: Path, as_json: bool) -> None:
    """Check every file of a pack against its manifest; exit 1 naming what changed, was added or removed."""
    report = packs.verify(file)
    emit(
        {
            "ok": report.ok,
            "checked": report.checked,
            "changed": report.changed,
            "added": report.added,
            "removed": report.removed,
        },
        as_json,
        report.describe(),
    )
    if not report.ok:
        raise SystemExit(1)


@pack.command("share")
@click.argument("pack_id", type=int)
@click.option("--org", "org_slug", required=True)
@click.option("--recipient", required=True, help="Who the link is for (insurer or customer name).")
@click.option("--email", default=None, help="The recipient's e-mail; a viewer user with it sees the pack.")
@click.option("--expires", required=True, type=DATE, help="YYYY-MM-DD (required).")
@click.option("--nda", is_flag=True, help="Require NDA acceptance before 'nda' files.")
@click.option("--max-downloads", type=click.IntRange(1, 10_000), default=None)
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@click.pass_context
def pack_share(ctx: click.Context, /, pack_id: int, org_slug: str, **opts: Any) -> None:
    """Create a share link for a pack; the link is printed once and cannot be shown again."""
    expires_at = datetime.combine(opts["expires"].date(), time(23, 59), tzinfo=UTC)
    rt = runtime(ctx)
    with write_session(rt.ready_engine()) as session:
        org = accounts.require_org(session, slug=org_slug)
        assert org.id is not None
        refuse_if_stale(session, files=rt.files, pack=packs.get_pack(session, org_id=org.id, pack_id=pack_id))
        link, token = shares.create_share(
            session,
            org_id=org.id,
            pack_id=pack_id,
            recipient=opts["recipient"],
            expires_at=expires_at,
            actor=Actor("cli"),
            recipient_email=opts["email"],
            require_nda=opts["nda"],
            max_downloads=opts["max_downloads"],
        )
    click.echo(f"Share link {link.id} for {link.recipient}, valid until {expires_at:%Y-%m-%d %H:%M} UTC:")
    click.echo(f"{opts['base_url'].rstrip('/')}/s/{token}")


@pack.command("revoke")
@click.argument("share_id", type=int)
@click.option("--org", "org_slug", required=True)
@click.pass_context
def pack_revoke(ctx: click.Context, share_id: int, org_slug: str) -> None:
    """Revoke a share link at once."""
    with write_session(runtime(ctx).ready_engine()) as session:
        org = accounts.require_org(session, slug=org_slug)
        assert org.id is not None
        shares.revoke(session, org_id=org.id, share_id=share_id, actor=Actor("cli"))
    click.echo(f"Share link {share_id} revoked.")

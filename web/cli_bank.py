"""`trustdesk bank ...`, `trustdesk thesaurus ...` and `trustdesk match`."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import click
from sqlmodel import select

import matcher
from answerbank import service, store
from answerbank.matching import IndexCache, bank_items
from answerbank.models import OrgTerm
from core import accounts
from core.db import read_session, write_session
from core.errors import ValidationError
from web.cli_common import emit, runtime


@click.group()
def bank() -> None:
    """The answer bank of an organisation."""


@bank.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--org", "org_slug", required=True)
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def bank_import(ctx: click.Context, file: Path, org_slug: str, dry_run: bool, as_json: bool) -> None:
    """Import CSV, XLSX or JSON (all or nothing; unchanged rows are left alone)."""
    with write_session(runtime(ctx).ready_engine()) as session:
        target = accounts.require_org(session, slug=org_slug)
        summary = service.import_file(
            session, org=target, path=file, actor=store.Actor("cli"), dry_run=dry_run
        )
        if dry_run:
            session.rollback()
    emit(summary.to_dict(), as_json, summary.describe())


@bank.command("export")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--org", "org_slug", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def bank_export(ctx: click.Context, file: Path, org_slug: str, as_json: bool) -> None:
    """Export the bank as CSV, XLSX or JSON (chosen by the file's extension)."""
    with read_session(runtime(ctx).ready_engine()) as session:
        target = accounts.require_org(session, slug=org_slug)
        count = service.export_file(session, org=target, path=file)
    emit(
        {"file": str(file), "organisation": org_slug, "entries": count},
        as_json,
        f"{count} entries of {org_slug} written to {file}.",
    )


@bank.command("check")
@click.option("--org", "org_slug", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def bank_check(ctx: click.Context, org_slug: str, as_json: bool) -> None:
    """List near-duplicates, conflicting answers and entries past their review date."""
    with read_session(runtime(ctx).ready_engine()) as session:
        target = accounts.require_org(session, slug=org_slug)
        assert target.id is not None
        findings = service.check_bank(store.list_entries(session, org_id=target.id), today=date.today())
    lines = [f"{f.kind:<15} {', '.join(f.keys):<20} {f.detail}" for f in findings]
    emit(
        {"organisation": org_slug, "findings": [f.__dict__ for f in findings]},
        as_json,
        "\n".join(lines) or "No findings: no near-duplicates, conflicts or overdue reviews.",
    )


@bank.command("history")
@click.argument("key")
@click.option("--org", "org_slug", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def bank_history(ctx: click.Context, key: str, org_slug: str, as_json: bool) -> None:
    """Show every version of one entry, newest first."""
    with read_session(runtime(ctx).ready_engine()) as session:
        target = accounts.require_org(session, slug=org_slug)
        assert target.id is not None
        versions = store.history(session, entry=store.require_entry(session, org_id=target.id, key=key))
    rows = [
        {
            "version": v.version,
            "author": v.author,
            "at": v.created_at.isoformat(),
            "short_answer": v.short_answer,
            "answer": v.answer,
        }
        for v in versions
    ]
    emit(rows, as_json, "\n".join(f"v{r['version']}  {r['at']}  {r['author']}" for r in rows))


# ---------------------------------------------------------------- thesaurus and matching


@click.group()
def thesaurus() -> None:
    """An organisation's own thesaurus families, added to the built-in security thesaurus."""


@thesaurus.command("add")
@click.argument("family")
@click.argument("terms", nargs=-1, required=True)
@click.option("--org", "org_slug", required=True)
@click.pass_context
def thesaurus_add(ctx: click.Context, family: str, terms: tuple[str, ...], org_slug: str) -> None:
    """Add TERMS as synonyms in FAMILY (e.g. `thesaurus add crowdstrike CrowdStrike Falcon --org acme`)."""
    clean = sorted({t.strip().lower() for t in terms if t.strip()})
    if len(clean) < 1 or not family.strip():
        raise ValidationError(
            "a family needs a name and at least one term", fix="give FAMILY TERM [TERM ...]"
        )
    with write_session(runtime(ctx).ready_engine()) as session:
        org = accounts.require_org(session, slug=org_slug)
        row = session.exec(select(OrgTerm).where(OrgTerm.org_id == org.id, OrgTerm.family == family)).first()
        row = row or OrgTerm(org_id=org.id or 0, family=family.strip().lower(), terms=[])
        row.terms = sorted(set(row.terms) | set(clean))
        session.add(row)
        click.echo(f"{row.family}: {', '.join(row.terms)}")


@thesaurus.command("list")
@click.option("--org", "org_slug", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def thesaurus_list(ctx: click.Context, org_slug: str, as_json: bool) -> None:
    """List the organisation's own thesaurus families."""
    with read_session(runtime(ctx).ready_engine()) as session:
        org = accounts.require_org(session, slug=org_slug)
        rows = {t.family: t.terms for t in session.exec(select(OrgTerm).where(OrgTerm.org_id == org.id))}
    emit(rows, as_json, "\n".join(f"{k}: {', '.join(v)}" for k, v in sorted(rows.items())) or "No own terms.")


def read_questions(path: Path) -> list[str]:
    """One question per line, or a CSV file with a `question` column."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        if "question" not in (reader.fieldnames or []):
            raise ValidationError(
                "the CSV has no `question` column",
                where=f"{path.name} header row",
                fix="name the column of questions `question`",
            )
        return [row["question"].strip() for row in reader if (row.get("question") or "").strip()]
    return [line.strip() for line in text.splitlines() if line.strip()]


@click.command()
@click.argument("questions", nargs=-1)
@click.option("--org", "org_slug", required=True)
@click.option(
    "--file",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A text file (one question per line) or a CSV with a `question` column.",
)
@click.option("--top", "top_k", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def match(
    ctx: click.Context,
    questions: tuple[str, ...],
    org_slug: str,
    file: Path | None,
    top_k: int,
    as_json: bool,
) -> None:
    """Draft answers: match questions against the organisation's bank, with reasons."""
    asked = list(questions) + (read_questions(file) if file else [])
    if not asked:
        raise ValidationError("no questions given", fix="pass questions as arguments or use --file FILE")
    rt = runtime(ctx)
    with read_session(rt.ready_engine()) as session:
        org = accounts.require_org(session, slug=org_slug)
        assert org.id is not None
        items = bank_items(store.list_entries(session, org_id=org.id))
        extra = {t.family: t.terms for t in session.exec(select(OrgTerm).where(OrgTerm.org_id == org.id))}
    if not items:
        raise ValidationError(
            f"the bank of {org_slug} is empty", fix="import one with `trustdesk bank import`"
        )
    index = IndexCache(rt.settings.home / "cache", semantic=rt.settings.match_semantic).get(
        org_slug=org_slug, items=items, extra=extra
    )
    results = matcher.match(index, asked, top_k=top_k)
    data = {
        "results": [
            {
                "question": r.question,
                "band": r.band,
                "candidates": [
                    {"key": c.entry_key, "score": round(c.score, 4), "band": c.band, "reasons": c.reasons}
                    for c in r.candidates
                ],
            }
            for r in results
        ]
    }
    lines = []
    for r in results:
        best = r.candidates[0] if r.candidates and r.band != "none" else None
        lines.append(f"[{r.band:<6}] {r.question}")
        lines.append(
            f"         -> {best.entry_key} ({best.score:.2f})"
            if best
            else "         -> no answer in the bank"
        )
    emit(data, as_json, "\n".join(lines))

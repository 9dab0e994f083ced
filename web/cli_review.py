"""`trustdesk parse`, `trustdesk questionnaire ...` and `trustdesk worker`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

import ingest
from answerbank.store import Actor
from core import accounts
from core.db import read_session, write_session
from core.errors import PermissionDenied
from core.models import ROLE_ABILITIES
from core.sandbox import run_limited
from review import export as review_export
from review import store as review_store
from review.files import sweep_daily
from review.jobs import QUEUE_NAME, pipeline_config
from review.models import QuestionnaireRecord
from review.pipeline import Request, accept_upload, fail_stale, process
from web.cli_common import emit, runtime


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def parse(ctx: click.Context, file: Path, as_json: bool) -> None:
    """Find every question in a questionnaire file (no database needed)."""
    config = pipeline_config(runtime(ctx).settings)
    result = run_limited(ingest.parse, file, sandbox=config.sandbox, what=file.name, limits=config.limits)
    data = {k: v for k, v in result.to_dict().items() if k in ("reader", "questions", "warnings")}
    lines = [f"{file.name}: {len(result.questions)} questions (reader {result.reader})"]
    for q in result.questions:
        lines.append(f"  {q.number or '-':<12} [{q.answer_type}] {q.text[:100]}")
    lines += [f"  warning: {w}" for w in result.warnings]
    emit(data, as_json, "\n".join(lines))


@click.group()
def questionnaire() -> None:
    """Questionnaires in flight: import, review from the CLI, export."""


def _summary(session: Any, record: QuestionnaireRecord) -> dict[str, Any]:
    assert record.id is not None
    return {
        "id": record.id,
        "title": record.title,
        "file": record.filename,
        "requester": record.requester,
        "status": record.status,
        "error": record.error,
        "questions": record.found,
        "warnings": list(record.warnings),
        "counts": review_store.band_counts(session, questionnaire_id=record.id),
    }


@questionnaire.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_slug", required=True)
@click.option("--requester", default="", help="Who sent it (customer, partner or insurer name).")
@click.option("--requester-kind", type=click.Choice(["customer", "partner", "insurer"]), default="customer")
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Due date, YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def questionnaire_import(
    ctx: click.Context,
    file: Path,
    org_slug: str,
    requester: str,
    requester_kind: str,
    due: Any,
    as_json: bool,
) -> None:
    """Store, parse and match a questionnaire; prints its id and the drafts per band."""
    rt = runtime(ctx)
    engine, config = rt.ready_engine(), pipeline_config(rt.settings)
    with read_session(engine) as session:
        org = accounts.require_org(session, slug=org_slug)
    wanted = Request(requester, requester_kind, due.date() if due else None)
    with file.open("rb") as fh:
        accepted = accept_upload(
            engine, config, org=org, stream=fh, filename=file.name, actor=Actor("cli"), request=wanted
        )
    record = accepted.record
    if accepted.duplicate:
        click.echo(f"{file.name} was already imported as questionnaire {record.id}.", err=True)
    assert record.id is not None
    if not accepted.duplicate:
        bar: Any = click.progressbar(length=1, label="Parsing and matching", file=sys.stderr)

        def progress(stage: str, done: int, total: int) -> None:
            """One step per question matched, once parsing has said how many there are."""
            if stage == "parsed":
                bar.length = max(total, 1)
            else:
                bar.update(done - bar.pos)

        with bar:
            process(engine, config, questionnaire_id=record.id, progress=progress)
    with read_session(engine) as session:
        final = session.get(QuestionnaireRecord, record.id)
        assert final is not None
        data = _summary(session, final)
    if final.status == "failed":
        raise click.ClickException(f"questionnaire {record.id} failed: {final.error}")
    c = data["counts"]
    emit(
        data,
        as_json,
        f"Questionnaire {record.id}: {final.found} questions; "
        f"{c['auto']} auto, {c['review']} review, {c['none']} none."
        + "".join(f"\n  warning: {w}" for w in final.warnings),
    )


@questionnaire.command("list")
@click.option("--org", "org_slug", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def questionnaire_list(ctx: click.Context, org_slug: str, as_json: bool) -> None:
    """List an organisation's questionnaires, newest first."""
    with read_session(runtime(ctx).ready_engine()) as session:
        org = accounts.require_org(session, slug=org_slug)
        assert org.id is not None
        rows = [_summary(session, r) for r in review_store.list_questionnaires(session, org_id=org.id)]
    emit(
        rows,
        as_json,
        "\n".join(f"{r['id']:>5}  {r['status']:<10} {r['questions']:>4} q  {r['title']}" for r in rows)
        or "No questionnaires.",
    )


@questionnaire.command("show")
@click.argument("questionnaire_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def questionnaire_show(ctx: click.Context, questionnaire_id: int, as_json: bool) -> None:
    """Show a questionnaire's questions with their drafts, bands and scores."""
    with read_session(runtime(ctx).ready_engine()) as session:
        record = _record(session, questionnaire_id)
        data = _summary(session, record)
        data["drafts"] = [
            {
                "draft": d.id,
                "number": q.number,
                "section": q.section,
                "question": q.text,
                "band": d.band,
                "score": d.score,
                "entry_key": d.entry_key,
                "short_answer": d.short_answer,
                "answer": d.answer,
                "status": d.status,
                "reasons": d.reasons,
            }
            for q, d in review_store.questions_with_drafts(session, questionnaire_id=questionnaire_id)
        ]
    lines = [f"{data['title']} ({data['status']}, {data['questions']} questions)"]
    lines += [
        f"  {d['number'] or '-':<10} {d['band']:<6} {d['score']:.2f} {d['entry_key'] or '-':<10} "
        f"{d['status']:<9} {d['question'][:80]}"
        for d in data["drafts"]
    ]
    emit(data, as_json, "\n".join(lines))


def _record(session: Any, questionnaire_id: int) -> QuestionnaireRecord:
    record = session.get(QuestionnaireRecord, questionnaire_id)
    if record is None:
        raise click.ClickException(
            f"questionnaire {questionnaire_id} does not exist. "
            "Fix: list them with `trustdesk questionnaire list --org SLUG`."
        )
    assert isinstance(record, QuestionnaireRecord)
    return record


@questionnaire.command("approve")
@click.argument("questionnaire_id", type=int)
@click.option(
    "--band", type=click.Choice(["auto", "review"]), required=True, help="Approve every draft in it."
)
@click.option("--as", "as_email", required=True, help="The approver's e-mail (needs approver or admin).")
@click.pass_context
def questionnaire_approve(ctx: click.Context, questionnaire_id: int, band: str, as_email: str) -> None:
    """Bulk-approve every undecided draft of a band, as an approver."""
    with write_session(runtime(ctx).ready_engine()) as session:
        record = _record(session, questionnaire_id)
        user = accounts.get_user(session, email=as_email)
        role = accounts.role_in(session, user_id=user.id, org_id=record.org_id) if user and user.id else None
        if user is None or role is None:
            raise PermissionDenied(
                f"{as_email} has no role in this questionnaire's organisation",
                fix="give an approver of that organisation",
            )
        count = review_store.bulk_approve(
            session,
            org_id=record.org_id,
            questionnaire_id=questionnaire_id,
            band=band,
            actor=Actor(user.email, user.id),
            can_approve="review.approve" in ROLE_ABILITIES[role],
        )
    click.echo(f"{count} {band} drafts approved by {as_email}.")


@questionnaire.command("discard")
@click.argument("questionnaire_id", type=int)
@click.pass_context
def questionnaire_discard(ctx: click.Context, questionnaire_id: int) -> None:
    """Delete a failed import; the audit trail keeps it and the orphan sweep removes its file."""
    with write_session(runtime(ctx).ready_engine()) as session:
        record = _record(session, questionnaire_id)
        review_store.discard_failed(
            session, org_id=record.org_id, questionnaire_id=questionnaire_id, actor=Actor("cli")
        )
    click.echo(f"questionnaire {questionnaire_id} ({record.filename}) discarded.")


@questionnaire.command("export")
@click.argument("questionnaire_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(list(review_export.FORMATS)), default="original", show_default=True
)
@click.option("--draft", is_flag=True, help="Include unapproved drafts; the file is marked DRAFT.")
@click.pass_context
def questionnaire_export(ctx: click.Context, questionnaire_id: int, out: Path, fmt: str, draft: bool) -> None:
    """Write the approved answers into the original file, or as XLSX, CSV or JSON (+ provenance)."""
    rt = runtime(ctx)
    engine = rt.ready_engine()
    with read_session(engine) as session:
        record = _record(session, questionnaire_id)
    config = pipeline_config(rt.settings)
    result = review_export.export_outside_writes(
        engine,
        files=config.files,
        sandbox=config.sandbox,
        record=record,
        fmt=fmt,
        actor=Actor("cli"),
        draft=draft,
    )
    if fmt == "original" and Path(result.filename).suffix != out.suffix:
        out = out.with_suffix(Path(result.filename).suffix)
    out.write_bytes(result.data)
    prov = out.with_name(out.name + ".provenance.json")
    prov.write_text(json.dumps(result.provenance, indent=2, ensure_ascii=False) + "\n")
    click.echo(f"{len(result.provenance)} answers written to {out} (provenance: {prov.name}).")


@click.command()
@click.option("--burst", is_flag=True, help="Run the queued jobs, then exit.")
@click.pass_context
def worker(ctx: click.Context, burst: bool) -> None:
    """Run background jobs from Redis (needs TRUSTDESK_REDIS_URL)."""
    settings = runtime(ctx).settings
    if not settings.redis_url:
        raise click.ClickException(
            "TRUSTDESK_REDIS_URL is not set: jobs run inside the app server. "
            "Fix: set TRUSTDESK_REDIS_URL=redis://127.0.0.1:6379/0 on app and worker."
        )
    from redis import Redis
    from rq import Queue, SimpleWorker

    engine = runtime(ctx).ready_engine()
    stale = fail_stale(engine)
    if stale:
        click.echo(f"Questionnaires {', '.join(map(str, stale))} had a dead job: marked failed (retry them).")
    sweep_daily(engine, runtime(ctx).files)
    connection = Redis.from_url(settings.redis_url)
    # SimpleWorker: jobs run in this process; the parse itself is isolated by core.sandbox
    SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(burst=burst)

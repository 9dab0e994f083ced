"""The ``trustdesk`` command."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from answerbank import service, store
from core import accounts
from core.db import read_session, write_session
from core.errors import TrustdeskError
from core.migrate import upgrade
from core.settings import Settings
from web.context import Runtime


class TrustdeskGroup(click.Group):
    """Turns every :class:`TrustdeskError` into a clean one-line error and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrustdeskError as exc:
            raise click.ClickException(str(exc)) from exc


def runtime(ctx: click.Context) -> Runtime:
    obj = ctx.find_root().obj
    if obj is None:
        obj = ctx.find_root().obj = Runtime(Settings.from_env())
    assert isinstance(obj, Runtime)
    return obj


def emit(data: object, as_json: bool, text: str) -> None:
    click.echo(json.dumps(data, indent=2, default=str) if as_json else text)


@click.group(cls=TrustdeskGroup)
def main() -> None:
    """Trustdesk: answer security questionnaires and prove controls to insurers."""


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create or upgrade the database to the latest schema (safe to run again)."""
    rt = runtime(ctx)
    before, after = upgrade(rt.engine)
    if before == after:
        click.echo(f"Database already at revision {after}; nothing to do.")
    else:
        click.echo(f"Database upgraded from {before or 'empty'} to {after}.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web app (development server; see docs/deploy.md for production)."""
    from web.app import create_app

    rt = runtime(ctx)
    rt.ready_engine()
    app = create_app(runtime=rt)
    click.echo(f"Trustdesk on http://{host}:{port}/")
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)


@main.command()
@click.option("--if-empty", is_flag=True, help="Do nothing when any organisation exists.")
@click.pass_context
def demo(ctx: click.Context, if_empty: bool) -> None:
    """Create the demo organisation, its users (logins printed) and its answer bank."""
    from web.demo import create_demo, write_logins

    rt = runtime(ctx)
    logins_file = rt.settings.home / "demo-logins.txt"
    with write_session(rt.ready_engine()) as session:
        if if_empty and accounts.list_orgs(session):
            click.echo("Organisations exist already; demo not created.")
            if logins_file.exists():
                click.echo(f"Demo logins (from {logins_file}):\n{logins_file.read_text()}", nl=False)
            return
        logins, count = create_demo(session)
    write_logins(rt.settings.home, logins)
    click.echo(f"Demo organisation 'demo' created with {count} answer-bank entries.")
    click.echo(f"Log in at http://127.0.0.1:5000/ with (also saved in {logins_file}):")
    click.echo(logins_file.read_text(), nl=False)


# ---------------------------------------------------------------- organisations and users


@main.group()
def org() -> None:
    """Organisations (client companies)."""


@org.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's display name.")
@click.pass_context
def org_create(ctx: click.Context, slug: str, name: str) -> None:
    """Create an organisation."""
    with write_session(runtime(ctx).ready_engine()) as session:
        created = accounts.create_org(session, slug=slug, name=name)
        click.echo(f"Organisation {created.slug} ({created.name}) created.")


@org.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def org_list(ctx: click.Context, as_json: bool) -> None:
    """List organisations."""
    with read_session(runtime(ctx).ready_engine()) as session:
        orgs = accounts.list_orgs(session)
    emit(
        [{"slug": o.slug, "name": o.name} for o in orgs],
        as_json,
        "\n".join(f"{o.slug}\t{o.name}" for o in orgs) or "No organisations.",
    )


@main.group()
def user() -> None:
    """Users and their roles."""


@user.command("create")
@click.argument("email")
@click.option("--org", "org_slug", required=True, help="Organisation slug.")
@click.option("--role", required=True, type=click.Choice(["admin", "approver", "account_manager", "viewer"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def user_create(ctx: click.Context, email: str, org_slug: str, role: str, password_stdin: bool) -> None:
    """Create a user (or give an existing one a role) in an organisation."""
    engine = runtime(ctx).ready_engine()
    with read_session(engine) as session:
        existing = accounts.get_user(session, email=email)
    password = ""
    if existing is None:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        accounts.check_password_policy(password)
    with write_session(engine) as session:
        target = accounts.require_org(session, slug=org_slug)
        accounts.create_user(session, email=email, password=password, org=target, role=role)
    click.echo(f"{email.lower()} is {role} in {org_slug}.")


# ---------------------------------------------------------------- answer bank


@main.group()
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

"""The ``trustdesk`` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from core import accounts
from core.backup import backup, restore
from core.db import read_session, write_session
from core.errors import TrustdeskError
from core.migrate import upgrade
from web.cli_common import emit, runtime


class TrustdeskGroup(click.Group):
    """Turns every :class:`TrustdeskError` into a clean one-line error and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrustdeskError as exc:
            raise click.ClickException(str(exc)) from exc


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
    from review.files import sweep_daily
    from web.app import create_app

    rt = runtime(ctx)
    sweep_daily(rt.ready_engine(), rt.files)
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


@user.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def user_set_password(ctx: click.Context, email: str, password_stdin: bool) -> None:
    """Set a user's password; every session of that user ends."""
    engine = runtime(ctx).ready_engine()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    with write_session(engine) as session:
        target = accounts.get_user(session, email=email)
        if target is None:
            raise click.ClickException(f"no user {email}. Fix: create it with `trustdesk user create`.")
        accounts.change_password(session, user=target, password=password, actor="cli")
    click.echo(f"Password of {email.lower()} changed; their other sessions have ended.")


@main.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def backup_command(ctx: click.Context, folder: Path) -> None:
    """Back up the database and the file store into an empty FOLDER (safe while the app runs)."""
    rt = runtime(ctx)
    summary = backup(rt.ready_engine(), files_dir=rt.settings.files_dir, dest=folder)
    click.echo(f"Backed up the {summary.database} database and {summary.files} files to {folder}.")


@main.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def restore_command(ctx: click.Context, folder: Path, yes: bool) -> None:
    """Replace the database with a backup and add its files to the file store (stop the app first)."""
    if not yes:
        click.confirm("This replaces the current database. Continue?", abort=True)
    rt = runtime(ctx)
    summary = restore(rt.engine, files_dir=rt.settings.files_dir, source=folder)
    click.echo(f"Restored the {summary.database} database and {summary.files} files from {folder}.")


@main.group("files")
def files_group() -> None:
    """The content-addressed file store."""


@files_group.command("sweep")
@click.option(
    "--older-than-hours", default=24.0, show_default=True, type=click.FloatRange(min=0), help="Grace period."
)
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@click.pass_context
def files_sweep(ctx: click.Context, older_than_hours: float, dry_run: bool) -> None:
    """Remove stored files no record refers to, and temporary files of crashed uploads, once older than
    the grace period (files of uploads still in flight are younger and stay)."""
    from review.files import sweep_orphans

    rt = runtime(ctx)
    removed = sweep_orphans(rt.ready_engine(), rt.files, grace_s=older_than_hours * 3600, dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(removed)} unreferenced files.")
    for name in removed:
        click.echo(f"  {name}")


def _register_subcommands() -> None:
    from web import cli_bank, cli_evidence, cli_review

    main.add_command(cli_bank.bank)
    main.add_command(cli_bank.thesaurus)
    main.add_command(cli_bank.match)
    for command in (cli_review.questionnaire, cli_review.parse, cli_review.worker):
        main.add_command(command)
    for group in (cli_evidence.evidence, cli_evidence.catalog, cli_evidence.crosswalk, cli_evidence.pack):
        main.add_command(group)


_register_subcommands()

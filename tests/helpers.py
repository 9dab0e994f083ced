"""Small helpers shared by tests: run the CLI, create organisations and users."""

from __future__ import annotations

from click.testing import CliRunner, Result

from web.cli import main

PASSWORD = "correct horse battery staple"


def cli(runner: CliRunner, *args: str, input: str | None = None) -> Result:
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


def make_org(runner: CliRunner, slug: str, name: str | None = None) -> None:
    result = cli(runner, "org", "create", slug, "--name", name or slug.title())
    assert result.exit_code == 0, result.output


def make_user(runner: CliRunner, email: str, org: str, role: str, password: str = PASSWORD) -> None:
    result = cli(
        runner,
        "user",
        "create",
        email,
        "--org",
        org,
        "--role",
        role,
        "--password-stdin",
        input=password + "\n",
    )
    assert result.exit_code == 0, result.output

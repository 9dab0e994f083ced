"""Docs are tested: every CLI command is in the README, every setting in docs/settings.md."""

from __future__ import annotations

import click

from core.settings import SETTINGS_DOC
from tests.shared_data import REPO
from web.cli import main


def _commands(group: click.Group, prefix: str = "trustdesk") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


def test_every_cli_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    for path, command in _commands(main):
        assert command.help, f"`{path}` has no help text"
        if not isinstance(command, click.Group):
            assert f"`{path}" in readme, f"README.md does not mention `{path}`"


def test_every_setting_is_documented() -> None:
    settings_doc = (REPO / "docs" / "settings.md").read_text()
    for key in SETTINGS_DOC:
        assert f"`{key}`" in settings_doc, f"docs/settings.md does not document {key}"


def test_readme_starts_with_the_two_commands() -> None:
    lines = [line for line in (REPO / "README.md").read_text().splitlines() if line.strip()]
    code = [line for line in lines[:12] if line.startswith(("make ", "    make "))]
    assert [c.strip() for c in code] == ["make run", "make test"]

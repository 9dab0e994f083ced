"""What every `trustdesk` subcommand shares: the runtime and output helpers."""

from __future__ import annotations

import json

import click

from core.settings import Settings
from web.context import Runtime


def runtime(ctx: click.Context) -> Runtime:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Runtime(Settings.from_env())
    assert isinstance(root.obj, Runtime)
    return root.obj


def emit(data: object, as_json: bool, text: str) -> None:
    click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False) if as_json else text)

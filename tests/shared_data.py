"""Locate ``../shared/data`` and ``../shared/eval`` (or ``TRUSTDESK_SHARED_DATA``); skip when absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_root() -> Path:
    env = os.environ.get("TRUSTDESK_SHARED_DATA")
    if env:
        return Path(env).resolve().parent
    return REPO.parent / "shared"


def shared_data_dir() -> Path:
    env = os.environ.get("TRUSTDESK_SHARED_DATA")
    return Path(env) if env else shared_root() / "data"


def require_shared(*parts: str) -> Path:
    """Path under the shared folder (``data/...`` or ``eval/...``), or skip the test with a reason."""
    path = shared_root().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: set TRUSTDESK_SHARED_DATA or place shared/ beside the repo")
    return path

from __future__ import annotations

import pytest

from matcher import MatchIndex, build_index
from tests.matcher.bank import BANK


@pytest.fixture(scope="session")
def index() -> MatchIndex:
    return build_index(BANK)

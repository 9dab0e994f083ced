"""VSAQ reader: the real Google templates (shared data) and small JSON-ish edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import CorruptFile, UnsupportedFormat
from ingest.limits import Limits
from ingest.readers import vsaq
from tests.shared_data import require_shared

EXPECTED = Path(__file__).parent / "expected"
NAMES = [p.stem.removeprefix("vsaq_") for p in sorted(EXPECTED.glob("vsaq_*.json"))]
MAIN_FILES = ["infrastructure", "physical_and_datacenter", "security_privacy_programs", "webapp"]


@pytest.mark.shared_data
@pytest.mark.parametrize("name", NAMES)
def test_vsaq_file_matches_expected(name: str) -> None:
    expected = json.loads((EXPECTED / f"vsaq_{name}.json").read_text())
    path = require_shared("data", expected["file"])
    result = vsaq.read(path, limits=Limits())
    questions = result.questions
    assert len(questions) == expected["count"], f"{name}: question count"
    assert [q.ref for q in questions] == expected["refs"]
    assert [q.number for q in questions] == expected["numbers"]
    assert questions[0].text == expected["first_text"]
    assert questions[-1].text == expected["last_text"]
    assert questions[0].section == expected["first_section"]
    assert questions[-1].section == expected["last_section"]
    types: dict[str, int] = {}
    for q in questions:
        types[q.answer_type] = types.get(q.answer_type, 0) + 1
    assert types == expected["answer_types"]
    assert all(q.location.kind == "vsaq" and q.location.item == q.ref for q in questions)


@pytest.mark.shared_data
def test_vsaq_main_files_hold_245_answerable_items_as_documented() -> None:
    folder = require_shared("data", "questionnaires", "vsaq")
    total = sum(len(vsaq.read(folder / f"{n}.json", limits=Limits()).questions) for n in MAIN_FILES)
    assert total == 245


@pytest.mark.shared_data
def test_vsaq_score_prefers_content_over_name() -> None:
    path = require_shared("data", "questionnaires", "vsaq", "webapp.json")
    head = path.read_bytes()[:4096]
    assert vsaq.score(head, "webapp.json") > 50
    assert vsaq.score(head, "renamed.txt") > 50
    assert vsaq.score(b'{"name": "package", "version": "1"}', "package.json") == 0
    assert vsaq.score(b"PK\x03\x04", "x.json") == 0


SNIPPET = """// leading comment with "quotes" and http://example.com
{
  "questionnaire": [ /* block comment */
    {"type": "block", "text": "<b>Access</b> control", "items": [
      {"type": "info", "text": "Which of these apply?"},
      {"type": "checkgroup", "choices": [{"mfa": "MFA"}, {"sso": "SSO"}]},
      {"type": "radiogroup", "id": "pw_policy", "text": "Do you enforce " + // split
          "a password policy? See http://example.com//policy",
       "choices": [{"pw_yes": "Yes, always."}, {"pw_no": "No."}]},
      {"type": "radiogroup", "id": "hosting", "text": "Where is it hosted?",
       "choices": [{"h1": "Cloud"}, {"h2": "On premises"}, {"h3": "Both"}]},
      {"type": "tip", "id": "t1", "text": "Not a question", "warn": "yes"},
      {"type": "line", "id": "contact", "text": "Security contact &amp; email:"}
    ]}
  ]
}
"""


def test_vsaq_handles_comments_string_joins_and_html(tmp_path: Path) -> None:
    path = tmp_path / "snippet.json"
    path.write_text(SNIPPET)
    questions = vsaq.read(path, limits=Limits()).questions
    assert [q.ref for q in questions] == ["group:mfa", "pw_policy", "hosting", "contact"]
    group, policy, hosting, contact = questions
    assert group.text == "Which of these apply?" and group.answer_type == "multi_choice"
    assert group.choices == ("MFA", "SSO") and group.number is None
    assert policy.text == "Do you enforce a password policy? See http://example.com//policy"
    assert policy.answer_type == "yes_no" and policy.choices == ("Yes, always.", "No.")
    assert hosting.answer_type == "choice"
    assert contact.text == "Security contact & email:" and contact.answer_type == "text"
    assert {q.section for q in questions} == {"Access control"}


def test_vsaq_broken_json_names_file_line_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"questionnaire": [ {"type": "block" "items": []} ]}')
    with pytest.raises(CorruptFile) as info:
        vsaq.read(path, limits=Limits())
    assert "broken.json line 1" in str(info.value) and "Fix:" in str(info.value)


def test_vsaq_json_without_questionnaire_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"rows": []}')
    with pytest.raises(UnsupportedFormat, match=r"other\.json"):
        vsaq.read(path, limits=Limits())

"""VSAQ reader: the real Google templates (shared data) and small JSON-ish edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ingest
from core.errors import CorruptFile, InputFileError, UnsupportedFormat
from ingest.limits import Limits
from ingest.readers import vsaq
from ingest.writers import vsaq as vsaq_writer
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


ANSWERABLE = """{
  "questionnaire": [{"type": "block", "text": "Root", "items": [
    {"type": "info", "text": "Which of these apply?"},
    {"type": "checkgroup", "choices": [{"mfa": "MFA"}, {"sso": "SSO"}, {"hw": "Hardware keys"}]},
    {"type": "radiogroup", "id": "pw_policy", "text": "Do you enforce a password policy?",
     "choices": [{"pw_yes": "Yes, always."}, {"pw_no": "No."}]},
    {"type": "check", "id": "declaration", "text": "I declare the answers are true."},
    {"type": "yesno", "id": "sla", "text": "Do you offer an SLA?", "yes": "We do", "no": "We do not"},
    {"type": "box", "id": "notes", "text": "Anything else? // not a comment"}
  ]}]
  // the file ends with a comment
}
"""


def snippet(tmp_path: Path, text: str = ANSWERABLE) -> Path:
    path = tmp_path / "answerable.json"
    path.write_text(text)
    return path


def test_vsaq_fill_round_trips_every_item_kind_in_the_files_own_wording(tmp_path: Path) -> None:
    src = snippet(tmp_path)
    found = vsaq.read(src, limits=Limits()).questions
    assert [q.existing_answer for q in found] == [None] * 5
    answers = {
        "group:mfa": "MFA; hardware keys",
        "pw_policy": "yes",
        "declaration": "Yes",
        "sla": "no",
        "notes": 'Line one\nLine "two" // with slashes',
    }
    out = ingest.fill(src, found, answers, tmp_path / "filled.json")
    again = vsaq.read(out, limits=Limits()).questions
    assert [(q.ref, q.existing_answer) for q in again] == [
        ("group:mfa", "MFA, Hardware keys"),
        ("pw_policy", "Yes, always."),
        ("declaration", "Yes"),
        ("sla", "We do not"),
        ("notes", 'Line one\nLine "two" // with slashes'),
    ]
    assert [(q.text, q.choices) for q in again] == [(q.text, q.choices) for q in found]


def test_vsaq_answers_are_the_values_object_vsaq_itself_loads(tmp_path: Path) -> None:
    src = snippet(tmp_path)
    found = vsaq.read(src, limits=Limits()).questions
    answers = {"group:mfa": "SSO", "pw_policy": "No.", "declaration": "No", "sla": "yes", "notes": "x"}
    out = vsaq_writer.fill(src, found, answers, tmp_path / "filled.json")
    tree = vsaq.load(out)
    assert tree["answers"] == {
        "mfa": "",
        "sso": "checked",
        "hw": "",
        "pw_yes": "",
        "pw_no": "checked",
        "declaration": "",
        "sla": "yes",
        "notes": "x",
    }
    assert tree["questionnaire"] == vsaq.load(src)["questionnaire"]
    original, filled = src.read_text(), out.read_text()
    common = next(
        (i for i, (a, b) in enumerate(zip(original, filled, strict=False)) if a != b), len(original)
    )
    assert filled.endswith(original[common:]), "the template must be unchanged around the answers"
    assert filled[common:].startswith(',\n  "answers": {')


def test_vsaq_second_fill_replaces_its_answers_and_keeps_the_others(tmp_path: Path) -> None:
    src = snippet(tmp_path)
    found = vsaq.read(src, limits=Limits()).questions
    first = vsaq_writer.fill(src, found, {"pw_policy": "Yes", "notes": "first"}, tmp_path / "one.json")
    second = vsaq_writer.fill(first, found, {"pw_policy": "No", "sla": "Yes"}, tmp_path / "two.json")
    again = {q.ref: q.existing_answer for q in vsaq.read(second, limits=Limits()).questions}
    assert again == {
        "group:mfa": None,
        "pw_policy": "No.",
        "declaration": None,
        "sla": "We do",
        "notes": "first",
    }
    assert second.read_text().count('"answers"') == 1


@pytest.mark.parametrize(
    ("ref", "answer"), [("pw_policy", "Sometimes"), ("group:mfa", "MFA, passkeys"), ("nope", "x")]
)
def test_vsaq_fill_refuses_answers_it_cannot_place(tmp_path: Path, ref: str, answer: str) -> None:
    src = snippet(tmp_path)
    found = vsaq.read(src, limits=Limits()).questions
    with pytest.raises(InputFileError) as info:
        vsaq_writer.fill(src, found, {ref: answer}, tmp_path / "out.json")
    assert "answerable.json" in str(info.value) and "Fix:" in str(info.value)
    assert not (tmp_path / "out.json").exists()


@pytest.mark.shared_data
@pytest.mark.parametrize("name", MAIN_FILES)
def test_vsaq_google_templates_round_trip_through_fill(name: str, tmp_path: Path) -> None:
    src = require_shared("data", "questionnaires", "vsaq", f"{name}.json")
    found = ingest.parse(src).questions
    answers: dict[str, str] = {}
    expected: dict[str, str] = {}
    for q in found:
        if q.answer_type == "multi_choice":
            answers[q.ref], expected[q.ref] = "\n".join(q.choices[:2]), ", ".join(q.choices[:2])
        elif q.choices:
            answers[q.ref] = expected[q.ref] = q.choices[-1]
        else:
            answers[q.ref] = expected[q.ref] = f"Answer to {q.ref}"
    out = ingest.fill(src, found, answers, tmp_path / f"{name}.json")
    again = ingest.parse(out).questions
    assert [(q.ref, q.existing_answer) for q in again] == [(q.ref, expected[q.ref]) for q in found]
    assert vsaq.load(out)["questionnaire"] == vsaq.load(src)["questionnaire"]

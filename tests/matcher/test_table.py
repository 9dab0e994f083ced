"""Table tests: one question per thesaurus family and per distractor group, against tests/matcher/bank.py."""

from __future__ import annotations

import pytest

from matcher import MatchIndex, Query, match


def _explain(index: MatchIndex, question: str, expected: str) -> str:
    result = match(index, [question], top_k=3)[0]
    ranked = ", ".join(f"{c.entry_key} {c.score:.3f} {c.reasons.get('thesaurus')}" for c in result.candidates)
    return f"{question!r} should rank {expected} first; got [{ranked}]"


THESAURUS_FAMILIES = [
    pytest.param("Is 2FA turned on for staff apps?", "MFA-WORK", id="mfa-acronym"),
    pytest.param("Do workers need two-step verification for internal tools?", "MFA-WORK", id="mfa-two-step"),
    pytest.param("Is there SSO for employees?", "SSO-WORK", id="sso-acronym"),
    pytest.param("Does your app support SAML/OIDC federation with our IdP?", "SSO-CUST", id="saml-oidc-idp"),
    pytest.param("SCIM support?", "SCIM", id="scim-terse"),
    pytest.param("Is data encrypted while stored in your databases?", "ENC-REST", id="at-rest-paraphrase"),
    pytest.param("Do you enforce TLS on public endpoints?", "ENC-TRANSIT", id="tls-in-transit"),
    pytest.param("mTLS between microservices?", "ENC-INTERNAL", id="mtls"),
    pytest.param("Are laptops protected with FDE such as BitLocker?", "ENC-DISK", id="fde"),
    pytest.param("Do you have XDR on workstations?", "EDR", id="edr-xdr"),
    pytest.param("Which SIEM do you use?", "SIEM", id="siem"),
    pytest.param("Is DLP in place?", "DLP", id="dlp"),
    pytest.param("Do you have a BCP?", "BCP", id="bcp"),
    pytest.param("State your RTO/RPO.", "RTO", id="rto-rpo"),
    pytest.param("Annual pentest by a third party?", "PENTEST", id="pen-test"),
    pytest.param("Do you run SAST tools?", "SAST", id="sast"),
    pytest.param("Is DAST part of your release process?", "DAST", id="dast"),
    pytest.param("Describe your SDLC.", "SDLC", id="sdlc"),
    pytest.param("Will you execute a BAA covering ePHI?", "BAA", id="baa-ephi"),
    pytest.param("Do you use a PAM solution?", "PAM", id="pam"),
    pytest.param("Is there a WAF?", "WAF", id="waf"),
    pytest.param("Is ZTNA used instead of a VPN for internal apps?", "ZTNA", id="ztna"),
    pytest.param("Do you use a CSPM?", "CSPM", id="cspm"),
    pytest.param("Is there an AD forest on prem?", "AD", id="active-directory"),
    pytest.param("Please provide a DFD.", "DFD", id="dfd"),
    pytest.param("Multi-AZ / HA deployment?", "HA", id="az-ha"),
    pytest.param("Will you sign our DPA?", "DPA", id="dpa"),
    pytest.param("Do you rely on SCCs or the DPF for transfers?", "SCC", id="scc-dpf"),
    pytest.param("Does the LLM feature send our data to an outside vendor?", "LLM", id="llm"),
    pytest.param("Do you have E&O cover?", "EO", id="e-and-o"),
    pytest.param("Are your back-ups air-gapped or WORM?", "BACKUP-IMMUTABLE", id="immutable-backups"),
]

DISTRACTORS = [
    pytest.param("Is MFA required to log in to webmail?", "MFA-MAIL", id="mfa-email-not-workforce"),
    pytest.param("Is 2FA enforced on VPN connections for contractors?", "MFA-REMOTE", id="mfa-remote-vpn"),
    pytest.param("Are admin accounts protected with MFA?", "MFA-ADMIN", id="mfa-admins"),
    pytest.param("Can our end users turn on MFA in your product?", "MFA-CUST", id="mfa-customers"),
    pytest.param("Is data at rest encrypted?", "ENC-REST", id="encryption-at-rest"),
    pytest.param("Is data encrypted in transit?", "ENC-TRANSIT", id="encryption-in-transit"),
    pytest.param("Do you encrypt your backups?", "ENC-BACKUP", id="encryption-of-backups"),
    pytest.param("How frequently do you perform test restores?", "BACKUP-RESTORE", id="backup-restore-test"),
    pytest.param("What is your backup schedule and retention?", "BACKUP-FREQ", id="backup-frequency"),
]


@pytest.mark.parametrize(("question", "expected"), THESAURUS_FAMILIES + DISTRACTORS)
def test_question_ranks_expected_entry_first(index: MatchIndex, question: str, expected: str) -> None:
    top = match(index, [question])[0].candidates[0]
    assert top.entry_key == expected, _explain(index, question, expected)


@pytest.mark.parametrize(
    ("question", "sibling"),
    [
        pytest.param("Is MFA required for email?", "MFA-WORK", id="mfa-email-vs-workforce"),
        pytest.param("Is MFA required for remote access?", "MFA-MAIL", id="mfa-remote-vs-email"),
        pytest.param("Is data encrypted at rest?", "ENC-BACKUP", id="at-rest-vs-backups"),
        pytest.param("Are backups encrypted?", "ENC-REST", id="backups-vs-at-rest"),
    ],
)
def test_sibling_entry_is_never_auto(index: MatchIndex, question: str, sibling: str) -> None:
    for candidate in match(index, [question])[0].candidates:
        if candidate.entry_key == sibling:
            assert candidate.band != "auto", (
                f"{sibling} is a near-duplicate and must not be auto for {question!r}"
            )


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("Do you hold a licence to sell fireworks in Ontario?", id="off-topic"),
        pytest.param("What colour are the walls in your cafeteria?", id="office-trivia"),
        pytest.param("", id="empty-question"),
    ],
)
def test_nothing_fits_ends_in_band_none(index: MatchIndex, question: str) -> None:
    result = match(index, [question])[0]
    assert result.band == "none", f"{question!r} has no answer in the bank but got {result.candidates[:1]}"


def test_candidate_carries_its_reasons(index: MatchIndex) -> None:
    top = match(index, ["Is 2FA enforced for webmail?"])[0].candidates[0]
    for part in ("tfidf_word", "tfidf_char", "fuzzy", "thesaurus", "coverage", "concepts"):
        assert part in top.reasons, f"reason {part!r} missing from {top.reasons}"
    assert "2fa" in top.reasons["thesaurus"], f"thesaurus hit for 2fa missing: {top.reasons}"  # type: ignore[operator]


def test_yes_no_question_prefers_entry_with_short_answer(index: MatchIndex) -> None:
    top = match(index, ["Do you have recovery objectives?"])[0].candidates[0]
    assert top.reasons.get("answer_type") is not None, f"no answer-type adjustment in {top.reasons}"


def test_evidence_items_are_ranked_by_the_same_engine() -> None:
    from matcher import BankItem, build_index

    evidence = [
        BankItem(
            key="EV-1",
            question="Penetration test report 2026",
            answer="Summary letter from the testing firm",
            controls=("SOC2:CC4.1",),
        ),
        BankItem(key="EV-2", question="Backup restore test log", answer="Quarterly restore exercise results"),
    ]
    result = match(build_index(evidence), ["Can you share your latest pen test summary?"])[0]
    assert result.candidates[0].entry_key == "EV-1", f"pen test evidence should rank first: {result}"


def test_cited_control_id_is_a_reason() -> None:
    from matcher import BankItem, build_index

    bank = [
        BankItem(key="A", question="Logical access is restricted", controls=("SOC2:CC6.1",)),
        BankItem(key="B", question="Logical access reviews are performed", controls=("SOC2:CC6.2",)),
    ]
    top = match(build_index(bank), ["Describe how you meet CC6.1 for logical access."])[0].candidates[0]
    assert top.entry_key == "A", f"the cited control CC6.1 belongs to A: {top}"
    assert top.reasons["controls"] == ["cc6.1"], f"controls reason missing: {top.reasons}"


def test_question_number_equal_to_an_entry_key_is_a_reason(index: MatchIndex) -> None:
    top = match(index, [Query("Do you use DLP?", number="DLP")])[0].candidates[0]
    assert top.entry_key == "DLP" and top.reasons.get("number") == "DLP", f"number reason missing: {top}"


def test_declared_answer_type_overrides_the_opening_word(index: MatchIndex) -> None:
    top = match(index, [Query("Recovery objectives", answer_type="yes_no")])[0].candidates[0]
    assert top.reasons["answer_type"] == {"question": "yes_no", "adjustment": -0.03}, (
        f"RTO has a free-text answer, so a yes/no question should lower it: {top.reasons}"
    )


def test_question_naming_a_concept_the_bank_never_mentions_is_never_auto() -> None:
    from matcher import BankItem, build_index

    bank = [
        BankItem(key="SEG", question="Is the production network segmented from the corporate network?"),
        BankItem(key="WIFI", question="Is guest wireless separated from the office network?"),
    ]
    index = build_index(bank)
    plain, with_ot = match(
        index,
        [
            "Is your production network segmented from the corporate network?",
            "Is your operational technology (OT) network segmented from the corporate network?",
        ],
    )
    assert plain.band == "auto", f"the plain rewording should be auto: {plain.candidates[0]}"
    top = with_ot.candidates[0]
    assert top.entry_key == "SEG" and with_ot.band != "auto", f"OT is unknown to the bank: {top}"
    assert top.reasons["unknown_concepts"] == {"concepts": ["ot"], "factor": 0.75}, top.reasons
    assert top.score < plain.candidates[0].score

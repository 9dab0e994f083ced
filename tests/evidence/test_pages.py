"""Evidence, readiness and pack pages: upload, versions, links to answers, the readiness chart and PDF,
building a pack in the UI, roles and cross-organisation isolation."""

from __future__ import annotations

import io
import re

from click.testing import CliRunner
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from evidence.demo import insurer_catalog_path
from tests.evidence.conftest import World, pdf_bytes
from tests.helpers import cli, id_in, oid
from tests.web.test_bank_pages import login
from web import db


def upload(client: FlaskClient, **fields: object) -> object:
    data = {"title": "Firewall rule review", "confidentiality": "nda", "controls": "NIST-CSF-2.0:PR.IR-01"}
    data.update({k: v for k, v in fields.items()})  # type: ignore[misc]
    return client.post("/o/acme/evidence/new", data=data, content_type="multipart/form-data")


def test_upload_view_version_link_and_download(client: FlaskClient, world: World) -> None:
    login(client, "approver@acme.example")
    created = upload(client, file=(io.BytesIO(pdf_bytes("Firewall")), "../../firewall review.pdf"))
    assert created.status_code == 302  # type: ignore[attr-defined]
    page_url = created.headers["Location"]  # type: ignore[attr-defined]
    page = client.get(page_url).data.decode()
    assert "Firewall rule review" in page and "application/pdf" in page and "firewall review.pdf" in page
    evidence_id = id_in(page_url)
    new = client.post(
        f"/o/acme/evidence/{oid(evidence_id)}/version",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"Rule review, take two\n"), "v2.txt"), "valid_until": "2099-12-31"},
    )
    assert new.status_code == 302
    client.post(f"/o/acme/evidence/{oid(evidence_id)}/link", data={"entry_key": "IAM-001"})
    page = client.get(page_url).data.decode()
    assert "v2.txt" in page and "firewall review.pdf" in page, "old versions stay"
    assert "IAM-001" in page
    download = client.get(f"/o/acme/evidence/{oid(evidence_id)}/download")
    assert download.data == b"Rule review, take two\n"
    assert "firewall" not in download.headers["Content-Disposition"], "the user's file name is never reused"


def test_an_executable_is_refused_whatever_its_name(client: FlaskClient, world: World) -> None:
    login(client, "approver@acme.example")
    upload(client, file=(io.BytesIO(b"MZ\x90\x00binary"), "policy.pdf"))
    listing = client.get("/o/acme/evidence/").data.decode()
    assert "Firewall rule review" not in listing


def test_a_link_as_evidence_and_the_library_lists_expiry(client: FlaskClient, world: World) -> None:
    login(client, "admin@acme.example")
    upload(client, title="SOC 2 Type II", url="https://trust.acme.example/soc2")
    listing = client.get("/o/acme/evidence/").data.decode()
    assert "SOC 2 Type II" in listing and "link" in listing and "expired" in listing


def test_readiness_page_has_a_chart_and_a_pdf(client: FlaskClient, runner: CliRunner, world: World) -> None:
    result = cli(runner, "catalog", "import", str(insurer_catalog_path()), "--key", "INSURER-CYBER")
    assert result.exit_code == 0 and "crosswalk edges" in result.output, result.output
    login(client, "account_manager@acme.example")
    page = client.get("/o/acme/readiness/?catalog=INSURER-CYBER").data.decode()
    assert "<svg" in page and "<rect" in page and "<script" not in page
    mfa_row = page[page.index("INS-MFA-EMAIL") :][:1500]
    assert "ready" in mfa_row and "IAM-001" in mfa_row and "MFA enforcement report" in mfa_row
    backup_row = page[page.index("INS-BACKUP-TESTED") :][:1500]
    assert "expired" in backup_row and "Backup restore test 2024" in backup_row
    pdf = client.get("/o/acme/readiness/INSURER-CYBER.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-") and pdf.mimetype == "application/pdf"


def test_readiness_without_catalogs_says_how_to_import_one(client: FlaskClient, world: World) -> None:
    login(client, "approver@acme.example")
    assert b"trustdesk catalog import" in client.get("/o/acme/readiness/").data


def test_build_and_share_a_pack_in_the_ui(client: FlaskClient, world: World) -> None:
    login(client, "approver@acme.example")
    built = client.post(f"/o/acme/packs/build/{oid(world.questionnaire_id)}")
    assert built.status_code == 302
    pack_page = client.get(built.headers["Location"]).data.decode()
    assert "MFA enforcement report" in pack_page and "left out" in pack_page
    pack_id = id_in(built.headers["Location"])
    assert client.get(f"/o/acme/packs/{oid(pack_id)}/download").data[:2] == b"PK"
    shared = client.post(
        f"/o/acme/packs/{oid(pack_id)}/share", data={"recipient": "Carrier", "expires": "2099-01-01"}
    )
    assert shared.status_code == 302
    assert b"not in the next 365 days" in client.get(f"/o/acme/packs/{oid(pack_id)}").data
    shared = client.post(
        f"/o/acme/packs/{oid(pack_id)}/share",
        data={"recipient": "Carrier", "expires": _tomorrow()},
    )
    page = client.get(f"/o/acme/packs/{oid(pack_id)}").data.decode()
    link = re.search(r"http://localhost(/s/[A-Za-z0-9_-]{43,})", page)
    assert link, "the link is shown once after creating it"
    client.post("/logout")
    assert client.get(link.group(1)).status_code == 200, "a share link needs no login"


def _tomorrow() -> str:
    from datetime import date, timedelta

    return (date.today() + timedelta(days=2)).isoformat()


def test_roles(client: FlaskClient, world: World) -> None:
    login(client, "account_manager@acme.example")
    assert client.get("/o/acme/evidence/").status_code == 200
    assert upload(client, url="https://x.example/").status_code == 403  # type: ignore[attr-defined]
    assert client.post(f"/o/acme/packs/build/{oid(world.questionnaire_id)}").status_code == 302
    assert (
        client.post(
            f"/o/acme/packs/{oid(1)}/share", data={"recipient": "X", "expires": _tomorrow()}
        ).status_code
        == 403
    )
    client.post("/logout")
    login(client, "viewer@acme.example")
    assert client.get("/o/acme/evidence/").status_code == 404


def test_the_library_proposes_evidence_for_a_pasted_question(client: FlaskClient, world: World) -> None:
    login(client, "account_manager@acme.example")
    page = client.get(
        "/o/acme/evidence/?q=Is+multi-factor+authentication+enforced+for+all+users%3F"
    ).data.decode()
    found = page[page.index("Evidence for") :]
    assert "MFA enforcement report" in found[: found.index("</section>")]


def test_the_answer_evidence_macro_flags_expired_proof(app: Flask, world: World) -> None:
    from evidence.store import evidence_for_entries

    with app.test_request_context("/"):
        views = evidence_for_entries(db.session(), 1, ["BCP-001"])["BCP-001"]
        html = render_template_string(
            '{% from "evidence/_macros.html" import evidence_list %}{{ evidence_list(views, "acme") }}',
            views=views,
        )
    assert "Backup restore test 2024" in html and "evidence expired" in html


def _card(html: str, text: str) -> str:
    """The review-page card (``<article>``) of the question whose text contains ``text``."""
    start = html.rindex("<article", 0, html.index(text))
    return html[start : html.index("</article>", start)]


def test_the_bank_shows_each_entrys_evidence_and_flags_the_expired(client: FlaskClient, world: World) -> None:
    login(client, "account_manager@acme.example")
    backup = client.get("/o/acme/bank/BCP-001").data.decode()
    assert "Backup restore test 2024" in backup and "evidence expired" in backup
    assert f'href="/o/acme/evidence/{oid(world.evidence["backup"])}"' in backup, (
        "the title links to the evidence"
    )
    mfa = client.get("/o/acme/bank/IAM-001").data.decode()
    assert "MFA enforcement report" in mfa and "valid until" in mfa
    assert "evidence expired" not in mfa, "evidence valid for 200 more days is not flagged"
    listing = client.get("/o/acme/bank/").data.decode()
    rows = {key: listing[listing.index(f">{key}</a>") :].split("</tr>")[0] for key in ("BCP-001", "IAM-001")}
    assert "evidence expired" in rows["BCP-001"] and "evidence expired" not in rows["IAM-001"]


def test_review_shows_each_drafts_evidence_and_flags_the_expired(client: FlaskClient, world: World) -> None:
    login(client, "account_manager@acme.example")
    html = client.get(f"/o/acme/questionnaires/{oid(world.questionnaire_id)}").data.decode()
    backups = _card(html, "how often backups are taken")
    assert "Backup restore test 2024" in backups and "evidence expired" in backups
    mfa = _card(html, "multi-factor authentication")
    assert "MFA enforcement report" in mfa and "evidence expired" not in mfa
    assert f'href="/o/acme/evidence/{oid(world.evidence["mfa"])}"' in mfa
    assert "Review by" in mfa, "the entry's review-by date is shown beside its evidence"


def test_review_proposes_evidence_for_a_question_when_its_entry_cites_none(
    client: FlaskClient, world: World
) -> None:
    login(client, "approver@acme.example")
    before = _card(
        client.get(f"/o/acme/questionnaires/{oid(world.questionnaire_id)}").data.decode(), "multi-factor"
    )
    assert "may fit this question" not in before, "evidence the entry already cites is not proposed again"
    unlinked = client.post(f"/o/acme/evidence/{oid(world.evidence['mfa'])}/unlink/IAM-001")
    assert unlinked.status_code == 302
    html = client.get(f"/o/acme/questionnaires/{oid(world.questionnaire_id)}").data.decode()
    mfa = _card(html, "multi-factor")
    proposed = mfa[mfa.index("may fit this question") :]
    assert "MFA enforcement report" in proposed and "no evidence" in mfa
    assert "MFA enforcement report" not in _card(html, "TISAX"), "nothing about MFA fits a TISAX question"

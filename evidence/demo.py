"""The demo's evidence: the insurer catalog this project wrote (each control mapped to NIST CSF 2.0) and a
few evidence items made of generated text and PDF bytes, so the demo's readiness page has content."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from sqlmodel import Session

from core.filestore import FileStore
from core.models import Organisation
from core.settings import Settings
from evidence import store
from evidence.catalogs import ParsedCatalog, read_catalog, store_catalog
from evidence.crosswalks import Edge, ParsedCrosswalk, store_crosswalk
from evidence.models import EvidenceCreate
from evidence.pdf import PdfDocument
from evidence.readiness import EntryLike

INSURER_KEY = "INSURER-CYBER"


class _DemoActor:
    label = "demo"
    user_id: int | None = None


def insurer_catalog_path() -> Path:
    return Path(str(resources.files("evidence").joinpath("insurer_catalog.csv")))


def read_insurer_catalog() -> ParsedCatalog:
    parsed = read_catalog(insurer_catalog_path(), key=INSURER_KEY)
    parsed.title = "Cyber insurance application controls (Trustdesk)"
    parsed.version = "2026.1"
    return parsed


def load_demo_catalog(session: Session, org: Organisation) -> int:
    """Import the insurer catalog and its crosswalk to NIST CSF 2.0; returns the number of controls.

    Catalogs are shared by all organisations; ``org`` is accepted so the demo can call this per org."""
    parsed = read_insurer_catalog()
    store_catalog(session, parsed=parsed)
    edges = [Edge(source, target, "maps_to") for source, target in parsed.edges]
    store_crosswalk(session, parsed=ParsedCrosswalk(parsed.source, edges))
    return len(parsed.controls)


DEMO_EVIDENCE = (
    (
        "MFA enforcement report",
        "Conditional access policy export: MFA required for all users, email and VPN.",
        ["NIST-CSF-2.0:PR.AA-03", "NIST-CSF-2.0:PR.AA-01"],
        "nda",
        300,
    ),
    (
        "Backup restore test 2026",
        "Quarterly restore test of the ERP and file servers from immutable backups.",
        ["NIST-CSF-2.0:PR.DS-11", "NIST-CSF-2.0:RC.RP-03"],
        "nda",
        120,
    ),
    (
        "Incident response plan",
        "Incident response plan v4 with insurer hotline, breach counsel and roles.",
        ["NIST-CSF-2.0:RS.MA-01", "NIST-CSF-2.0:ID.IM-04"],
        "public",
        200,
    ),
    (
        "Security awareness training completion",
        "Phishing simulation and training completion for all staff.",
        ["NIST-CSF-2.0:PR.AT-01"],
        "internal",
        -10,
    ),
)


def create_demo_evidence(
    session: Session, *, files: FileStore, org: Organisation, today: date, entries: Sequence[EntryLike] = ()
) -> int:
    """A few evidence items as generated PDFs (one already expired), each linked to the bank entries that
    cite its first control; returns how many."""
    assert org.id is not None
    for title, description, controls, confidentiality, days in DEMO_EVIDENCE:
        doc = PdfDocument(title)
        doc.text(title, size=16, bold=True)
        doc.text(f"{org.name} - generated demo evidence, {today.isoformat()}")
        doc.gap()
        doc.text(description)
        pdf = doc.to_bytes()
        upload = store.Upload(files.put_bytes(pdf, name=title), "application/pdf", f"{title}.pdf")
        data = EvidenceCreate(
            title=title,
            description=description,
            owner="ciso@bluefin.example",
            controls=controls,
            confidentiality=confidentiality,
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=days),
        )
        item = store.add_evidence(session, org_id=org.id, data=data, actor=_DemoActor(), upload=upload)
        assert item.id is not None
        for entry in entries:
            if controls[0] in entry.controls:
                store.link_entry(
                    session, org_id=org.id, entry_key=entry.key, evidence_id=item.id, actor=_DemoActor()
                )
    return len(DEMO_EVIDENCE)


def load_demo_evidence(
    session: Session,
    *,
    org: Organisation,
    entries: Sequence[EntryLike],
    files: FileStore | None = None,
    today: date | None = None,
) -> int:
    """What ``web.demo.create_demo`` calls: the insurer catalog plus the demo evidence, linked to the bank."""
    load_demo_catalog(session, org)
    store_files = files or FileStore(Settings.from_env().files_dir)
    return create_demo_evidence(
        session, files=store_files, org=org, today=today or date.today(), entries=entries
    )

"""What proposing evidence costs when the review page is rendered (``evidence.matching.propose``).

The review page computes proposals for the questions it shows, on every render, instead of storing
them at upload time. This prints the time of one ``propose`` call (index over the organisation's
evidence built from scratch, then every question matched) for Q questions x N evidence items, on a
temporary SQLite database. Run: ``.venv/bin/python bench/evidence_proposals.py [--quick]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from answerbank.store import Actor
from core import accounts
from core.db import make_engine, read_session, write_session
from core.migrate import upgrade
from evidence.matching import propose
from evidence.models import EvidenceCreate
from evidence.store import add_evidence

TOPICS = [
    ("MFA enforcement report", "Okta policy requiring MFA", "NIST-CSF-2.0:PR.AA-03"),
    ("Backup restore test", "Quarterly restore of production snapshots", "NIST-CSF-2.0:PR.DS-11"),
    ("Penetration test summary", "Annual external penetration test", "NIST-CSF-2.0:ID.RA-01"),
    ("Incident response plan", "Plan, roles, contacts and exercises", "NIST-CSF-2.0:RS.MA-01"),
    ("EDR coverage export", "Endpoint detection deployed to every laptop", "NIST-CSF-2.0:DE.CM-09"),
    ("Security awareness training records", "Phishing training completion", "NIST-CSF-2.0:PR.AT-01"),
    ("Encryption at rest settings", "KMS keys for every data store", "NIST-CSF-2.0:PR.DS-01"),
    ("Patch management report", "Critical patches within 14 days", "NIST-CSF-2.0:ID.RA-01"),
]
QUESTIONS = [
    "Do you enforce multi-factor authentication for remote access?",
    "How often do you test restoring backups?",
    "When was your last penetration test?",
    "Do you have a documented incident response plan?",
    "Is EDR deployed on all endpoints?",
    "Do employees complete security awareness training?",
    "Is customer data encrypted at rest?",
    "How quickly are critical vulnerabilities patched?",
    "Do you hold a TISAX label?",
    "Describe your data retention policy.",
]


def seed(url: str, count: int) -> int:
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(7)
    with write_session(engine) as s:
        org = accounts.create_org(s, slug="bench", name="Bench")
        assert org.id is not None
        for i in range(count):
            title, description, control = rng.choice(TOPICS)
            data = EvidenceCreate(title=f"{title} {i}", description=description, controls=[control])
            add_evidence(s, org_id=org.id, data=data, actor=Actor("bench"), url=f"https://x.example/{i}")
        return org.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the smallest sizes")
    args = parser.parse_args()
    sizes = [(50, 20)] if args.quick else [(50, 20), (300, 20), (300, 200)]
    print(f"{'questions':>9} {'evidence':>8} {'propose (ms)':>12}")
    for questions, evidence in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            org_id = seed(url, evidence)
            texts = [QUESTIONS[i % len(QUESTIONS)] for i in range(questions)]
            with read_session(make_engine(url)) as s:
                propose(s, org_id=org_id, questions=texts[:1])  # warm imports and caches
                start = time.perf_counter()
                propose(s, org_id=org_id, questions=texts, top_k=2)
                elapsed = (time.perf_counter() - start) * 1000
        print(f"{questions:>9} {evidence:>8} {elapsed:>12.0f}")


if __name__ == "__main__":
    main()

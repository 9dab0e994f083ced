"""``bench/load.py`` works: its core seeds an organisation, logs three reviewers in through the real
login form (CSRF on), approves drafts through the JSON path of the review page, keeps hostile uploads
in flight, and reports every operation. No timing is asserted: the figures belong in docs/benchmarks.md."""

from __future__ import annotations

import dataclasses

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bench.loadkit.clients import Plan, Recorder, Sample, make_client, run_load
from bench.loadkit.hostile import hostile_files
from bench.loadkit.report import render, summarise
from bench.loadkit.seed import seed
from core.settings import Settings
from review.models import Draft
from web.app import create_app
from web.context import Runtime


def test_load_core_approves_drafts_and_reports_every_operation(engine: Engine) -> None:
    settings = dataclasses.replace(Settings.from_env(), parse_timeout=3.0)
    seeded = seed(engine, settings, reviewers=3, uploaders=2, questions=12)
    runtime = Runtime(settings)
    app = create_app({"TESTING": True}, runtime=runtime)  # CSRF stays on: the client reads the tokens
    plan = Plan(
        org=seeded.org_slug,
        questionnaire=seeded.questionnaire_url_id,
        reviewers=seeded.logins[:3],
        uploaders=seeded.logins[3:],
        hostile=hostile_files(scale=0.01)[:2],
        duration=2.0,
        think=0.05,
        browse_every=2,
        poll=0.2,
        ramp=0.3,
    )
    transport = httpx.WSGITransport(app=app)
    rec = run_load(plan, lambda: make_client("http://127.0.0.1", transport))
    runtime.jobs.wait()
    summary = summarise(rec, plan.duration)

    with Session(engine) as s:
        approved = s.exec(select(Draft).where(col(Draft.status) == "approved")).all()
    ops = summary["operations"]
    assert set(ops) == {"review page (mine)", "review page (all)", "approve", "upload"}, ops
    assert ops["approve"]["count"] >= 1 and summary["approvals"] >= 1
    assert {d.decided_by for d in approved} <= {email for email, _ in seeded.logins[:3]}
    assert len(approved) == len({d.id for d in approved}) >= 1
    assert all(sum(op["errors"].values()) == 0 for op in ops.values()), render(summary)
    assert {h["file"] for h in summary["hostile"]} == {"zip-bomb.xlsx", "huge-pages.pdf"}, summary["notes"]
    assert all(h["outcome"].startswith(("failed", "refused")) for h in summary["hostile"]), summary["hostile"]
    assert "approve p99 <= 200 ms" in render(summary)
    assert all(s.start >= -plan.ramp for s in rec.samples), "nobody starts before the ramp"


def test_the_report_gives_each_10_second_window_its_own_p99_and_leaves_the_ramp_out() -> None:
    rec = Recorder()
    rec.samples += [Sample("approve", start=t, seconds=0.01, outcome="ok") for t in (1.0, 2.0, 15.0)]
    rec.samples += [Sample("approve", start=3.0, seconds=0.9, outcome="ok")]  # a slow one, early
    rec.samples += [Sample("approve", start=-2.0, seconds=5.0, outcome="status 500")]  # in the ramp
    summary = summarise(rec, 30.0)

    assert summary["p99_ms_by_10s"]["approve"] == [900, 10, 0]
    assert summary["operations"]["approve"]["count"] == 4, "the ramp is not measured"
    assert summary["operations"]["approve"]["errors"] == {}
    assert "approve p99 ms per 10 s window: 900, 10, 0" in render(summary)

"""Catalogs and crosswalks imported from the real NIST OSCAL files and mapping libraries in shared/data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from evidence.catalogs import canonical_id, read_catalog
from evidence.crosswalks import read_crosswalk, urn_to_ref
from evidence.demo import read_insurer_catalog
from evidence.models import CrosswalkEdge
from tests.helpers import cli
from tests.shared_data import require_shared

OSCAL = ("data", "frameworks", "nist-oscal")
MAPPINGS = ("data", "mappings", "ciso-assistant")
CSF_WITHDRAWN_SAMPLE = ("ID.BE-01", "ID.GV-01", "PR.AC-01", "PR.IP-01", "PR.PT-01", "DE.DP-01", "RS.RP-01")


def test_csf_2_0_has_exactly_106_live_subcategories_and_no_csf_1_1_leftovers() -> None:
    parsed = read_catalog(require_shared(*OSCAL, "NIST_CSF_v2.0_catalog.xml"))
    ids = [c.control_id for c in parsed.controls]
    assert parsed.key == "NIST-CSF-2.0"
    assert len(ids) == len(set(ids)) == 106
    assert not set(CSF_WITHDRAWN_SAMPLE) & set(ids), "withdrawn CSF 1.1 ids were imported"
    assert {"GV.OC-01", "PR.AA-03", "DE.CM-09", "RC.RP-06", "ID.RA-10", "PR.DS-11"} <= set(ids)
    assert {c.family for c in parsed.controls} == {
        "GOVERN (GV)", "IDENTIFY (ID)", "PROTECT (PR)", "DETECT (DE)", "RESPOND (RS)", "RECOVER (RC)",
    }  # fmt: skip
    mfa = next(c for c in parsed.controls if c.control_id == "PR.AA-03")
    assert mfa.title.startswith("Users, services, and hardware are authenticated")


def test_csf_live_set_agrees_with_nist_s_own_csf_2_0_crosswalk() -> None:
    """Every CSF 2.0 subcategory NIST maps to ISO 27001 is live in our import, and the reverse."""
    parsed = read_catalog(require_shared(*OSCAL, "NIST_CSF_v2.0_catalog.xml"))
    walk = read_crosswalk(require_shared(*MAPPINGS, "mapping-nist-csf-2.0-to-iso27001-2022.yaml"))
    mapped = {e.source.split(":", 1)[1] for e in walk.edges if e.source.startswith("NIST-CSF-2.0:")}
    ids = {c.control_id for c in parsed.controls}
    assert mapped <= ids
    assert len(ids - mapped) < 10, f"unexpected live ids without any NIST mapping: {sorted(ids - mapped)}"


def test_sp_800_171r3_keeps_97_requirements_and_drops_withdrawn_and_restated_ones() -> None:
    parsed = read_catalog(require_shared(*OSCAL, "NIST_SP800-171_rev3_catalog.xml"))
    ids = [c.control_id for c in parsed.controls]
    assert parsed.key == "NIST-800-171r3"
    assert len(ids) == len(set(ids)) == 97
    assert "03.01.01" in ids and not any(i.startswith("SR-") for i in ids)
    assert next(c.family for c in parsed.controls if c.control_id == "03.01.01") == "Access Control (03.01)"


@pytest.mark.parametrize(
    ("name", "count"),
    [
        pytest.param("NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json", 149, id="low"),
        pytest.param(
            "NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json", 287, id="moderate"
        ),
    ],
)
def test_sp_800_53r5_baselines_from_oscal_json_use_questionnaire_style_ids(name: str, count: int) -> None:
    parsed = read_catalog(require_shared(*OSCAL, name))
    ids = [c.control_id for c in parsed.controls]
    assert parsed.key == "NIST-800-53r5"
    assert len(ids) == count
    assert "AC-2" in ids and "IA-2(1)" in ids and "ia-2.1" not in ids


def test_canonical_ids() -> None:
    assert canonical_id("ac-2.1") == "AC-2(1)"
    assert canonical_id("si-4") == "SI-4"
    assert canonical_id("SP_800_171_03.05.03") == "03.05.03"
    assert canonical_id("PR.AA-03") == "PR.AA-03"


def test_csv_catalog_and_csv_crosswalk(tmp_path: Path) -> None:
    (tmp_path / "mine.csv").write_text("id,title,family\nA-1,Do the thing,Ops\nA-2,Do more,Ops\n")
    parsed = read_catalog(tmp_path / "mine.csv", key="MINE")
    assert [(c.control_id, c.family) for c in parsed.controls] == [("A-1", "Ops"), ("A-2", "Ops")]
    (tmp_path / "walk.csv").write_text("source,target\nMINE:A-1,NIST-CSF-2.0:PR.AA-03\n")
    walk = read_crosswalk(tmp_path / "walk.csv")
    assert [(e.source, e.target) for e in walk.edges] == [("MINE:A-1", "NIST-CSF-2.0:PR.AA-03")]


def test_a_csv_crosswalk_row_without_a_catalog_prefix_is_named(tmp_path: Path) -> None:
    (tmp_path / "walk.csv").write_text("source,target\nMINE:A-1,PR.AA-03\n")
    with pytest.raises(Exception, match=r"walk.csv row 2 column target"):
        read_crosswalk(tmp_path / "walk.csv")


@pytest.mark.parametrize(
    "name",
    [
        "map-nist-csf-1.1-nist-csf-2.0.yaml",
        "mapping-nist-csf-2.0-to-iso27001-2022.yaml",
        "mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml",
        "mapping-nist-sp-800-66-rev2-to-nist-csf-2.0.yaml",
        "mapping-nist-sp-800-66-rev2-to-nist-sp-800-53-rev5.yaml",
    ],
)
def test_every_shared_yaml_mapping_reads_with_catalog_style_references(name: str) -> None:
    walk = read_crosswalk(require_shared(*MAPPINGS, name))
    assert len(walk.edges) > 100
    assert all(":" in e.source and ":" in e.target for e in walk.edges)


def test_urns_become_the_references_answers_use() -> None:
    assert (
        urn_to_ref("urn:intuitem:risk:req_node:nist-csf-2.0:gv.oc-01", where="x") == "NIST-CSF-2.0:GV.OC-01"
    )
    assert (
        urn_to_ref("urn:intuitem:risk:req_node:nist-sp-800-53-rev5:ac-2.1", where="x")
        == "NIST-800-53r5:AC-2(1)"
    )


def test_insurer_catalog_maps_every_control_to_live_csf_2_0_ids() -> None:
    insurer = read_insurer_catalog()
    csf = {c.control_id for c in read_catalog(require_shared(*OSCAL, "NIST_CSF_v2.0_catalog.xml")).controls}
    assert len(insurer.controls) >= 15
    mapped = {source for source, _ in insurer.edges}
    assert mapped == {f"INSURER-CYBER:{c.control_id}" for c in insurer.controls}
    targets = {t.removeprefix("NIST-CSF-2.0:") for _, t in insurer.edges}
    assert targets <= csf, f"not live CSF 2.0 ids: {sorted(targets - csf)}"


@pytest.mark.shared_data
def test_catalog_and_crosswalk_import_commands(runner: CliRunner, session: Session) -> None:
    csf = require_shared(*OSCAL, "NIST_CSF_v2.0_catalog.xml")
    result = cli(runner, "catalog", "import", str(csf), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["controls"] == 106
    again = cli(runner, "catalog", "import", str(csf))
    assert "106 controls replaced" in again.output
    yaml_file = require_shared(*MAPPINGS, "mapping-nist-csf-2.0-to-iso27001-2022.yaml")
    first = json.loads(cli(runner, "crosswalk", "import", str(yaml_file), "--json").output)
    second = json.loads(cli(runner, "crosswalk", "import", str(yaml_file), "--json").output)
    assert first["added"] > 600 and second["added"] == 0
    edge = session.exec(select(CrosswalkEdge).where(CrosswalkEdge.source == "NIST-CSF-2.0:GV.OC-01")).first()
    assert edge is not None and edge.target.startswith("ISO-27001-2022:")
    listed = cli(runner, "catalog", "list")
    assert "NIST-CSF-2.0" in listed.output and "106" in listed.output

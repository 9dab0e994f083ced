"""Crosswalks between catalogs, imported: a CSV (``source,target`` [``,relationship``]) of control references
``CATALOG:ID``, or the YAML mapping format of ``shared/data/mappings`` (CISO Assistant libraries, whose
requirement URNs end in ``...:req_node:<framework>:<id>``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, or_, select

from core.errors import ImportFileError
from evidence.catalogs import canonical_id
from evidence.models import CrosswalkEdge

#: framework names in CISO Assistant URNs -> our catalog keys
FRAMEWORK_KEYS = {
    "nist-csf-2.0": "NIST-CSF-2.0",
    "nist-csf-1.1": "NIST-CSF-1.1",
    "nist-sp-800-53-rev5": "NIST-800-53r5",
    "nist-sp-800-171-rev3": "NIST-800-171r3",
    "nist-sp-800-66-rev2": "NIST-800-66r2",
    "iso27001-2022": "ISO-27001-2022",
}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relationship: str = "related"


@dataclass
class ParsedCrosswalk:
    source: str
    edges: list[Edge]


def read_crosswalk(path: Path) -> ParsedCrosswalk:
    text = path.read_bytes().decode("utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        return ParsedCrosswalk(path.name, _yaml_edges(text, path.name))
    return ParsedCrosswalk(path.name, _csv_edges(text, path.name))


def _csv_edges(text: str, name: str) -> list[Edge]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    if not {"source", "target"} <= columns:
        raise ImportFileError(
            "the CSV has no 'source' and 'target' columns", where=f"{name} row 1", fix="use source,target"
        )
    edges = []
    for number, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        for column in ("source", "target"):
            if ":" not in row.get(column, ""):
                raise ImportFileError(
                    f"{row.get(column)!r} is not a control reference",
                    where=f"{name} row {number} column {column}",
                    fix="write CATALOG:ID, e.g. NIST-CSF-2.0:PR.AA-03",
                )
        edges.append(Edge(row["source"], row["target"], row.get("relationship") or "related"))
    return edges


def _yaml_edges(text: str, name: str) -> list[Edge]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ImportFileError(f"not valid YAML ({exc})", where=name, fix="check the file") from exc
    objects = doc.get("objects", {}) if isinstance(doc, dict) else {}
    sets: Any = objects.get("requirement_mapping_sets") or [objects.get("requirement_mapping_set") or {}]
    edges = []
    for mapping_set in sets:
        for number, item in enumerate(mapping_set.get("requirement_mappings", []), start=1):
            where = f"{name} requirement_mappings[{number}]"
            edges.append(
                Edge(
                    urn_to_ref(str(item.get("source_requirement_urn", "")), where=where),
                    urn_to_ref(str(item.get("target_requirement_urn", "")), where=where),
                    str(item.get("relationship") or "related"),
                )
            )
    if not edges:
        raise ImportFileError("no requirement_mappings found", where=name, fix="give a mapping library")
    return edges


def urn_to_ref(urn: str, *, where: str) -> str:
    """``urn:intuitem:risk:req_node:nist-csf-2.0:gv.oc-01`` -> ``NIST-CSF-2.0:GV.OC-01``."""
    _, marker, rest = urn.partition(":req_node:")
    framework, _, node = rest.partition(":")
    if not marker or not framework or not node:
        raise ImportFileError(f"{urn!r} is not a requirement URN", where=where, fix="check the mapping file")
    key = FRAMEWORK_KEYS.get(framework, framework.upper())
    if key.startswith("NIST-800-53"):
        return f"{key}:{canonical_id(node)}"
    return f"{key}:{node.upper()}"


def store_crosswalk(session: Session, *, parsed: ParsedCrosswalk) -> tuple[int, int]:
    """Add the edges not already known; returns (added, already known)."""
    existing = {(e.source, e.target) for e in session.exec(select(CrosswalkEdge))}
    added = 0
    for edge in parsed.edges:
        if (edge.source, edge.target) in existing:
            continue
        existing.add((edge.source, edge.target))
        session.add(
            CrosswalkEdge(
                source=edge.source[:140],
                target=edge.target[:140],
                relationship=edge.relationship[:32],
                origin=parsed.source[:255],
            )
        )
        added += 1
    return added, len(parsed.edges) - added


def related(session: Session, *, refs: list[str]) -> dict[str, set[str]]:
    """Every reference one crosswalk hop away from each of ``refs`` (both directions)."""
    found: dict[str, set[str]] = {ref: set() for ref in refs}
    if not refs:
        return found
    rows = session.exec(
        select(CrosswalkEdge).where(
            or_(col(CrosswalkEdge.source).in_(refs), col(CrosswalkEdge.target).in_(refs))
        )
    )
    for edge in rows:
        if edge.source in found:
            found[edge.source].add(edge.target)
        if edge.target in found:
            found[edge.target].add(edge.source)
    return found

"""Control catalogs, imported, not hard-coded: OSCAL catalogs (JSON and XML, as NIST publishes them) and a
simple CSV (``id,title,family``; optional ``description`` and ``maps_to`` columns).

read -> nodes (one shape for OSCAL XML and JSON) -> live controls -> store. What counts as a live,
assessable control:

* a control with ``prop name="status" value="withdrawn"`` is left out (SP 800-53, SP 800-171r3);
* SP 800-171r3's ``security_requirement`` controls restate their parent requirement's statement: left out;
* NIST CSF 2.0: categories are containers; its OSCAL file also carries the withdrawn CSF 1.1
  subcategories (ID.BE-01, PR.AC-01, ...) *without* a status flag. Every live CSF 2.0 subcategory carries
  NIST's implementation examples and none of the 1.1 leftovers does, so a CSF subcategory without an
  ``example`` part is treated as withdrawn. That leaves exactly the 106 subcategories of CSF 2.0.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.errors import ImportFileError, NotFound
from evidence.models import Catalog, CatalogControl

OSCAL_NS = "{http://csrc.nist.gov/ns/oscal/1.0}"
CONTAINER_CLASSES = ("category",)
RESTATED_CLASSES = ("security_requirement",)
#: catalog title fragments -> the key control references use (``NIST-CSF-2.0:PR.AA-03``)
KNOWN_KEYS = (
    ("cybersecurity framework 2.0", "NIST-CSF-2.0"),
    ("800-53 revision 5", "NIST-800-53r5"),
    ("controlled unclassified information", "NIST-800-171r3"),
)
_SP80053_ID = re.compile(r"^([a-z]{2})-(\d+)(?:\.(\d+))?$")


@dataclass
class Node:
    """An OSCAL group or control, whatever the serialisation."""

    id: str
    cls: str
    title: str
    props: list[tuple[str, str]] = field(default_factory=list)
    parts: list[tuple[str, str]] = field(default_factory=list)
    groups: list[Node] = field(default_factory=list)
    controls: list[Node] = field(default_factory=list)

    def prop(self, name: str) -> str | None:
        return next((v for n, v in self.props if n == name), None)


@dataclass(frozen=True)
class ParsedControl:
    control_id: str
    title: str
    family: str


@dataclass
class ParsedCatalog:
    key: str
    title: str
    version: str
    source: str
    controls: list[ParsedControl]
    #: crosswalk edges a CSV catalog declares in its ``maps_to`` column: (source ref, target ref)
    edges: list[tuple[str, str]] = field(default_factory=list)


def read_catalog(path: Path, *, key: str | None = None) -> ParsedCatalog:
    """Read an OSCAL (JSON or XML) or CSV catalog, chosen by content."""
    data = path.read_bytes()
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        root, meta = _xml_root(data, path.name)
        return _from_root(root, meta, key=key, source=path.name)
    if head.startswith(b"{"):
        root, meta = _json_root(data, path.name)
        return _from_root(root, meta, key=key, source=path.name)
    return read_csv_catalog(data.decode("utf-8-sig"), key=key or path.stem.upper(), source=path.name)


def _from_root(root: Node, meta: dict[str, str], *, key: str | None, source: str) -> ParsedCatalog:
    title = " ".join(meta.get("title", source).split())
    csf = meta.get("framework-identifier") == "CSF"
    controls = list(_live_controls(root, family="", csf=csf))
    if not controls:
        raise ImportFileError("no controls found", where=source, fix="give an OSCAL catalog, not a profile")
    return ParsedCatalog(key or _key_for(title), title, meta.get("version", ""), source, controls)


def _key_for(title: str) -> str:
    lowered = title.lower()
    for fragment, key in KNOWN_KEYS:
        if fragment in lowered:
            return key
    return re.sub(r"[^A-Za-z0-9.]+", "-", title).strip("-").upper()[:64]


def _live_controls(node: Node, *, family: str, csf: bool) -> Iterator[ParsedControl]:
    for group in node.groups:
        yield from _live_controls(group, family=family or group.prop("label") or group.title, csf=csf)
    for control in node.controls:
        if control.prop("status") == "withdrawn" or control.cls in RESTATED_CLASSES:
            continue
        if control.cls not in CONTAINER_CLASSES and not (csf and not _has_part(control, "example")):
            yield ParsedControl(canonical_id(control.id), _control_title(control, csf=csf), family)
        yield from _live_controls(control, family=family, csf=csf)


def _has_part(node: Node, name: str) -> bool:
    return any(n == name for n, _ in node.parts)


def _control_title(control: Node, *, csf: bool) -> str:
    statement = next((text for name, text in control.parts if name == "statement"), "")
    if csf or control.title == control.id:
        return " ".join(statement.split()) or control.title
    return control.title


def canonical_id(raw: str) -> str:
    """``ac-2.1`` -> ``AC-2(1)``; ``SP_800_171_03.01.01`` -> ``03.01.01``; CSF ids stay as they are."""
    value = raw.removeprefix("SP_800_171_")
    m = _SP80053_ID.match(value)
    if m:
        base = f"{m.group(1).upper()}-{m.group(2)}"
        return f"{base}({m.group(3)})" if m.group(3) else base
    return value


def _xml_root(data: bytes, name: str) -> tuple[Node, dict[str, str]]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ImportFileError(
            f"not well-formed XML ({exc})", where=name, fix="export the catalog again"
        ) from exc
    if root.tag != f"{OSCAL_NS}catalog":
        raise ImportFileError("not an OSCAL catalog", where=name, fix="give an OSCAL catalog file")
    meta_el = root.find(f"{OSCAL_NS}metadata")
    meta = {"title": "".join(meta_el.find(f"{OSCAL_NS}title").itertext())} if meta_el is not None else {}
    if meta_el is not None:
        meta["version"] = meta_el.findtext(f"{OSCAL_NS}version") or ""
        meta.update({p.get("name", ""): p.get("value", "") for p in meta_el.findall(f"{OSCAL_NS}prop")})
    return _xml_node(root), meta


def _xml_node(el: Element) -> Node:
    title_el = el.find(f"{OSCAL_NS}title")
    return Node(
        id=el.get("id", ""),
        cls=el.get("class", ""),
        title="".join(title_el.itertext()) if title_el is not None else "",
        props=[(p.get("name", ""), p.get("value", "")) for p in el.findall(f"{OSCAL_NS}prop")],
        parts=[(p.get("name", ""), " ".join(p.itertext())) for p in el.findall(f"{OSCAL_NS}part")],
        groups=[_xml_node(g) for g in el.findall(f"{OSCAL_NS}group")],
        controls=[_xml_node(c) for c in el.findall(f"{OSCAL_NS}control")],
    )


def _json_root(data: bytes, name: str) -> tuple[Node, dict[str, str]]:
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise ImportFileError(f"not valid JSON ({exc})", where=name, fix="export the catalog again") from exc
    catalog = doc.get("catalog") if isinstance(doc, dict) else None
    if not isinstance(catalog, dict):
        raise ImportFileError("no top-level 'catalog' object", where=name, fix="give an OSCAL catalog")
    metadata = catalog.get("metadata", {})
    meta = {"title": str(metadata.get("title", name)), "version": str(metadata.get("version", ""))}
    meta.update({p.get("name", ""): p.get("value", "") for p in metadata.get("props", [])})
    return _json_node(catalog), meta


def _json_node(obj: dict[str, Any]) -> Node:
    return Node(
        id=str(obj.get("id", "")),
        cls=str(obj.get("class", "")),
        title=str(obj.get("title", "")),
        props=[(str(p.get("name", "")), str(p.get("value", ""))) for p in obj.get("props", [])],
        parts=[(str(p.get("name", "")), _prose(p)) for p in obj.get("parts", [])],
        groups=[_json_node(g) for g in obj.get("groups", [])],
        controls=[_json_node(c) for c in obj.get("controls", [])],
    )


def _prose(part: dict[str, Any]) -> str:
    return " ".join([str(part.get("prose", ""))] + [_prose(p) for p in part.get("parts", [])]).strip()


def read_csv_catalog(text: str, *, key: str, source: str) -> ParsedCatalog:
    """``id,title,family`` (+ optional ``description``, ``maps_to`` = ``;``-separated ``CATALOG:ID``)."""
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    if not {"id", "title"} <= columns:
        raise ImportFileError(
            "the CSV has no 'id' and 'title' columns", where=f"{source} row 1", fix="use id,title,family"
        )
    controls, edges = [], []
    for number, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not row.get("id"):
            raise ImportFileError("the id is empty", where=f"{source} row {number} column id", fix="fill it")
        controls.append(ParsedControl(row["id"], row.get("title", ""), row.get("family", "")))
        for target in filter(None, (t.strip() for t in row.get("maps_to", "").split(";"))):
            edges.append((f"{key}:{row['id']}", target))
    return ParsedCatalog(key, key, "", source, controls, edges)


def store_catalog(session: Session, *, parsed: ParsedCatalog) -> tuple[Catalog, bool]:
    """Insert or replace the catalog with this key; returns (catalog, created)."""
    catalog = session.exec(select(Catalog).where(Catalog.key == parsed.key)).first()
    created = catalog is None
    if catalog is None:
        catalog = Catalog(key=parsed.key, title=parsed.title)
    catalog.title, catalog.version, catalog.source = parsed.title[:255], parsed.version[:64], parsed.source
    session.add(catalog)
    session.flush()
    session.exec(delete(CatalogControl).where(col(CatalogControl.catalog_id) == catalog.id))
    assert catalog.id is not None
    seen: set[str] = set()
    for position, control in enumerate(parsed.controls):
        if control.control_id in seen:
            continue
        seen.add(control.control_id)
        session.add(
            CatalogControl(
                catalog_id=catalog.id,
                control_id=control.control_id[:64],
                title=control.title,
                family=control.family[:200],
                position=position,
            )
        )
    return catalog, created


def list_catalogs(session: Session) -> list[Catalog]:
    return list(session.exec(select(Catalog).order_by(col(Catalog.key))))


def require_catalog(session: Session, *, key: str) -> Catalog:
    catalog = session.exec(select(Catalog).where(Catalog.key == key)).first()
    if catalog is None:
        raise NotFound(
            f"catalog {key!r} is not imported", fix="import it with `trustdesk catalog import FILE`"
        )
    return catalog


def controls_of(session: Session, *, catalog: Catalog) -> list[CatalogControl]:
    query = select(CatalogControl).where(CatalogControl.catalog_id == catalog.id)
    return list(session.exec(query.order_by(col(CatalogControl.position))))

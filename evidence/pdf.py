"""A very small PDF writer: A4 pages of Helvetica text lines and filled bars, no dependencies.

Enough for the readiness report and generated demo evidence; it is not a layout engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH, HEIGHT, MARGIN = 595, 842, 50


@dataclass
class Page:
    ops: list[str] = field(default_factory=list)


@dataclass
class PdfDocument:
    title: str
    pages: list[Page] = field(default_factory=list)
    y: float = 0.0

    def __post_init__(self) -> None:
        self.new_page()

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = HEIGHT - MARGIN

    def _room(self, needed: float) -> None:
        if self.y - needed < MARGIN:
            self.new_page()

    def text(self, line: str, *, size: int = 10, bold: bool = False, x: float = MARGIN) -> None:
        """One line of text (long lines are wrapped at roughly the page width)."""
        for chunk in _wrap(line, max_chars=int((WIDTH - x - MARGIN) / (size * 0.5))):
            self._room(size * 1.5)
            self.y -= size * 1.4
            font = "F2" if bold else "F1"
            self.pages[-1].ops.append(
                f"BT /{font} {size} Tf {x:.1f} {self.y:.1f} Td ({_escape(chunk)}) Tj ET"
            )

    def gap(self, height: float = 8) -> None:
        self.y -= height

    def bar(self, label: str, parts: list[tuple[float, tuple[float, float, float]]], *, total: float) -> None:
        """A labelled horizontal stacked bar; ``parts`` are (value, RGB colour) summing to ``total``."""
        self._room(20)
        self.y -= 16
        ops = self.pages[-1].ops
        ops.append(f"BT /F1 9 Tf {MARGIN:.1f} {self.y + 3:.1f} Td ({_escape(label[:34])}) Tj ET")
        x, width = MARGIN + 190.0, WIDTH - 2 * MARGIN - 190.0
        for value, (r, g, b) in parts:
            w = width * value / total if total else 0
            if w > 0:
                ops.append(f"{r:.2f} {g:.2f} {b:.2f} rg {x:.1f} {self.y:.1f} {w:.1f} 12 re f 0 g")
                x += w

    def to_bytes(self) -> bytes:
        objects: list[bytes] = [b"", b""]  # 1: catalog, 2: pages, filled in below
        fonts = (_add(objects, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                               b"/Encoding /WinAnsiEncoding >>"),
                 _add(objects, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold "
                               b"/Encoding /WinAnsiEncoding >>"))  # fmt: skip
        kids = []
        for page in self.pages:
            stream = "\n".join(page.ops).encode("cp1252", "replace")
            content = _add(objects, b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
            resources = b"<< /Font << /F1 %d 0 R /F2 %d 0 R >> >>" % fonts
            kids.append(
                _add(
                    objects,
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources %s /Contents %d 0 R >>"
                    % (WIDTH, HEIGHT, resources, content),
                )
            )
        objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
        objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            b" ".join(b"%d 0 R" % k for k in kids),
            len(kids),
        )
        info = _add(
            objects, b"<< /Title (%s) /Producer (Trustdesk) >>" % _escape(self.title).encode("cp1252")
        )
        return _serialise(objects, info)


def _add(objects: list[bytes], body: bytes) -> int:
    objects.append(body)
    return len(objects)


def _serialise(objects: list[bytes], info: int) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info,
        xref,
    )
    return bytes(out)


def _escape(text: str) -> str:
    safe = text.encode("cp1252", "replace").decode("cp1252")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _wrap(line: str, *, max_chars: int) -> list[str]:
    words, lines, current = line.split(" "), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > max_chars:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines

"""Small PDF documents drawn with reportlab: A4 pages of Helvetica lines and stacked bars.

Enough for the readiness report and generated demo evidence; it is not a layout engine.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

WIDTH, HEIGHT = A4
MARGIN = 50.0
BAR_LABEL_WIDTH = 190.0


@dataclass
class PdfDocument:
    """Lines flow down the page and onto new pages; ``to_bytes`` finishes the document."""

    title: str
    _buffer: io.BytesIO = field(default_factory=io.BytesIO, repr=False)
    _canvas: Canvas = field(init=False, repr=False)
    y: float = HEIGHT - MARGIN

    def __post_init__(self) -> None:
        # invariant=True: no creation date or random id, so the same content gives the same bytes
        self._canvas = Canvas(self._buffer, pagesize=A4, invariant=True)
        self._canvas.setTitle(self.title)
        self._canvas.setProducer("Trustdesk")

    def new_page(self) -> None:
        self._canvas.showPage()
        self.y = HEIGHT - MARGIN

    def _room(self, needed: float) -> None:
        if self.y - needed < MARGIN:
            self.new_page()

    def text(self, line: str, *, size: int = 10, bold: bool = False, x: float = MARGIN) -> None:
        """One line of text, wrapped at the right margin."""
        font = "Helvetica-Bold" if bold else "Helvetica"
        for chunk in simpleSplit(line, font, size, WIDTH - x - MARGIN) or [""]:
            self._room(size * 1.5)
            self.y -= size * 1.4
            self._canvas.setFont(font, size)
            self._canvas.drawString(x, self.y, chunk)

    def gap(self, height: float = 8) -> None:
        self.y -= height

    def bar(self, label: str, parts: list[tuple[float, tuple[float, float, float]]], *, total: float) -> None:
        """A labelled horizontal stacked bar; ``parts`` are (value, RGB colour) summing to ``total``."""
        self._room(20)
        self.y -= 16
        canvas = self._canvas
        canvas.setFont("Helvetica", 9)
        canvas.drawString(MARGIN, self.y + 3, label[:34])
        x, width = MARGIN + BAR_LABEL_WIDTH, WIDTH - 2 * MARGIN - BAR_LABEL_WIDTH
        for value, colour in parts:
            w = width * value / total if total else 0
            if w > 0:
                canvas.setFillColorRGB(*colour)
                canvas.rect(x, self.y, w, 12, stroke=0, fill=1)
                x += w
        canvas.setFillColorRGB(0, 0, 0)

    def to_bytes(self) -> bytes:
        self._canvas.save()
        return self._buffer.getvalue()

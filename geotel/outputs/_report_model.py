"""Private: the report's content model, built once and rendered twice (DOCX and PDF).

A :class:`Report` is a title block and a flat list of blocks: headings, paragraphs,
bullet lists, tables, figures and page breaks. Every text is final (translated, numbers
formatted), so the two renderers only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["Block", "Bullets", "Heading", "Image", "PageBreak", "Para", "Report", "Table"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    #: ``body``; ``lead`` (the summary paragraph); ``note`` (small print under a table).
    style: Literal["body", "lead", "note"] = "body"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: Right-aligned (numeric) columns.
    numeric: tuple[bool, ...] = ()
    #: A last row in bold (totals), or None.
    total: tuple[str, ...] | None = None
    #: Relative column widths (any scale); equal when empty.
    widths: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.header)
        for row in (*self.rows, *([self.total] if self.total else [])):
            if len(row) != n:
                raise ValueError(f"table '{self.caption}': a row has {len(row)} cells, "
                                 f"the header {n}")


@dataclass(frozen=True)
class Image:
    path: Path
    caption: str
    #: Width on the page, millimetres.
    width_mm: float = 160.0


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Bullets | Table | Image | PageBreak


@dataclass(frozen=True)
class Report:
    lang: Literal["vi", "en"]
    title: str
    subtitle: str
    #: Lines under the title (issuer, date, tool).
    meta: tuple[str, ...]
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    #: Text for the page footer ("Trang" / "Page").
    page_word: str = "Trang"

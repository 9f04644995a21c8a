"""Private: render the report's content model as a Word document (python-docx).

A4 with the margins of Vietnamese administrative documents (left 30 mm, right 15 mm,
top and bottom 20 mm), Times New Roman, headings, tables whose header row repeats on
every page, the figures as PNG, page numbers in the footer, and core properties (title,
author "geotel", language).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from geotel.outputs._report_model import Bullets, Heading, Image, PageBreak, Para, Report, Table

__all__ = ["MARGINS_MM", "PAGE_MM", "write_docx"]

PAGE_MM = (210.0, 297.0)
#: left, right, top, bottom
MARGINS_MM = (30.0, 15.0, 20.0, 20.0)
_FONT = "Times New Roman"
_LANG = {"vi": "vi-VN", "en": "en-GB"}
_HEAD_FILL = "DDEBF7"
_TABLE_TEXT_ID = "TableText"


def _set_font(style, size_pt: float, *, bold: bool | None = None, lang: str = "vi-VN") -> None:
    style.font.name = _FONT
    style.font.size = Pt(size_pt)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), _FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    el = OxmlElement("w:lang")
    el.set(qn("w:val"), lang)
    rpr.append(el)


def _page_number(paragraph, word: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{word} ")
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _row_props(row, *, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    tr_pr.append(el)
    if header:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def _cell(cell, text: str, *, right: bool, bold: bool) -> None:
    p = cell.paragraphs[0]
    p._p.style = _TABLE_TEXT_ID  # by id: python-docx looks a name up in every style
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    run = p.add_run(text)
    run.bold = bold


def _table(doc, block: Table, width_mm: float) -> None:
    cap = doc.add_paragraph(block.caption, style="Caption")
    cap.paragraph_format.keep_with_next = True
    n = len(block.header)
    rows = [*block.rows, *([block.total] if block.total else [])]
    table = doc.add_table(rows=1 + len(rows), cols=n)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    rel = list(block.widths) if len(block.widths) == n else [1.0] * n
    widths = [Mm(width_mm * r / sum(rel)) for r in rel]
    numeric = list(block.numeric) if len(block.numeric) == n else [False] * n
    for j, col in enumerate(table.columns):
        col.width = widths[j]
    for i, row in enumerate(table.rows):
        _row_props(row, header=i == 0)
        values = block.header if i == 0 else rows[i - 1]
        last = block.total is not None and i == len(rows)
        for j, cell in enumerate(row.cells):
            cell.width = widths[j]
            _cell(cell, values[j], right=numeric[j] and i > 0, bold=i == 0 or last)
            if i == 0:
                _shade(cell, _HEAD_FILL)
    doc.add_paragraph(style="Table Text")


def write_docx(report: Report, path: Path) -> Path:
    """Write ``report`` as a .docx file at ``path``."""
    lang = _LANG[report.lang]
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = (
        Mm(m) for m in MARGINS_MM)
    width_mm = PAGE_MM[0] - MARGINS_MM[0] - MARGINS_MM[1]
    styles = doc.styles
    _set_font(styles["Normal"], 12, lang=lang)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 16), ("Heading 1", 13), ("Heading 2", 12), ("Caption", 10)):
        _set_font(styles[name], size, bold=True, lang=lang)
    styles["Caption"].font.italic = False
    styles["Heading 1"].paragraph_format.space_before = Pt(12)
    for name, size in (("Table Text", 9), ("Note", 9)):
        style = styles.add_style(name, 1)  # paragraph style, id "TableText" / "Note"
        style.base_style = styles["Normal"]
        _set_font(style, size, lang=lang)
        style.paragraph_format.space_after = Pt(0 if name == "Table Text" else 6)
    styles["Note"].font.italic = True

    title = doc.add_paragraph(report.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(report.subtitle)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.runs[0].bold = True
    for line in report.meta:
        p = doc.add_paragraph(line, style="Note")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in report.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            p = doc.add_paragraph(block.text, style="Note" if block.style == "note" else None)
            if block.style == "lead":
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        elif isinstance(block, Bullets):
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            _table(doc, block, width_mm)
        elif isinstance(block, Image):
            doc.add_picture(str(block.path), width=Mm(min(block.width_mm, width_mm)))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
            cap = doc.add_paragraph(block.caption, style="Caption")
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _page_number(sec.footer.paragraphs[0], report.page_word)
    props = doc.core_properties
    props.title = f"{report.title} — {report.subtitle}"
    props.author = "geotel"
    props.last_modified_by = "geotel"
    props.language = lang
    props.subject = report.subtitle
    props.keywords = "geotel; viễn thông; BTS; cáp quang; Tiêu chí 8"
    props.created = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    doc.save(str(path))
    return path

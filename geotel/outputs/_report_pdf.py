"""Private: render the report's content model as HTML, and the HTML as PDF (WeasyPrint).

The layout is WeasyPrint's (a CSS paged-media engine), not a screenshot: A4, the margins
of the DOCX, page numbers, headings, tables that break across pages with their header
row repeated. The font is DejaVu Sans from matplotlib's own copy (Vietnamese glyphs),
referenced by file path and embedded, so the PDF is the same on every machine.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

import matplotlib

from geotel.outputs._report_docx import MARGINS_MM, PAGE_MM
from geotel.outputs._report_model import Bullets, Heading, Image, PageBreak, Para, Report, Table

__all__ = ["font_files", "report_html", "write_pdf"]

log = logging.getLogger(__name__)


def font_files() -> dict[str, Path]:
    """The DejaVu Sans files (regular, bold, oblique, bold oblique) shipped with matplotlib."""
    base = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {"regular": base / "DejaVuSans.ttf", "bold": base / "DejaVuSans-Bold.ttf",
            "italic": base / "DejaVuSans-Oblique.ttf",
            "bolditalic": base / "DejaVuSans-BoldOblique.ttf"}


def _css(report: Report) -> str:
    f = font_files()
    faces = "\n".join(
        f"@font-face {{ font-family: 'Report Sans'; src: url('{f[k].as_uri()}'); "
        f"font-weight: {wt}; font-style: {st}; }}"
        for k, wt, st in (("regular", "normal", "normal"), ("bold", "bold", "normal"),
                          ("italic", "normal", "italic"), ("bolditalic", "bold", "italic")))
    left, right, top, bottom = MARGINS_MM
    word = report.page_word.replace('"', "")
    return faces + f"""
@page {{
  size: A4; margin: {top}mm {right}mm {bottom}mm {left}mm;
  @bottom-center {{ content: "{word} " counter(page) " / " counter(pages);
                    font-family: 'Report Sans'; font-size: 8pt; color: #444; }}
}}
html {{ font-family: 'Report Sans'; font-size: 9.5pt; line-height: 1.35; color: #000; }}
h1.title {{ font-size: 15pt; text-align: center; margin: 0 0 4mm 0; }}
p.subtitle {{ font-size: 11pt; font-weight: bold; text-align: center; margin: 0 0 2mm 0; }}
p.meta {{ font-size: 8pt; text-align: center; color: #444; margin: 0 0 6mm 0; }}
h1 {{ font-size: 12pt; margin: 7mm 0 2mm 0; page-break-after: avoid; }}
h2 {{ font-size: 10.5pt; margin: 4mm 0 1.5mm 0; page-break-after: avoid; }}
p {{ margin: 0 0 2mm 0; }}
p.lead {{ text-align: justify; }}
p.note {{ font-size: 8pt; font-style: italic; color: #333; }}
ul {{ margin: 0 0 2mm 0; padding-left: 6mm; }}
li {{ margin-bottom: 1mm; }}
p.caption {{ font-weight: bold; font-size: 9pt; margin: 3mm 0 1mm 0; page-break-after: avoid; }}
table {{ width: 100%; border-collapse: collapse; font-size: 7.5pt; margin-bottom: 3mm;
         table-layout: fixed; }}
thead {{ display: table-header-group; }}
th {{ background: #ddebf7; font-weight: bold; vertical-align: bottom; font-size: 7pt;
      hyphens: auto; }}
th, td {{ border: 0.5pt solid #777; padding: 0.6mm 1mm; text-align: left;
          overflow-wrap: break-word; }}
td {{ hyphens: manual; }}
td.num {{ text-align: right; }}
tr {{ page-break-inside: avoid; }}
tr.total td {{ font-weight: bold; background: #f2f2f2; }}
figure {{ margin: 3mm 0; text-align: center; page-break-inside: avoid; }}
figure img {{ max-width: 100%; }}
figcaption {{ font-weight: bold; font-size: 9pt; margin-top: 1mm; }}
div.pagebreak {{ page-break-after: always; }}
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _table(block: Table) -> str:
    n = len(block.header)
    rel = list(block.widths) if len(block.widths) == n else [1.0] * n
    numeric = list(block.numeric) if len(block.numeric) == n else [False] * n
    cols = "".join(f'<col style="width:{100 * r / sum(rel):.2f}%">' for r in rel)
    head = "".join(f"<th>{_e(h)}</th>" for h in block.header)

    def row(cells: tuple[str, ...], cls: str = "") -> str:
        tds = "".join(f'<td class="num">{_e(c)}</td>' if numeric[j] else f"<td>{_e(c)}</td>"
                      for j, c in enumerate(cells))
        return f'<tr class="{cls}">{tds}</tr>' if cls else f"<tr>{tds}</tr>"

    body = "".join(row(r) for r in block.rows)
    if block.total:
        body += row(block.total, "total")
    return (f'<p class="caption">{_e(block.caption)}</p><table><colgroup>{cols}</colgroup>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def report_html(report: Report) -> str:
    """The report as one HTML document (images referenced by file URI)."""
    lang = "vi" if report.lang == "vi" else "en"
    parts = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
             f"<title>{_e(report.title)}</title><style>{_css(report)}</style></head><body>",
             f'<h1 class="title">{_e(report.title)}</h1>',
             f'<p class="subtitle">{_e(report.subtitle)}</p>']
    parts += [f'<p class="meta">{_e(m)}</p>' for m in report.meta]
    for block in report.blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 3)
            parts.append(f"<h{level}>{_e(block.text)}</h{level}>")
        elif isinstance(block, Para):
            parts.append(f'<p class="{block.style}">{_e(block.text)}</p>')
        elif isinstance(block, Bullets):
            parts.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in block.items) + "</ul>")
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Image):
            width = min(block.width_mm, PAGE_MM[0] - MARGINS_MM[0] - MARGINS_MM[1])
            parts.append(f'<figure><img src="{block.path.resolve().as_uri()}" '
                         f'style="width:{width:.0f}mm" alt="{_e(block.caption)}">'
                         f"<figcaption>{_e(block.caption)}</figcaption></figure>")
        elif isinstance(block, PageBreak):
            parts.append('<div class="pagebreak"></div>')
    parts.append("</body></html>")
    return "".join(parts)


def write_pdf(report: Report, path: Path) -> Path:
    """Lay out ``report`` with WeasyPrint and write the PDF at ``path``."""
    from weasyprint import HTML

    doc = HTML(string=report_html(report), base_url=str(path.parent)).render()
    doc.metadata.title = f"{report.title} — {report.subtitle}"
    doc.metadata.authors = ["geotel"]
    doc.metadata.lang = report.lang
    doc.write_pdf(str(path))
    log.info("%s: %d page(s)", path.name, len(doc.pages))
    return path

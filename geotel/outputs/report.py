"""The plan written as the province's report: ``report.docx`` and ``report.pdf``.

In the shape of the province's own report (Báo cáo hạ tầng viễn thông thụ động), in
Vietnamese by default or in English:

* a summary paragraph in the report's style ("Còn 10 xã/222 xã chưa có kết nối
  Internet hữu tuyến đến trung tâm xã; …") and what the plan proposes;
* a table per district, with the coverage chart before and after the plan;
* Criterion 8: the sub-indicators, and each commune failing it with the reasons (or, when
  undecided, the missing data);
* the 20 communes with the most people in dead zones;
* the towers and fiber per year with their costs against the budget line, the
  proposal lists, the phasing chart and the siting gain curve;
* the print map;
* a page on method and assumptions: models, thresholds, cost figures and their sources,
  the assumptions standing in for data, what was unknown, and the steps that delivered
  less than asked;
* an annex with the communes of each district.

The report is built from the files of a plan folder only (``summary.json``,
``config.yml``, ``phases.csv``, ``plan.gpkg``, ``print_map.png``), so it can be written
again from a folder made earlier. A figure no input gave reads "không có số liệu" (no
data), never 0 or "yes". The content is built once and rendered twice: python-docx
for the DOCX, WeasyPrint (HTML and CSS paged media) for the PDF.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import tempfile
from pathlib import Path

import pandas as pd

from geotel._atomic import atomic_file
from geotel._lang import check_lang
from geotel.outputs import charts
from geotel.outputs._labels import Lang
from geotel.outputs._report_content import build_report
from geotel.outputs._report_data import PlanFolder, is_plan_folder, read_plan_folder
from geotel.outputs._report_docx import write_docx
from geotel.outputs._report_pdf import write_pdf

__all__ = ["REPORT_FILES", "is_plan_folder", "write_report"]

log = logging.getLogger(__name__)

#: The files :func:`write_report` writes.
REPORT_FILES: tuple[str, ...] = ("report.docx", "report.pdf")


def _charts(f: PlanFolder, folder: Path, lang: Lang, dpi: int) -> dict[str, Path]:
    """The report's charts as PNG files in ``folder``."""
    out: dict[str, Path] = {}
    tech = str(f.cfg("siting.technology"))
    if f.districts is not None and len(f.districts):
        out["districts"] = charts.save_png(
            charts.district_coverage_chart(_with_after(f), technology=tech, lang=lang),
            folder / "districts.png", dpi=dpi)
    if f.phases is not None and len(f.phases):
        out["phases"] = charts.save_png(charts.phases_chart(
            f.phases, tower_budget_vnd_per_year=float(f.cfg("plan.tower_budget_vnd_per_year")),
            fiber_budget_vnd_per_year=float(f.cfg("plan.fiber_budget_vnd_per_year")),
            lang=lang), folder / "phases.png", dpi=dpi)
    if f.towers_proposed is not None and len(f.towers_proposed):
        out["gain"] = charts.save_png(charts.gain_curve_chart(f.towers_proposed, lang=lang),
                                      folder / "gain.png", dpi=dpi)
    return out


def _with_after(f: PlanFolder) -> pd.DataFrame:
    """The districts table with the coverage after the plan, rolled up from the communes
    where the districts layer lacks it (an area-only plan)."""
    from geotel.outputs._report_content import _weighted_after

    tech = str(f.cfg("siting.technology"))
    _, after, kind = charts.coverage_columns(f.communes, tech)
    d = f.districts if f.districts is not None else pd.DataFrame()
    if after in d.columns or after not in f.communes.columns:
        return d
    values = _weighted_after(f, after, kind)
    d = d.copy()
    d[after] = [values.get(str(c)) for c in d["district_code"]]
    return d


def write_report(plan_dir: str | os.PathLike, out_dir: str | os.PathLike | None = None, *,
                 lang: Lang = "vi", dpi: int = 200,
                 date: dt.date | None = None) -> list[Path]:
    """Write ``report.docx`` and ``report.pdf`` from a plan folder.

    Parameters
    ----------
    plan_dir
        A folder written by ``geotel plan`` / :func:`geotel.pipeline.write_plan`.
    out_dir
        Where to write the two files; ``plan_dir`` by default. Both are written to
        temporary names and moved into place only when both worked; only these two files
        are replaced.
    lang
        ``"vi"`` (default) or ``"en"``.
    dpi
        Resolution of the charts (PNG).
    date
        The date printed under the title; today by default.

    Returns
    -------
    list of Path
        ``[report.docx, report.pdf]``.

    Raises
    ------
    FileFormatError
        ``plan_dir`` is not a plan folder (no ``summary.json`` or ``plan.gpkg``).

    Examples
    --------
    ``write_report("maps/demo", lang="en")`` writes the English report beside a plan
    written by ``geotel demo --out maps/demo``. A folder without a plan is refused:

    >>> import tempfile
    >>> write_report(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geotel.errors.FileFormatError: ...not a plan folder: summary.json, plan.gpkg missing...
    """
    check_lang(lang)
    folder = read_plan_folder(plan_dir)
    out = Path(out_dir) if out_dir is not None else folder.path
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in REPORT_FILES]
    with tempfile.TemporaryDirectory(prefix=".report-") as work:
        figures = _charts(folder, Path(work), lang, dpi)
        report = build_report(folder, figures, lang=lang, date=date)
        with contextlib.ExitStack() as stack:
            docx_tmp = stack.enter_context(atomic_file(paths[0]))
            pdf_tmp = stack.enter_context(atomic_file(paths[1]))
            write_docx(report, docx_tmp)
            write_pdf(report, pdf_tmp)
    log.info("wrote %s", ", ".join(str(p) for p in paths))
    return paths

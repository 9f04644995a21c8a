"""Benchmark of the report: time to write report.docx and report.pdf from a plan folder,
split into its parts (charts, content, DOCX, PDF), and the page count of the PDF.

Run: ``.venv/bin/python benchmarks/report.py PLAN_DIR [--lang en]`` on a folder written
by ``geotel plan`` or ``geotel demo`` (e.g. ``maps/demo``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from geotel.outputs._report_content import build_report
from geotel.outputs._report_data import read_plan_folder
from geotel.outputs._report_docx import write_docx
from geotel.outputs._report_pdf import write_pdf
from geotel.outputs.report import _charts, write_report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("plan_dir", type=Path)
    ap.add_argument("--lang", choices=["vi", "en"], default="vi")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t = time.perf_counter()
        folder = read_plan_folder(args.plan_dir)
        times = {"read": time.perf_counter() - t}
        t = time.perf_counter()
        figures = _charts(folder, out, args.lang, 200)
        times["charts"] = time.perf_counter() - t
        t = time.perf_counter()
        report = build_report(folder, figures, lang=args.lang)
        times["content"] = time.perf_counter() - t
        t = time.perf_counter()
        write_docx(report, out / "r.docx")
        times["docx"] = time.perf_counter() - t
        t = time.perf_counter()
        write_pdf(report, out / "r.pdf")
        times["pdf"] = time.perf_counter() - t
        pages = len(PdfReader(out / "r.pdf").pages)
        t = time.perf_counter()
        write_report(args.plan_dir, out / "all", lang=args.lang)
        total = time.perf_counter() - t
    for k, v in times.items():
        print(f"{k:<8} {v:6.2f} s")
    print(f"{'total':<8} {total:6.2f} s (write_report)")
    print(f"pages    {pages}")


if __name__ == "__main__":
    main()

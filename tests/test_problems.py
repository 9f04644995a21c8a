"""Messages a person can read: the same problem over many features is one line, and the
full list goes to a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geotel.errors import (
    REPORT_COLUMNS,
    GeometryError,
    Problem,
    ValidationReport,
    group_problems,
)


def _report() -> ValidationReport:
    rep = ValidationReport()
    for k in range(142):
        rep.warn("geometry", "invalid geometry repaired with make_valid", file="communes.gpkg",
                 feature=f"Xã {k:03d}", row=k + 1, fix="check the repaired shape in QGIS")
    for k, code in enumerate(("NOCODE-23", "NOCODE-79")):
        rep.warn("schema", f"commune 'Xã {k}' has no commune code; it is kept with the "
                 f"provisional code {code}", file="communes.gpkg", feature=f"Xã {k}",
                 column="commune_code", fix="fill in the code")
    rep.add("crs", "the file has no CRS", file="roads.shp", column="inputs.roads_crs",
            fix="set inputs.roads_crs")
    rep.info("range", "'Tọa độ X' holds the northing", file="towers.csv", column="X/Y")
    return rep


def test_repeated_problems_are_one_line_with_count_and_first_features() -> None:
    lines = _report().lines()
    assert len(lines) == 4
    # errors first, then warnings, then notes
    assert [ln.split(" ")[0] for ln in lines] == ["ERROR", "WARNING", "WARNING", "INFO"]
    assert lines[1] == ("WARNING communes.gpkg: invalid geometry repaired with make_valid — "
                        "142 features (Xã 000, Xã 001, Xã 002, …). Fix: check the repaired "
                        "shape in QGIS")
    # messages that differ only in names and numbers are one problem; the varying parts
    # are shown as '…'
    assert lines[2] == ("WARNING communes.gpkg, column 'commune_code': commune '…' has no "
                        "commune code; it is kept with the provisional code … — 2 features "
                        "(Xã 0, Xã 1). Fix: fill in the code")
    assert lines[0] == ("ERROR roads.shp, column 'inputs.roads_crs': the file has no CRS "
                        "Fix: set inputs.roads_crs")


def test_different_files_columns_or_fixes_stay_apart() -> None:
    ps = [Problem("geometry", "invalid geometry repaired", file=f, feature="A", column=c,
                  fix=x, severity="warning")
          for f, c, x in (("a.gpkg", None, "x"), ("b.gpkg", None, "x"), ("a.gpkg", "g", "x"),
                          ("a.gpkg", None, "y"), ("a.gpkg", None, "x"))]
    groups = group_problems(ps)
    assert [g.count for g in groups] == [2, 1, 1, 1]
    # an error and a warning with the same text are two lines
    both = group_problems([Problem("range", "bad", file="t.csv"),
                           Problem("range", "bad", file="t.csv", severity="warning")])
    assert [g.severity for g in both] == ["error", "warning"]


def test_a_single_problem_reads_as_before() -> None:
    p = Problem("range", "height_m = 350 is outside 0–200", file="t.csv", feature="GL001",
                row=2, column="height_m", fix="check the unit")
    assert group_problems([p])[0].line() == str(p)
    assert str(p) == ("ERROR t.csv, feature GL001, row 2, column 'height_m': height_m = 350 "
                      "is outside 0–200 Fix: check the unit")
    # a table label that already says the row is not repeated
    q = Problem("range", "bad", file="t.csv", feature="GL001 (row 2)", row=2)
    assert str(q) == "ERROR t.csv, feature GL001 (row 2): bad"


def test_csv_report_has_every_problem(tmp_path: Path) -> None:
    rep = _report()
    out = Path(rep.to_csv(tmp_path / "sub" / "validation.csv"))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Vietnamese text
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == REPORT_COLUMNS == ("level", "file", "feature", "row", "column",
                                                "message", "fix")
    assert len(rows) == 1 + len(rep) == 1 + 142 + 2 + 1 + 1
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    first = body[0]
    assert first == {"level": "warning", "file": "communes.gpkg", "feature": "Xã 000",
                     "row": "1", "column": "", "message":
                     "invalid geometry repaired with make_valid",
                     "fix": "check the repaired shape in QGIS"}
    assert body[141]["row"] == "142"
    assert {r["level"] for r in body} == {"warning", "error", "info"}
    assert body[-1]["message"] == "'Tọa độ X' holds the northing"
    assert body[-1]["fix"] == ""
    assert [p.name for p in out.parent.iterdir()] == ["validation.csv"]  # no temp file left


def test_error_message_lists_the_others_collapsed() -> None:
    rep = ValidationReport()
    for k in range(30):
        rep.add("geometry", "geometry is empty", file="z.geojson", feature=f"Z{k}",
                fix="draw it")
    rep.add("geometry", "geometry is a Point, expected Polygon", file="z.geojson",
            feature="Z99", fix="save polygons")
    with pytest.raises(GeometryError) as info:
        rep.raise_if_errors()
    lines = str(info.value).splitlines()
    assert lines[0] == "z.geojson, feature Z0: geometry is empty Fix: draw it"
    assert lines[1] == "... and 30 more problem(s):"
    assert lines[2] == ("  - ERROR z.geojson: geometry is empty — 29 features (Z1, Z2, Z3, …). "
                        "Fix: draw it")
    assert lines[3].startswith("  - ERROR z.geojson, feature Z99")
    assert len(lines) == 4

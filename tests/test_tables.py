"""CSV and Excel tables with Vietnamese and English headers, written atomically."""

from __future__ import annotations

import csv

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import box

from geotel.errors import ValueRangeError
from geotel.outputs import tables
from geotel.outputs.tables import column_titles, write_table, write_tables


def _kpi() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_code": ["23557", "23560"], "commune_name": ["Phường Yên Đỗ", "Xã Chư Á"],
         "population": [16555, 4210], "pop_covered_pct_4g": [97.25, np.nan],
         "pop_covered_4g_viettel": [16000.0, 100.0], "c8_met": [True, False],
         "area_km2": [1.9239, 30.5]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=32649, index=[5, 9])


def _districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"district_code": ["622"], "district_name": ["Thành phố Pleiku"],
                             "communes": [2], "communes_2g_only": [0]},
                            geometry=[box(0, 0, 2, 1)], crs=32649)


def test_four_files_with_bom_and_bilingual_headers(tmp_path) -> None:
    paths = write_tables(_kpi(), _districts(), tmp_path / "t")
    assert sorted(p.name for p in paths) == ["communes_kpi.csv", "communes_kpi.xlsx",
                                             "districts_kpi.csv", "districts_kpi.xlsx"]
    raw = (tmp_path / "t" / "communes_kpi.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(tmp_path / "t" / "communes_kpi.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "Mã xã / Commune code"
    assert rows[0][3] == "Dân số phủ sóng 4G (%) / Population covered, 4G (%)"
    assert rows[1] == ["23557", "Phường Yên Đỗ", "16555", "97.25", "16000.0", "Có", "1.924"]
    assert rows[2][3] == ""
    assert rows[2][5] == "Không"
    assert "geometry" not in ",".join(rows[0])
    assert not [p for p in (tmp_path / "t").iterdir() if p.name.startswith(".tmp")]


def test_excel_two_header_rows_and_notes(tmp_path) -> None:
    write_tables(_kpi(), _districts(), tmp_path)
    wb = load_workbook(tmp_path / "communes_kpi.xlsx")
    assert wb.sheetnames == ["Xã", "Chú thích"]
    ws = wb["Xã"]
    assert ws["A1"].value == "Mã xã"
    assert ws["A2"].value == "Commune code"
    assert ws["E1"].value == "Dân số phủ sóng 4G Viettel (người)"
    assert ws["A3"].value == "23557"
    assert ws["C3"].value == 16555
    assert ws["D3"].value == pytest.approx(97.25)
    assert ws["D4"].value is None
    assert ws["F3"].value == "Có"
    assert ws["C3"].number_format == "#,##0"
    assert ws["D3"].number_format == "0.0"
    assert ws.freeze_panes == "C3"
    assert ws["A1"].font.bold
    notes = wb["Chú thích"]
    codes = [notes.cell(row=r, column=1).value for r in range(2, notes.max_row + 1)]
    assert codes == list(_kpi().columns.drop("geometry"))
    assert load_workbook(tmp_path / "districts_kpi.xlsx").sheetnames[0] == "Huyện"


@pytest.mark.parametrize(("lang", "first", "sheet"), [("vi", "Mã xã", "Xã"),
                                              ("en", "Commune code", "Communes")])
def test_one_language(tmp_path, lang, first, sheet) -> None:
    write_tables(_kpi(), _districts(), tmp_path, lang=lang)
    back = pd.read_csv(tmp_path / "communes_kpi.csv", encoding="utf-8-sig", dtype=str)
    assert back.columns[0] == first
    assert len(back) == 2
    ws = load_workbook(tmp_path / "communes_kpi.xlsx")[sheet]
    assert ws["A1"].value == first
    assert ws["A2"].value == "23557"
    yes = "Có" if lang == "vi" else "Yes"
    assert back.iloc[0][column_titles("c8_met")[0 if lang == "vi" else 1]] == yes


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch) -> None:
    write_table(_kpi(), tmp_path / "communes_kpi")
    old = (tmp_path / "communes_kpi.xlsx").read_bytes()
    old_csv = (tmp_path / "communes_kpi.csv").read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tables, "_write_xlsx", boom)
    with pytest.raises(RuntimeError):
        write_table(_kpi().iloc[:1], tmp_path / "communes_kpi")
    assert (tmp_path / "communes_kpi.xlsx").read_bytes() == old
    assert (tmp_path / "communes_kpi.csv").read_bytes() == old_csv  # the pair stays consistent
    assert sorted(p.name for p in tmp_path.iterdir()) == ["communes_kpi.csv",
                                                          "communes_kpi.xlsx"]


def test_titles_and_bad_language() -> None:
    assert column_titles("pop_covered_3g_mobifone") == (
        "Dân số phủ sóng 3G MobiFone (người)", "Population covered, 3G MobiFone")
    assert column_titles("whatever") == ("whatever", "whatever")
    with pytest.raises(ValueRangeError, match="lang = 'fr' is not supported"):
        write_table(_kpi(), "/tmp/never", lang="fr")  # type: ignore[arg-type]

"""Awkward inputs that must be read right: units in headers converted, Vietnamese number
formats, VN-2000 X/Y with thousands dots, blanks filled with the documented default,
merged cells, two-row headers, data on the second sheet, legacy .xls, degrees-minutes-
seconds, headings and totals among the rows, a .cpg that names the wrong code page,
branch names of the operators. Each builder returns ``(config, text, check)``: the
warning or note that must be reported (``""`` for none) and a check of the plan."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
from pyproj import Transformer

from tests._bad_towers import SECTOR_HEADER, SECTORS, xlsx_rows
from tests._badbase import (
    COMMUNES,
    TOWERS,
    TOWERS_HEADER,
    Accepted,
    communes,
    towers_csv,
    write_good_project,
    write_xls,
    write_xlsx,
)

__all__ = ["ACCEPTED_CASES"]

Check = Callable[[Any], None]
_GEOD = pyproj.Geod(ellps="WGS84")
_BASE_HEIGHTS = [42.0, 36.0, 30.0]
_BASE_LONLAT = [(107.98, 14.02), (108.02, 14.03), (107.99, 13.97)]


def _towers(plan: Any) -> Any:
    return plan.province.towers


def _heights(expected: list[float]) -> Check:
    def check(plan: Any) -> None:
        got = _towers(plan)["height_m"].round(2).tolist()
        assert got == expected, got
    return check


def _positions(expected: list[tuple[float, float]], tol_m: float = 1.0) -> Check:
    def check(plan: Any) -> None:
        t = _towers(plan).to_crs(4326)
        for (lo, la), p in zip(expected, t.geometry, strict=True):
            assert _GEOD.inv(lo, la, p.x, p.y)[2] < tol_m, (lo, la, p.x, p.y)
    return check


def _csv(f: Path, rows: list[str], header: str = TOWERS_HEADER, **inputs: Any) -> Path:
    return write_good_project(f, towers=towers_csv(f, rows, header), **inputs)


# -------------------------------------------------------------------------- units
def height_in_feet(f: Path) -> tuple[Path, str, Check]:
    rows = [r.replace(";42;", ";138;").replace(";36;", ";118;").replace(";30;", ";98;")
            for r in TOWERS]
    return (_csv(f, rows, TOWERS_HEADER.replace("(m)", "(ft)")), "is in ft",
            _heights([42.06, 35.97, 29.87]))


def height_ft_as_a_last_word(f: Path) -> tuple[Path, str, Check]:
    rows = [r.replace(";42;", ";138;").replace(";36;", ";118;").replace(";30;", ";98;")
            for r in TOWERS]
    header = "site_id;operator;lon;lat;height_ft;technologies;freq_mhz"
    return _csv(f, rows, header), "'height_ft' is in ft", _heights([42.06, 35.97, 29.87])


def eirp_in_watts(f: Path) -> tuple[Path, str, Check]:
    rows = [f"{r};200" for r in TOWERS]

    def check(plan: Any) -> None:
        assert np.allclose(_towers(plan)["eirp_dbm"], 10 * np.log10(200) + 30)
    return _csv(f, rows, TOWERS_HEADER + ";EIRP (W)"), "watts to dBm", check


def frequency_in_ghz(f: Path) -> tuple[Path, str, Check]:
    rows = [r.replace(";900", ";0,9").replace(";1800", ";1,8") for r in TOWERS]

    def check(plan: Any) -> None:
        assert _towers(plan)["freq_mhz"].tolist() == [900.0, 1800.0, 1800.0]
    return _csv(f, rows, TOWERS_HEADER.replace("(MHz)", "(GHz)")), "GHz to MHz", check


def communes_area_in_hectares(f: Path) -> tuple[Path, str, Check]:
    g = communes()
    g["Diện tích (ha)"] = [2950.0, 2960.0, 2970.0, 2980.0]
    g.to_file(f / "xa_ha.gpkg", layer="communes")

    def check(plan: Any) -> None:
        assert plan.province.communes["area_km2"].tolist() == [29.5, 29.6, 29.7, 29.8]
    return write_good_project(f, communes="xa_ha.gpkg"), "hectares to km²", check


def communes_population_in_thousands(f: Path) -> tuple[Path, str, Check]:
    g = communes().drop(columns="dan_so")
    g["Dân số (nghìn người)"] = ["12,5", "11,25", "9,8", "10,2"]
    g.to_file(f / "xa_nghin.gpkg", layer="communes")

    def check(plan: Any) -> None:
        pop = plan.province.communes["population"].tolist()
        assert pop == [12500, 11250, 9800, 10200], pop
    return write_good_project(f, communes="xa_nghin.gpkg"), "thousands of people", check


def communes_population_with_thousands_dots(f: Path) -> tuple[Path, str, Check]:
    g = communes()
    g["dan_so"] = ["12.000", "5.234", "9.800", "10.200"]
    g.to_file(f / "xa_dots.gpkg", layer="communes")

    def check(plan: Any) -> None:
        pop = plan.province.communes["population"].tolist()
        assert pop == [12000, 5234, 9800, 10200], pop
    return write_good_project(f, communes="xa_dots.gpkg"), "", check


# ----------------------------------------------------------------- number formats
def vn2000_xy_with_thousands_dots(f: Path) -> tuple[Path, str, Check]:
    to = Transformer.from_crs(4326, 9218, always_xy=True)
    rows = []
    for r, (lo, la) in zip(TOWERS, _BASE_LONLAT, strict=True):
        s, o, _, _, h, t, fr = r.split(";")
        e, n = (f"{round(v):,}".replace(",", ".") for v in to.transform(lo, la))
        rows.append(f"{s};{o};{n};{e};{h};{t};{fr}")  # X = 1.550.123 (northing), Y = 523.456
    header = "Mã trạm;Nhà mạng;Tọa độ X;Tọa độ Y;Độ cao cột (m);Công nghệ;Tần số (MHz)"
    return (_csv(f, rows, header, towers_crs="EPSG:9218"), "surveying convention",
            _positions(_BASE_LONLAT))


def degrees_minutes_seconds(f: Path) -> tuple[Path, str, Check]:
    rows = ["GL001;Viettel;107°58'48\";14°01'12\";42;2G,3G,4G;900",
            "GL002;VNPT;108°01'12\";14°01'48\";36;3G,4G;1800",
            "GL003;MobiFone;107°59'24\";13°58'12\";30;4G;1800"]
    return _csv(f, rows), "degrees, minutes and seconds", _positions(_BASE_LONLAT)


def decimal_points_and_thousands_commas(f: Path) -> tuple[Path, str, Check]:
    rows = [r.replace("107,9800", "107.98").replace("14,0200", "14.02")
            .replace("108,0200", "108.02").replace("14,0300", "14.03")
            .replace("107,9900", "107.99").replace("13,9700", "13.97")
            .replace(";1800", ";1,800") for r in TOWERS]

    def check(plan: Any) -> None:
        assert _towers(plan)["freq_mhz"].tolist() == [900.0, 1800.0, 1800.0]
        _positions(_BASE_LONLAT)(plan)
    return _csv(f, rows), "", check


def swapped_columns_in_every_row(f: Path) -> tuple[Path, str, Check]:
    rows = []
    for r in TOWERS:
        c = r.split(";")
        c[2], c[3] = c[3], c[2]
        rows.append(";".join(c))
    return _csv(f, rows), "swapped in every row", _positions(_BASE_LONLAT)


# ------------------------------------------------------------------------- blanks
def blank_heights_take_the_default(f: Path) -> tuple[Path, str, Check]:
    rows = [TOWERS[0], TOWERS[1].replace(";36;", ";;"), TOWERS[2].replace(";30;", ";;")]
    return (_csv(f, rows), "height_m: 2 blank cell(s) filled with the default 30 m (rows 3, 4)",
            _heights([42.0, 30.0, 30.0]))


# ------------------------------------------------------------------------- Excel
def _sector_rows() -> list[list[object]]:
    rows: list[list[object]] = [SECTOR_HEADER.split(";")]
    for r in SECTORS:
        s, o, lo, la, h, az, t = r.split(";")
        rows.append([s, o, float(lo.replace(",", ".")), float(la.replace(",", ".")),
                     float(h), float(az), t])
    return rows


def merged_sector_cells(f: Path) -> tuple[Path, str, Check]:
    rows = _sector_rows()
    for r in (2, 3, 5, 6):
        rows[r][:5] = [None] * 5
    merges = [f"{c}{a}:{c}{a + 2}" for c in "ABCDE" for a in (2, 5)]
    name = write_xlsx(f / "towers.xlsx", {"Sheet1": rows}, merges={"Sheet1": merges})

    def check(plan: Any) -> None:
        t = _towers(plan)
        assert t["site_id"].tolist() == ["GL001"] * 3 + ["GL002"] * 3
        assert t["sector_id"].tolist() == [1, 2, 3] * 2
        assert t["azimuth_deg"].tolist() == [0.0, 120.0, 240.0] * 2
    return write_good_project(f, towers=name), "merged cells over rows 2–4, 5–7", check


def two_row_header(f: Path) -> tuple[Path, str, Check]:
    rows: list[list[object]] = [
        ["DANH SÁCH TRẠM BTS TRÊN ĐỊA BÀN TỈNH GIA LAI"], [],
        ["STT", "Mã trạm", "Nhà mạng", "Tọa độ", None, "Độ cao cột (m)", "Công nghệ"],
        [None, None, None, "Kinh độ", "Vĩ độ", None, None],
    ]
    for k, r in enumerate(xlsx_rows()[1:], start=1):
        rows.append([k, *r[:6]])
    merges = ["A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4", "G3:G4"]
    name = write_xlsx(f / "towers.xlsx", {"Sheet1": rows}, merges={"Sheet1": merges})
    return (write_good_project(f, towers=name), "the header spans rows 3–4",
            _heights(_BASE_HEIGHTS))


def numbering_and_units_rows(f: Path) -> tuple[Path, str, Check]:
    head = ["Mã trạm", "Nhà mạng", "Kinh độ", "Vĩ độ", "Độ cao cột", "Công nghệ", "Tần số"]
    rows: list[list[object]] = [head, ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
                                [None, None, "độ", "độ", "(ft)", None, "MHz"]]
    rows += [[*r[:4], round(r[4] / 0.3048), *r[5:]] for r in xlsx_rows()[1:]]
    name = write_xlsx(f / "towers.xlsx", {"Sheet1": rows})
    return (write_good_project(f, towers=name), "numbers the columns",
            _heights([42.06, 35.97, 29.87]))


def data_on_the_second_sheet(f: Path) -> tuple[Path, str, Check]:
    cover = [["HƯỚNG DẪN"], ["Danh sách trạm ở trang 'Trạm BTS'"]]
    name = write_xlsx(f / "towers.xlsx", {"Hướng dẫn": cover, "Trạm BTS": xlsx_rows()})
    return (write_good_project(f, towers=name), "read sheet 'Trạm BTS'",
            _heights(_BASE_HEIGHTS))


def sheet_chosen_in_the_config(f: Path) -> tuple[Path, str, Check]:
    rows = xlsx_rows()
    name = write_xlsx(f / "towers.xlsx", {"2022": rows[:2], "2023": rows})
    return (write_good_project(f, towers=name, towers_sheet="2023"), "",
            _heights(_BASE_HEIGHTS))


def legacy_xls(f: Path) -> tuple[Path, str, Check]:
    name = write_xls(f / "towers.xls", xlsx_rows())
    return write_good_project(f, towers=name), "", _positions(_BASE_LONLAT)


def headings_and_totals(f: Path) -> tuple[Path, str, Check]:
    rows = ["Thành phố Pleiku;;;;;;", TOWERS[0], TOWERS[1], "Huyện Chư Păh;;;;;;", TOWERS[2],
            "Tổng cộng: 3 trạm;;;;;;", ";;;;Người lập biểu;;"]
    return _csv(f, rows), "below the list are not towers", _heights(_BASE_HEIGHTS)


# ---------------------------------------------------------------- encodings, names
def _shp(f: Path, name: str, encoding: str, cpg: str) -> Path:
    communes().to_file(f / name, encoding=encoding)
    (f / name).with_suffix(".cpg").write_text(cpg, encoding="ascii")
    return write_good_project(f, communes=name)


def _names_read_right(plan: Any) -> None:
    assert plan.province.communes["commune_name"].tolist() == [r[1] for r in COMMUNES]


def cpg_says_utf8_over_cp1258(f: Path) -> tuple[Path, str, Check]:
    return (_shp(f, "xa_1258.shp", "cp1258", "UTF-8"), "the .dbf's bytes are cp1258",
            _names_read_right)


def cpg_says_1252_over_cp1258(f: Path) -> tuple[Path, str, Check]:
    return (_shp(f, "xa_1252.shp", "cp1258", "1252"), "the .dbf's bytes are cp1258",
            _names_read_right)


def cpg_says_1258_over_utf8(f: Path) -> tuple[Path, str, Check]:
    return (_shp(f, "xa_utf8.shp", "utf-8", "1258"), "the .dbf's bytes are utf-8",
            _names_read_right)


def operators_by_branch_names(f: Path) -> tuple[Path, str, Check]:
    rows = [TOWERS[0].replace("Viettel", "Viettel Gia Lai"),
            TOWERS[1].replace("VNPT", "VNPT Gia Lai"),
            TOWERS[2].replace("MobiFone", "Chi nhánh MobiFone Gia Lai")]

    def check(plan: Any) -> None:
        assert _towers(plan)["operator"].tolist() == ["Viettel", "VinaPhone", "MobiFone"]
    return _csv(f, rows), "", check


def technologies_by_names(f: Path) -> tuple[Path, str, Check]:
    rows = [TOWERS[0].replace("2G,3G,4G", "GSM/WCDMA/LTE"),
            TOWERS[1].replace("3G,4G", "UMTS+LTE"), TOWERS[2].replace(";4G;", ";LTE;")]

    def check(plan: Any) -> None:
        assert _towers(plan)["technologies"].tolist() == ["2G,3G,4G", "3G,4G", "4G"]
    return _csv(f, rows), "", check


ACCEPTED_CASES: tuple[Accepted, ...] = (
    height_in_feet, height_ft_as_a_last_word, eirp_in_watts, frequency_in_ghz,
    communes_area_in_hectares, communes_population_in_thousands,
    communes_population_with_thousands_dots, vn2000_xy_with_thousands_dots,
    degrees_minutes_seconds, decimal_points_and_thousands_commas,
    swapped_columns_in_every_row, blank_heights_take_the_default, merged_sector_cells,
    two_row_header, numbering_and_units_rows, data_on_the_second_sheet,
    sheet_chosen_in_the_config, legacy_xls, headings_and_totals, cpg_says_utf8_over_cp1258,
    cpg_says_1252_over_cp1258, cpg_says_1258_over_utf8, operators_by_branch_names,
    technologies_by_names,
)

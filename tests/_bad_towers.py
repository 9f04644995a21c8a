"""Bad tower lists, as the operators' provincial branches and the department hand them
over: empty lists, heights of 0, units in the headers, Vietnamese number formats, blank
and merged cells, misplaced sectors, Excel workbooks (several sheets, two-row headers,
formulas, legacy .xls, web pages saved as .xls), legacy font encodings, odd operator and
technology names, placeholders for unknown coordinates. See tests/badinputs.py."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import rasterio
from pyproj import Transformer
from shapely.geometry import LineString, Point

from geotel.errors import (
    ConfigError,
    CRSError,
    DuplicateIdError,
    FileFormatError,
    GeometryError,
    SchemaError,
    StudyAreaError,
    ValueRangeError,
)
from tests._badbase import (
    TOWERS,
    TOWERS_HEADER,
    Case,
    Result,
    tcvn3,
    towers_csv,
    vni,
    write_dem,
    write_good_project,
    write_xls,
    write_xlsx,
)

__all__ = ["SECTORS", "SECTOR_HEADER", "TOWER_CASES", "xlsx_rows"]

#: A list of sectors: three per site, with azimuths.
SECTOR_HEADER = "Mã trạm;Nhà mạng;Kinh độ;Vĩ độ;Độ cao cột (m);Góc phương vị;Công nghệ"
SECTORS = [
    "GL001;Viettel;107,9800;14,0200;42;0;2G,3G,4G",
    "GL001;Viettel;107,9800;14,0200;42;120;2G,3G,4G",
    "GL001;Viettel;107,9800;14,0200;42;240;2G,3G,4G",
    "GL002;VNPT;108,0200;14,0300;36;0;3G,4G",
    "GL002;VNPT;108,0200;14,0300;36;120;3G,4G",
    "GL002;VNPT;108,0200;14,0300;36;240;3G,4G",
]


def _row(k: int, **change: str) -> str:
    """Tower row ``k`` of the base list with some cells changed (by header position)."""
    cells = TOWERS[k].split(";")
    names = ["site", "op", "lon", "lat", "h", "tech", "freq"]
    for key, value in change.items():
        cells[names.index(key)] = value
    return ";".join(cells)


def _csv(f: Path, rows: list[str], header: str = TOWERS_HEADER) -> Path:
    return write_good_project(f, towers=towers_csv(f, rows, header))


def xlsx_rows(header: list[str] | None = None) -> list[list[object]]:
    """The base towers as Excel rows (numbers as numbers)."""
    out: list[list[object]] = [header or ["Mã trạm", "Nhà mạng", "Kinh độ", "Vĩ độ",
                                          "Độ cao cột (m)", "Công nghệ", "Tần số (MHz)"]]
    for r in TOWERS:
        s, o, lo, la, h, t, fr = r.split(";")
        out.append([s, o, float(lo.replace(",", ".")), float(la.replace(",", ".")), float(h),
                    t, float(fr)])
    return out


# ------------------------------------------------------------- plan-only failures
def towers_header_only(f: Path) -> Result:
    return _csv(f, []), FileFormatError, "holds no towers"


def towers_file_empty(f: Path) -> Result:
    (f / "towers_empty.csv").write_bytes(b"")
    return write_good_project(f, towers="towers_empty.csv"), FileFormatError, "file is empty"


def towers_xlsx_header_only(f: Path) -> Result:
    name = write_xlsx(f / "towers.xlsx", {"Danh sách": xlsx_rows()[:1]})
    return write_good_project(f, towers=name), FileFormatError, "holds no towers"


def towers_layer_without_features(f: Path) -> Result:
    gpd.GeoDataFrame({"site_id": [], "operator": []}, geometry=gpd.GeoSeries([], crs=4326)
                     ).to_file(f / "towers_none.gpkg", layer="towers")
    return write_good_project(f, towers="towers_none.gpkg"), FileFormatError, "no towers"


def no_towers_given(f: Path) -> Result:
    return write_good_project(f, towers=None), FileFormatError, "no tower list given"


def tower_height_zero(f: Path) -> Result:
    return _csv(f, [_row(0, h="0"), *TOWERS[1:]]), ValueRangeError, "height_m = 0 "


def tower_height_half_metre(f: Path) -> Result:
    return _csv(f, [*TOWERS[:2], _row(2, h="0,5")]), ValueRangeError, "height_m = 0.5"


def tower_height_negative(f: Path) -> Result:
    return _csv(f, [_row(0, h="-30"), *TOWERS[1:]]), ValueRangeError, "height_m = -30"


def towers_only_5g(f: Path) -> Result:
    rows = [_row(k, tech="5G", freq="3500") for k in range(3)]
    return _csv(f, rows), ValueRangeError, "no tower has a technology the coverage predicts"


def carrier_outside_the_model(f: Path) -> Result:
    return (_csv(f, [*TOWERS[:2], _row(2, freq="3500")]), ValueRangeError,
            "outside the hata_deygout model")


def tower_on_a_dem_void(f: Path) -> Result:
    write_dem(f / "dem_void.tif")
    with rasterio.open(f / "dem_void.tif", "r+") as ds:
        z = ds.read(1)
        r, c = ds.index(107.98, 14.02)
        z[r - 10:r + 11, c - 10:c + 11] = -9999.0  # a void of 2.3 km x 2.3 km under GL001
        ds.write(z, 1)
    return (write_good_project(f, dem=["dem_void.tif"]), StudyAreaError,
            "void (no data) of the DEM")


# ---------------------------------------------------------------- units in headers
def height_unit_not_understood(f: Path) -> Result:
    return (_csv(f, TOWERS, TOWERS_HEADER.replace("(m)", "(yd)")), SchemaError,
            "unit '(yd)' in the header 'Độ cao cột (yd)' is not understood")


def frequency_in_hertz(f: Path) -> Result:
    return (_csv(f, TOWERS, TOWERS_HEADER.replace("(MHz)", "(Hz)")), SchemaError,
            "unit '(Hz)'")


def eirp_in_dbi(f: Path) -> Result:
    rows = [r + ";18" for r in TOWERS]
    return (_csv(f, rows, TOWERS_HEADER + ";Công suất phát xạ (dBi)"), SchemaError,
            "unit '(dBi)'")


def azimuth_in_radians(f: Path) -> Result:
    rows = [r + ";1,57" for r in TOWERS]
    return (_csv(f, rows, TOWERS_HEADER + ";Góc phương vị (rad)"), SchemaError,
            "unit '(rad)'")


def eirp_of_zero_watts(f: Path) -> Result:
    rows = [TOWERS[0] + ";0", *(r + ";200" for r in TOWERS[1:])]
    return (_csv(f, rows, TOWERS_HEADER + ";EIRP (W)"), ValueRangeError,
            "cannot be converted to eirp_dbm")


# ---------------------------------------------------------------- number formats
_DMS_HEADER = "Mã trạm;Nhà mạng;Kinh độ;Vĩ độ;Độ cao cột (m);Công nghệ;Tần số (MHz)"


def ambiguous_frequency(f: Path) -> Result:
    # coordinates in degrees-minutes-seconds show no decimal mark: "1.800" is ambiguous
    rows = ["GL001;Viettel;107°58'48\";14°01'12\";42;2G,3G,4G;900",
            "GL002;VNPT;108°01'12\";14°01'48\";36;3G,4G;1.800",
            "GL003;MobiFone;107°59'24\";13°58'12\";30;4G;1.800"]
    return _csv(f, rows, _DMS_HEADER), ValueRangeError, "'1.800' is ambiguous"


def heights_mixed_conventions(f: Path) -> Result:
    rows = [_row(0, h="42.5"), _row(1, h="36,5"), TOWERS[2]]
    return _csv(f, rows), ValueRangeError, "mixes decimal points"


def height_with_unit_in_cell(f: Path) -> Result:
    return _csv(f, [_row(0, h="40m"), *TOWERS[1:]]), SchemaError, "'40m' has the wrong type"


def height_unknown_in_words(f: Path) -> Result:
    return (_csv(f, [*TOWERS[:1], _row(1, h="không rõ"), TOWERS[2]]), SchemaError,
            "'không rõ' has the wrong type")


def frequency_as_band_name(f: Path) -> Result:
    return _csv(f, [*TOWERS[:2], _row(2, freq="B3")]), SchemaError, "'B3' has the wrong type"


def comma_decimals_in_comma_csv(f: Path) -> Result:
    rows = ["GL001,Viettel,107,9800,14,0200,42", "GL002,VNPT,108,0200,14,0300,36"]
    name = towers_csv(f, rows, "Mã trạm,Nhà mạng,Kinh độ,Vĩ độ,Độ cao cột (m)")
    return write_good_project(f, towers=name), FileFormatError, "more cells than the header"


def coordinates_scaled_integers(f: Path) -> Result:
    # an export that dropped the decimal mark: 107,9800 became 1079800
    return (_csv(f, [_row(0, lon="1079800", lat="140200"), *TOWERS[1:]]), ValueRangeError,
            "not a valid position")


def coordinates_zero_placeholder(f: Path) -> Result:
    return (_csv(f, [*TOWERS[:2], _row(2, lon="0", lat="0")]), ValueRangeError,
            "0 / 0: a placeholder")


# ------------------------------------------------------------------------- blanks
def blank_site_id(f: Path) -> Result:
    return _csv(f, [_row(0, site=""), *TOWERS[1:]]), SchemaError, "'site_id' is empty"


def blank_operator(f: Path) -> Result:
    return _csv(f, [TOWERS[0], _row(1, op=""), TOWERS[2]]), SchemaError, "'operator' is empty"


def blank_coordinates(f: Path) -> Result:
    return (_csv(f, [*TOWERS[:2], _row(2, lon="", lat="")]), SchemaError,
            "the tower has no coordinates")


def blank_latitude(f: Path) -> Result:
    return (_csv(f, [_row(0, lat=""), *TOWERS[1:]]), SchemaError,
            "'Vĩ độ' is empty")


def merged_site_cells_lost_in_csv(f: Path) -> Result:
    rows = [*SECTORS[:3], SECTORS[3], ";;;;;120;3G,4G", ";;;;;240;3G,4G"]
    return (_csv(f, rows, SECTOR_HEADER), SchemaError,
            "have no site id under 'GL002' in row 5: this looks like merged cells")


def merged_site_cells_lost_in_xls(f: Path) -> Result:
    head = SECTOR_HEADER.split(";")
    rows: list[list[object]] = [head]
    for r in SECTORS:
        s, o, lo, la, h, az, t = r.split(";")
        rows.append([s, o, float(lo.replace(",", ".")), float(la.replace(",", ".")),
                     float(h), float(az), t])
    for r in (5, 6):  # the cells under GL002, as a merge saved without values leaves them
        rows[r][:5] = [None] * 5
    name = write_xls(f / "towers.xls", rows)
    return write_good_project(f, towers=name), SchemaError, "looks like merged cells"


# ---------------------------------------------------------------- misplaced sectors
def sector_2km_from_its_site(f: Path) -> Result:
    rows = [*SECTORS[:4], SECTORS[4].replace("108,0200", "108,0385"), SECTORS[5]]
    return (_csv(f, rows, SECTOR_HEADER), ValueRangeError,
            "the sectors of site GL002 lie 2000 m apart (row 6 lies 2000 m from the others)")


def two_sites_given_one_id(f: Path) -> Result:
    rows = [*SECTORS[:3], "GL001;Viettel;108,0200;13,9700;40;0;4G",
            "GL001;Viettel;108,0200;13,9700;40;180;4G"]
    return (_csv(f, rows, SECTOR_HEADER), ValueRangeError,
            "(rows 5, 6 lie 7026 m from the others)")


# ------------------------------------------------------------------------- Excel
def two_row_header_without_names(f: Path) -> Result:
    rows: list[list[object]] = [
        ["STT", "Trạm", None, "Tọa độ", None, "Độ cao cột (m)"],
        [None, "Số hiệu", "Đơn vị", "Kinh độ", "Vĩ độ", None],
    ]
    for k, r in enumerate(xlsx_rows()[1:], start=1):
        rows.append([k, r[0], r[1], r[2], r[3], r[4]])
    name = write_xlsx(f / "towers.xlsx", {"Sheet1": rows},
                      merges={"Sheet1": ["A1:A2", "B1:C1", "D1:E1", "F1:F2"]})
    return (write_good_project(f, towers=name), SchemaError,
            "not found in the header (rows 1–2")


def two_sheets_with_towers(f: Path) -> Result:
    rows = xlsx_rows()
    name = write_xlsx(f / "towers.xlsx", {"Viettel": rows[:2], "VNPT": [rows[0], rows[2]]})
    return (write_good_project(f, towers=name), FileFormatError,
            "2 sheets hold a tower list: 'Viettel', 'VNPT'")


def towers_sheet_not_found(f: Path) -> Result:
    name = write_xlsx(f / "towers.xlsx", {"Danh sách": xlsx_rows()})
    return (write_good_project(f, towers=name, towers_sheet="Trạm BTS"), ConfigError,
            "sheet 'Trạm BTS' not found")


def formulas_without_values(f: Path) -> Result:
    rows = xlsx_rows()
    for r in rows[1:]:
        r[2] = f"=107+{r[2] - 107:.4f}"  # openpyxl saves formulas without their values
    name = write_xlsx(f / "towers.xlsx", {"Sheet1": rows})
    return (write_good_project(f, towers=name), FileFormatError,
            "column 'Kinh độ' holds formulas whose values were never saved")


def xls_that_is_a_web_page(f: Path) -> Result:
    html = "<html><body><table><tr><td>Mã trạm</td><td>Kinh độ</td></tr></table></body></html>"
    (f / "towers.xls").write_text(html, encoding="utf-8")
    return write_good_project(f, towers="towers.xls"), FileFormatError, "a web page"


def xls_corrupt(f: Path) -> Result:
    (f / "towers.xls").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(range(256)) * 4)
    return (write_good_project(f, towers="towers.xls"), FileFormatError,
            "not a readable Excel 97–2003 workbook")


def xlsx_not_a_workbook(f: Path) -> Result:
    (f / "towers.xlsx").write_text("Mã trạm;Kinh độ\nGL001;107,98\n", encoding="utf-8")
    return (write_good_project(f, towers="towers.xlsx"), FileFormatError,
            "not a readable Excel workbook")


def xlsx_without_header(f: Path) -> Result:
    rows = [r[2:5] for r in xlsx_rows()[1:]]
    name = write_xlsx(f / "towers.xlsx", {"Sheet1": rows})
    return write_good_project(f, towers=name), SchemaError, "no coordinate columns found"


def towers_as_ods(f: Path) -> Result:
    (f / "towers.ods").write_bytes(b"PK\x03\x04 not really")
    return write_good_project(f, towers="towers.ods"), FileFormatError, "unsupported format"


def towers_as_word_document(f: Path) -> Result:
    (f / "Danh sach tram.docx").write_bytes(b"PK\x03\x04 a Word table")
    return (write_good_project(f, towers="Danh sach tram.docx"), FileFormatError,
            "unsupported format '.docx'")


def xy_under_merged_header_without_crs(f: Path) -> Result:
    to = Transformer.from_crs(4326, 9218, always_xy=True)
    rows: list[list[object]] = [["Mã trạm", "Nhà mạng", "Tọa độ (VN-2000)", None],
                                [None, None, "X", "Y"]]
    for r in xlsx_rows()[1:]:
        e, n = to.transform(r[2], r[3])
        rows.append([r[0], r[1], round(n, 2), round(e, 2)])
    name = write_xlsx(f / "towers.xlsx", {"Sheet1": rows}, merges={"Sheet1": ["C1:D1"]})
    return write_good_project(f, towers=name), CRSError, "inputs.towers_crs"


# --------------------------------------------------------------------- encodings
def towers_csv_in_tcvn3(f: Path) -> Result:
    text = "\n".join([TOWERS_HEADER, *TOWERS]) + "\n"
    (f / "towers_abc.csv").write_bytes(tcvn3(text).encode("latin-1"))
    return write_good_project(f, towers="towers_abc.csv"), FileFormatError, "TCVN3 (ABC)"


def towers_csv_in_vni(f: Path) -> Result:
    text = "\n".join([TOWERS_HEADER, *TOWERS]) + "\n"
    (f / "towers_vni.csv").write_bytes(vni(text).encode("cp1252"))
    return write_good_project(f, towers="towers_vni.csv"), FileFormatError, "VNI"


def towers_xlsx_with_tcvn3_cells(f: Path) -> Result:
    rows = xlsx_rows()
    rows[0].append("Địa chỉ")
    for r, place in zip(rows[1:], ("Phường Yên Đỗ", "Phường Diên Hồng", "Phường Ia Kring"),
                        strict=True):
        r.append(tcvn3(place))
    name = write_xlsx(f / "towers.xlsx", {"Sheet1": rows})
    return (write_good_project(f, towers=name), FileFormatError,
            "TCVN3 (ABC) encoding of the old Vietnamese fonts")


def towers_csv_saved_without_vietnamese(f: Path) -> Result:
    header = TOWERS_HEADER.encode("cp1252", errors="replace").decode("cp1252")
    (f / "towers_ansi.csv").write_text("\n".join([header, *TOWERS]) + "\n", encoding="cp1252")
    return (write_good_project(f, towers="towers_ansi.csv"), SchemaError,
            "'?' in place of Vietnamese letters")


# -------------------------------------------------------- operators, technologies
def operator_misspelt(f: Path) -> Result:
    return (_csv(f, [_row(0, op="Viettell"), *TOWERS[1:]]), ValueRangeError,
            "unknown operator 'Viettell'")


def operator_two_names_in_one_cell(f: Path) -> Result:
    return (_csv(f, [_row(0, op="Viettel, VNPT"), *TOWERS[1:]]), ValueRangeError,
            "unknown operator 'Viettel, VNPT'")


def technology_cdma(f: Path) -> Result:
    return (_csv(f, [*TOWERS[:2], _row(2, tech="CDMA")]), ValueRangeError,
            "unknown technology list 'CDMA'")


def _with_column(f: Path, header: str, values: list[str]) -> Path:
    rows = [f"{r};{v}" for r, v in zip(TOWERS, values, strict=True)]
    return _csv(f, rows, f"{TOWERS_HEADER};{header}")


def azimuth_out_of_range(f: Path) -> Result:
    return (_with_column(f, "Góc phương vị (độ)", ["0", "400", "240"]), ValueRangeError,
            "azimuth_deg = 400")


def beamwidth_zero(f: Path) -> Result:
    return (_with_column(f, "Độ rộng búp sóng", ["65", "0", "65"]), ValueRangeError,
            "beamwidth_deg = 0")


def tilt_out_of_range(f: Path) -> Result:
    return _with_column(f, "Góc nghiêng", ["2", "4", "45"]), ValueRangeError, "tilt_deg = 45"


def eirp_out_of_range(f: Path) -> Result:
    return (_with_column(f, "EIRP (dBm)", ["58", "95", "58"]), ValueRangeError,
            "eirp_dbm = 95")


def sector_id_zero(f: Path) -> Result:
    return _with_column(f, "Sector", ["0", "1", "1"]), ValueRangeError, "sector_id = 0"


def duplicate_rows_copy_pasted(f: Path) -> Result:
    return _csv(f, [*TOWERS, TOWERS[1]]), DuplicateIdError, "GL002"


# ------------------------------------------------------------------ positions, CRS
def towers_of_another_province(f: Path) -> Result:
    # the Kon Tum list: about 35 km north of the communes, beyond the coverage radius
    rows = [_row(k, lat=f"14,{36 + k}00") for k in range(3)]
    return _csv(f, rows), StudyAreaError, "outside the study area"


def towers_vn2000_in_the_wrong_zone(f: Path) -> Result:
    to = Transformer.from_crs(4326, 9218, always_xy=True)
    rows = []
    for r in TOWERS:
        s, o, lo, la, h, t, fr = r.split(";")
        e, n = to.transform(float(lo.replace(",", ".")), float(la.replace(",", ".")))
        rows.append(f"{s};{o};{n:.2f};{e:.2f};{h};{t};{fr}".replace(".", ","))
    name = towers_csv(f, rows, "Mã trạm;Nhà mạng;X;Y;Độ cao cột (m);Công nghệ;Tần số (MHz)")
    # the list is in TM-3 108°30', the config says 107°30'
    return (write_good_project(f, towers=name, towers_crs="EPSG:9216"), StudyAreaError,
            "outside the study area")


def towers_layer_of_lines(f: Path) -> Result:
    gpd.GeoDataFrame({"ma_tram": ["GL001"], "nha_mang": ["Viettel"]},
                     geometry=[LineString([(107.98, 14.02), (107.99, 14.02)])],
                     crs=4326).to_file(f / "towers_lines.geojson", driver="GeoJSON")
    return (write_good_project(f, towers="towers_lines.geojson"), GeometryError,
            "expected Point")


def towers_shapefile_without_prj(f: Path) -> Result:
    gpd.GeoDataFrame({"ma_tram": ["GL001"], "nha_mang": ["Viettel"]},
                     geometry=[Point(107.98, 14.02)], crs=4326).to_file(f / "bts.shp")
    (f / "bts.prj").unlink()
    return write_good_project(f, towers="bts.shp"), CRSError, "no CRS"


def towers_path_is_a_folder(f: Path) -> Result:
    (f / "towers_folder").mkdir()
    return (write_good_project(f, towers="towers_folder"), ConfigError,
            "is a folder, not a file")


TOWER_CASES: tuple[Case, ...] = (
    towers_header_only, towers_file_empty, towers_xlsx_header_only,
    towers_layer_without_features, no_towers_given, tower_height_zero,
    tower_height_half_metre, tower_height_negative, towers_only_5g, carrier_outside_the_model,
    tower_on_a_dem_void, height_unit_not_understood, frequency_in_hertz, eirp_in_dbi,
    azimuth_in_radians, eirp_of_zero_watts, ambiguous_frequency, heights_mixed_conventions,
    height_with_unit_in_cell, height_unknown_in_words, frequency_as_band_name,
    comma_decimals_in_comma_csv, coordinates_scaled_integers, coordinates_zero_placeholder,
    blank_site_id, blank_operator, blank_coordinates, blank_latitude,
    merged_site_cells_lost_in_csv, merged_site_cells_lost_in_xls, sector_2km_from_its_site,
    two_sites_given_one_id, two_row_header_without_names, two_sheets_with_towers,
    towers_sheet_not_found, formulas_without_values, xls_that_is_a_web_page, xls_corrupt,
    xlsx_not_a_workbook, xlsx_without_header, towers_as_ods, towers_as_word_document,
    xy_under_merged_header_without_crs, towers_csv_in_tcvn3, towers_csv_in_vni,
    towers_xlsx_with_tcvn3_cells, towers_csv_saved_without_vietnamese, operator_misspelt,
    operator_two_names_in_one_cell, technology_cdma, azimuth_out_of_range, beamwidth_zero,
    tilt_out_of_range, eirp_out_of_range, sector_id_zero, duplicate_rows_copy_pasted,
    towers_of_another_province, towers_vn2000_in_the_wrong_zone, towers_layer_of_lines,
    towers_shapefile_without_prj, towers_path_is_a_folder,
)

"""Tower lists: CSV and Excel, Vietnamese headers, decimal commas, swapped coordinates,
VN-2000 X/Y."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import openpyxl
import pyproj
import pytest

from geotel.errors import CRSError, FileFormatError, ValidationReport, ValueRangeError
from geotel.io import read_tower_table, read_towers
from geotel.io._files import parse_number
from geotel.schema import LAYERS

SITES = [("GL001", "Viettel", 108.0123, 13.9812, 42.5), ("GL002", "VNPT", 107.8801, 14.2205, 36.0),
         ("GL003", "MobiFone", 108.4456, 13.6021, 30.0)]
GEOD = pyproj.Geod(ellps="WGS84")


TONES = "\u0300\u0301\u0303\u0309\u0323"


def _to_cp1258(text: str) -> bytes:
    """cp1258 as Windows writes it: base letters precomposed, tone marks combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def _csv(path: Path, rows: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8",
         bom: bool = False) -> Path:
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    data = _to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _vn_rows(comma: bool = True) -> list[list[str]]:
    def num(v: float) -> str:
        s = f"{v:.4f}".rstrip("0").rstrip(".")
        return s.replace(".", ",") if comma else s

    rows = [["Mã trạm", "Nhà mạng", "Kinh độ", "Vĩ độ", "Độ cao cột (m)", "Công nghệ"]]
    rows += [[s, o, num(lo), num(la), num(h), "2G/3G/4G"] for s, o, lo, la, h in SITES]
    return rows


def _check(towers, *, crs_epsg: int = 4326) -> None:
    assert towers["site_id"].tolist() == [s[0] for s in SITES]
    assert towers["operator"].tolist() == ["Viettel", "VinaPhone", "MobiFone"]
    assert towers["height_m"].tolist() == [s[4] for s in SITES]
    assert towers["technologies"].tolist() == ["2G,3G,4G"] * 3
    assert towers.crs.to_epsg() == crs_epsg
    g = towers.to_crs(4326).geometry
    for (_, _, lo, la, _), p in zip(SITES, g, strict=True):
        assert GEOD.inv(lo, la, p.x, p.y)[2] < 0.01
    assert list(towers.columns[: len(LAYERS["towers"].names)]) == LAYERS["towers"].names


@pytest.mark.parametrize(("delimiter", "comma", "bom", "encoding"), [
    (";", True, False, "utf-8"),
    (";", True, True, "utf-8"),
    ("\t", True, False, "utf-8"),
    (",", False, True, "utf-8"),
    (";", True, False, "cp1258"),
])
def test_csv_variants(tmp_path: Path, delimiter: str, comma: bool, bom: bool,
                      encoding: str) -> None:
    path = _csv(tmp_path / "bts.csv", _vn_rows(comma), delimiter=delimiter, encoding=encoding,
                bom=bom)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    _check(read_towers(path, crs="EPSG:32649"), crs_epsg=32649)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_unaccented_english_and_odd_spacing(tmp_path: Path) -> None:
    rows = [["  MA TRAM ", "nha_mang", "KINH_DO", "vi do", "Do Cao Cot", "cong nghe"]]
    rows += [[s, o, f"{lo}", f"{la}", f"{h}", "2G/3G/4G"] for s, o, lo, la, h in SITES]
    _check(read_tower_table(_csv(tmp_path / "a.csv", rows, delimiter=",")))
    rows[0] = ["site_id", "operator", "longitude", "latitude", "height_m", "technologies"]
    _check(read_tower_table(_csv(tmp_path / "b.csv", rows, delimiter=",")))


def test_excel_with_vietnamese_headers_title_row_and_decimal_commas(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH TRẠM BTS TỈNH GIA LAI"])  # a title row above the header
    ws.append([])
    ws.append(["STT", "Mã trạm", "Nhà mạng", "Kinh độ", "Vĩ độ", "Độ cao cột (m)", "Công nghệ",
               "Tần số (MHz)", "Góc phương vị"])
    for k, (s, o, lo, la, h) in enumerate(SITES, start=1):
        # Text cells with decimal commas for two columns, a real number for the height.
        ws.append([k, s, o, str(lo).replace(".", ","), str(la).replace(".", ","), h,
                   "2G, 3G, 4G", "1800", "0"])
    wb.save(tmp_path / "bts.xlsx")
    towers = read_towers(tmp_path / "bts.xlsx")
    _check(towers)
    assert towers["freq_mhz"].tolist() == [1800.0] * 3
    assert towers["_row"].tolist() == [4, 5, 6]  # lines in the sheet, for messages


def test_all_rows_swapped_are_swapped_back(tmp_path: Path) -> None:
    rows = _vn_rows()
    for r in rows[1:]:
        r[2], r[3] = r[3], r[2]
    rep = ValidationReport()
    towers = read_tower_table(_csv(tmp_path / "swapped.csv", rows), report=rep)
    assert rep.ok
    _check(towers)
    assert any("swapped in every row" in p.message for p in rep.warnings)


def test_some_rows_swapped_is_an_error_naming_them(tmp_path: Path) -> None:
    rows = _vn_rows()
    rows[2][2], rows[2][3] = rows[2][3], rows[2][2]
    with pytest.raises(ValueRangeError, match=r"GL002 \(row 3\)") as info:
        read_tower_table(_csv(tmp_path / "mixed.csv", rows))
    assert "mixed.csv" in str(info.value)
    assert "Fix:" in str(info.value)


def test_out_of_range_coordinates(tmp_path: Path) -> None:
    rows = _vn_rows()
    rows[1][2] = "1080,123"
    with pytest.raises(ValueRangeError, match="not a valid position"):
        read_tower_table(_csv(tmp_path / "far.csv", rows))


def _projected_rows(header: tuple[str, str], northing_first: bool) -> list[list[str]]:
    fwd = pyproj.Transformer.from_crs(4326, 9218, always_xy=True)
    rows = [["Mã trạm", "Nhà mạng", *header, "Độ cao cột", "Công nghệ"]]
    for s, o, lo, la, h in SITES:
        e, n = fwd.transform(lo, la)
        a, b = (n, e) if northing_first else (e, n)
        rows.append([s, o, f"{a:.3f}".replace(".", ","), f"{b:.3f}".replace(".", ","),
                     str(h), "2G,3G,4G"])
    return rows


@pytest.mark.parametrize("header", [("X (m)", "Y (m)"), ("Tọa độ X", "Tọa độ Y")])
@pytest.mark.parametrize("northing_first", [False, True])
def test_vn2000_xy_with_source_crs(tmp_path: Path, northing_first: bool,
                                   header: tuple[str, str]) -> None:
    """X/Y in VN-2000 / TM-3 108-30. Vietnamese surveys call the northing X: that list is
    right, and gets one note, no warning and no fix."""
    rows = _projected_rows(header, northing_first)
    rep = ValidationReport()
    towers = read_tower_table(_csv(tmp_path / "vn2000.csv", rows), source_crs="EPSG:9218",
                              crs="EPSG:32649", report=rep)
    assert rep.ok
    _check(towers, crs_epsg=32649)
    assert rep.warnings == []
    notes = [p for p in rep if p.severity == "info"]
    assert len(notes) == int(northing_first)
    if northing_first:
        assert "northing" in notes[0].message
        assert "convention" in notes[0].message
        assert notes[0].fix == ""
        assert "swap" not in str(notes[0])


def test_easting_northing_headers_swapped_still_warn(tmp_path: Path) -> None:
    """Headers that say easting/northing and hold each other's values are swapped."""
    rows = _projected_rows(("Easting", "Northing"), northing_first=True)
    rep = ValidationReport()
    towers = read_tower_table(_csv(tmp_path / "en.csv", rows), source_crs="EPSG:9218",
                              crs="EPSG:32649", report=rep)
    _check(towers, crs_epsg=32649)
    assert [p.message for p in rep.warnings if "swapped in every row" in p.message]
    assert "swap the headers" in rep.warnings[0].fix


def test_projected_without_source_crs(tmp_path: Path) -> None:
    rows = [["Mã trạm", "Nhà mạng", "X", "Y"], ["A", "Viettel", "450000", "1548000"]]
    with pytest.raises(CRSError, match="towers_crs"):
        read_tower_table(_csv(tmp_path / "xy.csv", rows))


def test_unsupported_and_missing(tmp_path: Path) -> None:
    (tmp_path / "a.ods").write_bytes(b"x")
    with pytest.raises(FileFormatError, match="unsupported"):
        read_tower_table(tmp_path / "a.ods")
    with pytest.raises(FileFormatError, match="not found"):
        read_tower_table(tmp_path / "none.csv")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(FileFormatError, match="Excel"):
        read_tower_table(tmp_path / "bad.xlsx")


@pytest.mark.parametrize(("text", "value"), [
    ("108,25", 108.25), ("108.25", 108.25), ("1.523.456,7", 1523456.7),
    ("1,523,456.7", 1523456.7), (" 42 ", 42.0), ("1.234.567", 1234567.0),
])
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


def test_parse_number_rejects_text() -> None:
    with pytest.raises(ValueError, match="could not convert"):
        parse_number("bốn mươi")


def test_decode_text_fallbacks() -> None:
    from geotel.io._files import decode_text

    assert decode_text("Mã trạm".encode())[1] == "utf-8"
    assert decode_text(b"\xef\xbb\xbf" + "Mã trạm".encode()) == ("Mã trạm", "utf-8-sig")
    assert decode_text(_to_cp1258("Mã trạm;Độ cao cột")) == ("Mã trạm;Độ cao cột", "cp1258")

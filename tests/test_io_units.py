"""Units in headers, number conventions and legacy encodings, against hand computations."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyogrio
import pytest

from geotel.io._encodings import best_decoding, legacy_encoding
from geotel.io._files import number_convention, parse_column
from geotel.io._units import UnitError, header_multiplier, header_unit
from tests._badbase import cp1258, tcvn3, vni


@pytest.mark.parametrize(("header", "column", "value", "expected"), [
    ("Độ cao cột (ft)", "height_m", 100.0, 30.48),  # 1 ft = 0.3048 m exactly
    ("Chiều cao (m, so với mặt đất)", "height_m", 42.0, 42.0),
    ("Tần số (GHz)", "freq_mhz", 1.8, 1800.0),
    ("Tần số (kHz)", "freq_mhz", 900_000.0, 900.0),
    ("EIRP (dBW)", "eirp_dbm", 28.0, 58.0),  # dBm = dBW + 30
    ("EIRP (W)", "eirp_dbm", 1000.0, 60.0),  # 1 kW = 60 dBm
    ("EIRP (mW)", "eirp_dbm", 1.0, 0.0),  # 1 mW = 0 dBm
    ("Diện tích (ha)", "area_km2", 2950.0, 29.5),  # 100 ha = 1 km²
    ("Diện tích (m²)", "area_km2", 2_500_000.0, 2.5),
    ("Diện tích (km2)", "area_km2", 29.5, 29.5),
    ("Góc phương vị (°)", "azimuth_deg", 120.0, 120.0),
    ("Dân số (nghìn người)", "population", 12.5, 12_500.0),
])
def test_units_convert_by_hand(header: str, column: str, value: float, expected: float
                               ) -> None:
    unit = header_unit(header, column)
    assert unit is not None
    assert unit.convert(np.array([value]))[0] == pytest.approx(expected)
    assert unit.warn == ("ft" in header)  # only feet are warned about


@pytest.mark.parametrize(("header", "column"), [
    ("Độ cao (yd)", "height_m"), ("EIRP (dBi)", "eirp_dbm"), ("Diện tích (mẫu)", "area_km2"),
    ("Dân số (hộ)", "population"), ("Tần số (Hz)", "freq_mhz"), ("Độ cao (m hoặc ft)", "height_m"),
])
def test_units_not_understood_name_the_header(header: str, column: str) -> None:
    with pytest.raises(UnitError, match=header.replace("(", r"\(").replace(")", r"\)")):
        header_unit(header, column)


def test_no_unit_and_words_that_are_not_units() -> None:
    assert header_unit("Độ cao cột", "height_m") is None
    assert header_unit("Dân số (2019)", "population") is None
    assert header_unit("X (VN-2000)", "x") is None
    assert header_unit("Mã trạm (*)", "site_id") is None
    assert header_multiplier("Dân số (1000 người)") == 1000.0


def test_numbers_by_the_column_then_the_table_convention() -> None:
    values, problems = parse_column(["1.523.456", "523.456", "42"])
    assert values.tolist() == [1523456.0, 523456.0, 42.0]
    assert problems == []
    # 523.456 alone is ambiguous; the table's decimal commas decide it
    values, problems = parse_column(["523.456"])
    assert math.isnan(values[0])
    assert problems[0].kind == "format"
    assert parse_column(["523.456"], decimal=",")[0].tolist() == [523456.0]
    assert number_convention(["107,98", "14,02"]) == ","
    assert number_convention(["107.98", "14,02"]) is None  # both: no convention
    values, problems = parse_column(["42.5", "36,5", "x"])
    assert [(p.position, p.kind) for p in problems] == [(1, "format"), (2, "type")]


def test_legacy_encodings_recognised_and_unicode_left_alone() -> None:
    words = ["Mã trạm", "Nhà mạng", "Kinh độ", "Vĩ độ", "Phường Yên Đỗ", "Xã Ia Dêr"]
    assert legacy_encoding(words) is None
    assert legacy_encoding([tcvn3(w) for w in words]).name == "TCVN3 (ABC)"
    assert legacy_encoding([vni(w) for w in words]).name == "VNI"


def test_a_cpg_that_names_the_wrong_code_page() -> None:
    raw = cp1258("Phường Yên Đỗ Thị trấn Kbang Xã Ia Dêr")
    assert best_decoding(raw, "utf-8") == ("cp1258", True)
    assert best_decoding(raw, "cp1252") == ("cp1258", True)
    assert best_decoding(raw, "cp1258") == ("cp1258", False)
    assert best_decoding("Đắk Đoa".encode(), "cp1258") == ("utf-8", True)
    assert best_decoding(b"Pleiku", "cp1252") == ("cp1252", False)


@pytest.mark.realdata
def test_no_legacy_encoding_in_the_real_names(real_data: Path) -> None:
    """The real commune and district names (Unicode) are not taken for TCVN3 or VNI."""
    g = pyogrio.read_dataframe(real_data / "communes.gpkg", layer="communes_clean",
                               read_geometry=False)
    for col in g.columns:
        if g[col].dtype == object:
            assert legacy_encoding(g[col].tolist()) is None, col

"""Vector readers on the real Gia Lai data and on files written here in every format."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from geotel.errors import (
    CRSError,
    FileFormatError,
    SchemaError,
    ValidationReport,
    ValueRangeError,
)
from geotel.io import (
    empty_layer,
    read_communes,
    read_districts,
    read_exclusion_zones,
    read_fiber,
    read_roads,
    read_towers,
    read_vector,
)
from geotel.schema import LAYERS

NAMES = ["Xã Ia Kring", "Phường Yên Đỗ", "Thị trấn Chư Păh", "Xã Đắk Kơ Ning"]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


# ---------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def clean(real_data: Path) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    rep = ValidationReport()
    return read_communes(real_data / "communes.gpkg", layer="communes_clean",
                         crs="EPSG:32649", report=rep), rep


def test_communes_clean_222_with_220_codes(clean) -> None:
    communes, rep = clean
    assert len(communes) == 222
    assert rep.ok
    codes = communes["commune_code"]
    assert codes.str.fullmatch(r"\d{5}").sum() == 220
    assert codes.is_unique
    assert communes.crs.to_epsg() == 32649
    assert list(communes.columns[: len(LAYERS["communes"].names)]) == LAYERS["communes"].names
    # Float codes became zero-padded strings; district codes have 3 digits.
    row = communes.loc[communes["commune_name"] == "Phường Yên Đỗ"].iloc[0]
    assert row["commune_code"] == "23557"
    assert row["district_code"] == "622"
    assert communes["district_code"].str.fullmatch(r"\d{3}").all()


def test_communes_without_code_kept_and_reported(clean) -> None:
    communes, rep = clean
    nocode = communes[~communes["commune_code"].str.fullmatch(r"\d{5}")]
    assert sorted(nocode["commune_name"]) == ["Xã Chư HDrông", "Xã Chư Jôr"]
    assert nocode["commune_code"].str.startswith("NOCODE-").all()
    assert sorted(nocode["district_code"]) == ["622", "627"]  # Pleiku, Chư Păh
    warned = [p for p in rep.warnings if p.column == "commune_code"]
    assert {p.feature for p in warned} == {"Xã Chư HDrông", "Xã Chư Jôr"}


def test_communes_area_matches_province(clean) -> None:
    communes, _ = clean
    # README: the province is 15,511 km² from these polygons (official ~15,510 km²).
    assert communes["area_km2"].sum() == pytest.approx(15_511, rel=0.002)
    assert shapely.is_valid(communes.geometry.array).all()


def test_raw_communes_repaired_and_reported(real_data: Path) -> None:
    path = real_data / "communes.gpkg"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    rep = ValidationReport()
    communes = read_communes(path, layer="communes", crs="EPSG:32649", report=rep)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert len(communes) == 222
    assert rep.ok
    text = " ".join(p.message for p in rep.warnings)
    overlaps = next(p for p in rep.warnings if "overlaps between communes" in p.message)
    holes = next(p for p in rep.warnings if "sliver holes" in p.message)
    n_overlaps = int(overlaps.message.split()[0])
    n_holes = int(holes.message.split()[0])
    assert 400 <= n_overlaps <= 500, text  # pairs; README: ~25 km² of overlaps
    assert 970 <= n_holes <= 1000, text    # README: 991 sliver holes
    km2 = float(overlaps.message.split("(")[1].split()[0])
    assert 20 <= km2 <= 30
    # After the repair: no overlap and no hole left (independent check with shapely).
    geoms = communes.geometry.array
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    overlap_m2 = shapely.area(shapely.intersection(geoms[i[keep]], geoms[j[keep]])).sum()
    assert overlap_m2 < 5_000  # numerical slivers only (< 0.005 km² in total)
    union = shapely.union_all(geoms)
    holes_left = [r for p in shapely.get_parts(union) for r in p.interiors
                  if shapely.Polygon(r).area > 100]
    assert holes_left == []
    assert communes["area_km2"].sum() == pytest.approx(15_511, rel=0.003)


def test_max_gap_controls_the_filling(real_data: Path) -> None:
    rep = ValidationReport()
    read_communes(real_data / "communes.gpkg", layer="communes", report=rep,
                  max_gap_km2=0.01)
    left = next(p for p in rep.warnings if "larger than" in p.message)
    assert int(left.message.split()[0]) > 300


def test_districts_2009_census(real_data: Path) -> None:
    d = read_districts(real_data / "districts_2009_census.gpkg", crs="EPSG:32649")
    assert len(d) == 17
    assert d["population"].sum() == 1_257_875
    assert d["district_code"].str.fullmatch(r"6\d\d").all()
    assert d["district_code"].is_unique
    assert d.loc[d["district_name"] == "Pleiku", "district_code"].item() == "622"
    assert d["area_km2"].sum() == pytest.approx(15_510, rel=0.03)
    assert d.crs.to_epsg() == 32649


def test_roads_main(real_data: Path) -> None:
    rep = ValidationReport()
    roads = read_roads(real_data / "roads_main.gpkg", crs="EPSG:32649", report=rep)
    assert rep.ok
    assert len(roads) == 22  # 24 lines, two of them railway
    assert any("railway" in p.message for p in rep.warnings)
    assert set(roads["road_class"]) == {"national", "provincial"}
    assert roads["road_id"].is_unique
    names = set(roads["name"])
    assert {"Quốc lộ 14", "Quốc lộ 19", "Quốc lộ 25", "Quốc lộ 14C"} <= names
    assert roads.crs.to_epsg() == 32649
    # Lengths in metres agree with geodesic lengths of the lon/lat source (UTM scale).
    src = read_vector(real_data / "roads_main.gpkg")
    geod = pyproj.Geod(ellps="WGS84")
    for gid in ("380", "385"):
        expected = geod.geometry_length(src.loc[src["gid"] == int(gid)].geometry.iloc[0])
        got = roads.loc[roads["road_id"] == gid].length.iloc[0]
        assert got == pytest.approx(expected, rel=0.002)


# ------------------------------------------------------------------ files written here
def test_vn2000_shapefile_with_prj(tmp_path: Path) -> None:
    """Towers surveyed in VN-2000 / TM-3 108-30 come back at their WGS 84 positions."""
    lonlat = [(108.0, 14.0), (107.8, 13.6), (108.45, 14.3)]
    fwd = pyproj.Transformer.from_crs(4326, 9218, always_xy=True)
    pts = [Point(*fwd.transform(lo, la)) for lo, la in lonlat]
    g = gpd.GeoDataFrame({"Ma_tram": ["A", "B", "C"], "Nha_mang": ["Viettel", "VNPT", "vms"],
                          "Do_cao": [30, 45.5, 60]}, geometry=pts, crs="EPSG:9218")
    g.to_file(tmp_path / "bts_vn2000.shp")
    assert (tmp_path / "bts_vn2000.prj").exists()
    assert read_vector(tmp_path / "bts_vn2000.shp").crs.to_epsg() == 9218  # CRS kept as read
    before = _digest(tmp_path)
    towers = read_towers(tmp_path / "bts_vn2000.shp", crs="EPSG:4326")
    assert _digest(tmp_path) == before
    geod = pyproj.Geod(ellps="WGS84")
    for (lo, la), p in zip(lonlat, towers.geometry, strict=True):
        assert geod.inv(lo, la, p.x, p.y)[2] < 0.01
    assert towers["operator"].tolist() == ["Viettel", "VinaPhone", "MobiFone"]
    assert towers["height_m"].tolist() == [30.0, 45.5, 60.0]
    assert (towers["beamwidth_deg"] == 360).all()
    assert (towers["sector_id"] == 1).all()


def test_shapefile_without_prj_is_crs_error(tmp_path: Path) -> None:
    gpd.GeoDataFrame({"site_id": ["A"], "operator": ["Viettel"]},
                     geometry=[Point(108, 14)], crs=4326).to_file(tmp_path / "t.shp")
    (tmp_path / "t.prj").unlink()
    with pytest.raises(CRSError, match="no CRS") as info:
        read_towers(tmp_path / "t.shp")
    assert "t.shp" in str(info.value)
    assert "Fix:" in str(info.value)


def _write_shp(path: Path, encoding: str) -> None:
    import pyogrio

    g = gpd.GeoDataFrame({"ma_xa": [23557, 23560, 23563, 23566], "ten_xa": NAMES},
                         geometry=[box(108 + i * 0.01, 14, 108.01 + i * 0.01, 14.01)
                                   for i in range(4)], crs=4326)
    pyogrio.write_dataframe(g, path, encoding=encoding)


@pytest.mark.parametrize("encoding", ["cp1258", "UTF-8"])
def test_shapefile_encoding_detected_without_cpg(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "communes.shp"
    _write_shp(path, encoding)
    path.with_suffix(".cpg").unlink()
    raw = path.with_suffix(".dbf").read_bytes()
    assert ("Đắk".encode() in raw) == (encoding == "UTF-8")  # really written so
    communes = read_communes(path)
    assert communes["commune_name"].tolist() == NAMES
    assert communes["commune_code"].tolist() == ["23557", "23560", "23563", "23566"]


def test_shapefile_encoding_from_cpg(tmp_path: Path) -> None:
    path = tmp_path / "communes.shp"
    _write_shp(path, "cp1258")
    assert path.with_suffix(".cpg").read_text().strip().upper() in ("CP1258", "1258")
    assert read_vector(path)["ten_xa"].tolist() == NAMES


def test_geojson_and_geopackage_layers(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame({"Mã tuyến": ["T1", "T2"], "Cấp": ["trục", "Huyện"],
                          "Nhà mạng": ["VNPT", "Viettel"]},
                         geometry=[LineString([(108, 14), (108.1, 14)]),
                                   LineString([(108, 14), (108, 14.1)])], crs=4326)
    g.to_file(tmp_path / "fiber.geojson")
    g.to_file(tmp_path / "net.gpkg", layer="fiber")
    gpd.GeoDataFrame({"id": ["KKK"], "loai": ["Vườn quốc gia"], "ten": ["Kon Ka Kinh"]},
                     geometry=[box(108.2, 14.2, 108.4, 14.4)], crs=4326).to_file(
        tmp_path / "net.gpkg", layer="zones")
    a = read_fiber(tmp_path / "fiber.geojson", crs="EPSG:32649")
    b = read_fiber(tmp_path / "net.gpkg", layer="fiber", crs="EPSG:32649")
    assert a["level"].tolist() == b["level"].tolist() == ["backbone", "district"]
    assert a["route_id"].tolist() == ["T1", "T2"]
    assert a.length.iloc[0] == pytest.approx(10_800, rel=0.01)  # 0.1° of longitude at 14°N
    z = read_exclusion_zones(tmp_path / "net.gpkg", layer="zones")
    assert z["kind"].tolist() == ["national_park"]
    gpd.GeoDataFrame({"kind": ["airport"]}, geometry=[box(108, 14, 108.1, 14.1)],
                     crs=4326).to_file(tmp_path / "noid.geojson")
    with pytest.raises(SchemaError, match="zone_id"):
        read_exclusion_zones(tmp_path / "noid.geojson")


def test_sectors_numbered_per_site(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame({"site": ["S1", "S1", "S1", "S2"], "operator": ["Viettel"] * 4,
                          "azimuth": [0, 120, 240, 0], "beamwidth": [65, 65, 65, 360]},
                         geometry=[Point(108, 14)] * 3 + [Point(108.1, 14)], crs=4326)
    g.to_file(tmp_path / "sectors.gpkg")
    t = read_towers(tmp_path / "sectors.gpkg")
    assert t["sector_id"].tolist() == [1, 2, 3, 1]
    assert t["azimuth_deg"].tolist() == [0.0, 120.0, 240.0, 0.0]


def test_bad_commune_code_and_report_mode(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame({"ma_xa": ["2355", "23560"], "ten_xa": ["A", "B"]},
                         geometry=[box(108, 14, 108.01, 14.01), box(108.01, 14, 108.02, 14.01)],
                         crs=4326)
    g.to_file(tmp_path / "c.geojson")
    with pytest.raises(ValueRangeError, match="5-digit"):
        read_communes(tmp_path / "c.geojson")
    rep = ValidationReport()
    out = read_communes(tmp_path / "c.geojson", report=rep)
    assert len(out) == 2
    assert len(rep.errors) == 1


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="not found") as info:
        read_roads(tmp_path / "nope.gpkg")
    assert "nope.gpkg" in str(info.value)
    assert "Fix:" in str(info.value)
    (tmp_path / "bad.gpkg").write_bytes(b"garbage" * 100)
    with pytest.raises(FileFormatError, match="not a readable"):
        read_vector(tmp_path / "bad.gpkg")
    rep = ValidationReport()
    out = read_roads(tmp_path / "nope.gpkg", crs="EPSG:32649", report=rep)
    assert len(out) == 0
    assert out.crs.to_epsg() == 32649
    assert not rep.ok
    assert list(out.columns) == [*LAYERS["roads"].names, "geometry"]


def test_wrong_layer_names_the_layers(real_data: Path) -> None:
    with pytest.raises(FileFormatError, match="communes_clean"):
        read_communes(real_data / "communes.gpkg", layer="nope")


def test_empty_layer_has_canonical_dtypes() -> None:
    g = empty_layer("towers", "EPSG:32649")
    assert g["height_m"].dtype == np.float64
    assert g["sector_id"].dtype == np.int64
    assert g.crs.to_epsg() == 32649
    assert len(g) == 0

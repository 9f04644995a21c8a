"""A corpus of bad project inputs, each with the exact error class it must raise.

Every case is a builder ``build(folder) -> (config_path, error_class, expected_text)`` that
writes a small project near Pleiku (four square communes, a GeoTIFF DEM, a tower CSV,
roads, fiber and exclusion zones) into ``folder`` with one thing wrong. ``CASES`` lists
``(case_id, builder)`` pairs; ``write_good_project`` writes the project with nothing wrong.

Used by tests/test_bad_inputs.py (``load_province``) and by the CLI tests
(``geotel validate`` must exit 2 on every case).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
import yaml
from affine import Affine
from shapely.geometry import LineString, box

from geotel._errors import (
    ConfigError,
    CRSError,
    DuplicateIdError,
    FileFormatError,
    GeometryError,
    InputError,
    SchemaError,
    StudyAreaError,
    ValueRangeError,
)

__all__ = ["CASES", "Case", "write_good_project"]

Result = tuple[Path, type[InputError], str]
Case = Callable[[Path], Result]

# Four 0.05° communes around (108.0, 14.0), in Pleiku.
_COMMUNES = [
    ("23557", "Phường Yên Đỗ", box(107.95, 14.00, 108.00, 14.05)),
    ("23560", "Phường Diên Hồng", box(108.00, 14.00, 108.05, 14.05)),
    ("23563", "Phường Ia Kring", box(107.95, 13.95, 108.00, 14.00)),
    ("23566", "Phường Hội Thương", box(108.00, 13.95, 108.05, 14.00)),
]
_TOWERS_HEADER = "Mã trạm;Nhà mạng;Kinh độ;Vĩ độ;Độ cao cột (m);Công nghệ;Tần số (MHz)"
_TOWERS = [
    "GL001;Viettel;107,9800;14,0200;42;2G,3G,4G;900",
    "GL002;VNPT;108,0200;14,0300;36;3G,4G;1800",
    "GL003;MobiFone;107,9900;13,9700;30;4G;1800",
]


def _communes(rows: list[tuple[Any, str, Any]] | None = None) -> gpd.GeoDataFrame:
    rows = rows or _COMMUNES
    return gpd.GeoDataFrame(
        {"ma_xa": [r[0] for r in rows], "ten_xa": [r[1] for r in rows],
         "ma_huyen": ["622"] * len(rows), "ten_huyen": ["Thành phố Pleiku"] * len(rows),
         "dan_so": [12000] * len(rows)},
        geometry=[r[2] for r in rows], crs="EPSG:4326")


def _write_dem(path: Path, *, crs: str = "EPSG:4326", west: float = 107.85,
               north: float = 14.15, step: float = 0.001, scale: float = 1.0,
               n: int = 300) -> None:
    y, x = np.mgrid[0:n, 0:n]
    z = ((700 + 2 * x - y) * scale).astype("float32")
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32",
                       crs=crs, transform=Affine(step, 0, west, 0, -step, north),
                       nodata=-9999.0) as ds:
        ds.write(z, 1)


def _write_config(folder: Path, inputs: dict[str, Any], **extra: Any) -> Path:
    cfg: dict[str, Any] = {"name": "bad input case", "analysis_crs": "EPSG:32649",
                           "inputs": inputs, "coverage": {"resolution_m": 200}}
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    path = folder / "config.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_good_project(folder: Path, **overrides: Any) -> Path:
    """Write the valid project; ``overrides`` replace entries of ``inputs`` (None drops)."""
    folder.mkdir(parents=True, exist_ok=True)
    _communes().to_file(folder / "communes.gpkg", layer="communes", driver="GPKG")
    (folder / "towers.csv").write_text("\n".join([_TOWERS_HEADER, *_TOWERS]) + "\n",
                                       encoding="utf-8")
    gpd.GeoDataFrame({"ten": ["Quốc lộ 19"], "cap_duong": ["Quốc Gia"], "gid": [380]},
                     geometry=[LineString([(107.9, 13.98), (108.1, 14.02)])],
                     crs="EPSG:4326").to_file(folder / "roads.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"ma_tuyen": ["T1"], "cap": ["Trục"]},
                     geometry=[LineString([(107.96, 14.0), (108.04, 14.0)])],
                     crs="EPSG:4326").to_file(folder / "fiber.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"id": ["Z1"], "loai": ["Sân bay"], "ten": ["Pleiku"]},
                     geometry=[box(108.01, 13.96, 108.03, 13.98)],
                     crs="EPSG:4326").to_file(folder / "zones.geojson", driver="GeoJSON")
    _write_dem(folder / "dem.tif")
    inputs: dict[str, Any] = {
        "communes": "communes.gpkg", "towers": "towers.csv", "roads": "roads.geojson",
        "fiber": "fiber.geojson", "exclusion_zones": "zones.geojson", "dem": ["dem.tif"],
    }
    extra = overrides.pop("_config", {})
    for key, value in overrides.items():
        if value is None:
            inputs.pop(key, None)
        else:
            inputs[key] = value
    return _write_config(folder, inputs, **extra)


def _towers_csv(folder: Path, rows: list[str], header: str = _TOWERS_HEADER,
                name: str = "towers_bad.csv") -> str:
    (folder / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return name


# ------------------------------------------------------------------------------- cases
def missing_required_column(f: Path) -> Result:
    name = _towers_csv(f, [";".join(r.split(";")[:1] + r.split(";")[2:]) for r in _TOWERS],
                       header="Mã trạm;Kinh độ;Vĩ độ;Độ cao cột (m);Công nghệ;Tần số (MHz)")
    return write_good_project(f, towers=name), SchemaError, "operator"


def wrong_column_type(f: Path) -> Result:
    name = _towers_csv(f, [_TOWERS[0].replace(";42;", ";bốn mươi;"), *_TOWERS[1:]])
    return write_good_project(f, towers=name), SchemaError, "wrong type"


def communes_without_prj(f: Path) -> Result:
    _communes().to_file(f / "communes_shp.shp")
    (f / "communes_shp.prj").unlink()
    return write_good_project(f, communes="communes_shp.shp"), CRSError, "no CRS"


def communes_wrong_crs(f: Path) -> Result:
    # VN-2000 / TM-3 108-30 metres, but the .prj says WGS 84 degrees.
    g = _communes().to_crs("EPSG:9218").set_crs("EPSG:4326", allow_override=True)
    g.to_file(f / "communes_vn2000.shp")
    return write_good_project(f, communes="communes_vn2000.shp"), CRSError, "not degrees"


def tower_height_out_of_range(f: Path) -> Result:
    name = _towers_csv(f, [_TOWERS[0].replace(";42;", ";350;"), *_TOWERS[1:]])
    return write_good_project(f, towers=name), ValueRangeError, "height_m"


def longitude_out_of_range(f: Path) -> Result:
    name = _towers_csv(f, [_TOWERS[0].replace("107,9800", "207,9800"), *_TOWERS[1:]])
    return write_good_project(f, towers=name), ValueRangeError, "not a valid position"


def frequency_out_of_band(f: Path) -> Result:
    name = _towers_csv(f, [_TOWERS[0].replace(";900", ";1234"), *_TOWERS[1:]])
    return write_good_project(f, towers=name), ValueRangeError, "not in any mobile band"


def duplicate_site_ids(f: Path) -> Result:
    name = _towers_csv(f, [*_TOWERS, _TOWERS[0].replace("14,0200", "14,0210")])
    return write_good_project(f, towers=name), DuplicateIdError, "GL001"


def duplicate_commune_codes(f: Path) -> Result:
    rows = list(_COMMUNES)
    rows[1] = ("23557", rows[1][1], rows[1][2])
    _communes(rows).to_file(f / "communes_dup.gpkg", layer="communes")
    return write_good_project(f, communes="communes_dup.gpkg"), DuplicateIdError, "23557"


def empty_geometry(f: Path) -> Result:
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "Z1", "loai": "airport"}, "geometry": None}]}
    (f / "zones_empty.geojson").write_text(json.dumps(fc), encoding="utf-8")
    return (write_good_project(f, exclusion_zones="zones_empty.geojson"), GeometryError,
            "geometry is empty")


def invalid_geometry(f: Path) -> Result:
    # A polygon ring of two points cannot be repaired: GDAL drops it.
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "Z1", "loai": "airport"},
         "geometry": {"type": "Polygon", "coordinates": [[[108.0, 14.0], [108.01, 14.0]]]}}]}
    (f / "zones_invalid.geojson").write_text(json.dumps(fc), encoding="utf-8")
    return (write_good_project(f, exclusion_zones="zones_invalid.geojson"), GeometryError,
            "geometry is empty")


def wrong_geometry_type(f: Path) -> Result:
    g = _communes()
    g = g.set_geometry(g.geometry.centroid)
    g.to_file(f / "communes_points.gpkg", layer="communes")
    return (write_good_project(f, communes="communes_points.gpkg"), GeometryError,
            "expected Polygon")


def tower_outside_study_area(f: Path) -> Result:
    name = _towers_csv(f, [*_TOWERS, "HN001;Viettel;105,8400;21,0200;30;4G;1800"])
    return write_good_project(f, towers=name), StudyAreaError, "outside the study area"


def zone_outside_study_area(f: Path) -> Result:
    gpd.GeoDataFrame({"id": ["Z9"], "loai": ["airport"]},
                     geometry=[box(106.6, 10.8, 106.7, 10.9)],
                     crs="EPSG:4326").to_file(f / "zones_far.geojson", driver="GeoJSON")
    return (write_good_project(f, exclusion_zones="zones_far.geojson"), StudyAreaError,
            "outside the study area")


def unknown_operator(f: Path) -> Result:
    name = _towers_csv(f, [_TOWERS[0].replace("Viettel", "FPT Telecom"), *_TOWERS[1:]])
    return write_good_project(f, towers=name), ValueRangeError, "unknown operator"


def unknown_zone_kind(f: Path) -> Result:
    gpd.GeoDataFrame({"id": ["Z1"], "loai": ["military"]},
                     geometry=[box(108.01, 13.96, 108.03, 13.98)],
                     crs="EPSG:4326").to_file(f / "zones_kind.geojson", driver="GeoJSON")
    return (write_good_project(f, exclusion_zones="zones_kind.geojson"), ValueRangeError,
            "military")


def unknown_fiber_level(f: Path) -> Result:
    gpd.GeoDataFrame({"ma_tuyen": ["T1"], "cap": ["intergalactic"]},
                     geometry=[LineString([(107.96, 14.0), (108.04, 14.0)])],
                     crs="EPSG:4326").to_file(f / "fiber_level.geojson", driver="GeoJSON")
    return (write_good_project(f, fiber="fiber_level.geojson"), ValueRangeError,
            "intergalactic")


def unknown_config_key(f: Path) -> Result:
    return (write_good_project(f, _config={"coverage": {"resolution_metres": 90}}),
            ConfigError, "coverage.resolution_metres")


def bad_config_value(f: Path) -> Result:
    return (write_good_project(f, _config={"coverage": {"resolution_m": "ninety"}}),
            ConfigError, "resolution_m")


def config_not_yaml(f: Path) -> Result:
    write_good_project(f)
    path = f / "config.yml"
    path.write_text("inputs:\n  communes: [communes.gpkg\n", encoding="utf-8")
    return path, ConfigError, "not valid YAML"


def missing_file(f: Path) -> Result:
    return write_good_project(f, towers="no_such_towers.csv"), FileFormatError, "not found"


def unreadable_file(f: Path) -> Result:
    (f / "communes_broken.gpkg").write_bytes(b"this is not a GeoPackage\x00\x01" * 50)
    return (write_good_project(f, communes="communes_broken.gpkg"), FileFormatError,
            "not a readable")


def unsupported_format(f: Path) -> Result:
    (f / "communes.kml").write_text("<kml></kml>", encoding="utf-8")
    return write_good_project(f, communes="communes.kml"), FileFormatError, "unsupported"


def missing_layer(f: Path) -> Result:
    return (write_good_project(f, communes_layer="communes_clean"), FileFormatError,
            "layer 'communes_clean' not found")


def non_metric_analysis_crs(f: Path) -> Result:
    return (write_good_project(f, _config={"analysis_crs": "EPSG:4326"}), CRSError,
            "not a metric")


def unknown_analysis_crs(f: Path) -> Result:
    return (write_good_project(f, _config={"analysis_crs": "EPSG:999999"}), CRSError,
            "unknown CRS")


def mixed_swapped_coordinates(f: Path) -> Result:
    row = _TOWERS[1].split(";")
    row[2], row[3] = row[3], row[2]
    name = _towers_csv(f, [_TOWERS[0], ";".join(row), _TOWERS[2]])
    return write_good_project(f, towers=name), ValueRangeError, "swapped in 1 row"


def projected_towers_without_crs(f: Path) -> Result:
    name = _towers_csv(f, ["GL001;Viettel;450000;1548000;42;4G;1800"],
                       header="Mã trạm;Nhà mạng;X;Y;Độ cao cột;Công nghệ;Tần số")
    return write_good_project(f, towers=name), CRSError, "towers_crs"


def unknown_towers_crs(f: Path) -> Result:
    return write_good_project(f, towers_crs="EPSG:abc"), CRSError, "towers_crs"


def tower_list_without_coordinates(f: Path) -> Result:
    name = _towers_csv(f, ["GL001;Viettel"], header="Mã trạm;Nhà mạng")
    return write_good_project(f, towers=name), SchemaError, "no coordinate columns"


def bad_commune_code(f: Path) -> Result:
    rows = list(_COMMUNES)
    rows[2] = ("2355", rows[2][1], rows[2][2])
    _communes(rows).to_file(f / "communes_code.gpkg", layer="communes")
    return write_good_project(f, communes="communes_code.gpkg"), ValueRangeError, "5-digit"


def dem_in_degrees(f: Path) -> Result:
    # Degrees written under a metric CRS.
    _write_dem(f / "dem_degrees.tif", crs="EPSG:32649")
    return write_good_project(f, dem=["dem_degrees.tif"]), CRSError, "degrees"


def dem_missing(f: Path) -> Result:
    return write_good_project(f, dem=None), FileFormatError, "no DEM given"


def dem_elsewhere(f: Path) -> Result:
    _write_dem(f / "dem_hanoi.tif", west=105.7, north=21.1)
    return write_good_project(f, dem=["dem_hanoi.tif"]), StudyAreaError, "does not cover"


def dem_in_feet_times_ten(f: Path) -> Result:
    _write_dem(f / "dem_cm.tif", scale=100.0)
    return write_good_project(f, dem=["dem_cm.tif"]), ValueRangeError, "above 9000"


def hgt_bad_size(f: Path) -> Result:
    np.zeros((100, 100), ">i2").tofile(f / "N13E108.hgt")
    return write_good_project(f, dem=["N13E108.hgt"]), FileFormatError, "1201"


def dem_without_crs(f: Path) -> Result:
    with rasterio.open(f / "dem_nocrs.tif", "w", driver="GTiff", width=10, height=10, count=1,
                       dtype="float32") as ds:
        ds.write(np.full((10, 10), 700, "float32"), 1)
    return write_good_project(f, dem=["dem_nocrs.tif"]), CRSError, "no CRS"


CASES: list[tuple[str, Case]] = [
    (fn.__name__, fn) for fn in (
        missing_required_column, wrong_column_type, communes_without_prj, communes_wrong_crs,
        tower_height_out_of_range, longitude_out_of_range, frequency_out_of_band,
        duplicate_site_ids, duplicate_commune_codes, empty_geometry, invalid_geometry,
        wrong_geometry_type, tower_outside_study_area, zone_outside_study_area,
        unknown_operator, unknown_zone_kind, unknown_fiber_level, unknown_config_key,
        bad_config_value, config_not_yaml, missing_file, unreadable_file, unsupported_format,
        missing_layer, non_metric_analysis_crs, unknown_analysis_crs,
        mixed_swapped_coordinates, projected_towers_without_crs, unknown_towers_crs,
        tower_list_without_coordinates, bad_commune_code, dem_in_degrees, dem_missing,
        dem_elsewhere, dem_in_feet_times_ten, hgt_bad_size, dem_without_crs,
    )
]

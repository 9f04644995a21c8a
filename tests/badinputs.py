"""A corpus of bad project inputs, each with the exact error class it must raise, and of
awkward inputs that must be read right.

Every bad case is a builder ``build(folder) -> (config_path, error_class, expected_text)``
that writes a small project near Pleiku (four square communes, a GeoTIFF DEM, a tower
CSV, roads, fiber and exclusion zones; see :mod:`tests._badbase`) into ``folder`` with
one thing wrong, as provincial offices hand it over: Excel exports with title rows and
merged cells, units in headers, Vietnamese number formats, VN-2000 coordinates, legacy
font encodings, wrong .prj files, blanks. ``CASES`` lists ``(case_id, builder)`` pairs:
the original ones below, the tower lists' (:mod:`tests._bad_towers`) and the other
files' (:mod:`tests._bad_files`). ``ACCEPTED`` lists inputs read right with a warning
(:mod:`tests._accepted`): ``build(folder) -> (config_path, warning_text, check)``.

Used by tests/test_bad_inputs.py (``validate_project`` and ``run_plan``) and by the CLI
tests (``geotel validate`` must exit 2 on every case).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from shapely.geometry import LineString, box

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
from tests._accepted import ACCEPTED_CASES
from tests._bad_files import FILE_CASES
from tests._bad_towers import TOWER_CASES
from tests._badbase import (
    COMMUNES,
    TOWERS,
    TOWERS_HEADER,
    Accepted,
    Case,
    Result,
    communes,
    towers_csv,
    write_dem,
    write_good_project,
)

__all__ = ["ACCEPTED", "CASES", "Case", "write_good_project"]

# the names the other tests import
_COMMUNES, _TOWERS, _TOWERS_HEADER = COMMUNES, TOWERS, TOWERS_HEADER
_communes, _towers_csv, _write_dem = communes, towers_csv, write_dem


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


_ORIGINAL: tuple[Case, ...] = (
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

#: Every bad input: (case id, builder).
CASES: list[tuple[str, Case]] = [(fn.__name__, fn) for fn in (*_ORIGINAL, *TOWER_CASES,
                                                               *FILE_CASES)]
#: Inputs that are read right with a warning or a note: (case id, builder).
ACCEPTED: list[tuple[str, Accepted]] = [(fn.__name__, fn) for fn in ACCEPTED_CASES]

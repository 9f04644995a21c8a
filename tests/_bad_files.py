"""Bad layers and rasters other than the tower list: communes, exclusion zones, fiber,
roads, DEM and population, as the departments hand them over: a wrong .prj (UTM zone,
TM-3 meridian), missing .prj, legacy font encodings in a .dbf, units in headers (mẫu,
hộ), numbers with units in the cells, blanks, wrong geometry types, rasters elsewhere.
See tests/badinputs.py."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from affine import Affine
from shapely.geometry import LineString, Point, box

from geotel.errors import (
    CRSError,
    DuplicateIdError,
    FileFormatError,
    GeometryError,
    SchemaError,
    StudyAreaError,
    ValueRangeError,
)
from tests._badbase import (
    COMMUNES,
    Case,
    Result,
    communes,
    tcvn3,
    vni,
    write_dem,
    write_good_project,
)

__all__ = ["FILE_CASES"]


def _communes_file(f: Path, g: gpd.GeoDataFrame, name: str = "communes_bad.gpkg", **config
                   ) -> Path:
    if name.endswith(".shp"):
        g.to_file(f / name)
    else:
        g.to_file(f / name, layer="communes")
    return write_good_project(f, communes=name, **config)


# ------------------------------------------------------------------ wrong CRS labels
def communes_prj_of_the_wrong_utm_zone(f: Path) -> Result:
    # surveyed in UTM 48N, saved with a 49N .prj
    g = communes().to_crs(32648).set_crs(32649, allow_override=True)
    return (_communes_file(f, g, "xa_utm.shp"), CRSError,
            "their coordinates fit EPSG:32648 (WGS 84 / UTM zone 48N)")


def communes_prj_of_the_wrong_tm3_meridian(f: Path) -> Result:
    # VN-2000 TM-3 108°30' (Gia Lai) saved with the 107°30' .prj of another province
    g = communes().to_crs(9218).set_crs(9216, allow_override=True)
    return (_communes_file(f, g, "xa_vn2000.shp"), CRSError,
            "their coordinates fit EPSG:9218 (VN-2000 / TM-3 108-30)")


def fiber_prj_of_the_wrong_zone(f: Path) -> Result:
    g = gpd.GeoDataFrame({"ma_tuyen": ["T1"], "cap": ["Trục"]},
                         geometry=[LineString([(107.96, 14.0), (108.04, 14.0)])], crs=4326)
    g.to_crs(32648).set_crs(32649, allow_override=True).to_file(f / "cap_quang.shp")
    return (write_good_project(f, fiber="cap_quang.shp"), StudyAreaError,
            "none of the 1 feature(s) lies in the study area")


def roads_prj_of_the_wrong_zone(f: Path) -> Result:
    g = gpd.GeoDataFrame({"ten": ["Quốc lộ 19"], "cap_duong": ["Quốc Gia"], "gid": [380]},
                         geometry=[LineString([(107.9, 13.98), (108.1, 14.02)])], crs=4326)
    g.to_crs(32648).set_crs(32649, allow_override=True).to_file(f / "giao_thong.shp")
    return (write_good_project(f, roads="giao_thong.shp"), StudyAreaError,
            "none of the 1 feature(s) lies in the study area")


def communes_crs_key_says_degrees(f: Path) -> Result:
    communes().to_crs(9218).to_file(f / "xa_m.gpkg", layer="communes")
    return (write_good_project(f, communes="xa_m.gpkg", communes_crs="EPSG:4326"), CRSError,
            "not degrees")


def communes_degrees_labelled_utm(f: Path) -> Result:
    g = communes().set_crs(32649, allow_override=True)
    return _communes_file(f, g), CRSError, "look like longitude/latitude degrees"


def zones_shapefile_without_prj(f: Path) -> Result:
    gpd.GeoDataFrame({"id": ["Z1"], "loai": ["Sân bay"]},
                     geometry=[box(108.01, 13.96, 108.03, 13.98)], crs=4326
                     ).to_file(f / "vung_cam.shp")
    (f / "vung_cam.prj").unlink()
    return write_good_project(f, exclusion_zones="vung_cam.shp"), CRSError, "no CRS"


def fiber_shapefile_without_prj(f: Path) -> Result:
    gpd.GeoDataFrame({"ma_tuyen": ["T1"], "cap": ["Trục"]},
                     geometry=[LineString([(107.96, 14.0), (108.04, 14.0)])], crs=4326
                     ).to_crs(9218).to_file(f / "fiber_vn2000.shp")
    (f / "fiber_vn2000.prj").unlink()
    return (write_good_project(f, fiber="fiber_vn2000.shp"), CRSError,
            "EPSG:9218 (VN-2000 / TM-3 108-30)")


def roads_crs_key_unknown(f: Path) -> Result:
    return (write_good_project(f, roads_crs="VN-2000 múi 3 độ"), CRSError, "inputs.roads_crs")


# ----------------------------------------------------------------- encodings (.dbf)
def _shp_with_text(f: Path, name: str, text: list[str], *, encoding: str) -> Path:
    g = communes()
    g["ten_xa"] = text
    g.to_file(f / name, encoding=encoding)
    return write_good_project(f, communes=name)


def communes_dbf_in_tcvn3(f: Path) -> Result:
    names = [tcvn3(r[1]) for r in COMMUNES]
    return (_shp_with_text(f, "xa_abc.shp", names, encoding="ISO-8859-1"), FileFormatError,
            "TCVN3 (ABC)")


def communes_dbf_in_vni(f: Path) -> Result:
    names = [vni(r[1]) for r in COMMUNES]
    return (_shp_with_text(f, "xa_vni.shp", names, encoding="cp1252"), FileFormatError,
            "in the VNI encoding")


# --------------------------------------------------------- communes' values and units
def communes_area_in_mau(f: Path) -> Result:
    g = communes()
    g["Diện tích (mẫu)"] = [690.0] * 4  # mẫu: the old land unit of 3,600 m²
    return _communes_file(f, g), SchemaError, "unit '(mẫu)'"


def communes_population_in_households(f: Path) -> Result:
    g = communes().rename(columns={"dan_so": "Dân số (hộ)"})
    return _communes_file(f, g), SchemaError, "unit '(hộ)'"


def communes_population_with_words(f: Path) -> Result:
    g = communes()
    g["dan_so"] = ["12.000 người", "11.500", "9.800", "10.200"]
    return _communes_file(f, g), SchemaError, "'12.000 người' has the wrong type"


def communes_code_with_letters(f: Path) -> Result:
    rows = list(COMMUNES)
    rows[0] = ("X23557", rows[0][1], rows[0][2])
    return _communes_file(f, communes(rows)), ValueRangeError, "5-digit"


def communes_all_one_code(f: Path) -> Result:
    rows = [("23557", n, g) for _, n, g in COMMUNES]
    return _communes_file(f, communes(rows)), DuplicateIdError, "23557"


def communes_as_lines(f: Path) -> Result:
    g = communes()
    g = g.set_geometry(g.geometry.boundary)
    return _communes_file(f, g), GeometryError, "expected Polygon"


def commune_inside_another(f: Path) -> Result:
    rows = [*COMMUNES, ("23569", "Phường Thống Nhất", box(107.96, 14.01, 107.97, 14.02))]
    return _communes_file(f, communes(rows)), GeometryError, "entirely inside"


def commune_without_name(f: Path) -> Result:
    rows = list(COMMUNES)
    rows[1] = (rows[1][0], "", rows[1][2])
    return _communes_file(f, communes(rows)), SchemaError, "'commune_name' is empty"


def commune_without_population(f: Path) -> Result:
    g = communes()
    g["dan_so"] = [12000, None, 9800, 10200]
    return _communes_file(f, g), SchemaError, "have no population"


def communes_given_as_a_table(f: Path) -> Result:
    (f / "xa.csv").write_text("Mã xã;Tên xã\n23557;Phường Yên Đỗ\n", encoding="utf-8")
    return write_good_project(f, communes="xa.csv"), FileFormatError, "unsupported"


# ------------------------------------------------------------ zones, fiber, roads
def _zones(f: Path, rows: list[tuple[object, object]]) -> Path:
    gpd.GeoDataFrame({"id": [r[0] for r in rows], "loai": [r[1] for r in rows]},
                     geometry=[box(108.01, 13.96 + k * 0.005, 108.02, 13.965 + k * 0.005)
                               for k in range(len(rows))], crs=4326
                     ).to_file(f / "zones_bad.gpkg", layer="zones")
    return write_good_project(f, exclusion_zones="zones_bad.gpkg")


def zone_kind_military(f: Path) -> Result:
    return _zones(f, [("Z1", "Sân bay"), ("Z2", "Khu quân sự")]), ValueRangeError, "quân sự"


def zone_kind_blank(f: Path) -> Result:
    return _zones(f, [("Z1", "Sân bay"), ("Z2", None)]), SchemaError, "'kind' is empty"


def zones_duplicate_ids(f: Path) -> Result:
    return _zones(f, [("Z1", "Sân bay"), ("Z1", "Di tích")]), DuplicateIdError, "Z1"


def fiber_as_points(f: Path) -> Result:
    gpd.GeoDataFrame({"ma_tuyen": ["T1"], "cap": ["Trục"]}, geometry=[Point(108.0, 14.0)],
                     crs=4326).to_file(f / "fiber_pts.geojson", driver="GeoJSON")
    return (write_good_project(f, fiber="fiber_pts.geojson"), GeometryError,
            "expected LineString")


def roads_as_polygons(f: Path) -> Result:
    gpd.GeoDataFrame({"gid": [1], "ten": ["Quốc lộ 19"]},
                     geometry=[box(107.98, 13.99, 108.02, 14.0)], crs=4326
                     ).to_file(f / "roads_poly.geojson", driver="GeoJSON")
    return (write_good_project(f, roads="roads_poly.geojson"), GeometryError,
            "expected LineString")


def fiber_route_without_id(f: Path) -> Result:
    gpd.GeoDataFrame({"ma_tuyen": ["T1", None], "cap": ["Trục", "Huyện"]},
                     geometry=[LineString([(107.96, 14.0), (108.04, 14.0)]),
                               LineString([(108.0, 13.96), (108.0, 14.04)])], crs=4326
                     ).to_file(f / "fiber_id.geojson", driver="GeoJSON")
    return (write_good_project(f, fiber="fiber_id.geojson"), SchemaError,
            "'route_id' is empty")


# ------------------------------------------------------------------ DEM, population
def dem_tile_missing(f: Path) -> Result:
    return (write_good_project(f, dem=["dem.tif", "N14E108.hgt"]), FileFormatError,
            "not found")


def dem_covering_half(f: Path) -> Result:
    write_dem(f / "dem_half.tif", west=108.0)
    return write_good_project(f, dem=["dem_half.tif"]), StudyAreaError, "covers only"


def dem_truncated(f: Path) -> Result:
    write_dem(f / "dem_cut.tif")
    raw = (f / "dem_cut.tif").read_bytes()
    (f / "dem_cut.tif").write_bytes(raw[: len(raw) // 2])  # a download cut off halfway
    return write_good_project(f, dem=["dem_cut.tif"]), FileFormatError, "truncated"


def dem_is_a_hillshade_image(f: Path) -> Result:
    with rasterio.open(f / "hillshade.tif", "w", driver="GTiff", width=50, height=50,
                       count=3, dtype="uint8", crs="EPSG:4326",
                       transform=Affine(0.006, 0, 107.85, 0, -0.006, 14.15)) as ds:
        ds.write(np.full((3, 50, 50), 128, "uint8"))
    return write_good_project(f, dem=["hillshade.tif"]), FileFormatError, "3 bands"


def _raster(path: Path, values: np.ndarray, *, crs: str | None = "EPSG:4326",
            west: float = 107.9, north: float = 14.1, step: float = 0.01) -> str:
    h, w = values.shape
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1,
                       dtype="float32", crs=crs, nodata=-1.0,
                       transform=Affine(step, 0, west, 0, -step, north)) as ds:
        ds.write(values.astype("float32"), 1)
    return path.name


def population_raster_elsewhere(f: Path) -> Result:
    name = _raster(f / "worldpop_hcm.tif", np.full((20, 20), 50.0), west=106.6, north=10.9)
    return write_good_project(f, population=name), StudyAreaError, "no people inside"


def population_raster_without_crs(f: Path) -> Result:
    name = _raster(f / "pop_nocrs.tif", np.full((20, 20), 50.0), crs=None)
    return write_good_project(f, population=name), CRSError, "population raster has no CRS"


def population_raster_negative(f: Path) -> Result:
    values = np.full((20, 20), 50.0)
    values[3, 3] = -7.0
    name = _raster(f / "pop_neg.tif", values)
    return write_good_project(f, population=name), ValueRangeError, "negative"


def population_table_in_households(f: Path) -> Result:
    lines = ["Mã xã;Tên xã;Dân số (hộ)"] + [f"{c};{n};3.100" for c, n, _ in COMMUNES]
    (f / "nien_giam.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    g = communes().drop(columns="dan_so")
    g.to_file(f / "xa_nopop.gpkg", layer="communes")
    return (write_good_project(f, communes="xa_nopop.gpkg", population="nien_giam.csv"),
            SchemaError, "unit '(hộ)'")


def population_table_missing_a_commune(f: Path) -> Result:
    lines = ["Mã xã;Tên xã;Dân số (người)"] + [f"{c};{n};12.000" for c, n, _ in COMMUNES[:3]]
    (f / "nien_giam.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    communes().drop(columns="dan_so").to_file(f / "xa_nopop.gpkg", layer="communes")
    return (write_good_project(f, communes="xa_nopop.gpkg", population="nien_giam.csv"),
            SchemaError, "has no row in the population table")


def district_total_missing(f: Path) -> Result:
    (f / "huyen.csv").write_text("Mã huyện;Tên huyện;Dân số\n623;Kbang;61682\n",
                                 encoding="utf-8")
    communes().drop(columns="dan_so").to_file(f / "xa_nopop.gpkg", layer="communes")
    return (write_good_project(f, communes="xa_nopop.gpkg", district_population="huyen.csv"),
            SchemaError, "has no population total")


FILE_CASES: tuple[Case, ...] = (
    communes_prj_of_the_wrong_utm_zone, communes_prj_of_the_wrong_tm3_meridian,
    fiber_prj_of_the_wrong_zone, roads_prj_of_the_wrong_zone, communes_crs_key_says_degrees,
    communes_degrees_labelled_utm, zones_shapefile_without_prj, fiber_shapefile_without_prj,
    roads_crs_key_unknown, communes_dbf_in_tcvn3, communes_dbf_in_vni, communes_area_in_mau,
    communes_population_in_households, communes_population_with_words,
    communes_code_with_letters, communes_all_one_code, communes_as_lines,
    commune_inside_another, commune_without_name, commune_without_population,
    communes_given_as_a_table, zone_kind_military, zone_kind_blank, zones_duplicate_ids,
    fiber_as_points, roads_as_polygons, fiber_route_without_id, dem_tile_missing,
    dem_covering_half, dem_truncated, dem_is_a_hillshade_image, population_raster_elsewhere,
    population_raster_without_crs, population_raster_negative, population_table_in_households,
    population_table_missing_a_commune, district_total_missing,
)

"""VN-2000: EPSG codes, the 7-parameter datum shift (checked against a hand-written
Helmert transformation), and the repair of CRSs that lost their datum."""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest
from pyproj.database import query_crs_info

from geotel.errors import CRSError
from geotel.io.crs import (
    VN2000_TO_WGS84,
    ensure_datum_shift,
    has_datum_shift,
    is_metric,
    is_vn2000,
    require_metric_crs,
    vn2000_crs,
)

A, F = 6378137.0, 1 / 298.257223563
E2 = F * (2 - F)
ARCSEC = math.pi / (180 * 3600)


def _geodetic_to_ecef(lon: float, lat: float, h: float = 0.0) -> np.ndarray:
    lo, la = math.radians(lon), math.radians(lat)
    n = A / math.sqrt(1 - E2 * math.sin(la) ** 2)
    return np.array([(n + h) * math.cos(la) * math.cos(lo), (n + h) * math.cos(la) * math.sin(lo),
                     (n * (1 - E2) + h) * math.sin(la)])


def _ecef_to_geodetic(x: float, y: float, z: float) -> tuple[float, float]:
    lon = math.atan2(y, x)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - E2))
    for _ in range(10):
        n = A / math.sqrt(1 - E2 * math.sin(lat) ** 2)
        h = p / math.cos(lat) - n
        lat = math.atan2(z, p * (1 - E2 * n / (n + h)))
    return math.degrees(lon), math.degrees(lat)


def _vn2000_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Decision 05/2007 Helmert, coordinate-frame rotation convention (EPSG method 1032)."""
    dx, dy, dz, rx, ry, rz, ds = VN2000_TO_WGS84
    rx, ry, rz = rx * ARCSEC, ry * ARCSEC, rz * ARCSEC
    rot = np.array([[1, rz, -ry], [-rz, 1, rx], [ry, -rx, 1]])
    xyz = np.array([dx, dy, dz]) + (1 + ds * 1e-6) * rot @ _geodetic_to_ecef(lon, lat)
    return _ecef_to_geodetic(*xyz)


def _pure_tm(lon0: float, k: float) -> pyproj.Transformer:
    """The projection alone (no datum): grid → geographic on the same datum."""
    tm = pyproj.CRS.from_proj4(f"+proj=tmerc +lat_0=0 +lon_0={lon0} +k={k} +x_0=500000 "
                               "+y_0=0 +ellps=WGS84 +units=m +no_defs +type=crs")
    geo = pyproj.CRS.from_proj4("+proj=longlat +ellps=WGS84 +no_defs +type=crs")
    return pyproj.Transformer.from_crs(tm, geo, always_xy=True)


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return pyproj.Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2]


def test_epsg_codes_match_pyproj_database() -> None:
    """Every VN-2000 TM-3 zone in the EPSG database is found by its central meridian."""
    found = 0
    for info in query_crs_info(auth_name="EPSG"):
        if info.name.startswith("VN-2000 / TM-3"):
            crs = pyproj.CRS.from_epsg(info.code)
            params = {p.name: p.value for p in crs.coordinate_operation.params}
            assert params["Scale factor at natural origin"] == pytest.approx(0.9999)
            cm = params["Longitude of natural origin"]
            assert vn2000_crs("tm3", central_meridian_deg=cm).to_epsg() == int(info.code)
            found += 1
    assert found >= 18
    assert vn2000_crs("utm48").to_epsg() == 3405
    assert vn2000_crs("utm49").to_epsg() == 3406


def test_gia_lai_zone_is_epsg_9218() -> None:
    crs = vn2000_crs("tm3")  # default 108°30'
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert crs.to_epsg() == 9218
    assert params["Longitude of natural origin"] == 108.5
    assert params["Scale factor at natural origin"] == 0.9999
    assert params["False easting"] == 500000
    assert is_vn2000(crs)
    assert is_metric(crs)


@pytest.mark.parametrize(("zone", "cm", "k"), [("tm3", 108.5, 0.9999), ("tm3", 109.0, 0.9999),
                                               ("utm49", 111.0, 0.9996),
                                               ("utm48", 105.0, 0.9996)])
def test_transformation_matches_hand_helmert(zone: str, cm: float, k: float) -> None:
    """Grid → WGS 84 by pyproj equals projection + hand-written 7-parameter Helmert."""
    crs = vn2000_crs(zone, central_meridian_deg=cm)
    to_wgs = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    for x, y in [(450_000.0, 1_550_000.0), (560_000.0, 1_480_000.0)]:
        if zone == "utm49":
            x -= 300_000  # Gia Lai lies west of UTM 49N's meridian
        if zone == "utm48":
            x += 300_000
        lon_vn, lat_vn = _pure_tm(cm, k).transform(x, y)
        expected = _vn2000_to_wgs84(lon_vn, lat_vn)
        got = to_wgs.transform(x, y)
        assert _metres(*got, *expected) < 0.01


def test_round_trip_known_point() -> None:
    """Pleiku (108.0 E, 14.0 N) → VN-2000 TM-3 108-30 → back: identical to 1 mm."""
    crs = vn2000_crs("tm3")
    fwd = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    back = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    x, y = fwd.transform(108.0, 14.0)
    assert 440_000 < x < 450_000
    assert 1_540_000 < y < 1_560_000
    assert _metres(*back.transform(x, y), 108.0, 14.0) < 0.001


def test_shift_is_present_and_about_225_m() -> None:
    """Ignoring the datum shift would move points 200–250 m in Gia Lai."""
    crs = vn2000_crs("tm3")
    x, y = 450_000.0, 1_550_000.0
    with_shift = pyproj.Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    without = _pure_tm(108.5, 0.9999).transform(x, y)
    assert 200 < _metres(*with_shift, *without) < 250
    assert has_datum_shift(crs)


ESRI_TM3 = (
    'PROJCS["VN_2000_TM3_108_30",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",'
    'SPHEROID["WGS_1984",6378137,298.257223563]],PRIMEM["Greenwich",0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000],PARAMETER["False_Northing",0],'
    'PARAMETER["Central_Meridian",108.5],PARAMETER["Scale_Factor",0.9999],'
    'PARAMETER["Latitude_Of_Origin",0],UNIT["Meter",1]]'
)


def test_ensure_datum_shift_on_esri_prj() -> None:
    crs = ensure_datum_shift(ESRI_TM3)
    assert has_datum_shift(crs)
    got = pyproj.Transformer.from_crs(crs, 4326, always_xy=True).transform(450_000, 1_550_000)
    ref = pyproj.Transformer.from_crs(9218, 4326, always_xy=True).transform(450_000, 1_550_000)
    assert _metres(*got, *ref) < 0.01


def test_ballpark_vn2000_gets_bound() -> None:
    """A VN-2000 CRS whose datum PROJ cannot link to WGS 84 is bound by EPSG:6960."""
    wkt = pyproj.CRS.from_epsg(9218).to_wkt().replace('ID["EPSG",4756]', "").replace(
        'ID["EPSG",9218]', "").replace('"Vietnam 2000"', '"VN-2000 local"')
    raw = pyproj.CRS.from_wkt(wkt)
    assert is_vn2000(raw)
    assert not has_datum_shift(raw)  # PROJ alone would use a ballpark transformation
    fixed = ensure_datum_shift(raw)
    assert has_datum_shift(fixed)
    got = pyproj.Transformer.from_crs(fixed, 4326, always_xy=True).transform(450_000, 1_550_000)
    ref = pyproj.Transformer.from_crs(9218, 4326, always_xy=True).transform(450_000, 1_550_000)
    assert _metres(*got, *ref) < 0.01


def test_not_vn2000_untouched() -> None:
    assert ensure_datum_shift("EPSG:32649") == pyproj.CRS.from_epsg(32649)
    assert not is_vn2000("EPSG:32649")


def test_metric_checks() -> None:
    assert require_metric_crs("EPSG:32649").to_epsg() == 32649
    with pytest.raises(CRSError, match="not a metric"):
        require_metric_crs("EPSG:4326")
    with pytest.raises(CRSError, match="unknown CRS"):
        require_metric_crs("EPSG:999999")
    assert not is_metric("EPSG:2263")  # US feet


def test_bad_zone_arguments() -> None:
    with pytest.raises(CRSError):
        vn2000_crs("tm3", central_meridian_deg=108.3)
    with pytest.raises(CRSError):
        vn2000_crs("utm50")  # type: ignore[arg-type]

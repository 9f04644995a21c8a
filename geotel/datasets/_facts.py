"""Public facts behind the demo province (names, codes, centres, census, relief, roads)
and the fixed grid it is generated on.

The facts live in small CSV files beside this module, each with ``#`` source lines at
the top. Nothing here is random; see :mod:`geotel.datasets._noise` for the seeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from importlib import resources

import numpy as np
import pandas as pd
from affine import Affine
from pyproj import Transformer

__all__ = [
    "ANALYSIS_CRS",
    "EQUAL_AREA_CRS",
    "GEOGRAPHIC_CRS",
    "KON_PNE_CODE",
    "PLEIKU_AIRPORT_LONLAT",
    "POPULATION_2019",
    "PROVINCE_AREA_KM2",
    "Grid",
    "communes",
    "districts",
    "grid",
    "relief_points",
    "road_waypoints",
    "to_lonlat",
    "to_metric",
]

#: Metric CRS of the demo's rasters and of all generation work (UTM 49N).
ANALYSIS_CRS = "EPSG:32649"
#: CRS of the vector files the demo writes (what agencies usually hand over).
GEOGRAPHIC_CRS = "EPSG:4326"
#: Equal-area CRS used for ``area_km2``.
EQUAL_AREA_CRS = "+proj=laea +lat_0=13.8 +lon_0=108.2 +datum=WGS84 +units=m +no_defs"
#: Official area of the province (km²).
PROVINCE_AREA_KM2 = 15_510.0
#: 2019 census population of Gia Lai.
POPULATION_2019 = 1_513_847
#: Pleiku airport reference point (lon, lat).
PLEIKU_AIRPORT_LONLAT = (108.017, 14.004)
#: GSO code of Xã Kon Pne (KBang): no fiber and 2G only in the province's 2017 report.
KON_PNE_CODE = "23641"

# Extent: lon 107.45–108.95, lat 12.95–14.60 in UTM 49N, rounded outward to 2,700 m so
# that the 30, 90 and 300 m grids share their edges.
_X0, _X1, _Y0, _Y1 = 113_400.0, 280_800.0, 1_431_000.0, 1_617_300.0


@dataclass(frozen=True)
class Grid:
    """A north-up grid over the demo extent in :data:`ANALYSIS_CRS`."""

    cell_m: float

    @property
    def shape(self) -> tuple[int, int]:
        return (round((_Y1 - _Y0) / self.cell_m), round((_X1 - _X0) / self.cell_m))

    @property
    def transform(self) -> Affine:
        return Affine(self.cell_m, 0.0, _X0, 0.0, -self.cell_m, _Y1)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (_X0, _Y0, _X1, _Y1)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """1-D x (columns) and y (rows) of the cell centres."""
        h, w = self.shape
        x = _X0 + (np.arange(w) + 0.5) * self.cell_m
        y = _Y1 - (np.arange(h) + 0.5) * self.cell_m
        return x, y

    def rowcol(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of points (clipped to the grid)."""
        h, w = self.shape
        c = np.clip(np.floor((np.asarray(x) - _X0) / self.cell_m).astype(np.int64), 0, w - 1)
        r = np.clip(np.floor((_Y1 - np.asarray(y)) / self.cell_m).astype(np.int64), 0, h - 1)
        return r, c


def grid(cell_m: float) -> Grid:
    """The demo grid at ``cell_m`` metres (30, 90, 300 ...; must divide 2,700)."""
    if 2700.0 % cell_m:
        raise ValueError(f"cell size {cell_m} m does not divide the 2,700 m extent step")
    return Grid(float(cell_m))


@lru_cache(maxsize=2)
def _transformer(inverse: bool) -> Transformer:
    src, dst = (ANALYSIS_CRS, GEOGRAPHIC_CRS) if inverse else (GEOGRAPHIC_CRS, ANALYSIS_CRS)
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """lon/lat (EPSG:4326) to x/y in :data:`ANALYSIS_CRS`."""
    x, y = _transformer(False).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x/y in :data:`ANALYSIS_CRS` to lon/lat."""
    lon, lat = _transformer(True).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


def _read(name: str, dtypes: dict[str, str]) -> pd.DataFrame:
    with resources.files("geotel.datasets").joinpath(name).open("r", encoding="utf-8") as f:
        return pd.read_csv(f, comment="#", dtype=dtypes, keep_default_na=False)


def _copied(func: Callable[[], pd.DataFrame]) -> Callable[[], pd.DataFrame]:
    """Cache a table loader but hand every caller its own copy."""
    cached = lru_cache(maxsize=1)(func)

    @wraps(func)
    def wrapper() -> pd.DataFrame:
        return cached().copy()

    return wrapper


@_copied
def districts() -> pd.DataFrame:
    """The 17 districts: code, name, centre and seat lon/lat, census population."""
    d = _read("gialai_districts.csv", {"district_code": "str"})
    d["x"], d["y"] = to_metric(d["centre_lon"], d["centre_lat"])
    d["seat_x"], d["seat_y"] = to_metric(d["seat_lon"], d["seat_lat"])
    return d


@_copied
def communes() -> pd.DataFrame:
    """The 222 communes: code, name, type, district, real area and population weight."""
    return _read("gialai_communes.csv", {"commune_code": "str", "district_code": "str"})


@_copied
def relief_points() -> pd.DataFrame:
    """Relief control points (name, lon, lat, elevation_m) with x/y added."""
    p = _read("gialai_relief.csv", {})
    p["x"], p["y"] = to_metric(p["lon"], p["lat"])
    return p


@_copied
def road_waypoints() -> pd.DataFrame:
    """Ordered waypoints of the main roads with x/y added."""
    r = _read("gialai_roads.csv", {"road_id": "str", "place": "str"})
    r["x"], r["y"] = to_metric(r["lon"], r["lat"])
    return r

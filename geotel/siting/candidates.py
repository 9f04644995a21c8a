"""Candidate BTS sites: where a new tower (or a co-location) could go, after the rules.

Sources: a regular grid, terrain high points (local maxima of the DEM), existing towers
of the operators (co-location: 'dùng chung hạ tầng'), commune centres and user points.
Rules, applied to *new* towers only (a co-location adds no structure):

- no new tower in a national park core zone, heritage zone, or an A1-only urban zone
  (where bulky A2 towers are not allowed);
- none within ``airport_radius_m`` of an airport zone;
- none closer to an existing tower than ``min_spacing_urban_m`` (wards and towns:
  'Phường', 'Thị trấn') or ``min_spacing_rural_m``, unless shared: the co-location
  candidate on that tower stands for it.

Examples
--------
>>> import geopandas as gpd, numpy as np
>>> from affine import Affine
>>> from shapely.geometry import box
>>> from geotel.raster import Raster
>>> communes = gpd.GeoDataFrame({"commune_code": ["00001"], "commune_name": ["Xã A"]},
...                             geometry=[box(0, 0, 6000, 6000)], crs=32649)
>>> dem = Raster(np.zeros((60, 60), "float32"), Affine(100, 0, 0, 0, -100, 6000), 32649)
>>> c = candidate_sites(communes=communes, dem=dem, grid_spacing_m=3000, dem_peaks=False)
>>> sorted(c["source"].unique()), int(c["colocated"].sum())
(['centre', 'grid'], 0)
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from geotel._crs import require_metric
from geotel.errors import SchemaError, ValueRangeError
from geotel.raster import Raster

__all__ = ["CANDIDATE_COLUMNS", "candidate_sites", "is_urban_commune"]

log = logging.getLogger(__name__)

CANDIDATE_COLUMNS = ["candidate_id", "source", "colocated", "host_site_id", "operator",
                     "height_m", "commune_code", "urban", "geometry"]

_EXCLUDING_KINDS = ("national_park", "heritage", "a1_only_urban")


def _fold(text: str) -> str:
    nfkd = unicodedata.normalize("NFKD", str(text).replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in nfkd if not unicodedata.combining(c)).lower().strip()


def is_urban_commune(name: object) -> bool:
    """True for wards and towns ('Phường …', 'Thị trấn …'), by their name.

    >>> is_urban_commune("Phường Hội Thương"), is_urban_commune("Xã Ia Grai")
    (True, False)
    """
    folded = _fold(str(name))
    return folded.startswith(("phuong", "thi tran"))


def _metric(gdf: gpd.GeoDataFrame, what: str) -> None:
    require_metric(gdf, what, column=what)


def _grid_points(area: shapely.Geometry, spacing_m: float) -> np.ndarray:
    x0, y0, x1, y1 = area.bounds
    xs = np.arange(x0 + spacing_m / 2, x1, spacing_m)
    ys = np.arange(y0 + spacing_m / 2, y1, spacing_m)
    gx, gy = np.meshgrid(xs, ys)
    pts = shapely.points(gx.ravel(), gy.ravel())
    return pts[shapely.contains_xy(area, gx.ravel(), gy.ravel())]


def _dem_peaks(dem: Raster, area: shapely.Geometry, window_m: float,
               min_rise_m: float) -> np.ndarray:
    """Local maxima of the DEM over a ``window_m`` window, rising ``min_rise_m`` above
    the window's mean."""
    res = abs(dem.transform.a)
    size = max(3, round(window_m / res) | 1)
    z = np.where(np.isfinite(dem.values), dem.values, -np.inf)
    peak = (z == ndimage.maximum_filter(z, size=size, mode="nearest")) & np.isfinite(dem.values)
    mean = ndimage.uniform_filter(np.where(np.isfinite(dem.values), dem.values, 0.0), size=size)
    peak &= dem.values >= mean + min_rise_m
    rows, cols = np.nonzero(peak)
    x, y = dem.xy(rows, cols)
    inside = shapely.contains_xy(area, x, y)
    return shapely.points(x[inside], y[inside])


def candidate_sites(
    province: Any = None,
    *,
    communes: gpd.GeoDataFrame | None = None,
    towers: gpd.GeoDataFrame | None = None,
    exclusion_zones: gpd.GeoDataFrame | None = None,
    dem: Raster | None = None,
    grid_spacing_m: float = 3_000.0,
    dem_peaks: bool = True,
    peak_window_m: float | None = None,
    peak_min_rise_m: float = 20.0,
    colocation: bool = True,
    commune_centres: bool = True,
    user_candidates: gpd.GeoDataFrame | None = None,
    airport_radius_m: float = 4_000.0,
    airport_max_height_m: float = 0.0,
    min_spacing_urban_m: float = 100.0,
    min_spacing_rural_m: float = 400.0,
    new_tower_height_m: float = 40.0,
) -> gpd.GeoDataFrame:
    """Candidate sites with the planning rules applied.

    Parameters
    ----------
    province
        A :class:`geotel.province.ProvinceData`; its layers are used unless given
        separately (``communes``, ``towers``, ``exclusion_zones``, ``dem``).
    grid_spacing_m
        Spacing of the regular grid (m).
    dem_peaks, peak_window_m, peak_min_rise_m
        Add DEM local maxima over a ``peak_window_m`` window (default: the grid
        spacing) that rise at least ``peak_min_rise_m`` above the window's mean.
    colocation
        Add every existing tower site as a co-location candidate.
    commune_centres
        Add a point inside each commune (its representative point).
    user_candidates
        Extra points (any CRS; reprojected); an optional ``height_m`` column.
    airport_radius_m, airport_max_height_m
        No new tower taller than ``airport_max_height_m`` within ``airport_radius_m``
        of an ``airport`` exclusion zone (0: no new tower at all).
    min_spacing_urban_m, min_spacing_rural_m
        Minimum distance of a new tower to an existing one, in wards/towns and elsewhere.
    new_tower_height_m
        Height of a new (A2b) tower; co-locations use the host tower's height.

    Returns
    -------
    GeoDataFrame
        Columns :data:`CANDIDATE_COLUMNS` (``operator`` is 'shared' for new towers, the
        host's operator for co-locations), in the communes' CRS, index 0..n-1.

    Raises
    ------
    CRSError
        A layer is not in a metric CRS.
    SchemaError
        No communes.
    """
    if province is not None:
        communes = province.communes if communes is None else communes
        towers = province.towers if towers is None else towers
        exclusion_zones = province.exclusion_zones if exclusion_zones is None \
            else exclusion_zones
        dem = province.dem if dem is None else dem
    if communes is None or len(communes) == 0:
        raise SchemaError("no communes: candidate sites need the study area",
                          column="communes", fix="give the communes layer in the config")
    for v, name in ((grid_spacing_m, "grid_spacing_m"), (airport_radius_m, "airport_radius_m")):
        if not v > 0:
            raise ValueRangeError(f"{name} = {v!r} must be > 0", column=name,
                                  fix="give a distance in metres")
    _metric(communes, "communes")
    crs = communes.crs
    area = shapely.union_all(communes.geometry.array)
    parts: list[gpd.GeoDataFrame] = []

    def add(points: np.ndarray, source: str, **cols: Any) -> None:
        if len(points):
            parts.append(gpd.GeoDataFrame({"source": [source] * len(points), **cols},
                                          geometry=list(points), crs=crs))

    add(_grid_points(area, float(grid_spacing_m)), "grid")
    if dem_peaks and dem is not None:
        dem.require_metric("the DEM")
        add(_dem_peaks(dem, area, peak_window_m or grid_spacing_m, peak_min_rise_m), "peak")
    if commune_centres:
        add(communes.geometry.representative_point().to_numpy(), "centre")
    if user_candidates is not None and len(user_candidates):
        user = user_candidates.to_crs(crs)
        cols = {}
        if "height_m" in user:
            cols["height_m"] = user["height_m"].to_numpy(float)
        add(user.geometry.centroid.to_numpy(), "user", **cols)
    new = pd.concat(parts, ignore_index=True) if parts else gpd.GeoDataFrame(
        {"source": []}, geometry=[], crs=crs)
    new = gpd.GeoDataFrame(new, geometry="geometry", crs=crs)
    if "height_m" not in new:
        new["height_m"] = np.nan
    new["height_m"] = new["height_m"].fillna(float(new_tower_height_m))
    new["colocated"] = False
    new["host_site_id"] = ""
    new["operator"] = "shared"
    new = _apply_rules(new, towers, exclusion_zones, communes, airport_radius_m,
                       airport_max_height_m, min_spacing_urban_m, min_spacing_rural_m)
    # Co-location only on the province's own towers: a site across the border is not
    # the province's to plan on (it still counts in the coverage and the spacing rule).
    own = (towers[towers["in_province"].astype("boolean").fillna(True).to_numpy(bool)]
           if towers is not None and "in_province" in towers.columns else towers)
    coloc = _colocation(own, crs) if colocation and own is not None else None
    out = pd.concat([new, coloc] if coloc is not None else [new], ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=crs)
    out = _attach_commune(out, communes)
    out["candidate_id"] = [f"C{i:05d}" for i in range(len(out))]
    log.info("%d candidate sites (%s)", len(out),
             ", ".join(f"{k}: {v}" for k, v in out["source"].value_counts().items()))
    return out[CANDIDATE_COLUMNS]


def _colocation(towers: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame | None:
    if len(towers) == 0:
        return None
    _metric(towers, "towers")
    t = towers.to_crs(crs)
    height = t["height_m"] if "height_m" in t else pd.Series(30.0, index=t.index)
    sites = pd.DataFrame({"site_id": t["site_id"].astype(str), "operator": t["operator"],
                          "height_m": height.astype(float), "x": t.geometry.x,
                          "y": t.geometry.y})
    first = sites.groupby("site_id", sort=False).agg(
        operator=("operator", "first"), height_m=("height_m", "max"), x=("x", "first"),
        y=("y", "first")).reset_index()
    return gpd.GeoDataFrame(
        {"source": ["colocation"] * len(first), "colocated": True,
         "host_site_id": first["site_id"],
         "operator": first["operator"], "height_m": first["height_m"]},
        geometry=shapely.points(first["x"], first["y"]), crs=crs)


def _apply_rules(new: gpd.GeoDataFrame, towers: gpd.GeoDataFrame | None,
                 zones: gpd.GeoDataFrame | None, communes: gpd.GeoDataFrame,
                 airport_radius_m: float, airport_max_height_m: float,
                 spacing_urban_m: float,
                 spacing_rural_m: float) -> gpd.GeoDataFrame:
    if len(new) == 0:
        return new
    keep = np.ones(len(new), bool)
    geoms = new.geometry.array
    if zones is not None and len(zones):
        _metric(zones, "exclusion_zones")
        z = zones.to_crs(new.crs)
        kinds = z["kind"].astype(str).to_numpy()
        banned = z.geometry.array[np.isin(kinds, _EXCLUDING_KINDS)]
        airports = z.geometry.array[kinds == "airport"]
        if len(banned):
            hit = shapely.STRtree(banned).query(geoms, predicate="intersects")
            keep[np.unique(hit[0])] = False
        if len(airports):
            approach = shapely.buffer(airports, airport_radius_m)
            hit = shapely.STRtree(approach).query(geoms, predicate="intersects")[0]
            tall = new["height_m"].to_numpy(float)[hit] > airport_max_height_m
            keep[np.unique(hit[tall])] = False
            log.info("exclusion zones remove %d candidate new towers", int((~keep).sum()))
    if towers is not None and len(towers):
        _metric(towers, "towers")
        tpts = towers.to_crs(new.crs).geometry.array
        urban_polys = communes.geometry.array[
            communes["commune_name"].map(is_urban_commune).to_numpy(bool)] \
            if "commune_name" in communes else np.array([])
        urban = (shapely.STRtree(urban_polys).query(geoms, predicate="intersects")[0]
                 if len(urban_polys) else np.zeros(0, int))
        spacing = np.full(len(new), float(spacing_rural_m))
        spacing[np.unique(urban)] = float(spacing_urban_m)
        tree = shapely.STRtree(tpts)
        near = tree.query(geoms, predicate="dwithin", distance=float(max(spacing_urban_m,
                                                                         spacing_rural_m)))
        if near.shape[1]:
            d = shapely.distance(geoms[near[0]], tpts[near[1]])
            too_close = near[0][d < spacing[near[0]]]
            keep[np.unique(too_close)] = False
    return new[keep]


def _attach_commune(cands: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = cands.copy()
    codes = communes["commune_code"].astype(str).to_numpy() if "commune_code" in communes \
        else np.array([""] * len(communes))
    names = communes["commune_name"].to_numpy() if "commune_name" in communes \
        else np.array([""] * len(communes))
    tree = shapely.STRtree(communes.geometry.array)
    idx = tree.query(out.geometry.array, predicate="intersects")
    first = pd.Series(idx[1], index=idx[0]).groupby(level=0).first()
    code = np.full(len(out), "", dtype=object)
    urban = np.zeros(len(out), bool)
    code[first.index.to_numpy()] = codes[first.to_numpy()]
    urban[first.index.to_numpy()] = [is_urban_commune(n) for n in names[first.to_numpy()]]
    out["commune_code"] = code
    out["urban"] = urban
    # candidates outside every commune (co-locations near the border) are kept only
    # when they are co-locations
    return out[(code != "") | out["colocated"].to_numpy(bool)].reset_index(drop=True)

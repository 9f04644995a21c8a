"""Cost of each candidate: tower capex plus the cheaper feasible backhaul.

- capex: a new A2b tower (``tower_capex_vnd``) or a co-location on an existing tower
  (``colocation_capex_vnd``);
- fiber: ``fiber_km`` (along roads to the nearest fiber point, from
  :func:`geotel.fiber.fiber_reach`) × cost per km;
- unknown: no fiber layer was given, so the fiber distance is unknown; the backhaul is
  'unknown' at an assumed cost (``siting.unknown_backhaul_cost_vnd``);
- microwave: one hop (``microwave_capex_vnd``) to an existing tower that has fiber
  (a *hub*: within ``hub_max_m`` of a fiber route), at most ``microwave_max_km`` away,
  with line of sight over the DEM (Earth curvature, k = 4/3, and 60 % of the first
  Fresnel zone clear at ``freq_ghz``).

The default amounts live in :class:`geotel.config.SitingConfig` with their sources.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import Point
>>> c = gpd.GeoDataFrame({"colocated": [False, True]}, geometry=[Point(0, 0), Point(1, 1)],
...                      crs=32649)
>>> t = candidate_costs(c, fiber_km=[2.0, float("inf")], microwave_km=[float("inf"), 5.0],
...                     tower_capex_vnd=1e9, colocation_capex_vnd=3e8,
...                     fiber_cost_per_km_vnd=6e7, microwave_capex_vnd=2.5e8)
>>> t[["backhaul", "total_cost_vnd"]].values.tolist()
[['fiber', 1120000000.0], ['microwave', 550000000.0]]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotel._crs import require_metric
from geotel.errors import ValueRangeError
from geotel.raster import Raster

__all__ = ["candidate_costs", "fiber_hubs", "microwave_reach_km", "profile_clear"]

_EARTH_R_M = 6_371_000.0
_K = 4.0 / 3.0


def candidate_costs(
    candidates: gpd.GeoDataFrame,
    *,
    fiber_km: Sequence[float] | np.ndarray | None,
    microwave_km: Sequence[float] | np.ndarray | None = None,
    tower_capex_vnd: float,
    colocation_capex_vnd: float,
    fiber_cost_per_km_vnd: float,
    microwave_capex_vnd: float,
    unknown_backhaul_cost_vnd: float | None = None,
) -> pd.DataFrame:
    """Capex, backhaul choice and total cost per candidate (index kept).

    ``fiber_km`` / ``microwave_km``: distance per candidate, ``inf`` where impossible.
    ``fiber_km=None`` means the fiber network is unknown (no fiber layer was given):
    a candidate without a microwave hop then has ``backhaul`` = 'unknown', an unknown
    length, and costs ``unknown_backhaul_cost_vnd`` (an assumption, required then).
    Columns: ``capex_vnd``, ``backhaul`` ('fiber', 'microwave', 'unknown' or 'none' —
    none: known to have no backhaul), ``backhaul_km``, ``backhaul_cost_vnd``,
    ``total_cost_vnd`` (inf for 'none').

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> c = gpd.GeoDataFrame({"colocated": [False]}, geometry=[Point(0, 0)], crs=32649)
    >>> t = candidate_costs(c, fiber_km=None, tower_capex_vnd=1e9, colocation_capex_vnd=3e8,
    ...                     fiber_cost_per_km_vnd=6e7, microwave_capex_vnd=2.5e8,
    ...                     unknown_backhaul_cost_vnd=4e8)
    >>> t[["backhaul", "backhaul_cost_vnd", "total_cost_vnd"]].values.tolist()
    [['unknown', 400000000.0, 1400000000.0]]
    """
    n = len(candidates)
    coloc = candidates["colocated"].to_numpy(bool) if "colocated" in candidates \
        else np.zeros(n, bool)
    capex = np.where(coloc, float(colocation_capex_vnd), float(tower_capex_vnd))
    fkm = np.full(n, np.inf) if fiber_km is None else np.asarray(fiber_km, float)
    mkm = np.full(n, np.inf) if microwave_km is None else np.asarray(microwave_km, float)
    fcost = fkm * float(fiber_cost_per_km_vnd)
    mcost = np.where(np.isfinite(mkm), float(microwave_capex_vnd), np.inf)
    use_mw = mcost < fcost
    backhaul = np.where(use_mw, "microwave", "fiber").astype(object)
    bkm = np.where(use_mw, mkm, fkm)
    bcost = np.minimum(fcost, mcost)
    none = ~np.isfinite(bcost)
    if fiber_km is None:
        if unknown_backhaul_cost_vnd is None:
            raise ValueRangeError(
                "the fiber network is unknown, so the backhaul cost needs an assumption",
                column="siting.unknown_backhaul_cost_vnd",
                fix="give siting.unknown_backhaul_cost_vnd (VND per site), or a fiber layer")
        backhaul[none] = "unknown"
        bkm[none] = np.nan
        bcost[none] = float(unknown_backhaul_cost_vnd)
    else:
        backhaul[none] = "none"
    return pd.DataFrame({"capex_vnd": capex, "backhaul": backhaul, "backhaul_km": bkm,
                         "backhaul_cost_vnd": bcost, "total_cost_vnd": capex + bcost},
                        index=candidates.index)


def fiber_hubs(towers: gpd.GeoDataFrame, fiber: gpd.GeoDataFrame, *,
               hub_max_m: float = 300.0) -> gpd.GeoDataFrame:
    """Existing tower sites within ``hub_max_m`` of a fiber route (one row per site)."""
    if len(towers) == 0 or len(fiber) == 0:
        return towers.iloc[:0]
    require_metric(towers, "the towers", column="towers")
    f = fiber.to_crs(towers.crs)
    tree = shapely.STRtree(f.geometry.array)
    near = tree.query(towers.geometry.array, predicate="dwithin", distance=float(hub_max_m))
    hubs = towers.iloc[np.unique(near[0])]
    return hubs.drop_duplicates("site_id") if "site_id" in hubs else hubs


def profile_clear(dem: Raster, a_xy: tuple[float, float], b_xy: tuple[float, float], *,
                  a_height_m: float, b_height_m: float, freq_ghz: float = 15.0,
                  fresnel_fraction: float = 0.6) -> bool:
    """Whether the path a→b clears the terrain (curvature + Fresnel clearance).

    Examples
    --------
    >>> import numpy as np
    >>> from affine import Affine
    >>> z = np.zeros((1, 200), "float32"); z[0, 100] = 80.0
    >>> dem = Raster(z, Affine(50, 0, 0, 0, -50, 50), "EPSG:32649")
    >>> profile_clear(dem, (25, 25), (9975, 25), a_height_m=40, b_height_m=40)
    False
    >>> profile_clear(dem, (25, 25), (4000, 25), a_height_m=40, b_height_m=40)
    True
    """
    (x0, y0), (x1, y1) = a_xy, b_xy
    d = math.hypot(x1 - x0, y1 - y0)
    if d == 0:
        return True
    res = abs(dem.transform.a)
    n = int(min(max(d / res, 2), 2000)) + 1
    t = np.linspace(0.0, 1.0, n)
    xs, ys = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
    r, c = dem.rowcol(xs, ys)
    h, w = dem.shape
    inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)
    z = np.full(n, np.nan)
    z[inside] = dem.values[r[inside], c[inside]]
    if np.isnan(z[0]) or np.isnan(z[-1]):
        return False
    z = np.nan_to_num(z, nan=-np.inf)  # voids never block
    d1 = t * d
    d2 = d - d1
    bulge = d1 * d2 / (2 * _K * _EARTH_R_M)
    line = (z[0] + a_height_m) + t * ((z[-1] + b_height_m) - (z[0] + a_height_m))
    lam = 0.299792458 / freq_ghz
    fresnel = fresnel_fraction * np.sqrt(lam * d1 * d2 / d)
    return bool(np.all((z + bulge + fresnel)[1:-1] <= line[1:-1]))


def microwave_reach_km(
    candidates: gpd.GeoDataFrame,
    hubs: gpd.GeoDataFrame,
    dem: Raster | None,
    *,
    max_km: float = 30.0,
    hub_height_m: float | None = None,
    tries: int = 3,
) -> np.ndarray:
    """Distance (km) to the nearest hub in line of sight within ``max_km``; inf if none.

    Up to ``tries`` nearest hubs are checked per candidate; without a DEM only the
    distance is checked.
    """
    n = len(candidates)
    out = np.full(n, np.inf)
    if n == 0 or len(hubs) == 0:
        return out
    h = hubs.to_crs(candidates.crs)
    hx, hy = h.geometry.x.to_numpy(), h.geometry.y.to_numpy()
    hh = (np.full(len(h), hub_height_m) if hub_height_m is not None else
          h["height_m"].to_numpy(float) if "height_m" in h else np.full(len(h), 30.0))
    cx, cy = candidates.geometry.x.to_numpy(), candidates.geometry.y.to_numpy()
    ch = candidates["height_m"].to_numpy(float) if "height_m" in candidates \
        else np.full(n, 40.0)
    from scipy.spatial import cKDTree

    tree = cKDTree(np.c_[hx, hy])
    k = min(tries, len(h))
    dist, idx = tree.query(np.c_[cx, cy], k=k, distance_upper_bound=max_km * 1000.0)
    dist = np.atleast_2d(dist.T).T if k == 1 else dist
    idx = np.atleast_2d(idx.T).T if k == 1 else idx
    dist = dist.reshape(n, k)
    idx = idx.reshape(n, k)
    for i in range(n):
        for d, j in zip(dist[i], idx[i], strict=True):
            if not np.isfinite(d):
                break
            if dem is None or profile_clear(dem, (cx[i], cy[i]), (hx[j], hy[j]),
                                            a_height_m=ch[i], b_height_m=hh[j]):
                out[i] = d / 1000.0
                break
    return out

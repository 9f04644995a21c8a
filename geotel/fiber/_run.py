"""The fiber step of the pipeline: road graph, reach of communes and sites, the plan."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geotel._zonal import bool_column
from geotel.config import FiberConfig
from geotel.fiber.graph import RoadGraph, build_road_graph
from geotel.fiber.plan import FiberPlan, plan_extension
from geotel.fiber.reach import FiberReach, commune_centres, fiber_access_points, fiber_reach

__all__ = ["FiberResult", "run_fiber"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class FiberResult:
    """Everything the fiber step produces.

    Attributes
    ----------
    graph
        The road graph.
    reach
        :class:`~geotel.fiber.reach.FiberReach` of all origins: commune centres first
        (``origin_kind`` = ``commune``, ``origin_id`` = commune code), then candidate
        sites (``site``, their ``site_id`` or index).
    plan
        The extension plan (``plan.routes`` is the ``fiber_proposed`` layer).
    communes
        A new communes layer with ``fiber_distance_km`` and ``fiber_reach_class``; with
        a fiber layer, also ``has_fixed_internet`` and ``has_fiber`` where the input
        left them unknown (fiber within ``connected_max_km`` of the centre), and
        ``fixed_internet_source``: ``given``, ``fiber reach`` or null (unknown).
    sites
        Per candidate site (its index): ``fiber_distance_km``, ``fiber_reach_class``,
        ``fiber_road_km``, ``fiber_offroad_km``; None without candidates.
    """

    graph: RoadGraph
    reach: FiberReach
    plan: FiberPlan
    communes: gpd.GeoDataFrame
    sites: pd.DataFrame | None
    #: When not every target could be connected: {"step", "asked", "delivered",
    #: "reason", "unreached"} (the unreached communes' names); None otherwise.
    shortfall: dict[str, Any] | None = None


def run_fiber(
    province: Any,
    config: FiberConfig | None = None,
    *,
    candidates: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    crs: Any = None,
) -> FiberResult:
    """Run the fiber step on a province: graph, reach (one Dijkstra), extension plan.

    Parameters
    ----------
    province
        Anything with ``communes``, ``roads`` and ``fiber`` GeoDataFrames, and optional
        ``dem`` (:class:`~geotel.raster.Raster`), ``pops`` (points) and
        ``analysis_crs`` (used when the roads are not in a metric CRS).
    config
        The ``fiber`` section of the project config (defaults when None).
    candidates
        Candidate tower sites (points) whose distance to fiber the siting step needs.
    crs
        Metric CRS to work in; default: ``province.analysis_crs`` if the roads are not
        already metric.

    Returns
    -------
    FiberResult

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, box
    >>> roads = gpd.GeoDataFrame({"road_id": ["a"], "road_class": ["national"]}, crs=32649,
    ...                          geometry=[LineString([(0, 0), (9000, 0)])])
    >>> fiber = gpd.GeoDataFrame({"route_id": ["F"]}, crs=32649,
    ...                          geometry=[LineString([(0, 0), (0, 900)])])
    >>> com = gpd.GeoDataFrame({"commune_code": ["1"], "has_fixed_internet": [False]},
    ...                        crs=32649, geometry=[box(8000, -500, 10000, 500)])
    >>> res = run_fiber(SimpleNamespace(communes=com, roads=roads, fiber=fiber, dem=None))
    >>> res.communes["fiber_distance_km"].round(1).tolist(), res.plan.n_connected
    ([9.0], 1)
    """
    cfg = config or FiberConfig()
    roads = province.roads
    target = crs
    if target is None and getattr(province, "analysis_crs", None) is not None:
        target = province.analysis_crs
    graph = build_road_graph(roads, crs=target, snap_tolerance_m=cfg.snap_tolerance_m,
                             min_fragment_m=cfg.min_fragment_m,
                             class_weights=cfg.road_class_weights,
                             split_crossings=cfg.split_crossings)
    dem = getattr(province, "dem", None)
    pops = getattr(province, "pops", None)
    fiber = province.fiber
    aps = fiber_access_points(graph, fiber, spacing_m=cfg.access_spacing_m, pops=pops)
    communes = province.communes
    centres = commune_centres(communes).to_crs(graph.crs)
    kinds = ["commune"] * len(centres)
    ids = (communes["commune_code"].astype(str).tolist() if "commune_code" in communes
           else [str(i) for i in communes.index])
    geoms = list(centres.array)
    if candidates is not None and len(candidates):
        cand = candidates.geometry if isinstance(candidates, gpd.GeoDataFrame) else candidates
        cand = cand.to_crs(graph.crs)
        geoms += list(cand.array)
        kinds += ["site"] * len(cand)
        sid = (candidates["site_id"].astype(str).tolist()
               if isinstance(candidates, gpd.GeoDataFrame) and "site_id" in candidates
               else [str(i) for i in cand.index])
        ids += sid
    origins = gpd.GeoSeries(geoms, crs=graph.crs)
    reach = fiber_reach(graph, fiber, origins, spacing_m=cfg.access_spacing_m,
                        offroad_penalty=cfg.offroad_penalty, pops=pops, dem=dem,
                        access_points=aps)
    reach.table.insert(0, "origin_kind", kinds)
    reach.table.insert(1, "origin_id", ids)
    n_c = len(communes)
    out = communes.copy()
    out["fiber_distance_km"] = reach.table["distance_km"].to_numpy()[:n_c]
    out["fiber_reach_class"] = reach.table["reach_class"].to_numpy()[:n_c]
    out = _derive_fixed_internet(out, known_fiber=len(fiber) > 0,
                                 max_km=cfg.connected_max_km)
    sites = None
    if candidates is not None and len(candidates):
        t = reach.table.iloc[n_c:]
        sites = pd.DataFrame({
            "fiber_distance_km": t["distance_km"].to_numpy(),
            "fiber_reach_class": t["reach_class"].to_numpy(),
            "fiber_road_km": t["road_km"].to_numpy(),
            "fiber_offroad_km": t["offroad_km"].to_numpy(),
        }, index=candidates.index)
    plan = plan_extension(graph, fiber, out, targets=cfg.targets, method=cfg.method,
                          build=cfg.build, cost_per_km_vnd=cfg.cost_per_km_vnd,
                          spacing_m=cfg.access_spacing_m, offroad_penalty=cfg.offroad_penalty,
                          pops=pops, dem=dem, access_points=aps)
    return FiberResult(graph, reach, plan, out, sites,
                       _shortfall(plan, out, known_fiber=len(fiber) > 0, targets=cfg.targets))


def _derive_fixed_internet(communes: gpd.GeoDataFrame, *, known_fiber: bool,
                           max_km: float) -> gpd.GeoDataFrame:
    """Fill unknown ``has_fixed_internet`` / ``has_fiber`` from the fiber reach."""
    out = communes.copy()
    given = bool_column(out, "has_fixed_internet")
    given.index = out.index
    source = pd.Series(np.where(given.notna(), "given", np.array(None, dtype=object)),
                       index=out.index, dtype=object)
    if known_fiber:
        dist = pd.to_numeric(out["fiber_distance_km"], errors="coerce")
        near = pd.Series((dist <= max_km).to_numpy(), index=out.index, dtype="boolean")
        source = source.where(given.notna(), "fiber reach")
        given = given.fillna(near)
        has_fiber = bool_column(out, "has_fiber")
        has_fiber.index = out.index
        out["has_fiber"] = has_fiber.fillna(near).array
        log.info("fixed Internet derived from the fiber reach (<= %g km) for %d commune(s)",
                 max_km, int((source == "fiber reach").sum()))
    out["has_fixed_internet"] = given.array
    out["fixed_internet_source"] = source
    return out


def _shortfall(plan: FiberPlan, communes: gpd.GeoDataFrame, *, known_fiber: bool,
               targets: str) -> dict[str, Any] | None:
    """What the plan could not connect, and why (English, and Vietnamese under ``vi``)."""
    unknown = int(bool_column(communes, "has_fixed_internet").isna().sum())
    names = (communes["commune_name"].astype(str) if "commune_name" in communes.columns
             else communes["commune_code"].astype(str))
    step_vi = "quy hoạch cáp quang"
    if not known_fiber:
        counted = targets == "all" or not unknown
        asked = f"{plan.n_targets} communes" if counted else "communes without fixed Internet"
        asked_vi = f"{plan.n_targets} xã" if counted else "các xã chưa có Internet cố định"
        also = (f", and fixed Internet is unknown in {unknown} communes" if unknown else "")
        also_vi = (f"; chưa biết {unknown} xã có Internet cố định hay không"
                   if unknown else "")
        return {"step": "fiber", "asked": asked, "delivered": "0 routes",
                "reason": "no existing fiber layer was given (inputs.fiber): no route can be "
                          "planned" + also,
                "unreached": names.loc[plan.targets.index].tolist(),
                "vi": {"step": step_vi, "asked": asked_vi, "delivered": "0 tuyến",
                       "reason": "không có lớp cáp quang hiện có (inputs.fiber): không thể "
                                 "quy hoạch tuyến nào" + also_vi}}
    missed = plan.targets.index[~plan.targets["connected"].to_numpy(bool)]
    if len(missed) == 0:
        return None
    listed = ", ".join(names.loc[missed].tolist()[:10])
    return {"step": "fiber", "asked": f"{plan.n_targets} communes",
            "delivered": f"{plan.n_connected} communes",
            "reason": f"{len(missed)} target commune(s) have no road path to the existing "
                      f"fiber: {listed}",
            "unreached": names.loc[missed].tolist(),
            "vi": {"step": step_vi, "asked": f"{plan.n_targets} xã",
                   "delivered": f"{plan.n_connected} xã",
                   "reason": f"{len(missed)} xã cần kết nối không có đường bộ tới cáp quang "
                             f"hiện có: {listed}"}}

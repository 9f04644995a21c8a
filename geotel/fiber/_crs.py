"""CRS checks shared by the fiber modules: everything is measured in a metric CRS."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from pyproj import CRS

from geotel._errors import CRSError

__all__ = ["is_metric", "metric_crs", "to_crs"]


def is_metric(crs: CRS | None) -> bool:
    """True for a projected CRS whose axis unit is the metre."""
    if crs is None or not crs.is_projected:
        return False
    units = {ax.unit_name for ax in crs.axis_info}
    return units <= {"metre", "meter", "m"}


def metric_crs(data_crs: Any, target: Any, what: str) -> CRS:
    """The metric CRS to work in: ``target`` when given, else the data's own CRS.

    Raises
    ------
    CRSError
        The data has no CRS, or neither the target nor the data CRS is metric.
    """
    if data_crs is None:
        raise CRSError(f"{what} has no CRS", column="geometry",
                       fix="set the layer's CRS (e.g. gdf.set_crs('EPSG:4326')) before use")
    if target is not None:
        crs = CRS.from_user_input(target)
        if not is_metric(crs):
            raise CRSError(f"the target CRS {crs.to_string()} given for {what} is not metric",
                           fix="give a projected CRS in metres, e.g. crs='EPSG:32649' (UTM 49N)")
        return crs
    crs = CRS.from_user_input(data_crs)
    if not is_metric(crs):
        raise CRSError(f"{what} is in {crs.to_string()}, which is not a metric CRS",
                       column="geometry",
                       fix="pass crs='EPSG:32649' (UTM 49N for Gia Lai) or reproject the layer")
    return crs


def to_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, crs: CRS, what: str) -> Any:
    """``gdf`` in ``crs`` (a new object); CRSError when it has no CRS."""
    if gdf.crs is None:
        raise CRSError(f"{what} has no CRS", column="geometry",
                       fix="set the layer's CRS before use, e.g. gdf.set_crs('EPSG:4326')")
    if CRS.from_user_input(gdf.crs) == crs:
        return gdf.copy()
    return gdf.to_crs(crs)

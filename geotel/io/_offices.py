"""Commune offices (private): points with a ``commune_code``, the commune centres that
fiber reach is measured from (config ``inputs.commune_offices``)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geotel.errors import CRSError, SchemaError, ValidationReport
from geotel.io._aliases import ALIASES, match_columns
from geotel.io._layer_crs import given_crs
from geotel.io._layers import format_code
from geotel.io.crs import missing_crs_fix
from geotel.io.vector import read_vector

__all__ = ["with_offices"]


def with_offices(communes: gpd.GeoDataFrame, path: Path, layer: str | None,
                  crs: pyproj.CRS, rep: ValidationReport, *, source_crs: str | None = None
                  ) -> gpd.GeoDataFrame:
    """Communes with ``office_x``/``office_y`` (analysis CRS) from a layer of office points."""
    offices = read_vector(path, layer=layer)
    src = str(path)
    key = "inputs.commune_offices_crs"
    # The code under any of the communes' aliases ('ma_xa'), or cut to 10 characters
    # by the shapefile format ('commune_co').
    found = match_columns([c for c in offices.columns if c != offices.geometry.name],
                          {"commune_code": (*ALIASES["communes"]["commune_code"],
                                            "commune_co")})
    offices = offices.rename(columns=found)
    if "commune_code" not in offices.columns:
        raise SchemaError("the commune offices layer has no 'commune_code' column",
                          file=src, column="commune_code",
                          fix="give each office point the 5-digit code of its commune")
    offices = given_crs(offices, source_crs, key, src, rep)
    if offices.crs is None:
        b = tuple(float(v) for v in offices.total_bounds) if len(offices) else None
        raise CRSError("the commune offices layer has no CRS (a shapefile without its "
                       ".prj?)", file=src, column=key,
                       fix=missing_crs_fix(key, b))  # type: ignore[arg-type]
    offices = offices.to_crs(crs)
    codes = offices["commune_code"].map(lambda v: format_code(v, 5))
    known = set(communes["commune_code"])
    for code in codes[~codes.isin(known)]:
        rep.warn("schema", f"office of unknown commune {code} ignored", file=src,
                 feature=str(code), column="commune_code", fix="check the code")
    xy = pd.DataFrame({"office_x": offices.geometry.x.to_numpy(),
                       "office_y": offices.geometry.y.to_numpy()}, index=codes.to_numpy())
    xy = xy[~xy.index.duplicated()]
    out = communes.copy()
    out["office_x"] = out["commune_code"].map(xy["office_x"])
    out["office_y"] = out["commune_code"].map(xy["office_y"])
    pts = gpd.points_from_xy(out["office_x"], out["office_y"], crs=crs)
    has = out["office_x"].notna().to_numpy()
    outside = has & ~shapely.covers(out.geometry.buffer(100.0).array, pts)
    for code in out.loc[outside, "commune_code"]:
        rep.warn("study_area", "commune office lies outside its commune; a point inside "
                 "the commune is used instead", file=src, feature=str(code),
                 fix="check the office's coordinates")
    out.loc[outside, ["office_x", "office_y"]] = np.nan
    return out

"""The CRS of a vector layer as read (private): the config's ``inputs.<layer>_crs``
overriding the file's, the error naming that key when neither gives one, and the check
that the coordinates agree with the CRS (degrees vs metres)."""

from __future__ import annotations

import geopandas as gpd
import shapely
from pyproj import CRS

from geotel.errors import CRSError, ValidationReport
from geotel.io.crs import crs_candidates, missing_crs_fix, to_crs

__all__ = ["check_coordinates", "crs_key", "given_crs", "layer_crs", "study_area_in"]


def crs_key(layer: str) -> str:
    """The config key that gives a layer's CRS (``inputs.<layer>_crs``)."""
    return f"inputs.{layer}_crs"


def _total_bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    geoms = gdf.geometry.array
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return None
    x0, y0, x1, y1 = shapely.total_bounds(geoms[ok])
    return float(x0), float(y0), float(x1), float(y1)


def check_coordinates(gdf: gpd.GeoDataFrame, source: str, rep: ValidationReport,
                       key: str = "the layer's CRS key") -> bool:
    """Whether the coordinates agree with the CRS (degrees vs metres)."""
    if gdf.crs is None or len(gdf) == 0:
        return True
    b = _total_bounds(gdf)
    if b is None:
        return True
    x0, y0, x1, y1 = b
    bounds = f"x {x0:.6g}…{x1:.6g}, y {y0:.6g}…{y1:.6g}"
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_geographic and (x0 < -180 or x1 > 180 or y0 < -90 or y1 > 90):
        cands = crs_candidates(b) or ["EPSG:9218 (VN-2000 / TM-3 108-30)",
                                      "EPSG:3406 (VN-2000 / UTM zone 49N)"]
        rep.add("crs", f"coordinates ({bounds}) are not degrees, but the file's CRS is "
                f"{crs.name}", file=source, column=key,
                fix=f"the data are probably projected, likely one of: {', '.join(cands)}; "
                f"set {key} in the config, or save the file with its real CRS (.prj)")
        return False
    if crs.is_projected and max(abs(x0), abs(x1)) <= 360 and max(abs(y0), abs(y1)) <= 90 \
            and (x1 - x0) < 50 and (y1 - y0) < 50:
        rep.add("crs", f"coordinates ({bounds}) look like longitude/latitude degrees, but the "
                f"file's CRS is {crs.name} (metres)", file=source, column=key,
                fix=f"set {key}: EPSG:4326 in the config, or save the file with EPSG:4326 "
                "(WGS 84) as its CRS")
        return False
    return True


def _same_crs(a: CRS, b: CRS) -> bool:
    if a.equals(b, ignore_axis_order=True):
        return True
    ea, eb = a.to_epsg(min_confidence=70), b.to_epsg(min_confidence=70)
    return ea is not None and ea == eb


def given_crs(df: gpd.GeoDataFrame, source_crs: object, key: str, source: str,
              report: ValidationReport) -> gpd.GeoDataFrame:
    """``df`` with the CRS the config gives (``key`` = ``source_crs``), which overrides the
    file's own, with a warning naming both when they differ; ``df`` itself when None.

    Raises
    ------
    CRSError
        ``source_crs`` is not a known CRS.
    """
    if source_crs is None:
        return df
    try:
        given = to_crs(source_crs)
    except CRSError as exc:
        raise CRSError(exc.message, file=source, column=key, fix=exc.fix) from None
    if df.crs is not None and not _same_crs(CRS.from_user_input(df.crs), given):
        own = CRS.from_user_input(df.crs)
        report.warn("crs", f"the file's CRS ({own.name}) differs from {key} = {source_crs} "
                    f"({given.name}); {key} is used", file=source, column=key,
                    fix=f"remove {key} from the config if the file's CRS is right, or save "
                    "the file with the right CRS")
    return df.set_crs(given, allow_override=True)


def layer_crs(df: gpd.GeoDataFrame, source_crs: object, key: str, source: str,
               study_area: shapely.Geometry | None, target: CRS,
               report: ValidationReport) -> tuple[gpd.GeoDataFrame, bool]:
    """The layer with the CRS the config gives, or an error naming the config key when
    neither the file nor the config gives one."""
    if source_crs is not None:
        try:
            return given_crs(df, source_crs, key, source, report), True
        except CRSError as exc:
            report.add("crs", exc.message, file=source, column=key, fix=exc.fix)
            return df, False
    if df.crs is None:
        near = None
        if study_area is not None and not shapely.is_empty(study_area):
            c = gpd.GeoSeries([study_area.centroid], crs=target).to_crs(4326).iloc[0]
            near = (float(c.x), float(c.y))
        report.add("crs", "the file has no CRS (a shapefile without its .prj?)", file=source,
                   column=key, fix=missing_crs_fix(key, _total_bounds(df), near_lonlat=near))
        return df, False
    return df, True


def study_area_in(study_area: shapely.Geometry | None, target: CRS,
                   source_crs: object) -> shapely.Geometry | None:
    if study_area is None or source_crs is None:
        return None
    if CRS.from_user_input(source_crs) == target:
        return study_area
    return gpd.GeoSeries([study_area], crs=target).to_crs(source_crs).iloc[0]

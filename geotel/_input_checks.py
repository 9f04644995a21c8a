"""Checks of a project's inputs against the rules the planning steps use (private).

``geotel validate`` must fail wherever ``geotel plan`` would: these are the rules of
the coverage step applied at validation time, and the check that blames a layer whose
CRS disagrees with the others instead of the layers it is compared with.

- **Towers:** a tower list must be given and hold towers of a technology the coverage
  predicts (2G, 3G, 4G); every tower in the province needs a DEM value under it; every
  carrier must lie within the coverage model's frequency limits.
- **Communes in the wrong place:** communes that lie away from both the DEM and the
  towers, while those two agree with each other, have a wrong CRS (a UTM 49N .prj on
  48N coordinates, say): that is an error on the communes, naming the CRSs their
  coordinates fit, instead of every tower and the DEM being reported as outside.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import rasterio
import rasterio.warp
import shapely
from shapely.geometry import box

from geotel.errors import ValidationReport
from geotel.raster import Raster

__all__ = [
    "check_tower_frequencies",
    "check_towers_on_dem",
    "misplaced_communes",
    "require_towers",
]

#: Technologies the coverage step predicts.
_PREDICTED = ("2G", "3G", "4G")
#: CRSs tried on communes in the wrong place: VN-2000 TM-3 zones, VN-2000 and WGS 84 UTM.
_CANDIDATES = (*range(9205, 9219), 3405, 3406, 32648, 32649, 4326)


def _rows(towers: gpd.GeoDataFrame) -> list[int]:
    if "_row" in towers.columns:
        return [int(r) if pd.notna(r) else i + 1 for i, r in enumerate(towers["_row"])]
    return list(range(1, len(towers) + 1))


def require_towers(towers: gpd.GeoDataFrame, path: Path | None, *, config_file: str,
                   report: ValidationReport) -> None:
    """A tower list must be given and hold towers of a predicted technology."""
    if path is None:
        report.add("file", "no tower list given: the coverage cannot be computed without "
                   "the existing towers", file=config_file, column="inputs.towers",
                   fix="set inputs.towers to the list of BTS sites (CSV, Excel or a layer)")
        return
    source = str(path)
    if any(p.file == source and p.severity == "error" for p in report.problems):
        return  # the list's own errors say why it is empty
    if len(towers) == 0:
        report.add("file", "the tower list holds no towers", file=source,
                   column="inputs.towers", fix="give the list of existing BTS sites (the "
                   "coverage cannot be computed without them)")
        return
    techs = towers["technologies"].astype(str).str.upper()
    if not techs.map(lambda t: any(x.strip() in _PREDICTED for x in t.split(","))).any():
        found = sorted({x for t in techs for x in t.split(",") if x})
        report.add("range", f"no tower has a technology the coverage predicts (2G, 3G, 4G); "
                   f"the list gives only {', '.join(found)}", file=source,
                   column="technologies", fix="give the towers' technologies (e.g. "
                   "'2G,3G,4G'); 5G alone is not predicted")


def check_tower_frequencies(towers: gpd.GeoDataFrame, *, model: str, source: str,
                            report: ValidationReport) -> None:
    """Every carrier the coverage will predict lies within the model's hard limits."""
    from geotel.coverage.models import get_model
    from geotel.schema import DEFAULT_FREQ_MHZ

    if len(towers) == 0:
        return
    lo, hi = get_model(model).freq_limits_mhz
    rows = _rows(towers)
    for i, (site, techs, freq) in enumerate(zip(towers["site_id"], towers["technologies"],
                                                towers["freq_mhz"], strict=True)):
        for tech in str(techs).split(","):
            tech = tech.strip()
            if tech not in _PREDICTED:
                continue
            f = float(freq) if freq is not None and np.isfinite(freq) else \
                DEFAULT_FREQ_MHZ[tech]
            if not lo <= f <= hi:
                report.add("range", f"frequency {f:g} MHz ({tech}) is outside the {model} "
                           f"model's {lo:g}–{hi:g} MHz (coverage.model)", file=source,
                           feature=str(site), row=rows[i], column="freq_mhz",
                           fix=f"give the carrier in MHz between {lo:g} and {hi:g}, or leave "
                           "this technology out of the row")
                break


def check_towers_on_dem(towers: gpd.GeoDataFrame, dem: Raster, *, source: str,
                        report: ValidationReport) -> None:
    """Every tower in the province stands on a DEM value (the coverage needs it)."""
    if len(towers) == 0 or towers.crs is None:
        return
    inside = towers["in_province"].to_numpy(bool) if "in_province" in towers.columns else \
        np.ones(len(towers), bool)
    pts = towers.geometry.to_crs(dem.crs) if towers.crs != dem.crs else towers.geometry
    ok = ~(shapely.is_missing(pts.array) | shapely.is_empty(pts.array))
    x = np.where(ok, shapely.get_x(pts.array), np.nan)
    y = np.where(ok, shapely.get_y(pts.array), np.nan)
    r, c = dem.rowcol(np.nan_to_num(x), np.nan_to_num(y))
    r, c = np.asarray(r), np.asarray(c)
    h, w = dem.shape
    on = ok & (r >= 0) & (r < h) & (c >= 0) & (c < w)
    value = np.full(len(towers), np.nan)
    value[on] = dem.values[r[on], c[on]]
    rows = _rows(towers)
    seen: set[str] = set()
    for i in np.flatnonzero(inside & ok & ~np.isfinite(value)):
        site = str(towers["site_id"].iloc[i])
        if site in seen:
            continue
        seen.add(site)
        what = "a void (no data) of the DEM" if on[i] else "outside the DEM"
        report.add("study_area", f"the tower stands on {what}: the coverage cannot be "
                   "computed from it", file=source, feature=site, row=rows[i],
                   column="geometry", fix="fill the DEM's voids or add the missing tiles "
                   "(inputs.dem), or check the tower's coordinates")


def _footprint(paths: tuple[Path, ...], crs: pyproj.CRS) -> shapely.Geometry | None:
    boxes = []
    for p in paths:
        try:
            with rasterio.open(p) as ds:
                if ds.crs is None:
                    continue
                boxes.append(box(*rasterio.warp.transform_bounds(ds.crs, crs, *ds.bounds)))
        except Exception:  # noqa: BLE001 - unreadable DEMs are reported by the reader
            continue
    return shapely.union_all(boxes) if boxes else None


def _file_crs(path: Path, layer: str | None, given: str | None) -> pyproj.CRS | None:
    if given:
        return pyproj.CRS.from_user_input(given)
    try:
        import pyogrio

        wkt = pyogrio.read_info(path, layer=layer).get("crs")
        return pyproj.CRS.from_user_input(wkt) if wkt else None
    except Exception:  # noqa: BLE001
        return None


def misplaced_communes(communes: gpd.GeoDataFrame, towers: gpd.GeoDataFrame,
                       dem: tuple[Path, ...], *, path: Path, layer: str | None,
                       given_crs: str | None, crs: pyproj.CRS, max_radius_m: float,
                       report: ValidationReport) -> bool:
    """Whether the communes lie away from the DEM and the towers, which agree with each
    other: then an error on the communes' CRS (naming the CRSs their coordinates fit)."""
    geoms = communes.geometry.array
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0 or communes.crs is None:
        return False
    area = box(*shapely.total_bounds(geoms))
    dem_fp = _footprint(dem, crs)
    placed = towers.crs is not None and pyproj.CRS.from_user_input(towers.crs) == crs
    tgeoms = towers.geometry.array if len(towers) and placed else np.array([])
    tgeoms = tgeoms[~(shapely.is_missing(tgeoms) | shapely.is_empty(tgeoms))] if len(
        tgeoms) else tgeoms
    tower_fp = box(*shapely.total_bounds(tgeoms)).buffer(max_radius_m) if len(tgeoms) else None
    others = [g for g in (dem_fp, tower_fp) if g is not None]
    if not others or any(area.intersects(g) for g in others):
        return False
    if dem_fp is not None and tower_fp is not None and not dem_fp.intersects(tower_fp):
        return False  # the others disagree too: nothing to blame on the communes
    target = shapely.intersection_all(others) if len(others) > 1 else others[0]
    dist_km = area.distance(target) / 1000.0
    own = _file_crs(path, layer, given_crs)
    fits: list[str] = []
    if own is not None:
        back = pyproj.Transformer.from_crs(crs, own, always_xy=True)
        cx, cy = back.transform(*area.centroid.coords[0])
        for code in _CANDIDATES:
            cand = pyproj.CRS.from_epsg(code)
            if cand.equals(own, ignore_axis_order=True):
                continue
            try:
                x, y = pyproj.Transformer.from_crs(cand, crs, always_xy=True).transform(cx, cy)
            except Exception:  # noqa: BLE001 - out of the CRS's domain
                continue
            if np.isfinite([x, y]).all() and target.contains(shapely.Point(x, y)):
                fits.append(f"EPSG:{code} ({cand.name})")
    if own is not None:  # the same datum as the file's first: most likely a zone mixed up
        datum = _datum_name(own)
        fits.sort(key=lambda f: datum not in _datum_name(
            pyproj.CRS.from_user_input(f.split(" ")[0])))
    what = "the DEM and the towers, which agree with each other" if len(others) > 1 else \
        ("the DEM" if dem_fp is not None else "the towers")
    name = own.name if own is not None else "unknown"
    how = "inputs.communes_crs" if given_crs else (
        "its .prj" if path.suffix.lower() == ".shp" else "the file")
    fix = (f"set inputs.communes_crs to the right CRS ({', '.join(fits[:3])}), or save the "
           "communes with it" if fits else "give the communes' real CRS with "
           "inputs.communes_crs, or save the file with it")
    report.add("crs", f"the communes lie {dist_km:.0f} km away from {what}: their CRS "
               f"({name}, from {how}) is probably wrong"
               + (f"; their coordinates fit {fits[0]}" if fits else ""),
               file=str(path), column="inputs.communes_crs", fix=fix)
    return True


def _datum_name(crs: pyproj.CRS) -> str:
    return crs.datum.name if crs.datum is not None else ""

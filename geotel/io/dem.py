"""Digital elevation models: GeoTIFF and SRTM .hgt tiles, mosaicked, voids filled,
reprojected to the metric analysis CRS.

SRTM tiles are named after their south-west corner (``N13E108.hgt`` covers 13–14 °N,
108–109 °E) and hold big-endian int16 metres, 1201×1201 cells at 3″ or 3601×3601 at 1″,
with −32768 for voids; GDAL's SRTMHGT driver reads them.

Void filling: interior voids (not touching the raster's edge) of at most
``max_void_cells`` cells are filled by inverse-distance interpolation
(:func:`rasterio.fill.fillnodata`, search distance bounded by the void size); larger
voids and voids on the edge stay NaN and are reported.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import rasterio
import rasterio.coords
import rasterio.fill
import rasterio.merge
import rasterio.transform
import rasterio.warp
from affine import Affine
from rasterio.crs import CRS as RioCRS
from scipy import ndimage

from geotel.errors import CRSError, FileFormatError, StudyAreaError, ValidationReport
from geotel.io._files import require_file
from geotel.io.crs import is_metric, to_crs
from geotel.raster import Raster

__all__ = ["DEFAULT_MAX_VOID_CELLS", "HGT_SIZES", "fill_voids", "read_dem"]

log = logging.getLogger(__name__)

#: Valid .hgt sizes: cells per side → arc-seconds.
HGT_SIZES = {1201: 3, 3601: 1}
#: Interior voids up to this many cells are interpolated.
DEFAULT_MAX_VOID_CELLS = 400
_HGT_NAME = re.compile(r"^[NS]\d{2}[EW]\d{3}\.hgt$", re.IGNORECASE)
_MIN_ELEV_M, _MAX_ELEV_M = -500.0, 9000.0


def _check_hgt(p: Path) -> None:
    if not _HGT_NAME.match(p.name):
        raise FileFormatError(
            f"SRTM tile name '{p.name}' does not give its corner", file=str(p),
            fix="keep the original tile name, e.g. N13E108.hgt (south-west corner)")
    size = p.stat().st_size
    side = math.isqrt(size // 2)
    if size % 2 or side * side * 2 != size or side not in HGT_SIZES:
        raise FileFormatError(
            f"SRTM tile of {size} bytes is neither 1201×1201 (3″) nor 3601×3601 (1″) int16",
            file=str(p), fix="download the tile again (unzip .hgt.zip first)")


def _paths(paths: str | os.PathLike | Sequence[str | os.PathLike]) -> list[Path]:
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not items:
        raise FileFormatError("no DEM file given",
                              fix="set inputs.dem to a GeoTIFF or SRTM .hgt tiles")
    out = []
    for item in items:
        p = require_file(item, "DEM")
        if p.suffix.lower() == ".hgt":
            _check_hgt(p)
        out.append(p)
    return out


def fill_voids(values: np.ndarray, *, max_void_cells: int = DEFAULT_MAX_VOID_CELLS
               ) -> tuple[np.ndarray, int, int, int]:
    """Fill the small interior NaN voids of a float grid (returns a new array).

    Returns
    -------
    (filled, n_filled, n_large, large_cells)
        The grid; how many voids were filled; how many interior voids were too large
        and how many cells they hold (left NaN). Voids touching the edge are left.

    Examples
    --------
    >>> z = np.full((5, 5), 700.0, dtype="float32")
    >>> z[2, 2] = np.nan
    >>> out, n, big, _ = fill_voids(z)
    >>> float(out[2, 2]), n, big
    (700.0, 1, 0)
    """
    void = ~np.isfinite(values)
    if not void.any():
        return values.copy(), 0, 0, 0
    labels, n = ndimage.label(void, structure=np.ones((3, 3), bool))
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    interior = np.ones(n + 1, bool)
    interior[0] = False
    interior[edge] = False
    small = interior & (sizes <= max_void_cells)
    large = interior & (sizes > max_void_cells)
    out = values.astype("float32", copy=True)
    if small.any():
        distance = math.ceil(math.sqrt(max_void_cells)) + 2
        src = np.where(void, 0.0, out).astype("float32")
        filled = rasterio.fill.fillnodata(src, mask=(~void).astype("uint8"),
                                          max_search_distance=distance,
                                          smoothing_iterations=0)
        take = small[labels]
        out[take] = filled[take]
    return out, int(small.sum()), int(large.sum()), int(sizes[large].sum())


def read_dem(
    paths: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    crs: object = None,
    resolution_m: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    fill_voids: bool = True,
    max_void_cells: int = DEFAULT_MAX_VOID_CELLS,
    report: ValidationReport | None = None,
) -> Raster:
    """Read one DEM file or mosaic several tiles into a float32 :class:`Raster` (NaN voids).

    Parameters
    ----------
    paths
        A GeoTIFF, an SRTM ``.hgt`` tile (1″ or 3″), or a list of them (mosaicked).
    crs
        Reproject to this CRS (bilinear); the source CRS when None.
    resolution_m
        Cell size of the result in metres; needs a metric result CRS (CRSError otherwise).
    bounds
        (left, bottom, right, top) of the result, in ``crs`` (or the source CRS); the
        grid is snapped outward to whole cells.
    fill_voids
        Interpolate interior voids up to ``max_void_cells`` cells.
    max_void_cells
        Larger voids stay NaN and are reported as warnings.
    report
        Receives the warnings (large voids, undeclared nodata); logged when None.

    Raises
    ------
    FileFormatError
        Missing or unreadable file, bad .hgt name or size.
    CRSError
        No CRS, tiles in different CRSs, coordinates in degrees under a projected CRS,
        or ``resolution_m`` with a geographic result.
    StudyAreaError
        ``bounds`` do not overlap the DEM.
    ValueRangeError
        Elevations outside −500…9000 m (wrong units?).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> z = np.full((1201, 1201), 700, ">i2"); z[600, 600] = -32768
    >>> z.tofile(d / "N13E108.hgt")
    >>> dem = read_dem(d / "N13E108.hgt", crs="EPSG:32649", resolution_m=900.0)
    >>> h, w = dem.shape
    >>> dem.is_metric, dem.values.dtype, float(dem.values[h // 2, w // 2])
    (True, dtype('float32'), 700.0)
    """
    rep = report if report is not None else ValidationReport()
    files = _paths(paths)
    src_name = ", ".join(str(p) for p in files)
    dst_crs = to_crs(crs) if crs is not None else None
    with ExitStack() as stack:
        dss = []
        for p in files:
            try:
                dss.append(stack.enter_context(rasterio.open(p)))
            except rasterio.errors.RasterioIOError as exc:
                raise FileFormatError(f"not a readable raster: {exc}", file=str(p),
                                      fix="give a GeoTIFF or SRTM .hgt file") from None
        for p, ds in zip(files, dss, strict=True):
            _check_dataset(p, ds)
        src_crs = dss[0].crs
        for p, ds in zip(files[1:], dss[1:], strict=True):
            if ds.crs != src_crs:
                raise CRSError(f"DEM tiles are in different CRSs ({ds.crs} vs {src_crs})",
                               file=str(p), fix="reproject the tiles to one CRS first")
        out_crs = RioCRS.from_user_input(dst_crs) if dst_crs is not None else src_crs
        if resolution_m is not None and not is_metric(out_crs.to_wkt()):
            raise CRSError(f"a DEM resolution in metres needs a metric CRS, not {out_crs}",
                           file=src_name,
                           fix="give crs= a projected CRS in metres, e.g. EPSG:32649")
        src_bounds = None
        if bounds is not None:
            b = bounds
            if out_crs != src_crs:
                b = rasterio.warp.transform_bounds(out_crs, src_crs, *bounds, densify_pts=21)
            res = abs(dss[0].transform.a)
            src_bounds = (b[0] - 3 * res, b[1] - 3 * res, b[2] + 3 * res, b[3] + 3 * res)
            full = rasterio.coords.disjoint_bounds(src_bounds, _union_bounds(dss))
            if full:
                raise StudyAreaError("the DEM does not cover the requested area",
                                     file=src_name, fix="give the DEM tiles of the study area")
        nodata = dss[0].nodata
        try:
            arr, transform = rasterio.merge.merge(dss, bounds=src_bounds, indexes=[1],
                                                  nodata=nodata)
        except (rasterio.errors.RasterioError, OSError) as exc:
            raise FileFormatError(f"the DEM cannot be read to the end (damaged or truncated "
                                  f"file?): {exc}", file=src_name,
                                  fix="copy or download the DEM again and check its size"
                                  ) from None
        factor, unit = _unit_factor(dss[0])
        region = _region(dss[0], src_crs)
    values = arr[0].astype("float32")
    if nodata is not None and not (isinstance(nodata, float) and math.isnan(nodata)):
        values[arr[0] == nodata] = np.nan
    if factor != 1.0:
        values *= np.float32(factor)
        rep.warn("range", f"the DEM's elevations are in {unit}: converted to metres "
                 f"(× {factor:g})", file=src_name, fix="nothing to do")
    _check_values(values, src_name, rep, region=region)
    n_filled = n_large = 0
    if fill_voids:
        values, n_filled, n_large, large_cells = _fill(values, max_void_cells)
        if n_large:
            rep.warn("range", f"{n_large} DEM void(s) larger than {max_void_cells} cells "
                     f"({large_cells} cells) left as NaN", file=src_name,
                     fix="fill them from another DEM (e.g. Copernicus GLO-30) or raise "
                     "max_void_cells")
    if out_crs != src_crs or resolution_m is not None or bounds is not None:
        values, transform = _warp(values, transform, src_crs, out_crs, resolution_m,
                                  bounds if out_crs != src_crs or resolution_m else None)
    if report is None:
        for g in rep.groups():
            if g.severity == "warning":
                log.warning("%s", g.line())
        rep.raise_if_errors()
    tags = {"source": src_name, "voids_filled": str(n_filled), "voids_left": str(n_large)}
    return Raster(values, transform, out_crs, units="m", name="elevation", tags=tags)


def _fill(values: np.ndarray, max_void_cells: int) -> tuple[np.ndarray, int, int, int]:
    return fill_voids(values, max_void_cells=max_void_cells)


def _union_bounds(dss: list) -> tuple[float, float, float, float]:
    bs = np.array([tuple(ds.bounds) for ds in dss])
    return (bs[:, 0].min(), bs[:, 1].min(), bs[:, 2].max(), bs[:, 3].max())


def _check_dataset(p: Path, ds: rasterio.DatasetReader) -> None:
    if ds.count > 1:
        raise FileFormatError(f"the raster has {ds.count} bands: an image (a hillshade or a "
                              "map?), not a DEM", file=str(p),
                              fix="give a one-band elevation raster in metres (SRTM, "
                              "Copernicus GLO-30)")
    if ds.dtypes[0] in ("uint8", "int8"):
        raise FileFormatError("the raster holds 8-bit values (0–255): an image, not a DEM",
                              file=str(p), fix="give the elevation raster itself (16-bit or "
                              "32-bit metres), not a rendered image")
    if ds.crs is None:
        raise CRSError("the DEM has no CRS", file=str(p),
                       fix="save it as a GeoTIFF with its CRS (gdal_translate -a_srs EPSG:4326)")
    left, bottom, right, top = ds.bounds
    if ds.crs.is_projected and max(abs(left), abs(right)) <= 360 and \
            max(abs(bottom), abs(top)) <= 90 and abs(ds.transform.a) < 0.1:
        raise CRSError(
            f"the DEM's coordinates ({left:.4g}…{right:.4g}, {bottom:.4g}…{top:.4g}) are "
            f"degrees, but its CRS is {ds.crs} (metres)", file=str(p),
            fix="set its CRS to EPSG:4326: gdal_translate -a_srs EPSG:4326 in.tif out.tif")
    if ds.crs.is_geographic and (left < -180.5 or right > 180.5 or bottom < -90.5 or top > 90.5):
        raise CRSError(f"the DEM's coordinates are not degrees, but its CRS is {ds.crs}",
                       file=str(p), fix="set the DEM's real (projected) CRS")


#: Elevation units a raster's metadata may give, and their factor to metres.
_UNITS_M = {"m": 1.0, "metre": 1.0, "meter": 1.0, "metres": 1.0, "meters": 1.0,
            "ft": 0.3048, "foot": 0.3048, "feet": 0.3048, "international foot": 0.3048,
            "us survey foot": 1200 / 3937, "us-ft": 1200 / 3937, "ftus": 1200 / 3937,
            "cm": 0.01, "centimetre": 0.01, "centimeter": 0.01, "dm": 0.1, "mm": 0.001}
#: Highest points by latitude band of Vietnam (m): Fansipan 3,143 north of 20.5 °N;
#: Pu Xai Lai Leng 2,711 to 16 °N; Ngọc Linh 2,598 to 11 °N (the Central Highlands,
#: Gia Lai's highest is Kon Ka Kinh, 1,748 m); Bidoup 2,287 south of it.
_VIETNAM_BANDS = ((20.5, 3143.0), (16.0, 2711.0), (11.0, 2598.0), (-90.0, 2287.0))


def _unit_factor(ds: rasterio.DatasetReader) -> tuple[float, str]:
    """Factor to metres from the raster's own metadata (unit type, scale)."""
    unit = (ds.units[0] if ds.units and ds.units[0] else "").strip()
    factor = _UNITS_M.get(unit.lower(), 1.0)
    if unit and unit.lower() not in _UNITS_M:
        log.info("%s: unknown elevation unit '%s' in the metadata; read as metres",
                 ds.name, unit)
    scale = ds.scales[0] if ds.scales else 1.0
    if scale not in (None, 1.0):
        factor *= float(scale)
        unit = f"{unit or 'units'} scaled by {scale:g}"
    return factor, unit or "metres"


def _region(ds: rasterio.DatasetReader, crs: RioCRS) -> tuple[str, float] | None:
    """The DEM's region and its highest point (m), when the DEM lies in Vietnam."""
    try:
        lon0, lat0, lon1, lat1 = rasterio.warp.transform_bounds(crs, "EPSG:4326", *ds.bounds)
    except Exception:  # noqa: BLE001 - a CRS PROJ cannot transform: no regional check
        return None
    lon, lat = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    if not (102.0 <= lon <= 110.0 and 8.0 <= lat <= 23.5):
        return None
    top = max(m for band, m in _VIETNAM_BANDS if lat1 >= band or band == -90.0)
    return f"Vietnam near {lat:.1f}°N {lon:.1f}°E", top


def _check_values(values: np.ndarray, source: str, rep: ValidationReport, *,
                  region: tuple[str, float] | None = None) -> None:
    finite = np.isfinite(values)
    low = finite & (values < _MIN_ELEV_M)
    if low.any():
        lowest = float(values[low].min())
        if lowest <= -1000:  # an undeclared nodata value such as -9999 or -32768
            rep.warn("range", f"{int(low.sum())} DEM cells at {lowest:g} m taken as voids "
                     "(undeclared nodata value)", file=source,
                     fix="declare the nodata value (gdal_translate -a_nodata)")
            values[low] = np.nan
        else:
            rep.add("range", f"elevations down to {lowest:g} m are below {_MIN_ELEV_M:g} m",
                    file=source, fix="give elevations in metres above sea level")
    high = np.isfinite(values) & (values > _MAX_ELEV_M)
    if high.any():
        rep.add("range", f"elevations up to {float(values[high].max()):g} are above "
                f"{_MAX_ELEV_M:g} m", file=source,
                fix="give elevations in metres (not feet or centimetres)")
    elif region is not None and np.isfinite(values).any():
        where, top_m = region
        peak = float(np.nanmax(values))
        if peak > top_m * 1.05:
            feet = peak * 0.3048 <= top_m * 1.05
            rep.add("range", f"the DEM's highest point is {peak:,.0f}, above the highest in "
                    f"its region ({where}: {top_m:,.0f} m)"
                    + (f"; read as feet it would be {peak * 0.3048:,.0f} m, which fits"
                       if feet else ""), file=source,
                    fix="convert the DEM to metres (gdal_calc.py --calc='A*0.3048'), or set "
                    "its unit: gdal_edit.py -units ft" if feet else
                    "check the DEM's units and the tiles")


def _warp(values: np.ndarray, transform: Affine, src_crs: RioCRS, dst_crs: RioCRS,
          resolution_m: float | None, bounds: tuple[float, float, float, float] | None
          ) -> tuple[np.ndarray, Affine]:
    h, w = values.shape
    if bounds is None:
        left, top = transform @ (0, 0)
        right, bottom = transform @ (w, h)
        bounds = rasterio.warp.transform_bounds(src_crs, dst_crs, left, bottom, right, top,
                                                densify_pts=21)
    if resolution_m is None:
        _, dw, dh = rasterio.warp.calculate_default_transform(
            src_crs, dst_crs, w, h, *rasterio.transform.array_bounds(h, w, transform))
        res = (bounds[2] - bounds[0]) / dw if dw else abs(transform.a)
        res = max(res, (bounds[3] - bounds[1]) / dh if dh else res)
    else:
        res = float(resolution_m)
    left = math.floor(bounds[0] / res) * res
    bottom = math.floor(bounds[1] / res) * res
    right = math.ceil(bounds[2] / res) * res
    top = math.ceil(bounds[3] / res) * res
    width, height = max(1, round((right - left) / res)), max(1, round((top - bottom) / res))
    dst_transform = Affine(res, 0, left, 0, -res, top)
    dst = np.full((height, width), np.nan, dtype="float32")
    rasterio.warp.reproject(
        source=values, destination=dst, src_transform=transform, src_crs=src_crs,
        dst_transform=dst_transform, dst_crs=dst_crs, src_nodata=np.nan, dst_nodata=np.nan,
        resampling=rasterio.warp.Resampling.bilinear,
    )
    return dst, dst_transform

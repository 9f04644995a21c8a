"""Turn a signal raster into a small coloured PNG that a web map can lay over its tiles."""

from __future__ import annotations

import base64
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import matplotlib
import numpy as np
from affine import Affine
from PIL import Image
from rasterio.crs import CRS
from rasterio.warp import Resampling, calculate_default_transform, reproject, transform_bounds

from geotel.errors import CRSError, ValueRangeError
from geotel.raster import Raster, as_raster

__all__ = ["RasterPng", "raster_to_png"]


@dataclass(frozen=True)
class RasterPng:
    """A coloured PNG of a raster and where it goes on a web map.

    Attributes
    ----------
    png
        PNG bytes, RGBA; transparent where the raster is empty or below ``vmin``.
    bounds_lonlat
        ``(west, south, east, north)`` in EPSG:4326 of the image corners.
    crs
        CRS of the image grid (``EPSG:3857``: linear on a Leaflet map).
    vmin, vmax
        Values mapped to the two ends of the colour map.
    units
        Units of the raster values, e.g. ``"dBm"``.
    cmap
        Matplotlib colour map name.
    shape
        ``(rows, cols)`` of the image.
    """

    png: bytes
    bounds_lonlat: tuple[float, float, float, float]
    crs: str
    vmin: float
    vmax: float
    units: str
    cmap: str
    shape: tuple[int, int]

    @property
    def data_url(self) -> str:
        """The image as a ``data:image/png;base64,...`` URL."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def colors(self, n: int = 6) -> list[str]:
        """``n`` hex colours evenly spaced along the colour map, for a legend."""
        cmap = matplotlib.colormaps[self.cmap]
        return [matplotlib.colors.to_hex(cmap(x)) for x in np.linspace(0.0, 1.0, n)]

    def save(self, path: str | os.PathLike) -> Path:
        """Write the PNG to ``path`` and return it."""
        path = Path(path)
        path.write_bytes(self.png)
        return path


def raster_to_png(
    raster: Raster | str | os.PathLike,
    *,
    vmin: float = -110.0,
    vmax: float = -50.0,
    cmap: str = "viridis",
    max_size_px: int = 1024,
    crs: Literal["EPSG:3857", "EPSG:4326"] = "EPSG:3857",
    resampling: Literal["average", "bilinear", "nearest", "max"] = "average",
) -> RasterPng:
    """Warp a raster to a web-map grid, downsample it and colour it.

    The raster is reprojected (not just stretched) to ``crs``; Web Mercator
    (EPSG:3857) is the grid Leaflet draws an image overlay on, so the pixels fall in
    the right place at every latitude. The image is at most ``max_size_px`` on its
    longer side. Cells that are empty (NaN / nodata) or below ``vmin`` are transparent.

    Parameters
    ----------
    raster
        A :class:`~geotel.raster.Raster` or a raster file (e.g. a coverage COG).
    vmin, vmax
        Values (in the raster's units) at the two ends of the colour map.
    cmap
        Matplotlib colour map name.
    max_size_px
        Longest side of the image, in pixels.
    crs
        Grid of the image.
    resampling
        How cells are combined when downsampling.

    Returns
    -------
    RasterPng

    Raises
    ------
    CRSError
        The raster has no CRS.
    ValueRangeError
        ``vmax <= vmin`` or ``max_size_px < 2``.

    Examples
    --------
    >>> import numpy as np
    >>> from affine import Affine
    >>> r = Raster(np.linspace(-120, -40, 400, dtype="float32").reshape(20, 20),
    ...            Affine(1000, 0, 800000, 0, -1000, 1550000), "EPSG:32648", units="dBm")
    >>> img = raster_to_png(r, max_size_px=10)
    >>> max(img.shape) <= 10, img.png[:4] == b"\\x89PNG"
    (True, True)
    """
    r = as_raster(raster)
    if r.crs is None:
        raise CRSError("the raster has no CRS", fix="write the raster with its CRS")
    if not vmax > vmin:
        raise ValueRangeError(f"vmax = {vmax} must be greater than vmin = {vmin}",
                              column="vmax", fix="give vmin < vmax, e.g. -110 and -50 dBm")
    if max_size_px < 2:
        raise ValueRangeError(f"max_size_px = {max_size_px} is too small", column="max_size_px",
                              fix="use at least a few hundred pixels")
    src = r.values.astype("float32", copy=True)
    if r.nodata is not None and not np.issubdtype(r.values.dtype, np.floating):
        src[r.values == r.nodata] = np.nan
    h, w = src.shape
    left, bottom, right, top = r.bounds
    dst_crs = CRS.from_user_input(crs)
    # the full extent of the raster on the new grid (edges densified), at the resolution
    # GDAL suggests, made coarser until the image fits in max_size_px
    gl, gb, gr, gt = transform_bounds(r.crs, dst_crs, left, bottom, right, top, densify_pts=21)
    suggested, _, _ = calculate_default_transform(r.crs, dst_crs, w, h, left, bottom, right, top)
    res = max(abs(suggested.a), max(gr - gl, gt - gb) / max_size_px)
    dw, dh = max(1, math.ceil((gr - gl) / res - 1e-9)), max(1, math.ceil((gt - gb) / res - 1e-9))
    transform = Affine(res, 0.0, gl, 0.0, -res, gt)
    out = np.full((dh, dw), np.nan, dtype="float32")
    reproject(src, out, src_transform=r.transform, src_crs=r.crs, dst_transform=transform,
              dst_crs=dst_crs, src_nodata=np.nan, dst_nodata=np.nan,
              resampling=getattr(Resampling, resampling))
    norm = np.clip((out - vmin) / (vmax - vmin), 0.0, 1.0)
    rgba = matplotlib.colormaps[cmap](np.nan_to_num(norm), bytes=True)
    rgba[..., 3] = np.where(np.isnan(out) | (out < vmin), 0, 255).astype("uint8")
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    gr, gb = gl + res * dw, gt - res * dh
    west, south, east, north = transform_bounds(dst_crs, "EPSG:4326", gl, gb, gr, gt)
    return RasterPng(png=buf.getvalue(), bounds_lonlat=(west, south, east, north),
                     crs=dst_crs.to_string(), vmin=float(vmin), vmax=float(vmax),
                     units=r.units, cmap=cmap, shape=(dh, dw))

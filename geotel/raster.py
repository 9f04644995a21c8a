"""A small georeferenced raster type shared by the DEM, population and coverage steps.

A :class:`Raster` is an in-memory 2-D array with its affine transform and CRS.
It reads any GDAL raster and writes Cloud-Optimized GeoTIFFs atomically, with
CRS, nodata and units in the metadata.

Examples
--------
>>> import numpy as np
>>> from affine import Affine
>>> r = Raster(np.zeros((2, 3), "float32"), Affine(90, 0, 500000, 0, -90, 1500000),
...            "EPSG:32649", units="m")
>>> r.shape, r.resolution_m, r.bounds
((2, 3), 90.0, (500000.0, 1499820.0, 500270.0, 1500000.0))
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.shutil
from affine import Affine
from rasterio.crs import CRS

from geotel._atomic import atomic_file
from geotel._crs import is_metric
from geotel.errors import CRSError, FileFormatError

__all__ = ["Raster", "as_raster"]


@dataclass(frozen=True, eq=False)
class Raster:
    """A georeferenced 2-D array. Missing cells are NaN (float) or ``nodata`` (int).

    Parameters
    ----------
    values
        2-D array, row 0 at the top (north-up).
    transform
        Affine transform from (col, row) to CRS coordinates.
    crs
        Anything :class:`rasterio.crs.CRS` accepts.
    units
        Units of the values, e.g. ``"m"``, ``"dBm"``, ``"people"``.
    nodata
        Nodata value for integer arrays; float arrays use NaN.
    name
        Short name written to the file's band description.
    """

    values: np.ndarray
    transform: Affine
    crs: Any
    units: str = ""
    nodata: float | None = None
    name: str = ""
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.values.ndim != 2:
            raise ValueError(f"a Raster holds a 2-D array, got shape {self.values.shape}")
        object.__setattr__(self, "crs", CRS.from_user_input(self.crs) if self.crs else None)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in CRS units."""
        h, w = self.shape
        left, top = self.transform @ (0, 0)
        right, bottom = self.transform @ (w, h)
        return (min(left, right), min(top, bottom), max(left, right), max(top, bottom))

    @property
    def is_metric(self) -> bool:
        return is_metric(self.crs)

    @property
    def resolution_m(self) -> float:
        """Cell size in metres; raises CRSError when the CRS is not metric."""
        self.require_metric()
        return float(abs(self.transform.a))

    def require_metric(self, what: str = "this raster") -> None:
        """Raise :class:`CRSError` unless the CRS is projected in metres."""
        if not self.is_metric:
            raise CRSError(
                f"{what} is in {self.crs or 'no CRS'}, not a metric CRS",
                fix="reproject it first, e.g. geotel.io.read_dem(..., crs='EPSG:32649')",
            )

    def xy(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """CRS coordinates of cell centres."""
        t = self.transform
        c, r = np.asarray(cols) + 0.5, np.asarray(rows) + 0.5
        return t.a * c + t.b * r + t.c, t.d * c + t.e * r + t.f

    def rowcol(self, x: np.ndarray | float, y: np.ndarray | float
               ) -> tuple[np.ndarray, np.ndarray]:
        """Row and column (floored) of CRS coordinates; may lie outside the grid."""
        t = ~self.transform
        xs, ys = np.asarray(x, float), np.asarray(y, float)
        c, r = t.a * xs + t.b * ys + t.c, t.d * xs + t.e * ys + t.f
        return np.floor(r).astype(np.int64), np.floor(c).astype(np.int64)

    @classmethod
    def read(cls, source: str | os.PathLike | Any, *, band: int = 1) -> Raster:
        """Read one band of a GDAL raster (path or open rasterio dataset)."""
        if hasattr(source, "read") and hasattr(source, "transform"):
            return cls._from_dataset(source, band)
        path = Path(source)
        if not path.exists():
            raise FileFormatError("raster file not found", file=str(path),
                                  fix="check the path in the config")
        try:
            with rasterio.open(path) as ds:
                return cls._from_dataset(ds, band)
        except rasterio.errors.RasterioIOError as exc:
            raise FileFormatError(f"not a readable raster: {exc}", file=str(path),
                                  fix="give a GeoTIFF or SRTM .hgt file") from None

    @classmethod
    def _from_dataset(cls, ds: Any, band: int) -> Raster:
        arr = ds.read(band, masked=True)
        if np.issubdtype(arr.dtype, np.floating) or arr.mask.any():
            values = arr.astype("float32").filled(np.nan)
            nodata = None
        else:
            values = arr.data
            nodata = ds.nodata
        return cls(values, ds.transform, ds.crs, units=ds.units[band - 1] or "",
                   nodata=nodata, name=ds.descriptions[band - 1] or "", tags=ds.tags())

    def write_cog(self, path: str | os.PathLike, *, compress: str = "ZSTD") -> Path:
        """Write a Cloud-Optimized GeoTIFF atomically (temporary file, then rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        values = self.values
        nodata = self.nodata
        if np.issubdtype(values.dtype, np.floating):
            nodata = float("nan")
        elif values.dtype == np.bool_:
            values = values.astype("uint8")
        with atomic_file(path) as tmp:
            mem_profile = {
                "driver": "GTiff", "height": self.shape[0], "width": self.shape[1], "count": 1,
                "dtype": values.dtype.name, "crs": self.crs, "transform": self.transform,
                "nodata": nodata,
            }
            with rasterio.MemoryFile() as mem:
                with mem.open(**mem_profile) as ds:
                    ds.write(values, 1)
                    ds.set_band_description(1, self.name)
                    ds.set_band_unit(1, self.units)
                    ds.update_tags(units=self.units, **self.tags)
                with mem.open() as src:
                    rasterio.shutil.copy(src, tmp, driver="COG", compress=compress,
                                         BLOCKSIZE=256, OVERVIEWS="AUTO")
        return path


def as_raster(source: Raster | str | os.PathLike | Any) -> Raster:
    """A :class:`Raster` from a Raster, a path, or an open rasterio dataset."""
    return source if isinstance(source, Raster) else Raster.read(source)

"""The result of a coverage prediction: best-server signal and server index rasters.

One grid (transform, CRS, shape) for everything. For each technology and operator the
result holds the best-server received power (dBm, NaN where no sector reaches) and the
index of the serving sector (row position in :attr:`CoverageResult.sites`, -1 where none).
The 'any' operator view is derived on demand as the best over operators.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from affine import Affine
from rasterio.crs import CRS

from geotel.config import CoverageConfig
from geotel.raster import Raster

__all__ = ["ANY_OPERATOR", "CoverageResult"]

ANY_OPERATOR = "any"


@dataclass(frozen=True, eq=False)
class CoverageResult:
    """Best-server coverage on one metric grid.

    Parameters
    ----------
    transform, crs, shape
        The grid.
    signal_dbm
        ``{(technology, operator): float32 array}`` of best-server received power.
    server_index
        ``{(technology, operator): integer array}``: row of :attr:`sites`, -1 where none
        (int16 when there are fewer than 32,767 sectors, to save memory; else int32).
    sites
        The predicted sectors, one row each, in server-index order; columns include
        ``site_id``, ``sector_id``, ``operator``, ``technology``, ``freq_mhz``,
        ``eirp_dbm``, ``height_m``, ``azimuth_deg``, ``beamwidth_deg``, ``tilt_deg``, ``x``,
        ``y`` (in the grid's CRS) and ``tower_index`` (index label of the tower row).
    thresholds_dbm
        Coverage threshold per technology (indoor margin already added).
    """

    transform: Affine
    crs: CRS
    shape: tuple[int, int]
    signal_dbm: Mapping[tuple[str, str], np.ndarray]
    server_index: Mapping[tuple[str, str], np.ndarray]
    sites: pd.DataFrame
    thresholds_dbm: Mapping[str, float] = field(
        default_factory=lambda: dict(CoverageConfig().thresholds_dbm)
    )

    @property
    def technologies(self) -> list[str]:
        return sorted({t for t, _ in self.signal_dbm})

    @property
    def operators(self) -> list[str]:
        return sorted({o for _, o in self.signal_dbm})

    def _best(self, technology: str, operator: str) -> tuple[np.ndarray, np.ndarray]:
        if operator != ANY_OPERATOR:
            key = (technology, operator)
            if key not in self.signal_dbm:
                empty = np.full(self.shape, np.nan, np.float32)
                return empty, np.full(self.shape, -1, np.int32)
            return self.signal_dbm[key], self.server_index[key]
        keys = [k for k in self.signal_dbm if k[0] == technology]
        best = np.full(self.shape, np.nan, np.float32)
        index = np.full(self.shape, -1, np.int32)
        for k in keys:
            s = self.signal_dbm[k]
            better = np.isnan(best) & ~np.isnan(s) | (s > best)
            best = np.where(better, s, best)
            index = np.where(better, self.server_index[k], index)
        return best, index

    def signal(self, technology: str, operator: str = ANY_OPERATOR) -> Raster:
        """Best-server received power (dBm) as a :class:`Raster`."""
        best, _ = self._best(technology, operator)
        return Raster(best, self.transform, self.crs, units="dBm",
                      name=f"signal_{technology}_{operator}")

    def server(self, technology: str, operator: str = ANY_OPERATOR) -> Raster:
        """Serving sector (row of :attr:`sites`, -1 = none) as a :class:`Raster`."""
        _, index = self._best(technology, operator)
        return Raster(index, self.transform, self.crs, units="sector index", nodata=-1,
                      name=f"server_{technology}_{operator}")

    def covered(self, technology: str, operator: str = ANY_OPERATOR) -> np.ndarray:
        """Boolean mask: best-server signal at or above the technology's threshold."""
        best, _ = self._best(technology, operator)
        with np.errstate(invalid="ignore"):
            return best >= self.thresholds_dbm[technology]

    def write_cogs(self, directory: str | Path) -> list[Path]:
        """Write signal, server and mask COGs per technology and operator (incl. 'any').

        Files are ``coverage_<tech>_<operator>_{signal,server,mask}.tif``; an operator
        without the technology gets none. GDAL compresses in two threads.
        """
        out = Path(directory)
        jobs: list[tuple[Raster, Path]] = []
        for tech in self.technologies:
            ops = [op for op in self.operators if (tech, op) in self.signal_dbm]
            for op in [ANY_OPERATOR, *ops]:
                tag = f"{tech}_{op}".lower()
                best, index = self._best(tech, op)
                with np.errstate(invalid="ignore"):
                    mask = (best >= self.thresholds_dbm[tech]).astype(np.uint8)
                jobs += [
                    (Raster(best, self.transform, self.crs, units="dBm",
                            name=f"signal_{tech}_{op}"), out / f"coverage_{tag}_signal.tif"),
                    (Raster(index, self.transform, self.crs, units="sector index", nodata=-1,
                            name=f"server_{tech}_{op}"), out / f"coverage_{tag}_server.tif"),
                    (Raster(mask, self.transform, self.crs, units="1 = covered", nodata=255,
                            name=f"covered_{tag}"), out / f"coverage_{tag}_mask.tif"),
                ]
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(lambda job: job[0].write_cog(job[1]), jobs))

"""The real Gia Lai communes as every test reads them: through geotel's own reader.

One loader instead of hand-written column mappings, so that the tests see what a
planner's run sees (canonical columns, repaired geometries, the provisional codes
``NOCODE-23`` / ``NOCODE-79`` of the two communes without an official code), with the
2009 census district totals spread over the communes by area as their population.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np

from geotel.io import read_communes
from geotel.io.population import read_district_population
from geotel.population import district_shares

__all__ = ["CENSUS_2009_TOTAL", "real_communes"]

#: Sum of ``Dan_So`` in districts_2009_census.gpkg.
CENSUS_2009_TOTAL = 1_257_875


@lru_cache(maxsize=4)
def _read(folder: str, crs: str) -> gpd.GeoDataFrame:
    communes = read_communes(Path(folder) / "communes.gpkg", layer="communes_clean", crs=crs)
    totals = read_district_population(Path(folder) / "districts_2009_census.gpkg")
    people = district_shares(communes, totals, weight="area")
    communes["population"] = np.round(people).astype(np.int64)
    return communes


def real_communes(real_data: Path, *, crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """The 222 real communes read by :func:`geotel.io.read_communes` (a new copy each
    call), ``population`` from the 2009 census districts spread by area."""
    return _read(str(Path(real_data).resolve()), crs).copy()

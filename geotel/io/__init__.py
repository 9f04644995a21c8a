"""Readers for what Vietnamese agencies hand over: vector layers (GeoPackage, Shapefile,
GeoJSON), tower lists (CSV, Excel), VN-2000 coordinates and DEM tiles (GeoTIFF, SRTM .hgt).

Every layer reader returns a validated GeoDataFrame with the canonical columns of
:mod:`geotel.schema` in the requested CRS, and either raises the error class of the first
problem or appends every problem to a :class:`~geotel.errors.ValidationReport`.
"""

from geotel.io._layers import empty_layer, format_code
from geotel.io.crs import (
    ensure_datum_shift,
    has_datum_shift,
    is_metric,
    is_vn2000,
    require_metric_crs,
    vn2000_crs,
)
from geotel.io.dem import read_dem
from geotel.io.tables import read_tower_table
from geotel.io.vector import (
    read_communes,
    read_districts,
    read_exclusion_zones,
    read_fiber,
    read_layer,
    read_roads,
    read_towers,
    read_vector,
)

__all__ = [
    "empty_layer",
    "ensure_datum_shift",
    "format_code",
    "has_datum_shift",
    "is_metric",
    "is_vn2000",
    "read_communes",
    "read_dem",
    "read_districts",
    "read_exclusion_zones",
    "read_fiber",
    "read_layer",
    "read_roads",
    "read_tower_table",
    "read_towers",
    "read_vector",
    "require_metric_crs",
    "vn2000_crs",
]

"""What planners hold: ``plan.gpkg`` for QGIS, ``map.html`` for meetings, print maps.

- :func:`write_geopackage` — every layer in EPSG:4326 with default QGIS styles
  (``layer_styles``) and Vietnamese field aliases.
- :func:`write_qgis_project` — ``plan.qgz``, the QGIS project of the GeoPackage and the
  coverage rasters: layer groups, default visibility, an A3 print layout.
- :func:`make_map` — the interactive Folium map, online or self-contained offline;
  :func:`raster_to_png` makes its coverage overlay.
- :func:`print_map` — a commune indicator on A3, PNG and PDF.
- :mod:`geotel.outputs.tables` — the commune KPI tables (CSV / XLSX).
"""

from geotel.outputs.gpkg import GPKG_LAYERS, write_geopackage
from geotel.outputs.maps import RasterPng, make_map, map_layer_names, raster_to_png
from geotel.outputs.printmap import print_map
from geotel.outputs.qgis_project import write_qgis_project

__all__ = [
    "GPKG_LAYERS",
    "RasterPng",
    "make_map",
    "map_layer_names",
    "print_map",
    "raster_to_png",
    "write_geopackage",
    "write_qgis_project",
]

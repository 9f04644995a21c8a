"""Exclusion zones of the demo province: Kon Ka Kinh National Park, Pleiku airport and
an A1-only street zone in central Pleiku (shapes synthetic, places real)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geotel.datasets._facts import ANALYSIS_CRS, PLEIKU_AIRPORT_LONLAT, districts, to_metric
from geotel.datasets._noise import rng

__all__ = ["KON_KA_KINH_LONLAT", "make_zones"]

#: Centre of the synthetic Kon Ka Kinh National Park (the massif's summit area).
KON_KA_KINH_LONLAT = (108.27, 14.26)


def _blob(cx: float, cy: float, a_m: float, b_m: float, angle_deg: float, name: str
          ) -> shapely.Polygon:
    t = np.linspace(0.0, 2 * np.pi, 181)[:-1]
    g = rng(name)
    r = 1.0 + sum(g.normal(0, 0.06 / k) * np.cos(k * t + g.uniform(0, 2 * np.pi))
                  for k in range(2, 9))
    x, y = a_m * r * np.cos(t), b_m * r * np.sin(t)
    th = np.radians(angle_deg)
    return shapely.Polygon(np.c_[cx + x * np.cos(th) - y * np.sin(th),
                                 cy + x * np.sin(th) + y * np.cos(th)])


def make_zones() -> gpd.GeoDataFrame:
    """The exclusion-zones layer (``zone_id``, ``kind``, ``name``), analysis CRS."""
    px, py = to_metric(np.array([KON_KA_KINH_LONLAT[0]]), np.array([KON_KA_KINH_LONLAT[1]]))
    park = _blob(px[0], py[0], 13_000.0, 10_000.0, -30.0, "park")  # about 417 km²
    ax, ay = to_metric(np.array([PLEIKU_AIRPORT_LONLAT[0]]), np.array([PLEIKU_AIRPORT_LONLAT[1]]))
    # Runway strip plus its apron: 3.6 km × 0.9 km, oriented 09/27.
    airport = shapely.box(ax[0] - 1_800, ay[0] - 450, ax[0] + 1_800, ay[0] + 450)
    seat = districts().set_index("district_code").loc["622"]
    centre = shapely.Point(seat["seat_x"], seat["seat_y"]).buffer(1_500.0, quad_segs=16)
    return gpd.GeoDataFrame(
        {"zone_id": ["NP-KKK", "AP-PXU", "A1-PLK"],
         "kind": ["national_park", "airport", "a1_only_urban"],
         "name": ["Vườn quốc gia Kon Ka Kinh", "Cảng hàng không Pleiku",
                  "Trung tâm Pleiku (chỉ cột A1)"]},
        geometry=[park, airport, centre], crs=ANALYSIS_CRS,
    )

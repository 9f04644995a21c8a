"""Synthetic population raster of the demo province (people per 90 m cell).

District totals are the 2009 census scaled to the 2019 census total (see
``gialai_districts.csv``); each district's people are shared among its communes by
the source's relative weights. Inside a commune they live around the commune office
(towns densest), in hamlets along the roads, and thinly elsewhere, fewer high up and
almost none in the national park.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import rasterio.features
import shapely
from scipy import ndimage

from geotel.datasets._facts import communes as commune_facts
from geotel.datasets._facts import districts, grid
from geotel.datasets._noise import rng

__all__ = ["POPULATION_CELL_M", "commune_targets", "label_grid", "make_population"]

POPULATION_CELL_M = 90.0


def commune_targets() -> np.ndarray:
    """People per commune (float, in the order of the commune table)."""
    com = commune_facts()
    dist = districts().set_index("district_code")["population_2019_est"]
    # A few communes have no population attribute in the source (weight 0): give them
    # the median density of communes of the same type (xã / phường / thị trấn).
    density = com["pop_weight"] / com["area_km2"]
    typical = density[com["pop_weight"] > 0].groupby(com["commune_type"]).median()
    weight = com["pop_weight"].where(com["pop_weight"] > 0,
                                     com["area_km2"] * com["commune_type"].map(typical))
    share = weight / weight.groupby(com["district_code"]).transform("sum")
    return (share * com["district_code"].map(dist)).to_numpy(float)


def label_grid(polygons: np.ndarray, cell_m: float = POPULATION_CELL_M) -> np.ndarray:
    """1-based index of the polygon whose interior holds each cell centre (0: none)."""
    g = grid(cell_m)
    return rasterio.features.rasterize(
        ((geom, i + 1) for i, geom in enumerate(polygons)), out_shape=g.shape,
        transform=g.transform, fill=0, dtype="int32", all_touched=False,
    )


def _points_image(shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray,
                  weights: np.ndarray) -> np.ndarray:
    img = np.zeros(shape, np.float32)
    np.add.at(img, (rows, cols), weights)
    return img


def make_population(
    communes: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, smooth_dem: np.ndarray,
    park: shapely.Geometry,
) -> tuple[np.ndarray, np.ndarray]:
    """People per 90 m cell (float32) and the commune sums (int, raster order).

    ``communes`` holds the polygons and offices in the analysis CRS, in the order of
    the commune table; ``smooth_dem`` is the large-scale relief on the 90 m grid.
    """
    g = grid(POPULATION_CELL_M)
    shape = g.shape
    labels = label_grid(communes.geometry.to_numpy())
    on_road = rasterio.features.rasterize(
        roads.geometry.to_numpy(), out_shape=shape, transform=g.transform, fill=0,
        dtype="uint8", all_touched=True,
    )
    d_road_m = (ndimage.distance_transform_edt(on_road == 0) * POPULATION_CELL_M).astype(np.float32)
    r, c = g.rowcol(communes["office_x"].to_numpy(), communes["office_y"].to_numpy())
    ctype = communes["commune_type"].to_numpy()
    target = commune_targets()

    surface = np.zeros(shape, np.float32)
    for kind, sigma_m, weight in (("phường", 900.0, 1.0), ("thị trấn", 1_300.0, 1.0),
                                  ("xã", 1_600.0, 0.35)):
        sel = ctype == kind
        img = _points_image(shape, r[sel], c[sel], target[sel])
        surface += weight * ndimage.gaussian_filter(img, sigma_m / POPULATION_CELL_M,
                                                    mode="constant", truncate=3.0)
    # Hamlets: mostly near roads, not high up.
    gen = rng("hamlets")
    elev_factor = np.exp(-np.maximum(smooth_dem - 800.0, 0.0) / 250.0)
    p = (np.exp(-d_road_m / 1_500.0) * elev_factor * (labels > 0)).ravel()
    n_hamlets = 4_000
    cells = gen.choice(p.size, size=n_hamlets, replace=True, p=p / p.sum())
    img = _points_image(shape, cells // shape[1], cells % shape[1],
                        gen.lognormal(0.0, 0.7, n_hamlets))
    hamlets = ndimage.gaussian_filter(img, 250.0 / POPULATION_CELL_M, truncate=3.0)
    surface /= surface.max()
    surface += 2.0 * hamlets / hamlets.max()
    surface += 0.02 * np.exp(-d_road_m / 2_000.0) + 0.002
    surface *= elev_factor
    in_park = rasterio.features.rasterize([park], out_shape=shape, transform=g.transform,
                                          fill=0, dtype="uint8")
    surface[in_park == 1] *= 0.02
    surface[labels == 0] = 0.0
    # Scale each commune to its target.
    n = len(communes)
    sums = np.bincount(labels.ravel(), weights=surface.ravel(), minlength=n + 1)[1:]
    scale = np.where(sums > 0, target / np.maximum(sums, 1e-300), 0.0)
    pop = (surface * np.concatenate([[0.0], scale])[labels]).astype(np.float32)
    totals = np.bincount(labels.ravel(), weights=pop.ravel().astype(np.float64),
                         minlength=n + 1)[1:]
    return pop, np.round(totals).astype(np.int64)

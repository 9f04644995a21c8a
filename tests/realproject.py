"""A project on the real Gia Lai layers, as a planner would hand it over (test helper).

:func:`write_real_project` writes a project folder whose config reads the real communes
(``communes.gpkg``, layer ``communes_clean``) and main roads (``roads_main.gpkg``) *in
place*, by absolute path (they are never copied), and adds what the real data lacks,
generated deterministically from ``seed``:

- ``towers.csv``: a tower list with Vietnamese headers in VN-2000 / TM-3 108°30′
  (EPSG:9218) metres, X the northing and Y the easting as Vietnamese surveys write them
  (``towers_crs: EPSG:9218``); three-sector and omnidirectional sites over the province,
  ``border_sites`` sites just across the provincial border (0.5–4 km, on the Vietnamese
  side: north, east and south) and ``far_sites`` sites 40–60 km away (a wrong CRS would
  put them there);
- ``dem.tif``: the real coarse relief (``dem_coarse_5arcmin.tif``, about 9 km cells)
  interpolated to ``resolution_m`` in UTM 49N, plus smooth seeded fractal detail;
- ``fiber.gpkg`` (``fiber=True``): fiber routes along the real national and provincial
  roads.

Keeps to a few seconds. Used by the validation tests and the end-to-end plan test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.warp
import shapely
import yaml
from affine import Affine

from geotel.datasets._noise import spectral_field
from geotel.datasets._terrain import roughness_m

__all__ = ["ANALYSIS_CRS", "TOWERS_CRS", "TOWER_HEADER", "write_real_project"]

TOWERS_CRS = "EPSG:9218"
ANALYSIS_CRS = "EPSG:32649"
#: Headers of the generated tower list (X is the northing: the VN-2000 survey habit).
TOWER_HEADER = ["Mã trạm", "Mã cell", "Nhà mạng", "Tọa độ X", "Tọa độ Y", "Độ cao cột (m)",
                "Công nghệ", "Góc phương vị (độ)", "Độ rộng búp sóng (độ)"]
_OPERATORS = ("Viettel", "VNPT", "MobiFone", "Vietnamobile")
_DEM_MARGIN_M = 25_000.0


def _province(real_data: Path) -> tuple[gpd.GeoDataFrame, shapely.Geometry]:
    communes = gpd.read_file(real_data / "communes.gpkg", layer="communes_clean")
    metric = communes.to_crs(TOWERS_CRS)
    union = shapely.union_all(shapely.make_valid(metric.geometry.array))
    return communes, union


def _points_in(area: shapely.Geometry, n: int, rng: np.random.Generator,
               keep: Any = None) -> np.ndarray:
    """``n`` uniform random points of ``area`` (x, y), optionally filtered by ``keep``."""
    x0, y0, x1, y1 = area.bounds
    shapely.prepare(area)
    out: list[np.ndarray] = []
    have = 0
    while have < n:
        xy = np.column_stack([rng.uniform(x0, x1, 4 * n + 64), rng.uniform(y0, y1, 4 * n + 64)])
        ok = shapely.contains_xy(area, xy[:, 0], xy[:, 1])
        if keep is not None:
            ok &= keep(xy)
        out.append(xy[ok])
        have += int(ok.sum())
    return np.concatenate(out)[:n]


def _tower_rows(sites: np.ndarray, prefix: str, rng: np.random.Generator,
                start: int) -> list[list[str]]:
    rows: list[list[str]] = []
    for k, (x, y) in enumerate(sites):
        site = f"{prefix}{start + k:04d}"
        op = _OPERATORS[int(rng.integers(len(_OPERATORS)))]
        height = int(rng.integers(25, 46))
        tech = "2G,3G,4G" if rng.random() < 0.7 else "4G"
        sectored = rng.random() < 0.7
        sectors = [(1, a, 65) for a in (0, 120, 240)] if sectored else [(1, 0, 360)]
        for i, (_, az, bw) in enumerate(sectors, start=1):
            # X = northing, Y = easting; decimal commas as Vietnamese Excel writes them.
            rows.append([site, str(i), op, f"{y:.2f}".replace(".", ","),
                         f"{x:.2f}".replace(".", ","), str(height), tech, str(az), str(bw)])
    return rows


def _write_towers(path: Path, union: shapely.Geometry, *, n_sites: int, border_sites: int,
                  far_sites: int, seed: int) -> None:
    rng = np.random.default_rng([seed, 64])
    inside = _points_in(union, n_sites, rng)
    cx = union.centroid.x
    # Across the border on the Vietnamese side (Kon Tum, Quảng Ngãi, Bình Định, Phú Yên,
    # Đắk Lắk): east of the province's centre; the west borders Cambodia.
    ring = union.buffer(4_000.0).difference(union.buffer(500.0))
    border = _points_in(ring, border_sites, rng, keep=lambda xy: xy[:, 0] > cx) \
        if border_sites else np.empty((0, 2))
    far_ring = union.buffer(60_000.0).difference(union.buffer(40_000.0))
    far = _points_in(far_ring, far_sites, rng, keep=lambda xy: xy[:, 0] > cx + 60_000.0) \
        if far_sites else np.empty((0, 2))
    rows = (_tower_rows(inside, "GL", rng, 1) + _tower_rows(border, "NB", rng, 1)
            + _tower_rows(far, "XA", rng, 1))
    text = "\n".join(";".join(r) for r in [TOWER_HEADER, *rows]) + "\n"
    path.write_text(text, encoding="utf-8")


def _write_dem(path: Path, real_data: Path, communes: gpd.GeoDataFrame, *,
               resolution_m: float, seed: int) -> None:
    x0, y0, x1, y1 = communes.to_crs(ANALYSIS_CRS).total_bounds
    m = _DEM_MARGIN_M
    left = np.floor((x0 - m) / resolution_m) * resolution_m
    top = np.ceil((y1 + m) / resolution_m) * resolution_m
    w = int(np.ceil((x1 + m - left) / resolution_m))
    h = int(np.ceil((top - (y0 - m)) / resolution_m))
    transform = Affine(resolution_m, 0, left, 0, -resolution_m, top)
    smooth = np.full((h, w), np.nan, np.float32)
    with rasterio.open(real_data / "dem_coarse_5arcmin.tif") as src:
        coarse = src.read(1).astype(np.float32)
        coarse[coarse == src.nodata] = 0.0  # the sea, east of the window
        rasterio.warp.reproject(
            source=coarse, destination=smooth, src_transform=src.transform, src_crs=src.crs,
            dst_transform=transform, dst_crs=ANALYSIS_CRS, dst_nodata=np.nan,
            resampling=rasterio.warp.Resampling.cubic_spline)
    smooth = np.clip(np.nan_to_num(smooth, nan=0.0), 0.0, None)
    detail = spectral_field((h, w), resolution_m, name=f"realproject-dem-{seed}", beta=3.2,
                            min_wavelength_m=2 * resolution_m, max_wavelength_m=25_000.0)
    dem = smooth + roughness_m(smooth, resolution_m) * detail
    # Relief detail never digs below the valleys' floor (nor below the sea).
    dem = np.maximum(dem, 0.8 * smooth)
    dem = np.round(dem, 1).astype(np.float32)
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1,
                       dtype="float32", crs=ANALYSIS_CRS, transform=transform,
                       nodata=-9999.0, compress="deflate", tiled=True) as ds:
        ds.write(dem, 1)


def _write_fiber(path: Path, real_data: Path, union: shapely.Geometry) -> None:
    roads = gpd.read_file(real_data / "roads_main.gpkg").to_crs(TOWERS_CRS)
    text = roads.drop(columns=roads.geometry.name).astype(str).agg(" ".join, axis=1)
    rail = text.str.contains("sắt|rail", case=False, regex=True)
    roads = roads[~rail.to_numpy()]
    clipped = roads.geometry.intersection(union.buffer(2_000.0))
    keep = ~(clipped.is_empty | clipped.isna())
    level = np.where(np.arange(int(keep.sum())) % 3 == 0, "Trục", "Tỉnh")
    fiber = gpd.GeoDataFrame(
        {"ma_tuyen": [f"F{i + 1:03d}" for i in range(int(keep.sum()))],
         "don_vi": "VNPT", "cap": level},
        geometry=clipped[keep].to_numpy(), crs=TOWERS_CRS)
    fiber = fiber.explode(index_parts=False).reset_index(drop=True)
    fiber["ma_tuyen"] = [f"F{i + 1:03d}" for i in range(len(fiber))]
    fiber.to_crs(4326).to_file(path, layer="fiber", driver="GPKG")


def write_real_project(
    folder: str | Path,
    real_data: Path,
    *,
    fiber: bool = False,
    border_sites: int = 6,
    far_sites: int = 0,
    population: Path | Literal["census", "none"] | None = "census",
    resolution_m: float = 250.0,
    n_sites: int = 300,
    seed: int = 0,
    config: dict[str, Any] | None = None,
) -> Path:
    """Write the project folder and return its ``config.yml``.

    Parameters
    ----------
    folder
        Created if needed; only generated files are written into it.
    real_data
        The real Gia Lai data folder (the ``real_data`` fixture).
    fiber
        Also write ``fiber.gpkg`` along the real main roads.
    border_sites, far_sites
        Sites just across the provincial border, and 40–60 km away.
    population
        ``"census"`` (the default): the real 2009 district census totals
        (``districts_2009_census.gpkg``, in place) spread over the communes;
        ``"none"``: an area-only plan; a path: a population raster or yearbook table
        for ``inputs.population``; None: no population source at all (validate fails).
    resolution_m
        DEM cell and ``coverage.resolution_m``.
    n_sites
        Sites inside the province (70 % with three sectors, the rest omnidirectional).
    seed
        Seed of the towers and the DEM detail.
    config
        Sections merged over the generated config (e.g. ``{"siting": {...}}``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    real_data = Path(real_data).resolve()
    communes, union = _province(real_data)
    _write_towers(folder / "towers.csv", union, n_sites=n_sites, border_sites=border_sites,
                  far_sites=far_sites, seed=seed)
    _write_dem(folder / "dem.tif", real_data, communes, resolution_m=resolution_m, seed=seed)
    inputs: dict[str, Any] = {
        "communes": str(real_data / "communes.gpkg"),
        "communes_layer": "communes_clean",
        "roads": str(real_data / "roads_main.gpkg"),
        "towers": "towers.csv",
        "towers_crs": TOWERS_CRS,
        "dem": ["dem.tif"],
    }
    if fiber:
        _write_fiber(folder / "fiber.gpkg", real_data, union)
        inputs["fiber"] = "fiber.gpkg"
    if population == "census":
        inputs["district_population"] = str(real_data / "districts_2009_census.gpkg")
    elif population == "none":
        inputs["population"] = "none"
    elif population is not None:
        inputs["population"] = str(Path(population).resolve())
    cfg: dict[str, Any] = {
        "name": "Gia Lai (real communes and roads; generated towers and DEM)",
        "analysis_crs": ANALYSIS_CRS,
        "inputs": inputs,
        "coverage": {"resolution_m": float(resolution_m)},
    }
    for key, value in (config or {}).items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    path = folder / "config.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def tower_table(folder: Path) -> pd.DataFrame:
    """The generated tower list as written (text cells)."""
    return pd.read_csv(folder / "towers.csv", sep=";", dtype=str)

"""Benchmark: population surface, dead zones and indicators for the whole province.

Usage::

    .venv/bin/python benchmarks/indicators.py [--resolution 90] [--data ../shared/data/gialai]

On the real 222 commune polygons of Gia Lai (read in place) with a synthetic coverage:
1,500 tower sites spread over the communes, 4 operators, 2G/3G/4G discs of 6/4/3 km
(distance transform, so the coverage itself costs little). Prints the time of each step,
the peak memory, and the province summary.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine
from rasterio.crs import CRS
from scipy import ndimage

from geotel._zonal import Grid
from geotel.coverage.result import CoverageResult
from geotel.deadzones import dead_zones_all_operators
from geotel.indicators import commune_indicators, district_indicators, province_summary
from geotel.population import population_surface
from geotel.raster import Raster

ROOT = Path(__file__).resolve().parents[1]
OPERATORS = ("Viettel", "VinaPhone", "MobiFone", "Vietnamobile")


def _communes(data: Path) -> gpd.GeoDataFrame:
    g = gpd.read_file(data / "communes.gpkg", layer="communes_clean")
    return gpd.GeoDataFrame(
        {"commune_code": [f"{int(v):05d}" if v == v else "" for v in g["ma_xa"]],
         "commune_name": g["ten_xa"].fillna(g["src_commune_vn"]),
         "district_code": [f"{int(v):03d}" if v == v else "" for v in g["ma_huyen"]],
         "district_name": g["ten_huyen"].fillna(g["src_district_vn"]),
         "population": (g["pop_src"].fillna(0) * 1_513_847 / g["pop_src"].sum()).round()},
        geometry=g.geometry, crs=g.crs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resolution", type=float, default=90.0)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "gialai")
    args = ap.parse_args()
    res = args.resolution
    communes = _communes(args.data)
    utm = CRS.from_epsg(32649)
    b = communes.to_crs(utm).total_bounds
    left, top = np.floor(b[0] / res) * res, np.ceil(b[3] / res) * res
    shape = (int(np.ceil((top - b[1]) / res)), int(np.ceil((b[2] - left) / res)))
    grid = Grid(Affine(res, 0, left, 0, -res, top), utm, shape)
    roads = gpd.read_file(args.data / "roads_main.gpkg", layer="roads")
    dem = Raster.read(args.data / "dem_coarse_5arcmin.tif")

    rng = np.random.default_rng(1)
    sites = communes.to_crs(utm).sample_points(7).explode().sample(1500, random_state=1)
    r = np.floor((top - sites.y.to_numpy()) / res).astype(int)
    c = np.floor((sites.x.to_numpy() - left) / res).astype(int)
    ops = rng.integers(0, 4, size=len(sites))
    t0 = time.perf_counter()
    sig, idx = {}, {}
    for k, op in enumerate(OPERATORS):
        seed = np.ones(shape, bool)
        seed[r[ops == k], c[ops == k]] = False
        dist = ndimage.distance_transform_edt(seed, sampling=res)
        for tech, radius in (("2G", 6000.0), ("3G", 4000.0), ("4G", 3000.0)):
            sig[(tech, op)] = np.where(dist <= radius, -70.0, -130.0).astype(np.float32)
            idx[(tech, op)] = np.zeros(shape, np.int32)
    cov = CoverageResult(grid.transform, utm, shape, sig, idx, pd.DataFrame())
    print(f"grid {shape[0]} x {shape[1]} = {shape[0] * shape[1] / 1e6:.1f} M cells at {res:g} m;"
          f" synthetic coverage {time.perf_counter() - t0:.1f} s")

    timings = {}
    t0 = time.perf_counter()
    pop = population_surface(communes, cov, roads=roads, dem=dem)
    timings["population_surface (dasymetric, roads + slope)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    dz = dead_zones_all_operators(communes, cov, pop, technology="4G")
    timings["dead_zones_all_operators (any + 4 operators, 4G)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    kpi = commune_indicators(communes, cov, pop, dead_zones=dz)
    timings["commune_indicators"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    districts = district_indicators(kpi)
    timings["district_indicators"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = province_summary(kpi, dz)
    timings["province_summary"] = time.perf_counter() - t0
    for name, s in timings.items():
        print(f"{name:55s} {s:7.2f} s")
    print(f"{'total':55s} {sum(timings.values()):7.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB; {len(dz)} dead-zone features; "
          f"{len(districts)} districts; population {pop.values.sum():,.0f}")
    print()
    print(summary.text("en"))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

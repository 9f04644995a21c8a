"""Sizes and times of the planner outputs (issue 7): map.html (online and offline),
plan.gpkg and the A3 print map, for a whole province.

Usage::

    .venv/bin/python benchmarks/outputs.py [--sites 500]

The 222 real Gia Lai communes are used (../shared/data/gialai or $GEOTEL_REAL_DATA) with
synthetic indicators, ``3 x --sites`` tower sectors, 60 proposed towers over 2020-2025,
150 dead zones and a 90 m signal raster over the province. Target: each map.html at most
10 MB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from affine import Affine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geotel.outputs import make_map, print_map, raster_to_png, write_geopackage  # noqa: E402
from geotel.raster import Raster  # noqa: E402
from tests._layers import province_layers, real_communes  # noqa: E402
from tests.conftest import real_data_dir  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=500)
    args = ap.parse_args()
    layers = province_layers(real_communes(real_data_dir()), n_sites=args.sites)
    utm = layers["communes"].to_crs(32648)
    xmin, ymin, xmax, ymax = utm.total_bounds
    h, w = int((ymax - ymin) / 90), int((xmax - xmin) / 90)
    yy, xx = np.mgrid[0:h, 0:w]
    dbm = (-50 - 30 * np.log10(1 + np.hypot(xx - w / 2, yy - h / 2) * 0.09)).astype("float32")
    signal = Raster(dbm, Affine(90, 0, xmin, 0, -90, ymax), "EPSG:32648", units="dBm")
    print(f"layers: {len(layers['communes'])} communes, {len(layers['towers_existing'])} "
          f"tower sectors, signal raster {w} x {h} cells")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t = time.perf_counter()
        overlay = raster_to_png(signal)
        print(f"coverage PNG   {len(overlay.png) / 1e6:6.2f} MB  {time.perf_counter() - t:5.2f} s "
              f"({overlay.shape[1]} x {overlay.shape[0]} px)")
        for offline in (False, True):
            t = time.perf_counter()
            p = make_map(layers, out / f"map_{offline}.html", offline=offline,
                         coverage_png=overlay)
            print(f"map.html {'offline' if offline else 'online '} {p.stat().st_size / 1e6:6.2f} MB"
                  f"  {time.perf_counter() - t:5.2f} s  (target <= 10 MB)")
        t = time.perf_counter()
        p = write_geopackage(layers, out / "plan.gpkg")
        print(f"plan.gpkg      {p.stat().st_size / 1e6:6.2f} MB  {time.perf_counter() - t:5.2f} s")
        t = time.perf_counter()
        png, pdf = print_map(layers["communes"], out / "print.png", out_pdf=out / "print.pdf")
        print(f"print map      {png.stat().st_size / 1e6:6.2f} MB PNG, "
              f"{pdf.stat().st_size / 1e6:.2f} MB PDF  {time.perf_counter() - t:5.2f} s")


if __name__ == "__main__":
    main()

"""Line of sight against an independent tool: GDAL's gdal_viewshed (Debian gdal-bin).

Never skipped: CI installs gdal-bin (.ci/run); locally, `apt install gdal-bin`.
Conventions matched: observer at the centre of its cell, heights above ground
(-oz, -tz), curvature with refraction k = 4/3 (gdal's -cc = 1/k = 0.75).
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import rasterio
from affine import Affine
from scipy import ndimage

from geotel.coverage import line_of_sight
from geotel.raster import Raster

pytestmark = pytest.mark.external  # gdal_viewshed, Debian's gdal-bin


def _rough_dem(n: int, cell_m: float, seed: int) -> Raster:
    rng = np.random.default_rng(seed)
    z = np.zeros((n, n))
    for s, a in ((40, 300.0), (15, 80.0), (5, 25.0), (1.5, 6.0)):
        noise = ndimage.gaussian_filter(rng.standard_normal((n, n)), s)
        z += a * noise / noise.std()
    z = (z - z.min() + 200.0).astype("float32")
    return Raster(z, Affine(cell_m, 0, 500_000, 0, -cell_m, 1_600_000), "EPSG:32649", units="m")


@pytest.mark.parametrize(("seed", "obs_m", "tgt_m"), [(1, 30.0, 1.5), (2, 10.0, 2.0)])
def test_line_of_sight_agrees_with_gdal_viewshed(tmp_path, seed, obs_m, tgt_m) -> None:
    gdal = shutil.which("gdal_viewshed")
    if gdal is None:
        pytest.fail("gdal_viewshed not found: install Debian's gdal-bin (CI: .ci/run does)")
    n, cell = 301, 30.0
    dem = _rough_dem(n, cell, seed)
    src = dem.write_cog(tmp_path / "dem.tif")
    x, y = dem.xy(np.array([150]), np.array([150]))
    max_d = 4400.0
    ours = line_of_sight(dem, (float(x[0]), float(y[0])), observer_height_m=obs_m,
                         target_height_m=tgt_m, max_distance_m=max_d).values
    out = tmp_path / "vs.tif"
    subprocess.run([gdal, "-q", "-ox", str(float(x[0])), "-oy", str(float(y[0])),
                    "-oz", str(obs_m), "-tz", str(tgt_m), "-md", str(max_d), "-cc", "0.75",
                    "-vv", "255", "-iv", "0", str(src), str(out)], check=True)
    theirs = np.zeros(dem.shape, bool)
    with rasterio.open(out) as ds:  # gdal crops its output to the max distance
        col0 = round((ds.transform.c - dem.transform.c) / cell)
        row0 = round((dem.transform.f - ds.transform.f) / cell)
        part = ds.read(1) == 255
    theirs[row0:row0 + part.shape[0], col0:col0 + part.shape[1]] = part
    rr, cc = np.mgrid[0:n, 0:n]
    inside = np.hypot(rr - 150, cc - 150) * cell <= max_d - 2 * cell
    agreement = float((ours[inside] == theirs[inside]).mean())
    assert 0.05 < theirs[inside].mean() < 0.95  # a real mix of visible and hidden cells
    assert agreement >= 0.98, f"agreement with gdal_viewshed {agreement:.4f}"

"""DEM reading: SRTM .hgt tiles written here (3″ and 1″), mosaic, void filling,
reprojection to a metric CRS, GeoTIFF, and the errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyproj
import pytest
import rasterio
from affine import Affine

from geotel.errors import (
    CRSError,
    FileFormatError,
    StudyAreaError,
    ValidationReport,
    ValueRangeError,
)
from geotel.io import read_dem
from geotel.io.dem import fill_voids

N3 = 1201  # cells per side of a 3" tile


def _z(rows: np.ndarray, gcols: np.ndarray) -> np.ndarray:
    """The test surface: a plane, in whole metres on every 4th column and 8th row."""
    return 400.0 + gcols / 4.0 + rows / 8.0


def _tile(folder: Path, lon: int, *, n: int = N3, voids: list[tuple[slice, slice]] = ()
          ) -> Path:
    rows, cols = np.mgrid[0:n, 0:n]
    gcols = cols + (lon - 108) * (n - 1)
    z = np.round(_z(rows, gcols)).astype(">i2")  # SRTM: big-endian int16
    for r, c in voids:
        z[r, c] = -32768
    path = folder / f"N13E{lon:03d}.hgt"
    z.tofile(path)
    return path


@pytest.fixture(scope="module")
def tiles(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("hgt")
    small = (slice(100, 103), slice(200, 204))   # 12 cells: filled
    large = (slice(500, 530), slice(500, 530))   # 900 cells: left
    edge = (slice(0, 2), slice(50, 60))          # touches the edge: left
    return [_tile(d, 108, voids=[small, large, edge]), _tile(d, 109)]


def test_mosaic_of_two_tiles(tiles: list[Path]) -> None:
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in tiles]
    rep = ValidationReport()
    dem = read_dem(tiles, report=rep)
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in tiles] == before
    assert dem.shape == (N3, 2 * N3 - 1)  # the shared edge column once
    assert dem.values.dtype == np.float32
    assert dem.crs.to_epsg() == 4326
    # Cell centres on whole arc-seconds: the top-left centre is (108 E, 14 N).
    assert dem.transform.a == pytest.approx(1 / 1200)
    assert dem.transform @ (0.5, 0.5) == pytest.approx((108.0, 14.0))
    rows, cols = np.array([0, 600, 1200, 7]), np.array([1500, 1200, 2400, 1300])
    expected = np.round(_z(rows, cols))
    np.testing.assert_array_equal(dem.values[rows, cols], expected)
    assert int(dem.tags["voids_filled"]) == 1
    assert int(dem.tags["voids_left"]) == 1
    assert any("larger than" in p.message for p in rep.warnings)


def test_small_void_filled_large_and_edge_voids_left(tiles: list[Path]) -> None:
    dem = read_dem(tiles, max_void_cells=400)
    v = dem.values
    rows, cols = np.mgrid[100:103, 200:204]
    assert np.isfinite(v[100:103, 200:204]).all()
    np.testing.assert_allclose(v[100:103, 200:204], _z(rows, cols), atol=1.5)
    assert np.isnan(v[500:530, 500:530]).all()
    assert np.isnan(v[0:2, 50:60]).all()
    assert np.isnan(v).sum() == 900 + 20
    kept = read_dem(tiles, fill_voids=False).values
    assert np.isnan(kept).sum() == 12 + 900 + 20


def test_reprojected_to_utm_matches_the_surface(tiles: list[Path]) -> None:
    dem = read_dem(tiles, crs="EPSG:32649", resolution_m=90.0)
    assert dem.is_metric
    assert dem.resolution_m == 90.0
    assert dem.crs.to_epsg() == 32649
    to_utm = pyproj.Transformer.from_crs(4326, 32649, always_xy=True)
    for lon, lat in [(108.3, 13.7), (109.2, 13.4), (108.9, 13.85)]:
        x, y = to_utm.transform(lon, lat)
        r, c = dem.rowcol(np.array([x]), np.array([y]))
        cx, cy = dem.xy(r, c)
        clon, clat = to_utm.transform(cx, cy, direction="INVERSE")
        row = (14.0 - clat[0]) * 1200
        gcol = (clon[0] - 108.0) * 1200
        assert dem.values[r[0], c[0]] == pytest.approx(_z(row, gcol), abs=1.0)


def test_bounds_crop_and_snap(tiles: list[Path]) -> None:
    to_utm = pyproj.Transformer.from_crs(4326, 32649, always_xy=True)
    x0, y0 = to_utm.transform(108.4, 13.4)
    bounds = (x0, y0, x0 + 10_050, y0 + 8_010)
    dem = read_dem(tiles, crs="EPSG:32649", resolution_m=90.0, bounds=bounds)
    left, _bottom, right, top = dem.bounds
    assert left <= bounds[0] < left + 90
    assert right - 90 < bounds[2] <= right
    assert left % 90 == 0
    assert top % 90 == 0
    assert np.isfinite(dem.values).all()


def test_one_arcsecond_tile(tmp_path: Path) -> None:
    path = _tile(tmp_path, 108, n=3601)
    dem = read_dem(path)
    assert dem.shape == (3601, 3601)
    assert dem.transform.a == pytest.approx(1 / 3600)
    assert dem.values[3600, 3600] == np.round(_z(np.array(3600), np.array(3600)))


def test_geotiff_projected(tmp_path: Path) -> None:
    z = np.arange(100 * 120, dtype="float32").reshape(100, 120) % 700 + 100
    path = tmp_path / "dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=120, height=100, count=1,
                       dtype="float32", crs="EPSG:32649", nodata=-9999,
                       transform=Affine(30, 0, 300_000, 0, -30, 1_550_040)) as ds:
        ds.write(z, 1)
    dem = read_dem(path)
    np.testing.assert_array_equal(dem.values, z)
    assert dem.resolution_m == 30.0
    coarse = read_dem(path, resolution_m=60.0)
    assert coarse.shape == (50, 60)  # the grid is on whole multiples of 60 m
    assert np.nanmean(coarse.values) == pytest.approx(float(z.mean()), rel=0.01)


def test_errors(tmp_path: Path, tiles: list[Path]) -> None:
    with pytest.raises(CRSError, match="metric"):
        read_dem(tiles, resolution_m=90.0)  # geographic result, metres asked
    with pytest.raises(CRSError):
        read_dem(tiles).require_metric()
    np.zeros((100, 100), ">i2").tofile(tmp_path / "N13E108.hgt")
    with pytest.raises(FileFormatError, match="1201"):
        read_dem(tmp_path / "N13E108.hgt")
    np.zeros((N3, N3), ">i2").tofile(tmp_path / "tile.hgt")
    with pytest.raises(FileFormatError, match="N13E108"):
        read_dem(tmp_path / "tile.hgt")
    with pytest.raises(FileFormatError, match="not found"):
        read_dem(tmp_path / "none.tif")
    with pytest.raises(FileFormatError, match="no DEM"):
        read_dem([])
    with pytest.raises(StudyAreaError):
        read_dem(tiles, crs="EPSG:32648", bounds=(400_000, 2_300_000, 410_000, 2_310_000))


def test_fill_voids_function_is_pure() -> None:
    z = np.full((9, 9), 5.0, "float32")
    z[4, 4] = np.nan
    copy = z.copy()
    out, n, large, cells = fill_voids(z)
    np.testing.assert_array_equal(np.isnan(z), np.isnan(copy))
    assert out[4, 4] == pytest.approx(5.0)
    assert (n, large, cells) == (1, 0, 0)


# ------------------------------------------------------------------ plausibility
def _gtiff(path: Path, values: np.ndarray, *, dtype: str = "float32", units: str | None = None,
           count: int = 1) -> Path:
    """A GeoTIFF over Gia Lai (108.0–108.2 °E, 13.8–14.0 °N)."""
    h, w = values.shape[-2:]
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=count, dtype=dtype,
                       crs="EPSG:4326",
                       transform=Affine(0.2 / w, 0, 108.0, 0, -0.2 / h, 14.0)) as ds:
        for b in range(1, count + 1):
            ds.write(values.astype(dtype), b)
        if units:
            ds.units = [units] * count
    return path


def _gia_lai_relief(n: int = 120) -> np.ndarray:
    """Pleiku plateau to Kon Ka Kinh: 600–1,700 m."""
    y, x = np.mgrid[0:n, 0:n]
    return 600.0 + 1100.0 * (x + y) / (2 * (n - 1))


def test_dem_in_feet_is_an_error_with_the_fix(tmp_path: Path) -> None:
    path = _gtiff(tmp_path / "feet.tif", _gia_lai_relief() / 0.3048)
    with pytest.raises(ValueRangeError) as exc:
        read_dem(path)
    text = str(exc.value)
    assert "highest point is 5,577" in text
    assert "2,598 m" in text
    assert "read as feet it would be 1,700 m" in text
    assert "0.3048" in text
    # the same heights in metres are fine
    assert float(np.nanmax(read_dem(_gtiff(tmp_path / "m.tif", _gia_lai_relief())).values)) \
        == pytest.approx(1700.0)


def test_elevation_unit_in_the_metadata_is_honoured(tmp_path: Path) -> None:
    path = _gtiff(tmp_path / "feet.tif", _gia_lai_relief() / 0.3048, units="ft")
    rep = ValidationReport()
    dem = read_dem(path, report=rep)
    assert float(np.nanmax(dem.values)) == pytest.approx(1700.0, rel=1e-5)
    assert any("converted to metres" in w.message for w in rep.warnings)


@pytest.mark.parametrize(("kw", "needle"), [
    ({"count": 3}, "3 bands: an image"),
    ({"dtype": "uint8"}, "8-bit values"),
])
def test_an_image_is_not_a_dem(tmp_path: Path, kw: dict, needle: str) -> None:
    path = _gtiff(tmp_path / "hillshade.tif", np.full((50, 50), 180.0), **kw)
    with pytest.raises(FileFormatError, match=needle):
        read_dem(path)


def test_truncated_dem_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    src = _gtiff(tmp_path / "full.tif", _gia_lai_relief(600))
    data = src.read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="damaged or truncated"):
        read_dem(cut)

"""The real-data project builder (tests/realproject.py) and the province read from it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from pyproj import Transformer

from geotel.config import load_config
from geotel.province import load_province
from tests.realproject import tower_table, write_real_project

pytestmark = pytest.mark.realdata


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.suffix in (".csv", ".tif", ".yml")}


@pytest.fixture(scope="module")
def project(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_real_project(tmp_path_factory.mktemp("real") / "p", real_data, fiber=True,
                              n_sites=120, border_sites=5)


def test_deterministic_and_reads_real_data_in_place(project: Path, real_data: Path,
                                                    tmp_path: Path) -> None:
    again = write_real_project(tmp_path / "p", real_data, fiber=True, n_sites=120,
                               border_sites=5)
    a, b = _digest(project.parent), _digest(again.parent)
    a.pop("config.yml"), b.pop("config.yml")  # the folders differ, nothing else
    assert a == b
    cfg = load_config(project)
    assert cfg.inputs.communes == (real_data / "communes.gpkg").resolve()
    assert cfg.inputs.roads == (real_data / "roads_main.gpkg").resolve()
    assert not list(project.parent.glob("communes*"))
    assert not list(project.parent.glob("roads*"))
    other = write_real_project(tmp_path / "q", real_data, n_sites=120, border_sites=5, seed=1)
    assert _digest(other.parent)["towers.csv"] != a["towers.csv"]


def test_tower_list_is_vn2000_with_x_northing(project: Path, real_data: Path) -> None:
    t = tower_table(project.parent)
    assert list(t.columns[:5]) == ["Mã trạm", "Mã cell", "Nhà mạng", "Tọa độ X", "Tọa độ Y"]
    x = t["Tọa độ X"].str.replace(",", ".").astype(float)
    y = t["Tọa độ Y"].str.replace(",", ".").astype(float)
    assert x.between(1_400_000, 1_700_000).all()
    assert y.between(300_000, 700_000).all()
    sites = t.groupby("Mã trạm").size()
    assert len(sites) == 125
    assert set(sites) <= {1, 3}
    # The border sites lie 0.5–4 km outside the real province, on its eastern side.
    communes = gpd.read_file(real_data / "communes.gpkg", layer="communes_clean")
    union = shapely.union_all(shapely.make_valid(communes.to_crs(9218).geometry.array))
    first = t.drop_duplicates("Mã trạm")
    pts = shapely.points(first["Tọa độ Y"].str.replace(",", ".").astype(float),
                         first["Tọa độ X"].str.replace(",", ".").astype(float))
    d = shapely.distance(pts, union)
    border = first["Mã trạm"].str.startswith("NB").to_numpy()
    assert border.sum() == 5
    assert (d[~border] == 0).all()
    assert ((d[border] > 400) & (d[border] < 4_100)).all()
    lon, _ = Transformer.from_crs(9218, 4326, always_xy=True).transform(
        shapely.get_x(pts[border]), shapely.get_y(pts[border]))
    assert (np.asarray(lon) > 108.0).all()  # Vietnam's side, not Cambodia's


def test_dem_follows_the_real_relief(project: Path, real_data: Path) -> None:
    with rasterio.open(project.parent / "dem.tif") as ds:
        assert ds.crs.to_epsg() == 32649
        assert ds.res == (250.0, 250.0)
        dem = ds.read(1)
        pleiku = next(ds.sample([Transformer.from_crs(4326, 32649, always_xy=True)
                                 .transform(108.0, 13.98)]))[0]
    with rasterio.open(real_data / "dem_coarse_5arcmin.tif") as ds:
        coarse = next(ds.sample([(108.0, 13.98)]))[0]
    assert np.isfinite(dem).all()
    assert dem.min() >= 0
    assert dem.max() < 2_600
    assert abs(pleiku - coarse) < 150  # the Pleiku plateau stays at its height (~726 m)


def test_province_from_the_real_project(project: Path) -> None:
    data = load_province(load_config(project))
    t = data.towers
    outside = set(t.loc[~t["in_province"], "site_id"])
    assert outside == {f"NB{k:04d}" for k in range(1, 6)}
    assert t["site_id"].nunique() == 125
    assert len(data.fiber) > 0
    assert set(data.fiber["level"]) <= {"backbone", "provincial"}
    # the DEM has a value under every tower, border ones included
    r, c = data.dem.rowcol(t.geometry.x.to_numpy(), t.geometry.y.to_numpy())
    assert np.isfinite(data.dem.values[np.asarray(r), np.asarray(c)]).all()

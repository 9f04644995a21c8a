"""load_province / validate_project on the real Gia Lai layers and on small projects."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
import yaml
from affine import Affine

from geotel.config import load_config
from geotel.errors import CRSError
from geotel.province import ProvinceData, load_province, population_on_grid, validate_project
from geotel.raster import Raster
from geotel.schema import LAYERS
from tests.badinputs import write_good_project


@pytest.fixture(scope="module")
def gialai(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A project on the real communes and roads, with synthetic 3" tiles over Gia Lai."""
    d = tmp_path_factory.mktemp("gialai")
    rows, cols = np.mgrid[0:1201, 0:1201]
    for lat in (12, 13, 14):
        for lon in (107, 108):
            z = 300 + 100 * np.sin((cols + lon * 1200) / 300) + 50 * np.cos((rows - lat * 1200)
                                                                             / 200)
            z.astype(">i2").tofile(d / f"N{lat}E{lon}.hgt")
    cfg = {"name": "Gia Lai", "analysis_crs": "EPSG:32649",
           "inputs": {"communes": str(real_data / "communes.gpkg"),
                      "communes_layer": "communes_clean",
                      "roads": str(real_data / "roads_main.gpkg"),
                      # the real layer has no population: the 2009 census by district
                      "district_population": str(real_data / "districts_2009_census.gpkg"),
                      "dem": sorted(str(p) for p in d.glob("*.hgt"))},
           "coverage": {"resolution_m": 500}}
    path = d / "config.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path, d


@pytest.mark.realdata
def test_load_gia_lai(gialai: tuple[Path, Path]) -> None:
    config_path, folder = gialai
    before = sorted(p.name for p in folder.iterdir())
    data = load_province(load_config(config_path), need_towers=False)  # no tower list
    assert sorted(p.name for p in folder.iterdir()) == before
    assert isinstance(data, ProvinceData)
    assert data.analysis_crs.to_epsg() == 32649
    for name in ("communes", "towers", "fiber", "roads", "exclusion_zones"):
        layer = getattr(data, name)
        assert layer.crs.to_epsg() == 32649, name
        assert list(layer.columns[: len(LAYERS[name].names)]) == LAYERS[name].names
    assert len(data.communes) == 222
    assert len(data.towers) == len(data.fiber) == len(data.exclusion_zones) == 0
    # Roads: the railway and the lines entirely outside the province are dropped.
    assert 5 <= len(data.roads) < 22
    assert data.dem.crs.to_epsg() == 32649
    assert data.dem.resolution_m == 500.0
    assert data.population is None
    assert data.population_source == ("district totals districts_2009_census.gpkg, spread by "
                                      "dasymetric")
    totals = data.district_population
    assert len(totals) == 17
    assert totals["population"].sum() == 1_257_875
    # The study area holds every commune and the DEM covers it.
    assert shapely.contains(data.study_area, data.communes.geometry.array).all()
    left, bottom, right, top = data.dem.bounds
    sx0, sy0, sx1, sy1 = data.study_area.bounds
    assert left <= sx0
    assert bottom <= sy0
    assert right >= sx1
    assert top >= sy1
    assert np.isfinite(data.dem.values).mean() > 0.99
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.dem = None  # type: ignore[misc]


@pytest.mark.realdata
def test_validate_gia_lai_reports_warnings_only(gialai: tuple[Path, Path]) -> None:
    rep = validate_project(load_config(gialai[0]), need_towers=False)
    assert rep.ok
    # the whole plan needs a tower list
    assert [p.column for p in validate_project(load_config(gialai[0])).errors] == [
        "inputs.towers"]
    assert sum("provisional code" in p.message for p in rep.warnings) == 2
    assert any("railway" in p.message for p in rep.warnings)


def test_validate_collects_every_problem(tmp_path: Path) -> None:
    cfg = write_good_project(tmp_path, towers="missing.csv", exclusion_zones="none.geojson",
                             dem=None)
    rep = validate_project(load_config(cfg))
    kinds = sorted((p.kind, p.column or "") for p in rep.errors)
    # each missing file names the config key that gives it
    assert kinds == [("file", "inputs.dem"), ("file", "inputs.exclusion_zones"),
                     ("file", "inputs.towers")]
    text = "\n".join(map(str, rep.errors))
    assert "missing.csv" in text
    assert "none.geojson" in text
    assert "Fix:" in text


def test_analysis_crs_must_be_metric(tmp_path: Path) -> None:
    cfg = write_good_project(tmp_path, _config={"analysis_crs": "EPSG:4326"})
    with pytest.raises(CRSError, match="analysis_crs"):
        load_province(load_config(cfg))


def test_small_project_layers_and_population(tmp_path: Path) -> None:
    # People: 10 per 0.001° cell over the DEM's window, 90,000 in total.
    with rasterio.open(tmp_path / "pop.tif", "w", driver="GTiff", width=300, height=300,
                       count=1, dtype="float32", crs="EPSG:4326",
                       transform=Affine(0.001, 0, 107.85, 0, -0.001, 14.15)) as ds:
        ds.write(np.full((300, 300), 10.0, "float32"), 1)
    cfg = write_good_project(tmp_path, population="pop.tif")
    data = load_province(load_config(cfg))
    assert data.towers["site_id"].tolist() == ["GL001", "GL002", "GL003"]
    assert data.fiber["level"].tolist() == ["backbone"]
    assert data.exclusion_zones["kind"].tolist() == ["airport"]
    assert data.roads["road_class"].tolist() == ["national"]
    assert data.communes["population"].sum() == 48_000
    assert data.communes["area_km2"].sum() == pytest.approx(4 * 5.55 * 5.39, rel=0.02)
    pop = data.population
    assert pop is not None
    assert pop.shape == data.dem.shape
    assert pop.transform == data.dem.transform
    assert pop.crs == data.dem.crs
    # The DEM grid lies inside the population window: its area times the density.
    cell_km2 = (0.001 * 111.32 * np.cos(np.radians(14.0))) * (0.001 * 110.6)
    expected = pop.values.size * (0.2 * 0.2) / cell_km2 * 10
    assert pop.values.sum() == pytest.approx(expected, rel=0.03)


def test_population_on_grid_keeps_total() -> None:
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 50, (40, 40)).astype("float32")
    pop = Raster(counts, Affine(100, 0, 500_000, 0, -100, 1_504_000), "EPSG:32649")
    grid = Raster(np.zeros((10, 10), "float32"), Affine(400, 0, 500_000, 0, -400, 1_504_000),
                  "EPSG:32649")
    out = population_on_grid(pop, grid)
    assert out.values.sum() == pytest.approx(counts.sum(), rel=1e-5)
    # Aligned 4x4 blocks: each cell is exactly the block sum (brute force).
    blocks = counts.reshape(10, 4, 10, 4).sum(axis=(1, 3))
    np.testing.assert_allclose(out.values, blocks, rtol=1e-5)


def test_commune_offices_become_commune_centres(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from geotel.config import load_config
    from geotel.errors import ValidationReport
    from geotel.province import load_province
    from tests.badinputs import write_good_project

    offices = gpd.GeoDataFrame(
        {"commune_code": [23557, "23560", "99999", "23563"]},
        geometry=[Point(107.975, 14.025), Point(108.025, 14.025), Point(108.0, 14.0),
                  Point(108.5, 14.5)],  # the last one lies far outside its commune
        crs="EPSG:4326")
    offices.to_file(tmp_path / "offices.geojson", driver="GeoJSON")
    cfg = load_config(write_good_project(tmp_path, commune_offices="offices.geojson"))
    rep = ValidationReport()
    prov = load_province(cfg, report=rep)
    c = prov.communes.set_index("commune_code")
    x, y = gpd.points_from_xy([107.975], [14.025], crs=4326).to_crs(prov.analysis_crs)[0].xy
    assert c.loc["23557", "office_x"] == pytest.approx(x[0])
    assert c.loc["23557", "office_y"] == pytest.approx(y[0])
    assert c[["office_x"]].notna().sum().item() == 2  # 23563 is outside, 23566 has none
    text = "\n".join(str(p) for p in rep.warnings)
    assert "99999" in text
    assert "outside its commune" in text

"""The embedded demo province (geotel.datasets): contents, facts, determinism."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import rasterio.features
import shapely
from scipy.spatial import cKDTree

from geotel import __version__
from geotel.config import load_config
from geotel.datasets import demo_project, demo_province, write_demo_project
from geotel.datasets._facts import EQUAL_AREA_CRS, communes, districts, to_metric
from geotel.datasets._write import TOWER_HEADERS
from geotel.errors import InputError
from geotel.schema import validate_layer

UTM = "EPSG:32649"
KON_PNE = "23641"


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "gialai"
    write_demo_project(out)
    return out


@pytest.fixture(scope="session")
def layers(demo_dir: Path) -> dict[str, gpd.GeoDataFrame]:
    t = pd.read_csv(demo_dir / "towers.csv", dtype={"Mã trạm": str})
    t = t.rename(columns={v: k for k, v in TOWER_HEADERS.items()})
    towers = gpd.GeoDataFrame(t, geometry=gpd.points_from_xy(t.pop("Kinh độ"), t.pop("Vĩ độ")),
                              crs=4326)
    return {
        "communes": gpd.read_file(demo_dir / "communes.gpkg", layer="communes").to_crs(UTM),
        "offices": gpd.read_file(demo_dir / "communes.gpkg", layer="commune_offices").to_crs(UTM),
        "roads": gpd.read_file(demo_dir / "roads.gpkg").to_crs(UTM),
        "fiber": gpd.read_file(demo_dir / "fiber.gpkg").to_crs(UTM),
        "zones": gpd.read_file(demo_dir / "exclusion_zones.gpkg").to_crs(UTM),
        "towers": towers.to_crs(UTM),
    }


def _point(lon: float, lat: float) -> tuple[float, float]:
    x, y = to_metric(np.array([lon]), np.array([lat]))
    return float(x[0]), float(y[0])


def _window(path: Path, lon: float, lat: float, radius_m: float) -> np.ndarray:
    x, y = _point(lon, lat)
    with rasterio.open(path) as ds:
        win = rasterio.windows.from_bounds(x - radius_m, y - radius_m, x + radius_m,
                                           y + radius_m, ds.transform)
        return ds.read(1, window=win.round_offsets().round_lengths())


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --- files, labels, determinism -------------------------------------------------------

def test_same_bytes_on_two_runs(demo_dir: Path, tmp_path: Path) -> None:
    second = write_demo_project(tmp_path / "again").parent
    first, again = _digest(demo_dir), _digest(second)
    assert set(first) == {"README.txt", "config.yml", "communes.gpkg", "towers.csv",
                          "fiber.gpkg", "roads.gpkg", "exclusion_zones.gpkg", "dem.tif",
                          "population.tif"}
    assert first == again


def test_config_is_valid_and_labelled(demo_dir: Path) -> None:
    cfg = load_config(demo_dir / "config.yml")
    assert cfg.name == "DEMO (synthetic) Gia Lai"
    assert cfg.analysis_crs == UTM
    for p in (cfg.inputs.communes, cfg.inputs.towers, cfg.inputs.fiber, cfg.inputs.roads,
              cfg.inputs.exclusion_zones, cfg.inputs.population, *cfg.inputs.dem):
        assert p is not None
        assert p.is_file()
        assert p.parent == demo_dir
    assert "../" not in (demo_dir / "config.yml").read_text(encoding="utf-8")
    assert "SYNTHETIC" in (demo_dir / "README.txt").read_text(encoding="utf-8")
    with rasterio.open(demo_dir / "dem.tif") as ds:
        assert ds.tags()["synthetic"] == "yes"
        assert ds.crs.to_epsg() == 32649
    with sqlite3.connect(demo_dir / "roads.gpkg") as con:
        (desc,) = con.execute("select description from gpkg_contents").fetchone()
    assert "SYNTHETIC" in desc


def test_existing_folder_is_refused_and_kept(tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="already exists"):
        write_demo_project(out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_bad_resolution_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="90 or 30"):
        write_demo_project(tmp_path / "x", resolution_m=50)  # type: ignore[arg-type]
    assert not (tmp_path / "x").exists()


def test_demo_project_uses_its_cache(demo_dir: Path, tmp_path: Path) -> None:
    cached = tmp_path / f"demo-{__version__}-90m"
    shutil.copytree(demo_dir, cached)
    before = (cached / "dem.tif").stat().st_mtime_ns
    assert demo_project(cache_dir=tmp_path) == cached / "config.yml"
    assert (cached / "dem.tif").stat().st_mtime_ns == before


def test_demo_province_loads(demo_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(demo_dir, tmp_path / f"demo-{__version__}-90m")
    prov = demo_province(cache_dir=tmp_path)
    assert len(prov.communes) == 222
    assert prov.analysis_crs.to_epsg() == 32649
    assert prov.towers["site_id"].nunique() == pd.read_csv(
        demo_dir / "towers.csv")["Mã trạm"].nunique()
    assert set(prov.exclusion_zones["kind"]) >= {"national_park", "airport"}


# --- communes and districts -----------------------------------------------------------

def test_communes_have_the_official_codes(layers: dict[str, gpd.GeoDataFrame]) -> None:
    c = layers["communes"]
    facts = communes()
    assert len(c) == 222
    assert c["commune_code"].is_unique
    assert list(c["commune_code"]) == list(facts["commune_code"])
    assert list(c["commune_name"]) == list(facts["commune_name"])
    assert c["commune_code"].str.fullmatch(r"\d{5}").all()
    assert (facts["code_status"] == "official").sum() == 220
    assert c.loc[c["commune_code"] == KON_PNE, "commune_name"].item() == "Xã Kon Pne"
    assert c["district_code"].nunique() == 17
    _out, rep = validate_layer(c, "communes", source="communes.gpkg")
    assert rep.ok, [str(p) for p in rep.errors]


def test_districts_contain_their_seats(layers: dict[str, gpd.GeoDataFrame]) -> None:
    d = layers["communes"].dissolve("district_code")
    for _, row in districts().iterrows():
        seat = shapely.Point(row["seat_x"], row["seat_y"])
        assert d.loc[row["district_code"]].geometry.buffer(100).contains(seat), row["district_name"]


def test_province_area_is_close_to_official(layers: dict[str, gpd.GeoDataFrame]) -> None:
    area = layers["communes"].to_crs(EQUAL_AREA_CRS).area.sum() / 1e6
    assert area == pytest.approx(15_510, rel=0.01)
    assert shapely.union_all(layers["communes"].geometry.array).geom_type == "Polygon"


# --- population -----------------------------------------------------------------------

def test_population_total_and_commune_sums(demo_dir: Path,
                                           layers: dict[str, gpd.GeoDataFrame]) -> None:
    c = layers["communes"]
    with rasterio.open(demo_dir / "population.tif") as ds:
        pop = ds.read(1).astype(np.float64)
        labels = rasterio.features.rasterize(
            ((g, i + 1) for i, g in enumerate(c.geometry)), out_shape=pop.shape,
            transform=ds.transform, dtype="int32")
    assert np.nansum(pop) == pytest.approx(1_513_847, rel=1e-3)
    assert pop[labels == 0].sum() == 0
    sums = np.bincount(labels.ravel(), weights=pop.ravel(), minlength=223)[1:]
    assert np.array_equal(np.round(sums).astype(int), c["population"].to_numpy())
    pleiku = c.loc[c["district_code"] == "622", "population"].sum()
    assert 230_000 < pleiku < 270_000
    # Towns are dense, the highlands sparse.
    dens = c["population"] / c.to_crs(EQUAL_AREA_CRS).area * 1e6
    town, rural = c["commune_type"] == "phường", c["commune_type"] == "xã"
    assert dens[town].median() > 10 * dens[rural].median()
    assert dens[c["commune_code"] == KON_PNE].item() < 30


# --- DEM --------------------------------------------------------------------------------

def test_dem_relief_follows_the_province(demo_dir: Path,
                                         layers: dict[str, gpd.GeoDataFrame]) -> None:
    with rasterio.open(demo_dir / "dem.tif") as ds:
        assert ds.res == (90.0, 90.0)
        assert ds.crs.to_epsg() == 32649
        assert 1_700 <= ds.width <= 2_000
        assert 1_900 <= ds.height <= 2_200
        park = layers["zones"].loc[layers["zones"]["kind"] == "national_park"].geometry.item()
        in_park = rasterio.features.geometry_mask([park], (ds.height, ds.width), ds.transform,
                                                  invert=True)
        dem = ds.read(1)
    assert 650 <= np.median(_window(demo_dir / "dem.tif", 108.005, 13.981, 5_000)) <= 850
    assert 1_500 <= dem[in_park].max() <= 1_900
    assert np.percentile(_window(demo_dir / "dem.tif", 108.436, 13.41, 4_000), 90) < 300
    assert np.percentile(_window(demo_dir / "dem.tif", 108.689, 13.207, 4_000), 50) < 300
    assert 330 <= np.median(_window(demo_dir / "dem.tif", 108.672, 13.971, 3_000)) <= 480
    assert np.isfinite(dem).all()


# --- towers -----------------------------------------------------------------------------

def test_towers(layers: dict[str, gpd.GeoDataFrame]) -> None:
    t = layers["towers"]
    _out, rep = validate_layer(t, "towers", source="towers.csv")
    assert rep.ok, [str(p) for p in rep.errors][:5]
    sites = t.drop_duplicates("site_id")
    assert 1_450 <= len(sites) <= 1_550
    counts = sites["operator"].value_counts()
    assert list(counts.index) == ["Viettel", "VinaPhone", "MobiFone", "Vietnamobile"]
    assert t.groupby("site_id").size().between(1, 3).all()
    assert t["height_m"].between(15, 60).all()
    shared = sites[sites["shared_by"].fillna("") != ""]
    assert 0.1 < len(shared) / len(sites) < 0.5
    # A shared tower: the partner operator has a site at the same place.
    row = shared.iloc[0]
    partner = row["shared_by"].split(",")[0]
    same_place = sites[(sites["operator"] == partner)
                       & (sites.geometry.distance(row.geometry) < 1.0)]
    assert len(same_place) == 1
    assert (sites["technologies"] == "2G").sum() > 10


def test_towers_avoid_park_and_airport_and_leave_gaps(layers: dict[str, gpd.GeoDataFrame]) -> None:
    zones = layers["zones"]
    t = layers["towers"]
    for kind in ("national_park", "airport"):
        geom = zones.loc[zones["kind"] == kind].geometry.item()
        assert not t.geometry.within(geom).any(), kind
    # The remote highlands keep large gaps: a share of the province is far from any site.
    c = layers["communes"]
    province = shapely.union_all(c.geometry.array)
    x0, y0, x1, y1 = province.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1, 1_000.0), np.arange(y0, y1, 1_000.0))
    inside = shapely.contains_xy(province, gx, gy)
    sites = shapely.get_coordinates(t.drop_duplicates("site_id").geometry.array)
    far = cKDTree(sites).query(np.c_[gx[inside], gy[inside]])[0]
    assert (far > 5_000).mean() > 0.03
    assert far.max() > 10_000


# --- services, Kon Pne, fiber, roads ------------------------------------------------------

def test_service_counts(layers: dict[str, gpd.GeoDataFrame]) -> None:
    c = layers["communes"]
    assert (~c["has_fixed_internet"].astype(bool)).sum() == 10
    assert c["has_radio_station"].astype(bool).sum() == 149
    assert c["has_postal_point"].astype(bool).sum() >= 200


def test_kon_pne_has_no_fiber_and_only_2g(layers: dict[str, gpd.GeoDataFrame]) -> None:
    c = layers["communes"]
    kon = c.loc[c["commune_code"] == KON_PNE].iloc[0]
    assert not kon["has_fiber"]
    assert not kon["has_fixed_internet"]
    assert kon["mobile_technologies"] == "2G"
    assert not layers["fiber"].geometry.intersects(kon.geometry).any()
    assert (c.loc[c["commune_code"] != KON_PNE, "has_fiber"].astype(bool)).all()
    near = layers["towers"][layers["towers"].geometry.distance(kon.geometry) < 3_000]
    assert len(near) > 0
    assert (near["technologies"] == "2G").all()


def test_fiber_reaches_most_commune_centres(layers: dict[str, gpd.GeoDataFrame]) -> None:
    fiber = shapely.union_all(layers["fiber"].geometry.array)
    offices = layers["offices"]
    c = layers["communes"].set_index("commune_code")
    on_fiber = offices.geometry.distance(fiber) < 1.0
    connected = c.loc[offices["commune_code"], "has_fixed_internet"].astype(bool).to_numpy()
    assert on_fiber.sum() == 212
    assert np.array_equal(on_fiber.to_numpy(), connected)
    assert set(layers["fiber"]["level"]) == {"backbone", "provincial", "district"}
    assert layers["fiber"].geom_type.eq("LineString").all()


def test_roads_connect_every_commune_centre(layers: dict[str, gpd.GeoDataFrame]) -> None:
    roads = layers["roads"]
    assert {"QL14", "QL19", "QL25", "QL14C"} <= set(roads["road_id"])
    assert set(roads.loc[roads["road_id"].str.startswith("QL"), "road_class"]) == {"national"}
    _out, rep = validate_layer(roads, "roads", source="roads.gpkg")
    assert rep.ok
    # Union-find over vertices shared exactly (no snapping).
    coords, part = shapely.get_coordinates(roads.geometry.array, return_index=True)
    keys, node = np.unique(np.round(coords, 2), axis=0, return_inverse=True)
    node = node.ravel()
    parent = np.arange(len(keys))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    same = part[1:] == part[:-1]
    for a, b in zip(node[:-1][same], node[1:][same], strict=True):
        parent[find(a)] = find(b)
    roots = {find(i) for i in range(len(keys))}
    assert len(roots) == 1
    office_xy = np.round(shapely.get_coordinates(layers["offices"].geometry.array), 2)
    lookup = {tuple(k) for k in keys}
    assert all(tuple(xy) in lookup for xy in office_xy)


def test_exclusion_zones(layers: dict[str, gpd.GeoDataFrame]) -> None:
    z = layers["zones"]
    _out, rep = validate_layer(z, "exclusion_zones", source="exclusion_zones.gpkg")
    assert rep.ok
    airport = z.loc[z["kind"] == "airport"].geometry.item()
    assert airport.contains(shapely.Point(*_point(108.017, 14.004)))
    park = z.loc[z["kind"] == "national_park"].geometry.item()
    assert park.contains(shapely.Point(*_point(108.28, 14.27)))
    assert 300 < park.area / 1e6 < 550


def test_cache_of_another_generator_revision_is_stale(demo_dir: Path, tmp_path: Path) -> None:
    from geotel.datasets.demo import _current

    assert _current(demo_dir / "config.yml")
    old = tmp_path / "config.yml"
    old.write_text((demo_dir / "config.yml").read_text(encoding="utf-8").replace(
        "generator revision", "generator revision 0 #"), encoding="utf-8")
    assert not _current(old)
    assert not _current(tmp_path / "missing.yml")

"""A CRS for every vector input: ``inputs.<layer>_crs`` reads a shapefile without .prj,
overrides a wrong .prj with a warning, and a missing CRS is an error naming the key and
the likely CRSs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from geotel.config import load_config
from geotel.errors import CRSError
from geotel.province import load_province, validate_project
from tests.badinputs import _communes, write_good_project

CANDIDATES = ("EPSG:9218", "EPSG:3405", "EPSG:3406", "EPSG:32648", "EPSG:32649")


def _layer(name: str) -> gpd.GeoDataFrame:
    """The corpus layer ``name`` in WGS 84."""
    if name == "communes":
        return _communes()
    if name == "fiber":
        return gpd.GeoDataFrame({"ma_tuyen": ["T1"], "cap": ["Truc"]},
                                geometry=[LineString([(107.96, 14.0), (108.04, 14.0)])],
                                crs=4326)
    if name == "roads":
        return gpd.GeoDataFrame({"ten": ["Quoc lo 19"], "cap_duong": ["Quoc Gia"], "gid": [380]},
                                geometry=[LineString([(107.9, 13.98), (108.1, 14.02)])],
                                crs=4326)
    if name == "exclusion_zones":
        return gpd.GeoDataFrame({"id": ["Z1"], "loai": ["San bay"]},
                                geometry=[box(108.01, 13.96, 108.03, 13.98)], crs=4326)
    if name == "commune_offices":
        c = _communes()
        return gpd.GeoDataFrame({"commune_code": c["ma_xa"]},
                                geometry=[Point(g.centroid.x, g.centroid.y) for g in c.geometry],
                                crs=4326)
    if name == "towers":
        return gpd.GeoDataFrame({"ma_tram": ["GL001", "GL002"], "nha_mang": ["Viettel", "VNPT"]},
                                geometry=[Point(107.98, 14.02), Point(108.02, 14.03)], crs=4326)
    raise KeyError(name)


def _write_shp(folder: Path, name: str, *, prj: str | None) -> Path:
    """The layer in VN-2000 / TM-3 108-30 metres as a shapefile; its .prj says ``prj``
    (None: no .prj at all)."""
    g = _layer(name).to_crs("EPSG:9218")
    if prj is not None:
        g = g.set_crs(prj, allow_override=True)
    path = folder / f"{name}_vn2000.shp"
    g.to_file(path)
    if prj is None:
        path.with_suffix(".prj").unlink()
    return path


def _project(folder: Path, name: str, path: Path, crs: str | None) -> Path:
    overrides: dict[str, object] = {name: path.name}
    if crs is not None:
        overrides[f"{name}_crs"] = crs
    return write_good_project(folder, **overrides)


def _read(data, name: str) -> gpd.GeoDataFrame:
    if name == "commune_offices":
        c = data.communes
        return gpd.GeoDataFrame(geometry=gpd.points_from_xy(c["office_x"], c["office_y"]),
                                crs=c.crs)
    return getattr(data, name)


def _check_positions(data, name: str) -> None:
    """Read back in the analysis CRS, the features lie where the WGS 84 original is
    (the VN-2000 datum shift applied: a conversion without it is 200 m off)."""
    got = _read(data, name).to_crs(4326)
    want = _layer(name)
    assert len(got) == len(want)
    a = got.geometry.to_crs(32649).representative_point()
    b = want.geometry.to_crs(32649).representative_point()
    if name == "roads":  # clipped to the study area: compare the line itself
        assert got.geometry.iloc[0].hausdorff_distance(want.geometry.iloc[0]) < 1e-5
        return
    d = np.hypot(a.x.to_numpy() - b.x.to_numpy(), a.y.to_numpy() - b.y.to_numpy())
    assert d.max() < 1.0, d


NAMES = ["communes", "fiber", "roads", "exclusion_zones", "commune_offices", "towers"]


@pytest.mark.parametrize("name", NAMES)
def test_key_reads_a_shapefile_without_prj(tmp_path: Path, name: str) -> None:
    path = _write_shp(tmp_path, name, prj=None)
    cfg = load_config(_project(tmp_path, name, path, "EPSG:9218"))
    rep = validate_project(cfg)
    assert rep.ok, rep.lines()
    assert not [p for p in rep.warnings if p.kind == "crs"]
    _check_positions(load_province(cfg), name)


@pytest.mark.parametrize("name", NAMES)
def test_key_overrides_a_different_prj_with_a_warning(tmp_path: Path, name: str) -> None:
    # TM-3 108-30 metres under a .prj that says VN-2000 / UTM 48N
    path = _write_shp(tmp_path, name, prj="EPSG:3405")
    cfg = load_config(_project(tmp_path, name, path, "EPSG:9218"))
    rep = validate_project(cfg)
    assert rep.ok, rep.lines()
    warned = [p for p in rep.warnings if p.kind == "crs"]
    assert len(warned) == 1, rep.lines()
    w = warned[0]
    assert w.column == f"inputs.{name}_crs"
    assert "UTM zone 48N" in w.message
    assert "TM-3 108-30" in w.message
    _check_positions(load_province(cfg), name)


@pytest.mark.parametrize("name", NAMES)
def test_same_crs_as_prj_is_silent(tmp_path: Path, name: str) -> None:
    path = _write_shp(tmp_path, name, prj="EPSG:9218")
    rep = validate_project(load_config(_project(tmp_path, name, path, "EPSG:9218")))
    assert rep.ok, rep.lines()
    assert not [p for p in rep.warnings if p.kind == "crs"], rep.lines()


@pytest.mark.parametrize("name", NAMES)
def test_missing_crs_names_the_key_and_the_candidates(tmp_path: Path, name: str) -> None:
    path = _write_shp(tmp_path, name, prj=None)
    cfg = load_config(_project(tmp_path, name, path, None))
    rep = validate_project(cfg)
    errors = [p for p in rep.errors if p.kind == "crs"]
    assert len(errors) == 1, rep.lines()
    e = errors[0]
    assert e.file == str(path)
    assert e.column == f"inputs.{name}_crs"
    assert f"inputs.{name}_crs" in e.fix
    positions = [e.fix.index(c + " ") for c in CANDIDATES]
    assert positions == sorted(positions), e.fix  # the province's TM-3 zone first
    with pytest.raises(CRSError, match=f"inputs.{name}_crs"):
        load_province(cfg)


def test_missing_crs_in_degrees_lists_no_candidates(tmp_path: Path) -> None:
    g = _layer("roads")
    g.to_file(tmp_path / "roads_deg.shp")
    (tmp_path / "roads_deg.prj").unlink()
    rep = validate_project(load_config(write_good_project(tmp_path, roads="roads_deg.shp")))
    e = next(p for p in rep.errors if p.kind == "crs")
    assert e.column == "inputs.roads_crs"
    assert "EPSG:4326" in e.fix
    assert "EPSG:9218" not in e.fix


def test_unknown_key_value_is_an_error_naming_the_key(tmp_path: Path) -> None:
    rep = validate_project(load_config(write_good_project(tmp_path, roads_crs="EPSG:abc")))
    e = next(p for p in rep.errors if p.kind == "crs")
    assert e.column == "inputs.roads_crs"
    assert "EPSG:abc" in e.message

"""Towers across the provincial border: kept within the coverage radius (in_province
false, in the coverage, not in the communes' tower counts), errors per site beyond it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio.features
import shapely
from pyproj import Geod

from geotel.config import load_config
from geotel.errors import StudyAreaError
from geotel.indicators import commune_indicators
from geotel.pipeline import run_plan
from geotel.province import load_province, validate_project
from tests.badinputs import _TOWERS, _TOWERS_HEADER, write_good_project

GEOD = Geod(ellps="WGS84")

# The corpus communes span 107.95–108.05 °E at 14.0 °N; its DEM 107.85–108.15 °E.
_NEAR = [  # about 3.2 km east of the border, three sectors, and one omni site at 9.7 km
    "NB001;Viettel;108,0800;14,0100;40;4G;1800",
    "NB001;Viettel;108,0800;14,0100;40;4G;1800",
    "NB001;Viettel;108,0800;14,0100;40;4G;1800",
    "NB002;MobiFone;108,1400;14,0000;40;4G;1800",
]


def _project(tmp_path: Path, extra: list[str], **config: object) -> Path:
    """The corpus project with ``extra`` tower rows; a site's rows are its sectors
    (azimuths 0, 120, 240)."""
    seen: dict[str, int] = {}
    lines = [_TOWERS_HEADER + ";Góc phương vị"]
    for r in [*_TOWERS, *extra]:
        site = r.split(";")[0]
        seen[site] = seen.get(site, -1) + 1
        lines.append(f"{r};{120 * seen[site]}")
    (tmp_path / "towers_border.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return write_good_project(tmp_path, towers="towers_border.csv", _config=config)


def _km_east_of_border(lon: float, lat: float = 14.0) -> float:
    return GEOD.inv(108.05, lat, lon, lat)[2] / 1000


def test_geometry_of_the_case() -> None:
    """The hand-placed sites are where the tests say: outside the study area (5 km) for
    NB002, inside the 15 km radius for both, farther than 15 km for the far ones."""
    assert 3.0 < _km_east_of_border(108.08) < 3.5
    assert 9.0 < _km_east_of_border(108.14) < 10.5
    assert 20 < _km_east_of_border(108.25) < 23


def test_cross_border_sites_are_kept_per_site(tmp_path: Path) -> None:
    cfg = load_config(_project(tmp_path, _NEAR))
    rep = validate_project(cfg)
    assert rep.ok, rep.lines()
    warnings = [p for p in rep.warnings if "cross-border" in p.message]
    assert len(warnings) == 1, rep.lines()  # one warning for both sites, not per sector
    assert warnings[0].message.startswith("2 site(s)")
    data = load_province(cfg)
    t = data.towers
    assert len(t) == 3 + 4
    flags = t.groupby("site_id")["in_province"].agg(set).to_dict()
    assert flags == {"GL001": {True}, "GL002": {True}, "GL003": {True},
                     "NB001": {False}, "NB002": {False}}
    # The DEM is read over the study area extended to the cross-border towers.
    _left, _bottom, right, _top = data.dem.bounds
    nb2 = t[t["site_id"] == "NB002"].geometry.iloc[0]
    assert right >= nb2.x + 1_000 > data.study_area.bounds[2]
    row, col = data.dem.rowcol(np.array([nb2.x]), np.array([nb2.y]))
    assert np.isfinite(data.dem.values[int(row[0]), int(col[0])])


def test_cross_border_sites_serve_but_are_not_counted(tmp_path: Path) -> None:
    cfg = load_config(_project(tmp_path, _NEAR))
    plan = run_plan(cfg, until="indicators", progress=False)
    served = set(plan.coverage.sites["site_id"])
    assert {"NB001", "NB002"} <= served
    # NB001 is the best 4G server of cells inside the communes: it counts in the coverage.
    sites = plan.coverage.sites
    idx = plan.coverage.server("4G").values
    inside = rasterio.features.geometry_mask(
        list(plan.province.communes.geometry), out_shape=idx.shape,
        transform=plan.coverage.transform, invert=True)
    nb1_rows = np.flatnonzero(sites["site_id"].to_numpy() == "NB001")
    assert np.isin(idx[inside], nb1_rows).sum() > 0
    communes = plan.layers["communes"]
    assert int(communes["towers"].sum()) == 3  # GL001–GL003 only
    assert plan.layers["towers_existing"]["in_province"].tolist().count(False) == 4
    # The count goes by in_province, not only by location: a site flagged as across the
    # border is not counted even where it stands inside a commune.
    towers = plan.province.towers.copy()
    towers.loc[towers["site_id"] == "GL001", "in_province"] = False
    again = commune_indicators(plan.province.communes, plan.coverage, plan.population,
                               towers=towers)
    assert int(again["towers"].sum()) == 2
    assert int(commune_indicators(plan.province.communes, plan.coverage, plan.population,
                                  towers=plan.province.towers)["towers"].sum()) == 3


def test_far_sites_are_one_error_per_site_collapsed(tmp_path: Path) -> None:
    far = [f"XA{k:03d};Viettel;108,25;{14.0 + k / 100:.2f};30;4G;1800".replace(".", ",")
           for k in range(12) for _ in range(3)]  # 12 sites of 3 sectors, ~21 km out
    cfg = load_config(_project(tmp_path, far))
    rep = validate_project(cfg)
    errors = [p for p in rep.errors if p.kind == "study_area"]
    assert len(errors) == 12  # per site, not per sector
    assert {p.feature for p in errors} == {f"XA{k:03d}" for k in range(12)}
    assert all("coverage.max_radius_m" in p.message and "towers_crs" in p.fix
               for p in errors)
    assert errors[0].row == 5  # the first sector's line in the file (header, 3 GL rows)
    lines = [ln for ln in rep.lines() if ln.startswith("ERROR")]
    assert len(lines) == 1
    assert "12 features (XA000, XA001, XA002, …)" in lines[0]
    with pytest.raises(StudyAreaError) as info:
        load_province(cfg)
    text = str(info.value)
    assert "XA000" in text
    assert "11 more problem(s)" in text
    assert len(text.splitlines()) == 3  # the first error, the header, one collapsed line


def test_a_larger_radius_keeps_them(tmp_path: Path) -> None:
    far = ["XA001;Viettel;108,25;14,00;30;4G;1800"]
    cfg = load_config(_project(tmp_path, far, coverage={"resolution_m": 200,
                                                        "max_radius_m": 25_000}))
    rep = validate_project(cfg)
    assert rep.ok, rep.lines()
    # No DEM under it (the DEM file ends at 108.15 °E): left out of the coverage, warned once.
    data = load_province(cfg)
    assert "XA001" not in set(data.towers["site_id"])
    dropped = [p for p in rep.warnings if "no DEM value" in p.message]
    assert len(dropped) == 1
    assert "XA001" in dropped[0].message


def test_in_province_is_true_inside(tmp_path: Path) -> None:
    data = load_province(load_config(write_good_project(tmp_path)))
    assert data.towers["in_province"].all()
    assert shapely.contains(data.study_area, data.towers.geometry.array).all()

"""Population from every source a province has: a communes column, a raster, a yearbook
table, district totals — and an error naming them all when none is given."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from geotel._zonal import Grid, commune_labels, zonal_sum
from geotel.config import load_config
from geotel.errors import ConfigError, SchemaError
from geotel.io import read_communes
from geotel.io.population import (
    name_key,
    read_district_population,
    read_population_table,
)
from geotel.population import district_shares, population_surface
from geotel.province import load_province, validate_project
from tests.badinputs import _communes, write_good_project

CODES = ["23557", "23560", "23563", "23566"]


def _project(folder: Path, communes: gpd.GeoDataFrame, **inputs: object) -> Path:
    path = write_good_project(folder)
    (folder / "communes.gpkg").unlink()
    communes.to_file(folder / "communes.gpkg", layer="communes", driver="GPKG")
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    cfg["inputs"].update(inputs)
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def test_no_source_is_an_error_naming_the_four_ways(tmp_path: Path) -> None:
    rep = validate_project(load_config(_project(tmp_path, _communes().drop(columns="dan_so"))))
    err = [p for p in rep.errors if p.column == "inputs.population"]
    assert len(err) == 1
    assert err[0].kind == "config"
    text = str(err[0])
    for way in ("'population' column in the communes layer", "raster", "yearbook table",
                "inputs.district_population", "population: none"):
        assert way in text, way
    with pytest.raises(ConfigError, match="no population source"):
        load_province(load_config(tmp_path / "config.yml"))


def test_blank_population_is_an_error_not_zero(tmp_path: Path) -> None:
    com = _communes()
    com["dan_so"] = [12000, None, 9000, 8000]
    rep = validate_project(load_config(_project(tmp_path, com)))
    [err] = [p for p in rep.errors if p.column == "population"]
    assert "Phường Diên Hồng" in err.message
    assert "1 commune(s) have no population" in err.message


def test_yearbook_table_by_name_in_thousands(tmp_path: Path) -> None:
    csv = tmp_path / "nien_giam.csv"
    csv.write_text("NIÊN GIÁM THỐNG KÊ 2022\n"
                   "STT;Đơn vị hành chính;Dân số trung bình (nghìn người)\n"
                   "1;Phường Yên Đỗ;16,5\n2;P. Diên Hồng;12,25\n3;Phường Ia Kring;9,8\n"
                   "4;Hội Thương;7\n;Tổng số;45,55\n", encoding="utf-8")
    path = _project(tmp_path, _communes().drop(columns="dan_so"), population="nien_giam.csv")
    rep = validate_project(load_config(path))
    assert rep.ok, rep.errors
    assert any("1 row(s) match no commune" in p.message and "Tổng số" in p.message
               for p in rep.warnings)
    prov = load_province(load_config(path))
    assert prov.communes["population"].tolist() == [16500, 12250, 9800, 7000]
    assert prov.population_source == "yearbook table nien_giam.csv"


def test_yearbook_xlsx_by_code_with_thousands_dots(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã xã", "Tên xã", "Dân số (người)"])
    for code, pop in zip(CODES[:3], ["12.345", "1.234", "987"], strict=True):
        ws.append([code, "", pop])
    wb.save(tmp_path / "dan_so.xlsx")
    com = _communes().drop(columns="dan_so")
    values = read_population_table(tmp_path / "dan_so.xlsx", read_communes(
        _project(tmp_path, com).parent / "communes.gpkg"), report=(rep := _Report()))
    assert values.tolist()[:3] == [12345.0, 1234.0, 987.0]
    assert np.isnan(values.iloc[3])
    # the missing commune is named
    [err] = rep.errors
    assert "Phường Hội Thương" in err.message
    assert "no row in the population table" in err.message


def test_unit_and_number_problems_name_the_header_and_row(tmp_path: Path) -> None:
    com = read_communes(_project(tmp_path, _communes()).parent / "communes.gpkg")
    bad_unit = tmp_path / "ho.csv"
    bad_unit.write_text("Mã xã,Dân số (hộ)\n23557,3000\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"unit '\(hộ\)' in the header 'Dân số \(hộ\)'"):
        read_population_table(bad_unit, com)
    ambiguous = tmp_path / "amb.csv"
    ambiguous.write_text("Mã xã;Dân số (nghìn người)\n23557;5.234\n", encoding="utf-8")
    rep = _Report()
    read_population_table(ambiguous, com, report=rep)
    assert any("ambiguous" in p.message and p.feature == "row 2" for p in rep.errors)


def _Report():
    from geotel.errors import ValidationReport

    return ValidationReport()


def _two_districts() -> gpd.GeoDataFrame:
    com = _communes().drop(columns="dan_so")
    com["ma_huyen"] = ["622", "622", "623", "623"]
    com["ten_huyen"] = ["Thành phố Pleiku", "Thành phố Pleiku", "Thị xã An Khê", "Thị xã An Khê"]
    com["trong_so"] = [1.0, 3.0, 1.0, 1.0]
    return com


@pytest.mark.parametrize("weight", ["area", "column", "dasymetric"])
def test_district_totals_are_spread_and_kept(tmp_path: Path, weight: str) -> None:
    (tmp_path / "huyen.csv").write_text(
        "Tên huyện,Dân số\nPleiku,40000\nAn Khe,10000\n", encoding="utf-8")
    path = _project(tmp_path, _two_districts(), district_population="huyen.csv")
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    cfg["population"] = {"district_weight": weight, "weight_column": "trong_so"}
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    prov = load_province(load_config(path))
    assert prov.population_source == f"district totals huyen.csv, spread by {weight}"
    grid = Grid(prov.dem.transform, prov.dem.crs, prov.dem.shape)
    pc = load_config(path).population
    pop = population_surface(prov.communes, grid, roads=prov.roads, dem=prov.dem,
                             district_totals=prov.district_population,
                             district_weight=pc.district_weight, weight_column=pc.weight_column)
    per = zonal_sum(commune_labels(prov.communes, grid), pop.values.astype(float), 4)
    assert per[:2].sum() == pytest.approx(40000, rel=1e-6)
    assert per[2:].sum() == pytest.approx(10000, rel=1e-6)
    if weight == "column":  # 1 : 3 in Pleiku
        assert per[1] / per[0] == pytest.approx(3.0, rel=1e-6)
    if weight == "area":  # equal squares
        assert per[0] == pytest.approx(per[1], rel=0.01)


def test_district_without_total_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "huyen.csv").write_text("Mã huyện,Dân số\n622,40000\n", encoding="utf-8")
    rep = validate_project(load_config(_project(tmp_path, _two_districts(),
                                                district_population="huyen.csv")))
    assert any("Thị xã An Khê" in p.message and "no population total" in p.message
               for p in rep.errors)


@pytest.mark.realdata
def test_real_census_spread_over_the_real_communes(real_data: Path) -> None:
    communes = read_communes(real_data / "communes.gpkg", layer="communes_clean",
                             crs="EPSG:32649")
    totals = read_district_population(real_data / "districts_2009_census.gpkg")
    assert len(totals) == 17
    assert totals["population"].sum() == 1_257_875
    for weight, column in (("area", None), ("column", "pop_src")):
        people = district_shares(communes, totals, weight=weight, weight_column=column)
        assert people.sum() == pytest.approx(1_257_875, rel=1e-9)
        # by district name: the census layer codes Ayun Pa 636, the GSO code is 624
        names = communes["district_name"].map(name_key).str.replace(
            r"^(thanh pho|thi xa|huyen) ", "", regex=True)
        by_district = pd.Series(people).groupby(names.to_numpy()).sum()
        want = totals.set_index("name_key")["population"]
        assert by_district.sort_index().to_numpy() == pytest.approx(
            want.sort_index().to_numpy(), rel=1e-9)
        assert by_district["ayun pa"] == 34_890
        # pop_src is 0 for Thị trấn Nhơn Hoà (a fault of the source): validate warns
        assert (people > 0).sum() == (222 if weight == "area" else 221)

import geopandas as gpd
import geopandas.testing
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from geotel.errors import DuplicateIdError, ValidationReport
from geotel.schema import LAYERS, normalise_operator, normalise_technologies, validate_layer


def towers(**cols):
    n = len(next(iter(cols.values())))
    return gpd.GeoDataFrame(cols, geometry=[Point(108 + i / 100, 14) for i in range(n)],
                            crs=4326, index=[10 + i for i in range(n)])


def test_defaults_filled_index_kept_input_unchanged():
    g = towers(site_id=["A", "B"], operator=["viettel", "VNPT"], height_m=["35,5", None])
    before = g.copy()
    out, rep = validate_layer(g, "towers")
    assert rep.ok
    assert list(out.index) == [10, 11]
    assert out["operator"].tolist() == ["Viettel", "VinaPhone"]
    assert out["height_m"].tolist() == [35.5, 30.0]  # decimal comma; default
    assert out["beamwidth_deg"].tolist() == [360.0, 360.0]
    assert out.crs == g.crs
    assert list(out.columns[: len(LAYERS["towers"].names)]) == LAYERS["towers"].names
    gpd.testing.assert_geodataframe_equal(g, before)


@pytest.mark.parametrize(
    ("cols", "kind", "column"),
    [
        ({"site_id": ["A"], "operator": ["Viettel"], "height_m": [250]}, "range", "height_m"),
        ({"site_id": ["A"], "operator": ["Viettel"], "height_m": ["tall"]}, "schema", "height_m"),
        ({"site_id": ["A"], "operator": ["Acme"]}, "range", "operator"),
        ({"site_id": ["A"], "operator": ["Viettel"], "freq_mhz": [1200]}, "range", "freq_mhz"),
        ({"site_id": ["A"], "operator": ["Viettel"], "technologies": ["6G"]}, "range",
         "technologies"),
        ({"operator": ["Viettel"]}, "schema", "site_id"),
    ],
)
def test_bad_values_are_reported_with_feature_and_column(cols, kind, column):
    _, rep = validate_layer(towers(**cols), "towers", source="t.csv")
    err = rep.errors[0]
    assert (err.kind, err.column, err.file) == (kind, column, "t.csv")
    assert err.fix


def test_duplicate_ids_raise_duplicate_error():
    _, rep = validate_layer(towers(site_id=["A", "A"], operator=["Viettel"] * 2), "towers")
    with pytest.raises(DuplicateIdError, match="appears 2 times"):
        rep.raise_if_errors()
    # Two sectors of one site are not duplicates.
    _, rep = validate_layer(towers(site_id=["A", "A"], sector_id=[1, 2],
                                   operator=["Viettel"] * 2), "towers")
    assert rep.ok


def test_bowtie_polygon_is_repaired_and_reported():
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    g = gpd.GeoDataFrame({"commune_code": ["23557"], "commune_name": ["x"]},
                         geometry=[bowtie], crs=32649)
    out, rep = validate_layer(g, "communes")
    assert rep.ok
    assert rep.warnings[0].kind == "geometry"
    assert out.geometry.iloc[0].is_valid
    assert out.geometry.iloc[0].area == pytest.approx(0.5)


def test_outside_study_area_and_wrong_geometry_type():
    g = gpd.GeoDataFrame({"road_id": ["r1", "r2"]},
                         geometry=[LineString([(0, 0), (1, 1)]), Point(50, 50)], crs=32649)
    _, rep = validate_layer(g, "roads", study_area=box(-1, -1, 2, 2))
    kinds = sorted(p.kind for p in rep.errors)
    assert kinds == ["geometry", "study_area"]


def test_missing_crs_is_an_error():
    g = gpd.GeoDataFrame({"zone_id": ["z"], "kind": ["airport"]}, geometry=[box(0, 0, 1, 1)])
    _, rep = validate_layer(g, "exclusion_zones")
    assert rep.errors[0].kind == "crs"


def test_report_collects_across_layers():
    rep = ValidationReport()
    validate_layer(towers(site_id=["A"], operator=["x"]), "towers", report=rep)
    g = gpd.GeoDataFrame({"zone_id": ["z"], "kind": ["zoo"]}, geometry=[box(0, 0, 1, 1)], crs=3857)
    validate_layer(g, "exclusion_zones", report=rep)
    assert len(rep.errors) == 2


def test_normalisers():
    assert normalise_operator(" MobiFone ") == "MobiFone"
    assert normalise_operator(np.nan) is None
    assert normalise_technologies("4g; 2G") == "2G,4G"
    assert normalise_technologies("2G,9G") is None

import geopandas as gpd
import geopandas.testing
import pytest

from geotel.errors import InputError
from geotel.phasing import phase_plan


def layers():
    towers = gpd.GeoDataFrame(
        {"pop_gain": [5000, 4000, 300, 2000], "total_cost_vnd": [1e9, 1e9, 1e9, 1e9],
         "backhaul_route_id": ["", "F2", "", ""]},
        geometry=gpd.points_from_xy(range(4), range(4)), crs=32649, index=[7, 8, 9, 10])
    fiber = gpd.GeoDataFrame(
        {"route_id": ["F1", "F2"], "cost_vnd": [1e9, 2e9], "communes_served": ["1,2", "3"],
         "length_km": [10.0, 30.0]},
        geometry=[None, None], crs=32649)
    return towers, fiber


def test_order_budget_and_dependency_hand_checked():
    towers, fiber = layers()
    before = towers.copy()
    p = phase_plan(towers, fiber, start_year=2020, end_year=2023,
                   tower_budget_vnd_per_year=2e9, fiber_budget_vnd_per_year=2e9,
                   total_population=100_000, base_pop_covered=50_000,
                   base_communes_with_fixed_internet=200)
    # F1 (2 communes per 1e9) first in 2020; F2 (1 per 2e9) does not fit beside it: 2021.
    assert p.fiber["phase_year"].tolist() == [2020, 2021]
    # Towers by gain per cost: 5000 (2020), 4000 waits for F2 (2021), 2000 (2020), 300 (2021).
    assert p.towers["phase_year"].tolist() == [2020, 2021, 2021, 2020]
    assert list(p.towers.index) == [7, 8, 9, 10]
    gpd.testing.assert_geodataframe_equal(towers, before)
    y = p.years.set_index("year")
    assert y.loc[2020, "pop_covered_pct_4g"] == pytest.approx(57.0)
    assert y.loc[2021, "pop_covered_pct_4g"] == pytest.approx(61.3)
    assert y.loc[2021, "communes_with_fixed_internet"] == 203
    assert y.loc[2021, "fiber_km"] == 30.0
    assert y["tower_spend_vnd"].max() <= 2e9


def test_items_beyond_the_horizon_stay_unphased():
    towers, fiber = layers()
    p = phase_plan(towers, fiber, start_year=2020, end_year=2020,
                   tower_budget_vnd_per_year=1e9, fiber_budget_vnd_per_year=1e9,
                   total_population=1e5)
    assert p.towers["phase_year"].isna().sum() == 3
    assert p.fiber["phase_year"].isna().tolist() == [False, True]


def test_bad_parameters():
    towers, fiber = layers()
    with pytest.raises(InputError, match="end_year"):
        phase_plan(towers, fiber, start_year=2025, end_year=2020, tower_budget_vnd_per_year=1,
                   fiber_budget_vnd_per_year=1, total_population=1)
    with pytest.raises(InputError, match="pop_gain"):
        phase_plan(towers.drop(columns="pop_gain"), fiber, tower_budget_vnd_per_year=1,
                   fiber_budget_vnd_per_year=1, total_population=1)

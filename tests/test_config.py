import unicodedata
from pathlib import Path

import pytest

from geotel import ConfigError, InputError, ProjectConfig, load_config


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.yml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_are_documented_values():
    cfg = ProjectConfig()
    assert cfg.analysis_crs == "EPSG:32649"
    assert cfg.coverage.thresholds_dbm == {"2G": -95.0, "3G": -95.0, "4G": -105.0}
    assert cfg.coverage.rx_height_m == 1.5
    assert (cfg.plan.start_year, cfg.plan.end_year) == (2020, 2025)


def test_paths_are_relative_to_the_config_file(tmp_path):
    p = write(tmp_path, "inputs:\n  communes: data/communes.gpkg\n  dem: [a.hgt, b.hgt]\n")
    cfg = load_config(p)
    assert cfg.inputs.communes == tmp_path / "data" / "communes.gpkg"
    assert cfg.inputs.dem == (tmp_path / "a.hgt", tmp_path / "b.hgt")
    assert cfg.source == p


def test_round_trip_through_a_plain_mapping(tmp_path):
    cfg = ProjectConfig.from_dict({"name": "x", "siting": {"new_sites": 7}})
    again = ProjectConfig.from_dict(cfg.to_dict())
    assert again == cfg


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("colour: red\n", "unknown key 'colour'"),
        ("coverage:\n  max_radius: 100\n", "unknown key 'coverage.max_radius'"),
        ("coverage:\n  max_radius_m: far\n", "'coverage.max_radius_m'"),
        ("coverage:\n  environment: jungle\n", "one of urban, suburban, open"),
        ("siting:\n  new_sites: 2.5\n", "a whole number"),
        ("fiber: 3\n", "must be a mapping"),
        ("- a\n- b\n", "top level must be a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_config_names_the_key_and_file(tmp_path, text, needle):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    assert needle in str(exc.value)
    assert str(p) in str(exc.value)
    assert "Fix:" in str(exc.value)
    assert isinstance(exc.value, InputError)
    assert isinstance(exc.value, ValueError)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yml")


@pytest.mark.parametrize(
    ("text", "key", "needle"),
    [
        ("coverage:\n  resolution_m: 0\n", "coverage.resolution_m", "must be > 0"),
        ("coverage:\n  thresholds_dbm: {4G: 105}\n", "coverage.thresholds_dbm.4G",
         "must be ≥ -150 and ≤ -40"),
        ("coverage:\n  thresholds_dbm: {6G: -100}\n", "coverage.thresholds_dbm.6G",
         "unknown technology '6G'"),
        ("coverage:\n  rx_height_m: -1.5\n", "coverage.rx_height_m", "must be > 0"),
        ("siting:\n  new_sites: -5\n", "siting.new_sites", "must be ≥ 0"),
        ("siting:\n  new_tower_height_m: 0\n", "siting.new_tower_height_m", "must be > 0"),
        ("siting:\n  budget_vnd: -1.0e9\n", "siting.budget_vnd", "must be ≥ 0"),
        ("siting:\n  time_limit_s: .inf\n", "siting.time_limit_s", "out of range"),
        ("plan:\n  tower_budget_vnd_per_year: -5\n", "plan.tower_budget_vnd_per_year",
         "must be > 0"),
        ("plan:\n  start_year: 2025\n  end_year: 2020\n", "plan.end_year",
         "is before plan.start_year"),
        ("fiber:\n  build: underground\n  cost_per_km_vnd: {aerial: 6.0e7}\n",
         "fiber.cost_per_km_vnd.underground", "no cost per km"),
        ("indicators:\n  c8_min_pop_covered_pct: 150\n", "indicators.c8_min_pop_covered_pct",
         "≤ 100"),
        ("inputs:\n  communes: .\n", "inputs.communes", "is a folder, not a file"),
    ],
)
def test_out_of_range_values_are_refused_at_load(tmp_path, text, key, needle):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    assert exc.value.column == key
    assert needle in str(exc.value)
    assert str(p) in str(exc.value)
    assert "Fix:" in str(exc.value)


def test_every_range_problem_is_listed_at_once(tmp_path):
    p = write(tmp_path, "coverage:\n  resolution_m: 0\nsiting:\n  new_sites: -5\n"
                        "plan:\n  start_year: 2025\n  end_year: 2020\n")
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    keys = {prob.column for prob in exc.value.problems}
    assert keys == {"coverage.resolution_m", "siting.new_sites", "plan.end_year"}


def test_a_key_written_twice_is_an_error(tmp_path):
    p = write(tmp_path, "siting:\n  new_sites: 10\ncoverage:\n  resolution_m: 90\n"
                        "siting:\n  budget_vnd: 1.0e9\n")
    with pytest.raises(ConfigError, match=r"the key 'siting' appears twice \(lines 1 and 5\)"):
        load_config(p)
    p = write(tmp_path, "coverage:\n  resolution_m: 90\n  resolution_m: 30\n")
    with pytest.raises(ConfigError, match="'resolution_m' appears twice"):
        load_config(p)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_config_encodings_a_province_saves(tmp_path, encoding):
    p = tmp_path / "config.yml"
    text = "name: Quy hoạch Gia Lai\ninputs:\n  communes: xã.gpkg\n"
    if encoding == "cp1258":  # Windows-1258 writes tones as combining marks
        text = unicodedata.normalize("NFD", text)
    p.write_bytes(text.encode(encoding))
    cfg = load_config(p)
    assert cfg.name == "Quy hoạch Gia Lai"
    assert cfg.inputs.communes.name == "xã.gpkg"


def test_other_encodings_are_named(tmp_path):
    p = tmp_path / "config.yml"
    p.write_bytes("name: Gia Lai\n".encode("utf-32"))
    with pytest.raises(ConfigError, match="UTF-32"):
        load_config(p)
    # TCVN3 (ABC) bytes of "Quy hoạch": not UTF-8, and not Vietnamese in cp1258 either
    p.write_bytes(b"name: Quy ho\xb9ch \xa7\xb5 \x81\x82\n")
    with pytest.raises(ConfigError, match="not UTF-8, UTF-16 or Windows-1258"):
        load_config(p)

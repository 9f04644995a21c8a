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
    assert isinstance(exc.value, InputError) and isinstance(exc.value, ValueError)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yml")

"""Every bad-input case raises exactly its error class, names a file and the row, column or
config key, says how to fix it, and writes nothing; ``geotel validate`` fails wherever
``geotel plan`` fails. Every awkward but readable input is read right, with its warning,
and planned."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from geotel.config import load_config
from geotel.errors import ConfigError, InputError
from geotel.pipeline import run_plan
from geotel.province import load_province, validate_project
from tests.badinputs import ACCEPTED, CASES, write_good_project

#: The message names a row (a line), a column or a config key (rendered as column '…').
_WHERE = re.compile(r"row \d+|line \d+|column '[^']+'")


def _listing(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*")}


def _plan(config):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # model-range and GDAL warnings of the tiny project
        return run_plan(config, progress=False)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 100
    ids = [case_id for case_id, _ in CASES + ACCEPTED]
    assert len(set(ids)) == len(ids)


def test_good_project_loads(tmp_path: Path) -> None:
    """The base project of the corpus is valid: each case fails for its own reason."""
    cfg = write_good_project(tmp_path)
    data = load_province(load_config(cfg))
    assert len(data.communes) == 4
    assert len(data.towers) == 3
    report = validate_project(load_config(cfg))
    assert report.ok, report.lines()
    assert not report.warnings, report.lines()


#: Cases that `geotel plan` once rejected only after the whole computation (or with a
#: traceback): plan is run on them too, and must stop at its first step with the error.
_PLAN_RUN = {"towers_header_only", "towers_xlsx_header_only", "no_towers_given",
             "tower_height_zero", "tower_height_half_metre", "towers_only_5g",
             "carrier_outside_the_model", "tower_on_a_dem_void", "dem_covering_half",
             "population_raster_elsewhere"}


@pytest.mark.parametrize(("case_id", "build"), CASES, ids=[c for c, _ in CASES])
def test_bad_input(case_id: str, build, tmp_path: Path) -> None:
    """The walk: validate fails on every bad case (so plan, which reads the inputs the
    same way first, never fails where validate passed); the error is of the case's class
    and its message names the file, the row, column or key, and the fix."""
    config_path, cls, text = build(tmp_path)
    before = _listing(tmp_path)
    config_error: ConfigError | None = None
    try:
        config = load_config(config_path)
    except ConfigError as exc:  # config errors are raised before there is a config
        config_error = exc
    exc_info: InputError
    if config_error is not None:
        assert cls is ConfigError, (f"{case_id}: ConfigError instead of {cls.__name__}: "
                                    f"{config_error}")
        exc_info = config_error
    else:
        report = validate_project(config)
        assert not report.ok, f"{case_id}: validate found nothing"
        assert any(text in str(p) for p in report.errors), [str(p) for p in report.errors]
        # what load_province, the plan's first step, raises from the same report
        with pytest.raises(InputError) as info:
            report.raise_if_errors()
        exc_info = info.value
        if case_id in _PLAN_RUN:
            with pytest.raises(cls) as planned:
                _plan(config)
            assert str(planned.value) == str(exc_info)
    assert type(exc_info) is cls, \
        f"{case_id}: {type(exc_info).__name__} instead of {cls.__name__}: {exc_info}"
    message = str(exc_info)
    assert text in message, message
    assert str(tmp_path) in message, f"the message names no file of the project: {message}"
    first = message.split(" Fix:")[0]  # the first problem, before its fix
    assert _WHERE.search(first), f"the message names no row, column or key: {first}"
    assert "Fix:" in message
    assert _listing(tmp_path) == before, "something was written in the project folder"


def test_load_province_raises_what_validate_reports(tmp_path: Path) -> None:
    """load_province (plan's first step) and validate_project read alike."""
    from tests._bad_towers import tower_height_zero

    config_path, cls, _ = tower_height_zero(tmp_path)
    config = load_config(config_path)
    with pytest.raises(cls) as info:
        load_province(config)
    report = validate_project(config)
    assert [str(p) for p in info.value.problems] == [str(p) for p in report.errors]


@pytest.mark.parametrize(("case_id", "build"), ACCEPTED, ids=[c for c, _ in ACCEPTED])
def test_accepted_input(case_id: str, build, tmp_path: Path) -> None:
    """Validate says OK (with the warning or note) and plan runs through: the walk's
    other half."""
    config_path, text, check = build(tmp_path)
    before = _listing(tmp_path)
    config = load_config(config_path)
    report = validate_project(config)
    assert report.ok, report.lines()
    if text:
        assert any(text in str(p) for p in report.problems), report.lines()
    plan = _plan(config)
    check(plan)
    assert plan.summary is not None
    assert _listing(tmp_path) == before, "something was written in the project folder"

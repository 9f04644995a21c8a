"""Every bad-input case raises exactly its error class, names a file, says how to fix it,
and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from geotel._errors import ConfigError
from geotel.config import load_config
from geotel.province import load_province, validate_project
from tests.badinputs import CASES, write_good_project


def _listing(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*")}


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert len({case_id for case_id, _ in CASES}) == len(CASES)


def test_good_project_loads(tmp_path: Path) -> None:
    """The base project of the corpus is valid: each case fails for its own reason."""
    cfg = write_good_project(tmp_path)
    data = load_province(load_config(cfg))
    assert len(data.communes) == 4 and len(data.towers) == 3
    assert validate_project(load_config(cfg)).ok


@pytest.mark.parametrize(("case_id", "build"), CASES, ids=[c for c, _ in CASES])
def test_bad_input(case_id: str, build, tmp_path: Path) -> None:
    config_path, cls, text = build(tmp_path)
    before = _listing(tmp_path)
    with pytest.raises(cls) as info:
        load_province(load_config(config_path))
    exc = info.value
    assert type(exc) is cls, f"{case_id}: {type(exc).__name__} instead of {cls.__name__}: {exc}"
    message = str(exc)
    assert text in message, message
    assert str(tmp_path) in message, f"the message names no file of the project: {message}"
    assert "Fix:" in message
    assert _listing(tmp_path) == before, "something was written in the project folder"
    # validate_project reports the same problem without raising (config errors are raised
    # by load_config before there is a config to validate).
    if cls is not ConfigError:
        report = validate_project(load_config(config_path))
        assert not report.ok
        assert any(text in str(p) for p in report.errors), [str(p) for p in report.errors]
        with pytest.raises(cls):
            report.raise_if_errors()
        assert _listing(tmp_path) == before


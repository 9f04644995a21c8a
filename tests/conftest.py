"""Shared fixtures. Real Gia Lai data is read in place from ../shared/data/gialai,
or from $GEOTEL_REAL_DATA. Tests that need it fail (never skip) when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def real_data_dir() -> Path:
    return Path(os.environ.get("GEOTEL_REAL_DATA", ROOT.parent / "shared" / "data" / "gialai"))


@pytest.fixture(scope="session")
def real_data() -> Path:
    """Folder of the real Gia Lai data; the test fails when it is missing."""
    d = real_data_dir()
    if not (d / "communes.gpkg").is_file():
        pytest.fail(
            f"real Gia Lai data not found in {d}; set GEOTEL_REAL_DATA to the folder holding "
            "communes.gpkg (never skipped: see README)"
        )
    return d


#: Fixtures that need a tool outside Python: real QGIS (system python3 + python3-qgis),
#: headless Chromium. Tests using them are marked ``external``.
_EXTERNAL_FIXTURES = frozenset({"system_qgis", "browser"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the markers true: ``realdata`` exactly on the tests that read the shared data
    (through the ``real_data`` fixture), ``external`` on those that need QGIS or Chromium
    (fixtures) or GDAL's command-line tools (marked by hand)."""
    wrong = []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        reads = "real_data" in fixtures
        if reads and item.get_closest_marker("realdata") is None:
            item.add_marker(pytest.mark.realdata)
        elif not reads and item.get_closest_marker("realdata") is not None:
            wrong.append(item.nodeid)
        if fixtures & _EXTERNAL_FIXTURES and item.get_closest_marker("external") is None:
            item.add_marker(pytest.mark.external)
    if wrong:
        raise pytest.UsageError("marked realdata but does not read the real data (use the "
                                "real_data fixture or drop the marker): " + ", ".join(wrong))

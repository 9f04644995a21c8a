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

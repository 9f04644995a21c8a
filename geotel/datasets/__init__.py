"""Datasets shipped with geotel: the synthetic demo province (a stand-in for Gia Lai).

See :mod:`geotel.datasets.demo`.
"""

from geotel.datasets.demo import (
    default_cache_dir,
    demo_project,
    demo_province,
    write_demo_project,
)

__all__ = ["default_cache_dir", "demo_project", "demo_province", "write_demo_project"]

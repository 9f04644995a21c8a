"""Private: read a plan folder (what ``geotel plan`` writes) for the report.

The report is built from the files only, so that ``geotel report`` can work on a folder
written earlier: ``summary.json``, ``config.yml``, ``phases.csv``, the layers of
``plan.gpkg`` (attributes only) and ``print_map.png``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio
import yaml

from geotel.config import ProjectConfig
from geotel.errors import FileFormatError

__all__ = ["PlanFolder", "is_plan_folder", "read_plan_folder"]

#: The layers the report reads.
_LAYERS = ("communes", "districts", "towers_proposed", "fiber_proposed")


@dataclass(frozen=True, eq=False)
class PlanFolder:
    """The parts of a plan folder the report uses; a missing part is None."""

    path: Path
    summary: dict[str, Any]
    config: dict[str, Any]
    phases: pd.DataFrame | None
    communes: pd.DataFrame
    districts: pd.DataFrame | None
    towers_proposed: pd.DataFrame | None
    fiber_proposed: pd.DataFrame | None
    print_map: Path | None

    def cfg(self, dotted: str) -> Any:
        """A config value (``"plan.tower_budget_vnd_per_year"``); geotel's default when
        the saved config leaves it out."""
        node: Any = self.config
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return _default(dotted)
            node = node[part]
        return node


def _default(dotted: str) -> Any:
    node: Any = ProjectConfig()
    for part in dotted.split("."):
        node = getattr(node, part, None)
    if dataclasses.is_dataclass(node):
        return dataclasses.asdict(node)  # type: ignore[arg-type]
    return node


def is_plan_folder(path: str | Path) -> bool:
    """True when ``path`` holds a plan (``summary.json`` and ``plan.gpkg``).

    Examples
    --------
    >>> import tempfile
    >>> is_plan_folder(tempfile.mkdtemp())
    False
    """
    p = Path(path)
    return (p / "summary.json").is_file() and (p / "plan.gpkg").is_file()


def read_plan_folder(path: str | os.PathLike[str]) -> PlanFolder:
    """Read what the report needs from a plan folder.

    Raises
    ------
    FileFormatError
        The folder has no ``summary.json`` or no ``plan.gpkg`` with a ``communes`` layer.
    """
    p = Path(path)
    if not is_plan_folder(p):
        missing = [n for n in ("summary.json", "plan.gpkg") if not (p / n).is_file()]
        raise FileFormatError(
            f"not a plan folder: {', '.join(missing)} missing", file=str(p),
            fix="pass the folder that `geotel plan CONFIG --out DIR` wrote, or run "
                "`geotel report CONFIG --out DIR` to run the plan first")
    try:
        summary = json.loads((p / "summary.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"summary.json is not valid UTF-8 JSON ({exc})",
                              file=str(p / "summary.json"),
                              fix="write the plan again with `geotel plan`") from exc
    cfg_path = p / "config.yml"
    config = (yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
              if cfg_path.is_file() else {})
    gpkg = p / "plan.gpkg"
    present = {str(name) for name in pyogrio.list_layers(gpkg)[:, 0]}
    if "communes" not in present:
        raise FileFormatError("plan.gpkg has no 'communes' layer", file=str(gpkg),
                              fix="write the plan again with `geotel plan`")
    layers = {name: (pyogrio.read_dataframe(gpkg, layer=name, read_geometry=False)
                     if name in present else None) for name in _LAYERS}
    phases_path = p / "phases.csv"
    phases = pd.read_csv(phases_path) if phases_path.is_file() else None
    png = p / "print_map.png"
    return PlanFolder(path=p, summary=summary, config=config, phases=phases,
                      communes=layers["communes"], districts=layers["districts"],
                      towers_proposed=layers["towers_proposed"],
                      fiber_proposed=layers["fiber_proposed"],
                      print_map=png if png.is_file() else None)


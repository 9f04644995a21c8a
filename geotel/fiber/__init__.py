"""Fiber reach and the extension plan.

- :func:`build_road_graph` / :class:`RoadGraph`: roads repaired into a routable graph;
  :func:`read_osm_roads` reads OpenStreetMap files offline.
- :func:`fiber_access_points`, :func:`fiber_reach`, :func:`commune_fiber_distance`:
  distance along roads from commune centres and candidate sites to the fiber network.
- :func:`plan_extension` / :class:`FiberPlan`: the cheapest routes (Steiner tree or
  shortest paths) connecting the target communes; layer ``fiber_proposed``.
- :func:`run_fiber` / :class:`FiberResult`: all of it for the pipeline and the CLI.
"""

from geotel.fiber._run import FiberResult, run_fiber
from geotel.fiber.graph import DEFAULT_CLASS_WEIGHTS, ROAD_CLASSES, RoadGraph, build_road_graph
from geotel.fiber.osm import OSM_HIGHWAY_CLASSES, read_osm_roads
from geotel.fiber.plan import ROUTE_COLUMNS, FiberPlan, plan_extension, select_targets
from geotel.fiber.reach import (
    REACH_CLASSES,
    FiberReach,
    commune_centres,
    commune_fiber_distance,
    fiber_access_points,
    fiber_reach,
    reach_class,
)

__all__ = [
    "DEFAULT_CLASS_WEIGHTS",
    "OSM_HIGHWAY_CLASSES",
    "REACH_CLASSES",
    "ROAD_CLASSES",
    "ROUTE_COLUMNS",
    "FiberPlan",
    "FiberReach",
    "FiberResult",
    "RoadGraph",
    "build_road_graph",
    "commune_centres",
    "commune_fiber_distance",
    "fiber_access_points",
    "fiber_reach",
    "plan_extension",
    "reach_class",
    "read_osm_roads",
    "run_fiber",
    "select_targets",
]

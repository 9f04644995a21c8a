"""BTS siting: candidate sites, coverage matrix, costs and covering solvers.

Entry point for the pipeline: :func:`run_siting`. The solvers
(:func:`maximal_covering`, :func:`set_covering`) work on any boolean coverage matrix.
"""

from geotel.siting._run import TOWERS_PROPOSED_COLUMNS, SitingRun, run_siting
from geotel.siting.candidates import candidate_sites
from geotel.siting.costs import candidate_costs, fiber_hubs, microwave_reach_km
from geotel.siting.matrix import CoverageMatrix, coverage_matrix
from geotel.siting.solve import SitingResult, maximal_covering, set_covering

__all__ = [
    "TOWERS_PROPOSED_COLUMNS",
    "CoverageMatrix",
    "SitingResult",
    "SitingRun",
    "candidate_costs",
    "candidate_sites",
    "coverage_matrix",
    "fiber_hubs",
    "maximal_covering",
    "microwave_reach_km",
    "run_siting",
    "set_covering",
]

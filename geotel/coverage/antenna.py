"""Sector antenna pattern: 3GPP TR 36.814 horizontal and vertical cuts.

``A_H(φ) = -min(12 (φ / φ_3dB)^2, A_m)``, ``A_V(θ) = -min(12 ((θ - tilt) / θ_3dB)^2, SLA_V)``
and ``A(φ, θ) = -min(-(A_H + A_V), A_m)``, in dB relative to boresight. ``A_m`` is the
front-to-back ratio. An omnidirectional sector (beamwidth 360°) has no horizontal
term. The tower's ``eirp_dbm`` is the boresight EIRP, so the received power is
``eirp_dbm + A(φ, θ) - path loss``.

Examples
--------
>>> float(antenna_gain_db(0.0, 2.0, beamwidth_deg=65.0, tilt_deg=2.0))
0.0
>>> round(float(antenna_gain_db(65 / 2, 2.0, beamwidth_deg=65.0, tilt_deg=2.0)), 1)
-3.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from geotel.errors import ValueRangeError

__all__ = ["AntennaPattern", "antenna_gain_db"]


@dataclass(frozen=True)
class AntennaPattern:
    """Pattern parameters shared by every sector (3GPP TR 36.814 macro defaults).

    Parameters
    ----------
    front_to_back_db
        ``A_m``: attenuation behind the antenna and the floor of the pattern.
    vertical_beamwidth_deg
        ``θ_3dB`` of the vertical cut.
    side_lobe_db
        ``SLA_V``: floor of the vertical cut.
    """

    front_to_back_db: float = 25.0
    vertical_beamwidth_deg: float = 10.0
    side_lobe_db: float = 20.0

    def __post_init__(self) -> None:
        if not (self.front_to_back_db > 0 and self.vertical_beamwidth_deg > 0
                and self.side_lobe_db > 0):
            raise ValueRangeError("antenna pattern parameters must be positive",
                                  column="front_to_back_db",
                                  fix="e.g. AntennaPattern(25.0, 10.0, 20.0)")


def antenna_gain_db(
    azimuth_offset_deg: ArrayLike,
    elevation_deg: ArrayLike,
    *,
    beamwidth_deg: float,
    tilt_deg: float,
    pattern: AntennaPattern = AntennaPattern(),
) -> np.ndarray:
    """Antenna gain relative to boresight (dB, ≤ 0).

    Parameters
    ----------
    azimuth_offset_deg
        Bearing to the receiver minus the sector azimuth (any range; wrapped).
    elevation_deg
        Angle *below* the horizontal from the antenna to the receiver.
    beamwidth_deg
        Horizontal half-power beamwidth; 360 = omnidirectional.
    tilt_deg
        Downtilt (positive = down).
    pattern
        Front-to-back ratio and vertical cut.

    Examples
    --------
    >>> antenna_gain_db([0, 180], 0.0, beamwidth_deg=65.0, tilt_deg=0.0).tolist()
    [0.0, -25.0]
    >>> float(antenna_gain_db(90.0, 0.0, beamwidth_deg=360.0, tilt_deg=0.0))
    0.0
    """
    phi = (np.asarray(azimuth_offset_deg, dtype=float) + 180.0) % 360.0 - 180.0
    theta = np.asarray(elevation_deg, dtype=float)
    a_m = pattern.front_to_back_db
    if beamwidth_deg < 360.0:
        a_h = np.minimum(12.0 * (phi / beamwidth_deg) ** 2, a_m)
    else:
        a_h = np.zeros_like(phi)
    a_v = np.minimum(12.0 * ((theta - tilt_deg) / pattern.vertical_beamwidth_deg) ** 2,
                     pattern.side_lobe_db)
    return -np.minimum(a_h + a_v, a_m) + 0.0

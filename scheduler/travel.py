"""Travel times between two places, by way of travelling.

A roster counts travel between two sites as working time, and many shared employees have no
car, so the time must look like what a person would really spend: the great-circle distance
stretched by a detour factor (roads and bus lines do not go straight), covered at an average
speed for the mode, plus a fixed overhead (parking and walking to the door, waiting for the
bus). Figures are for a rural or peri-urban French territory, not a city.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from scheduler.scenario.schema import TravelMode

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)

# Below this distance two points are the same place: sites of one building, a home next door.
SAME_PLACE_KM = 0.01


class Located(Protocol):
    """Anything with coordinates in decimal degrees: a scenario ``Place``, a site, a town."""

    @property
    def latitude(self) -> float: ...

    @property
    def longitude(self) -> float: ...


@dataclass(frozen=True)
class ModeProfile:
    """How one way of travelling turns a straight-line distance into minutes."""

    detour: float  # network distance / great-circle distance
    speed_kmh: float  # average door-to-door speed once moving
    fixed_minutes: float  # paid once per trip, whatever the distance


# Car: 45 km/h averages country roads, town centres and roundabouts; 5 min to park and walk.
# Public transport: rural coaches and TER average ~25 km/h with indirect lines, and the
# wait plus the walk to the stop costs ~12 min. Bike and walk follow smaller roads and paths.
PROFILES: dict[TravelMode, ModeProfile] = {
    TravelMode.car: ModeProfile(detour=1.3, speed_kmh=45.0, fixed_minutes=5.0),
    TravelMode.public_transport: ModeProfile(detour=1.4, speed_kmh=25.0, fixed_minutes=12.0),
    TravelMode.bike: ModeProfile(detour=1.25, speed_kmh=15.0, fixed_minutes=2.0),
    TravelMode.walk: ModeProfile(detour=1.2, speed_kmh=4.5, fixed_minutes=0.0),
}


def distance_km(a: Located, b: Located) -> float:
    """Great-circle (haversine) distance in kilometres."""
    lat_a, lat_b = math.radians(a.latitude), math.radians(b.latitude)
    d_lat = lat_b - lat_a
    d_lon = math.radians(b.longitude - a.longitude)
    # Squares and a commutative product keep the formula exactly symmetric in a and b.
    h = math.sin(d_lat / 2) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin(d_lon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def minutes_for_distance(km: float, mode: TravelMode) -> int:
    """Whole minutes (rounded up) to cover a straight-line distance; 0 for the same place."""
    if km < SAME_PLACE_KM:
        return 0
    profile = PROFILES[TravelMode(mode)]
    minutes = profile.fixed_minutes + km * profile.detour / profile.speed_kmh * 60
    # The small tolerance keeps 12.000000001 (float noise) at 12 rather than 13.
    return max(1, math.ceil(minutes - 1e-9))


def travel_minutes(a: Located, b: Located, mode: TravelMode) -> int:
    """Minutes to go from ``a`` to ``b`` by ``mode``; symmetric, 0 for the same place."""
    return minutes_for_distance(distance_km(a, b), mode)


def travel_matrix(places: Sequence[Located], mode: TravelMode) -> list[list[int]]:
    """Minutes between every pair of ``places`` (row = from, column = to), for one mode."""
    size = len(places)
    matrix = [[0] * size for _ in range(size)]
    for i in range(size):
        for j in range(i + 1, size):
            matrix[i][j] = matrix[j][i] = travel_minutes(places[i], places[j], mode)
    return matrix

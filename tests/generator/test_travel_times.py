"""Travel times look like what a person would spend, whatever their way of travelling."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.scenario.schema import Place, TravelMode
from scheduler.travel import distance_km, travel_matrix, travel_minutes


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


VALLIERE = Point(47.06, -0.88)
KM_PER_DEGREE_LATITUDE = 111.2


def north_of(origin: Point, km: float) -> Point:
    return Point(origin.latitude + km / KM_PER_DEGREE_LATITUDE, origin.longitude)


points = st.builds(
    Point,
    latitude=st.floats(46.5, 47.5, allow_nan=False),
    longitude=st.floats(-1.5, -0.3, allow_nan=False),
)


@settings(max_examples=200)
@given(a=points, b=points, mode=st.sampled_from(TravelMode))
def test_travel_time_is_the_same_both_ways(a: Point, b: Point, mode: TravelMode) -> None:
    assert travel_minutes(a, b, mode) == travel_minutes(b, a, mode)


@pytest.mark.parametrize("mode", list(TravelMode))
def test_no_travel_to_the_same_place(mode: TravelMode) -> None:
    assert travel_minutes(VALLIERE, VALLIERE, mode) == 0


@pytest.mark.parametrize("km", [2.1, 5, 12, 30])
def test_car_beats_walking_beyond_two_km(km: float) -> None:
    there = north_of(VALLIERE, km)
    assert travel_minutes(VALLIERE, there, TravelMode.car) < travel_minutes(
        VALLIERE, there, TravelMode.walk
    )


@pytest.mark.parametrize("mode", list(TravelMode))
def test_farther_never_takes_less_time(mode: TravelMode) -> None:
    minutes = [travel_minutes(VALLIERE, north_of(VALLIERE, km / 4), mode) for km in range(200)]
    assert minutes == sorted(minutes)


def test_a_rural_trip_takes_a_plausible_time() -> None:
    # 20 km as the crow flies: about 40 min by car, well over an hour by coach.
    there = north_of(VALLIERE, 20)
    assert 30 <= travel_minutes(VALLIERE, there, TravelMode.car) <= 45
    assert 60 <= travel_minutes(VALLIERE, there, TravelMode.public_transport) <= 90
    assert travel_minutes(VALLIERE, there, TravelMode.walk) > 5 * 60


def test_haversine_distance_matches_a_known_value() -> None:
    # One degree of latitude is about 111.2 km anywhere.
    assert distance_km(Point(47.0, -0.9), Point(48.0, -0.9)) == pytest.approx(111.2, abs=0.2)


def test_matrix_is_symmetric_with_a_zero_diagonal() -> None:
    places = [
        Place(address="Mairie, 49300 Vallière", latitude=47.06, longitude=-0.88),
        Place(address="ZA des Landes, 49310 Mauzé", latitude=47.0, longitude=-0.77),
        Place(address="Lieu-dit La Noue", latitude=47.12, longitude=-1.0),
    ]
    matrix = travel_matrix(places, TravelMode.bike)
    assert [matrix[i][i] for i in range(3)] == [0, 0, 0]
    assert all(matrix[i][j] == matrix[j][i] for i in range(3) for j in range(3))
    assert matrix[0][1] == travel_minutes(places[0], places[1], TravelMode.bike)

"""The map: invented towns of the Mauges–Bocage border, places near them, postal addresses.

Towns are invented but sit where towns of that countryside would: a town of ~38,000 people
in the middle, bourgs of 1,000–6,000 within 20 km. The XL network adds three more pays
(areas) 40–60 km away, each around its own small town.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

from scheduler.scenario.schema import Place

# The centre of the Vallière area; offsets below are kilometres east (x) and north (y).
CENTRE_LATITUDE = 47.06
CENTRE_LONGITUDE = -0.88
_KM_PER_DEGREE_LATITUDE = 111.2
_KM_PER_DEGREE_LONGITUDE = 111.32 * math.cos(math.radians(CENTRE_LATITUDE))


@dataclass(frozen=True)
class Town:
    name: str
    postcode: str
    x_km: float
    y_km: float
    population: int
    area: int

    @property
    def latitude(self) -> float:
        return CENTRE_LATITUDE + self.y_km / _KM_PER_DEGREE_LATITUDE

    @property
    def longitude(self) -> float:
        return CENTRE_LONGITUDE + self.x_km / _KM_PER_DEGREE_LONGITUDE


def _towns(area: int, rows: list[tuple[str, str, float, float, int]]) -> list[Town]:
    return [Town(name, code, x, y, people, area) for name, code, x, y, people in rows]


TOWNS: tuple[Town, ...] = (
    *_towns(
        0,
        [
            ("Vallière", "49300", 0.0, 0.0, 38000),
            ("Mauzé-sur-Moine", "49310", 8.0, -7.0, 6100),
            ("Saint-Aubin-des-Landes", "49340", -9.0, 6.0, 4200),
            ("Trémont-sur-Èvre", "49360", 12.0, 9.0, 3400),
            ("Maulévrier-la-Haute", "49301", -2.0, 8.5, 3200),
            ("Bégrolles-la-Forêt", "49122", -14.0, -4.0, 3100),
            ("Saint-Léger-des-Prés", "49280", 5.0, 15.0, 2700),
            ("Montfaucon-la-Lande", "49230", -17.0, 11.0, 2500),
            ("Le Puy-Saint-Martin", "49302", -4.0, -12.0, 2300),
            ("Villedieu-le-Moulin", "49450", 18.0, 2.0, 2200),
            ("Les Cerqueux-sur-Sèvre", "49303", 15.0, -14.0, 1900),
            ("Yzernay-les-Bois", "49304", -12.0, -16.0, 1700),
            ("Nuaillé-sur-Èvre", "49305", 10.0, 4.0, 1500),
            ("Somloire-en-Mauges", "49306", 3.0, -18.0, 1300),
        ],
    ),
    *_towns(
        1,
        [
            ("Saint-Florent-les-Rives", "49410", -45.0, 28.0, 14000),
            ("La Pommeraie-sur-Loire", "49411", -38.0, 36.0, 2600),
            ("Botz-en-Mauges", "49412", -54.0, 22.0, 2100),
            ("Le Marillais-Saint-Jean", "49413", -47.0, 40.0, 1800),
            ("Chaudron-la-Vallée", "49414", -36.0, 20.0, 3300),
            ("Montjean-les-Coteaux", "49415", -58.0, 33.0, 2900),
        ],
    ),
    *_towns(
        2,
        [
            ("Chantemerle-sur-Sèvre", "79300", 28.0, -42.0, 12000),
            ("Noirterre-la-Plaine", "79301", 36.0, -36.0, 1700),
            ("Cirières-les-Bois", "79302", 20.0, -50.0, 2400),
            ("Boismé-le-Château", "79303", 38.0, -49.0, 1500),
            ("Terves-la-Fontaine", "79304", 31.0, -32.0, 2900),
            ("Clessé-en-Gâtine", "79305", 24.0, -56.0, 1200),
        ],
    ),
    *_towns(
        3,
        [
            ("Montreuil-Bellevue", "49700", 46.0, 24.0, 11000),
            ("Doué-les-Fontaines", "49701", 54.0, 17.0, 3800),
            ("Vihiers-la-Croix", "49702", 38.0, 16.0, 4300),
            ("Coutures-sur-Layon", "49703", 50.0, 33.0, 1600),
            ("Saint-Lambert-des-Vignes", "49704", 58.0, 28.0, 2000),
            ("Nueil-en-Layon", "49705", 42.0, 31.0, 1400),
        ],
    ),
)

AREAS = {
    0: "Pays de Vallière",
    1: "Pays de Saint-Florent",
    2: "Pays de Chantemerle",
    3: "Pays de Montreuil-Bellevue",
}


def area_towns(area: int) -> list[Town]:
    """The towns of one area, biggest (the area's centre) first."""
    return [town for town in TOWNS if town.area == area]


def pick_town(rng: random.Random, towns: list[Town], pull: float = 1.0) -> Town:
    """A town drawn by population; ``pull`` < 1 favours villages (people live in bourgs)."""
    return rng.choices(towns, weights=[town.population**pull for town in towns])[0]


_RESIDENTIAL = (
    "rue des Lilas",
    "rue Victor Hugo",
    "allée des Tilleuls",
    "rue de la Gare",
    "impasse des Pinsons",
    "rue du Stade",
    "chemin de la Fontaine",
    "rue Pasteur",
    "rue Jean Jaurès",
    "rue du Moulin",
    "avenue de la Libération",
    "rue Saint-Martin",
    "rue des Vignes",
    "rue des Rosiers",
    "rue du Général de Gaulle",
    "rue des Mésanges",
    "rue de la Poste",
    "rue du Bocage",
    "allée des Châtaigniers",
    "rue Jules Ferry",
)
_BUSINESS = (
    "ZA des Landes",
    "ZI de la Bergerie",
    "parc d'activités du Val d'Èvre",
    "rue de l'Industrie",
    "rue des Artisans",
    "avenue de l'Europe",
    "ZA de la Croix Verte",
    "rue Denis Papin",
    "rue Gustave Eiffel",
)
_PUBLIC = (
    "place de la Mairie",
    "rue de l'Église",
    "rue des Écoles",
    "place du Marché",
    "rue du Château",
    "place de la République",
)
_RURAL = (
    "La Noue",
    "Le Grand Champ",
    "La Brosse",
    "Les Hautes Rivières",
    "La Gagnerie",
    "Le Bois Joly",
    "La Métairie",
    "Les Prés Neufs",
)

StreetKind = Literal["residential", "business", "public", "rural"]


def address(rng: random.Random, town: Town, kind: StreetKind = "residential") -> str:
    """A plausible postal address in ``town``, in a street of the given kind."""
    if kind == "rural":
        return f"Lieu-dit {rng.choice(_RURAL)}, {town.postcode} {town.name}"
    streets = {"residential": _RESIDENTIAL, "business": _BUSINESS, "public": _PUBLIC}[kind]
    number = rng.randint(1, 9) if kind == "public" else rng.randint(1, 120)
    return f"{number} {rng.choice(streets)}, {town.postcode} {town.name}"


def place_near(
    rng: random.Random, town: Town, kind: StreetKind = "residential", spread: float = 1.0
) -> Place:
    """A place around ``town``: bigger towns spread wider, farms sit out in the fields."""
    sigma_km = spread * (0.5 + 1.5 * math.sqrt(town.population / 38000))
    if kind == "rural":
        sigma_km += 2.0
    x = town.x_km + rng.gauss(0.0, sigma_km)
    y = town.y_km + rng.gauss(0.0, sigma_km)
    return Place(
        address=address(rng, town, kind),
        # Five decimals is about a metre: enough, and it keeps files short and stable.
        latitude=round(CENTRE_LATITUDE + y / _KM_PER_DEGREE_LATITUDE, 5),
        longitude=round(CENTRE_LONGITUDE + x / _KM_PER_DEGREE_LONGITUDE, 5),
    )


def _luhn_complete(digits: str) -> str:
    """``digits`` plus the check digit that makes the whole string pass Luhn's test."""
    for check in "0123456789":
        candidate = digits + check
        total = 0
        for position, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable: one check digit always fits")


def siret(rng: random.Random, public_body: bool = False) -> str:
    """A well-formed SIRET: a SIREN (Luhn) and an establishment number, Luhn over all 14."""
    # Communes' SIREN numbers start with 21, companies' and associations' with 3–9.
    head = "21" + str(rng.randint(0, 9)) if public_body else str(rng.randint(3, 9)) + "0"
    siren = _luhn_complete(head + "".join(str(rng.randint(0, 9)) for _ in range(8 - len(head))))
    return _luhn_complete(siren + f"{rng.randint(1, 30):04d}")

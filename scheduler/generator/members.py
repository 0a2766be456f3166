"""Members (*adhérents*) by sector: their names, sites, size and the trades they ask for."""

from __future__ import annotations

import random
from dataclasses import dataclass

from scheduler.generator import names
from scheduler.generator.sizes import Profile
from scheduler.generator.territory import StreetKind, Town, pick_town, place_near, siret
from scheduler.scenario.schema import Member, Site


@dataclass(frozen=True)
class Sector:
    id: str
    weight: float
    trades: tuple[tuple[str, float], ...]  # trade id and how much of the demand it makes
    names: tuple[str, ...]  # templates: {surname}, {town}, {word}
    words: tuple[str, ...]
    site_names: tuple[str, ...]  # the first is the main site
    street: StreetKind
    public_body: bool = False
    sites: tuple[float, float, float] = (0.75, 0.2, 0.05)  # chance of 1, 2 or 3 sites


_BUSINESS_WORDS = ("de l'Èvre", "du Bocage", "des Mauges", "de l'Ouest", "Vallière", "Sèvre")

SECTORS: dict[Profile, tuple[Sector, ...]] = {
    Profile.ge_market: (
        Sector(
            "industry",
            3.0,
            (("maintenance", 3), ("cleaning", 3), ("logistics", 3), ("admin", 2)),
            (
                "Ateliers {surname}",
                "{surname} Industrie",
                "Plasturgie {word}",
                "Mécanique {surname} et Fils",
                "Chaussures {surname}",
                "Textiles {word}",
            ),
            _BUSINESS_WORDS,
            ("Usine", "Entrepôt", "Atelier de finition"),
            "business",
        ),
        Sector(
            "retail",
            2.0,
            (("admin", 2), ("logistics", 2), ("cleaning", 2)),
            (
                "Jardinerie {word}",
                "Maison {surname}",
                "Bricolage {surname}",
                "Cave {surname}",
                "Boulangerie {surname}",
                "Quincaillerie {surname}",
            ),
            _BUSINESS_WORDS,
            ("Magasin", "Dépôt", "Second magasin"),
            "residential",
        ),
        Sector(
            "hospitality",
            2.0,
            (("catering", 4), ("cleaning", 2)),
            ("Restaurant {word}", "Hôtel {word}", "Traiteur {surname}", "Auberge {word}"),
            (
                "Le Relais de l'Èvre",
                "La Table du Moulin",
                "Le Lion d'Or",
                "Les Voyageurs",
                "La Grange",
                "Le Cheval Blanc",
                "Le Commerce",
                "La Boule d'Or",
            ),
            ("Salle", "Laboratoire traiteur", "Seconde salle"),
            "residential",
        ),
        Sector(
            "farm",
            2.0,
            (("market_gardening", 5), ("logistics", 1)),
            ("EARL {surname}", "GAEC {word}", "Les Jardins de {town}", "SCEA {word}"),
            (
                "des Trois Chênes",
                "de la Noue",
                "du Grand Champ",
                "des Prés Neufs",
                "de la Fontaine",
                "du Bois Joly",
            ),
            ("Exploitation", "Serres", "Point de vente"),
            "rural",
        ),
        Sector(
            "office",
            2.0,
            (("admin", 5), ("cleaning", 1)),
            (
                "Cabinet {surname} Expertise",
                "{surname} & Associés",
                "Étude notariale {surname}",
                "Agence immobilière {word}",
                "Cabinet d'architecture {surname}",
            ),
            _BUSINESS_WORDS,
            ("Bureaux", "Agence", "Annexe"),
            "residential",
        ),
        Sector(
            "transport",
            1.5,
            (("logistics", 4), ("maintenance", 2), ("admin", 1)),
            ("Transports {surname}", "Logistique {word}", "{surname} Distribution"),
            _BUSINESS_WORDS,
            ("Plateforme", "Atelier", "Quai de transit"),
            "business",
        ),
        Sector(
            "builder",
            1.0,
            (("construction", 4), ("admin", 1)),
            ("{surname} Bâtiment", "SARL {surname} Rénovation", "{surname} Habitat"),
            _BUSINESS_WORDS,
            ("Dépôt", "Showroom"),
            "business",
        ),
    ),
    Profile.ge_non_profit: (
        Sector(
            "commune",
            3.0,
            (("childcare", 3), ("catering", 2), ("cleaning", 2), ("maintenance", 2), ("admin", 2)),
            ("Mairie de {town}",),
            (),
            (
                "Mairie",
                "École publique",
                "Restaurant scolaire",
                "Salle des fêtes",
                "Services techniques",
            ),
            "public",
            public_body=True,
            sites=(0.2, 0.4, 0.4),
        ),
        Sector(
            "association",
            3.0,
            (("admin", 3), ("childcare", 2), ("cleaning", 1)),
            (
                "Familles Rurales de {town}",
                "Centre social {word}",
                "ADMR de {town}",
                "Foyer de jeunes travailleurs {word}",
                "Club sportif de {town}",
                "École de musique de {town}",
                "Comité des fêtes de {town}",
                "Amicale laïque de {town}",
                "Centre de loisirs de {town}",
                "Aide à domicile de {town}",
                "Maison des jeunes de {town}",
                "Bibliothèque de {town}",
                "Office de tourisme de {town}",
            ),
            ("Les Trois Rivières", "du Bocage", "Le Lien", "Mosaïque", "L'Escale"),
            ("Local associatif", "Salle d'activités", "Antenne"),
            "residential",
        ),
        Sector(
            "nursing_home",
            1.5,
            (("catering", 3), ("cleaning", 3), ("maintenance", 1)),
            ("EHPAD {word}", "Résidence {word}"),
            (
                "Les Glycines",
                "Les Tilleuls",
                "Le Clos Fleuri",
                "Les Hortensias",
                "La Source",
                "Les Charmilles",
            ),
            ("Résidence", "Unité protégée"),
            "residential",
        ),
        Sector(
            "nursery",
            1.5,
            (("childcare", 4), ("cleaning", 1), ("catering", 1)),
            ("Multi-accueil {word}", "Crèche {word}", "Micro-crèche {word}"),
            (
                "Les Petits Loups",
                "Les Lucioles",
                "Pirouette",
                "Les Pitchouns",
                "Graine d'Éveil",
                "Les Câlins",
                "Les Marmousets",
            ),
            ("Crèche", "Micro-crèche"),
            "residential",
        ),
    ),
    Profile.geiq_construction: (
        Sector(
            "builder",
            1.0,
            (("construction", 1),),
            (
                "{surname} Bâtiment",
                "SARL {surname} Maçonnerie",
                "{surname} Électricité",
                "Plomberie {surname}",
                "Menuiserie {surname}",
                "Peinture {surname} et Fils",
                "{surname} Constructions",
                "Entreprise {surname}",
            ),
            _BUSINESS_WORDS,
            ("Dépôt", "Atelier"),
            "business",
        ),
    ),
    Profile.geiq_cross_sector: (
        Sector(
            "warehouse",
            2.0,
            (("logistics", 1),),
            ("Plateforme logistique {word}", "Transports {surname}", "Entrepôts {word}"),
            _BUSINESS_WORDS,
            ("Plateforme", "Entrepôt"),
            "business",
        ),
        Sector(
            "central_kitchen",
            1.5,
            (("catering", 1),),
            ("Restauration collective {word}", "Cuisine centrale de {town}"),
            _BUSINESS_WORDS,
            ("Cuisine centrale",),
            "business",
        ),
        Sector(
            "cleaning_company",
            1.5,
            (("cleaning", 1),),
            ("Propreté {word}", "{surname} Nettoyage", "Multiservices {word}"),
            _BUSINESS_WORDS,
            ("Agence",),
            "business",
        ),
        Sector(
            "factory",
            1.0,
            (("maintenance", 2), ("logistics", 1)),
            ("Ateliers {surname}", "{surname} Industrie", "Agroalimentaire {word}"),
            _BUSINESS_WORDS,
            ("Usine",),
            "business",
        ),
        Sector(
            "farm",
            1.0,
            (("market_gardening", 1),),
            ("EARL {surname}", "GAEC {word}", "Les Jardins de {town}"),
            ("des Trois Chênes", "de la Noue", "du Grand Champ", "des Prés Neufs"),
            ("Exploitation",),
            "rural",
        ),
    ),
}


@dataclass(frozen=True)
class MemberPlan:
    """A generated member and what the generator keeps knowing about it."""

    member: Member
    sector: Sector
    town: Town
    size: float  # relative weight of the member's demand

    @property
    def trades(self) -> dict[str, float]:
        return dict(self.sector.trades)


def _member_name(rng: random.Random, sector: Sector, town: Town, used: set[str]) -> str | None:
    """A name not yet used in the territory, or None for a public body already there."""
    name = ""
    for _ in range(20):
        template = rng.choice(sector.names)
        name = template.format(
            surname=names.last_name(rng),
            town=town.name,
            word=rng.choice(sector.words) if sector.words else "",
        )
        if name not in used:
            used.add(name)
            return name
    if sector.public_body:
        return None  # a town has one town hall: the caller draws another sector
    # Dense XL areas exhaust the templates; a numbered branch keeps names unique.
    number = 2
    while f"{name} ({number})" in used:
        number += 1
    used.add(f"{name} ({number})")
    return f"{name} ({number})"


def make_members(
    rng: random.Random,
    group_id: str,
    profile: Profile,
    count: int,
    towns: list[Town],
    used_names: set[str],
) -> list[MemberPlan]:
    """``count`` members of one group, spread over ``towns``; names unique in the territory."""
    sectors = SECTORS[profile]
    plans: list[MemberPlan] = []
    for index in range(1, count + 1):
        member_id = f"{group_id}-m{index:03d}"
        name = None
        while name is None:
            sector = rng.choices(sectors, weights=[s.weight for s in sectors])[0]
            # Businesses gather in the bigger towns; communes exist once in each town.
            town = pick_town(rng, towns, pull=0.3 if sector.public_body else 0.8)
            name = _member_name(rng, sector, town, used_names)
        site_count = rng.choices((1, 2, 3), weights=sector.sites)[0]
        sites = []
        for number in range(1, site_count + 1):
            label = sector.site_names[min(number - 1, len(sector.site_names) - 1)]
            # A second site is often in a neighbouring bourg (an annex, a second shop).
            where = town if number == 1 or rng.random() < 0.5 else pick_town(rng, towns, 0.5)
            sites.append(
                Site(
                    id=f"{member_id}-s{number}",
                    name=label if where is town else f"{label} de {where.name}",
                    place=place_near(rng, where, sector.street, spread=0.6),
                )
            )
        plans.append(
            MemberPlan(
                member=Member(
                    id=member_id,
                    name=name,
                    siret=siret(rng, public_body=sector.public_body),
                    sites=sites,
                ),
                sector=sector,
                town=town,
                # Skewed: a few large members use several shared employees, most use one or two.
                size=rng.lognormvariate(0.0, 1.1),
            )
        )
    return plans

"""French first and last names, drawn by generation so a 58-year-old is not called Nolan."""

from __future__ import annotations

import random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_OLDER = _words(
    "Nathalie Sylvie Isabelle Catherine Martine Christine Sandrine Véronique Valérie Brigitte "
    "Patricia Corinne Françoise Chantal Pascale Laurence Muriel Karine Hélène Dominique "
    "Philippe Patrick Pascal Thierry Christophe Laurent Éric Frédéric Stéphane Jean-Luc Didier "
    "Olivier Bruno Alain Gilles Hervé Jean-Pierre Franck Joël Yves"
)
_MIDDLE = _words(
    "Aurélie Émilie Julie Céline Stéphanie Élodie Audrey Virginie Caroline Anne-Sophie Marion "
    "Laetitia Mélanie Amandine Sophie Vanessa Fatima Samia Claire Jessica Sébastien Nicolas "
    "Julien Mickaël Jérôme Anthony Guillaume Cédric Romain Yannick David Mathieu Vincent Damien "
    "Grégory Ludovic Karim Mohamed Benoît Arnaud"
)
_YOUNGER = _words(
    "Léa Manon Chloé Camille Inès Emma Sarah Clara Lucie Jade Océane Lina Maëlys Anaïs Louise "
    "Zoé Yasmine Eva Romane Lola Lucas Hugo Théo Nathan Enzo Mathis Louis Tom Nolan Clément "
    "Maxime Kylian Yanis Baptiste Axel Noah Ethan Rayan Quentin Adam"
)
LAST_NAMES = _words(
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand "
    "Gauthier Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Masson Marchand Duval "
    "Denis Dumont Lemaire Noël Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet "
    "Gaillard Barbier Arnaud Gérard Roche Renard Roy Leroux Colin Caron Picard Roger Aubert "
    "Lemoine Renaud Dumas Lacroix Olivier Bourgeois Pierre Benoît Rolland Guillaume Lecomte "
    "Dupuy Guillot Hubert Berger Carpentier Dupuis Moulin Deschamps Huet Boucher Fleury Royer "
    "Jacquet Adam Poirier Marty Aubry Guyot Carré Charpentier Ménard Maillard Baron Bertin "
    "Bailly Hervé Collet Léger Bouvier Prévost Millet Perrot Germain Breton Besson Langlois "
    "Pelletier Lebrun Hamon Boulanger Jacob Monnier Michaud Gillet Tessier Chauvin Bouchet "
    "Humbert Cordier Pichon Lejeune Lamy Delaunay Pasquier Laporte Ferreira Mendes Diallo "
    "Traoré Nguyen Benali Haddad Kaya Da_Silva Le_Gall Le_Goff Ogier Grimaud Chupin Bréchet "
    "Onillon Cesbron Gourdon"
)


def first_name(rng: random.Random, birth_year: int) -> str:
    """A first name common for people born around ``birth_year``."""
    pool = _OLDER if birth_year < 1975 else _MIDDLE if birth_year < 1995 else _YOUNGER
    return rng.choice(pool)


def last_name(rng: random.Random) -> str:
    # Underscores keep multi-word names ("Da Silva") single tokens in the table above.
    return rng.choice(LAST_NAMES).replace("_", " ")


def full_name(rng: random.Random, birth_year: int) -> str:
    return f"{first_name(rng, birth_year)} {last_name(rng)}"

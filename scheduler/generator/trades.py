"""The trades of the territory, their skills (French labels) and the hours each trade keeps.

Hours follow the trades: office cleaning before and after office hours, school catering around
lunch, childcare around school hours, building sites from 07:30, market gardening mornings.
No generated block is longer than 6 h: a longer one would need the legal 20-minute break
inside it (L3121-16), which a fixed block cannot give.
"""

from __future__ import annotations

from dataclasses import dataclass

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)  # Weekday.index order
WEEKDAYS = (MON, TUE, WED, THU, FRI)
SCHOOL_DAYS = (MON, TUE, THU, FRI)  # French primary schools close on Wednesdays


def hm(clock: str) -> int:
    """Minutes since midnight of ``HH:MM``."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class Shift:
    """A kind of block a member asks for in a trade, e.g. early-morning office cleaning."""

    days: tuple[int, ...]
    starts: tuple[int, ...]  # possible start times, minutes since midnight
    latest_end: int
    min_hours: float
    max_hours: float


@dataclass(frozen=True)
class QuotaPattern:
    """Windows a member offers for a weekly quota of hours, with its block lengths."""

    days: tuple[int, ...]
    windows: tuple[tuple[int, int], ...]  # per day, minutes since midnight
    min_hours: float
    max_hours: float


@dataclass(frozen=True)
class Trade:
    id: str
    label: str
    skills: tuple[tuple[str, str], ...]  # (id, French label), the most common first
    shifts: tuple[Shift, ...]
    quota: QuotaPattern
    quota_share: float  # how often a need of this trade is a quota rather than fixed blocks
    envelope: tuple[int, int]  # the widest day a worker of the trade makes themself available
    work_days: tuple[int, ...]
    teams: bool  # whether members ask for two or three people at once
    priorities: tuple[float, float, float]  # weights of priority 1, 2, 3

    @property
    def skill_ids(self) -> tuple[str, ...]:
        return tuple(skill for skill, _ in self.skills)


def _shift(days: tuple[int, ...], starts: str, latest_end: str, low: float, high: float) -> Shift:
    return Shift(days, tuple(hm(s) for s in starts.split()), hm(latest_end), low, high)


def _quota(days: tuple[int, ...], windows: str, low: float, high: float) -> QuotaPattern:
    spans = tuple((hm(w.split("-")[0]), hm(w.split("-")[1])) for w in windows.split())
    return QuotaPattern(days, spans, low, high)


TRADES: tuple[Trade, ...] = (
    Trade(
        id="cleaning",
        label="Propreté et nettoyage",
        skills=(
            ("nettoyage-locaux", "Nettoyage de locaux"),
            ("nettoyage-industriel", "Nettoyage industriel"),
            ("vitrerie", "Vitrerie"),
        ),
        shifts=(
            _shift((*WEEKDAYS, SAT), "06:00 06:30 07:00", "10:30", 1.5, 4.0),
            _shift(WEEKDAYS, "17:00 17:30 18:00 18:30", "21:30", 1.5, 3.5),
            _shift(WEEKDAYS, "13:00 13:30 14:00", "19:00", 2.0, 5.0),
        ),
        quota=_quota(WEEKDAYS, "06:00-09:30 17:00-21:00", 1.5, 3.5),
        quota_share=0.2,
        envelope=(hm("06:00"), hm("21:30")),
        work_days=(*WEEKDAYS, SAT),
        teams=True,
        priorities=(0.15, 0.55, 0.30),
    ),
    Trade(
        id="maintenance",
        label="Maintenance et entretien",
        skills=(
            ("maintenance-batiment", "Maintenance des bâtiments"),
            ("espaces-verts", "Entretien des espaces verts"),
            ("maintenance-industrielle", "Maintenance industrielle"),
        ),
        shifts=(
            _shift(WEEKDAYS, "07:30 08:00 08:30", "12:30", 3.0, 4.5),
            _shift(WEEKDAYS, "13:00 13:30 14:00", "18:00", 3.0, 4.5),
            _shift(WEEKDAYS, "08:00", "14:00", 5.0, 6.0),
        ),
        quota=_quota(WEEKDAYS, "08:00-12:30 13:30-17:30", 3.0, 4.5),
        quota_share=0.3,
        envelope=(hm("07:30"), hm("18:00")),
        work_days=WEEKDAYS,
        teams=True,
        priorities=(0.15, 0.50, 0.35),
    ),
    Trade(
        id="catering",
        label="Restauration collective",
        skills=(
            ("service-restauration", "Service en restauration"),
            ("cuisine", "Cuisine de collectivité"),
            ("plonge", "Plonge et entretien de cuisine"),
        ),
        shifts=(
            _shift((*WEEKDAYS, SAT), "09:30 10:00 10:30 11:00", "15:30", 3.0, 5.5),
            _shift(WEEKDAYS, "07:00 07:30", "14:00", 4.0, 6.0),
            _shift((THU, FRI, SAT), "18:00 18:30", "23:30", 3.0, 5.0),
        ),
        quota=_quota(WEEKDAYS, "09:30-15:00", 3.0, 5.0),
        quota_share=0.1,
        envelope=(hm("07:00"), hm("23:30")),
        work_days=(*WEEKDAYS, SAT),
        teams=True,
        priorities=(0.30, 0.50, 0.20),
    ),
    Trade(
        id="construction",
        label="Bâtiment (second œuvre et gros œuvre)",
        skills=(
            ("maconnerie", "Maçonnerie"),
            ("plomberie", "Plomberie et chauffage"),
            ("electricite", "Électricité du bâtiment"),
            ("peinture", "Peinture et revêtements"),
            ("menuiserie", "Menuiserie et agencement"),
            ("platrerie", "Plâtrerie et isolation"),
        ),
        shifts=(
            _shift(WEEKDAYS, "07:30 08:00", "12:30", 3.5, 4.5),
            _shift(WEEKDAYS, "13:00 13:30", "17:30", 3.5, 4.0),
        ),
        quota=_quota(WEEKDAYS, "07:30-12:00 13:00-17:00", 3.5, 4.0),
        quota_share=0.2,
        envelope=(hm("07:00"), hm("17:30")),
        work_days=WEEKDAYS,
        teams=True,
        priorities=(0.25, 0.55, 0.20),
    ),
    Trade(
        id="admin",
        label="Administration et comptabilité",
        skills=(
            ("secretariat", "Secrétariat"),
            ("comptabilite", "Comptabilité"),
            ("paie", "Gestion de la paie"),
            ("accueil", "Accueil du public"),
        ),
        shifts=(
            _shift(WEEKDAYS, "08:30 09:00", "12:30", 3.0, 4.0),
            _shift(WEEKDAYS, "13:30 14:00", "18:00", 3.0, 4.0),
        ),
        quota=_quota(WEEKDAYS, "08:30-12:30 13:30-17:30", 3.0, 4.0),
        quota_share=0.5,
        envelope=(hm("08:00"), hm("18:30")),
        work_days=WEEKDAYS,
        teams=False,
        priorities=(0.15, 0.50, 0.35),
    ),
    Trade(
        id="childcare",
        label="Petite enfance et animation",
        skills=(
            ("animation-periscolaire", "Animation périscolaire"),
            ("petite-enfance", "Accompagnement de la petite enfance"),
            ("atsem", "Assistance en école maternelle"),
        ),
        shifts=(
            _shift(SCHOOL_DAYS, "07:15 07:30", "09:00", 1.0, 1.5),
            _shift(SCHOOL_DAYS, "11:30 11:45", "14:00", 1.5, 2.0),
            _shift(SCHOOL_DAYS, "16:15 16:30", "19:00", 1.5, 2.5),
            _shift((WED,), "08:00 08:30 13:30", "18:30", 4.0, 5.0),
            _shift(WEEKDAYS, "07:30 08:00 12:30", "18:30", 3.0, 6.0),
        ),
        quota=_quota(WEEKDAYS, "07:30-12:30 13:00-18:30", 3.0, 5.0),
        quota_share=0.2,
        envelope=(hm("07:00"), hm("19:00")),
        work_days=WEEKDAYS,
        teams=False,
        priorities=(0.45, 0.45, 0.10),
    ),
    Trade(
        id="logistics",
        label="Logistique et entreposage",
        skills=(
            ("preparation-commandes", "Préparation de commandes"),
            ("conduite-chariot", "Conduite de chariot élévateur (CACES)"),
            ("reception-expedition", "Réception et expédition"),
        ),
        shifts=(
            _shift((*WEEKDAYS, SAT), "06:00 07:00 08:00", "14:00", 3.5, 6.0),
            _shift(WEEKDAYS, "13:00 14:00", "21:00", 3.5, 6.0),
        ),
        quota=_quota((*WEEKDAYS, SAT), "06:00-13:00 13:30-20:30", 4.0, 6.0),
        quota_share=0.3,
        envelope=(hm("06:00"), hm("21:00")),
        work_days=(*WEEKDAYS, SAT),
        teams=True,
        priorities=(0.20, 0.55, 0.25),
    ),
    Trade(
        id="market_gardening",
        label="Maraîchage",
        skills=(
            ("maraichage", "Maraîchage (cultures et récolte)"),
            ("conditionnement", "Conditionnement et préparation des paniers"),
            ("conduite-engins-agricoles", "Conduite d'engins agricoles"),
        ),
        shifts=(
            _shift((*WEEKDAYS, SAT), "07:00 07:30 08:00", "13:00", 3.5, 6.0),
            _shift(WEEKDAYS, "13:30 14:00", "18:00", 3.0, 4.0),
        ),
        quota=_quota((*WEEKDAYS, SAT), "07:00-12:30", 3.5, 5.0),
        quota_share=0.3,
        envelope=(hm("07:00"), hm("18:00")),
        work_days=(*WEEKDAYS, SAT),
        teams=True,
        priorities=(0.20, 0.50, 0.30),
    ),
)

TRADE_BY_ID = {trade.id: trade for trade in TRADES}
TRADE_OF_SKILL = {skill: trade for trade in TRADES for skill in trade.skill_ids}

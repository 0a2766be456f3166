"""The legal limits a roster obeys, as settings of each employer group.

Defaults are those of the French Code du travail; a branch agreement (*accord de branche*) or a
company agreement can change several of them, so every number is a setting, never a constant
in the solver. Hours are decimal hours, days are calendar days.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class GroupRules(BaseModel):
    """The rule parameters of one group; each field names the article it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # L3121-18: durée quotidienne maximale de travail effectif.
    max_daily_hours: float = Field(10.0, gt=0, le=12)
    # L3121-20: durée hebdomadaire maximale absolue.
    max_weekly_hours: float = Field(48.0, gt=0, le=60)
    # L3121-22: moyenne sur 12 semaines consécutives.
    max_average_weekly_hours: float = Field(44.0, gt=0, le=46)
    average_window_weeks: int = Field(12, ge=1, le=16)
    # L3131-1: repos quotidien.
    min_daily_rest_hours: float = Field(11.0, ge=9, le=24)
    # L3132-2: repos hebdomadaire de 24 h + 11 h de repos quotidien.
    min_weekly_rest_hours: float = Field(35.0, ge=24, le=72)
    # L3132-1: pas plus de six jours de travail par semaine.
    max_working_days: int = Field(6, ge=1, le=6)
    # L3121-16: pause de 20 minutes dès 6 heures de travail continu.
    break_after_hours: float = Field(6.0, gt=0, le=8)
    break_minutes: int = Field(20, ge=0, le=120)
    # L3123-20 / L3123-21: heures complémentaires, 10 % du contrat, jusqu'au tiers par accord.
    complementary_hours_ratio: float = Field(0.10, ge=0, le=1 / 3 + 1e-9)
    # L3123-1: un temps partiel reste sous la durée légale de 35 h.
    full_time_hours: float = Field(35.0, gt=0, le=39)
    # L3123-30: une seule interruption par jour, d'au plus 2 heures.
    max_interruptions_per_day: int = Field(1, ge=0, le=3)
    max_interruption_hours: float = Field(2.0, ge=0, le=4)
    # L3123-31: délai de prévenance de 7 jours, 3 par accord.
    notice_days: int = Field(7, ge=3, le=14)
    # L3123-27: sous 24 h, horaires regroupés sur des journées ou demi-journées régulières.
    short_part_time_threshold_hours: float = Field(24.0, ge=0, le=35)
    # D6325-? and L6325-13/14: formation de 15 à 25 % de la durée du contrat, au moins 150 h.
    training_share_min: float = Field(0.15, ge=0, le=1)
    training_share_max: float = Field(0.25, ge=0, le=1)
    training_min_hours: float = Field(150.0, ge=0)
    # L3162-1, L3163-2, L3164-2: jeunes travailleurs de moins de 18 ans.
    minor_max_daily_hours: float = Field(8.0, gt=0, le=8)
    minor_max_weekly_hours: float = Field(35.0, gt=0, le=35)
    minor_break_after_hours: float = Field(4.5, gt=0, le=4.5)
    minor_break_minutes: int = Field(30, ge=30, le=120)
    minor_min_daily_rest_hours: float = Field(12.0, ge=12, le=24)
    minor_consecutive_days_off: int = Field(2, ge=2, le=7)
    minor_night_start: str = Field("22:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    minor_night_end: str = Field("06:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")

    @model_validator(mode="after")
    def _coherent(self) -> GroupRules:
        if self.max_average_weekly_hours > self.max_weekly_hours:
            raise ValueError("max_average_weekly_hours cannot exceed max_weekly_hours")
        if self.training_share_min > self.training_share_max:
            raise ValueError("training_share_min cannot exceed training_share_max")
        if self.minor_max_daily_hours > self.max_daily_hours:
            raise ValueError("minor_max_daily_hours cannot exceed max_daily_hours")
        return self

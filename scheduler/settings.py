"""Process settings, read from ``PARTAGE_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from scheduler.rules import GroupRules


def default_database_url() -> str:
    """A SQLite file under the user's data folder: zero set-up for the demo."""
    folder = Path(user_data_dir("partage", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'partage.db'}"


class Settings(BaseSettings):
    """Everything a Partage process needs from its environment.

    ``PARTAGE_RULES__MAX_DAILY_HOURS=9`` (note the double underscore) overrides one legal
    default for every group that does not set its own.
    """

    model_config = SettingsConfigDict(
        env_prefix="PARTAGE_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = Field(default_factory=default_database_url)
    amqp_url: str | None = None
    time_zone: str = "Europe/Paris"
    rules: GroupRules = Field(default_factory=GroupRules)
    # Planning: which weeks changes re-plan, how long to wait for a burst to end, how long a
    # worker keeps a week when it stops renewing its lease, and the solver's budget.
    horizon_weeks: int = Field(4, ge=1, le=26)
    debounce_seconds: float = Field(0.5, ge=0, le=60)
    lease_seconds: float = Field(30.0, ge=1, le=3600)
    solve_time_limit: float = Field(10.0, gt=0, le=3600)
    solve_workers: int = Field(2, ge=1, le=64)
    solve_seed: int = 0
    # Clock jobs (`partage scheduler`). Crontab strings are read in the group's time zone
    # (the nightly one in ``time_zone``); each group's publication cron is stored on the group.
    nightly_cron: str = "30 2 * * *"
    # Needs still uncovered this long before their week is published are announced.
    reminder_lead_hours: float = Field(72.0, gt=0, le=24 * 14)
    reminder_scan_seconds: float = Field(900.0, ge=10, le=86400)
    # A week "solving" past its time limit plus this margin, with an expired lease, is re-queued.
    recovery_margin_seconds: float = Field(60.0, ge=0, le=86400)
    recovery_scan_seconds: float = Field(60.0, ge=5, le=3600)
    # A week "queued" this long with no live lease is requested again (its request was lost,
    # e.g. dead-lettered): changes to a queued week raise no new request by themselves.
    recovery_queued_seconds: float = Field(900.0, ge=10, le=7 * 86400)
    # How often each scheduler process re-reads the groups (one added, a cron changed).
    jobs_sync_seconds: float = Field(300.0, ge=5, le=86400)
    # A calendar job found late by more than this (the scheduler was down) is skipped.
    jobs_misfire_grace_seconds: int = Field(6 * 3600, ge=1, le=7 * 86400)
    # Webhook URLs whose host resolves to a private, loopback, link-local or multicast address
    # are refused unless this is set (receivers on the same machine or network, tests).
    webhooks_allow_private: bool = False
    # Records of past job runs (the double-fire guard) are kept this long.
    jobs_keep_days: int = Field(30, ge=1, le=3650)

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("nightly_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from scheduler.jobs.calendar import crontab_trigger

        crontab_trigger(value, ZoneInfo("UTC"))  # raises ValueError with the reason
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()

"""Settings of the HTTP service itself (limits, public URL), read from ``PARTAGE_API_*``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARTAGE_API_", extra="ignore")

    # Bodies are read whole before parsing: the limit bounds what one request can cost.
    max_body_bytes: int = Field(1_048_576, ge=1024)
    max_csv_bytes: int = Field(5_242_880, ge=1024)
    default_page_size: int = Field(50, ge=1, le=200)
    max_bulk_needs: int = Field(500, ge=1, le=5000)
    # Where calendar feed URLs point (phones fetch them from outside); empty: the request's.
    public_url: str = ""
    # /metrics answers without a key, like /healthz; set a token to require
    # ``Authorization: Bearer <token>`` there (Prometheus' ``authorization`` setting).
    metrics_token: str = ""

"""Entry point for uvicorn: ``uvicorn --factory api.main:app_from_env`` (used by `partage api`)."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from scheduler.settings import get_settings


def app_from_env() -> FastAPI:
    """The app configured from ``PARTAGE_*`` variables (built when uvicorn calls it)."""
    return create_app(get_settings())

"""The HTTP API (FastAPI): managers, member companies and employees. See ``api.app``."""

from api.app import create_app

__all__ = ["create_app"]

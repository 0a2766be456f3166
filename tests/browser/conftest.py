"""Fixtures of the fast page tests: the sample territory, and a TestClient that signs in.

The tests in a real browser have their own module fixtures (``test_in_chromium.py``)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api import create_app
from tests.browser.world import Territory, build_territory

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Pages:
    """A TestClient that signs in like a browser (login form, cookie) and posts forms."""

    def __init__(self, world: Territory, base_url: str = "http://testserver") -> None:
        self.world = world
        self.client = TestClient(
            create_app(world.application), base_url=base_url, follow_redirects=False
        )

    def login(self, tenant: str, role: str) -> None:
        self.client.cookies.clear()
        form = self.client.get("/app/login")
        response = self.client.post(
            "/app/login",
            data={"key": self.world.key(tenant, role), "csrf": csrf_of(form.text), "next": ""},
        )
        assert response.status_code == 303, response.text

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post_form(
        self, path: str, data: dict[str, str], *, page: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """POST ``data`` with the CSRF token of ``page`` (default: the first page of the role)."""
        html = self.client.get(page or "/app/", follow_redirects=True).text
        return self.client.post(path, data={"csrf": csrf_of(html), **data}, **kwargs)


def text_of(html: str) -> str:
    """A page's visible words, tags dropped and entities read, spaces squeezed."""
    words = re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(words)).strip()


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
def world(database_url: str) -> Iterator[Territory]:
    territory = build_territory(database_url)
    try:
        yield territory
    finally:
        territory.application.close()


@pytest.fixture
def pages(world: Territory) -> Iterator[Pages]:
    client = Pages(world)
    try:
        yield client
    finally:
        client.client.close()

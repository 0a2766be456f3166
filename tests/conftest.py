"""Test infrastructure shared by the whole suite: the real PostgreSQL and RabbitMQ.

`bash scripts/test.sh` starts a throwaway PostgreSQL and RabbitMQ (scripts/services.sh) and exports

- ``PARTAGE_TEST_POSTGRES_URL``  server URL: ``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres``
- ``PARTAGE_TEST_AMQP_URL``      broker URL: ``amqp://guest:guest@127.0.0.1:PORT/%2F``
- ``PARTAGE_TEST_SERVICES_DIR``  the services' folder (``broker_control`` needs it)
- ``PARTAGE_TEST_REQUIRE_SERVICES=1``  a missing service fails the test instead of skipping it

Keep this file to infrastructure; domain fixtures belong in the sub-folders' conftests.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVICES_SH = REPO_ROOT / "scripts" / "services.sh"

POSTGRES_URL_VAR = "PARTAGE_TEST_POSTGRES_URL"
AMQP_URL_VAR = "PARTAGE_TEST_AMQP_URL"
SERVICES_DIR_VAR = "PARTAGE_TEST_SERVICES_DIR"
REQUIRE_SERVICES_VAR = "PARTAGE_TEST_REQUIRE_SERVICES"


def services_required() -> bool:
    return os.environ.get(REQUIRE_SERVICES_VAR) == "1"


def require_env(name: str, what: str) -> str:
    """Return the variable, or skip the test; under PARTAGE_TEST_REQUIRE_SERVICES=1, fail it.

    CI runs with the variable set so that a broken service start can never turn into a green run
    that silently skipped every database and broker test.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    reason = f"{what} unavailable: {name} is not set (run the suite with `bash scripts/test.sh`)"
    if services_required():
        pytest.fail(f"{reason}; {REQUIRE_SERVICES_VAR}=1 forbids skipping", pytrace=False)
    pytest.skip(reason)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"partage services: postgres={os.environ.get(POSTGRES_URL_VAR, '-')} "
        f"amqp={os.environ.get(AMQP_URL_VAR, '-')} "
        f"required={services_required()}"
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests that use the broker fixtures get the `rabbitmq` marker, so `-m "not rabbitmq"` works
    # without every test having to remember the decorator.
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "amqp_url" in names:
            item.add_marker(pytest.mark.rabbitmq)
        if "postgres_admin_url" in names:
            item.add_marker(pytest.mark.postgres)


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """URL of the PostgreSQL server (database ``postgres``, superuser ``postgres``)."""
    return require_env(POSTGRES_URL_VAR, "PostgreSQL")


@pytest.fixture(scope="session")
def _postgres_admin_engine(postgres_admin_url: str) -> Iterator[sa.Engine]:
    # CREATE/DROP DATABASE cannot run inside a transaction, hence AUTOCOMMIT.
    engine = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    yield engine
    engine.dispose()


def _database_name(node_name: str) -> str:
    # Readable in pg_stat_activity when debugging, unique thanks to the random suffix, and
    # within PostgreSQL's 63-byte identifier limit.
    slug = re.sub(r"[^a-z0-9]+", "_", node_name.lower()).strip("_")[:40]
    return f"t_{slug}_{uuid.uuid4().hex[:12]}"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for this test, once on SQLite and once on PostgreSQL.

    SQLite: a file in the test's tmp_path. PostgreSQL: a new database with a unique name on the
    test server, dropped (WITH (FORCE), so leaked connections do not block it) after the test.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/partage.db"
        return

    admin_url: str = request.getfixturevalue("postgres_admin_url")
    engine: sa.Engine = request.getfixturevalue("_postgres_admin_engine")
    name = _database_name(request.node.name)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- RabbitMQ


@pytest.fixture(scope="session")
def amqp_url() -> str:
    """URL of the RabbitMQ broker (vhost ``/``, user ``guest``)."""
    return require_env(AMQP_URL_VAR, "RabbitMQ")


@pytest.fixture
def amqp_namespace(request: pytest.FixtureRequest) -> str:
    """A prefix unique to this test for exchange and queue names: ``f"{amqp_namespace}.jobs"``.

    All tests share one broker and vhost; distinct names keep them from seeing each other's
    messages (and from tripping over leftovers of a failed test).
    """
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", request.node.name).strip("-")[:60]
    return f"test.{slug}.{uuid.uuid4().hex[:8]}"


class BrokerControl:
    """Stops and restarts the test broker (same port, same data) to simulate an outage."""

    def __init__(self, services_dir: str, amqp_url: str) -> None:
        self.services_dir = services_dir
        self.amqp_url = amqp_url
        self.running = True

    def _run(self, command: str) -> None:
        result = subprocess.run(
            ["bash", str(SERVICES_SH), command, self.services_dir],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"services.sh {command} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}"
            )

    def stop(self) -> None:
        """Stop the broker; returns once it is down (its port refuses connections)."""
        self.running = False
        self._run("rabbitmq-stop")

    def start(self) -> None:
        """Start the broker again; returns once it accepts an AMQP login."""
        self._run("rabbitmq-start")
        self.running = True


@pytest.fixture
def broker_control(amqp_url: str) -> Iterator[BrokerControl]:
    """Control over the shared broker. The broker is always running again after the test.

    Not safe with parallel test processes sharing one broker (pytest-xdist): an outage here is an
    outage for every test running at the same time.
    """
    services_dir = require_env(SERVICES_DIR_VAR, "RabbitMQ control")
    control = BrokerControl(services_dir, amqp_url)
    yield control
    # A test that failed mid-outage must not leave the broker down for the rest of the suite.
    if not control.running:
        control.start()

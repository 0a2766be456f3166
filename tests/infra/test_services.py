"""The test infrastructure itself: real broker and databases behind the root conftest's fixtures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pika
import pika.exceptions
import pytest
import sqlalchemy as sa

CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"


def _connect(amqp_url: str) -> pika.BlockingConnection:
    params = pika.URLParameters(amqp_url)
    params.connection_attempts = 1
    params.socket_timeout = 5
    return pika.BlockingConnection(params)


def _declare_route(channel, amqp_namespace: str, *, durable: bool) -> tuple[str, str]:
    exchange, queue = f"{amqp_namespace}.x", f"{amqp_namespace}.q"
    channel.exchange_declare(exchange, exchange_type="direct", durable=durable)
    channel.queue_declare(queue, durable=durable)
    channel.queue_bind(queue, exchange, routing_key="k")
    return exchange, queue


def test_amqp_round_trip_with_publisher_confirms(amqp_url: str, amqp_namespace: str) -> None:
    connection = _connect(amqp_url)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        exchange, queue = _declare_route(channel, amqp_namespace, durable=False)

        # With confirms on, basic_publish blocks until the broker acks, and raises if it nacks
        # or (mandatory) cannot route the message.
        channel.basic_publish(
            exchange,
            "k",
            b'{"hello": "partage"}',
            pika.BasicProperties(content_type="application/json", delivery_mode=2),
            mandatory=True,
        )
        with pytest.raises(pika.exceptions.UnroutableError):
            channel.basic_publish(exchange, "no-such-key", b"lost", mandatory=True)

        method, properties, body = channel.basic_get(queue, auto_ack=False)
        assert method is not None, "the confirmed message is not in the queue"
        assert body == b'{"hello": "partage"}'
        assert properties.content_type == "application/json"
        channel.basic_ack(method.delivery_tag)
        assert channel.basic_get(queue, auto_ack=True) == (None, None, None)
        channel.queue_delete(queue)
        channel.exchange_delete(exchange)
    finally:
        connection.close()


_seen_namespaces: set[str] = set()


@pytest.mark.parametrize("run", ["first", "second"])
def test_amqp_namespace_is_unique_per_test(amqp_namespace: str, run: str) -> None:
    assert amqp_namespace.startswith("test.test_amqp_namespace_is_unique_per_test-")
    assert amqp_namespace not in _seen_namespaces
    _seen_namespaces.add(amqp_namespace)
    assert len(f"{amqp_namespace}.some-queue-name") < 255  # AMQP's short-string limit


def test_database_round_trip(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        # Fresh database: nothing left by any other test.
        assert sa.inspect(engine).get_table_names() == []
        metadata = sa.MetaData()
        shifts = sa.Table(
            "shifts",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("worker", sa.String(50), nullable=False),
            sa.Column("minutes", sa.Integer, nullable=False),
        )
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                shifts.insert(),
                [{"worker": "Aïcha", "minutes": 420}, {"worker": "Bruno", "minutes": 300}],
            )
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(shifts.c.worker, shifts.c.minutes).order_by(shifts.c.id)
            ).all()
            total = conn.execute(sa.select(sa.func.sum(shifts.c.minutes))).scalar_one()
        assert [tuple(r) for r in rows] == [("Aïcha", 420), ("Bruno", 300)]
        assert total == 720
        expected_dialect = "postgresql" if database_url.startswith("postgresql") else "sqlite"
        assert engine.dialect.name == expected_dialect
    finally:
        engine.dispose()


def test_postgres_server_and_dropped_databases(postgres_admin_url: str) -> None:
    # The server is the PostgreSQL 15 we asked for, and database_url's databases of the tests
    # that already ran (test_database_round_trip above) were dropped.
    engine = sa.create_engine(postgres_admin_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("show server_version_num")).scalar_one()
            names = set(conn.execute(sa.text("select datname from pg_database")).scalars().all())
    finally:
        engine.dispose()
    assert int(version) >= 150000
    leftovers = {n for n in names if n.startswith("t_test_database_round_trip")}
    assert not leftovers, f"databases of finished tests were not dropped: {leftovers}"


def test_broker_outage_and_recovery(broker_control, amqp_url: str, amqp_namespace: str) -> None:
    # A durable queue with a persistent, confirmed message must survive the restart: the broker
    # comes back on the same port with the same data.
    connection = _connect(amqp_url)
    channel = connection.channel()
    channel.confirm_delivery()
    exchange, queue = _declare_route(channel, amqp_namespace, durable=True)
    channel.basic_publish(
        exchange, "k", b"survives", pika.BasicProperties(delivery_mode=2), mandatory=True
    )
    connection.close()

    broker_control.stop()
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        _connect(amqp_url)

    broker_control.start()
    connection = _connect(amqp_url)
    try:
        channel = connection.channel()
        method, _, body = channel.basic_get(queue, auto_ack=True)
        assert method is not None, "the persistent message did not survive the restart"
        assert body == b"survives"
        channel.queue_delete(queue)
        channel.exchange_delete(exchange)
    finally:
        connection.close()


# --------------------------------------------------------------------------- skip versus fail

_PROBE = """
def test_needs_postgres(postgres_admin_url):
    pass

def test_needs_amqp(amqp_url):
    pass

def test_sqlite_needs_nothing(database_url):
    pass
"""


def _run_probe(tmp_path: Path, require: str | None) -> subprocess.CompletedProcess[str]:
    # The real conftest in an isolated folder, with the service variables removed.
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_probe.py").write_text(_PROBE)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PARTAGE_TEST_") and k != "PYTEST_ADDOPTS"
    }
    if require is not None:
        env["PARTAGE_TEST_REQUIRE_SERVICES"] = require
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rA",
            "-q",
            "-W",
            "ignore::pytest.PytestUnknownMarkWarning",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_missing_services_skip_when_not_required(tmp_path: Path) -> None:
    result = _run_probe(tmp_path, require=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 3 skipped" in result.stdout, result.stdout
    assert "PARTAGE_TEST_POSTGRES_URL is not set" in result.stdout


def test_missing_services_fail_when_required(tmp_path: Path) -> None:
    result = _run_probe(tmp_path, require="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "3 errors" in result.stdout and "1 passed" in result.stdout, result.stdout
    assert "PARTAGE_TEST_REQUIRE_SERVICES=1 forbids skipping" in result.stdout

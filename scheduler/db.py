"""Engines, sessions and schema migrations; nothing is connected at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BEGIN = "partage_sqlite_begin"


def make_engine(url: str) -> Engine:
    """An engine for ``url``, with the settings each backend needs to behave like the other."""
    if url.startswith("sqlite"):
        # As many connections as the API's thread pool (40) runs requests at once, so a burst
        # never waits on the pool; SQLite connections are cheap file handles.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=40,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Let SQLAlchemy's "begin" event open transactions instead of pysqlite, so a
            # writer can ask for BEGIN IMMEDIATE (below).
            connection.isolation_level = None
            cursor = connection.cursor()
            # Foreign keys are off by default in SQLite; WAL lets readers run beside a writer.
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # With WAL, NORMAL never corrupts the database and loses at most the last commits
            # on a power cut (not on a crash of the process); FULL costs an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
            # A deferred transaction that reads then writes fails at once with "database is
            # locked" when another writer got there first; IMMEDIATE takes the write lock up
            # front and waits for it (busy_timeout) instead.
            mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=30)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (an empty database included)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def begin_writing(session: Session) -> None:
    """Start ``session``'s transaction as a writer (takes SQLite's write lock up front)."""
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A writing session that commits when the block ends normally, rolls back otherwise."""
    with Session(engine, expire_on_commit=False) as session:
        begin_writing(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

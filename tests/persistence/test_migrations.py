"""Migrations bring an empty database to the models' schema, and back down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import scheduler.models  # noqa: F401
from scheduler import db


def test_upgrade_creates_every_table_of_the_models(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection), SQLModel.metadata
            )
        assert differences == [], "the models changed without a migration"
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_reversible(database_url: str) -> None:
    db.upgrade(database_url)
    head = db.current_revision(database_url)
    db.upgrade(database_url)
    assert db.current_revision(database_url) == head
    db.downgrade(database_url, "base")
    assert db.current_revision(database_url) is None
    engine = db.make_engine(database_url)
    try:
        assert not set(SQLModel.metadata.tables) & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

"""`partage keys create/revoke/list`: the key is printed once and works until revoked."""

from __future__ import annotations

import json
import warnings

from typer.testing import CliRunner

from partage.cli import app
from scheduler import db
from scheduler.scenario.importer import import_scenario
from scheduler.scenario.validation import parse_scenario
from scheduler.service import access
from tests.scenario.sample import sample


def test_a_created_key_verifies_until_revoked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/keys.db"
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        import_scenario(session, parse_scenario(json.dumps(sample())))
    runner = CliRunner()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        created = runner.invoke(
            app, ["keys", "create", "--role", "member", "--for", "ge1-m1", "--database-url", url]
        )
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    with db.session_scope(engine) as session:
        principal = access.verify_key(session, key)
    assert principal is not None and (principal.role, principal.group_id) == ("member", "ge1")

    listed = runner.invoke(app, ["keys", "list", "--group", "ge1", "--database-url", url])
    assert principal.key_id in listed.stdout and key not in listed.stdout
    revoked = runner.invoke(app, ["keys", "revoke", principal.key_id, "--database-url", url])
    assert revoked.exit_code == 0
    with db.session_scope(engine) as session:
        assert access.verify_key(session, key) is None
    unknown = runner.invoke(
        app, ["keys", "create", "--role", "employee", "--for", "nobody", "--database-url", url]
    )
    assert unknown.exit_code == 2
    engine.dispose()

"""CSV import and export for managers: round trip, per-line errors, nothing half-imported."""

from __future__ import annotations

from tests.api.conftest import World

CSV = {"Content-Type": "text/csv"}


def _export(world: World, kind: str) -> str:
    response = world.client.get(
        f"/v1/groups/ge1/csv/{kind}", headers=world.headers("other", "manager")
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return response.text


def _import(world: World, kind: str, text: str):  # type: ignore[no-untyped-def]
    return world.client.post(
        f"/v1/groups/ge1/csv/{kind}",
        content=text.encode(),
        headers={**world.headers("other", "manager"), **CSV},
    )


def test_an_exported_file_imports_back_unchanged(world: World) -> None:
    for kind in ("members", "employees", "needs"):
        response = _import(world, kind, _export(world, kind))
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["created"] == [] and report["updated"] == [], kind
        assert report["unchanged"]


def test_new_and_changed_lines_are_stored_and_planning_follows(world: World) -> None:
    members = _export(world, "members") + (
        "ge1-m3,Pharmacie Centrale,,ge1-s3,Officine,4 place du Marché,45.12,4.81\n"
    )
    assert _import(world, "members", members).json()["created"] == ["ge1-m3"]
    needs = _export(world, "needs") + (
        "ge1-n7,ge1-m3,ge1-s3,cleaning,blocks,1,2,once,,"
        "2026-12-09T07:00:00+01:00/2026-12-09T09:00:00+01:00,,,,false\n"
    )
    report = _import(world, "needs", needs).json()
    assert report["created"] == ["ge1-n7"]
    assert [p["week"] for p in report["planning"]] == ["2026-W50"]
    need = world.client.get("/v1/needs/ge1-n7", headers=world.headers("other", "manager"))
    assert need.json()["site_id"] == "ge1-s3"


def test_errors_name_line_and_column_and_nothing_is_stored(world: World) -> None:
    text = _export(world, "employees").splitlines()
    good = text[1].replace("ge1-e1,", "ge1-e9,", 1)
    bad_date = text[1].replace("ge1-e1,", "ge1-e8,", 1).replace("1990-04-02", "1990-13-02")
    bad_member = text[1].replace("ge1-e1,", "ge1-e7,", 1).replace("ge1-m1=14", "ge1-zz")
    response = _import(world, "employees", "\n".join([text[0], good, bad_date, bad_member]))

    assert response.status_code == 422
    locs = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert ("line", 3, "birth_date") in locs
    assert ("line", 4, "members") in locs
    listed = world.client.get(
        "/v1/groups/ge1/employees", headers=world.headers("other", "manager")
    ).json()
    assert "ge1-e9" not in {e["id"] for e in listed["items"]}  # the good line was not kept


def test_a_missing_column_is_reported_on_the_header_line(world: World) -> None:
    response = _import(world, "members", "member_id,member_name\nx,y\n")
    assert response.status_code == 422
    assert ["line", 1, "site_id"] in [e["loc"] for e in response.json()["detail"]]


def test_a_body_past_the_limit_is_refused_with_413(world: World) -> None:
    huge = "member_id\n" + "x\n" * 3_000_000
    assert _import(world, "members", huge).status_code == 413


def test_the_examples_of_docs_csv_md_import_as_they_are(world: World) -> None:
    """Each example of docs/csv.md is a line of the sample's GE, so it imports unchanged."""
    import re
    from pathlib import Path

    from scheduler.service.csv_io import COLUMNS

    doc = (Path(__file__).parents[2] / "docs" / "csv.md").read_text(encoding="utf-8")
    examples = re.findall(r"^## (\w+)\n.*?```csv\n(.*?)```", doc, flags=re.S | re.M)
    assert [kind for kind, _ in examples] == ["members", "employees", "needs"]
    for kind, text in examples:
        assert text.splitlines()[0].split(",") == COLUMNS[kind], kind
        response = _import(world, kind, text)
        assert response.status_code == 200, (kind, response.text)
        assert response.json()["created"] == [] and response.json()["updated"] == [], kind

"""The deployment files: no Docker engine runs here, so check what can be checked without one.

The compose file parses and says what we mean (services, health checks, start order, volumes,
no secret in the file), the image is built the way we mean, and every command the containers
run exists in the CLI with the options given.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from partage.cli import app as cli

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SERVICES = {"postgres", "rabbitmq", "migrate", "api", "worker", "scheduler"}
LONG_RUNNING = {"api": "api", "worker": "worker", "scheduler": "scheduler"}
# ${VAR:-default} and ${VAR:?message}: what compose substitutes, for the commands we run here.
# A required variable: compose refuses to start without it, so no default can leak in.
SECRET = re.compile(r"\$\{[A-Z_]+:\?[^}]+\}")
URL_CREDENTIALS = re.compile(r"://(?P<user>\$\{[^}]*\}|[^:/@]*):(?P<password>\$\{[^}]*\}|[^@]*)@")
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?::(?P<kind>[-?])(?P<rest>[^}]*))?\}")


def load() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load()


def substitute(text: str) -> str:
    return VARIABLE.sub(lambda m: m["rest"] if m["kind"] == "-" else "value", text)


def partage_commands(compose: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(where, argv after ``partage``) of every command and health check that runs partage."""
    found = []
    for name, service in compose["services"].items():
        command = service.get("command")
        if command and command[0] == "partage":
            found.append((f"{name} command", [substitute(a) for a in command[1:]]))
        test = service.get("healthcheck", {}).get("test", [])
        if test[:2] == ["CMD", "partage"]:
            found.append((f"{name} healthcheck", [substitute(a) for a in test[2:]]))
    return found


def test_the_compose_file_has_the_platform_and_the_three_services(
    compose: dict[str, Any],
) -> None:
    assert set(compose["services"]) == SERVICES
    for service, subcommand in LONG_RUNNING.items():
        assert compose["services"][service]["command"][:2] == ["partage", subcommand]
    assert compose["services"]["migrate"]["command"] == ["partage", "db", "upgrade"]
    assert compose["services"]["rabbitmq"]["image"].endswith("-management")


def test_every_long_running_container_has_a_health_check(compose: dict[str, Any]) -> None:
    for name in SERVICES - {"migrate"}:
        check = compose["services"][name].get("healthcheck", {})
        assert check.get("test"), f"{name} has no health check"
        assert check["test"][0] in ("CMD", "CMD-SHELL")


def test_services_start_after_the_migration_and_healthy_dependencies(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    for name in LONG_RUNNING:
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert services["worker"]["depends_on"]["rabbitmq"] == {"condition": "service_healthy"}


def test_workers_can_be_scaled(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    # A fixed name or a published port would make the second replica fail to start.
    assert "container_name" not in worker and "ports" not in worker


def test_data_lives_in_named_volumes(compose: dict[str, Any]) -> None:
    assert set(compose["volumes"]) == {"postgres-data", "rabbitmq-data"}
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert "rabbitmq-data:/var/lib/rabbitmq" in compose["services"]["rabbitmq"]["volumes"]


def test_no_secret_is_written_in_the_compose_file(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search("PASS|SECRET|KEY", key):
                assert SECRET.fullmatch(value), f"{name}: {key}={value}"
            credentials = URL_CREDENTIALS.search(str(value))
            if credentials:
                assert SECRET.fullmatch(credentials["password"]), f"{name}: {key}"
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for required in set(re.findall(r"\$\{([A-Z_]+):\?", COMPOSE.read_text(encoding="utf-8"))):
        assert re.search(rf"^{required}=$", example, re.M), f"{required} missing in .env.example"


def test_the_services_are_configured_by_environment(compose: dict[str, Any]) -> None:
    for name in {"migrate", *LONG_RUNNING}:
        environment = compose["services"][name]["environment"]
        assert environment["PARTAGE_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert environment["PARTAGE_AMQP_URL"].startswith("amqp://")


@pytest.mark.parametrize(
    "argv",
    [argv for _, argv in partage_commands(load())],
    ids=[w for w, _ in partage_commands(load())],
)
def test_every_command_the_containers_run_exists_in_the_cli(argv: list[str]) -> None:
    # --help comes last: the options before it are parsed first, so a misspelt one fails too.
    result = CliRunner().invoke(cli, [*argv, "--help"])
    assert result.exit_code == 0, f"partage {' '.join(argv)}\n{result.output}"


def test_the_commands_checked_include_every_service(compose: dict[str, Any]) -> None:
    where = {w for w, _ in partage_commands(compose)}
    assert {f"{name} command" for name in {"migrate", *LONG_RUNNING}} <= where
    assert "scheduler healthcheck" in where


def test_the_image_installs_the_package_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert stages and all(image == "python:3.11-slim" for image in stages)
    assert re.search(r"pip install \.$", dockerfile, re.M)
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    user = re.findall(r"^USER (\S+)", final_stage, re.M)
    assert user and user[-1] not in ("root", "0")
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".env"} <= set(ignored)


def _compose_client() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def test_docker_compose_accepts_the_file() -> None:
    client = _compose_client()
    if client is None:
        pytest.skip("no docker compose client here")
    environment = {**os.environ, "POSTGRES_PASSWORD": "test-only", "RABBITMQ_PASSWORD": "test-only"}
    result = subprocess.run(
        [*client, "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    missing = {k: v for k, v in environment.items() if k != "POSTGRES_PASSWORD"}
    refused = subprocess.run(
        [*client, "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=missing,
        timeout=60,
    )
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr

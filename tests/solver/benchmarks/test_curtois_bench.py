"""The benchmark command (bench/curtois.py): its median over seeds and its errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "curtois.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_curtois", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(objective: float | None, feasible: bool = True) -> dict:
    return {"instance": 5, "objective": objective, "feasible": feasible}


def test_the_median_run_is_reported_with_every_runs_objective() -> None:
    bench = _bench()
    row = bench.median_run([_run(1250), _run(1146), _run(1147)])
    assert row["objective"] == 1147
    assert row["runs"] == [1250, 1146, 1147]
    # Of an even count, the lower middle; a run without a feasible roster ranks last.
    row = bench.median_run([_run(None), _run(1300), _run(1400, feasible=False), _run(1200)])
    assert row["objective"] == 1300
    assert bench.median_run([{"instance": 5, "error": ["boom"]}, _run(7)])["objective"] == 7


def test_a_malformed_seed_list_is_refused_with_exit_code_2(capsys) -> None:
    assert _bench().main(["--instances", "1", "--seeds", "0,x"]) == 2
    assert "--seeds" in capsys.readouterr().err


def test_seeds_run_each_instance_once_per_seed(benchmark, capsys) -> None:
    benchmark(1)  # skips without the benchmark files
    code = _bench().main(["--instances", "1", "--time-limit", "3", "--seeds", "0,1", "--json"])
    assert code == 0
    out = capsys.readouterr().out
    summary = json.loads(out.strip().splitlines()[-1])
    (row,) = summary["rows"]
    assert len(row["runs"]) == 2
    assert row["objective"] in row["runs"]
    assert "| runs |" in out and "median of seeds 0,1" in out


@pytest.mark.parametrize("argv", [["--instances", "0"], ["--instances", "a-b"]])
def test_unknown_instances_are_refused_with_exit_code_2(argv: list[str]) -> None:
    assert _bench().main(argv) == 2

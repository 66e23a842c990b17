"""The bench scripts' smoke runs, first of four shards (tests/bench_smoke.py says why and how), and the check that
every script has one."""

from __future__ import annotations

import pytest

from tests.bench_smoke import SMOKE, bench_scripts, shard, smoke_run


def test_every_bench_script_has_a_smoke_run():
    assert bench_scripts() == set(SMOKE), "bench/ scripts and SMOKE differ: give a new script a tiny run here"


@pytest.mark.parametrize("script", shard(0))
def test_bench_script_runs_to_its_report_at_a_tiny_size(script, tmp_path):
    smoke_run(script, tmp_path)

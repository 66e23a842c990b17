"""The bench scripts' smoke runs, shard 2 of four (tests/bench_smoke.py says why and how)."""

from __future__ import annotations

import pytest

from tests.bench_smoke import shard, smoke_run


@pytest.mark.parametrize("script", shard(1))
def test_bench_script_runs_to_its_report_at_a_tiny_size(script, tmp_path):
    smoke_run(script, tmp_path)

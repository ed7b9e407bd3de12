"""benchmarks/faults_benchmark.py still runs against today's bot and meets its targets, at a tiny size.

The benchmark's figures are what the README's "Delivery guarantees" quote; it reaches into the
bot's start-up and texts, so a change there can break it silently (once every reply it measured
was the apology). The burst scenario (three real bot processes) is left to the benchmark itself.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from tests.bot_env import bot_env


@pytest.mark.parametrize("args", [["slow", "--subscribers", "40"], ["replies", "--questions", "3"]])
def test_the_scenario_runs_and_meets_its_target(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/faults_benchmark.py", *args],
        check=False, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT, env=bot_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert ": OK" in result.stdout

"""deploy/README.md only names settings, commands, profiles and files that exist."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bot.config import ENV_PREFIX, PROJECT_ROOT, Settings

README = PROJECT_ROOT / "deploy" / "README.md"
TEXT = README.read_text(encoding="utf-8")
yaml = pytest.importorskip("yaml")


def test_settings_named_exist() -> None:
    """Every BOT_* variable in the guide is a real setting (a typo there silently does nothing)."""
    named = set(re.findall(rf"\b{ENV_PREFIX}[A-Z0-9_]+\b", TEXT))
    real = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    assert named and named <= real, sorted(named - real)


@pytest.mark.parametrize("command", sorted(set(re.findall(r"python -m bot (\w+)", TEXT))))
def test_bot_subcommands_exist(command) -> None:
    """Every `python -m bot <command>` in the guide is accepted by the CLI."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", command, "--help"], capture_output=True, text=True, timeout=30, cwd=PROJECT_ROOT
    )
    assert result.returncode == 0, result.stderr


def test_compose_profiles_and_services_exist() -> None:
    """`--profile X` and `docker compose ... <service>` in the guide match deploy/compose.yaml."""
    compose = yaml.safe_load((PROJECT_ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    profiles = {p for s in compose["services"].values() for p in s.get("profiles", [])}
    assert set(re.findall(r"--profile (\w+)", TEXT)) <= profiles
    services = set(re.findall(r"docker compose (?:run --rm|exec|stop|logs -f|cp) (\w+)", TEXT))
    assert services and services <= set(compose["services"])


def test_repository_files_named_exist() -> None:
    """Paths like deploy/bayan.service or config/.env.example in the guide are in the repository."""
    paths = set(re.findall(r"(?<![\w/.])((?:deploy|config|knowledge)/[\w.-]+\.\w+)", TEXT))
    assert paths
    missing = [p for p in paths if not (PROJECT_ROOT / p).exists()]
    assert missing == []

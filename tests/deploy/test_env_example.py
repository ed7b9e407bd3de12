"""config/.env.example documents every setting, with the default the code really uses."""

from __future__ import annotations

import re

import pytest

from bot.config import ENV_PREFIX, PROJECT_ROOT, Settings, load_settings

EXAMPLE = PROJECT_ROOT / "config" / ".env.example"
# `BOT_NAME=value` or `# BOT_NAME=value`: the line that documents a setting and its default.
_SETTING_LINE = re.compile(rf"^#?\s*({ENV_PREFIX}[A-Z0-9_]+)=(.*)$")


def documented() -> dict[str, list[str]]:
    """Every documented variable with the value(s) its lines show."""
    out: dict[str, list[str]] = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if m := _SETTING_LINE.match(line.strip()):
            out.setdefault(m[1], []).append(m[2].strip())
    return out


def env_names() -> set[str]:
    return {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}


def test_every_setting_is_documented() -> None:
    """Adding a Settings field without a line in .env.example fails here."""
    missing = env_names() - documented().keys()
    assert not missing, f"document these in config/.env.example: {sorted(missing)}"


def test_nothing_documented_that_does_not_exist() -> None:
    """A misspelt or removed variable in .env.example would silently do nothing; catch it."""
    unknown = documented().keys() - env_names()
    assert not unknown, f"not a setting (see bot/config.py): {sorted(unknown)}"


def test_each_setting_has_one_line() -> None:
    """One line per setting, so the value shown is unambiguously the default."""
    assert {k: v for k, v in documented().items() if len(v) > 1} == {}


def test_documented_values_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the example's values gives the same settings as loading nothing at all.

    An empty value (``# BOT_WEBHOOK_URL=``) documents "unset by default", so it is not exported.
    """
    monkeypatch.chdir(PROJECT_ROOT)
    for name in env_names():
        monkeypatch.delenv(name, raising=False)
    defaults = load_settings(_env_file=None)
    for name, (value,) in documented().items():
        if value:
            monkeypatch.setenv(name, value)
    from_example = load_settings(_env_file=None)
    resolve = {"data_dir", "knowledge_dir"}
    got = {k: (v.resolve() if k in resolve else v) for k, v in from_example.model_dump().items()}
    want = {k: (v.resolve() if k in resolve else v) for k, v in defaults.model_dump().items()}
    assert got == want


def test_the_example_loads_as_an_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Copied unchanged to .env, the example is valid and gives the defaults (no token: console mode)."""
    for name in env_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = load_settings(_env_file=EXAMPLE)
    assert settings.token is None
    assert settings.mode == "polling"

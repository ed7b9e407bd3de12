"""Settings parse the forms people write, and errors name the variable without printing secrets."""

from __future__ import annotations

import pytest

from bot.config import DigestSchedule, SettingsError, load_settings

TOKEN = "123456:" + "A" * 35


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    import os

    for key in list(os.environ):
        if key.startswith("BOT_"):
            monkeypatch.delenv(key)


@pytest.mark.parametrize(("raw", "ids"), [("42,43", (42, 43)), ("[42, 43]", (42, 43)), ("7", (7,)), ("", ())])
def test_admin_ids_accept_both_forms(monkeypatch: pytest.MonkeyPatch, raw: str, ids: tuple[int, ...]) -> None:
    monkeypatch.setenv("BOT_ADMIN_IDS", raw)
    assert load_settings().admin_ids == ids


def test_defaults_come_from_config_file() -> None:
    s = load_settings()
    assert s.api_base_url == "https://api.telegram.org/bot"
    assert s.rate_global_per_second == 30
    assert s.schedule.kind == "weekly"
    assert s.mode == "polling"


def test_dotenv_file_is_read(tmp_path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nBOT_ADMIN_IDS=5,6\n")
    s = load_settings()
    assert s.token is not None and s.token.get_secret_value() == TOKEN
    assert s.admin_ids == (5, 6)


@pytest.mark.parametrize(
    ("env", "value", "needle"),
    [
        ("BOT_ADMIN_IDS", "alice", "BOT_ADMIN_IDS"),
        ("BOT_WEBHOOK_PORT", "http", "BOT_WEBHOOK_PORT"),
        ("BOT_DIGEST_SCHEDULE", "hourly", "BOT_DIGEST_SCHEDULE"),
        ("BOT_LOG_FORMAT", "xml", "BOT_LOG_FORMAT"),
        ("BOT_API_BASE_URL", "telegram", "BOT_API_BASE_URL"),
    ],
)
def test_bad_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch, env: str, value: str, needle: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError, match=needle):
        load_settings()


def test_bad_token_is_named_but_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "12345:short-but-secret"
    monkeypatch.setenv("BOT_TOKEN", secret)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "BOT_TOKEN" in str(info.value)
    assert secret not in str(info.value)
    assert "short-but-secret" not in repr(info.value.__cause__) if info.value.__cause__ else True


def test_token_is_stripped_for_every_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """A space or tab left around the token in .env or the environment is not part of it."""
    monkeypatch.setenv("BOT_TOKEN", f" {TOKEN}\t")
    token = load_settings().token
    assert token is not None and token.get_secret_value() == TOKEN


def test_token_is_secret_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    s = load_settings()
    assert TOKEN not in repr(s) and TOKEN not in str(s.model_dump())


def test_webhook_requires_https_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://bot.example.org/tg/hook")
    with pytest.raises(SettingsError, match="BOT_WEBHOOK_SECRET"):
        load_settings()
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", "s" * 20)
    s = load_settings()
    assert s.mode == "webhook" and s.webhook_path == "tg/hook"


@pytest.mark.parametrize(
    ("text", "kind", "weekday", "hhmm"),
    [("off", "off", 0, "09:00"), ("daily 18:30", "daily", 0, "18:30"), ("weekly fri", "weekly", 4, "09:00"),
     ("Weekly  SUN 07:05", "weekly", 6, "07:05")],
)
def test_digest_schedule_forms(text: str, kind: str, weekday: int, hhmm: str) -> None:
    s = DigestSchedule.parse(text)
    assert (s.kind, s.weekday, s.at.strftime("%H:%M")) == (kind, weekday, hhmm)


@pytest.mark.parametrize("text", ["daily mon", "weekly 25:00", "sometimes"])
def test_digest_schedule_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        DigestSchedule.parse(text)


@pytest.mark.parametrize("name", ["BOT_TOKEN", "BOT_WEBHOOK_SECRET", "BOT_WEBHOOK_URL"])
def test_empty_value_means_unset(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """An empty line copied from .env.example leaves the setting unset instead of failing."""
    monkeypatch.setenv(name, "  ")
    s = load_settings()
    assert getattr(s, name.removeprefix("BOT_").lower()) is None


@pytest.mark.parametrize(("raw", "on"), [("on", True), ("OFF", False), ("true", True), ("0", False), ("", False)])
def test_semantic_reads_on_and_off(monkeypatch: pytest.MonkeyPatch, raw: str, on: bool) -> None:
    monkeypatch.setenv("BOT_SEMANTIC", raw)
    assert load_settings().semantic is on


def test_semantic_is_off_by_default() -> None:
    assert load_settings().semantic is False


def test_a_bad_semantic_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_SEMANTIC", "maybe")
    with pytest.raises(SettingsError, match=r"BOT_SEMANTIC: expected on or off"):
        load_settings()

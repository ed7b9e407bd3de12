"""Replicas sharing one PostgreSQL agree on what users told the bot: follow-up context and /language.

Two real Applications in this process, each with its own data directory and its own fake Bot
API server (as replicas behind a balancer each get some of the updates), and one real
PostgreSQL between them. A question goes to one replica, its follow-up to the other.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.telegram.storage import store_of
from bot.telegram.texts import texts
from tests.fakes import FakeBotApi
from tests.plain import plain
from tests.telegram.conftest import RunningBot

StartBot = Callable[..., Awaitable[RunningBot]]
GROUP = -100888


def _text(bot: RunningBot, passage_id: str) -> str:
    found = bot.services.knowledge.passage(passage_id)
    assert found is not None
    return found[1].text_en


async def _saved(bot: RunningBot, key: str, turns: int) -> None:
    """Wait until ``bot`` has stored ``turns`` turns under ``key``: it saves just after replying."""
    store = store_of(bot.app)
    for _ in range(200):
        if len((await store.conversation(key, fresh_after=0)).turns) >= turns:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{key} never reached {turns} turns")


@pytest.fixture
async def replicas(
    start_bot: StartBot, tmp_path: Path, fake_api: FakeBotApi, pg_url: str
) -> AsyncIterator[tuple[RunningBot, RunningBot]]:
    """Two replicas on one PostgreSQL, each with its own data directory and fake Bot API server."""
    async with FakeBotApi(fake_api.token) as other_api:
        first = await start_bot(data_dir=tmp_path / "replica-1", database_url=pg_url)
        second = await start_bot(api=other_api, data_dir=tmp_path / "replica-2", database_url=pg_url)
        yield first, second
        await second.stop()  # before its fake server goes away
        await first.stop()


async def test_a_follow_up_is_understood_by_the_other_replica(replicas: tuple[RunningBot, RunningBot]) -> None:
    """"proposal 1" to one replica, "and the second one?" to the other, "and the third?" back to the first."""
    one, two = replicas
    assert _text(one, "proposal-1-dialogue") in (await one.ask("proposal 1"))["text"]
    await _saved(one, "chat:1001", 1)
    assert _text(two, "proposal-2-channels") in (await two.ask("and the second one?"))["text"]
    await _saved(two, "chat:1001", 2)
    arabic = await one.ask("و الثالث؟", language_code="ar")
    assert "اتفاق حكومي دولي ثنائي" in arabic["text"]  # proposal 3, quoted in Arabic


async def test_a_group_reply_followed_up_on_the_other_replica(replicas: tuple[RunningBot, RunningBot]) -> None:
    """A reply to one replica's answer in a group continues that answer's conversation on the other."""
    one, two = replicas
    one.api.push_message("/ask proposal 1", user=1001, chat=one.api.group(GROUP))
    [first] = await one.api.wait_for_messages(1, chat_id=GROUP)
    await _saved(one, f"answer:{GROUP}:{first['message_id']}", 1)
    two.api.push_message("and the second one?", user=1002, chat=two.api.group(GROUP), reply_to=first)
    [second] = await two.api.wait_for_messages(1, chat_id=GROUP)
    assert _text(two, "proposal-2-channels") in second["text"]


async def test_a_language_choice_holds_on_every_replica(replicas: tuple[RunningBot, RunningBot]) -> None:
    """/language on one replica changes the hints the other shows at once, both ways."""
    one, two = replicas
    assert plain((await two.ask("/nonsense"))["text"]) == texts("en").unknown_command  # read before any choice
    assert plain((await one.ask("/language ar"))["text"]) == texts("ar").language_changed
    assert plain((await two.ask("/nonsense"))["text"]) == texts("ar").unknown_command
    assert plain((await two.ask("/language en"))["text"]) == texts("en").language_changed
    assert plain((await one.ask("/nonsense"))["text"]) == texts("en").unknown_command


async def test_without_a_shared_database_each_replica_has_its_own_conversations(
    start_bot: StartBot, tmp_path: Path, fake_api: FakeBotApi
) -> None:
    """The control: two SQLite data directories share nothing, so the follow-up starts afresh."""
    async with FakeBotApi(fake_api.token) as other_api:
        one = await start_bot(data_dir=tmp_path / "replica-1")
        two = await start_bot(api=other_api, data_dir=tmp_path / "replica-2")
        await one.ask("proposal 1")
        await _saved(one, "chat:1001", 1)
        assert _text(two, "proposal-2-channels") not in (await two.ask("and the second one?"))["text"]
        await two.stop()


async def test_a_conversation_survives_a_restart(start_bot: StartBot) -> None:
    """With SQLite too the context is in the store: an upgrade between question and follow-up loses nothing."""
    bot = await start_bot()
    await bot.ask("proposal 1")
    await _saved(bot, "chat:1001", 1)
    await bot.stop()
    again = await start_bot()
    assert _text(again, "proposal-2-channels") in (await again.ask("and the second one?"))["text"]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request: pytest.FixtureRequest) -> dict[str, str]:
    """No override (SQLite in the data dir), or a fresh PostgreSQL database."""
    return {"database_url": request.getfixturevalue("pg_url")} if request.param == "postgresql" else {}


async def test_choices_from_an_older_releases_preferences_file_are_kept(
    start_bot: StartBot, tmp_path: Path, store_settings: dict[str, str]
) -> None:
    """preferences.sqlite3 is imported once into the store and renamed; a choice made since is not overwritten."""
    with sqlite3.connect(tmp_path / "preferences.sqlite3") as db:
        db.execute("CREATE TABLE interface_language (user_id INTEGER PRIMARY KEY, lang TEXT NOT NULL)")
        db.executemany("INSERT INTO interface_language VALUES (?, ?)", [(1001, "ar"), (1002, "ar"), (1003, "xx")])
    bot = await start_bot(**store_settings)
    assert not (tmp_path / "preferences.sqlite3").exists() and (tmp_path / "preferences.sqlite3.imported").exists()
    assert plain((await bot.ask("/nonsense", user=1001))["text"]) == texts("ar").unknown_command
    assert plain((await bot.ask("/language en", user=1002))["text"]) == texts("en").language_changed
    assert plain((await bot.ask("/nonsense", user=1003))["text"]) == texts("en").unknown_command  # a bad row is skipped
    await bot.stop()
    (tmp_path / "preferences.sqlite3.imported").rename(tmp_path / "preferences.sqlite3")  # imported again: the store's own stays
    again = await start_bot(**store_settings)
    assert plain((await again.ask("/nonsense", user=1002))["text"]) == texts("en").unknown_command
    assert plain((await again.ask("/nonsense", user=1001))["text"]) == texts("ar").unknown_command

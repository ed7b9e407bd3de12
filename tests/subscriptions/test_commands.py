"""``python -m bot broadcast``: refuses without a token, delivers with one, defers to a running deliverer."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import Settings
from bot.subscriptions.commands import run_broadcast_command
from bot.subscriptions.lock import DeliveryLock
from bot.subscriptions.store import SubscriptionStore
from tests.fakes import FakeBotApi


def test_without_token_exits_2_and_says_how_to_get_one(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """No BOT_TOKEN: exit code 2, a message naming BOT_TOKEN and @BotFather, nothing sent."""
    assert run_broadcast_command(settings.model_copy(update={"token": None})) == 2
    err = capsys.readouterr().err
    assert "BOT_TOKEN" in err and "@BotFather" in err


async def test_broadcast_command_delivers_and_prints_counts(
    fake_api: FakeBotApi, settings: Settings, store: SubscriptionStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command queues the summary, sends it to every subscriber once, drops a blocked one and reports counts."""
    for chat_id, lang in [(1, "ar"), (2, "en"), (3, "en")]:
        await store.subscribe(chat_id, "private", lang)  # type: ignore[arg-type]
    fake_api.block(3)
    assert await asyncio.to_thread(run_broadcast_command, settings) == 0
    out = capsys.readouterr().out
    assert "sent 2, removed 1 (blocked 1), failed 0" in out
    assert [len(fake_api.sent[c]) for c in (1, 2)] == [1, 1] and 3 not in fake_api.sent
    assert "1." in fake_api.sent_texts(2)[0]
    [digest] = fake_api.sent[2]
    assert digest["text"].startswith("Bayan digest: all the proposals\n")  # the schedule is off in these settings
    assert digest["text"].endswith("No scheduled digests are set; the next one comes when the summary changes.")
    pressed = {b["callback_data"] for row in digest["reply_markup"]["inline_keyboard"] for b in row}
    assert {"sub|off", f"sub|ar|{digest_id(out)}"} <= pressed  # the digest's buttons, from the shell too
    assert await store.unfinished_broadcasts() == []


def digest_id(out: str) -> int:
    """The broadcast id the command printed ("Broadcast 1 queued for ...")."""
    return int(out.split("Broadcast ", 1)[1].split()[0])


async def test_broadcast_command_defers_to_the_process_holding_the_lock(
    fake_api: FakeBotApi, settings: Settings, store: SubscriptionStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """While another process delivers, the command only queues; nothing is sent twice."""
    await store.subscribe(1, "private", "en")
    held = DeliveryLock(settings.data_dir)
    assert held.try_acquire()
    try:
        assert await asyncio.to_thread(run_broadcast_command, settings) == 0
    finally:
        held.release()
    assert "running bot" in capsys.readouterr().out
    assert fake_api.all_sent == [] and len(await store.unfinished_broadcasts()) == 1


def test_lock_is_exclusive_and_released(settings: Settings) -> None:
    """Only one holder at a time; releasing lets the next one in."""
    first, second = DeliveryLock(settings.data_dir), DeliveryLock(settings.data_dir)
    assert first.try_acquire() and not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()

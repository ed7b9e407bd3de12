"""An update PTB cannot parse is stepped over once, logged once by id without its text, and never stalls polling.

It once made every getUpdates fail from the same offset: hundreds of requests a second and
megabytes of CRITICAL lines quoting users' messages, while nobody got an answer.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Awaitable, Callable, Iterator

import pytest

from bot.logs import HANDLER_NAME, configure_logging
from tests.fakes import FakeBotApi
from tests.telegram.conftest import RunningBot

SECRET_WORDS = "my-private-words-7431"
UNPARSEABLE = [
    {"message": {"message_id": 1, "date": 0, "chat": "not an object", "text": SECRET_WORDS}},
    {"message": {"date": 0, "chat": {"id": 1001, "type": "private"}, "text": SECRET_WORDS}},
    {"callback_query": {"id": "9", "from": 5, "chat_instance": "x", "data": SECRET_WORDS}},
]


@pytest.fixture
def log_lines() -> Iterator[Callable[[RunningBot], io.StringIO]]:
    root = logging.getLogger()
    saved = root.level

    def capture(bot: RunningBot) -> io.StringIO:
        buf = io.StringIO()
        configure_logging(bot.settings, stream=buf)
        return buf

    yield capture
    for handler in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(handler)
    root.setLevel(saved)


@pytest.mark.parametrize("bad", UNPARSEABLE, ids=["chat-not-object", "no-message-id", "user-not-object"])
async def test_unparseable_update_is_skipped_and_logged_once_without_text(
    start_bot: Callable[..., Awaitable[RunningBot]], fake_api: FakeBotApi, log_lines, bad
) -> None:
    bot = await start_bot(log_level="DEBUG")
    logs = log_lines(bot)
    polls_before = len(fake_api.calls_to("getUpdates"))
    bad_id = fake_api.push_raw(bad)
    reply = await bot.ask("first strike")  # the update after it is answered
    assert "first to strike" in reply["text"]
    await asyncio.sleep(0.5)
    assert len(fake_api.calls_to("getUpdates")) - polls_before < 10  # no retry storm
    assert all(c.params.get("offset", 0) <= bad_id + 2 for c in fake_api.calls_to("getUpdates"))
    assert fake_api.calls_to("getUpdates")[-1].params["offset"] > bad_id  # confirmed: Telegram will not resend it
    text = logs.getvalue()
    assert SECRET_WORDS not in text
    skipped = [json.loads(line) if line.startswith("{") else line for line in text.splitlines() if "update_skipped" in line]
    assert len(skipped) == 1 and f"update_id={bad_id}" in str(skipped[0])
    assert not any(" CRITICAL " in line for line in text.splitlines())


async def test_skipped_update_in_the_middle_of_a_batch(start_bot, fake_api: FakeBotApi) -> None:
    """Good updates on both sides of a bad one in the same getUpdates answer are all answered."""
    bot = await start_bot()
    await bot.stop()
    fake_api.user(1002, "B", language_code="en")
    fake_api.push_message("first strike", user=1001)
    fake_api.push_raw(UNPARSEABLE[0])
    fake_api.push_message("first strike", user=1002)
    bot = await start_bot()
    await fake_api.wait_for_messages(1, chat_id=1001)
    await fake_api.wait_for_messages(1, chat_id=1002)

"""Fatal errors end `python -m bot run` fast and non-zero, so `Restart=on-failure` restarts it; transient ones do not.

A token revoked while the bot runs once left a process that neither worked nor exited (and
ignored SIGTERM for 20 s). Now a 401 on getUpdates or on a reply stops it within seconds with
exit 1 and a message pointing to @BotFather; an API that is down for a while is waited out.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.deploy.bot_process import BotProcess
from tests.fakes import FakeBotApi

FATAL_EXIT_SECONDS = 8.0


async def _answering(api: FakeBotApi, process: BotProcess, text: str = "first strike") -> None:
    before = len(api.sent.get(1001, []))
    api.push_message(text, user=1001)
    replies = await api.wait_for_messages(before + 1, chat_id=1001, timeout=10)
    assert "first to strike" in replies[-1]["text"]


def _assert_bad_token_exit(api: FakeBotApi, process: BotProcess, code: int, seconds: float) -> None:
    text = process.stderr.decode()
    assert code == 1
    assert seconds < FATAL_EXIT_SECONDS
    assert "@BotFather" in text and "revoked" in text
    assert api.token.split(":")[1] not in text


async def test_token_revoked_while_polling_exits_1_within_seconds(fake_api: FakeBotApi, tmp_path) -> None:
    process = BotProcess(fake_api, tmp_path)
    await process.start()
    await _answering(fake_api, process)
    fake_api.revoke_token()
    code, seconds = await process.exited(timeout=FATAL_EXIT_SECONDS + 5)
    _assert_bad_token_exit(fake_api, process, code, seconds)


async def test_401_on_a_reply_stops_the_bot(fake_api: FakeBotApi, tmp_path) -> None:
    """The token can also fail on a send first: the error handler sees InvalidToken and the bot stops."""
    process = BotProcess(fake_api, tmp_path)
    await process.start()
    fake_api.fail_next("sendMessage", 401, "Unauthorized")
    fake_api.push_message("first strike", user=1001)
    code, seconds = await process.exited(timeout=FATAL_EXIT_SECONDS + 5)
    _assert_bad_token_exit(fake_api, process, code, seconds)


async def test_api_down_for_a_while_is_waited_out(fake_api: FakeBotApi, tmp_path) -> None:
    """Connections dropped for ~2 s are transient: the bot keeps running and answers once the API is back."""
    process = BotProcess(fake_api, tmp_path)
    await process.start()
    fake_api.set_down(True)
    await asyncio.sleep(2.0)
    assert process.proc is not None and process.proc.returncode is None
    fake_api.set_down(False)
    await _answering(fake_api, process)
    code, _ = await process.terminate()
    assert code == 0


@pytest.mark.parametrize("debug", [False, True])
async def test_library_debug_lines_carry_no_user_text_unless_bot_debug(fake_api: FakeBotApi, tmp_path, debug) -> None:
    """At BOT_LOG_LEVEL=DEBUG PTB logs whole updates and request parameters: the words only with BOT_DEBUG=true."""
    process = BotProcess(fake_api, tmp_path, BOT_LOG_LEVEL="DEBUG", BOT_DEBUG="true" if debug else "false")
    await process.start()
    await _answering(fake_api, process, "first strike zebraquartz")
    code, _ = await process.terminate()
    assert code == 0
    records = process.log_records()  # still one JSON object per line
    assert any(r["logger"].startswith("telegram") and r["level"] == "DEBUG" for r in records)
    text = process.stderr.decode()
    assert ("zebraquartz" in text) is debug
    assert ("first to strike" in text) is debug  # the reply's text is the user's business too

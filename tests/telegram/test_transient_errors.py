"""Replies survive transient Telegram failures: dropped connections and 5xx are retried with a bounded
backoff, a send that may have arrived is retried at most once, and when all fails the user gets the apology."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

from bot.telegram.texts import texts
from bot.telegram.transient import RetryPlan, may_have_arrived
from tests.fakes import FakeBotApi
from tests.telegram.conftest import RunningBot


@pytest.mark.parametrize("code", [500, 502, 503])
async def test_a_5xx_answer_is_retried_and_the_reply_arrives(bot: RunningBot, code: int) -> None:
    bot.api.fail_next("sendMessage", code, times=2)
    reply = await bot.ask("first strike")
    assert "first" in reply["text"]
    assert len(bot.api.calls_to("sendMessage")) == 3
    assert len(bot.api.sent_texts(1001)) == 1


async def test_a_dropped_connection_is_retried_and_the_reply_arrives(bot: RunningBot) -> None:
    bot.api.drop_next("sendMessage")
    reply = await bot.ask("first strike")
    assert "first" in reply["text"]
    assert len(bot.api.sent_texts(1001)) == 1


async def test_a_connection_dropped_after_delivery_costs_one_duplicate_at_most(bot: RunningBot) -> None:
    """The client cannot tell a drop after delivery from one before: one retry, so two copies at most."""
    bot.api.drop_next("sendMessage", after=True, times=3)
    bot.api.user(1001, "User1001", language_code="en")
    bot.api.push_message("first strike", user=1001)
    await bot.api.wait_for(lambda: len(bot.api.sent_texts(1001)) >= 2)
    await bot.api.wait_idle(quiet=0.8, timeout=10)
    assert len([t for t in bot.api.sent_texts(1001) if "first" in t]) == 2


async def test_when_retries_run_out_the_user_gets_the_apology(bot: RunningBot) -> None:
    """Bounded: after RetryPlan.attempts failures the answer is given up and the error handler apologises."""
    bot.api.fail_next("sendMessage", 500, times=RetryPlan().attempts)
    [apology] = await bot.replies("first strike")
    assert apology["text"] == texts("en").apology
    assert len(bot.api.calls_to("sendMessage")) == RetryPlan().attempts + 1


async def test_a_slow_answer_is_retried_once_and_never_again(start_bot) -> None:  # type: ignore[no-untyped-def]
    """Telegram delivers but answers after the read time-out: at most two copies, then the bot gives up."""
    bot: RunningBot = await start_bot(request_timeout_seconds=0.3)
    bot.api.delay_next("sendMessage", 0.6, after=True, times=10)
    bot.api.user(1001, "User1001", language_code="en")
    bot.api.push_message("first strike", user=1001)
    await bot.api.wait_for(lambda: len(bot.api.sent_texts(1001)) >= 2)
    await bot.api.wait_idle(quiet=0.8, timeout=10)
    answers = [t for t in bot.api.sent_texts(1001) if "first" in t]
    assert len(answers) == 2  # the first attempt arrived late; one retry, never a third copy
    assert len(bot.api.calls_to("sendMessage")) <= 4  # two tries of the answer, at most two of the apology


async def test_a_slow_answer_that_comes_in_time_for_the_retry_is_one_duplicate_at_most(start_bot) -> None:  # type: ignore[no-untyped-def]
    bot: RunningBot = await start_bot(request_timeout_seconds=0.3)
    bot.api.delay_next("sendMessage", 0.6, after=True, times=1)
    [first, second] = await bot.replies("first strike", n=2)
    await bot.api.wait_idle(quiet=0.5)
    assert first["text"] == second["text"] and "first" in first["text"]
    assert len(bot.api.calls_to("sendMessage")) == 2


async def test_what_may_have_arrived(fake_api: FakeBotApi) -> None:
    """Refused connections and 5xx answers were not delivered; a read time-out or a drop after sending may have been."""
    timeout = HTTPXRequest(read_timeout=0.2)
    async with Bot(fake_api.token, base_url=fake_api.base_url, request=timeout) as bot:
        seen: dict[str, bool] = {}
        for name, inject in (
            ("500", lambda: fake_api.fail_next("sendMessage", 500)),
            ("drop before", lambda: fake_api.drop_next("sendMessage")),
            ("drop after", lambda: fake_api.drop_next("sendMessage", after=True)),
            ("slow", lambda: fake_api.delay_next("sendMessage", 0.5, after=True)),
        ):
            inject()
            with pytest.raises(NetworkError) as caught:
                await bot.send_message(1001, "x")
            seen[name] = may_have_arrived(caught.value)
    with pytest.raises(NetworkError) as refused:  # nothing listens on port 9
        async with Bot(fake_api.token, base_url="http://127.0.0.1:9/bot"):
            pass
    seen["refused"] = may_have_arrived(refused.value)
    # A drop before acting looks like a drop after to the client: it cannot tell, so it must assume it may have arrived.
    assert seen == {"500": False, "drop before": True, "drop after": True, "slow": True, "refused": False}

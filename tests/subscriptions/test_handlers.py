"""/subscribe, /unsubscribe, the language button, /broadcast and /stats on the real Application."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.subscriptions.handlers import service_of
from bot.subscriptions.store import SubscriptionStore
from bot.subscriptions.texts import sub_texts
from tests.plain import plain
from tests.subscriptions.conftest import ADMIN_ID, BOT_OVERRIDES, RunningBot

StartBot = Callable[..., Awaitable[RunningBot]]
GROUP = -100555
ANONYMOUS_ADMIN_BOT = 1087968824


@pytest.fixture
async def running(start_bot: StartBot) -> RunningBot:
    return await start_bot(**BOT_OVERRIDES)


async def eventually(probe: Callable[[], Awaitable[Any]], expect: Any, timeout: float = 5.0) -> None:
    """Poll an async probe until it returns ``expect`` (journal writes follow Telegram's answer)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (value := await probe()) != expect:
        assert asyncio.get_running_loop().time() < deadline, f"still {value!r}, expected {expect!r}"
        await asyncio.sleep(0.02)


async def _question_counts(store: SubscriptionStore) -> tuple[int, int]:
    stats = await store.stats()
    return stats.answered, stats.unanswered


def store_of(running: RunningBot) -> SubscriptionStore:
    return service_of(running.app).store


@pytest.mark.parametrize(
    "text, language_code, lang, confirmation, summary_marker",
    [
        ("/subscribe", "en", "en", "Subscribed:", "The statement's proposals"),
        ("/subscribe", "ar-EG", "ar", "تم الاشتراك،", "مقترحات البيان"),
        ("/subscribe ar", "en", "ar", "تم الاشتراك،", "مقترحات البيان"),
        ("/subscribe EN", "ar", "en", "Subscribed:", "The statement's proposals"),
    ],
)
async def test_subscribe_confirms_and_sends_the_summary_in_the_chosen_language(
    running: RunningBot, text: str, language_code: str, lang: str, confirmation: str, summary_marker: str
) -> None:
    """Subscribing stores the language, confirms with a language button and sends the summary with its source at once."""
    confirm, summary = await running.replies(text, language_code=language_code, n=2)
    assert confirm["text"].startswith(confirmation)
    [[button]] = confirm["reply_markup"]["inline_keyboard"]
    assert button["callback_data"] == f"sub|{'en' if lang == 'ar' else 'ar'}"
    assert summary_marker in summary["text"] and "1." in summary["text"]
    assert any(e.get("url") == running.services.knowledge.documents[0].url for e in summary.get("entities", []))
    sub = await store_of(running).get(1001)
    assert sub is not None and sub.lang == lang and sub.chat_type == "private"


async def test_subscribing_again_only_says_so(running: RunningBot) -> None:
    """A second /subscribe in the same language does not resend the summary."""
    await running.replies("/subscribe", n=2)
    [again] = await running.replies("/subscribe")
    assert again["text"].startswith("This chat is already subscribed, in English.")
    await running.api.wait_idle()
    assert len(running.api.sent[1001]) == 3


async def test_language_button_switches_and_resends_the_summary(running: RunningBot) -> None:
    """Pressing the language button changes the subscription, edits the confirmation and sends the summary in that language."""
    confirm, _ = await running.replies("/subscribe", n=2)
    running.api.push_callback(confirm, "sub|ar", user=1001)
    [summary] = (await running.api.wait_for_messages(3, chat_id=1001))[2:]
    assert "مقترحات البيان" in summary["text"]
    assert running.api.sent[1001][0]["text"] == "ستصل الملخصات بالعربية."
    sub = await store_of(running).get(1001)
    assert sub is not None and sub.lang == "ar"


@pytest.mark.parametrize("user_lang, digest_lang, expected", [("en", "ar", "Unsubscribed."), ("ar", "en", "تم إلغاء الاشتراك")])
async def test_unsubscribe_in_both_languages(running: RunningBot, user_lang: str, digest_lang: str, expected: str) -> None:
    """/unsubscribe removes the chat and answers in the user's interface language (not the digest's); a second
    time says not subscribed; the note says summaries stop and questions still work."""
    await running.replies(f"/subscribe {digest_lang}", n=2, language_code=user_lang)
    [done] = await running.replies("/unsubscribe", language_code=user_lang)
    assert done["text"].startswith(expected) and sub_texts(user_lang).unsubscribed == plain(done["text"])  # type: ignore[arg-type]
    assert await store_of(running).get(1001) is None
    [again] = await running.replies("/unsubscribe")
    assert "/subscribe" in again["text"]


@pytest.mark.parametrize("usage", ["/subscribe fr", "/subscribe ar en"])
async def test_bad_subscribe_argument_gets_usage(running: RunningBot, usage: str) -> None:
    """An unknown language or extra words get the usage line and subscribe nothing."""
    [answer] = await running.replies(usage)
    assert answer["text"].startswith("Usage: /subscribe")
    assert await store_of(running).count() == 0


@pytest.mark.parametrize(
    "status, allowed",
    [("member", False), ("restricted", False), ("administrator", True), ("creator", True)],
)
async def test_only_group_admins_manage_the_group_subscription(running: RunningBot, status: str, allowed: bool) -> None:
    """In a group, getChatMember decides: administrators and the creator may subscribe, members may not."""
    running.api.group(GROUP, "Readers", "supergroup")
    running.api.set_member_status(GROUP, 2002, status)
    replies = await running.replies("/subscribe", user=2002, chat=GROUP, chat_type="supergroup", n=2 if allowed else 1)
    assert any(c.params.get("chat_id") == GROUP for c in running.api.calls_to("getChatMember"))
    sub = await store_of(running).get(GROUP)
    if allowed:
        assert sub is not None and sub.chat_type == "supergroup"
    else:
        assert sub is None and replies[0]["text"] == "In groups only administrators can manage the subscription."


async def test_member_cannot_unsubscribe_the_group(running: RunningBot) -> None:
    """A plain member's /unsubscribe leaves the group subscribed."""
    running.api.group(GROUP, "Readers", "supergroup")
    await store_of(running).subscribe(GROUP, "supergroup", "en")
    running.api.set_member_status(GROUP, 2003, "member")
    [refusal] = await running.replies("/unsubscribe", user=2003, chat=GROUP, chat_type="supergroup")
    assert "administrators" in refusal["text"]
    assert await store_of(running).get(GROUP) is not None


async def test_anonymous_admin_writing_as_the_group_may_subscribe(running: RunningBot) -> None:
    """A message sent as the group itself (anonymous administrator) counts as an administrator's."""
    group = running.api.group(GROUP, "Readers", "supergroup")
    await running.replies("/subscribe ar", user=ANONYMOUS_ADMIN_BOT, chat=GROUP, chat_type="supergroup", n=2, extra={"sender_chat": group})
    sub = await store_of(running).get(GROUP)
    assert sub is not None and sub.lang == "ar"


async def test_broadcast_is_refused_for_non_admins(running: RunningBot) -> None:
    """Anyone not in BOT_ADMIN_IDS gets a refusal; nothing is queued or sent."""
    await store_of(running).subscribe(3001, "private", "en")
    [refusal] = await running.replies("/broadcast", user=1001)
    assert refusal["text"] == "Only the bot's administrators can use this command."
    await running.api.wait_idle()
    assert 3001 not in running.api.sent
    assert await store_of(running).unfinished_broadcasts() == []


async def test_admin_broadcast_reaches_every_subscriber_once(running: RunningBot) -> None:
    """/broadcast from an admin sends the summary to each subscriber exactly once, in their language."""
    store = store_of(running)
    chats = {3001: "en", 3002: "ar", -3003: "en"}
    for chat_id, lang in chats.items():
        await store.subscribe(chat_id, "private" if chat_id > 0 else "group", lang)  # type: ignore[arg-type]
    [queued] = await running.replies("/broadcast", user=ADMIN_ID)
    assert queued["text"] == "Sending the summary to 3 subscribers."
    await running.api.wait_for(lambda: all(running.api.sent.get(c) for c in chats))
    await running.api.wait_idle()
    assert {c: len(running.api.sent[c]) for c in chats} == dict.fromkeys(chats, 1)
    assert "مقترحات البيان" in running.api.sent[3002][0]["text"]
    await eventually(lambda: store.unfinished_broadcasts(), expect=[])


async def test_stats_counts_for_admins_only(running: RunningBot) -> None:
    """/stats shows subscribers by language and type, questions answered/unanswered and removals; others are refused."""
    store = store_of(running)
    await store.subscribe(5001, "private", "ar")
    await store.subscribe(-5002, "group", "en")
    await store.remove_subscriber(-5002, "kicked")
    await running.ask("What did Putin propose about elections?", user=5003)
    await running.ask("What is the weather in Paris tomorrow?", user=5003)
    # Counting follows the reply (a hook), so wait for it rather than race the next update.
    await eventually(lambda: _question_counts(store), expect=(1, 1))
    [refusal] = await running.replies("/stats", user=5003)
    assert refusal["text"] == "Only the bot's administrators can use this command."
    [stats] = await running.replies("/stats", user=ADMIN_ID)
    text = stats["text"]
    assert "Subscribers: 1" in text and "By language: ar 1" in text and "By chat type: private 1" in text
    assert "Questions: 1 answered, 1 not answered" in text
    assert "Subscribers removed: 1 (kicked 1)" in text
    assert "elections" not in text and "Paris" not in text

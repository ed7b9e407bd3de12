"""Scheduled digests on the real Application and the fake Bot API: a series that moves on each slot, the
buttons every digest carries, and "when is the next one" for a given schedule and clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.subscriptions.digest import format_when
from bot.subscriptions.handlers import CLOCK_KEY, service_of
from bot.subscriptions.service import SubscriptionService
from bot.subscriptions.texts import sub_texts
from tests.clock import ManualClock
from tests.plain import plain
from tests.subscriptions.conftest import BOT_OVERRIDES, RunningBot

StartBot = Callable[..., Awaitable[RunningBot]]
GROUP = -100444
TUESDAY_NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # the last Monday 09:00 is > 6 h ago: no catch-up at start
FIRST_SLOT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


async def started(start_bot: StartBot, now: datetime, schedule: str = "weekly mon 09:00") -> tuple[RunningBot, ManualClock]:
    clock = ManualClock(now.timestamp())
    running = await start_bot(bot_data={CLOCK_KEY: clock}, **{**BOT_OVERRIDES, "digest_schedule": schedule})
    return running, clock


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def button(message: dict[str, Any], data_prefix: str) -> dict[str, Any]:
    [found] = [b for b in buttons_of(message) if b.get("callback_data", "").startswith(data_prefix)]
    return found


async def fire(service: SubscriptionService, clock: ManualClock, due: datetime) -> int | None:
    """The schedule loop's call for the slot ``due``, with the clock at that moment."""
    clock.now = due.timestamp()
    return await service.queue_scheduled(due)


async def test_scheduled_digests_feature_each_item_in_turn_then_cycle(start_bot: StartBot) -> None:
    """Each slot features the next proposal or call (its summary, quote and source) in both languages,
    says when the following one comes and carries the buttons; after the last item the series starts over.
    A slot queued twice (a second replica, a restart) sends nothing more and does not move the series."""
    running, clock = await started(start_bot, TUESDAY_NOON)
    api, service = running.api, service_of(running.app)
    await service.store.subscribe(3001, "private", "en")
    await service.store.subscribe(3002, "private", "ar")
    series = running.services.knowledge.summarized()
    rounds = len(series) + 2
    for n in range(rounds):
        assert await fire(service, clock, FIRST_SLOT + n * WEEK) is not None
        await api.wait_for_messages(n + 1, chat_id=3001)
        await api.wait_for_messages(n + 1, chat_id=3002)
    assert await fire(service, clock, FIRST_SLOT + (rounds - 1) * WEEK) is None  # the same slot again
    await api.wait_idle()
    assert len(api.sent[3001]) == len(api.sent[3002]) == rounds

    for n, (en, ar) in enumerate(zip(api.sent[3001], api.sent[3002], strict=True)):
        doc, passage = series[n % len(series)]
        assert en["text"].startswith(f"Bayan weekly digest · {n % len(series) + 1} of {len(series)}\n")
        assert passage.summary_en in en["text"] and passage.text_en in en["text"]
        assert any(e.get("url") == doc.url for e in en.get("entities", []))
        assert en["text"].endswith(f"Next digest: {format_when(FIRST_SLOT + (n + 1) * WEEK, 'en')}.")
        assert plain(ar["text"]).startswith(f"ملخص «بيان» الأسبوعي · {n % len(series) + 1} من {len(series)}\n")
        assert passage.summary_ar in ar["text"] and passage.text_ar in ar["text"]
        for message, other in ((en, "ar"), (ar, "en")):
            assert button(message, f"sub|{other}|")
            assert button(message, "sub|off")
            assert button(message, "v1|list|")
    featured = [m["text"].split("\n", 1)[0] for m in api.sent[3001]]
    assert len(set(featured[: len(series)])) == len(series)  # all different...
    assert featured[len(series) :] == featured[:2]  # ...then round again
    assert api.sent[3001][0]["text"].endswith("Next digest: Monday 14 December 2026 at 09:00 UTC.")
    cursor = await service.store.digest_cursor()
    assert cursor is not None and cursor.position == (rounds - 1) % len(series)


async def test_digest_buttons_switch_language_and_unsubscribe_where_the_digest_arrived(start_bot: StartBot) -> None:
    """On a digest: the language button shows it in Arabic and moves the subscription (the next digest comes
    in Arabic); unsubscribe stops the digests, says questions still work and leaves "all proposals", which works."""
    running, clock = await started(start_bot, TUESDAY_NOON)
    api, service = running.api, service_of(running.app)
    api.user(3001, "Reader", language_code="en")
    await service.store.subscribe(3001, "private", "en")
    await fire(service, clock, FIRST_SLOT)
    [digest] = await api.wait_for_messages(1, chat_id=3001)

    uid = api.push_callback(digest, button(digest, "sub|ar|")["callback_data"], user=3001)
    query_id = api.update(uid)["callback_query"]["id"]
    await api.wait_for(lambda: query_id in api.callback_answers)
    assert api.callback_answers[query_id]["text"] == sub_texts("ar").language_set
    await api.wait_for(lambda: "ملخص «بيان» الأسبوعي" in plain(api.sent[3001][0]["text"]))
    edited = api.sent[3001][0]
    assert button(edited, "sub|en|")["text"] == "English" and button(edited, "sub|off")["text"] == "إلغاء الاشتراك"
    subscriber = await service.store.get(3001)
    assert subscriber is not None and subscriber.lang == "ar"
    await fire(service, clock, FIRST_SLOT + WEEK)
    [_, second] = await api.wait_for_messages(2, chat_id=3001)
    assert plain(second["text"]).startswith("ملخص «بيان» الأسبوعي · 2 من")

    api.push_callback(second, "sub|off", user=3001)
    [_, _, note] = await api.wait_for_messages(3, chat_id=3001)
    assert plain(note["text"]) == sub_texts("en").unsubscribed  # the presser's language, as for /unsubscribe
    assert await service.store.get(3001) is None
    await api.wait_for(lambda: all(not b["callback_data"].startswith("sub|") for b in buttons_of(api.sent[3001][1])))
    [left] = buttons_of(api.sent[3001][1])
    api.push_callback(api.sent[3001][1], left["callback_data"], user=3001)
    [*_, proposals] = await api.wait_for_messages(4, chat_id=3001)
    assert "The statement's proposals" in proposals["text"]
    await fire(service, clock, FIRST_SLOT + 2 * WEEK)
    await api.wait_idle()
    assert len(api.sent[3001]) == 4  # unsubscribed: no third digest


async def test_in_a_group_only_administrators_use_the_digest_buttons(start_bot: StartBot) -> None:
    """A member pressing unsubscribe or the language switch on a group's digest gets an alert; nothing changes."""
    running, clock = await started(start_bot, TUESDAY_NOON)
    api, service = running.api, service_of(running.app)
    api.group(GROUP, "Readers", "supergroup")
    api.set_member_status(GROUP, 2002, "member")
    await service.store.subscribe(GROUP, "supergroup", "en")
    await fire(service, clock, FIRST_SLOT)
    [digest] = await api.wait_for_messages(1, chat_id=GROUP)
    for data in ("sub|off", button(digest, "sub|ar|")["callback_data"]):
        uid = api.push_callback(digest, data, user=2002)
        query_id = api.update(uid)["callback_query"]["id"]
        await api.wait_for(lambda qid=query_id: qid in api.callback_answers)  # type: ignore[misc]
        assert api.callback_answers[query_id]["show_alert"] is True
    subscriber = await service.store.get(GROUP)
    assert subscriber is not None and subscriber.lang == "en"
    api.set_member_status(GROUP, 2003, "administrator")
    api.push_callback(digest, "sub|off", user=2003)
    [_, note] = await api.wait_for_messages(2, chat_id=GROUP)
    assert plain(note["text"]) == sub_texts("en").unsubscribed
    assert await service.store.get(GROUP) is None


@pytest.mark.parametrize(
    "schedule, now, lang, expected",
    [
        ("weekly mon 09:00", datetime(2026, 11, 28, 23, 0, tzinfo=UTC), "en", "(the next on Monday 30 November 2026 at 09:00 UTC)"),
        (
            "weekly mon 09:00",
            datetime(2026, 11, 28, 23, 0, tzinfo=UTC),
            "ar",
            "والموعد القادم الاثنين 30 تشرين الثاني/نوفمبر 2026، الساعة 09:00 بالتوقيت العالمي المنسق (UTC)،",
        ),
        ("daily 08:30", datetime(2026, 11, 29, 8, 30, tzinfo=UTC), "en", "Every day one of the statement's proposals or calls, in turn (the next on Monday 30 November 2026 at 08:30 UTC)"),
        ("daily 08:30", datetime(2026, 11, 29, 8, 29, tzinfo=UTC), "en", "(the next on Sunday 29 November 2026 at 08:30 UTC)"),
        ("weekly fri 18:00", datetime(2026, 12, 31, 12, 0, tzinfo=UTC), "ar", "والموعد القادم الجمعة 1 كانون الثاني/يناير 2027، الساعة 18:00"),
        ("off", datetime(2026, 11, 28, 23, 0, tzinfo=UTC), "en", "No scheduled digests are set; what changed is sent whenever the summary changes."),
    ],
)
async def test_subscribed_reply_states_the_next_run_and_the_language(
    start_bot: StartBot, schedule: str, now: datetime, lang: str, expected: str
) -> None:
    """The confirmation names the language and, from BOT_DIGEST_SCHEDULE and the clock, when the next digest comes."""
    running, _ = await started(start_bot, now, schedule)
    confirm, _ = await running.replies(f"/subscribe {lang}", n=2)
    text = plain(confirm["text"])
    assert expected in text
    assert text.startswith("Subscribed: summaries will be sent to this chat in English." if lang == "en" else "تم الاشتراك، وستُرسل الملخصات إلى هذه المحادثة بالعربية.")
    assert "/unsubscribe" in text


async def test_an_administrators_broadcast_says_when_the_next_scheduled_digest_comes(start_bot: StartBot) -> None:
    """/broadcast sends the full summary under its title, with the next scheduled digest from the clock."""
    running, _ = await started(start_bot, datetime(2026, 12, 2, 1, 0, tzinfo=UTC), "weekly wed 07:15")
    await service_of(running.app).store.subscribe(3001, "private", "en")
    await running.replies("/broadcast", user=42)
    [summary] = await running.api.wait_for_messages(1, chat_id=3001)
    assert summary["text"].startswith("Bayan digest: all the proposals\n")
    assert summary["text"].endswith("Next digest: Wednesday 2 December 2026 at 07:15 UTC.")
    assert button(summary, "sub|off") and button(summary, "sub|ar|")

"""The fake Bot API behaves like Telegram for the real PTB ``Bot`` and ``Application``."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.fakes import FakeBotApi, FloodControl


@pytest.fixture
async def bot(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(fake_api.token, base_url=fake_api.base_url) as bot:
        yield bot


def keyboard(**button: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("press", **button)]])


async def test_get_me_returns_the_bot_user(bot: Bot, fake_api: FakeBotApi) -> None:
    """getMe answers with a bot user PTB accepts, including the inline-mode flag."""
    me = await bot.get_me()
    assert me.username == "bayan_test_bot" and me.is_bot and me.supports_inline_queries
    assert me.id == fake_api.bot_user["id"]


async def test_wrong_token_is_unauthorized(fake_api: FakeBotApi) -> None:
    """A token the server does not know is refused with 401, which PTB reports as InvalidToken."""
    with pytest.raises(InvalidToken):
        async with Bot("42:WRONG", base_url=fake_api.base_url):
            pass


async def test_send_message_parses_html_into_entities(bot: Bot, fake_api: FakeBotApi) -> None:
    """HTML becomes plain text plus UTF-16 entities, and the message is recorded per chat."""
    text = '😀 <b>bold</b> &lt;tag&gt; <a href="https://tass.ru/a?x=1&amp;y=2">link</a> <blockquote>q</blockquote>'
    message = await bot.send_message(7, text, parse_mode=ParseMode.HTML)
    assert message.text == "😀 bold <tag> link q"
    assert message.parse_entities() == {
        message.entities[0]: "bold",
        message.entities[1]: "link",
        message.entities[2]: "q",
    }
    assert message.entities[1].url == "https://tass.ru/a?x=1&y=2"
    assert fake_api.sent_texts(7) == ["😀 bold <tag> link q"]
    assert message.from_user.id == fake_api.bot_user["id"]


async def test_message_ids_increase_per_chat(bot: Bot) -> None:
    """Each chat has its own increasing message ids, as in Telegram."""
    ids = [(await bot.send_message(chat, "x")).message_id for chat in (1, 1, 2, 1)]
    assert ids == [1, 2, 1, 3]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a < b", "can't parse entities"),
        ("Tom & Jerry", "can't parse entities"),
        ("<b>open", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "unmatched end tag"),
        ("line<br>break", 'unsupported start tag "br"'),
        ("<span>x</span>", "tg-spoiler"),
        ("x" * 4097, "message is too long"),
        ("<b>" + "x" * 4096 + "</b>", None),
        ("   ", "message text is empty"),
        ("<b></b>", "message text is empty"),
    ],
)
async def test_html_is_validated_like_telegram(bot: Bot, text: str, error: str | None) -> None:
    """Malformed HTML, over-long or empty text raise BadRequest with Telegram's wording; 4096 after parsing is fine."""
    if error is None:
        await bot.send_message(1, text, parse_mode=ParseMode.HTML)
        return
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(1, text, parse_mode=ParseMode.HTML)
    assert error in caught.value.message.lower()


@pytest.mark.parametrize(
    ("button", "ok"),
    [
        ({"callback_data": "x" * 64}, True),
        ({"callback_data": "ب" * 32}, True),
        ({"callback_data": "x" * 65}, False),
        ({"callback_data": "ب" * 33}, False),
        ({"switch_inline_query": "proposal 3"}, True),
        ({"url": "https://tass.ru"}, True),
        ({"url": "tass.ru"}, False),
    ],
)
async def test_inline_keyboard_buttons_are_validated(bot: Bot, button: dict[str, str], ok: bool) -> None:
    """Callback data must be 1–64 bytes and URLs real, else BadRequest (BUTTON_DATA_INVALID / wrong URL)."""
    if ok:
        message = await bot.send_message(1, "x", reply_markup=keyboard(**button))
        assert message.reply_markup == keyboard(**button)
        return
    with pytest.raises(BadRequest):
        await bot.send_message(1, "x", reply_markup=keyboard(**button))


async def test_injected_429_raises_retry_after(bot: Bot, fake_api: FakeBotApi) -> None:
    """fail_next(429) answers once with retry_after, then the method works again."""
    fake_api.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1, "x")
    assert caught.value.retry_after in (3, dt.timedelta(seconds=3))
    await bot.send_message(1, "x")
    assert len(fake_api.sent[1]) == 1


async def test_faults_can_target_one_chat(bot: Bot, fake_api: FakeBotApi) -> None:
    """A fault limited to a chat leaves other chats alone."""
    fake_api.fail_next("sendMessage", 400, "Bad Request: injected", chat_id=2)
    await bot.send_message(1, "x")
    with pytest.raises(BadRequest, match="(?i)injected"):
        await bot.send_message(2, "x")


@pytest.mark.parametrize("after", [False, True])
async def test_dropped_connection_is_a_network_error(bot: Bot, fake_api: FakeBotApi, after: bool) -> None:
    """drop_next breaks the connection; with after=True the message was delivered all the same."""
    fake_api.drop_next("sendMessage", after=after)
    with pytest.raises(NetworkError):
        await bot.send_message(1, "x")
    assert len(fake_api.sent[1]) == (1 if after else 0)


@pytest.mark.parametrize(
    ("setup", "error", "match"),
    [
        (lambda api: api.block(5), Forbidden, "bot was blocked by the user"),
        (lambda api: api.forget_chat(5), BadRequest, "chat not found"),
        (lambda api: api.kick(-42), Forbidden, "bot was kicked from the group chat"),
        (lambda api: api.kick(-1001234), Forbidden, "bot was kicked from the supergroup chat"),
    ],
)
async def test_unreachable_chats_refuse_messages(bot: Bot, fake_api: FakeBotApi, setup, error, match: str) -> None:
    """Blocked users, unknown chats and kicked-from groups give Telegram's errors."""
    setup(fake_api)
    chat_id = next(iter(fake_api._chats))
    with pytest.raises(error, match=f"(?i){match}"):
        await bot.send_message(chat_id, "x")
    assert fake_api.all_sent == []


async def test_unknown_chats_can_be_refused(fake_api: FakeBotApi, bot: Bot) -> None:
    """With auto_create_chats off, only chats the test created exist."""
    fake_api.auto_create_chats = False
    fake_api.private_chat(fake_api.user(9))
    await bot.send_message(9, "x")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(10, "x")


async def test_reply_parameters_need_an_existing_message(bot: Bot, fake_api: FakeBotApi) -> None:
    """Replying quotes the target message; a missing target is an error unless allowed."""
    update_id = fake_api.push_message("question")
    question = fake_api.update(update_id)["message"]
    reply = await bot.send_message(question["chat"]["id"], "answer", reply_parameters=ReplyParameters(question["message_id"]))
    assert reply.reply_to_message.text == "question"
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(question["chat"]["id"], "x", reply_parameters=ReplyParameters(999))
    lenient = await bot.send_message(question["chat"]["id"], "x", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True))
    assert lenient.reply_to_message is None


async def test_long_polling_returns_as_soon_as_an_update_arrives(bot: Bot, fake_api: FakeBotApi) -> None:
    """getUpdates with a timeout waits, then returns promptly when an update is pushed."""
    asyncio.get_running_loop().call_later(0.05, fake_api.push_message, "hello")
    started = time.monotonic()
    updates = await bot.get_updates(timeout=10)
    assert time.monotonic() - started < 1
    assert [u.message.text for u in updates] == ["hello"]


async def test_offset_confirms_earlier_updates(bot: Bot, fake_api: FakeBotApi) -> None:
    """Updates stay until an offset above them is sent; limit caps the batch; negative offset keeps the tail."""
    ids = [fake_api.push_message(f"m{i}") for i in range(5)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates(offset=ids[3])] == ids[3:]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[4:]
    assert await bot.get_updates(offset=ids[4] + 1) == ()


async def test_allowed_updates_filters_delivery(bot: Bot, fake_api: FakeBotApi) -> None:
    """Update kinds outside allowed_updates are never delivered."""
    fake_api.push_inline_query("x")
    wanted = fake_api.push_message("y")
    assert [u.update_id for u in await bot.get_updates(allowed_updates=["message"])] == [wanted]


async def test_second_poller_conflicts(bot: Bot, fake_api: FakeBotApi) -> None:
    """A concurrent getUpdates terminates the earlier long poll with 409, like two bot instances."""
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    async with Bot(fake_api.token, base_url=fake_api.base_url) as second:
        await second.get_updates(timeout=0)
    with pytest.raises(Conflict):
        await first


async def test_webhook_blocks_get_updates(bot: Bot) -> None:
    """While a webhook is set getUpdates is refused; deleteWebhook restores it."""
    await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_callback_queries_are_answered_once(bot: Bot, fake_api: FakeBotApi) -> None:
    """A pressed button's query can be answered once, with at most 200 characters."""
    message = await bot.send_message(1, "x", reply_markup=keyboard(callback_data="lang:ar"))
    fake_api.push_callback(fake_api.sent[1][0], "lang:ar", user=1)
    [update] = await bot.get_updates()
    assert update.callback_query.data == "lang:ar" and update.callback_query.message.message_id == message.message_id
    with pytest.raises(BadRequest, match="(?i)MESSAGE_TOO_LONG"):
        await update.callback_query.answer("x" * 201)
    await update.callback_query.answer("ok")
    assert fake_api.callback_answers[update.callback_query.id]["text"] == "ok"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await update.callback_query.answer("again")


async def test_edit_message_text_and_not_modified(bot: Bot, fake_api: FakeBotApi) -> None:
    """Edits change the recorded message; an identical edit is refused as "message is not modified"."""
    message = await bot.send_message(1, "before")
    edited = await bot.edit_message_text("<i>after</i>", 1, message.message_id, parse_mode=ParseMode.HTML)
    assert edited.text == "after" and fake_api.sent_texts(1) == ["after"]
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_text("<i>after</i>", 1, message.message_id, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", 1, 999)


def article(result_id: str, text: str = "quote") -> InlineQueryResultArticle:
    return InlineQueryResultArticle(result_id, "title", InputTextMessageContent(text, parse_mode=ParseMode.HTML))


@pytest.mark.parametrize(
    ("results", "match"),
    [
        ([article(str(i)) for i in range(50)], None),
        ([article(str(i)) for i in range(51)], "RESULTS_TOO_MUCH"),
        ([article("a"), article("a")], "RESULT_ID_DUPLICATE"),
        ([article("x" * 65)], "RESULT_ID_INVALID"),
        ([article("a", "5 < 6")], "can't parse entities"),
        ([article("a", "y" * 4097)], "too long"),
    ],
)
async def test_inline_answers_are_validated(bot: Bot, fake_api: FakeBotApi, results, match: str | None) -> None:
    """answerInlineQuery checks count, ids and each message text like Telegram."""
    fake_api.push_inline_query("q")
    [update] = await bot.get_updates()
    if match is None:
        await update.inline_query.answer(results, cache_time=60)
        answer = fake_api.inline_answers[update.inline_query.id]
        assert len(answer["results"]) == 50 and answer["cache_time"] == 60
        return
    with pytest.raises(BadRequest, match=f"(?i){match}"):
        await update.inline_query.answer(results)


async def test_expired_inline_query_is_refused(bot: Bot, fake_api: FakeBotApi) -> None:
    """A query that is too old cannot be answered."""
    fake_api.push_inline_query("q")
    [update] = await bot.get_updates()
    fake_api.expire_queries()
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await update.inline_query.answer([article("a")])


async def test_commands_are_stored_per_scope_and_language(bot: Bot, fake_api: FakeBotApi) -> None:
    """setMyCommands keeps one list per (scope, language) and getMyCommands reads it back."""
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    await bot.set_my_commands([("start", "ابدأ")], language_code="ar")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="ar")] == ["ابدأ"]
    assert fake_api.commands(language_code="ar") == [{"command": "start", "description": "ابدأ"}]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bad-Command", "x")])


@pytest.mark.parametrize("status", ["creator", "administrator", "member", "restricted", "left", "kicked"])
async def test_chat_member_status_is_configurable(bot: Bot, fake_api: FakeBotApi, status: str) -> None:
    """getChatMember reports the status the test set, in a shape PTB parses."""
    fake_api.group(-100, "G")
    fake_api.set_member_status(-100, 7, status)
    member = await bot.get_chat_member(-100, 7)
    assert member.status == status and member.user.id == 7
    admins = await bot.get_chat_administrators(-100)
    assert [a.user.id for a in admins] == ([7] if status in ("creator", "administrator") else [])


async def test_flood_control_answers_429(bot: Bot, fake_api: FakeBotApi) -> None:
    """With flood control on, a second message to the same chat within a second gets 429."""
    fake_api.enable_flood_control(FloodControl(per_chat_per_second=1, retry_after=2))
    await bot.send_message(1, "a")
    await bot.send_message(2, "b")
    with pytest.raises(RetryAfter):
        await bot.send_message(1, "c")
    assert fake_api.flood_rejections == 1


async def test_application_echo_round_trip_and_quick_shutdown(fake_api: FakeBotApi) -> None:
    """A real Application polls the fake, answers every pushed message, and stops within a second."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    app = ApplicationBuilder().token(fake_api.token).base_url(fake_api.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        users = [fake_api.user(2000 + i) for i in range(30)]
        for user in users:
            fake_api.push_message(f"hi {user['id']}", user=user)
        await fake_api.wait_for_messages(30)
        await fake_api.wait_idle()
        stopping = time.monotonic()
        await app.updater.stop()
        await app.stop()
    assert time.monotonic() - stopping < 1
    assert sorted(fake_api.sent_texts()) == sorted(f"echo: hi {u['id']}" for u in users)


async def test_wait_idle_times_out_when_nobody_polls(fake_api: FakeBotApi) -> None:
    """An undelivered update keeps the fake from being idle, so silence is never assumed by mistake."""
    fake_api.push_message("nobody reads this")
    with pytest.raises(AssertionError, match="(?i)not idle"):
        await fake_api.wait_idle(timeout=0.2)

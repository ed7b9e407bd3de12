"""The fake Bot API behaves like Telegram for the real PTB ``Bot`` and ``Application``."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
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
    assert fake_api.sent_html(7) == [
        '😀 <b>bold</b> &lt;tag&gt; <a href="https://tass.ru/a?x=1&y=2">link</a> <blockquote>q</blockquote>'
    ]
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
    ("setup", "chat_id", "error", "match"),
    [
        (FakeBotApi.block, 5, Forbidden, "bot was blocked by the user"),
        (FakeBotApi.forget_chat, 5, BadRequest, "chat not found"),
        (FakeBotApi.kick, -42, Forbidden, "bot was kicked from the group chat"),
        (FakeBotApi.kick, -1001234, Forbidden, "bot was kicked from the supergroup chat"),
        (FakeBotApi.deactivate, 5, Forbidden, "user is deactivated"),
        (lambda api, chat_id: api.migrate(chat_id, -1009), -42, ChatMigrated, "-1009"),
    ],
)
async def test_unreachable_chats_refuse_messages(
    bot: Bot, fake_api: FakeBotApi, setup, chat_id: int, error, match: str
) -> None:
    """Blocked or deleted users, unknown chats, kicked-from and migrated groups give Telegram's errors."""
    setup(fake_api, chat_id)
    with pytest.raises(error, match=f"(?i){match}"):
        await bot.send_message(chat_id, "x")
    assert fake_api.all_sent == []


@pytest.mark.parametrize(
    ("setup", "readable"), [("block", True), ("deactivate", True), ("kick", False), ("forget_chat", False)]
)
async def test_refusals_also_apply_to_chat_info(bot: Bot, fake_api: FakeBotApi, setup: str, readable: bool) -> None:
    """A blocked user's chat can still be read; a kicked-from or unknown chat cannot; unblock undoes it."""
    chat_id = 5 if setup in ("block", "deactivate") else -42
    getattr(fake_api, setup)(chat_id)
    if readable:
        assert (await bot.get_chat(chat_id)).id == chat_id
    else:
        with pytest.raises((Forbidden, BadRequest)):
            await bot.get_chat(chat_id)
    fake_api.unblock(chat_id)
    await bot.send_message(chat_id, "back")


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
    reply = await bot.send_message(
        question["chat"]["id"], "answer", reply_parameters=ReplyParameters(question["message_id"])
    )
    assert reply.reply_to_message.text == "question"
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(question["chat"]["id"], "x", reply_parameters=ReplyParameters(999))
    lenient = await bot.send_message(
        question["chat"]["id"], "x", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
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


@pytest.mark.parametrize(("start_parameter", "ok"), [("subscribe", True), ("bad parameter!", False), ("x" * 65, False)])
async def test_inline_results_button_is_validated(
    bot: Bot, fake_api: FakeBotApi, start_parameter: str, ok: bool
) -> None:
    """The button above inline results needs a deep-link parameter of 1-64 of [A-Za-z0-9_-]."""
    fake_api.push_inline_query("")
    [update] = await bot.get_updates()
    button = InlineQueryResultsButton("Open the bot", start_parameter=start_parameter)
    if ok:
        await update.inline_query.answer([article("a")], button=button)
        assert fake_api.inline_answers[update.inline_query.id]["button"]["start_parameter"] == start_parameter
    else:
        with pytest.raises(BadRequest):
            await update.inline_query.answer([article("a")], button=button)


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


def echo_app(fake_api: FakeBotApi) -> Any:
    """A real Application on the fake that answers every text message with an echo of it."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    app = ApplicationBuilder().token(fake_api.token).base_url(fake_api.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def test_application_echo_round_trip_and_quick_shutdown(fake_api: FakeBotApi) -> None:
    """A real Application polls the fake, answers every pushed message, and stops within a second."""

    app = echo_app(fake_api)
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


async def test_json_bodies_and_unknown_methods_answer_like_telegram(fake_api: FakeBotApi) -> None:
    """JSON bodies work as well as PTB's form posts; an unknown method is 404 "Not Found"."""
    async with aiohttp.ClientSession() as http:
        url = f"{fake_api.base_url}{fake_api.token}"
        async with http.post(
            f"{url}/sendMessage", json={"chat_id": 3, "text": "<b>x</b>", "parse_mode": "HTML"}
        ) as response:
            body = await response.json()
        assert response.status == 200 and body["result"]["entities"] == [{"offset": 0, "length": 1, "type": "bold"}]
        async with http.post(
            f"{url}/sendMessage", json={"chat_id": 3, "text": "a < b", "parse_mode": "HTML"}
        ) as response:
            body = await response.json()
        assert response.status == 400 and body["error_code"] == 400
        assert body["description"].startswith("Bad Request: can't parse entities: ")
        for method in ("sendMessage", "getChat", "getChatMember", "deleteMessage"):
            async with http.post(f"{url}/{method}", json={"text": "x"}) as response:
                assert (response.status, (await response.json())["description"]) == (
                    400,
                    "Bad Request: chat_id is empty",
                )
        async with http.post(f"{url}/sendTelepathy", json={}) as response:
            assert (response.status, await response.json()) == (
                404,
                {"ok": False, "error_code": 404, "description": "Not Found"},
            )


async def test_non_text_and_edited_updates_reach_ptb(bot: Bot, fake_api: FakeBotApi) -> None:
    """Stickers, edits and bot-added-to-group updates arrive in shapes PTB parses."""
    first = fake_api.push_message("typo", user=5)
    fake_api.push_edited_message(fake_api.update(first)["message"], "fixed /help")
    fake_api.push_sticker(user=5)
    fake_api.push_bot_added(fake_api.group(-42, "G"), by=5)
    message, edited, sticker, added = await bot.get_updates()
    assert (
        edited.edited_message.text == "fixed /help" and edited.edited_message.message_id == message.message.message_id
    )
    assert edited.edited_message.entities[0].type == "bot_command"
    assert sticker.message.sticker.emoji and sticker.message.text is None
    assert added.my_chat_member.new_chat_member.status == "member" and added.my_chat_member.chat.id == -42


async def test_group_message_mentions_and_replies(bot: Bot, fake_api: FakeBotApi) -> None:
    """Group messages carry mention and command entities and replies carry the bot's message."""
    sent = await bot.send_message(-42, "answer")
    fake_api.push_message("@bayan_test_bot hi /ask@bayan_test_bot x", user=5, chat=-42, chat_type="supergroup")
    fake_api.push_message("thanks", user=6, chat=-42, reply_to=fake_api.sent[-42][0])
    mention, reply = await bot.get_updates()
    assert [e.type for e in mention.message.entities] == ["mention", "bot_command"]
    assert mention.message.chat.type == "group"  # the group already existed when the bot wrote to it
    assert reply.message.reply_to_message.message_id == sent.message_id
    assert reply.message.reply_to_message.from_user.id == fake_api.bot_user["id"]


async def test_forum_topics_carry_their_thread_both_ways(bot: Bot, fake_api: FakeBotApi) -> None:
    """In a forum, a topic message has its thread id and the topic's service message as reply; sends keep the thread they name."""
    forum = fake_api.group(-1007, "Forum", "supergroup", forum=True)
    thread = fake_api.topic(-1007, "Elections", by=5)
    fake_api.push_message("in the topic", user=6, chat=forum, topic=thread)
    opened, posted = await bot.get_updates()
    assert opened.message.forum_topic_created.name == "Elections" and opened.message.message_thread_id == thread
    assert posted.message.is_topic_message and posted.message.message_thread_id == thread
    assert posted.message.reply_to_message.forum_topic_created is not None
    assert posted.message.chat.is_forum
    in_topic = await bot.send_message(-1007, "answer", message_thread_id=thread)
    in_general = await bot.send_message(-1007, "answer", reply_parameters=ReplyParameters(posted.message.message_id))
    assert (in_topic.is_topic_message, in_topic.message_thread_id) == (True, thread)
    assert not in_general.is_topic_message and in_general.message_thread_id is None


@pytest.mark.parametrize(("chat_id", "forum"), [(-1007, True), (-1008, False)])
async def test_sending_to_a_missing_topic_is_refused(bot: Bot, fake_api: FakeBotApi, chat_id: int, forum: bool) -> None:
    """A message_thread_id that names no open topic of the chat (or a chat without topics) gets Telegram's 400."""
    fake_api.group(chat_id, "G", "supergroup", forum=forum)
    with pytest.raises(BadRequest, match="thread not found"):
        await bot.send_message(chat_id, "answer", message_thread_id=99)


async def test_bot_membership_changes_arrive_and_take_effect(bot: Bot, fake_api: FakeBotApi) -> None:
    """Added as admin, then kicked: my_chat_member updates PTB parses, and a kicked bot's sends get 403."""
    fake_api.push_bot_added(-43, by=5, status="administrator")
    fake_api.push_my_chat_member(-43, "administrator", "kicked", by=5)
    added, kicked = await bot.get_updates()
    assert (added.my_chat_member.old_chat_member.status, added.my_chat_member.new_chat_member.status) == ("left", "administrator")
    assert kicked.my_chat_member.new_chat_member.status == "kicked" and kicked.my_chat_member.from_user.id == 5
    with pytest.raises(Forbidden, match="kicked"):
        await bot.send_message(-43, "still here?")
    fake_api.push_bot_added(-43, by=5)
    assert (await bot.send_message(-43, "back")).text == "back"


async def test_reply_quote_must_be_in_the_replied_message(bot: Bot, fake_api: FakeBotApi) -> None:
    """A reply quote that is not part of the replied message is refused (QUOTE_TEXT_INVALID)."""
    question = fake_api.update(fake_api.push_message("what about proposal 3?", user=5))["message"]
    await bot.send_message(5, "ok", reply_parameters=ReplyParameters(question["message_id"], quote="proposal 3"))
    with pytest.raises(BadRequest, match="(?i)quote_text_invalid"):
        await bot.send_message(5, "no", reply_parameters=ReplyParameters(question["message_id"], quote="proposal 4"))


async def test_markup_edits_and_deletes(bot: Bot, fake_api: FakeBotApi) -> None:
    """editMessageReplyMarkup and deleteMessage act on recorded messages and refuse missing ones."""
    message = await bot.send_message(1, "x", reply_markup=keyboard(callback_data="a"))
    edited = await bot.edit_message_reply_markup(1, message.message_id, reply_markup=keyboard(callback_data="b"))
    assert edited.reply_markup == keyboard(callback_data="b")
    assert fake_api.sent[1][0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"
    assert await bot.delete_message(1, message.message_id)
    assert fake_api.deleted == [(1, message.message_id)]
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(1, message.message_id)


async def test_chat_info_and_actions(bot: Bot, fake_api: FakeBotApi) -> None:
    """getChat returns a full chat; sendChatAction accepts Telegram's actions and refuses others."""
    fake_api.group(-42, "Readers", "supergroup", username="readers")
    chat = await bot.get_chat("@readers")
    assert (chat.id, chat.title, chat.type) == (-42, "Readers", "supergroup")
    assert await bot.send_chat_action(-42, "typing")
    with pytest.raises(BadRequest):
        await bot.send_chat_action(-42, "dancing")


async def test_markdown_is_not_silently_accepted(bot: Bot) -> None:
    """Markdown parse modes fail loudly instead of being treated as plain text."""
    with pytest.raises(BadRequest, match="(?i)not implemented"):
        await bot.send_message(1, "*x*", parse_mode=ParseMode.MARKDOWN_V2)


async def test_delay_next_makes_the_client_time_out(bot: Bot, fake_api: FakeBotApi) -> None:
    """A delayed answer beyond the client's read timeout surfaces as TimedOut."""
    fake_api.delay_next("sendMessage", 0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(1, "x", read_timeout=0.1)


async def test_inline_results_render_and_inline_callbacks(bot: Bot, fake_api: FakeBotApi) -> None:
    """A picked inline result renders like a sent message; its buttons produce callbacks with inline_message_id."""
    fake_api.push_inline_query("proposal")
    [update] = await bot.get_updates()
    result = InlineQueryResultArticle(
        "p3",
        "Proposal 3",
        InputTextMessageContent("<b>quote</b> — TASS", parse_mode=ParseMode.HTML),
        reply_markup=keyboard(callback_data="more:p3"),
    )
    await update.inline_query.answer([result])
    rendered = fake_api.inline_result_message(update.inline_query.id, "p3")
    assert rendered["text"] == "quote — TASS" and rendered["entities"][0]["type"] == "bold"
    fake_api.push_callback(None, "more:p3", user=5, inline_message_id="AAA")
    [press] = await bot.get_updates(offset=update.update_id + 1)
    assert press.callback_query.inline_message_id == "AAA" and press.callback_query.message is None
    assert await bot.edit_message_text("more", inline_message_id="AAA") is True
    assert fake_api.inline_edits[0]["text"] == "more"


@pytest.mark.parametrize(
    ("flood", "chats", "refused_at"),
    [
        (FloodControl(per_chat_per_second=2, global_per_second=None), [1, 1, 1], 2),
        (FloodControl(per_chat_per_second=None, per_group_per_minute=2, global_per_second=None), [-42, -42, -42], 2),
        (FloodControl(per_chat_per_second=None, global_per_second=3), [1, 2, 3, 4], 3),
    ],
)
async def test_flood_limits(
    bot: Bot, fake_api: FakeBotApi, flood: FloodControl, chats: list[int], refused_at: int
) -> None:
    """Per-chat, per-group and global limits each refuse the first send over the limit, and only that one."""
    fake_api.enable_flood_control(flood)
    for index, chat in enumerate(chats):
        if index == refused_at:
            with pytest.raises(RetryAfter):
                await bot.send_message(chat, "x")
        else:
            await bot.send_message(chat, "x")
    assert fake_api.flood_rejections == 1


async def test_application_in_webhook_mode(fake_api: FakeBotApi, unused_tcp_port: int) -> None:
    """With PTB's webhook server, pushed updates are POSTed with the secret token and answered."""

    app = echo_app(fake_api)
    url = f"http://127.0.0.1:{unused_tcp_port}/hook"
    async with app:
        await app.start()
        await app.updater.start_webhook("127.0.0.1", unused_tcp_port, "hook", webhook_url=url, secret_token="s3cret")
        assert fake_api.webhook["url"] == url and fake_api.webhook["secret_token"] == "s3cret"
        fake_api.push_message("over the hook", user=5)
        await fake_api.wait_for_messages(1)
        wrong_secret = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, json={"update_id": 999}, headers=wrong_secret) as response,
        ):
            assert response.status == 403
        await app.updater.stop()
        await app.stop()
    assert fake_api.sent_texts(5) == ["echo: over the hook"]
    assert fake_api.webhook_responses[0][1] == 200


async def test_webhook_delivery_is_retried_until_accepted(fake_api: FakeBotApi, unused_tcp_port: int) -> None:
    """A webhook answering 500 gets the same update again, and the error shows in getWebhookInfo."""
    statuses = iter([500, 200])
    seen: list[int] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append((await request.json())["update_id"])
        return web.Response(status=next(statuses))

    server = web.Application()
    server.router.add_post("/hook", hook)
    runner = web.AppRunner(server)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        async with Bot(fake_api.token, base_url=fake_api.base_url) as bot:
            await bot.set_webhook(f"http://127.0.0.1:{unused_tcp_port}/hook")
            update_id = fake_api.push_message("x")
            await fake_api.wait_idle()
            assert seen == [update_id, update_id]
            assert "500" in (await bot.get_webhook_info()).last_error_message
            assert fake_api.webhook_responses == [(update_id, 500), (update_id, 200)]
    finally:
        await runner.cleanup()


async def test_recorded_calls_have_typed_parameters(bot: Bot, fake_api: FakeBotApi) -> None:
    """Form fields are decoded to the types Telegram reads: ints, booleans, objects; digit-only text stays text."""
    await bot.send_message(-42, "12345", disable_notification=True, reply_markup=keyboard(callback_data="a"))
    [call] = fake_api.calls_to("sendmessage")
    assert call.params["chat_id"] == -42 and call.params["text"] == "12345"
    assert call.params["disable_notification"] is True
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "press", "callback_data": "a"}]]}


@pytest.mark.parametrize(
    ("text", "reply_to_bot", "bot_is_admin", "seen"),
    [
        ("just chatting", False, False, False),
        ("just chatting", False, True, True),
        ("/ask elections", False, False, True),
        ("/ask@bayan_test_bot elections", False, False, True),
        ("/ask@other_bot elections", False, False, False),
        ("hey @Bayan_Test_Bot what now", False, False, True),
        ("thanks", True, False, True),
    ],
)
async def test_group_privacy_mode_hides_chatter(text: str, reply_to_bot: bool, bot_is_admin: bool, seen: bool) -> None:
    """With group privacy on, a non-admin bot only receives commands for it, its mentions and replies to it."""
    async with FakeBotApi(group_privacy=True) as api, Bot(api.token, base_url=api.base_url) as bot:
        assert (await bot.get_me()).can_read_all_group_messages is False
        await bot.send_message(-42, "earlier answer")
        if bot_is_admin:
            api.set_member_status(-42, api.bot_user["id"], "administrator")
        update_id = api.push_message(text, user=5, chat=-42, reply_to=api.sent[-42][0] if reply_to_bot else None)
        updates = await bot.get_updates()
        assert (update_id is not None) == seen
        assert [u.update_id for u in updates] == ([update_id] if seen else [])

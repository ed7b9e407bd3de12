"""Questions: any text in a private chat, ``/ask`` anywhere, and in groups only when addressed.

In a group the bot speaks only when spoken to — mentioned as ``@botusername``, replied to, or
called with ``/ask`` — and stays silent on all other chatter even when group privacy is off,
because a bot that chimes in on every message gets removed. A reply to the bot is not always a
question ("thanks", "👍 agreed"): one without a question mark that the statement does not answer
gets no "not in the statement" note. ``/ask`` sent in reply to someone's message, with no words
of its own, asks that message's question. Each question is logged as one event (update id, chat
type, language, latency, outcome); its words only in debug mode.

Follow-ups ("and the second one?") are read against a conversation (bot/search/followups.py): a
private chat is one conversation; in a group each answer of the bot starts or continues one, and a
reply to that answer follows it up, so two people asking side by side in a group do not mix up
each other's "the second one". Conversations live in the store (bot/telegram/storage.py: shared
by replicas, expiring), so a follow-up may reach another replica than the question it follows.
"""

from __future__ import annotations

import logging
import re
import time

from telegram import Chat, Message, Update
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot.conversation import Conversation, Turn
from bot.logs import log_event
from bot.search import detect_lang
from bot.telegram.language import interface_lang
from bot.telegram.render import Rendered, esc, render_answer
from bot.telegram.replies import reply
from bot.telegram.services import AnyApplication, followups_of, question_hooks_of, run_hooks, services_of
from bot.telegram.storage import conversations_of
from bot.telegram.texts import texts

log = logging.getLogger("bayan.telegram")

NEW_MESSAGES = filters.UpdateType.MESSAGE  # edited messages and channel posts are not questions
PRIVATE_TEXT = filters.ChatType.PRIVATE & NEW_MESSAGES & filters.TEXT & ~filters.COMMAND
GROUP_TEXT = filters.ChatType.GROUPS & NEW_MESSAGES & filters.TEXT & ~filters.COMMAND
PRIVATE_NON_TEXT = filters.ChatType.PRIVATE & NEW_MESSAGES & ~filters.TEXT & ~filters.StatusUpdate.ALL


def mention_pattern(username: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@])@{re.escape(username)}(?!\w)", re.IGNORECASE)


def looks_like_question(text: str) -> bool:
    """Whether the text asks something outright: a question mark, Latin or Arabic."""
    return "?" in text or "؟" in text


def addressed_question(message: Message, bot_id: int, bot_username: str) -> tuple[str, bool] | None:
    """``(question, mentioned)`` for a group message addressed to the bot, ``None`` for chatter.

    The question has the mention removed; ``mentioned`` is False when the message only replies
    to the bot, which may make it a mere remark.
    """
    text = message.text or ""
    mention = mention_pattern(bot_username) if bot_username else None
    if mention is not None and mention.search(text):
        return " ".join(mention.sub(" ", text).split()), True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text, False
    return None


async def answer_question(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    question: str,
    *,
    quoting: Message | None = None,
    maybe_remark: bool = False,
) -> None:
    """Search, render and reply; over-long and empty questions get a hint instead of a search.

    ``quoting``: the message the reply points at in a group, when it is not the one that asked
    (``/ask`` in reply to a question). ``maybe_remark``: the text may be a mere remark (a reply
    to the bot), so without a question mark it is answered only if the statement answers it.
    """
    started = time.perf_counter()
    message = update.effective_message
    if message is None:
        return
    svc = services_of(context)
    question = question.strip()
    if not question:
        await reply(message, Rendered(esc(texts(interface_lang(update, context)).empty_question)))
        return
    remark = maybe_remark and not looks_like_question(question)
    limit = svc.settings.max_question_chars
    if len(question) > limit:
        lang = detect_lang(question[:limit])
        outcome = "remark" if remark else "too_long"
        if not remark:
            await reply(message, Rendered(esc(texts(lang).too_long.format(limit=limit))), quoting=quoting)
    else:
        store = conversations_of(context)
        asked_in = conversation_key(message, context.bot.id)
        conversation = await store.get(asked_in) if asked_in is not None else Conversation()
        answer = followups_of(context).answer(question, conversation, top=3)
        lang = answer.lang
        if remark and not answer.answered:
            outcome = "remark"
        else:
            sent = await reply(message, render_answer(answer, svc.knowledge), quoting=quoting)
            await store.put(answer_key(sent), conversation.then(Turn.of(answer, store.now())))
            outcome = "answered" if answer.answered else "abstained"
            await run_hooks(
                question_hooks_of(context), context, answer.answered, event="question_hook_failed", update_id=update.update_id
            )
    log_event(
        log,
        "question",
        update_id=update.update_id,
        chat_type=message.chat.type,
        lang=lang,
        latency_ms=round((time.perf_counter() - started) * 1000, 1),
        outcome=outcome,
        text=question,
    )


def conversation_key(message: Message, bot_id: int) -> str | None:
    """The conversation ``message`` continues: its private chat's, or in a group the bot answer it replies to."""
    if message.chat.type == Chat.PRIVATE:
        return f"chat:{message.chat_id}"
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return f"answer:{message.chat_id}:{replied.message_id}"
    return None


def answer_key(sent: Message) -> str:
    """Where the conversation goes on after the bot's answer ``sent``: the chat (private), else that answer."""
    if sent.chat.type == Chat.PRIVATE:
        return f"chat:{sent.chat_id}"
    return f"answer:{sent.chat_id}:{sent.message_id}"


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await answer_question(update, context, update.message.text or "")


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    assert message is not None
    addressed = addressed_question(message, context.bot.id, context.bot.username)
    if addressed is not None:
        question, mentioned = addressed
        await answer_question(update, context, question, maybe_remark=not mentioned)


def asked_for(message: Message, bot_id: int) -> Message | None:
    """The message an argument-less ``/ask`` replies to, when that message is someone's question.

    Not the bot's own messages, not commands, not a topic's opening (which Telegram presents as
    the replied-to message of everything posted in a topic), and only text.
    """
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None or not (replied.text or "").strip():
        return None
    if replied.from_user is not None and replied.from_user.id == bot_id:
        return None
    return None if (replied.text or "").startswith("/") else replied


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/ask QUESTION``, or ``/ask`` in reply to a question; else the usage line. The raw text keeps line breaks."""
    message = update.message
    assert message is not None
    parts = (message.text or "").split(maxsplit=1)
    question = parts[1] if len(parts) > 1 else ""
    if question.strip():
        await answer_question(update, context, question)
        return
    target = asked_for(message, context.bot.id)
    if target is not None:
        await answer_question(update, context, target.text or "", quoting=target)
        return
    await reply(message, Rendered(esc(texts(interface_lang(update, context)).ask_usage)))


async def on_private_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice...: a polite hint in private chats (groups never get here)."""
    message = update.message
    assert message is not None and message.chat.type == Chat.PRIVATE
    await reply(message, Rendered(esc(texts(interface_lang(update, context)).not_text)))


def register(application: AnyApplication) -> None:
    application.add_handler(CommandHandler("ask", on_ask, filters=NEW_MESSAGES))
    application.add_handler(MessageHandler(PRIVATE_TEXT, on_private_text))
    application.add_handler(MessageHandler(GROUP_TEXT, on_group_text))
    application.add_handler(MessageHandler(PRIVATE_NON_TEXT, on_private_non_text))

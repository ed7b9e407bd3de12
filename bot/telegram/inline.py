"""Inline mode: ``@bot words`` in any chat lists matching quotations to send with their source.

An empty query lists the proposals (the summary first). Results are the same for everyone, so
Telegram may cache them across users (``is_personal=False``) for ``BOT_INLINE_CACHE_SECONDS``.
When the statement does not surely answer the words, the closest passages are still offered, each
titled and described as the closest passage, not a direct answer; when it does not answer them at
all, a button above them opens the bot for an honest answer.
"""

from __future__ import annotations

from telegram import InlineQueryResultsButton, Update
from telegram.constants import InlineQueryLimit
from telegram.ext import ContextTypes, InlineQueryHandler

from bot.telegram.language import interface_lang
from bot.telegram.render import inline_passage, inline_proposals
from bot.telegram.services import AnyApplication, services_of
from bot.telegram.texts import texts

MAX_RESULTS = InlineQueryLimit.RESULTS  # 50


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    assert query is not None
    svc = services_of(context)
    words = query.query.strip()
    button = None
    answer = svc.index.search(words[: svc.settings.max_question_chars], top=MAX_RESULTS) if words else None
    if answer is None or answer.match == "smalltalk":  # "hi": nothing to search for, offer the proposals
        results = inline_proposals(svc.knowledge, answer.lang if answer else interface_lang(update, context))
    else:
        seen: set[str] = set()
        results = []
        for hit in answer.hits:
            if hit.passage.id not in seen:
                seen.add(hit.passage.id)
                results.append(inline_passage(hit.document, hit.passage, answer.lang, closest=not answer.answered))
        if answer.match == "none":
            button = InlineQueryResultsButton(text=texts(answer.lang).inline_not_found_button, start_parameter="help")
    await query.answer(
        results[:MAX_RESULTS],
        cache_time=svc.settings.inline_cache_seconds,
        is_personal=False,
        button=button,
    )


def register(application: AnyApplication) -> None:
    application.add_handler(InlineQueryHandler(on_inline_query))

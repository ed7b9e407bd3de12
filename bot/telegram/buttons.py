"""Inline buttons: switch an answer, the help, the group greeting or the proposals to the other
language (edited in place), or open a suggested passage or the proposals (sent as a new message,
in the same chat and forum topic). "Not what I asked" under an answer is logged as an event (which
passage missed, so the knowledge can be improved where users say it fails), its button removed so
one answer counts once, and answered with a way on: other words, or a passage to pick.

Callback data comes back from clients and from messages older versions of the bot sent, so it is
decoded strictly; a button we cannot honour gets a short note in the spinner, never an error.
Every query is answered, so the client's spinner always stops.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.knowledge_base import KnowledgeBase, Passage
from bot.logs import log_event
from bot.telegram import questions
from bot.telegram.callback_data import Action, ButtonPress, decode
from bot.telegram.language import interface_lang
from bot.telegram.render import (
    NO_PREVIEW,
    Rendered,
    offers_miss,
    passage_ids_in,
    render_group_greeting,
    render_help,
    render_miss,
    render_passage,
    render_proposals_message,
    render_start,
    without_miss,
)
from bot.telegram.replies import reply
from bot.telegram.services import AnyApplication, miss_hooks_of, run_hooks, services_of
from bot.telegram.texts import texts

log = logging.getLogger("bayan.telegram")


def _related(knowledge: KnowledgeBase, ids: list[str]) -> list[Passage]:
    return [found[1] for found in map(knowledge.passage, ids) if found is not None]


def _rendering(press: ButtonPress, message: Message, context: ContextTypes.DEFAULT_TYPE) -> Rendered | None:
    """What the button asks to show, or ``None`` when it refers to a passage that no longer exists."""
    knowledge = services_of(context).knowledge
    if press.action in (Action.SHOW_PROPOSALS, Action.TRANSLATE_PROPOSALS):
        return render_proposals_message(knowledge, press.lang)
    if press.action is Action.TRANSLATE_START:
        return render_start(knowledge, press.lang)
    if press.action is Action.TRANSLATE_HELP:
        return render_help(knowledge, press.lang, context.bot.username or "")
    if press.action is Action.TRANSLATE_GREETING:
        return render_group_greeting(knowledge, press.lang, context.bot.username or "")
    found = knowledge.passage(press.passage_id or "")
    if found is None:
        return None
    doc, passage = found
    if press.action is not Action.TRANSLATE_ANSWER:
        return render_passage(doc, passage, press.lang)
    related = _related(knowledge, passage_ids_in(message.reply_markup))
    return render_passage(doc, passage, press.lang, related, miss=offers_miss(message.reply_markup))


async def _edit(query: CallbackQuery, rendered: Rendered) -> None:
    try:
        await query.edit_message_text(
            rendered.text, parse_mode=ParseMode.HTML, reply_markup=rendered.markup, link_preview_options=NO_PREVIEW
        )
    except BadRequest as exc:
        if "message is not modified" not in exc.message.lower():  # a double tap: already shows this
            raise


async def _ask_example(update: Update, context: ContextTypes.DEFAULT_TYPE, press: ButtonPress) -> None:
    """An example question's button: asked as if typed, answered in a new message."""
    assert update.callback_query is not None
    examples = texts(press.lang).examples
    number = int(press.passage_id or "-1") if (press.passage_id or "").isdigit() else -1
    if not 0 <= number < len(examples):
        await _answer_stale(update.callback_query, update, context)
        return
    await update.callback_query.answer()
    await questions.answer_question(update, context, examples[number])


async def _not_what_i_asked(update: Update, context: ContextTypes.DEFAULT_TYPE, press: ButtonPress, message: Message) -> None:
    """Note the miss once per answer (a second tap, or one racing the edit, only gets the note) and offer a way on."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts(press.lang).miss_noted)
    if not offers_miss(message.reply_markup):
        return
    log_event(log, "not_what_i_asked", update_id=update.update_id, chat_type=message.chat.type, lang=press.lang, passage=press.passage_id)
    await run_hooks(
        miss_hooks_of(context), context, press.passage_id or "", event="miss_hook_failed", update_id=update.update_id
    )
    try:
        await query.edit_message_reply_markup(without_miss(message.reply_markup))
    except BadRequest as exc:
        if "message is not modified" not in exc.message.lower():
            raise
    await reply(message, render_miss(services_of(context).knowledge, press.lang))


async def _answer_stale(query: CallbackQuery, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await query.answer(texts(interface_lang(update, context)).stale_button)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    press = decode(query.data)
    message = query.message
    if press is None or not isinstance(message, Message):  # e.g. a message too old to be accessible
        await _answer_stale(query, update, context)
        return
    if press.action is Action.ASK_EXAMPLE:
        await _ask_example(update, context, press)
        return
    if press.action is Action.NOT_WHAT_I_ASKED:
        await _not_what_i_asked(update, context, press, message)
        return
    rendered = _rendering(press, message, context)
    if rendered is None:
        await _answer_stale(query, update, context)
        return
    if press.action in (Action.SHOW_PASSAGE, Action.SHOW_PROPOSALS):
        await reply(message, rendered)  # in a group it points at the message whose button was pressed
    else:
        await _edit(query, rendered)
    await query.answer()


async def on_unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.callback_query is not None
    await _answer_stale(update.callback_query, update, context)


def register(application: AnyApplication) -> None:
    application.add_handler(CallbackQueryHandler(on_button, pattern=lambda data: decode(data) is not None))


def register_fallbacks(application: AnyApplication) -> None:
    """After every feature's handlers: buttons nobody recognised get a short note."""
    application.add_handler(CallbackQueryHandler(on_unknown_button))

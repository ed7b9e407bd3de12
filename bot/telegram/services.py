"""What every handler needs, built once at start-up and reached through ``context.bot_data``.

:class:`BotServices` is immutable: settings, the knowledge base and the search index never
change while the bot runs. Mutable per-bot state (the flood limiter) sits beside it in
``bot_data`` so that two applications in one process — tests start many — never share it.
Handlers use the typed accessors below instead of indexing ``bot_data`` themselves.

Features that want to know about each question (``/stats`` counts them) subscribe with
:func:`on_question` from their ``register`` function; the question handler calls every hook
after the reply went out, with the verdict only, never the words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.knowledge_base import KnowledgeBase, load_knowledge
from bot.search import PassageIndex
from bot.telegram.flood import FloodLimiter

SERVICES_KEY = "bayan.services"
FLOOD_KEY = "bayan.flood"
QUESTION_HOOKS_KEY = "bayan.question_hooks"

QuestionHook = Callable[[ContextTypes.DEFAULT_TYPE, bool], Awaitable[None]]  # (context, answered)


@dataclass(frozen=True, slots=True)
class BotServices:
    settings: Settings
    knowledge: KnowledgeBase
    index: PassageIndex

    @classmethod
    def load(cls, settings: Settings) -> BotServices:
        """Load and index the knowledge base; raises :class:`~bot.knowledge_base.KnowledgeError` on a bad file."""
        knowledge = load_knowledge(settings.knowledge_dir)
        return cls(settings=settings, knowledge=knowledge, index=PassageIndex.build(knowledge))


def install(application: Application[Any, Any, Any, Any, Any, Any], services: BotServices) -> None:
    """Put the services and fresh per-bot state into ``application.bot_data``."""
    s = services.settings
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[FLOOD_KEY] = FloodLimiter(s.flood_max_messages, s.flood_window_seconds, s.flood_cooldown_seconds)
    application.bot_data[QUESTION_HOOKS_KEY] = []


def on_question(application: Application[Any, Any, Any, Any, Any, Any], hook: QuestionHook) -> None:
    """Call ``hook(context, answered)`` after every question the bot answered or abstained on."""
    _get(application.bot_data, QUESTION_HOOKS_KEY, list).append(hook)


def _get(bot_data: dict[Any, Any], key: str, kind: type) -> Any:
    value = bot_data.get(key)
    if not isinstance(value, kind):
        raise RuntimeError(f"bot_data[{key!r}] is missing: build the application with build_application()")
    return value


def services_of(context: ContextTypes.DEFAULT_TYPE | Application[Any, Any, Any, Any, Any, Any]) -> BotServices:
    return _get(context.bot_data, SERVICES_KEY, BotServices)  # type: ignore[no-any-return]


def flood_limiter_of(context: ContextTypes.DEFAULT_TYPE) -> FloodLimiter:
    return _get(context.bot_data, FLOOD_KEY, FloodLimiter)  # type: ignore[no-any-return]


def question_hooks_of(context: ContextTypes.DEFAULT_TYPE) -> tuple[QuestionHook, ...]:
    return tuple(_get(context.bot_data, QUESTION_HOOKS_KEY, list))

"""What every handler needs, built once at start-up and reached through ``context.bot_data``.

:class:`BotServices` is immutable: settings, the knowledge base and the search index never
change while the bot runs. Mutable per-bot state (the flood limiter; the store, see :mod:`bot.telegram.storage`) sits beside it in
``bot_data`` so that two applications in one process — tests start many — never share it.
Handlers use the typed accessors below instead of indexing ``bot_data`` themselves; a
feature keeping its own state there reads it back with :func:`stored`.

Features that want to know about each question (``/stats`` counts them) list a hook in
:data:`bot.telegram.app.ON_QUESTION`, which ``build_application`` subscribes with
:func:`on_question`; the question handler calls every hook after the reply went out, with
the verdict only, never the words.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.knowledge_base import KnowledgeBase, load_knowledge
from bot.logs import EVENT_ATTR, FIELDS_ATTR
from bot.search import PassageIndex
from bot.search.followups import FollowupResolver
from bot.search.semantic import reranker_for
from bot.telegram.flood import FloodLimiter

SERVICES_KEY = "bayan.services"
FLOOD_KEY = "bayan.flood"
QUESTION_HOOKS_KEY = "bayan.question_hooks"
MISS_HOOKS_KEY = "bayan.miss_hooks"
FOLLOWUPS_KEY = "bayan.followups"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
QuestionHook = Callable[[ContextTypes.DEFAULT_TYPE, bool], Awaitable[None]]  # (context, answered)
MissHook = Callable[[ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]  # (context, passage id)
T = TypeVar("T")

_NOT_BUILT = "build the application with build_application()"


@dataclass(frozen=True, slots=True)
class BotServices:
    settings: Settings
    knowledge: KnowledgeBase
    index: PassageIndex

    @classmethod
    def load(cls, settings: Settings) -> BotServices:
        """Load and index the knowledge base; raises :class:`~bot.knowledge_base.KnowledgeError` on a bad file."""
        knowledge = load_knowledge(settings.knowledge_dir)
        reranker = reranker_for(settings, [p for _, p in knowledge.entries()])
        return cls(settings=settings, knowledge=knowledge, index=PassageIndex.build(knowledge, reranker))


def install(application: AnyApplication, services: BotServices) -> None:
    """Put the services and fresh per-bot state into ``application.bot_data``."""
    s = services.settings
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[FLOOD_KEY] = FloodLimiter(s.flood_max_messages, s.flood_window_seconds, s.flood_cooldown_seconds)
    application.bot_data[QUESTION_HOOKS_KEY] = []
    application.bot_data[MISS_HOOKS_KEY] = []
    application.bot_data[FOLLOWUPS_KEY] = FollowupResolver(services.index, services.knowledge.entries())


def on_question(application: AnyApplication, hook: QuestionHook) -> None:
    """Call ``hook(context, answered)`` after every question the bot answered or abstained on."""
    stored(application.bot_data, QUESTION_HOOKS_KEY, list, _NOT_BUILT).append(hook)


def on_miss(application: AnyApplication, hook: MissHook) -> None:
    """Call ``hook(context, passage_id)`` when a user says an answer quoting that passage is not what they asked."""
    stored(application.bot_data, MISS_HOOKS_KEY, list, _NOT_BUILT).append(hook)


def stored(bot_data: Mapping[Any, Any], key: str, kind: type[T], missing: str) -> T:
    """``bot_data[key]``, which start-up put there: a missing one is a wiring mistake, ``missing`` says how to fix it."""
    value = bot_data.get(key)
    if value is None:
        raise RuntimeError(f"bot_data[{key!r}] is missing: {missing}")
    if not isinstance(value, kind):
        raise TypeError(f"bot_data[{key!r}] is a {type(value).__name__}, not a {kind.__name__}")
    return value


def services_of(context: ContextTypes.DEFAULT_TYPE | AnyApplication) -> BotServices:
    return stored(context.bot_data, SERVICES_KEY, BotServices, _NOT_BUILT)


def flood_limiter_of(context: ContextTypes.DEFAULT_TYPE) -> FloodLimiter:
    return stored(context.bot_data, FLOOD_KEY, FloodLimiter, _NOT_BUILT)


def followups_of(context: ContextTypes.DEFAULT_TYPE) -> FollowupResolver:
    """The index wrapped to read follow-up questions against a conversation."""
    return stored(context.bot_data, FOLLOWUPS_KEY, FollowupResolver, _NOT_BUILT)


def question_hooks_of(context: ContextTypes.DEFAULT_TYPE) -> tuple[QuestionHook, ...]:
    return tuple(stored(context.bot_data, QUESTION_HOOKS_KEY, list, _NOT_BUILT))


def miss_hooks_of(context: ContextTypes.DEFAULT_TYPE) -> tuple[MissHook, ...]:
    return tuple(stored(context.bot_data, MISS_HOOKS_KEY, list, _NOT_BUILT))


async def run_hooks(
    hooks: Iterable[Callable[[ContextTypes.DEFAULT_TYPE, T], Awaitable[None]]],
    context: ContextTypes.DEFAULT_TYPE,
    value: T,
    *,
    event: str,
    update_id: int,
) -> None:
    """Call each hook with ``value``; the user already has their reply, so a failing hook is logged
    (as ``event``, with the update id), never apologised for, and the other hooks still run."""
    for hook in hooks:
        try:
            await hook(context, value)
        except Exception:
            logging.getLogger("bayan.telegram").exception(
                event.replace("_", " "), extra={EVENT_ATTR: event, FIELDS_ATTR: {"update_id": update_id}}
            )

"""The subscription feature's own strings, as typed fields read from the gettext catalogs.

The words live in ``bot/locale/<lang>.po`` beside the interface's (see :mod:`bot.i18n`), under keys
``sub_<field>``; this module says which entries the feature needs (:data:`MESSAGES`, with each
one's ``{placeholders}``) and builds a :class:`SubscriptionTexts` from a checked catalog. Same
conventions as :mod:`bot.telegram.texts`: plain text, placeholders in braces, filled, escaped and
bidi-isolated by the code that renders them. Kept apart because this feature owns them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache

from bot import i18n
from bot.i18n import Catalog, Schema, spec
from bot.knowledge_base import Lang

KEY_PREFIX = "sub_"


@dataclass(frozen=True, slots=True)
class SubscriptionTexts:
    lang: Lang
    subscribed: str  # {plan}: one of the plan_* sentences
    already_subscribed: str  # {plan}
    plan_weekly: str  # {when}: the next scheduled digest, from bot.subscriptions.digest.format_when
    plan_daily: str  # {when}
    plan_off: str
    language_set: str
    unsubscribed: str
    not_subscribed: str
    admins_only: str
    language_button: str  # on the button that switches the subscription *to* this language
    usage: str
    bot_admins_only: str  # /broadcast and /stats from anyone not in BOT_ADMIN_IDS
    broadcast_queued: str  # {subscribers}: a counted phrase from bot.i18n
    stats_title: str
    stats_subscribers: str  # {count}
    stats_by_lang: str
    stats_by_type: str
    stats_questions: str  # {answered} {unanswered}
    stats_removed: str  # {count}
    stats_missed: str  # {count}: answers users marked "not what I asked"
    changes_title: str
    removed_passages: str  # {count}
    unsubscribe_button: str
    featured_title_weekly: str  # {position} {total}: which item of the series this digest features
    featured_title_daily: str  # {position} {total}
    featured_about: str
    in_short: str
    summary_title: str  # the full summary sent by an administrator (/broadcast, python -m bot broadcast)
    summary_about: str
    changes_about: str
    next_digest: str  # {when}
    next_off: str


_PLACEHOLDERS = {
    "subscribed": spec("plan"),
    "already_subscribed": spec("plan"),
    "plan_weekly": spec("when"),
    "plan_daily": spec("when"),
    "broadcast_queued": spec("subscribers"),
    "stats_subscribers": spec("count"),
    "stats_questions": spec("answered", "unanswered"),
    "stats_removed": spec("count"),
    "stats_missed": spec("count"),
    "removed_passages": spec("count"),
    "featured_title_weekly": spec("position", "total"),
    "featured_title_daily": spec("position", "total"),
    "next_digest": spec("when"),
}
_FIELDS = tuple(f.name for f in dataclasses.fields(SubscriptionTexts) if f.name != "lang")

MESSAGES: Schema = {KEY_PREFIX + name: _PLACEHOLDERS.get(name, spec()) for name in _FIELDS}
"""Every entry the subscription feature reads from a catalog, with its placeholders."""


def from_catalog(catalog: Catalog) -> SubscriptionTexts:
    """The feature's texts in ``catalog``'s language; :class:`~bot.i18n.CatalogError` when it lacks an entry."""
    catalog.require(MESSAGES)
    values = {name: catalog.text(KEY_PREFIX + name) for name in _FIELDS}
    return SubscriptionTexts(lang=catalog.lang, **values)  # type: ignore[arg-type]  # a catalog's language is a Lang here


@cache
def sub_texts(lang: Lang) -> SubscriptionTexts:
    return from_catalog(i18n.catalog(lang))

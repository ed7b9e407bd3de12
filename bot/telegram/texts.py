"""Every string the bot shows in its own voice, as typed fields read from the gettext catalogs.

The words live in ``bot/locale/<lang>.po`` (see :mod:`bot.i18n`); this module says which entries
the interface needs (:data:`MESSAGES`: each field of :class:`UiTexts` is a catalog key, the help's
examples are ``example_1``…, the command menu ``command_<name>``, the proposals ``proposal_1``…)
and which ``{placeholders}`` each takes, and builds a :class:`UiTexts` from a checked catalog.

Quotations come from the knowledge base, never from here. The interface language follows the
user's Telegram ``language_code`` (Arabic when it starts with ``ar``); answers to questions
follow the language of the question instead, which the handlers decide. Strings are plain text;
placeholders are filled by :mod:`bot.telegram.render`, which escapes whatever it puts into them
and isolates their Latin runs in Arabic lines.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

from telegram import User

from bot import i18n
from bot.i18n import Catalog, Schema, spec
from bot.knowledge_base import Lang


@dataclass(frozen=True, slots=True)
class UiTexts:
    """The interface in one language."""

    lang: Lang
    language_name: str  # shown on the button that switches *to* this language
    help_title: str
    help_knows: str  # {title}
    start_intro: str  # {date}: /start, kept short (with its buttons, under 400 characters)
    help_how: str
    help_examples_title: str
    examples: tuple[str, ...]  # example_1...: also /start's and small talk's buttons; the statement must answer each
    help_language: str
    help_groups: str  # {username}
    help_inline: str  # {username}
    help_subscribe: str
    greeting_title: str
    greeting_how: str
    greeting_mention: str
    greeting_reply: str
    greeting_ask: str  # {command}
    greeting_privacy: str
    translation_label: str
    original_label: str
    source_label: str
    links_label: str
    link_kremlin_en: str
    link_kremlin_ru: str
    link_agency_en: str
    proposal_names: tuple[str, ...]  # proposal_1...: "Proposal 4", "المقترح الرابع"
    proposal_label: str  # {number}: past the last of proposal_names, with digits
    proposals_title: str
    other_calls_title: str
    not_found: str
    your_question: str
    closest_title: str  # above the suggestion buttons of a refusal
    not_sure: str  # the one line above a "closest" passage
    closest_heading: str
    smalltalk: str  # a greeting, thanks, "who are you": who the bot is, then an example question button
    all_proposals_button: str
    language_usage: str
    language_changed: str
    share_button: str
    proposals_button: str
    ask_usage: str
    too_long: str  # {limit}
    empty_question: str
    not_text: str
    flood: str  # {seconds}: a counted phrase from bot.i18n
    apology: str
    stale_button: str
    unknown_command: str
    inline_all_proposals: str
    inline_not_found_button: str
    inline_closest_title: str  # {title}: an inline result of a search the statement does not surely answer
    inline_closest_note: str  # opens that result's description: not sure, the closest passage, not a direct answer
    card_button: str
    miss_button: str  # under an answer: "this is not what I asked"
    miss_noted: str  # the callback note (≤ 200 characters) when it is pressed
    miss_reply: str  # the message that follows: ask again in other words, or pick a passage below
    card_translation_label: str  # on an English card, above our translation
    card_usage: str
    card_missing: str
    cards_off: str
    commands: tuple[tuple[str, str], ...]  # (name, command_<name>) in COMMAND_NAMES order
    description: str  # setMyDescription: what an empty chat with the bot shows (≤ 512)
    short_description: str  # setMyShortDescription: the bot's profile and shared links (≤ 120)


COMMAND_NAMES = ("ask", "proposals", "subscribe", "unsubscribe", "language", "help", "start")
EXAMPLES = 3
NAMED_PROPOSALS = 10

_PLACEHOLDERS = {
    "help_knows": spec("title"),
    "start_intro": spec("date"),
    "help_groups": spec("username"),
    "help_inline": spec("username"),
    "greeting_ask": spec("command"),
    "proposal_label": spec("number"),
    "too_long": spec("limit"),
    "flood": spec("seconds"),
    "inline_closest_title": spec("title"),
}
_LISTS = {"examples": ("example", EXAMPLES), "proposal_names": ("proposal", NAMED_PROPOSALS)}
_PLAIN = tuple(f.name for f in dataclasses.fields(UiTexts) if f.name not in {"lang", "commands", *_LISTS})


def _list_keys(prefix: str, count: int) -> list[str]:
    return [f"{prefix}_{n}" for n in range(1, count + 1)]


MESSAGES: Schema = {
    **{name: _PLACEHOLDERS.get(name, spec()) for name in _PLAIN},
    **{key: spec() for prefix, count in _LISTS.values() for key in _list_keys(prefix, count)},
    **{f"command_{name}": spec() for name in COMMAND_NAMES},
}
"""Every entry the interface reads from a catalog, with its placeholders: what a catalog must hold."""


def from_catalog(catalog: Catalog) -> UiTexts:
    """The interface in ``catalog``'s language; :class:`~bot.i18n.CatalogError` when it lacks what :data:`MESSAGES` needs."""
    catalog.require(MESSAGES)
    fields: dict[str, Any] = {name: catalog.text(name) for name in _PLAIN}
    for name, (prefix, count) in _LISTS.items():
        fields[name] = tuple(catalog.text(key) for key in _list_keys(prefix, count))
    fields["commands"] = tuple((name, catalog.text(f"command_{name}")) for name in COMMAND_NAMES)
    return UiTexts(lang=catalog.lang, **fields)  # type: ignore[arg-type]  # a catalog's language is a Lang here


@cache
def texts(lang: Lang) -> UiTexts:
    return from_catalog(i18n.catalog(lang))


def proposal_name(lang: Lang, number: int) -> str:
    """"Proposal 4", in Arabic with the ordinal word "المقترح الرابع" (digits past the catalog's named ones)."""
    ui = texts(lang)
    return ui.proposal_names[number - 1] if 0 < number <= len(ui.proposal_names) else ui.proposal_label.format(number=number)


def other_lang(lang: Lang) -> Lang:
    return "en" if lang == "ar" else "ar"


def ui_lang(language_code: str | None) -> Lang:
    """The interface language for a Telegram user: Arabic for ``ar``, ``ar-EG``..., else English."""
    return "ar" if (language_code or "").lower().startswith("ar") else "en"


def user_lang(user: User | None) -> Lang:
    """:func:`ui_lang` of whoever sent an update; English when the update has no user."""
    return ui_lang(user.language_code if user else None)

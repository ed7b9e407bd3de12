"""The subscription's inline buttons and their callback data: one codec, used by the sender and the handler.

- ``sub|ar`` / ``sub|en`` under a /subscribe confirmation: switch the subscription's language
  (the confirmation is edited and the summary sent again in that language);
- ``sub|ar|<broadcast id>`` under a digest: switch the subscription's language and show that
  digest in it (the message is edited in place from the broadcast's stored payload);
- ``sub|off`` under a digest: unsubscribe this chat.

Every digest message carries the language switch, the unsubscribe button and "all proposals"
(the bot's ordinary ``v1|list`` button), so a reader can act on a digest where it arrives.
Callback data comes back from clients and from messages of older versions: :func:`parse` is strict
and returns None for anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.bidi import isolate_latin
from bot.knowledge_base import Lang
from bot.subscriptions.texts import sub_texts
from bot.telegram.callback_data import Action, ButtonPress
from bot.telegram.texts import other_lang, texts

UNSUBSCRIBE = "sub|off"
_LANGUAGE = re.compile(r"sub\|(ar|en)(?:\|([1-9][0-9]{0,17}))?")


@dataclass(frozen=True, slots=True)
class SubscriptionPress:
    """What a subscription button asks for: a language (under a confirmation or a digest) or to unsubscribe."""

    action: Literal["language", "unsubscribe"]
    lang: Lang | None = None
    broadcast_id: int | None = None  # the digest whose message the language button is under


def language_data(lang: Lang, broadcast_id: int | None = None) -> str:
    return f"sub|{lang}" if broadcast_id is None else f"sub|{lang}|{broadcast_id}"


def parse(data: object) -> SubscriptionPress | None:
    """The press a ``sub|…`` button's data stands for; None for anything else (empty data included)."""
    if data == UNSUBSCRIBE:
        return SubscriptionPress("unsubscribe")
    match = _LANGUAGE.fullmatch(data) if isinstance(data, str) else None
    if match is None:
        return None
    return SubscriptionPress("language", cast(Lang, match[1]), int(match[2]) if match[2] else None)


def _switch_button(lang: Lang, broadcast_id: int | None) -> InlineKeyboardButton:
    """Switch the subscription to the other language; named in that language."""
    other = other_lang(lang)
    return InlineKeyboardButton(sub_texts(other).language_button, callback_data=language_data(other, broadcast_id))


def confirmation_keyboard(lang: Lang) -> InlineKeyboardMarkup:
    """Under /subscribe's confirmation: one button switching the subscription to the other language."""
    return InlineKeyboardMarkup([[_switch_button(lang, None)]])


def all_proposals_row(lang: Lang) -> list[InlineKeyboardButton]:
    """"All proposals": the full list as a new message (the bot's own button, handled by bot.telegram.buttons)."""
    press = ButtonPress(Action.SHOW_PROPOSALS, lang).encode()
    return [InlineKeyboardButton(isolate_latin(texts(lang).all_proposals_button), callback_data=press)]


def digest_keyboard(broadcast_id: int, lang: Lang) -> InlineKeyboardMarkup:
    """Under every digest message: the language switch and unsubscribe, then all proposals."""
    unsubscribe = InlineKeyboardButton(isolate_latin(sub_texts(lang).unsubscribe_button), callback_data=UNSUBSCRIBE)
    return InlineKeyboardMarkup([[_switch_button(lang, broadcast_id), unsubscribe], all_proposals_row(lang)])

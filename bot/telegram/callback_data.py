"""The data carried by inline buttons: a small, versioned, self-checking text codec.

Telegram hands ``callback_data`` back verbatim, up to 64 bytes, possibly from a message sent
by an older version of the bot or crafted by a client. So the format is versioned
(``v1|<action>|<lang>|<passage id or empty>``), every field is checked on the way in, and
anything unknown decodes to ``None`` for the handler to answer with a short note instead of
failing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.knowledge_base import Lang

VERSION = "v1"
MAX_BYTES = 64
_PASSAGE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


class Action(StrEnum):
    SHOW_PASSAGE = "show"  # send this passage as a new message
    SHOW_PROPOSALS = "list"  # send the proposals list as a new message
    TRANSLATE_ANSWER = "lang"  # re-render this answer message in the given language
    TRANSLATE_HELP = "help"  # re-render this help message in the given language
    TRANSLATE_GREETING = "greet"  # re-render this group greeting in the given language
    TRANSLATE_PROPOSALS = "lstl"  # re-render this proposals message in the given language
    SEND_CARD = "card"  # send this passage's quote card (an image) in the given language
    TRANSLATE_START = "start"  # re-render this /start screen in the given language
    ASK_EXAMPLE = "ask"  # ask example question number <passage id field> of the given language's texts
    NOT_WHAT_I_ASKED = "miss"  # the answer quoting this passage missed the question: noted, and a way on offered


_NEEDS_PASSAGE = frozenset(
    {Action.SHOW_PASSAGE, Action.TRANSLATE_ANSWER, Action.SEND_CARD, Action.ASK_EXAMPLE, Action.NOT_WHAT_I_ASKED}
)


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """What a button asks for; ``passage_id`` is set exactly for the passage actions."""

    action: Action
    lang: Lang
    passage_id: str | None = None

    def __post_init__(self) -> None:
        if (self.action in _NEEDS_PASSAGE) != (self.passage_id is not None):
            raise ValueError(f"{self.action} {'needs' if self.action in _NEEDS_PASSAGE else 'takes no'} passage id")
        if self.passage_id is not None and not _PASSAGE_ID.fullmatch(self.passage_id):
            raise ValueError(f"not a passage id: {self.passage_id!r}")

    def encode(self) -> str:
        data = f"{VERSION}|{self.action}|{self.lang}|{self.passage_id or ''}"
        if len(data.encode()) > MAX_BYTES:  # cannot happen with valid ids; kept as a guard for new actions
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data


def decode(data: object) -> ButtonPress | None:
    """Parse callback data; ``None`` for anything this version did not produce."""
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split("|")
    if len(parts) != 4 or parts[0] != VERSION:
        return None
    _, action, lang, passage_id = parts
    if lang not in ("ar", "en"):
        return None
    try:
        return ButtonPress(Action(action), lang, passage_id or None)  # type: ignore[arg-type]
    except ValueError:  # unknown action, or a passage id where none belongs (or missing)
        return None

"""The button codec round-trips what the bot sends and rejects anything else without raising."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge_base import load_knowledge
from bot.telegram.callback_data import MAX_BYTES, Action, ButtonPress, decode

KB = load_knowledge(PROJECT_ROOT / "knowledge")


@pytest.mark.parametrize("action", [Action.SHOW_PASSAGE, Action.TRANSLATE_ANSWER])
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_passage_round_trips_within_64_bytes(action: Action, lang: str) -> None:
    """Each passage id, with each passage action and language, encodes under Telegram's limit and decodes back."""
    for _, passage in KB.entries():
        press = ButtonPress(action, lang, passage.id)  # type: ignore[arg-type]
        data = press.encode()
        assert len(data.encode()) <= MAX_BYTES
        assert decode(data) == press


@pytest.mark.parametrize("action", [Action.SHOW_PROPOSALS, Action.TRANSLATE_HELP, Action.TRANSLATE_GREETING, Action.TRANSLATE_PROPOSALS])
def test_actions_without_passage_round_trip(action: Action) -> None:
    """List and help actions carry only a language."""
    press = ButtonPress(action, "ar")
    assert decode(press.encode()) == press


def test_longest_possible_passage_id_still_fits() -> None:
    """The id pattern allows 40 characters; the widest action plus such an id stays within 64 bytes."""
    assert len(ButtonPress(Action.TRANSLATE_ANSWER, "en", "a" * 40).encode().encode()) <= MAX_BYTES


@pytest.mark.parametrize(
    "data",
    [
        None,
        42,
        "",
        "garbage",
        "v2|show|en|aims",  # a future version
        "v1|show|en",  # too few fields
        "v1|show|en|aims|extra",
        "v1|nuke|en|aims",  # unknown action
        "v1|show|fr|aims",  # unknown language
        "v1|show|en|",  # passage action without a passage
        "v1|list|en|aims",  # passage where none belongs
        "v1|show|en|AIMS",  # not an id
        "v1|show|en|<b>x</b>",
        "v1|show|en|" + "a" * 41,
        "v1|show|en|" + "ب" * 30,  # over 64 bytes
    ],
)
def test_malformed_or_foreign_data_decodes_to_none(data: object) -> None:
    """Anything the current version did not produce is rejected, never raised on."""
    assert decode(data) is None


def test_constructing_an_inconsistent_press_is_refused() -> None:
    """Code cannot build a passage action without an id (the bug would surface at send time otherwise)."""
    with pytest.raises(ValueError):
        ButtonPress(Action.SHOW_PASSAGE, "en")

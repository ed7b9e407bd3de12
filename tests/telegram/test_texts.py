"""The interface texts: complete in both languages, and the help's examples really are answered."""

from __future__ import annotations

import dataclasses
import string

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge_base import load_knowledge
from bot.search import PassageIndex
from bot.telegram.texts import ARABIC, ENGLISH, texts, ui_lang

INDEX = PassageIndex.build(load_knowledge(PROJECT_ROOT / "knowledge"))


@pytest.mark.parametrize(("code", "lang"), [("ar", "ar"), ("ar-EG", "ar"), ("AR", "ar"), ("en", "en"), ("en-US", "en"), ("ru", "en"), (None, "en"), ("", "en")])
def test_interface_language_follows_telegram_language_code(code: str | None, lang: str) -> None:
    """Arabic for any ar* language code, English for everything else."""
    assert ui_lang(code) == lang


def test_both_languages_fill_every_field_with_the_same_placeholders() -> None:
    """No string is missing or empty, and each Arabic string takes the same {placeholders} as its English twin."""
    for field in dataclasses.fields(ENGLISH):
        ar, en = getattr(ARABIC, field.name), getattr(ENGLISH, field.name)
        assert ar and (en or field.name == "ordinals"), field.name  # English says "Proposal 4", no ordinal words
        if isinstance(en, str):
            assert sorted(_placeholders(ar)) == sorted(_placeholders(en)), field.name
    assert [c for c, _ in ARABIC.commands] == [c for c, _ in ENGLISH.commands]


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_help_examples_are_answered_by_the_statement(lang: str) -> None:
    """Help never suggests a question the bot would decline."""
    for example in texts(lang).examples:  # type: ignore[arg-type]
        assert INDEX.search(example).answered, example

"""The interface texts: complete in every catalog, and the help's examples really are answered."""

from __future__ import annotations

import dataclasses

import pytest

from bot import i18n
from bot.check import CATALOG_SCHEMA, CATALOG_SCHEMAS
from bot.config import PROJECT_ROOT
from bot.knowledge_base import load_knowledge
from bot.search import PassageIndex
from bot.subscriptions import texts as subscription_texts
from bot.telegram.texts import COMMAND_NAMES, MESSAGES, UiTexts, from_catalog, proposal_name, texts, ui_lang

INDEX = PassageIndex.build(load_knowledge(PROJECT_ROOT / "knowledge"))


@pytest.mark.parametrize(("code", "lang"), [("ar", "ar"), ("ar-EG", "ar"), ("AR", "ar"), ("en", "en"), ("en-US", "en"), ("ru", "en"), (None, "en"), ("", "en")])
def test_interface_language_follows_telegram_language_code(code: str | None, lang: str) -> None:
    """Arabic for any ar* language code, English for everything else."""
    assert ui_lang(code) == lang


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_field_comes_from_the_catalog(lang: str) -> None:
    """Each UiTexts field is the catalog entry of the same key (lists: key_1..., commands: command_<name>)."""
    catalog = i18n.catalog(lang)
    ui = texts(lang)  # type: ignore[arg-type]
    for field in dataclasses.fields(UiTexts):
        value = getattr(ui, field.name)
        if isinstance(value, str) and field.name != "lang":
            assert value == catalog.text(field.name), field.name
    assert ui.examples == tuple(catalog.text(f"example_{n}") for n in range(1, len(ui.examples) + 1))
    assert ui.commands == tuple((name, catalog.text(f"command_{name}")) for name in COMMAND_NAMES)


@pytest.mark.parametrize("path", i18n.catalog_paths(), ids=lambda p: p.name)
def test_every_catalog_holds_every_entry_the_code_reads_with_its_placeholders(path) -> None:  # type: ignore[no-untyped-def]
    """The code's keys (every UiTexts field, the counted phrases) are in each .po, each with exactly the
    placeholders the code fills; and a catalog holds nothing the code never reads (a stale or misspelt key)."""
    catalog = i18n.read_catalog(path)
    catalog.require(CATALOG_SCHEMA)
    for key, spec in CATALOG_SCHEMA.items():
        if spec.counted:
            assert all(i18n.placeholders(form) <= spec.placeholders for form in catalog.plural_texts[key]), key
            assert any(i18n.placeholders(form) == spec.placeholders for form in catalog.plural_texts[key]), key
        else:
            assert i18n.placeholders(catalog.text(key)) == spec.placeholders, key
    assert set(catalog.texts) | set(catalog.plural_texts) == set(CATALOG_SCHEMA)
    assert from_catalog(catalog).lang == path.stem


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_subscription_texts_come_from_the_catalog(lang: str) -> None:
    """Each SubscriptionTexts field is the catalog entry sub_<field>."""
    catalog = i18n.catalog(lang)
    sub = subscription_texts.sub_texts(lang)  # type: ignore[arg-type]
    for field in dataclasses.fields(subscription_texts.SubscriptionTexts):
        if field.name != "lang":
            assert getattr(sub, field.name) == catalog.text(f"sub_{field.name}"), field.name
    assert set(subscription_texts.MESSAGES) == {f"sub_{f.name}" for f in dataclasses.fields(sub) if f.name != "lang"}


def test_no_two_parts_of_the_bot_read_the_same_key() -> None:
    """The counted phrases, the interface and the subscriptions each own their keys in the shared catalogs."""
    assert len(CATALOG_SCHEMA) == sum(len(schema) for schema in CATALOG_SCHEMAS)


def test_the_schema_covers_every_string_field() -> None:
    """Nothing the interface shows bypasses the catalog: every str field of UiTexts is a key of MESSAGES."""
    plain = {f.name for f in dataclasses.fields(UiTexts) if f.type == "str" and f.name != "lang"}
    assert plain <= set(MESSAGES)
    assert {f"command_{name}" for name in COMMAND_NAMES} <= set(MESSAGES)


@pytest.mark.parametrize(("lang", "number", "expected"), [("ar", 4, "المقترح الرابع"), ("en", 4, "Proposal 4"), ("ar", 12, "المقترح 12"), ("en", 12, "Proposal 12")])
def test_proposal_names(lang: str, number: int, expected: str) -> None:
    """Arabic names the proposals with ordinal words; past the catalog's named ones, digits."""
    assert proposal_name(lang, number) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_help_examples_are_answered_by_the_statement(lang: str) -> None:
    """Help never suggests a question the bot would decline."""
    for example in texts(lang).examples:  # type: ignore[arg-type]
        assert INDEX.search(example).answered, example

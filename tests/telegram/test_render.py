"""Rendering: quotations in the right language with source and link, valid HTML, escaping, 4096 chars."""

from __future__ import annotations

import random

import pytest

from bot.answer import Answer, Hit, source_name
from bot.config import PROJECT_ROOT
from bot.knowledge_base import KnowledgeBase, KnowledgeFile, Passage, load_knowledge
from bot.telegram.callback_data import Action, decode
from bot.telegram.render import (
    LABEL_CHARS,
    MAX_MESSAGE,
    clip,
    fit,
    inline_passage,
    inline_proposals,
    label,
    link,
    passage_ids_in,
    render_answer,
    render_help,
    render_proposals,
    render_proposals_message,
    tg_len,
)
from bot.telegram.texts import texts
from tests.fakes.telegram_html import parse_html
from tests.plain import plain

KB = load_knowledge(PROJECT_ROOT / "knowledge")
DOC, PASSAGE = KB.passage("proposal-3-incidents-agreement") or (None, None)
_, AIMS = KB.passage("aims") or (None, None)


def parse(html_text: str) -> tuple[str, list[str]]:
    """Plain text and link targets, parsed as Telegram does (raises on markup Telegram would refuse)."""
    text, entities = parse_html(html_text)
    return plain(text), [e["url"] for e in entities if e["type"] == "text_link"]


def _answer(lang: str, *ids: str, answered: bool = True, query: str = "q") -> Answer:
    hits = tuple(Hit(DOC, KB.passage(i)[1], 90.0 - n) for n, i in enumerate(ids))  # type: ignore[index,arg-type]
    return Answer(query=query, lang=lang, match="answer" if answered else "none", hits=hits)  # type: ignore[arg-type]


def _buttons(markup):  # type: ignore[no-untyped-def]
    return [b for row in markup.inline_keyboard for b in row]


def test_arabic_answer_quotes_arabic_text_then_source_and_link() -> None:
    """An Arabic answer is the Arabic passage in a blockquote, then the TASS source linked to the Kremlin page."""
    rendered = render_answer(_answer("ar", PASSAGE.id, AIMS.id), KB)
    text, links = parse(rendered.text)
    assert "<blockquote>" in rendered.text
    assert PASSAGE.text_ar in text and PASSAGE.text_en not in text
    assert source_name(DOC, "ar") in text and links == [DOC.url, DOC.url_ru, DOC.url_agency_en]
    assert all(url.startswith("https://") for url in links)
    assert text.index(PASSAGE.text_ar) < text.index(source_name(DOC, "ar"))


def test_english_answer_is_labelled_translation_with_arabic_original() -> None:
    """English text is labelled a translation and followed by the labelled Arabic original."""
    rendered = render_answer(_answer("en", PASSAGE.id), KB)
    text, _ = parse(rendered.text)
    ui = texts("en")
    order = [text.index(s) for s in (ui.translation_label, PASSAGE.text_en, ui.original_label, PASSAGE.text_ar)]
    assert order == sorted(order)
    assert source_name(DOC, "en") in text


def test_answer_buttons_switch_language_share_and_offer_next_best() -> None:
    """Buttons: the other language for this passage, share via inline, then the next-best passages."""
    rendered = render_answer(_answer("en", PASSAGE.id, AIMS.id), KB)
    buttons = _buttons(rendered.markup)
    presses = [decode(b.callback_data) for b in buttons if b.callback_data]
    assert presses[0].action is Action.TRANSLATE_ANSWER and presses[0].lang == "ar"
    assert presses[0].passage_id == PASSAGE.id
    assert any(b.switch_inline_query for b in buttons)
    assert [p.passage_id for p in presses if p.action is Action.SHOW_PASSAGE] == [AIMS.id]
    assert passage_ids_in(rendered.markup) == [AIMS.id]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_not_found_is_honest_and_offers_suggestions_and_proposals(lang: str) -> None:
    """Not answered: says so, echoes the question, suggestions and the proposals list as buttons, no quote."""
    rendered = render_answer(_answer(lang, AIMS.id, answered=False, query="weather tomorrow"), KB)
    text, _ = parse(rendered.text)
    assert texts(lang).not_found in text and "weather tomorrow" in text
    assert "<blockquote>" not in rendered.text
    presses = [decode(b.callback_data) for b in _buttons(rendered.markup)]
    every_call = [(Action.SHOW_PASSAGE, p.id) for _, p in KB.summarized()]
    assert [(p.action, p.passage_id) for p in presses] == [*every_call, (Action.SHOW_PROPOSALS, None)]
    assert text.splitlines()[-1] == texts(lang).closest_title  # the heading points at the buttons, nothing else follows


def test_user_markup_is_escaped_when_echoed() -> None:
    """A question full of HTML comes back as the same characters, not as markup."""
    evil = '<b>bold</b> <a href="javascript:x">x</a> & &amp; </blockquote>'
    rendered = render_answer(_answer("en", AIMS.id, answered=False, query=evil), KB)
    text, links = parse(rendered.text)
    assert evil in text
    assert links == []


def _kb_with(passage: Passage) -> KnowledgeBase:
    return KnowledgeBase(files=(KnowledgeFile(document=DOC, passages=(passage,)),))


def test_knowledge_text_is_escaped_and_oversized_messages_are_trimmed_with_link() -> None:
    """Knowledge text with markup characters is escaped; a message that would pass 4096 chars is cut, still valid, ending with the link."""
    nasty = Passage(id="nasty", text_ar="<&>" * 500, text_en="a<b & c> " * 222, proposal=1, summary_ar="<ملخص>", summary_en="<s>")
    rendered = render_answer(Answer("q", "en", "answer", (Hit(DOC, nasty, 99.0),)), KB)
    assert tg_len(rendered.text) <= MAX_MESSAGE
    text, links = parse(rendered.text)
    assert text.startswith(texts("en").proposal_names[0])
    assert "…" in text and links[-1] == DOC.url
    summary_text, _ = parse(render_proposals(_kb_with(nasty), "en"))
    assert "<s>" in summary_text


def test_fit_keeps_short_messages_untouched() -> None:
    """Messages under the limit are returned exactly."""
    html_text = "<b>x</b> &amp; y"
    assert fit(html_text, tail="t") == html_text


def test_fit_always_yields_valid_html_within_limit() -> None:
    """Random nested HTML cut at random limits stays balanced and within the limit, in UTF-16 units."""
    rng = random.Random(7)
    words = ["سلام", "word", "&amp;", "&lt;", "😀", "a b c", "\n"]
    for _ in range(300):
        parts = []
        for _ in range(rng.randint(1, 30)):
            tag = rng.choice(["b", "i", "blockquote", None])
            inner = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
            parts.append(f"<{tag}>{inner}</{tag}>" if tag else inner)
        source = "".join(parts)
        limit = rng.randint(60, 400)
        out = fit(source, tail=link("https://example.org/x", "src"), limit=limit)
        assert tg_len(out) <= limit
        parse(out)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_proposals_summary_lists_every_proposal_and_other_calls_with_source(lang: str) -> None:
    """The numbered proposals in order, then the other calls, then the source with its link."""
    text, links = parse(render_proposals(KB, lang))
    positions = [text.index(p.summary(lang)) for _, p in KB.proposals()]
    assert positions == sorted(positions) and len(positions) == 4
    for number in range(1, 5):
        assert f"{number}." in text
    others = [p for _, p in KB.summarized() if p.proposal is None]
    assert others and all(p.summary(lang) in text for p in others)
    assert texts(lang).other_calls_title in text
    assert source_name(DOC, lang) in text and DOC.url in links


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_proposals_message_offers_the_other_language(lang: str) -> None:
    """The /proposals message has one button: the same list in the other language."""
    *passages, button = _buttons(render_proposals_message(KB, lang).markup)
    press = decode(button.callback_data)
    assert press.action is Action.TRANSLATE_PROPOSALS and press.lang != lang
    assert [decode(b.callback_data).passage_id for b in passages] == [p.id for _, p in KB.summarized()]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_help_says_what_the_bot_knows_how_to_ask_and_switches_language(lang: str) -> None:
    """Help names the statement, TASS, the date and the Kremlin link, the bot's mention, and examples as buttons."""
    rendered = render_help(KB, lang, "bayan_test_bot")
    text, links = parse(rendered.text)
    assert DOC.title(lang) in text and source_name(DOC, lang) in text and "2020" in text
    assert DOC.url in links
    assert "@bayan_test_bot" in text
    presses = [decode(b.callback_data) for b in _buttons(rendered.markup)]
    examples = [b.text for b, p in zip(_buttons(rendered.markup), presses, strict=True) if p and p.action is Action.ASK_EXAMPLE]
    assert examples == [label(clip(e, LABEL_CHARS)) for e in texts(lang).examples]  # tap to ask, not text to copy
    assert any(p and p.action is Action.TRANSLATE_HELP and p.lang != lang for p in presses)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_inline_results_have_unique_short_ids_and_quote_with_source(lang: str) -> None:
    """Inline results: unique ids within 64 bytes, each sending valid HTML with the source link."""
    for results in (inline_proposals(KB, lang), [inline_passage(d, p, lang) for d, p in KB.entries()]):
        ids = [r.id for r in results]
        assert len(set(ids)) == len(ids) and all(len(i.encode()) <= 64 for i in ids)
    for r in inline_proposals(KB, lang):
        _, links = parse(r.input_message_content.message_text)
        assert DOC.url in links

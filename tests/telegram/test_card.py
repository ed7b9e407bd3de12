"""Quote cards: every passage in both languages fits the fixed layout, Arabic is shaped and right-to-left, nothing is cut."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from PIL import Image, ImageChops

from bot.answer import source_short
from bot.config import PROJECT_ROOT
from bot.knowledge_base import KnowledgeBase, Lang, Passage
from bot.telegram import card
from bot.telegram.card import CardRenderer, cards_status, deep_link

MAX_PNG = 300 * 1024
BOT = "BayanTestBot"


@pytest.fixture(scope="module")
def renderer() -> CardRenderer:
    return CardRenderer()


def quote_words(layout: card.CardLayout, lang: Lang) -> list[str]:
    """The words of the lines that carry the quotation in ``lang``, in reading order."""
    role = "quote" if layout.lang == lang else "original"
    lines = [line for line in layout.lines if line.role == role]
    assert all(card.QUOTE_TOP <= line.y < card.QUOTE_BOTTOM for line in lines)
    return " ".join(line.text for line in lines).split()


def assert_fits(layout: card.CardLayout) -> None:
    for line in layout.lines:
        assert card.MARGIN - 0.5 <= line.left and line.right <= card.SIZE - card.MARGIN + 0.5, line
        assert line.width <= card.CONTENT_WIDTH, line
        assert 0 < line.y < card.SIZE - card.MARGIN // 2, line


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_passage_renders_within_size_and_layout(
    knowledge: KnowledgeBase, renderer: CardRenderer, lang: Lang
) -> None:
    """A 1080×1080 PNG under 300 KB per passage; no line leaves the margins; the whole quotation is on the card."""
    for doc, passage in knowledge.entries():
        png = renderer.render(doc, passage, lang, BOT)
        assert 0 < len(png) <= MAX_PNG
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size == (card.SIZE, card.SIZE)
        layout = renderer.layout(doc, passage, lang, BOT)
        assert_fits(layout)
        if lang == "en":
            assert quote_words(layout, "en") == passage.text_en.split()
        assert quote_words(layout, "ar") == passage.text_ar.split()
        footer = [line.text for line in layout.lines if line.role == "footer"]
        assert any(deep_link(BOT, passage.id).removeprefix("https://") in t and f"@{BOT}" in t for t in footer)
        assert source_short(doc, lang) in footer and doc.speaker(lang) in footer


def test_english_card_labels_our_translation_and_keeps_the_original(
    knowledge: KnowledgeBase, renderer: CardRenderer
) -> None:
    doc, passage = knowledge.proposals()[1]
    texts = [line.text for line in renderer.layout(doc, passage, "en", BOT).lines]
    assert "Our translation from the Arabic" in texts and "Arabic original" in texts
    assert f"Proposal {passage.proposal}" in texts
    assert "Vladimir Putin, President of Russia" in texts
    assert any("TASS, on the Kremlin statement of 25 September 2020" == t for t in texts)
    assert texts.index("Our translation from the Arabic") < texts.index("Arabic original")


def test_no_ink_in_the_margins(knowledge: KnowledgeBase, renderer: CardRenderer) -> None:
    """The pixels themselves, not just the layout's arithmetic: the side margins stay background."""
    for doc, passage in knowledge.entries()[:6]:
        for lang in ("ar", "en"):
            image = Image.open(io.BytesIO(renderer.render(doc, passage, lang, BOT))).convert("RGB")
            assert image.getpixel((card.SIZE // 2, card.SIZE - 4)) == card.BACKGROUND
            blank = Image.new("RGB", (card.MARGIN - 8, card.SIZE - 16), card.BACKGROUND)
            for x in (0, card.SIZE - card.MARGIN + 8):
                strip = image.crop((x, 16, x + card.MARGIN - 8, card.SIZE))
                assert ImageChops.difference(strip, blank).getbbox() is None, (passage.id, lang, x)


def test_arabic_is_shaped(renderer: CardRenderer) -> None:
    """Joined letters take their contextual forms: a word is narrower than its letters set one by one."""
    for word in ("بيان", "محمد", "المعلومات"):
        joined = renderer.measure(word, 60, "ar")
        unjoined = sum(renderer.measure(letter, 60, "ar") for letter in word)
        assert joined < unjoined * 0.85, word


def test_arabic_reads_right_to_left(renderer: CardRenderer) -> None:
    """Set right-aligned, the first word of an Arabic line is drawn at the right edge, where it is drawn alone."""
    font = renderer.font(60)

    def ink(text: str) -> Image.Image:
        image = Image.new("L", (900, 120), 0)
        from PIL import ImageDraw

        ImageDraw.Draw(image).text((880, 10), text, font=font, fill=255, anchor="ra", direction="rtl", language="ar")
        return image

    first, line = ink("بيان"), ink("بيان روسيا")
    left = first.getbbox()
    assert left is not None
    region = (left[0] - 4, 0, 900, 120)
    assert ImageChops.difference(first.crop(region), line.crop(region)).getbbox() is None
    assert line.getbbox()[0] < left[0] - 100  # the second word went to the left  # type: ignore[index]


def test_the_longest_possible_passage_fits_without_cutting(renderer: CardRenderer, knowledge: KnowledgeBase) -> None:
    """Passage's length limits (1500 Arabic, 2000 English characters) still fit, at a smaller size, every word kept."""
    doc, real = knowledge.passage("proposal-2-channels")  # type: ignore[misc]
    text_ar = (real.text_ar + " ") * 6
    text_en = (real.text_en + " ") * 6
    longest = Passage(id="longest", text_ar=text_ar[:1500].rsplit(" ", 1)[0], text_en=text_en[:2000].rsplit(" ", 1)[0])
    for lang in ("ar", "en"):
        layout = renderer.layout(doc, longest, lang, BOT)
        assert_fits(layout)
        assert layout.quote_size < card.MAX_QUOTE_SIZE
        assert quote_words(layout, "ar") == longest.text_ar.split()
        assert len(renderer.render(doc, longest, lang, BOT)) <= MAX_PNG
    short_size = renderer.layout(doc, real, "ar", BOT).quote_size
    assert renderer.layout(doc, longest, "ar", BOT).quote_size < short_size


def test_a_word_wider_than_the_card_shrinks_the_text(renderer: CardRenderer, knowledge: KnowledgeBase) -> None:
    doc, _ = knowledge.entries()[0]
    long_word = Passage(id="long-word", text_ar="كلمة " + "ب" * 120, text_en="word " + "x" * 90)
    for lang in ("ar", "en"):
        assert_fits(renderer.layout(doc, long_word, lang, BOT))


def test_check_reports_cards_on() -> None:
    assert cards_status().startswith("on (Pillow raqm ")


def test_card_command_writes_a_png_and_names_unknown_passages(tmp_path) -> None:
    out = tmp_path / "card.png"
    run = [sys.executable, "-m", "bot", "card"]
    done = subprocess.run(
        [*run, "proposal-1-dialogue", "--lang", "en", "-o", str(out)],
        check=False,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert Image.open(out).size == (card.SIZE, card.SIZE)
    missing = subprocess.run(
        [*run, "no-such-passage", "-o", str(tmp_path / "x.png")],
        check=False,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert missing.returncode == 2
    assert "no passage 'no-such-passage'" in missing.stderr and "proposal-1-dialogue" in missing.stderr
    assert not (tmp_path / "x.png").exists()

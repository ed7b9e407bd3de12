"""Quote cards: one passage → a 1080×1080 PNG that reads right in Arabic (pure, no I/O but the fonts).

Arabic needs two things most image tools get wrong: *shaping* (each letter takes its initial,
medial, final or isolated form and joins its neighbours) and *bidi* (right-to-left order, with
numbers and Latin runs the right way round inside it). Pillow's raqm layout engine does both
through HarfBuzz and FriBiDi, which its wheels bundle; without raqm, Pillow's basic layout
would draw unjoined letters left to right, so :class:`CardRenderer` refuses to start instead
(cards are then off; the rest of the bot is unaffected).

Lines are wrapped on word boundaries by *measured* width (the shaped width of the whole line,
not a count of characters), in logical order; each line is then drawn right-aligned with base
direction RTL, which is how the Unicode bidi algorithm lays out a paragraph line by line.
A long passage is fitted by trying smaller font sizes until every block fits its region:
a card never cuts a quotation.

The layout is fixed; :data:`LAYOUT_VERSION` names it, so caches of uploaded cards (keyed by
passage, language and layout version) are invalidated by bumping it when the design changes.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import fontpkg  # type: ignore[import-untyped]  # no type hints shipped
from PIL import Image, ImageDraw, ImageFont, features

from bot.answer import source_short
from bot.knowledge_base import Document, Lang, Passage
from bot.telegram.texts import proposal_name, texts

LAYOUT_VERSION = 1
SIZE = 1080  # a square: Telegram shows it uncropped in chats and in the media gallery
MARGIN = 96
CONTENT_WIDTH = SIZE - 2 * MARGIN
FONT_FAMILY = "amiri"  # a Naskh face with full Arabic shaping tables and matching Latin glyphs

BACKGROUND = (250, 246, 238)
INK = (28, 28, 28)
ACCENT = (14, 90, 79)
MUTED = (106, 98, 87)
RULE = (214, 204, 188)

HEADER_TOP = 64
QUOTE_TOP = 176  # the quotation region: from here ...
QUOTE_BOTTOM = 790  # ... to here
FOOTER_TOP = 828
MAX_QUOTE_SIZE = 58  # short passages are set large, long ones shrink down to ...
MIN_QUOTE_SIZE = 14  # ... this; below it a passage is refused (Passage's length limits keep far above)
ORIGINAL_SCALE = 0.74  # on an English card the Arabic original is set smaller than the translation
LINE_SPACING = {"ar": 1.62, "en": 1.42}  # Arabic needs room for ascenders, descenders and vowel marks
REFERENCE_SIZE = 100  # words are measured once at this size and scaled while fitting
ESTIMATE_SLACK = 0.985  # wrap scaled estimates a little short, so the real measure rarely disagrees
BLOCK_GAP = 0.9
LABEL_SIZE = 24  # space between a label and the next block, in units of the quote's font size

PNG_COMPRESSION = 3  # zlib level: 6 is ~20% smaller and twice as slow to encode; 3 keeps cards far under 300 KB
SHADES = 16  # anti-aliasing steps per colour; more is invisible at this size and grows the PNG

Direction = Literal["rtl", "ltr"]
Role = Literal["header", "label", "quote", "original", "footer"]
Color = tuple[int, int, int]
_COLORS: tuple[Color, ...] = (INK, ACCENT, MUTED, RULE)


def _blend(color: Color, coverage: float) -> list[int]:
    return [round(b + (c - b) * coverage) for b, c in zip(BACKGROUND, color, strict=True)]


# Palette: entry 0 is the background, then SHADES entries per colour from faint to solid.
_PALETTE = [*BACKGROUND, *(v for color in _COLORS for k in range(1, SHADES + 1) for v in _blend(color, k / SHADES))]


def _solid(color: Color) -> int:
    return 1 + _COLORS.index(color) * SHADES + SHADES - 1


# Coverage 0–255 → palette entry of ``color`` (0, the background, where there is no ink).
_SHADE_LUT = {
    color: [0] + [1 + i * SHADES + min(SHADES - 1, v * SHADES // 256) for v in range(1, 256)]
    for i, color in enumerate(_COLORS)
}
_INKED = [0] + [255] * 255  # the paste mask: wherever the line put any ink


class CardsUnavailable(RuntimeError):
    """This Pillow cannot shape Arabic (no raqm) or the font package is missing: cards are off."""


class CardTooLong(ValueError):
    """The passage does not fit the card even at the smallest font size (it is never cut)."""


def raqm_version() -> str | None:
    """The raqm layout engine's version when Pillow has it, else ``None``."""
    return features.version("raqm") if features.check("raqm") else None


def font_path(weight: int = 400) -> Path:
    """The card font from its PyPI package (``fontpkg-amiri``): no system fonts needed."""
    try:
        return Path(fontpkg.path(FONT_FAMILY, weight=weight))
    except fontpkg.FontpkgError as exc:
        raise CardsUnavailable(f"font {FONT_FAMILY!r} not installed (pip install fontpkg-amiri): {exc}") from exc


def cards_status() -> str:
    """One line for ``python -m bot check``: are cards on, and if not, why."""
    try:
        CardRenderer()
    except CardsUnavailable as exc:
        return f"off ({exc}); the rest of the bot is unaffected"
    return f"on (Pillow raqm {raqm_version()}, font {FONT_FAMILY.title()}, layout v{LAYOUT_VERSION})"


def deep_link(bot_username: str, passage_id: str) -> str:
    """``t.me/<bot>?start=<passage-id>``: opens the bot on this passage (``/start`` handles it)."""
    return f"https://t.me/{bot_username}?start={passage_id}"


@dataclass(frozen=True, slots=True)
class Line:
    """One drawn line: its text (logical order), font size, weight, direction, box and measured width."""

    text: str
    size: int
    bold: bool
    direction: Direction
    x: int  # the edge the line is aligned to: its right edge if ``flush_right``, else its left edge
    y: int  # top of the line box
    width: float
    color: tuple[int, int, int]
    flush_right: bool
    role: Role

    @property
    def left(self) -> float:
        return self.x - self.width if self.flush_right else self.x

    @property
    def right(self) -> float:
        return self.x if self.flush_right else self.x + self.width


@dataclass(frozen=True, slots=True)
class CardLayout:
    """Every line of a card, where it goes, and the font size the quotation was fitted at."""

    lang: Lang
    quote_size: int
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class _Block:
    text: str
    lang: Lang  # the script's language: decides direction and line spacing
    scale: float  # relative to the quotation's font size
    bold: bool = False
    fixed_size: int | None = None  # labels keep a readable size whatever the quotation's
    role: Role = "quote"
    color: tuple[int, int, int] = INK
    gap_after: float = 0.0  # extra space after the block, in units of the quotation's font size


def _label_block(text: str) -> _Block:
    """A small bold label above an English card's translation or its Arabic original."""
    return _Block(text, "en", 0.5, bold=True, color=ACCENT, fixed_size=LABEL_SIZE, gap_after=0.2, role="label")


def _direction(lang: Lang) -> Direction:
    return "rtl" if lang == "ar" else "ltr"


class CardRenderer:
    """Lays out and draws cards; holds the loaded fonts, so build one and reuse it.

    Rendering is a pure function of (document, passage, language, bot username). FreeType faces
    are not safe to use from two threads at once, so :meth:`render` takes a lock: callers run it
    in a worker thread (``asyncio.to_thread``), several at a time if they like.
    """

    def __init__(self) -> None:
        if raqm_version() is None:
            raise CardsUnavailable("Pillow was built without the raqm layout engine: Arabic cannot be shaped")
        self._paths = {False: str(font_path(400)), True: str(font_path(700))}
        self._fonts: dict[tuple[bool, int], ImageFont.FreeTypeFont] = {}
        self._word_widths: dict[tuple[str, Lang, bool], dict[str, float]] = {}
        self._lock = threading.Lock()

    def font(self, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        key = (bold, size)
        if key not in self._fonts:
            self._fonts[key] = ImageFont.truetype(self._paths[bold], size, layout_engine=ImageFont.Layout.RAQM)
        return self._fonts[key]

    def measure(self, text: str, size: int, lang: Lang, bold: bool = False) -> float:
        """The shaped width of ``text`` in pixels (raqm: joined letters, ligatures, kerning)."""
        return self.font(size, bold).getlength(text, direction=_direction(lang), language=lang)

    def wrap(
        self, text: str, size: int, lang: Lang, width: float, bold: bool = False
    ) -> list[tuple[str, float]] | None:
        """Greedy word wrap by measured width: ``(line, width)`` pairs, or ``None`` if a single word is too wide.

        Words are measured once, at :data:`REFERENCE_SIZE`, and scaled (advances grow linearly
        with the size; Arabic never joins across a space); every line is then measured whole at
        the real size, and one that comes out too wide after all is re-wrapped by real measure.
        """
        widths = self._reference_widths(text, lang, bold)
        scale = size / REFERENCE_SIZE
        space = widths[" "] * scale
        budget = width * ESTIMATE_SLACK
        lines: list[list[str]] = []
        current: list[str] = []
        used = 0.0
        for word in text.split():
            w = widths[word] * scale
            if w > budget:
                return None
            if current and used + space + w > budget:
                lines.append(current)
                current, used = [], 0.0
            used += (space if current else 0.0) + w
            current.append(word)
        if current:
            lines.append(current)
        out = []
        for words in lines:
            line = " ".join(words)
            real = self.measure(line, size, lang, bold)
            if real > width:
                return self._wrap_measured(text, size, lang, width, bold)
            out.append((line, real))
        return out

    def _reference_widths(self, text: str, lang: Lang, bold: bool) -> dict[str, float]:
        key = (text, lang, bold)
        if key not in self._word_widths:
            words = {w: self.measure(w, REFERENCE_SIZE, lang, bold) for w in text.split()}
            words[" "] = self.measure(" ", REFERENCE_SIZE, lang, bold)
            self._word_widths[key] = words
        return self._word_widths[key]

    def _wrap_measured(
        self, text: str, size: int, lang: Lang, width: float, bold: bool
    ) -> list[tuple[str, float]] | None:
        """The slow, exact wrap: every candidate line measured whole."""
        lines: list[tuple[str, float]] = []
        current, current_width = "", 0.0
        for word in text.split():
            candidate = f"{current} {word}" if current else word
            candidate_width = self.measure(candidate, size, lang, bold)
            if candidate_width <= width:
                current, current_width = candidate, candidate_width
                continue
            if not current:
                return None
            lines.append((current, current_width))
            current, current_width = word, self.measure(word, size, lang, bold)
            if current_width > width:
                return None
        if current:
            lines.append((current, current_width))
        return lines

    def _set_blocks(self, blocks: Sequence[_Block], quote_size: int, top: int, bottom: int) -> list[Line] | None:
        """The blocks' lines from ``top`` down, or ``None`` if they pass ``bottom`` at this size."""
        out: list[Line] = []
        y = float(top)
        for block in blocks:
            size = block.fixed_size or max(1, round(quote_size * block.scale))
            wrapped = self.wrap(block.text, size, block.lang, CONTENT_WIDTH, block.bold)
            if wrapped is None:
                return None
            step = size * LINE_SPACING[block.lang]
            direction = _direction(block.lang)
            # Each block is aligned to its own script's start edge: Arabic right, English left.
            x = SIZE - MARGIN if direction == "rtl" else MARGIN
            for text, width in wrapped:
                out.append(
                    Line(
                        text,
                        size,
                        block.bold,
                        direction,
                        x,
                        round(y),
                        width,
                        block.color,
                        direction == "rtl",
                        block.role,
                    )
                )
                y += step
            y += block.gap_after * quote_size
        return out if y - (quote_size * 0.25) <= bottom else None

    def _fit(self, blocks: Sequence[_Block]) -> tuple[int, list[Line]]:
        """The largest quotation size whose blocks fit the region (binary search: taller as it grows)."""
        low, high = MIN_QUOTE_SIZE, MAX_QUOTE_SIZE
        best: tuple[int, list[Line]] | None = None
        while low <= high:
            mid = (low + high) // 2
            lines = self._set_blocks(blocks, mid, QUOTE_TOP, QUOTE_BOTTOM)
            if lines is None:
                high = mid - 1
            else:
                best = (mid, lines)
                low = mid + 1
        if best is None:
            raise CardTooLong(f"the passage does not fit a card even at {MIN_QUOTE_SIZE}px")
        return best

    def layout(self, doc: Document, passage: Passage, lang: Lang, bot_username: str) -> CardLayout:
        """Where every line of the card goes, the quotation at the largest size that fits."""
        ui = texts(lang)
        fixed: list[Line] = []

        def put(
            text: str,
            size: int,
            y: int,
            *,
            bold: bool = False,
            color: tuple[int, int, int] = INK,
            at_end: bool = False,
            script: Lang = lang,
            role: Role = "footer",
        ) -> None:
            """One line at the card's start edge (right in Arabic) or, ``at_end``, at the far edge."""
            flush_right = (lang == "ar") != at_end
            width = self.measure(text, size, script, bold)
            x = SIZE - MARGIN if flush_right else MARGIN
            fixed.append(Line(text, size, bold, _direction(script), x, y, width, color, flush_right, role))

        put("بيان · Bayan" if lang == "ar" else "Bayan · بيان", 34, HEADER_TOP, bold=True, color=ACCENT, role="header")
        if passage.proposal is not None:
            put(
                proposal_name(lang, passage.proposal),
                34,
                HEADER_TOP,
                bold=True,
                color=INK,
                at_end=True,
                role="header",
            )

        blocks: list[_Block]
        if lang == "en":
            blocks = [
                _label_block(ui.card_translation_label),
                _Block(passage.text_en, "en", 1.0, gap_after=BLOCK_GAP),
                _label_block(ui.original_label),
                _Block(passage.text_ar, "ar", ORIGINAL_SCALE, role="original"),
            ]
        else:
            blocks = [_Block(passage.text_ar, "ar", 1.0)]
        try:
            quote_size, quote = self._fit(blocks)
        except CardTooLong as exc:
            raise CardTooLong(f"passage {passage.id!r}: {exc}") from None

        speaker = doc.speaker(lang)
        link = f"@{bot_username}  ·  {deep_link(bot_username, passage.id).removeprefix('https://')}"
        footer: list[tuple[str, int, bool, tuple[int, int, int], Lang]] = [
            *([(speaker, 34, True, INK, lang)] if speaker else []),
            (source_short(doc, lang), 28, False, MUTED, lang),
            (link, 28, True, ACCENT, "en"),  # Latin: set left to right even on an Arabic card
        ]
        y = FOOTER_TOP + 34
        for text, size, bold, color, script in footer:
            fitted = size
            while self.measure(text, fitted, script, bold) > CONTENT_WIDTH and fitted > 12:
                fitted -= 1  # a very long source line or bot name shrinks rather than overflows
            put(text, fitted, y, bold=bold, color=color, script=script)
            y += round(size * 1.55)
        return CardLayout(lang, quote_size, tuple(fixed + quote))

    def draw(self, layout: CardLayout) -> Image.Image:
        """The card as a palette image: background, then each colour in :data:`SHADES` steps of coverage.

        Text is rasterised into a greyscale coverage mask per line and mapped straight to palette
        entries, so there is no full-colour image to quantise: faster, smaller, and the background
        stays exactly :data:`BACKGROUND`.
        """
        image = Image.new("P", (SIZE, SIZE), 0)
        image.putpalette(_PALETTE)
        pen = ImageDraw.Draw(image)
        pen.rectangle((0, 0, SIZE - 1, 11), fill=_solid(ACCENT))  # the accent strip along the top edge
        rule_y = QUOTE_TOP - 36
        x0, x1 = (SIZE - MARGIN - 120, SIZE - MARGIN) if layout.lang == "ar" else (MARGIN, MARGIN + 120)
        pen.rectangle((x0, rule_y, x1, rule_y + 5), fill=_solid(ACCENT))  # a short rule at the quotation's start
        pen.line((MARGIN, FOOTER_TOP, SIZE - MARGIN, FOOTER_TOP), fill=_solid(RULE), width=2)
        for line in layout.lines:
            self._draw_line(image, line)
        return image

    def _draw_line(self, image: Image.Image, line: Line) -> None:
        font = self.font(line.size, line.bold)
        anchor = "ra" if line.flush_right else "la"
        language = "ar" if line.direction == "rtl" else "en"
        left, top, right, bottom = font.getbbox(line.text, direction=line.direction, language=language, anchor=anchor)
        box = (line.x + int(left) - 2, line.y + int(top) - 2, line.x + int(right) + 2, line.y + int(bottom) + 2)
        coverage = Image.new("L", (box[2] - box[0], box[3] - box[1]), 0)
        ImageDraw.Draw(coverage).text(
            (line.x - box[0], line.y - box[1]),
            line.text,
            font=font,
            fill=255,
            anchor=anchor,
            direction=line.direction,
            language=language,
        )
        image.paste(coverage.point(_SHADE_LUT[line.color]), box, coverage.point(_INKED))

    def render(self, doc: Document, passage: Passage, lang: Lang, bot_username: str) -> bytes:
        """The card as PNG bytes."""
        with self._lock:
            image = self.draw(self.layout(doc, passage, lang, bot_username))
        buffer = io.BytesIO()
        image.save(buffer, "PNG", compress_level=PNG_COMPRESSION)
        return buffer.getvalue()

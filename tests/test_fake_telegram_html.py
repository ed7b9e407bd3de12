"""The fake's HTML parser produces Telegram's plain text and entities, and refuses what Telegram refuses."""

from __future__ import annotations

import html

import pytest

from tests.fakes.telegram_html import HtmlParseError, parse_html, utf16_len


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("plain", "plain", []),
        ("<b>a</b><strong>b</strong>", "ab", [(0, 1, "bold"), (1, 1, "bold")]),
        ("<i>a<u>b</u></i>", "ab", [(0, 2, "italic"), (1, 1, "underline")]),
        (
            "<s>x</s><del>y</del><strike>z</strike>",
            "xyz",
            [(0, 1, "strikethrough"), (1, 1, "strikethrough"), (2, 1, "strikethrough")],
        ),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", [(0, 1, "spoiler"), (1, 1, "spoiler")]),
        ("😀<b>x</b>", "😀x", [(2, 1, "bold")]),
        ("<blockquote>q</blockquote>", "q", [(0, 1, "blockquote")]),
        ("<blockquote expandable>q</blockquote>", "q", [(0, 1, "expandable_blockquote")]),
        ("&lt;&gt;&amp;&quot;&#1576;&#x628;", '<>&"بب', []),
        ("a > b", "a > b", []),
        ("<B>x</B>", "x", [(0, 1, "bold")]),
        ("<b></b>x", "x", []),
        ("مرحبا <b>بوتين</b>", "مرحبا بوتين", [(6, 5, "bold")]),
    ],
)
def test_markup_becomes_text_and_entities(html: str, text: str, entities: list[tuple[int, int, str]]) -> None:
    """Tags become entities at UTF-16 offsets; empty entities vanish; tag names are case-insensitive."""
    parsed_text, parsed = parse_html(html)
    assert parsed_text == text
    assert [(e["offset"], e["length"], e["type"]) for e in parsed] == entities


def test_links_and_code_blocks_keep_their_attributes() -> None:
    """<a href> is a text_link (attribute entities decoded), tg://user a mention, <pre><code class> a language."""
    _, entities = parse_html(
        '<a href="https://x.org/?a=1&amp;b=2">l</a><a href="tg://user?id=7">u</a>'
        '<pre><code class="language-python">p</code></pre>'
    )
    assert entities[0] == {"offset": 0, "length": 1, "type": "text_link", "url": "https://x.org/?a=1&b=2"}
    assert entities[1]["type"] == "text_mention" and entities[1]["user"]["id"] == 7
    assert entities[2] == {"offset": 2, "length": 1, "type": "pre", "language": "python"}


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", "Unsupported HTML entity at byte offset 4"),
        ("&nbsp;", "Unsupported HTML entity at byte offset 0"),
        ("&#0;", "Unsupported HTML entity at byte offset 0"),
        ("<br/>", 'Unsupported start tag "br" at byte offset 0'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("ب<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<a href>x</a>", 'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0'),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("ب <", "Unclosed start tag at byte offset 3"),
    ],
)
def test_bad_markup_is_refused_with_telegrams_words(html: str, message: str) -> None:
    """Each refusal names the problem and the UTF-8 byte offset, as Telegram's "can't parse entities" does."""
    with pytest.raises(HtmlParseError) as caught:
        parse_html(html)
    assert str(caught.value) == message


@pytest.mark.parametrize(("text", "units"), [("abc", 3), ("بوتين", 5), ("😀", 2), ("a😀b", 4)])
def test_utf16_len_counts_code_units(text: str, units: int) -> None:
    """Offsets are counted in UTF-16 code units: astral characters count twice."""
    assert utf16_len(text) == units


@pytest.mark.parametrize(
    "raw", ["a < b & c > d", "\"quoted\" and 'single'", "<b>not a tag</b>", "&amp; literally", "بوتين <script>"]
)
def test_html_escape_output_is_always_accepted(raw: str) -> None:
    """Whatever a user typed, html.escape makes it safe: it parses back to exactly the typed text."""
    assert parse_html(html.escape(raw)) == (raw, [])

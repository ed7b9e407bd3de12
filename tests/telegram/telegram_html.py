"""Test helper: read Telegram HTML the way Telegram does (allowed tags, balanced, entities) into plain text."""

from __future__ import annotations

from html.parser import HTMLParser

ALLOWED = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote", "tg-spoiler", "span"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, f"tag <{tag}> is not Telegram HTML"
        if tag == "a":
            self.links.append(dict(attrs)["href"] or "")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> (open: {self.stack})"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html_text: str) -> tuple[str, list[str]]:
    """(plain text, link targets); fails on anything Telegram would reject."""
    reader = _Reader()
    reader.feed(html_text)
    reader.close()
    assert not reader.stack, f"unclosed tags {reader.stack}"
    return "".join(reader.text), reader.links

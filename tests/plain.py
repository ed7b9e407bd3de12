"""Sent text as a reader sees it: without the invisible bidi isolates (U+2066…U+2069) the bot adds
around Latin runs in Arabic lines, so tests can compare it with the source strings."""

from __future__ import annotations

_ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))


def plain(text: str) -> str:
    return text.translate(_ISOLATES)

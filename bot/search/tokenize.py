"""Tokenizing normalised text into Arabic words, Latin words and numbers (incl. "2nd", "3rd").

Anything else (punctuation incl. ، ؛ ؟, quotes, emoji, symbols) separates tokens. A script change
also separates them, so "الـCERT" or "بوتين's" still yield clean words. English possessives are
dropped here ("putin's" → "putin", "countries'" → "countries"), and "cyber" compounds split
("cyberattacks" → "cyber attacks") so they meet the two-word spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Script = Literal["ar", "en", "num"]

_TOKEN = re.compile(
    r"(?P<ar>[\u0621-\u064a\u0671-\u06d3]+)|(?P<en>[a-z]+(?:['’][a-z]+)*)|(?P<num>[0-9]+(?:(?:st|nd|rd|th)(?![a-z]))?)"
)
_POSSESSIVE = re.compile(r"['’]s$")
# "cyberattack", "cybersecurity", "cyberwar": written as one word or two, the prefix is the topic
_SPLIT_PREFIXES = ("cyber",)


@dataclass(frozen=True, slots=True)
class Token:
    """A normalised word, its script and its position in the text (for phrase matching)."""

    text: str
    script: Script
    position: int


def tokenize(normalized: str) -> list[Token]:
    """Split already-normalised text (see :func:`bot.search.normalize.normalize_text`) into tokens."""
    tokens: list[Token] = []
    for m in _TOKEN.finditer(normalized):
        script: Script = m.lastgroup  # type: ignore[assignment]
        word = m.group()
        if script == "en":
            word = _POSSESSIVE.sub("", word).replace("'", "").replace("’", "")
            prefix = next((p for p in _SPLIT_PREFIXES if word.startswith(p) and len(word) > len(p) + 2), None)
            if prefix:
                tokens.append(Token(prefix, script, len(tokens)))
                word = word[len(prefix) :]
        tokens.append(Token(word, script, len(tokens)))
    return tokens

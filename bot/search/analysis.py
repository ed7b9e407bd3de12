"""The analysis chain, in order: normalise → tokenize → stop words → stem.

The same chain runs over the passages at index time and over each question at query time, so
whatever a step does (even a Snowball quirk) it does to both sides alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.search.normalize import normalize_text
from bot.search.stemming import Stemmers
from bot.search.stopwords import is_stop_word
from bot.search.tokenize import Script, Token, tokenize


@dataclass(frozen=True, slots=True)
class Term:
    """One analysed word: its normalised surface form, its stem, and whether it is a stop word."""

    surface: str
    stem: str
    script: Script
    position: int
    stop: bool


class Analyzer:
    """Turns text into terms; holds the (cached, locked) stemmers, so build one per index."""

    def __init__(self) -> None:
        self._stemmers = Stemmers()

    def stem(self, surface: str, script: Script) -> str:
        return self._stemmers.stem(surface, script)

    def analyze(self, text: str) -> list[Term]:
        """Every token of ``text`` as a term, stop words included (flagged) for ordinal parsing."""
        return [
            Term(t.text, self.stem(t.text, t.script), t.script, t.position, is_stop_word(t.text))
            for t in tokenize(normalize_text(text))
        ]

    def content_terms(self, text: str) -> list[Term]:
        """The terms that say what the text is about: everything but stop words."""
        return [t for t in self.analyze(text) if not t.stop]

    @staticmethod
    def content_tokens(text: str) -> Iterator[Token]:
        """The chain up to stemming, for the index build, which stems each distinct word only once."""
        return (t for t in tokenize(normalize_text(text)) if not is_stop_word(t.text))

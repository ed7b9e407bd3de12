"""Snowball stemming (PyStemmer) for Arabic and English, fed so that word variants meet.

Snowball's Arabic stemmer only strips noun suffixes (ة، ية، ات) from words it recognises as
nouns, i.e. with the definite article, and only before ة (not ه): "الانتخابات" → "انتخاب" but
"انتخابات" → "انتخابا", "السيبراني" → "سيبران" but "سيبراني" → "سيبر", and "بوتين" → "وتين".
So each Arabic word is first reduced to its bare form (article and its proclitics removed),
then given back the article and a final ة, and only then stemmed: every variant of a word
reaches Snowball in the same shape and gets the same stem, at index and at query time alike.

English Snowball keeps "electoral" apart from "elections"; a tiny override table joins the
derivations the statement's vocabulary needs.

PyStemmer's Stemmer objects are not thread-safe, hence the lock; stems are cached per instance.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type information

from bot.search.tokenize import Script

_ARTICLE = re.compile(r"^(?:(?:وال|بال|فال|كال|لل|ال)(?=..)|هال(?=...))")

_ENGLISH_OVERRIDES = {
    "elector": "elect",
    "hacker": "hack",
}


def bare_arabic(word: str) -> str:
    """The word without the definite article and the proclitics attached to it (وال، بال، لل، ...)."""
    return _ARTICLE.sub("", word)


def snowball_arabic_input(word: str) -> str:
    """The shape in which Snowball stems an Arabic noun consistently: article + bare word + final ة."""
    bare = bare_arabic(word)
    if bare.endswith("ه"):
        bare = bare[:-1] + "ة"
    return "ال" + bare


class Stemmers:
    """Stems normalised tokens of either script; numbers are their own stem."""

    def __init__(self, cache_size: int = 4096) -> None:
        self._arabic = Stemmer.Stemmer("arabic")
        self._english = Stemmer.Stemmer("english")
        self._lock = threading.Lock()
        self.stem = lru_cache(maxsize=cache_size)(self._stem)

    def _stem(self, word: str, script: Script) -> str:
        if script == "num":
            return word
        with self._lock:
            if script == "ar":
                arabic: str = self._arabic.stemWord(snowball_arabic_input(word))
                return arabic
            stem: str = self._english.stemWord(word)
        return _ENGLISH_OVERRIDES.get(stem, stem)

"""Snowball stemming (PyStemmer) for Arabic and English, fed so that word variants meet.

Snowball's Arabic stemmer only strips noun suffixes (ة، ية، ات) from words it recognises as
nouns, i.e. with the definite article, and only before ة (not ه): "الانتخابات" → "انتخاب" but
"انتخابات" → "انتخابا", "السيبراني" → "سيبران" but "سيبراني" → "سيبر", and "بوتين" → "وتين".
So each Arabic word is first reduced to its bare form (article and its proclitics removed),
then given back the article and a final ة, and only then stemmed: every variant of a word
reaches Snowball in the same shape and gets the same stem, at index and at query time alike.

English Snowball keeps "electoral" apart from "elections"; a tiny override table joins the
derivations the statement's vocabulary needs. It also reduces "acceptable" to "accept", which
would make "did the US accept?" look answered by "in a form acceptable to both sides": words in
-able/-ible keep their suffix.

PyStemmer's Stemmer objects are not thread-safe, hence the lock; stems are cached per instance.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type information

from bot.search.tokenize import Script

_ARTICLE = re.compile(r"^(?:(?:وال|بال|فال|كال|لل|ال)(?=..)|هال(?=...))")

# Adjectives Snowball reduces to their verb, although they name a quality, not the act.
_KEPT_ENGLISH_SUFFIXES = ("able", "ible")
_MIN_ADJECTIVE = 6

_ENGLISH_OVERRIDES = {
    "elector": "elect",
    "hacker": "hack",
}


def bare_arabic(word: str) -> str:
    """The word without the definite article and the proclitics attached to it (وال، بال، لل، ...)."""
    return _ARTICLE.sub("", word)


_PROCLITICS = "وبلفك"
_POSSESSIVES = ("نا", "ها")  # "our", "its/her": the article's text says شعوبنا where people ask about الشعوب
# Verb and pronoun endings Snowball leaves on words it does not take for nouns: يريدون، وقعت، نشرها
_TANWEEN_ALEF = "ا"  # اتفاقاً once the diacritic is gone; only on longer words, "الخبرا" is a typo of الخبراء
_SUFFIXES = ("تين", "ون", "ين", "وا", "ان", "ها", "هم", "كم", "نا", "ني", "ه", "ت", _TANWEEN_ALEF)  # الحكومتين
_IMPERFECT_PREFIXES = "يتنا"  # يتعهد، تتعهد، نعرف، اعرف
_PARTICIPLE_PREFIX = "م"  # المتبادلة "mutual" → تبادل "exchange"
_PASSIVE_PREFIXES = ("ان", "ات")  # colloquial passive: انوقعت "got signed", اتنشر "got published"
_MIN_ROOT = 3


def arabic_variants(word: str) -> tuple[str, ...]:
    """Other forms of an Arabic word the index does not know: a proclitic, an ending, a verb prefix off.

    Snowball only strips noun affixes from words with the article, so verbs ("تتعهد", "ينشرون")
    and words with a clitic glued on keep forms no passage has. These are tried, in order of
    how little they remove, only when the word itself is unknown; last, the word with "و" glued on,
    as the article writes "وفرق" where people ask about "فرق".
    """
    bare = bare_arabic(word)
    forms = [bare]
    if len(bare) > _MIN_ROOT and bare[0] in _PROCLITICS:
        forms.append(bare[1:])
    for form in list(forms):
        forms += [
            form[: -len(s)]
            for s in _SUFFIXES
            if form.endswith(s) and len(form) - len(s) >= (_MIN_ROOT + 1 if s == _TANWEEN_ALEF else _MIN_ROOT)
        ]
    for form in list(forms):
        if len(form) > _MIN_ROOT and form[0] in _IMPERFECT_PREFIXES + _PARTICIPLE_PREFIX:
            forms.append(form[1:])
        forms += [form[2:] for p in _PASSIVE_PREFIXES if len(form) > _MIN_ROOT + 1 and form.startswith(p)]
    forms.append("و" + bare)  # the passage may glue a conjunction on: "وفرق الاستجابة"
    return tuple(dict.fromkeys(f for f in forms if f != word))


def snowball_arabic_input(word: str) -> str:
    """The shape in which Snowball stems an Arabic noun consistently: article + bare word + final ة.

    A possessive ending (نا، ها) is dropped first: with it Snowball keeps the word whole.
    """
    bare = bare_arabic(word)
    if bare.endswith(_POSSESSIVES) and len(bare) - 2 >= _MIN_ROOT:
        bare = bare[:-2]  # شعوبنا، خلافاتنا، بعضها: the article and a possessive never go together
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
        if word.endswith(_KEPT_ENGLISH_SUFFIXES) and len(word) > _MIN_ADJECTIVE:
            return word  # "acceptable" is not "accept": "did the US accept?" asks something else
        return _ENGLISH_OVERRIDES.get(stem, stem)

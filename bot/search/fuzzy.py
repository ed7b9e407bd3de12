"""Typo-tolerant lookup of a query word in the index vocabulary (rapidfuzz).

Only words missing from the vocabulary get here. Candidates are bucketed at index time by
length and by first letter, and again by length and last letter: a word of length n can only
reach the cutoff against words of nearby lengths, and a typo seldom hits both ends of a word,
so each lookup scans a small slice of the vocabulary and the cost stays low as the corpus
grows. Arabic words are compared without their article (see :func:`bare_arabic`), which also
shrinks the vocabulary. Results are cached per instance (bounded), as misspellings repeat.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.search.stemming import bare_arabic

MIN_LENGTH = 4  # shorter words have too many one-edit neighbours to guess safely
CUTOFF = 85.0
_LIMIT = 3


def fuzzy_key(surface: str) -> str:
    """The form compared: the normalised word without an Arabic article."""
    return bare_arabic(surface)


def max_length_gap(length: int, cutoff: float = CUTOFF) -> int:
    """The largest length difference that can still reach ``cutoff``.

    The Indel ratio is 1 - d / (n + m) with d >= |n - m|. A cutoff of 85 lets through one
    dropped letter in a 4-letter word, a wrong or swapped letter in a 7-letter one, two slips
    in longer words; 80 already let "والزمالك" reach "والمجال".
    """
    gap = 0
    while (gap + 1) / (2 * length + gap + 1) <= 1 - cutoff / 100:
        gap += 1
    return gap


class FuzzyVocabulary:
    """Maps a misspelled normalised word to (stem, similarity 0–1) pairs of known words."""

    def __init__(self, words: Mapping[str, str], cache_size: int = 4096) -> None:
        """``words`` maps each vocabulary word (as :func:`fuzzy_key` gives it) to its stem."""
        self._stem_of = dict(words)
        by_first: dict[tuple[int, str], list[str]] = defaultdict(list)
        by_last: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in sorted(self._stem_of):
            if len(word) >= MIN_LENGTH - 1:
                by_first[(len(word), word[0])].append(word)
                by_last[(len(word), word[-1])].append(word)
        self._by_first = {k: tuple(v) for k, v in by_first.items()}
        self._by_last = {k: tuple(v) for k, v in by_last.items()}
        self.expand = lru_cache(maxsize=cache_size)(self._expand)

    def _expand(self, surface: str) -> tuple[tuple[str, float], ...]:
        word = fuzzy_key(surface)
        if len(word) < MIN_LENGTH:
            return ()
        gap = max_length_gap(len(word))
        best: dict[str, float] = {}
        for n in range(len(word) - gap, len(word) + gap + 1):
            for bucket in (self._by_first.get((n, word[0])), self._by_last.get((n, word[-1]))):
                if not bucket:
                    continue
                for candidate, similarity, _ in process.extract(
                    word, bucket, scorer=fuzz.ratio, score_cutoff=CUTOFF, limit=_LIMIT
                ):
                    stem = self._stem_of[candidate]
                    best[stem] = max(best.get(stem, 0.0), similarity / 100)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        return tuple(ranked[:_LIMIT])

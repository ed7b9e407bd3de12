"""Typo-tolerant lookup of a query word in the index vocabulary (rapidfuzz).

Only words missing from the vocabulary get here. Candidates are bucketed by length at index
time: a word of length n can only reach the cutoff against words of nearby lengths, so each
lookup scans a small slice of the vocabulary, which keeps the cost flat as the corpus grows.
Results are cached per instance (bounded), since the same misspellings repeat.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache

from rapidfuzz import fuzz, process

MIN_LENGTH = 4  # shorter words have too many one-edit neighbours to guess safely
_LIMIT = 3


def cutoff_for(length: int) -> float:
    """Similarity (0–100, Indel ratio) a candidate needs.

    85 lets through one dropped letter in a 4-letter word, a swapped or wrong letter in a
    7-letter one, two slips in longer words; 80 already let "والزمالك" reach "والمجال".
    """
    return 85.0


def _max_length_gap(length: int) -> int:
    # ratio = 1 - d / (n + m) and d >= |n - m|: the largest gap that can still reach the cutoff
    cutoff = cutoff_for(length) / 100
    gap = 0
    while (gap + 1) / (2 * length + gap + 1) <= 1 - cutoff:
        gap += 1
    return gap


class FuzzyVocabulary:
    """Maps a misspelled normalised word to (stem, similarity 0–1) pairs of known words."""

    def __init__(self, words: Mapping[str, str], cache_size: int = 4096) -> None:
        self._stem_of = dict(words)
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(words):
            by_length[len(word)].append(word)
        self._by_length = {n: tuple(ws) for n, ws in by_length.items()}
        self.expand = lru_cache(maxsize=cache_size)(self._expand)

    def _candidates(self, length: int) -> list[str]:
        gap = _max_length_gap(length)
        out: list[str] = []
        for n in range(length - gap, length + gap + 1):
            out.extend(self._by_length.get(n, ()))
        return out

    def _expand(self, word: str) -> tuple[tuple[str, float], ...]:
        if len(word) < MIN_LENGTH:
            return ()
        matches = process.extract(
            word, self._candidates(len(word)), scorer=fuzz.ratio, score_cutoff=cutoff_for(len(word)), limit=_LIMIT
        )
        best: dict[str, float] = {}
        for candidate, similarity, _ in matches:
            stem = self._stem_of[candidate]
            best[stem] = max(best.get(stem, 0.0), similarity / 100)
        return tuple(sorted(best.items(), key=lambda kv: -kv[1]))

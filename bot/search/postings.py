"""Posting lists with precomputed BM25 weights, stored flat (compressed-sparse-row layout).

Every posting of every term lives in two flat arrays (passage numbers, weights), and a term's
postings are the slice between two offsets. At 10,000 passages the vocabulary has ~100,000
terms, most used once: one Python object per term (let alone per posting) would cost several
times the data itself. Only the stem → term id dict remains per term.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping, Sequence

K1 = 1.2
B = 0.75


def idf(n: int, df: int) -> float:
    """BM25 inverse document frequency (never negative); ``df = 0`` gives the weight of an unknown word."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class PostingLists:
    """Read-only after construction: term lookups, idf, and (passage, BM25 weight) postings."""

    def __init__(
        self,
        term_ids: Mapping[str, int],
        offsets: array[int],
        passages: array[int],
        weights: array[float],
        idfs: array[float],
    ) -> None:
        self._term_ids = dict(term_ids)
        self._offsets = offsets
        self._passages = passages
        self._weights = weights
        self._idfs = idfs

    @classmethod
    def from_term_frequencies(cls, term_ids: Mapping[str, int], tfs: Sequence[Mapping[int, float]]) -> PostingLists:
        """Build from each passage's weighted term frequencies, keyed by term id (1..len(term_ids))."""
        n = len(tfs)
        size = len(term_ids) + 1
        lengths = [sum(tf.values()) for tf in tfs]
        avg_length = (sum(lengths) / n) if n else 1.0
        df = [0] * size
        for tf in tfs:
            for tid in tf:
                df[tid] += 1
        offsets = array("I", [0]) * (size + 1)
        for tid in range(size):
            offsets[tid + 1] = offsets[tid] + df[tid]
        idfs = array("d", (idf(n, d) for d in df))
        passages = array("I", [0]) * offsets[size]
        weights = array("d", [0.0]) * offsets[size]
        fill = array("I", offsets[:size])
        for i, tf in enumerate(tfs):
            norm = K1 * (1 - B + B * lengths[i] / avg_length)
            for tid, freq in tf.items():
                at = fill[tid]
                passages[at] = i
                weights[at] = idfs[tid] * freq * (K1 + 1) / (freq + norm)
                fill[tid] = at + 1
        return cls(term_ids, offsets, passages, weights, idfs)

    def __contains__(self, stem: object) -> bool:
        return stem in self._term_ids

    def term_id(self, stem: str) -> int:
        return self._term_ids[stem]

    def idf(self, stem: str) -> float:
        value: float = self._idfs[self._term_ids[stem]]
        return value

    def postings(self, stem: str) -> tuple[array[int], array[float]]:
        """(passage numbers, BM25 weights) of ``stem``, ascending by passage."""
        tid = self._term_ids[stem]
        lo, hi = self._offsets[tid], self._offsets[tid + 1]
        return self._passages[lo:hi], self._weights[lo:hi]

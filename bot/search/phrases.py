"""Adjacent-term lookups for the phrase bonus, compact enough for large corpora.

Each passage's content terms (after stop words, in order, fields separated) are stored as one
``bytes`` string of 4-byte term ids. "Are terms a and b adjacent in passage i?" is then a
substring search in C over a few hundred bytes, instead of a bigram table that would hold an
entry per distinct word pair of the corpus (hundreds of thousands at 10,000 passages).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

SEPARATOR = 0  # term id between fields, so the last word of one field and the first of the next never pair
_WIDTH = array("I").itemsize


def encode(term_ids: Sequence[int]) -> bytes:
    """A passage's term-id sequence as bytes (the index stores these)."""
    return array("I", term_ids).tobytes()


def adjacent(sequence: bytes, first: int, second: int) -> bool:
    """True when term ``first`` is directly followed by ``second`` in an encoded sequence."""
    pattern = array("I", (first, second)).tobytes()
    start = sequence.find(pattern)
    while start != -1:
        if start % _WIDTH == 0:  # a hit straddling two ids is not a real pair
            return True
        start = sequence.find(pattern, start + 1)
    return False

"""Ordinal questions: "what is the third proposal?", "proposal 2", "أول اقتراح", "الاقتراح الثالث".

A proposal number is read only when an ordinal (or a number after the noun) sits next to a word
for "proposal", so "no first strike" is not proposal 1. Works on normalised surface forms
(stop words included: "the third of the proposals"), Arabic words compared without their
article ("الثالث" → "ثالث").
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot.search.analysis import Term
from bot.search.stemming import bare_arabic

LAST = -1  # "the last proposal": the highest number, resolved by the index

_ENGLISH_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "last": LAST, "final": LAST,
}  # fmt: skip
_ENGLISH_CARDINALS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_ENGLISH_NOUNS = frozenset(
    [
        "proposal",
        "proposals",
        "suggestion",
        "suggestions",
        "idea",
        "ideas",
        "point",
        "points",
        "measure",
        "measures",
        "item",
        "items",
        "step",
        "steps",
        "initiative",
        "initiatives",
        "offer",
        "offers",
    ]
)

# Normalised and without the article; Egyptian/Levantine تاني/تالت included.
_ARABIC_ORDINALS = {
    "اول": 1, "اولي": 1, "ثاني": 2, "ثانيه": 2, "تاني": 2, "تانيه": 2, "ثالث": 3, "ثالثه": 3, "تالت": 3,
    "تالته": 3, "رابع": 4, "رابعه": 4, "خامس": 5, "خامسه": 5, "سادس": 6, "سادسه": 6, "سابع": 7,
    "سابعه": 7, "ثامن": 8, "ثامنه": 8, "تاسع": 9, "تاسعه": 9, "عاشر": 10, "عاشره": 10,
    "اخير": LAST, "اخيره": LAST,
}  # fmt: skip
_ARABIC_CARDINALS = {
    "واحد": 1, "اثنين": 2, "اتنين": 2, "اثنان": 2, "ثلاثه": 3, "تلاته": 3, "اربعه": 4, "اربع": 4,
    "خمسه": 5, "خمس": 5, "سته": 6, "سبعه": 7, "ثمانيه": 8, "تسعه": 9, "عشره": 10,
}  # fmt: skip
_ARABIC_NOUNS = frozenset(
    [
        "اقتراح",
        "اقتراحات",
        "مقترح",
        "مقترحات",
        "بند",
        "بنود",
        "نقطه",
        "نقاط",
        "فكره",
        "افكار",
        "مبادره",
        "مبادرات",
        "خطوه",
        "خطوات",
        "اجراء",
        "اجراءات",
    ]
)
# A typo in an ordinal still names it: one swapped pair of letters ("thrid") scores 80.
_SPELLED_ORDINALS = tuple(w for w in _ENGLISH_ORDINALS if w.isalpha() and len(w) >= 5)
_LONG_NOUNS = tuple(w for w in _ENGLISH_NOUNS if len(w) >= 5)
_MIN_FUZZY_ORDINAL = 5
_ORDINAL_CUTOFF = 80.0
_WINDOW = 3  # an ordinal counts when at most this many tokens away from the noun
# "the first to strike", "اول من يضرب": an ordinal followed by these is not a proposal's rank
NOT_A_RANK_BEFORE = frozenset(["to", "strike", "strikes", "striking", "use", "من", "يضرب", "ضربه"])


# "striking first", "hit first", "يضرب أولاً": the ordinal says who strikes, not which proposal
_NOT_A_RANK_AFTER = frozenset(["strike", "strikes", "striking", "struck", "hit", "hits", "attack", "attacks", "يضرب", "يبادر"])
# "first of all", "at first", "first and foremost", "أولاً": ordering the speaker's own words
_DISCOURSE_AFTER = frozenset(["of all", "and foremost"])  # first *of all*, first *and foremost*, first *off*
_DISCOURSE_BEFORE = frozenset(["at"])  # *at* first


def is_discourse_ordinal(terms: Sequence[Term], i: int) -> bool:
    """``terms[i]`` is "first" as in "first of all", "at first", "أولاً": no rank, no topic."""
    word = terms[i].surface
    if word not in ("first", "firstly", "اولا"):
        return False
    if word != "first":
        return True
    after = " ".join(t.surface for t in terms[i + 1 : i + 3])
    before = terms[i - 1].surface if i > 0 else ""
    return after in _DISCOURSE_AFTER or after.split(" ")[0] == "off" or before in _DISCOURSE_BEFORE


def _strip_proclitic(word: str, lexicon: dict[str, int] | frozenset[str]) -> str:
    if word not in lexicon and len(word) > 3 and word[0] in "وبلف" and word[1:] in lexicon:
        return word[1:]
    return word


def _english_ordinal(word: str) -> int | None:
    """The number of an English ordinal, misspelt ones included ("thrid", "secnod") from 5 letters on."""
    if word in _ENGLISH_ORDINALS:
        return _ENGLISH_ORDINALS[word]
    if len(word) < _MIN_FUZZY_ORDINAL:
        return None
    match = process.extractOne(word, _SPELLED_ORDINALS, scorer=fuzz.ratio, score_cutoff=_ORDINAL_CUTOFF)
    return _ENGLISH_ORDINALS[match[0]] if match else None


def _english_noun(word: str) -> bool:
    """A word for "proposal", misspelt ones included ("propsal") from 5 letters on."""
    if word in _ENGLISH_NOUNS:
        return True
    if len(word) < _MIN_FUZZY_ORDINAL:
        return False
    return process.extractOne(word, _LONG_NOUNS, scorer=fuzz.ratio, score_cutoff=_ORDINAL_CUTOFF) is not None


def proposal_number(terms: Sequence[Term]) -> int | None:
    """The proposal number a question asks for, :data:`LAST` for "the last one", or None."""
    nouns: list[int] = []
    ordinals: list[tuple[int, int]] = []  # (index, number)
    cardinals: list[tuple[int, int]] = []
    for i, term in enumerate(terms):
        if i + 1 < len(terms) and terms[i + 1].surface in NOT_A_RANK_BEFORE:
            continue
        if i > 0 and terms[i - 1].surface in _NOT_A_RANK_AFTER:
            continue
        if is_discourse_ordinal(terms, i):
            continue
        if term.script == "ar":
            word = bare_arabic(term.surface)
            noun_word = _strip_proclitic(word, _ARABIC_NOUNS)
            ord_word = _strip_proclitic(word, _ARABIC_ORDINALS)
            if noun_word in _ARABIC_NOUNS:
                nouns.append(i)
            elif ord_word in _ARABIC_ORDINALS:
                ordinals.append((i, _ARABIC_ORDINALS[ord_word]))
            elif word in _ARABIC_CARDINALS:
                cardinals.append((i, _ARABIC_CARDINALS[word]))
        elif term.script == "en":
            if _english_noun(term.surface):
                nouns.append(i)
            elif (ordinal := _english_ordinal(term.surface)) is not None:
                ordinals.append((i, ordinal))
            elif term.surface in _ENGLISH_CARDINALS:
                cardinals.append((i, _ENGLISH_CARDINALS[term.surface]))
        elif term.surface in _ENGLISH_ORDINALS:  # "2nd", "3rd"
            ordinals.append((i, _ENGLISH_ORDINALS[term.surface]))
        elif term.surface.isdigit() and 0 < int(term.surface) < 100:
            cardinals.append((i, int(term.surface)))
    for noun in nouns:
        near = [(abs(i - noun), n) for i, n in ordinals if abs(i - noun) <= _WINDOW]
        # a cardinal or digit counts only right after the noun (allowing "number"/"رقم"/"no"/"#")
        near += [(i - noun, n) for i, n in cardinals if 0 < i - noun <= 2]
        if near:
            return min(near)[1]
    return None


def ordinal_value(word: str) -> int | None:
    """The rank a single normalised word names ("third", "3rd", "الثالث", "آخر"), or None."""
    if word in _ENGLISH_ORDINALS:
        return _ENGLISH_ORDINALS[word]
    bare = _strip_proclitic(bare_arabic(word), _ARABIC_ORDINALS)
    if bare in _ARABIC_ORDINALS:
        return _ARABIC_ORDINALS[bare]
    return _english_ordinal(word) if word.isascii() and word.isalpha() else None

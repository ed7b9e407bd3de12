"""Character-level normalisation: the first step of the analysis chain, applied to whole text.

Runs before tokenizing because Arabic diacritics and tatweel are not word characters: left in,
they would split words ("الانتخـابات" would become two tokens). Every fold here is one users
really type differently from the article: missing or extra hamzas, ة/ه and ى/ي swaps, added
diacritics, Arabic-Indic or Persian digits, presentation forms pasted from PDFs.
"""

from __future__ import annotations

import re
import unicodedata

# Harakat, tanween, shadda, sukun, superscript alef (U+0670) and Quranic annotation marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"

_ARABIC_FOLDS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ة": "ه",
        "ى": "ي",
        "ی": "ي",  # Persian yeh
        "ک": "ك",  # Persian kaf
        _TATWEEL: None,
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)

# "US", "U.S.", "USA" mean the United States; lower-cased, "us" is a pronoun and a stop word.
_UNITED_STATES = re.compile(r"(?<![A-Za-z])(?:U\.S\.(?:A\.?)?|USA|US)(?![A-Za-z])")
# Spelled out, in either language (after folding): one term, so that "state" in "head of state"
# and "ولا" (the stem of الولايات, also a common word) do not stand in for the country.
_UNITED_STATES_SPELLED = re.compile(
    r"\bunited\s+states(?:\s+of\s+america)?\b|(?<![\u0621-\u064a])(?:[وبلف]?ال|لل|[وبلف])?ولايات\s+(?:ال)?متحده(?:\s+(?:ال)?امريكيه)?(?![\u0621-\u064a])"
)
UNITED_STATES_TOKEN = "usa"


def fold_arabic(text: str) -> str:
    """Strip diacritics (incl. U+0670) and tatweel, unify alef/hamza/yeh/teh marbuta forms, ASCII digits."""
    return _DIACRITICS.sub("", text).translate(_ARABIC_FOLDS)


def mark_united_states(text: str) -> str:
    """Rewrite the upper-case abbreviations of the United States before case is folded away."""
    return _UNITED_STATES.sub(f" {UNITED_STATES_TOKEN} ", text)


def join_united_states(folded: str) -> str:
    """Rewrite "united states (of america)" and "الولايات المتحدة (الأمريكية)" as the one term ``usa``."""
    return _UNITED_STATES_SPELLED.sub(f" {UNITED_STATES_TOKEN} ", folded)


def normalize_text(text: str) -> str:
    """NFKC (presentation forms, full-width letters), US abbreviations, Arabic folds, casefold, "United States"."""
    return join_united_states(fold_arabic(mark_united_states(unicodedata.normalize("NFKC", text))).casefold())

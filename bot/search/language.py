"""Which language a question is in, by script: the language its quote is given in."""

from __future__ import annotations

from typing import Literal

from bot.search.arabizi import is_arabizi
from bot.search.normalize import fold_arabic


def detect_lang(text: str) -> Literal["ar", "en"]:
    """'ar' when Arabic letters are at least as many as Latin ones, else 'en'.

    A question with no letters at all (digits, emoji, empty) is 'en'. Counting letters rather
    than looking at the first word makes "شو قال بوتين عن CERT" Arabic and "what did بوتين say
    about elections" English, which is the language the person reads. Arabizi ("shu 2al putin")
    is Arabic: the person reads Arabic, only the keyboard was Latin.
    """
    arabic = latin = 0
    for ch in fold_arabic(text):
        if "\u0621" <= ch <= "\u064a" or "\u0671" <= ch <= "\u06d3":
            arabic += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    if arabic and arabic >= latin:
        return "ar"
    return "ar" if is_arabizi(text) else "en"

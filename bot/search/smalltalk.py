"""Small talk: greetings, thanks, "who are you", emoji — messages that ask nothing of the statement.

They deserve a friendly reply, not "the statement does not answer this" and certainly not a
quote. A message is small talk when every word in it belongs to the small-talk vocabulary
below (greetings, thanks, farewells, laughter, assent, words about the bot itself) and at least
one of them is not a mere function word; or when it has no letters or digits but a symbol (👍, 🙏; "؟؟" alone is no message at all).
Anything naming a topic ("hi, what about elections?") is a question and goes to the search.
Works on normalised surface forms, so hamza and ة/ه variants need no separate entries.
"""

from __future__ import annotations

import unicodedata

from bot.search.normalize import normalize_text
from bot.search.tokenize import tokenize

_CORE = """
hi hello hey hiya yo greetings morning evening afternoon night thanks thank thx ty cheers appreciated
bye goodbye ciao later ok okay k kk cool nice great awesome perfect lol haha hahaha lmao wow
yes yeah yep no nope sure fine bot robot human person real alive you u
مرحبا مرحبتين مراحب اهلا اهلين هلا هلو هاي سلام السلام عليكم وعليكم صباح مساء الخير النور
شكرا شكرن مشكور مشكوره متشكر تسلم تسلمي تسلموا يسلمو يعطيك العافيه عافيه جزاك جزيلا ممنون
مع السلامه باي وداعا تمام طيب اوكي اوك حلو ممتاز رائع جميل هههه ههههه ههه لول نعم لا اي ايوه
بوت روبوت انسان حقيقي انت انتي حضرتك
"""

# Words that may sit beside the core ones without making the message a question.
_FILLER = """
your are r is am a an the so much very good lot what who can do how doing there here again
too all my friend dear sir mr
انتم مين من شو ايش ماذا ما كيف كيفك شلونك ازيك عامل الله يا جدا كثير كتير
"""

_CORE_WORDS = frozenset(normalize_text(_CORE).split())
_WORDS = _CORE_WORDS | frozenset(normalize_text(_FILLER).split())
MAX_WORDS = 8  # longer messages carry more than a greeting


def is_smalltalk(text: str) -> bool:
    """True for a greeting, thanks, a question about the bot itself, or a message of emoji only."""
    if not any(unicodedata.category(c)[0] in "LN" for c in text):
        return any(unicodedata.category(c)[0] == "S" for c in text)  # emoji, not bare punctuation
    words = [t.text for t in tokenize(normalize_text(text))]
    if not words or len(words) > MAX_WORDS:
        return False
    return all(w in _WORDS for w in words) and any(w in _CORE_WORDS for w in words)

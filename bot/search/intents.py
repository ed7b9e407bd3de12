"""Question words that name the kind of answer wanted: "why" asks for a purpose, "where" a place
(of publication) or an origin ("where does this news come from?").

They stay stop words, since they do not say *which* passage is meant, and "why did the US
refuse?" must not match the statement's aims. But among the passages the rest of the question
reaches, one about a purpose (or a place of publication) is the better answer. So an intent
works as an optional term: passages matching it gain coverage, the others lose nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.search.normalize import fold_arabic

# (question words, in normalised form; words of the passages that answer that kind of question)
INTENTS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset(fold_arabic(w) for w in ("why", "ليش", "لماذا", "ليه", "علاش", "لاش")), "goal purpose aim هدف غرض"),
    (
        frozenset(fold_arabic(w) for w in ("where", "وين", "فين", "أين", "اين")),
        "website published site source موقع نشر مصدر",
    ),
)


def triggered(intents: Iterable[tuple[frozenset[str], frozenset[str]]], words: Iterable[str]) -> frozenset[str]:
    """The union of the target stems of every intent whose question word occurs among ``words``.

    ``intents`` pairs each intent's question words with its target stems, as the index
    resolved them at build time.
    """
    present = set(words)
    return frozenset().union(*(stems for triggers, stems in intents if triggers & present))


# "How many", "كم", "when", "متى": the answer is a number or a date, so a passage without a
# number cannot be it ("when did Putin become president?" is not answered by the aims).
NUMBER_WORDS = frozenset(fold_arabic(w) for w in ("many", "much", "when", "كم", "متى", "امتى", "إمتى", "ايمتى"))


def asks_for_number(words: Iterable[str]) -> bool:
    """True when the question asks for a quantity or a date ("how many CERTs does Russia have?")."""
    return not NUMBER_WORDS.isdisjoint(words)


# Words asking what happened *after* the statement (a reply, a refusal, a cancellation, "what
# happened after"): the statement cannot say, so they count as a question's focus even more
# than other unknown words. "agree" is not among them: the statement asks the US to agree.
_AFTERMATH = """
respond responded responds reply replied replies react reacted reaction reactions reject rejected
refuse refused accepted cancel cancelled canceled violate violated violation outcome result
happen happened happens after since later
رد ردت ردود ردوا رفض رفضت رفضوا قبلت الغيت الغي الغت انتهكت خرقت نتيجه صار حصل بعد
"""
AFTERMATH_WORDS = frozenset(fold_arabic(w) for w in _AFTERMATH.split())

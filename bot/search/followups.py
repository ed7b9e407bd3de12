"""Follow-up questions: "and the second one?", "و الرابع؟", "what else?", "why?", "what about the US?".

Such a question means nothing alone; after earlier questions it does. :func:`answer_in_context`
reads it against the conversation so far (:class:`bot.conversation.Conversation`) and returns
an ordinary :class:`~bot.answer.Answer` whose ``query`` is the question as asked. It only wraps
:meth:`PassageIndex.search`, which stays unaware of conversations, and it is pure: the same
question and conversation always give the same answer.

A question is read as a follow-up only when there is a conversation and the question has the
shape of one: short, with few words of its own beyond connectives ("and", "so", "و", "طيب"),
pronouns ("it", "that") and words naming the subject itself ("Putin", "proposal"). Kinds:

* a bare ordinal ("the second one?", "والتاني؟", "number 3"): that proposal;
* "more" ("tell me more", "what else?", "next", "كمان؟"): the next passage of the article not yet
  quoted in this conversation, after the one quoted last;
* "why" with nothing else ("why?", "why does he want that?", "ليش؟"): the passage giving the
  purpose of the proposals;
* a question word with nothing else ("who exactly?", "between whom?"): the passage quoted last;
* any other short follow-up ("what about the US?", "when was it signed?"): asked alone first; if
  that is not a confident answer, asked again with the previous question's words added (or,
  when those were only an ordinal, the keywords of the passage quoted last).

Everything else — and any question asked with no conversation — goes to the engine unchanged,
so the answer is exactly what it was before follow-ups existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum
from itertools import pairwise

from bot.answer import Answer, Hit, Match
from bot.conversation import Conversation, Turn
from bot.knowledge_base import Document, Lang, Passage
from bot.search.analysis import Analyzer, Term
from bot.search.index import PassageIndex
from bot.search.normalize import fold_arabic
from bot.search.ordinals import proposal_number
from bot.search.stopwords import is_stop_word

MAX_OWN_WORDS = 4  # a follow-up adds a few words to the conversation, not a whole new question
CARRIED_KEYWORDS = 3


def _words(text: str) -> frozenset[str]:
    return frozenset(fold_arabic(w) for w in text.split())


# Words that link a question to the previous one, or stand for something said before.
_CONNECTIVES = _words("and so but ok okay then also well now though و ف طيب طب بس اوكي تمام حسنا ماشي يعني")
_ANAPHORS = _words(
    "it its that this these those they them their he him his she her there one ones same "
    "هو هي هم هذا هذه هذي ذلك ذاك تلك هاد هاي هيك هيدا ده دي دا"
)
_WHAT_ABOUT = (("what", "about"), ("how", "about"), ("and", "what"))
# Words that name the subject of every question about the statement, so they do not make a
# question any less of a follow-up ("what else did Putin propose?").
_SUBJECT = _words(
    "putin vladimir president russia russian statement proposal proposals propose proposed suggest suggested "
    "offer offered say said mention mentioned call called "
    "بوتين الرئيس روسيا البيان بيان اقتراح الاقتراح اقتراحات مقترح المقترح مقترحات اقترح قدم طرح"
)
_MORE = _words(
    "more else next another other others continue further rest "
    "كمان ايضا المزيد مزيد اكثر غيره غيرها التالي بعده بعدها بعدين كمل اكمل تابع زياده"
)
_WHY = _words("why لماذا ليش ليه علاش لاش")
_QUESTION_WORDS = _words(
    "what which who whom where when how between ما ماذا من مين منو شو ايش وش شنو متى امتى وين فين اين كيف بين"
)
_PRECISELY = _words("exactly precisely بالضبط تحديدا")  # "who exactly?" asks more about what was said
_NUMBER = _words("number no num رقم")
# The only other words a bare ordinal ("and the second one?", "what about number 3?", "و الرابع؟")
# or a bare question word ("who exactly?", "between whom?") comes with: "first thing he said" or
# "how many proposals are there?" are questions of their own.
_BARE = _words(
    "the a one ones is are was it that this he him about هو هي ذلك هذا عن"
)  # "number 2", "رقم 3": the ordinal's companion, not a word of its own
# Words addressing the bot itself ("who are you?", "what can you do?"): small talk, not a follow-up.
_YOU = _words("you your yourself u انت انتا انتي إنت انتو")
_NOUNS: dict[Lang, str] = {"en": "proposal", "ar": "اقتراح"}
# The purpose of the proposals, asked in each language in the engine's own terms (a purpose
# question about the subject only: the engine's "why" intent picks the purpose passage).
_PURPOSE: dict[Lang, str] = {"en": "why did Putin make these proposals?", "ar": "لماذا قدم بوتين هذه المقترحات؟"}


class Kind(Enum):
    ORDINAL = "ordinal"
    MORE = "more"
    WHY = "why"
    SAME = "same"
    REFINE = "refine"


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a question is made of, once connectives and pronouns are set apart."""

    own: tuple[Term, ...]  # words of its own: not subject words, connectives, pronouns, question words
    ordinal: str | None  # an ordinal or a proposal number standing alone in it ("second", "الرابع", "2")
    more: bool
    why: bool
    question_word: bool
    linked: bool  # a connective first, a pronoun, "exactly", or "what about"
    to_bot: bool  # "you": the question is about the bot, not the statement
    bare: bool  # nothing but connectives, question words, "the/one/it/is", the ordinal and "exactly"


def _bare(term: Term) -> str:
    """The word without a glued "and"/"so" ("وليش" → "ليش", "والتاني" → "التاني")."""
    word = term.surface
    if term.script == "ar" and len(word) > 2 and word[0] in "وف":
        return word[1:]
    return word


def _kind(shape: _Shape) -> Kind | None:
    if len(shape.own) > MAX_OWN_WORDS or shape.to_bot:
        return None
    if shape.ordinal is not None and not shape.own and shape.bare:
        return Kind.ORDINAL
    if shape.more and not shape.own:
        return Kind.MORE
    if shape.why and not shape.own:
        return Kind.WHY
    if shape.question_word and not shape.own and shape.linked and shape.bare:
        return Kind.SAME
    if shape.own and shape.linked:
        return Kind.REFINE
    return None


class FollowupResolver:
    """Reads questions against a conversation; built once beside the index, immutable, pure."""

    def __init__(self, index: PassageIndex, entries: Iterable[tuple[Document, Passage]]) -> None:
        self._index = index
        self._analyzer = Analyzer()
        self._entries = tuple(entries)
        self._position = {p.id: i for i, (_, p) in enumerate(self._entries)}

    def kind(self, question: str, conversation: Conversation) -> Kind | None:
        """Which follow-up ``question`` is in ``conversation``, or None for an ordinary question."""
        return _kind(self._shape(question)) if conversation else None

    def answer(self, question: str, conversation: Conversation, top: int = 3) -> Answer:
        """The answer to ``question`` asked after ``conversation`` (the engine's own when no follow-up)."""
        alone = self._index.search(question, top=top)
        last = conversation.last
        if last is None or alone.match == "smalltalk":
            return alone
        shape = self._shape(question)
        kind = _kind(shape)
        if kind is None:
            return alone
        if kind is Kind.ORDINAL:
            return self._asked(question, self._index.search(f"{_NOUNS[alone.lang]} {shape.ordinal}", top=top))
        if kind is Kind.MORE:
            return self._more(alone, conversation, top)
        if kind is Kind.WHY:
            return self._asked(question, self._index.search(_PURPOSE[alone.lang], top=top))
        if kind is Kind.SAME and last.match in ("answer", "closest"):
            return self._quote(alone, zip(last.passage_ids, last.scores), last.match)
        if alone.answered or not self._mostly_known(shape.own):
            return alone
        carried = self._carried(last, alone.lang)
        if not carried:
            return alone
        widened = self._index.search(f"{question} {carried}", top=top)
        return self._asked(question, widened) if widened.answered else alone

    def _shape(self, question: str) -> _Shape:
        terms = self._analyzer.analyze(question)
        bare = [_bare(t) for t in terms]
        own: list[Term] = []
        ordinal: str | None = None
        more = why = asked = False
        for term, word in zip(terms, bare):
            if word in _PRECISELY or word in _YOU or word in _NUMBER:
                continue
            if word in _MORE:
                more = True
            elif word in _WHY:
                why = True
            elif word in _QUESTION_WORDS:
                asked = True
            elif (
                term.stop
                or is_stop_word(word)
                or word in _CONNECTIVES
                or word in _ANAPHORS
                or word in _SUBJECT
                or term.surface in _SUBJECT
            ):
                continue
            elif self._is_ordinal(word):
                ordinal = word
            else:
                own.append(term)
        pairs = set(pairwise(bare))
        glued = bool(terms) and bare[0] != terms[0].surface  # "ومتى", "والصورة": an Arabic "and" first
        linked = glued or (bool(bare) and bare[0] in _CONNECTIVES)
        linked = linked or any(w in _ANAPHORS or w in _PRECISELY for w in bare) or any(p in pairs for p in _WHAT_ABOUT)
        to_bot = any(w in _YOU for w in bare)
        allowed = _BARE | _CONNECTIVES | _QUESTION_WORDS | _PRECISELY | _NUMBER | {ordinal}
        only = all(w in allowed for w in bare)
        return _Shape(tuple(own), ordinal, more, why, asked, linked, to_bot, only)

    def _mostly_known(self, own: Iterable[Term]) -> bool:
        """At least half the question's own words occur in the statement (a lone-word search finds them).

        "what about the weather?" or "and China's position?" bring a new subject the statement
        does not know: adding the previous question's words would only hide that.
        """
        words = list(own)
        known = sum(1 for t in words if any(h.score > 0 for h in self._index.search(t.surface, top=1).hits))
        return 2 * known >= len(words)

    def _is_ordinal(self, word: str) -> bool:
        """An ordinal or number that names a proposal once a word for "proposal" stands beside it."""
        return any(
            proposal_number(self._analyzer.analyze(text)) is not None
            for text in (f"{word} proposal", f"proposal {word}", f"اقتراح {word}")
        )

    def _more(self, alone: Answer, conversation: Conversation, top: int) -> Answer:
        """The passages after the one quoted last, in the article's order, skipping those already quoted."""
        last = conversation.last
        start = self._position.get(last.best_id or "", -1) if last is not None else -1
        shown = conversation.shown
        order = [*range(start + 1, len(self._entries)), *range(start + 1)]
        fresh = [self._entries[i][1].id for i in order if self._entries[i][1].id not in shown]
        fresh = [i for i in fresh if self._substantive(i)] or fresh
        if not fresh:
            return alone
        # chosen by position, not by score: 100 like the engine's other structural answers
        return self._quote(alone, [(i, 100.0 if n == 0 else 0.0) for n, i in enumerate(fresh[:top])], "answer")

    def _substantive(self, passage_id: str) -> bool:
        """A passage with a summary says something; credits and sources only say who published it."""
        return self._entries[self._position[passage_id]][1].summary_en is not None

    def _quote(self, alone: Answer, ranked: Iterable[tuple[str, float]], match: Match) -> Answer:
        """Passages by id with their scores, as an answer to ``alone``'s question (ids no longer known skipped)."""
        hits = tuple(Hit(*self._entries[self._position[i]], s) for i, s in ranked if i in self._position)
        return Answer(alone.query, alone.lang, match, hits) if hits else alone

    def _carried(self, last: Turn, lang: Lang) -> str:
        """Words of the previous question worth carrying over; its passage's keywords when it had none."""
        words = [t.surface for t in self._shape(last.query).own]
        if words:
            return " ".join(words)
        if last.best_id is None or last.best_id not in self._position:
            return ""
        passage = self._entries[self._position[last.best_id]][1]
        keywords = passage.keywords_ar if lang == "ar" else passage.keywords_en
        return " ".join(k for k in keywords[:CARRIED_KEYWORDS] if not any(c.isdigit() for c in k))

    @staticmethod
    def _asked(question: str, answer: Answer) -> Answer:
        """``answer`` reported under the question as the user asked it."""
        return replace(answer, query=question)

"""Questions about the article's structure and about the document itself, read off the words.

"What's the last line of the article?", "how does it start?", "the second paragraph", "what
comes after the incidents agreement?", "which proposal comes before the election one?",
"how many proposals are there?", "what is it about?", "when was it published?", "what is the
statement called?". Their answer is a place in the article or a fact of the document's
metadata, not the passage whose words match best, so the index routes them before ranking.

Pure: :func:`parse` turns a question's normalised words into a :class:`Structural` request
(or None); the index resolves it against the passages in the article's order. Every cue is
a pair (a structural word *and* a noun or verb that makes it structural), so "striking
first", "first of all", "what happened after the statement?" stay ordinary questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.search.analysis import Term
from bot.search.normalize import normalize_text
from bot.search.ordinals import LAST, NOT_A_RANK_BEFORE, ordinal_value
from bot.search.stemming import bare_arabic

Kind = Literal["position", "after", "before", "between", "count", "overview", "date", "title"]


@dataclass(frozen=True, slots=True)
class Structural:
    """What a structural question asks; ``reference`` holds the words naming the passage(s) it is relative to."""

    kind: Kind
    position: int = 0  # for "position": 1-based, negative from the end (-1 the last, -2 the one before it)
    reference: tuple[str, ...] = ()
    second_reference: tuple[str, ...] = ()  # "between X and Y"
    proposals_only: bool = False  # "which *proposal* comes before ...": count among proposals


def _words(text: str) -> frozenset[str]:
    """A vocabulary in the normalised form questions arrive in (ى → ي, ة → ه, hamzas folded)."""
    return frozenset(bare_arabic(w) for w in normalize_text(text).split()) | frozenset(normalize_text(text).split())


# Parts of the article ("the last *line*", "الفقرة الثانية") and the article itself.
_PARTS = _words(
    "line lines paragraph paragraphs passage passages sentence sentences part bit section thing things "
    "سطر اسطر فقره فقرات جمله جمل مقطع جزء شي شيء"
)
_ARTICLE = _words("article text news report story piece statement مقال المقال خبر نص تقرير بيان")
_START = _words("start starts begin begins began open opens opening beginning يبدا تبدا بدايه مطلع افتتاحيه")
_END = _words("end ends ending finish finishes close closes conclude concludes ينتهي تنتهي نهايه ختام خاتمه")
_AFTER = _words("after following follows next بعد تلي يلي التاليه التالي")
_BEFORE = _words("before preceding precedes prior قبل يسبق تسبق سبق")
_BETWEEN = _words("between بين")
_AND = _words("and و")
# Verbs of sequence that make after/before structural: "what *comes* after", "ماذا *يأتي* بعد"
_SEQUENCE = _words(
    "come comes came right immediately directly just add added adds say said says mention mentioned "
    "ياتي تاتي جاء جات اتى مباشره يوجد موجود اضاف يضيف قال ذكر"
)
_PROPOSAL = _words(
    "proposal proposals suggestion suggestions idea ideas point points measure measures item items "
    "اقتراح اقتراحات مقترح مقترحات بند بنود نقطه نقاط فكره افكار"
)
_COUNT = _words("many number count كم عدد")
_OVERVIEW = _words(
    "about gist summary summarise summarize overview main point essence want wants "
    "ملخص موضوع مضمون فكره خلاصه يريد بدو عايز يبغي"
)
_OVERVIEW_NEEDS = _words("it this statement article he putin البيان بيان المقال الخبر بوتين هو")
_WHEN = _words("when date year day متى امتى ايمتى تاريخ سنه عام يوم")
_PUBLISH = _words(
    "published publish released issued made make posted came date year statement "
    "نشر صدر اصدر اطلق نشره البيان بيان تاريخ"
)
_TITLE = _words("called title name titled عنوان اسم")
_PENULTIMATE = _words("penultimate")
_WHY = _words("why لماذا ليش ليه علاش لاش")
_COME = _words("come comes came lies sits ياتي تاتي جاء يقع")
# What a question about the document as a whole may name besides its cue words.
_ABOUT_IT = _ARTICLE | _words(
    "it this that he putin vladimir president kremlin russia russian us usa america united states "
    "there from original official full website site online exactly really "
    "هو هذا هذه بوتين فلاديمير الرئيس رئيس الكرملين روسيا امريكا الولايات المتحده واشنطن اصلي رسمي موقع"
)


def parse(terms: Sequence[Term]) -> Structural | None:
    """The structural request in ``terms`` (all of a question's words, stop words included), if any."""
    words = [bare_arabic(t.surface) if t.script == "ar" else t.surface for t in terms]
    raw = [t.surface for t in terms]
    present = set(words) | set(raw)
    has_part = bool(present & _PARTS)
    has_article = bool(present & _ARTICLE)

    if present & _BETWEEN and (has_part or present & _COME):
        return _between(words, raw)
    for cue, kind in ((_AFTER, "after"), (_BEFORE, "before")):
        at = next((i for i, w in enumerate(raw) if w in cue or words[i] in cue), None)
        if at is None or not (has_part or present & _SEQUENCE or present & _PROPOSAL & set(words[:at])):
            continue
        if words[at] == "last" or (at > 0 and words[at - 1] in ("to", "the") and at + 1 < len(words) and words[at + 1] == "last"):
            break  # "the one before last" is a position, below
        reference = tuple(raw[at + 1 :])
        if not [w for w in reference if w not in _PARTS and w not in _ARTICLE]:
            break
        proposals_only = bool(present & _PROPOSAL & set(words[:at]))
        return Structural(kind, reference=reference, proposals_only=proposals_only)  # type: ignore[arg-type]

    if has_part or has_article:
        position = _position(words, raw, has_part, has_article)
        if position is not None:
            return Structural("position", position=position)
    content = {w for w, t in zip(words, terms) if not t.stop}
    if present & _COUNT and present & _PROPOSAL and content <= _COUNT | _PROPOSAL | _ABOUT_IT:
        return Structural("count")
    if present & _TITLE and has_article and content <= _TITLE | _ABOUT_IT:
        return Structural("title")
    if present & _WHEN and present & _PUBLISH and content <= _WHEN | _PUBLISH | _ABOUT_IT:
        return Structural("date")
    if present & _OVERVIEW and not present & _WHY and content <= _OVERVIEW | _ABOUT_IT:
        return Structural("overview")
    return None


def _position(words: list[str], raw: list[str], has_part: bool, has_article: bool) -> int | None:
    """1-based place asked for ("the first line", "how does the article start"), negative from the end."""
    present = set(words) | set(raw)
    if has_part and (present & _PENULTIMATE or _second_to_last(words)):
        return -2
    if has_part:
        for i, term in enumerate(words):
            value = ordinal_value(term)
            if value is None or (i + 1 < len(words) and words[i + 1] in NOT_A_RANK_BEFORE):
                continue
            window = words[max(0, i - 3) : i + 4]
            if any(w in _PARTS for w in window):
                return -1 if value == LAST else value
    if has_article and present & _START and not present & _END:
        return 1
    if has_article and present & _END and not present & _START:
        return -1
    return None


def _second_to_last(words: list[str]) -> bool:
    """"second to last", "one before last", "قبل الأخير"."""
    for i in range(len(words) - 1):
        nxt = words[i + 1] if words[i + 1] not in ("to", "the") else (words[i + 2] if i + 2 < len(words) else "")
        if words[i] in ("second", "before", "قبل") and nxt in ("last", "اخير", "اخيره"):
            return True
    return False


def _between(words: list[str], raw: list[str]) -> Structural | None:
    at = next(i for i, w in enumerate(words) if w in _BETWEEN)
    rest = raw[at + 1 :]
    split = next((i for i, w in enumerate(rest) if w in _AND or (w.startswith("و") and len(w) > 3 and i > 0)), None)
    if split is None:
        return None
    first = tuple(rest[:split])
    second = tuple(rest[split + 1 :]) if rest[split] in _AND else (rest[split][1:], *rest[split + 1 :])
    return Structural("between", reference=first, second_reference=second) if first and second else None

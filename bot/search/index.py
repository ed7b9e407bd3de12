"""The passage index: BM25-like weights over both languages, built once, searched many times.

Every passage is indexed in Arabic and English together (text, summary and keywords, the
latter two with lower weight), so an Arabic word hits the Arabic text, an English word the
translation, and a mixed question both. Terms are resolved in this order: the exact stem, the
stem without a glued conjunction/preposition ("وبوتين"), the glossary (synonyms and
translations), and only for words still unknown, the fuzzy vocabulary (typos).

Abstention rests on *coverage*: how much of the question's informative weight (idf) a passage
matches. A word the statement never uses ("weather", "Biden") counts like the rarest word, so
a question mostly about something else scores low however well its other words match. Words
implied by the subject itself (Putin, statement, proposal) count for less, as people add them
to every question. The score (0–100) blends coverage with relative BM25 strength and a bonus
for adjacent-word (phrase) matches; one calibrated threshold on it decides ``answered``.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.answer import Answer, Hit
from bot.knowledge_base import Document, KnowledgeBase, Passage
from bot.search.analysis import Analyzer, Term
from bot.search.fuzzy import FuzzyVocabulary
from bot.search.glossary import GLOSSARY
from bot.search.language import detect_lang
from bot.search.ordinals import LAST, proposal_number
from bot.search.stemming import bare_arabic

K1 = 1.2
B = 0.75
TEXT_WEIGHT = 1.0
SUMMARY_WEIGHT = 0.8
KEYWORD_WEIGHT = 0.6

PROCLITIC_QUALITY = 0.95
GLOSSARY_QUALITY = 0.85
CONTEXT_WEIGHT = 0.3
BM25_SHARE = 0.25
PHRASE_BONUS = 0.1
MAX_PHRASE_BONUSES = 2

ANSWER_THRESHOLD = 36.0  # calibrated on tests/search/questions.toml
MAX_QUERY_CHARS = 2000  # longer input is cut here; front ends enforce their own, stricter limit
MAX_TERMS = 32

# Words any question about this statement may carry without saying which passage it wants:
# the speaker, the statement itself, the article reporting it.
_CONTEXT_WORDS = (
    "putin vladimir statement president kremlin russia russian proposal proposals propose proposed suggest "
    "news article "
    "بوتين فلاديمير بيان البيان الرئيس رئيس الكرملين روسيا الروسي اقتراح الاقتراح مقترح المقترح اقترح مقترحات "
    "خبر الخبر مقال المقال"
)


@dataclass(frozen=True, slots=True)
class _Entry:
    document: Document
    passage: Passage


@dataclass(frozen=True, slots=True)
class _Resolved:
    """A query term with the index stems it matches, each with a quality 0–1, best first."""

    term: Term
    alternatives: tuple[tuple[str, float], ...]


class PassageIndex:
    """Immutable after :meth:`build`; :meth:`search` is pure and safe to call from any thread."""

    def __init__(
        self,
        entries: Sequence[_Entry],
        analyzer: Analyzer,
        postings: dict[str, tuple[tuple[int, float], ...]],
        idf: dict[str, float],
        bigrams: dict[tuple[str, str], frozenset[int]],
        glossary: dict[str, tuple[str, ...]],
        fuzzy: FuzzyVocabulary,
        context_stems: frozenset[str],
    ) -> None:
        self._entries = tuple(entries)
        self._analyzer = analyzer
        self._postings = postings
        self._idf = idf
        self._bigrams = bigrams
        self._glossary = glossary
        self._fuzzy = fuzzy
        self._context_stems = context_stems
        self._unknown_idf = _idf(len(entries), 0)
        self._proposals = tuple(i for i, e in enumerate(self._entries) if e.passage.proposal is not None)
        self._leads: dict[str, int] = {}
        for i, e in enumerate(self._entries):
            self._leads.setdefault(e.document.id, i)

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def build(cls, kb: KnowledgeBase) -> PassageIndex:
        """Analyse every passage once: postings with precomputed BM25 weights, bigrams, glossary, vocabulary."""
        return cls.from_passages([(doc, p) for doc, p in kb.entries()])

    @classmethod
    def from_passages(cls, pairs: Iterable[tuple[Document, Passage]]) -> PassageIndex:
        """Build from (document, passage) pairs; :meth:`build` and the benchmark's synthetic corpus use it."""
        analyzer = Analyzer()
        entries = [_Entry(doc, p) for doc, p in pairs]
        tfs: list[Counter[str]] = []
        lengths: list[float] = []
        bigram_sets: dict[tuple[str, str], set[int]] = defaultdict(set)
        surfaces: dict[str, str] = {}
        for i, entry in enumerate(entries):
            tf: Counter[str] = Counter()
            for text, weight in _fields(entry.passage):
                terms = analyzer.content_terms(text)
                for term in terms:
                    tf[term.stem] += weight
                    surfaces.setdefault(term.surface, term.stem)
                    if term.script == "ar":
                        surfaces.setdefault(bare_arabic(term.surface), term.stem)
                for a, b in zip(terms, terms[1:]):
                    bigram_sets[(a.stem, b.stem)].add(i)
            tfs.append(tf)
            lengths.append(sum(tf.values()))
        n = len(entries)
        avg_length = (sum(lengths) / n) if n else 1.0
        df: Counter[str] = Counter(stem for tf in tfs for stem in tf)
        idf = {stem: _idf(n, count) for stem, count in df.items()}
        postings_lists: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, tf in enumerate(tfs):
            norm = K1 * (1 - B + B * lengths[i] / avg_length)
            for stem, freq in tf.items():
                postings_lists[stem].append((i, idf[stem] * freq * (K1 + 1) / (freq + norm)))
        postings = {stem: tuple(plist) for stem, plist in postings_lists.items()}
        return cls(
            entries,
            analyzer,
            postings,
            idf,
            {pair: frozenset(ids) for pair, ids in bigram_sets.items()},
            _glossary_stems(analyzer, postings),
            FuzzyVocabulary(surfaces),
            frozenset(t.stem for t in analyzer.content_terms(_CONTEXT_WORDS)),
        )

    def search(self, query: str, top: int = 3) -> Answer:
        """Rank passages for ``query``; ``answered`` is False when the statement does not answer it."""
        text = query[:MAX_QUERY_CHARS]
        lang = detect_lang(text)
        top = max(1, top)
        terms = self._analyzer.analyze(text)
        number = proposal_number(terms)
        content = _unique_content(terms)[:MAX_TERMS]
        scores = self._score(content)
        if number is not None:
            return self._proposal_answer(query, lang, number, scores, top)
        if not scores:
            return Answer(query, lang, False, self._hits([(i, 0.0) for i in self._proposals[:top]]))
        best = heapq.nlargest(top, scores.items(), key=lambda kv: (kv[1], -kv[0]))
        if all(self._is_context(t) for t in content):
            best = self._lead_first(best, top)
        answered = best[0][1] >= ANSWER_THRESHOLD
        return Answer(query, lang, answered, self._hits(best))

    def _is_context(self, term: Term) -> bool:
        return term.stem in self._context_stems

    def _lead_first(self, ranked: list[tuple[int, float]], top: int) -> list[tuple[int, float]]:
        """A question naming only the subject ("what did Putin say?", "the statement") gets the lead.

        The article's first passage is its summary, the answer to a question that asks about
        the statement as a whole rather than any part of it.
        """
        lead = self._leads[self._entries[ranked[0][0]].document.id]
        rest = [(i, s) for i, s in ranked if i != lead]
        return [(lead, ranked[0][1]), *rest][:top]

    def _proposal_answer(self, query: str, lang: str, number: int, scores: dict[int, float], top: int) -> Answer:
        """An ordinal question: the numbered proposal, else (no such number) the proposals as suggestions."""
        if number == LAST and self._proposals:
            number = max(self._entries[i].passage.proposal or 0 for i in self._proposals)
        matching = [i for i in self._proposals if self._entries[i].passage.proposal == number]
        if not matching:
            ranked = [(i, scores.get(i, 0.0)) for i in self._proposals[:top]]
            return Answer(query, lang, False, self._hits(ranked))  # type: ignore[arg-type]
        chosen = max(matching, key=lambda i: (scores.get(i, 0.0), -i))
        others = heapq.nlargest(top - 1, ((i, s) for i, s in scores.items() if i != chosen), key=lambda kv: (kv[1], -kv[0]))
        return Answer(query, lang, True, self._hits([(chosen, 100.0), *others]))  # type: ignore[arg-type]

    def _hits(self, ranked: Iterable[tuple[int, float]]) -> tuple[Hit, ...]:
        return tuple(
            Hit(self._entries[i].document, self._entries[i].passage, round(min(s, 100.0), 2)) for i, s in ranked
        )

    def _resolve(self, term: Term) -> _Resolved:
        """The index stems a query term stands for: exact, clitic-stripped, glossary, then fuzzy."""
        alternatives: dict[str, float] = {}
        if term.stem in self._postings:
            alternatives[term.stem] = 1.0
        elif term.script == "ar" and len(term.surface) > 3 and term.surface[0] in "وبلفك":
            stem = self._analyzer.stem(term.surface[1:], "ar")
            if stem in self._postings:
                alternatives[stem] = PROCLITIC_QUALITY
        for source in list(alternatives) or [term.stem]:
            for stem in self._glossary.get(source, ()):
                alternatives.setdefault(stem, GLOSSARY_QUALITY)
        if not alternatives:
            for stem, similarity in self._fuzzy.expand(term.surface):
                alternatives.setdefault(stem, similarity)
                for synonym in self._glossary.get(stem, ()):
                    alternatives.setdefault(synonym, similarity * GLOSSARY_QUALITY)
        ordered = sorted(alternatives.items(), key=lambda kv: (-kv[1], self._idf[kv[0]]))
        return _Resolved(term, tuple(ordered))

    def _weight(self, resolved: _Resolved) -> float:
        """How much a term counts towards coverage: its idf, unknown words as the rarest."""
        if not resolved.alternatives:
            return self._unknown_idf
        stem = resolved.alternatives[0][0]
        weight = self._idf[stem]
        if stem in self._context_stems or resolved.term.stem in self._context_stems:
            weight *= CONTEXT_WEIGHT
        return weight

    def _score(self, content: Sequence[Term]) -> dict[int, float]:
        """Score of every passage matching at least one term: 0–100, phrase matches can lift it above.

        Ranking uses these raw values so a phrase match still orders two otherwise perfect
        passages; :meth:`_hits` clamps what is reported to 100.
        """
        resolved = [self._resolve(t) for t in content]
        total = 0.0
        bm25: dict[int, float] = defaultdict(float)
        matched: dict[int, float] = defaultdict(float)
        for r in resolved:
            weight = self._weight(r)
            total += weight
            best: dict[int, tuple[float, float]] = {}
            for stem, quality in r.alternatives:
                for i, w in self._postings[stem]:
                    s = quality * w
                    current = best.get(i)
                    if current is None or s > current[0]:
                        best[i] = (s, quality)
            for i, (s, quality) in best.items():
                bm25[i] += s
                matched[i] += weight * quality
        if not bm25 or total <= 0:
            return {}
        phrases = self._phrase_matches(resolved)
        top_bm25 = max(bm25.values())
        return {
            i: 100.0
            * matched[i]
            / total
            * (1 - BM25_SHARE + BM25_SHARE * bm25[i] / top_bm25)
            * (1 + PHRASE_BONUS * min(phrases.get(i, 0), MAX_PHRASE_BONUSES))
            for i in bm25
        }

    def _phrase_matches(self, resolved: Sequence[_Resolved]) -> Counter[int]:
        """How many adjacent query-term pairs appear adjacent in each passage."""
        counts: Counter[int] = Counter()
        for a, b in zip(resolved, resolved[1:]):
            if b.term.position - a.term.position > 2:
                continue
            hit: set[int] = set()
            for sa, qa in a.alternatives[:2]:
                for sb, qb in b.alternatives[:2]:
                    if qa >= 0.8 and qb >= 0.8:
                        hit |= self._bigrams.get((sa, sb), frozenset())
            counts.update(hit)
        return counts


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _fields(p: Passage) -> list[tuple[str, float]]:
    fields = [(p.text_ar, TEXT_WEIGHT), (p.text_en, TEXT_WEIGHT)]
    if p.summary_ar and p.summary_en:
        fields += [(p.summary_ar, SUMMARY_WEIGHT), (p.summary_en, SUMMARY_WEIGHT)]
    fields += [(k, KEYWORD_WEIGHT) for k in (*p.keywords_ar, *p.keywords_en)]
    return fields


def _unique_content(terms: Sequence[Term]) -> list[Term]:
    seen: set[str] = set()
    out: list[Term] = []
    for t in terms:
        if not t.stop and t.stem not in seen:
            seen.add(t.stem)
            out.append(t)
    return out


def _glossary_stems(analyzer: Analyzer, postings: dict[str, object]) -> dict[str, tuple[str, ...]]:
    """Stem → the indexed stems of its glossary group (the other words that mean the same)."""
    out: dict[str, set[str]] = defaultdict(set)
    for group in GLOSSARY:
        stems = {t.stem for word in group for t in analyzer.content_terms(word)}
        indexed = {s for s in stems if s in postings}
        for s in stems:
            out[s] |= indexed - {s}
    return {s: tuple(sorted(others)) for s, others in out.items() if others}

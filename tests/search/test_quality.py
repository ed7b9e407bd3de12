"""The engine meets its quality targets on the question set (tests/search/questions.toml)."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge_base import KnowledgeBase
from bot.search import PassageIndex, detect_lang
from bot.search.evaluation import Outcome, Question, Report, describe, evaluate, load_dev_questions, load_questions

QUESTIONS = PROJECT_ROOT / "tests" / "search" / "questions.toml"
SEALED = PROJECT_ROOT / "tests" / "search" / "sealed.toml"
DEV_SET = PROJECT_ROOT.parent / "shared" / "questions" / "dev.jsonl"  # beside the clone, as in CI


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load_questions(QUESTIONS)


@pytest.fixture(scope="module")
def report(index: PassageIndex, questions: list[Question]) -> Report:
    return evaluate(index, questions)


def test_question_set_covers_every_kind(questions: list[Question], knowledge: KnowledgeBase) -> None:
    """≥ 100 questions in both languages, ≥ 20 out of scope, every kind present, every expected id real."""
    assert len(questions) >= 100
    assert sum(not q.expect for q in questions) >= 20
    langs = Counter(detect_lang(q.text) for q in questions)
    assert langs["ar"] >= 40 and langs["en"] >= 40
    kinds = {q.kind for q in questions}
    expected_kinds = {"en", "ar", "colloquial", "orthography", "typo", "keywords", "ordinal", "mixed", "out-of-scope"}
    assert expected_kinds <= kinds
    ids = {p.id for _, p in knowledge.entries()}
    assert {pid for q in questions for pid in q.expect} <= ids
    assert len({q.text for q in questions}) == len(questions), "duplicate questions"


def test_top1_accuracy(report: Report) -> None:
    """At least 95% of answerable questions are answered with the right passage first."""
    assert report.top1_accuracy >= 0.95, describe(report.failures())


def test_abstention_f1(report: Report) -> None:
    """Abstaining on out-of-scope questions: F1 ≥ 0.82 (abstaining as the positive class).

    Lower than the 0.93 the old hand-set threshold reached here: that threshold was tuned on
    these very questions and refused most questions written outside the project; the fitted
    decision trades a little here for much more on the sealed and development sets.
    """
    assert report.abstention_f1 >= 0.82, describe(report.failures())


def test_heldout_questions_generalise(report: Report) -> None:
    """Questions written apart from the tuning (held-out batches) stay near the targets: top-1 ≥ 0.93, F1 ≥ 0.80."""
    heldout = report.subset(heldout=True)
    assert len(heldout.outcomes) >= 150
    assert heldout.top1_accuracy >= 0.93, describe(heldout.failures())
    assert heldout.abstention_f1 >= 0.80, describe(heldout.failures())


def test_sealed_set_floor(index: PassageIndex) -> None:
    """The sealed set, never tuned on nor fitted on: top-1 ≥ 0.92, abstention F1 ≥ 0.64."""
    sealed = evaluate(index, load_questions(SEALED))
    assert sealed.top1_accuracy >= 0.92, describe(sealed.failures())
    assert sealed.abstention_f1 >= 0.64, describe(sealed.failures())


def test_development_set_floor(index: PassageIndex) -> None:
    """The development set (written outside the project) as shipped: top-1 ≥ 0.72, abstention F1 ≥ 0.60.

    The shipped model was fitted on it, so these are floors against regressions, not the
    figures that count: the benchmark prints its out-of-fold figures.
    """
    if not DEV_SET.exists():
        pytest.skip(f"no development set at {DEV_SET}")
    dev = load_dev_questions(DEV_SET)
    assert len(dev) >= 300
    report = evaluate(index, dev)
    assert report.top1_accuracy >= 0.72, describe(report.failures())
    assert report.abstention_f1 >= 0.60, describe(report.failures())
    smalltalk = report.kind("smalltalk")
    assert smalltalk.outcomes and all(o.match == "smalltalk" for o in smalltalk.outcomes), describe(smalltalk.outcomes)


def test_sealed_set_is_well_formed(knowledge: KnowledgeBase) -> None:
    """The sealed set (reported by the benchmark, never tuned on) parses and names only real passages."""
    sealed = load_questions(SEALED)
    assert len(sealed) >= 50 and sum(not q.expect for q in sealed) >= 10
    assert {pid for q in sealed for pid in q.expect} <= {p.id for _, p in knowledge.entries()}
    assert not {q.text for q in sealed} & {q.text for q in load_questions(QUESTIONS)}, "sealed questions leaked"


def test_ranking_accuracy_counts_the_first_suggestion() -> None:
    """ranking_accuracy credits a right passage below the threshold; top1_accuracy does not."""
    asked = Question("q", ("a",), "en", heldout=True)
    refused = Question("r", (), "out-of-scope", heldout=True)
    report = Report(
        (
            Outcome(asked, answered=False, best_id="a", score=30.0),
            Outcome(asked, answered=True, best_id="b", score=80.0),
            Outcome(refused, answered=False, best_id="c", score=5.0),
        )
    )
    assert report.ranking_accuracy == 0.5
    assert report.top1_accuracy == 0.0

"""Measuring answer quality on a question set: top-1 accuracy and abstention precision/recall/F1.

Shared by the quality test and the benchmark so both report the same figures. A question is
answered correctly when the engine answers it and its best hit is an expected passage; the
abstention figures treat "not answered" as the positive class, because the failure that
matters most is quoting the statement for a question it does not answer.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.search.index import PassageIndex


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    expect: tuple[str, ...]  # empty: the statement does not answer it
    kind: str
    heldout: bool
    batch: int | None = None  # held-out batches are numbered, to report each one's figure apart


@dataclass(frozen=True, slots=True)
class Outcome:
    question: Question
    answered: bool
    best_id: str | None
    score: float

    @property
    def correct(self) -> bool:
        if not self.question.expect:
            return not self.answered
        return self.answered and self.best_id in self.question.expect


@dataclass(frozen=True, slots=True)
class Report:
    outcomes: tuple[Outcome, ...]

    def _in_scope(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.question.expect]

    @property
    def top1_accuracy(self) -> float:
        """Share of answerable questions answered with an expected passage first."""
        in_scope = self._in_scope()
        return sum(o.correct for o in in_scope) / len(in_scope) if in_scope else 1.0

    @property
    def ranking_accuracy(self) -> float:
        """Share of answerable questions whose best hit, answer or first suggestion, is expected.

        The gap to :attr:`top1_accuracy` is what abstention costs: the right passage was found
        but scored below the threshold, so users see it as the first suggestion instead.
        """
        in_scope = self._in_scope()
        return sum(o.best_id in o.question.expect for o in in_scope) / len(in_scope) if in_scope else 1.0

    @property
    def abstention_precision(self) -> float:
        abstained = [o for o in self.outcomes if not o.answered]
        return sum(not o.question.expect for o in abstained) / len(abstained) if abstained else 1.0

    @property
    def abstention_recall(self) -> float:
        out_of_scope = [o for o in self.outcomes if not o.question.expect]
        return sum(not o.answered for o in out_of_scope) / len(out_of_scope) if out_of_scope else 1.0

    @property
    def abstention_f1(self) -> float:
        p, r = self.abstention_precision, self.abstention_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]

    def subset(self, *, heldout: bool) -> Report:
        return Report(tuple(o for o in self.outcomes if o.question.heldout == heldout))

    def batch(self, number: int) -> Report:
        return Report(tuple(o for o in self.outcomes if o.question.batch == number))


def load_questions(path: Path) -> list[Question]:
    """Read a question file: ``[[question]]`` tables with ``q``, ``expect``, ``kind``, ``heldout``, ``batch``."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Question(
            item["q"], tuple(item["expect"]), item.get("kind", ""), bool(item.get("heldout", False)), item.get("batch")
        )
        for item in raw["question"]
    ]


def evaluate(index: PassageIndex, questions: Iterable[Question]) -> Report:
    outcomes = []
    for q in questions:
        answer = index.search(q.text, top=1)
        best = answer.best
        outcomes.append(Outcome(q, answer.answered, best.passage.id if best else None, best.score if best else 0.0))
    return Report(tuple(outcomes))


def describe(outcomes: Sequence[Outcome]) -> str:
    """One line per outcome, for failure messages and the benchmark's listing."""
    return "\n".join(
        f"  {o.question.kind:12} answered={o.answered!s:5} best={o.best_id} ({o.score:.1f}) "
        f"expected={list(o.question.expect) or 'none'}  {o.question.text!r}"
        for o in outcomes
    )

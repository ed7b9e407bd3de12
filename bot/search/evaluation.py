"""Measuring answer quality on a question set: top-1 accuracy and abstention precision/recall/F1.

Shared by the quality test and the benchmark so both report the same figures. A question is
answered correctly when the engine answers it and its best hit is an expected passage; the
abstention figures treat "not answered" as the positive class, because the failure that
matters most is quoting the statement for a question it does not answer.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.search.index import PassageIndex

_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")
_ALEFS = str.maketrans("أإآٱ", "اااا")


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    expect: tuple[str, ...]  # empty: the statement does not answer it
    kind: str
    heldout: bool
    batch: int | None = None  # held-out batches are numbered, to report each one's figure apart
    phrases: tuple[str, ...] = ()  # dev set: article phrases, any of which in the best hit makes it right
    context: tuple[str, ...] = ()  # dev set: what was asked just before a follow-up
    qid: str = ""

    def accepts(self, passage_id: str | None, text_ar: str) -> bool:
        """The best hit is an acceptable answer: by its article phrases when the set gives them, else by id."""
        if self.phrases:
            text = _fold(text_ar)
            return any(_fold(p) in text for p in self.phrases)
        return passage_id in self.expect


@dataclass(frozen=True, slots=True)
class Outcome:
    question: Question
    answered: bool
    best_id: str | None
    score: float
    best_text_ar: str = ""
    match: str = ""

    @property
    def expected(self) -> bool:
        """The best hit, answer or suggestion, is an acceptable passage."""
        return self.question.accepts(self.best_id, self.best_text_ar)

    @property
    def correct(self) -> bool:
        if not self.question.expect:
            return not self.answered
        return self.answered and self.expected


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
        return sum(o.expected for o in in_scope) / len(in_scope) if in_scope else 1.0

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

    def kind(self, kind: str) -> Report:
        return Report(tuple(o for o in self.outcomes if o.question.kind == kind))

    def kinds(self) -> list[str]:
        return sorted({o.question.kind for o in self.outcomes})

    def line(self, label: str) -> str:
        """One benchmark line: counts, top-1, r@1 (right passage first, answered or not), abstention P/R/F1."""
        answerable = sum(1 for o in self.outcomes if o.question.expect)
        return (
            f"  {label:10} {len(self.outcomes):4} questions ({answerable} answerable): top-1 {self.top1_accuracy:.3f}"
            f" | r@1 {self.ranking_accuracy:.3f} | abstention P {self.abstention_precision:.3f}"
            f" R {self.abstention_recall:.3f} F1 {self.abstention_f1:.3f}"
        )


def load_questions(path: Path) -> list[Question]:
    """Read a question file: ``[[question]]`` tables with ``q``, ``expect``, ``kind``, ``heldout``, ``batch``."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Question(
            item["q"], tuple(item["expect"]), item.get("kind", ""), bool(item.get("heldout", False)), item.get("batch")
        )
        for item in raw["question"]
    ]


def load_dev_questions(path: Path) -> list[Question]:
    """Read the development set (JSON lines written outside the project; see its README)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        out.append(
            Question(
                item["q"],
                tuple(item.get("ids", ())) if item["expect"] else (),
                item["kind"],
                heldout=True,
                phrases=tuple(item["expect"]),
                context=tuple(item.get("context", ())),
                qid=item["id"],
            )
        )
    return out


def outcome(index: PassageIndex, q: Question) -> Outcome:
    answer = index.search(q.text, top=1)
    best = answer.best
    return Outcome(
        q,
        answer.answered,
        best.passage.id if best else None,
        best.score if best else 0.0,
        best.passage.text_ar if best else "",
        answer.match,
    )


def evaluate(index: PassageIndex, questions: Iterable[Question]) -> Report:
    return Report(tuple(outcome(index, q) for q in questions))


def _fold(text: str) -> str:
    """The dev set's matching rule: no diacritics or tatweel, one alef, single spaces."""
    return " ".join(_DIACRITICS.sub("", text).translate(_ALEFS).split())


def describe(outcomes: Sequence[Outcome]) -> str:
    """One line per outcome, for failure messages and the benchmark's listing."""
    return "\n".join(
        f"  {o.question.kind:12} answered={o.answered!s:5} best={o.best_id} ({o.score:.1f}) "
        f"expected={list(o.question.expect) or 'none'}  {o.question.text!r}"
        for o in outcomes
    )

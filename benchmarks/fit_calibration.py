"""Fit the answer/abstain model (bot/search/calibration.json) and print its out-of-fold figures.

Run: ``.venv/bin/pip install -e '.[fit]' && .venv/bin/python benchmarks/fit_calibration.py [--write]``

Training questions: the project's own set (tests/search/questions.toml) and the development set
written outside the project (../shared/questions/dev.jsonl). The sealed set is never used.
A question's label is 1 when its best passage is an acceptable answer, else 0 (out of scope,
or the wrong passage first: quoting it would be wrong either way). Rule-decided questions
(ordinals, small talk) are left out: the model never sees them.

Figures: the dev set is cut into k folds (stratified by kind, seeded); each fold is predicted
by a model fitted on the other folds plus the own set, with cut-offs chosen on that training
part alone, so every dev figure printed is out-of-fold. ``--write`` then fits on everything and
writes the model with cut-offs chosen on the dev set's pooled out-of-fold predictions together
with the own set's (so that its hundred out-of-scope questions keep their say).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import PROJECT_ROOT
from bot.knowledge_base import load_knowledge
from bot.search import PassageIndex
from bot.search.calibration import CALIBRATION_FILE, FEATURES, SEMANTIC_CALIBRATION_FILE, Calibration
from bot.search.evaluation import Question, Report, load_dev_questions, load_questions, outcome
from bot.search.index import Reranker

DEV_SET = PROJECT_ROOT.parent / "shared" / "questions" / "dev.jsonl"
OWN_SET = PROJECT_ROOT / "tests" / "search" / "questions.toml"
SEED = 20200925
FOLDS = 5
REGULARISATION = 1.0  # sklearn's C: the inverse strength of the L2 penalty
CLOSEST_PRECISION = 0.25  # a "closest passage" band must be right this often: labelled unsure, still worth a look


# Features do not depend on the model; this one only lets an index be built while the file is stale.
NEUTRAL = Calibration(
    features=FEATURES,
    mean=(0.0,) * len(FEATURES),
    scale=(1.0,) * len(FEATURES),
    weights=(0.0,) * len(FEATURES),
    bias=0.0,
    answer_at=0.5,
    closest_at=0.5,
)


def neutral_index(reranker: Reranker | None = None) -> PassageIndex:
    return PassageIndex.from_passages(load_knowledge(PROJECT_ROOT / "knowledge").entries(), NEUTRAL, reranker)


@dataclass(frozen=True, slots=True)
class Sample:
    question: Question
    values: tuple[float, ...]
    right: bool  # the best passage is an acceptable answer


def samples(index: PassageIndex, questions: Sequence[Question]) -> list[Sample]:
    """Features and labels of the questions the model decides (rule-decided ones are skipped)."""
    out = []
    for q in questions:
        features = index.features(q.text)
        if features is None:
            continue
        best = index.search(q.text, top=1).best
        right = bool(q.expect) and best is not None and q.accepts(best.passage.id, best.passage.text_ar)
        out.append(Sample(q, tuple(features[f] for f in FEATURES), right))
    return out


def fit(train: Sequence[Sample]) -> Calibration:
    """Logistic regression on standardised features; cut-offs chosen on ``train`` itself."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = [s.values for s in train]
    y = [int(s.right) for s in train]
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=REGULARISATION, max_iter=1000).fit(scaler.transform(x), y)
    scale = tuple(float(v) if v > 0 else 1.0 for v in scaler.scale_)
    draft = Calibration(
        features=FEATURES,
        mean=tuple(float(v) for v in scaler.mean_),
        scale=scale,
        weights=tuple(float(v) for v in model.coef_[0]),
        bias=float(model.intercept_[0]),
        answer_at=0.5,
        closest_at=0.5,
    )
    answer_at, closest_at = cutoffs([(draft.probability(dict(zip(FEATURES, s.values))), s) for s in train])
    return draft.model_copy(update={"answer_at": answer_at, "closest_at": closest_at})


def cutoffs(scored: Sequence[tuple[float, Sample]]) -> tuple[float, float]:
    """``answer_at`` maximising top-1 + abstention F1; ``closest_at`` where the band below it is still
    right at least CLOSEST_PRECISION of the time (labelled as unsure, it is shown to help)."""
    grid = [i / 100 for i in range(5, 96)]
    answer_at = max(grid, key=lambda t: _objective(scored, t))
    closest_at = answer_at
    for t in (g for g in grid if g < answer_at):  # the lowest cut-off whose whole band qualifies
        band = [s for p, s in scored if t <= p < answer_at]
        if len(band) >= 10 and sum(s.right for s in band) / len(band) >= CLOSEST_PRECISION:
            closest_at = t
            break
    return answer_at, closest_at


def _objective(scored: Sequence[tuple[float, Sample]], threshold: float) -> float:
    top1, f1 = figures([(p >= threshold, s) for p, s in scored])
    return top1 + f1


def figures(decided: Sequence[tuple[bool, Sample]]) -> tuple[float, float]:
    """(top-1 on answerable, abstention F1) for (answered?, sample) pairs."""
    answerable = [(a, s) for a, s in decided if s.question.expect]
    top1 = sum(a and s.right for a, s in answerable) / len(answerable) if answerable else 1.0
    abstained = [s for a, s in decided if not a]
    out = [s for a, s in decided if not s.question.expect]
    p = sum(not s.question.expect for s in abstained) / len(abstained) if abstained else 1.0
    r = sum(1 for a, s in decided if not a and not s.question.expect) / len(out) if out else 1.0
    return top1, (2 * p * r / (p + r) if p + r else 0.0)


def folds(dev: Sequence[Sample], k: int = FOLDS, seed: int = SEED) -> list[list[Sample]]:
    """Stratified by kind, so each fold holds its share of paraphrases, dialect, out of scope..."""
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for s in dev:
        by_kind[s.question.kind].append(s)
    rng = random.Random(seed)
    out: list[list[Sample]] = [[] for _ in range(k)]
    n = 0
    for kind in sorted(by_kind):
        group = by_kind[kind]
        rng.shuffle(group)
        for s in group:
            out[n % k].append(s)
            n += 1
    return out


def fold_models(own: Sequence[Sample], dev: Sequence[Sample]) -> list[tuple[list[Sample], Calibration]]:
    """Each dev fold with the model fitted on the own set and the other folds."""
    parts = folds(dev)
    return [
        (part, fit([*own, *(s for m, p in enumerate(parts) if m != n for s in p)])) for n, part in enumerate(parts)
    ]


def out_of_fold(own: Sequence[Sample], dev: Sequence[Sample]) -> dict[str, tuple[float, Calibration]]:
    """Each dev question's probability from a model that never saw it (keyed by question id)."""
    return {
        s.question.qid: (model.probability(dict(zip(FEATURES, s.values))), model)
        for part, model in fold_models(own, dev)
        for s in part
    }


def out_of_fold_report(index: PassageIndex, own: Sequence[Question], dev: Sequence[Question]) -> Report:
    """The dev set as the bot would have answered it with models that never saw each question.

    Each question goes through a whole index built with its fold's model, rules included;
    questions a rule decides (no model sample) are answered by the shipped index.
    """
    entries = load_knowledge(PROJECT_ROOT / "knowledge").entries()
    model_of = {s.question.qid: model for part, model in fold_models(samples(index, own), samples(index, dev)) for s in part}
    indexes = {id(m): PassageIndex.from_passages(entries, m) for m in model_of.values()}
    return Report(tuple(outcome(indexes[id(model_of[q.qid])] if q.qid in model_of else index, q) for q in dev))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write the fitted model to {CALIBRATION_FILE}")
    parser.add_argument(
        "--semantic",
        action="store_true",
        help=f"fit the model used with BOT_SEMANTIC=on ({SEMANTIC_CALIBRATION_FILE.name}; needs '.[semantic]')",
    )
    args = parser.parse_args()
    target = CALIBRATION_FILE
    reranker = None
    if args.semantic:
        from bot.search.semantic import load_reranker

        target = SEMANTIC_CALIBRATION_FILE
        reranker = load_reranker([p for _, p in load_knowledge(PROJECT_ROOT / "knowledge").entries()], None)
    index = neutral_index(reranker)
    own = samples(index, load_questions(OWN_SET))
    dev = samples(index, load_dev_questions(DEV_SET))
    predictions = out_of_fold(own, dev)
    decided = [(predictions[s.question.qid][0] >= predictions[s.question.qid][1].answer_at, s) for s in dev]
    top1, f1 = figures(decided)
    print(f"{len(own)} own + {len(dev)} dev questions decided by the model ({FOLDS} folds, seed {SEED})")
    print(f"  dev out-of-fold (model-decided questions only): top-1 {top1:.3f}, abstention F1 {f1:.3f}")
    if args.write:
        final = fit([*own, *dev])
        reranked = f", ranked with the semantic reranker (weight {reranker.weight})" if reranker else ""
        pooled = [(predictions[s.question.qid][0], s) for s in dev]
        pooled += [(final.probability(dict(zip(FEATURES, s.values))), s) for s in own]
        answer_at, closest_at = cutoffs(pooled)
        final = final.model_copy(
            update={
                "answer_at": answer_at,
                "closest_at": closest_at,
                "fitted_on": f"{len(own)} own + {len(dev)} dev questions{reranked}; cut-offs from {FOLDS}-fold out-of-fold",
            }
        )
        target.write_text(json.dumps(final.model_dump(), indent=1) + "\n", encoding="utf-8")
        print(f"  wrote {target.relative_to(PROJECT_ROOT)}: answer_at {answer_at}, closest_at {closest_at}")
        for name, w in sorted(zip(FEATURES, final.weights), key=lambda fw: -abs(fw[1])):
            print(f"    {name:15} {w:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

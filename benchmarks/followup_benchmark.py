"""Follow-up questions: how the development set's follow-ups fare with and without their context.

Run: ``.venv/bin/python benchmarks/followup_benchmark.py [--list]``

The development set (../shared/questions/dev.jsonl, written outside the project) has a
``followup`` kind: pairs of a question and a follow-up that only makes sense after it (its
``context``). Each is measured twice: asked alone (what the engine did before follow-ups, and
still does with no conversation), and asked after its context through the resolver
(bot/search/followups.py), the way a chat asks it. These are development figures: the resolver
was built while looking at them, so figures on unseen questions will be lower.

A second check asks every other dev question in file order as one long conversation, as a user
hopping from topic to topic would: a question that is not a follow-up must get the answer it gets
alone, so any question whose outcome changes is listed. Last, the resolver's cost per question.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.percentiles import percentile
from bot.answer import Answer
from bot.config import PROJECT_ROOT
from bot.conversation import Conversation, Turn
from bot.knowledge_base import load_knowledge
from bot.search import PassageIndex
from bot.search.evaluation import Outcome, Question, Report, describe, load_dev_questions
from bot.search.followups import FollowupResolver

DEV_SET = PROJECT_ROOT.parent / "shared" / "questions" / "dev.jsonl"


def outcome_of(question: Question, answer: Answer) -> Outcome:
    best = answer.best
    return Outcome(
        question,
        answer.answered,
        best.passage.id if best else None,
        best.score if best else 0.0,
        best.passage.text_ar if best else "",
        answer.match,
    )


def after_context(resolver: FollowupResolver, question: Question) -> Answer:
    """``question`` asked after its context, each earlier question itself read as a follow-up."""
    conversation = Conversation()
    for earlier in question.context:
        conversation = conversation.then(Turn.of(resolver.answer(earlier, conversation), at=0.0))
    return resolver.answer(question.text, conversation)


def followup_reports(index: PassageIndex, resolver: FollowupResolver, dev: Sequence[Question]) -> tuple[Report, Report]:
    """(alone, with context) over the dev set's follow-up kind; questions without context are asked alone in both."""
    followups = [q for q in dev if q.kind == "followup"]
    alone = Report(tuple(outcome_of(q, index.search(q.text)) for q in followups))
    in_context = Report(tuple(outcome_of(q, after_context(resolver, q)) for q in followups))
    return alone, in_context


def chained_changes(
    index: PassageIndex, resolver: FollowupResolver, dev: Sequence[Question]
) -> list[tuple[Outcome, Outcome]]:
    """Every non-follow-up question asked in file order as one conversation: (alone, in the chain) where they differ."""
    conversation = Conversation()
    changed = []
    for q in dev:
        if q.kind == "followup":
            continue
        chained = resolver.answer(q.text, conversation)
        conversation = conversation.then(Turn.of(chained, at=0.0))
        a, c = outcome_of(q, index.search(q.text)), outcome_of(q, chained)
        if a.correct != c.correct:
            changed.append((a, c))
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list every follow-up outcome")
    args = parser.parse_args()
    if not DEV_SET.exists():
        print(f"no development set at {DEV_SET}", file=sys.stderr)
        return 1
    knowledge = load_knowledge(PROJECT_ROOT / "knowledge")
    index = PassageIndex.build(knowledge)
    resolver = FollowupResolver(index, knowledge.entries())
    dev = load_dev_questions(DEV_SET)
    alone, in_context = followup_reports(index, resolver, dev)
    seconds = [o for o in in_context.outcomes if o.question.context]
    firsts = [o for o in in_context.outcomes if not o.question.context]
    print("Development set, kind 'followup' (development figures: the resolver was built looking at them)")
    print(alone.line("alone"))
    print(in_context.line("in context"))
    print(
        f"  follow-ups proper: {sum(o.correct for o in seconds)}/{len(seconds)} right in context, "
        f"{sum(o.correct for o in alone.outcomes if o.question.context)}/{len(seconds)} alone; "
        f"the questions before them: {sum(o.correct for o in firsts)}/{len(firsts)}"
    )
    if args.list:
        print(describe(in_context.outcomes))
    else:
        wrong = [o for o in seconds if not o.correct]
        if wrong:
            print("  wrong in context:\n" + describe(wrong))
    changes = chained_changes(index, resolver, dev)
    others = sum(q.kind != "followup" for q in dev)
    print(f"\nOther dev questions asked as one conversation: {len(changes)} of {others} change outcome")
    for a, c in changes:
        print(
            f"  {'better' if c.correct else 'WORSE':6} {a.question.kind:12} {a.best_id} -> {c.best_id}  {a.question.text!r}"
        )
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(20):
        for q in (q for q in dev if q.context):
            conversation = Conversation()
            for earlier in q.context:
                conversation = conversation.then(Turn.of(resolver.answer(earlier, conversation), at=0.0))
            started, started_cpu = time.perf_counter(), time.process_time()
            resolver.answer(q.text, conversation)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    print(
        "\nResolver cost per follow-up (it searches a few times): "
        f"wall p50 {percentile(wall, 0.5):.3f} ms p99 {percentile(wall, 0.99):.3f} ms; "
        f"CPU p50 {percentile(cpu, 0.5):.3f} ms p99 {percentile(cpu, 0.99):.3f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

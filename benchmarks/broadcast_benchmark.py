"""Broadcast throughput and exactly-once delivery under faults, through the fake Bot API.

Subscribes N chats (default 10,000, half Arabic, half English, some groups), injects faults into
the fake server — random 429s (``retry_after`` 1 s, which pauses every sender), dropped
connections and 502s before delivery, blocked users, unknown chats and kicked groups — starts
the broadcast with a real ``telegram.Bot``, cancels it half-way (as a restart does), resumes it
with a fresh ``Broadcaster`` and prints:

- messages/s while delivering (the 429 pauses included) and the time spent paused;
- duplicates (chats with more than one copy) and missed (reachable chats with none): both must be 0;
- removed subscribers by reason, which must match the injected unreachable chats.

``--ambiguous K`` also drops K connections *after* the fake delivered the message (Telegram
accepted it but the answer was lost): those are retried, so they show up as duplicates, the
documented at-least-once window; they are reported on their own line and excluded from the
exactly-once verdict.

Telegram's limits are scaled up (``--rate``) so the figure measures the delivery engine, the
journal (SQLite, WAL, synchronous=FULL: two commits per message) and the HTTP round trip, not
the 30 messages/s Telegram allows. The fake server shares the process and the CPU.

    .venv/bin/python benchmarks/broadcast_benchmark.py [--subscribers 10000] [--rate 5000] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Bot

from bot.config import Settings, load_settings
from bot.subscriptions.delivery import Broadcaster, RetryPolicy
from bot.subscriptions.store import SubscriptionStore, open_store
from tests.fakes import FakeBotApi

PAYLOAD = {"ar": ["<b>ملخص</b> المقترحات"], "en": ["<b>Summary</b> of the proposals"]}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=5000.0, help="global messages/s limit (Telegram: 30)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--flood", type=int, default=5, help="random 429s (each pauses all senders 1 s)")
    parser.add_argument("--network", type=int, default=100, help="random dropped connections / 502s before delivery")
    parser.add_argument("--blocked", type=int, default=150, help="users who blocked the bot")
    parser.add_argument("--unknown", type=int, default=50, help="chats Telegram no longer knows")
    parser.add_argument("--kicked", type=int, default=50, help="groups the bot was kicked from")
    parser.add_argument("--ambiguous", type=int, default=0, help="connections dropped after delivery (documented duplicates)")
    parser.add_argument("--cancel-at", type=float, default=0.5, help="cancel when this share of messages went out")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


async def deliver_with_restart(
    api: FakeBotApi, settings: Settings, store: SubscriptionStore, args: argparse.Namespace, reachable: int
) -> tuple[int, float, float]:
    """Start the broadcast, cancel it at ``--cancel-at``, resume it with a fresh Broadcaster.

    Returns (messages sent when cancelled, seconds until resumed, total seconds).
    """
    broadcast_id = await store.create_broadcast("manual", PAYLOAD)
    broadcast = await store.get_broadcast(broadcast_id or 0)
    assert broadcast is not None
    policy = RetryPolicy(network_base=0.05, network_cap=1.0)
    async with Bot(api.token, base_url=api.base_url) as bot:
        started = time.perf_counter()
        first = Broadcaster.from_settings(bot, store, settings, policy=policy, concurrency=args.concurrency)
        task = asyncio.create_task(first.deliver(broadcast))
        while len(api.all_sent) < int(reachable * args.cancel_at) and not task.done():
            await asyncio.sleep(0.01)
        cancelled_at = len(api.all_sent)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        resumed_after = time.perf_counter() - started
        second = Broadcaster.from_settings(bot, store, settings, policy=policy, concurrency=args.concurrency)
        report = await second.deliver(broadcast)
        assert not report.interrupted, report.summary()
        return cancelled_at, resumed_after, time.perf_counter() - started


def populate(path: Path, chats: list[int], groups: set[int]) -> None:
    """Bulk-insert subscribers (set-up, not measured: one transaction instead of N)."""
    now = time.time() - 60
    rows = [
        (c, "group" if c in groups else "private", "ar" if i % 2 else "en", now) for i, c in enumerate(chats)
    ]
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO subscribers (chat_id, chat_type, lang, subscribed_at) VALUES (?, ?, ?, ?)", rows)


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    n = args.subscribers
    group_ids = [-(1_000_000 + i) for i in range(n // 20)]
    chats = list(range(1_000_000, 1_000_000 + n - len(group_ids))) + group_ids
    rng.shuffle(chats)
    groups = set(group_ids)
    private = [c for c in chats if c not in groups]
    blocked = set(rng.sample(private, args.blocked))
    unknown = set(rng.sample([c for c in private if c not in blocked], args.unknown))
    kicked = set(rng.sample(group_ids, args.kicked))
    unreachable = blocked | unknown | kicked
    reachable = [c for c in chats if c not in unreachable]

    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotApi() as api:
            settings = load_settings(
                token=api.token,
                api_base_url=api.base_url,
                data_dir=Path(tmp),
                rate_global_per_second=args.rate,
                rate_chat_per_second=args.rate,
                rate_group_per_minute=args.rate * 60,
            )
            store = await open_store(settings)
            populate(settings.database_path, chats, groups)
            for c in blocked:
                api.block(c)
            for c in unknown:
                api.forget_chat(c)
            for c in kicked:
                api.kick(c)
            for c in rng.sample(reachable, args.flood):
                api.fail_next("sendMessage", 429, retry_after=1, chat_id=c)
            for i, c in enumerate(rng.sample(reachable, args.network)):
                if i % 2:
                    api.drop_next("sendMessage", chat_id=c)
                else:
                    api.fail_next("sendMessage", 502, chat_id=c)
            ambiguous = set(rng.sample(reachable, args.ambiguous))
            for c in ambiguous:
                api.drop_next("sendMessage", chat_id=c, after=True)

            try:
                cancelled_at, resumed_after, elapsed = await deliver_with_restart(api, settings, store, args, len(reachable))
                stats = await store.stats()
                unfinished = await store.unfinished_broadcasts()
            finally:
                await store.close()

            copies = Counter(m["chat"]["id"] for m in api.all_sent)
            duplicates = {c: k - 1 for c, k in copies.items() if k > 1}
            unexpected_duplicates = {c: k for c, k in duplicates.items() if c not in ambiguous}
            missed = [c for c in reachable if copies[c] == 0]
            wrongly_sent = [c for c in unreachable if copies[c]]
            calls = len(api.calls_to("sendMessage"))
            delivered = len(api.all_sent)

    expected_removed = {"blocked": len(blocked), "chat_not_found": len(unknown), "kicked": len(kicked)}
    print(f"subscribers            {n:,} ({len(groups):,} groups), rate limit {args.rate:g}/s, {args.concurrency} in flight")
    print(f"faults injected        {args.flood} x 429 (1 s), {args.network} network, {len(blocked)} blocked, "
          f"{len(unknown)} unknown, {len(kicked)} kicked, {len(ambiguous)} lost answers")
    print(f"cancelled at           {cancelled_at:,} messages, resumed {resumed_after:.2f} s after start")
    print(f"messages delivered     {delivered:,} in {elapsed:.2f} s = {delivered / elapsed:,.0f} messages/s "
          f"(429 pauses included)")
    print(f"sendMessage calls      {calls:,} = {delivered:,} delivered + {len(unreachable)} refused for good "
          f"+ {calls - delivered - len(unreachable)} retried after a fault")
    print(f"duplicates             {sum(unexpected_duplicates.values())}  (must be 0)")
    print(f"missed                 {len(missed)}  (must be 0)")
    print(f"sent to removed chats  {len(wrongly_sent)}  (must be 0)")
    print(f"removed                {dict(sorted(stats.removed.items()))}  (expected {dict(sorted(expected_removed.items()))})")
    if ambiguous:
        print(f"lost-answer duplicates {sum(duplicates.get(c, 0) for c in ambiguous)} of {len(ambiguous)} (documented window)")
    print(f"broadcast finished     {not unfinished}")
    ok = (
        not unexpected_duplicates
        and not missed
        and not wrongly_sent
        and stats.removed == expected_removed
        and not unfinished
    )
    print("exactly-once: OK" if ok else "exactly-once: FAILED")
    return 0 if ok else 1


def main() -> int:
    return asyncio.run(run(parse_args()))


if __name__ == "__main__":
    sys.exit(main())

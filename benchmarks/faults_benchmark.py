"""What users get when Telegram misbehaves or the bot is killed: issue 9's figures, through the fake Bot API.

Three scenarios, each with the real bot code against the fake Bot API (``tests/fakes``), each
printing its figures and a verdict line (the exit code is 1 if a target is missed):

``slow``
    A slow Telegram: every ``sendMessage`` is delivered but answered after 7 s, beyond the 5 s
    read time-out, while ``python -m bot broadcast``'s code (``SubscriptionService`` with the
    service's ``Broadcaster`` and HTTP client) sends the summary to N subscribers. Prints how many
    subscribers got 0, 1, 2 and more than 2 copies, and the time taken. Target: everyone >= 1,
    nobody > 2.
``burst``
    N ``/subscribe`` from N users at once, to ``python -m bot run`` as a subprocess (as systemd
    runs it), which is SIGKILLed — in a second round sent SIGTERM with systemd's 15 s stop grace
    (then SIGKILL), in a third SIGKILLed in webhook mode (the fake posts to the bot's listener, as
    Caddy forwards Telegram's posts) — while it has a backlog, then started again on the same data
    dir. Prints fetched (updates handed to the bot: by ``getUpdates``, or posted), confirmed
    (Telegram forgets them: a later offset, or a 200), answered and stored (subscribers in the
    database) at the signal and at the end, lost (a /subscribe not answered or not stored: must
    be 0) and duplicates (a /subscribe answered twice).
``replies``
    30 questions from 30 users, each reply hitting one fault: a connection dropped before or after
    Telegram acted, HTTP 500, HTTP 502, and a 500 on every try (Telegram down for that chat beyond
    the bounded retries). Prints answered/30 and apologies per fault kind. Target: all answered
    for a single fault; apologies only when every try failed.

Times are scaled by ``--scale`` (default 0.1: 7 s answers become 0.7 s against a 0.5 s time-out,
Telegram's 30 messages/s become 300/s), so the run takes about a minute, not ten. The stop grace
and the bot's own shutdown deadlines are not scaled: SIGTERM gets the real 15 s. The fake server
shares the CPU with the bot (and, here, with whatever else the machine runs).

    .venv/bin/python benchmarks/faults_benchmark.py                 # all three
    .venv/bin/python benchmarks/faults_benchmark.py slow --subscribers 1000
    .venv/bin/python benchmarks/faults_benchmark.py burst --updates 5000
    .venv/bin/python benchmarks/faults_benchmark.py replies
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import socket
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Bot

from bot.config import load_settings
from bot.knowledge_base import load_knowledge
from bot.subscriptions.delivery import Broadcaster, DeliveryReport, sender_request
from bot.subscriptions.service import SubscriptionService
from bot.subscriptions.store import open_store
from bot.subscriptions.texts import sub_texts
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.services import BotServices
from bot.telegram.texts import texts
from tests.deploy.bot_process import BotProcess
from tests.fakes import FakeBotApi

FOREVER = 10**9
HOOK_PATH = "/telegram/hook"
STOP_GRACE = 15.0  # systemd's TimeoutStopSec default and Compose's stop_grace_period we document


# ---------------------------------------------------------------- slow Telegram, broadcast


def populate(path: Path, chats: list[int]) -> None:
    """Bulk-insert subscribers, half Arabic, half English (set-up, not measured)."""
    now = time.time() - 60
    rows = [(c, "private", "ar" if i % 2 else "en", now) for i, c in enumerate(chats)]
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO subscribers (chat_id, chat_type, lang, subscribed_at) VALUES (?, ?, ?, ?)", rows)


async def slow(args: argparse.Namespace) -> bool:
    answer_after, timeout = 7.0 * args.scale, 5.0 * args.scale
    chats = list(range(2_000_000, 2_000_000 + args.subscribers))
    runs: list[DeliveryReport] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotApi() as api:
            settings = load_settings(
                token=api.token, api_base_url=api.base_url, data_dir=Path(tmp), digest_schedule="off",
                request_timeout_seconds=timeout, rate_global_per_second=30 / args.scale,
                rate_chat_per_second=1 / args.scale, rate_group_per_minute=20 / args.scale,
            )
            store = await open_store(settings)
            try:
                populate(settings.database_path, chats)
                api.delay_next("sendMessage", answer_after, after=True, times=FOREVER)  # delivered, answered late
                knowledge = load_knowledge(settings.knowledge_dir)
                assert settings.token is not None
                request = sender_request(settings)
                async with Bot(settings.token.get_secret_value(), base_url=api.base_url, request=request) as bot:
                    # What `python -m bot broadcast` builds; a run that stops is resumed, as the bot's loop does.
                    service = SubscriptionService(settings, knowledge, store, Broadcaster.from_settings(bot, store, settings))
                    started = time.perf_counter()
                    await service.queue_summary()
                    while len(runs) < args.max_runs:
                        reports = await service.deliver_unfinished()
                        assert reports is not None, "another process holds the delivery lock"
                        runs.extend(reports)
                        if not any(r.interrupted for r in reports):
                            break
                    elapsed = time.perf_counter() - started
                    finished = not await store.unfinished_broadcasts()
            finally:
                await store.close()
            got = Counter(len(api.sent.get(c, [])) for c in chats)
            timed_out = sum(1 for c in api.calls_to("sendMessage")) - len(chats)
    over = sum(n for k, n in got.items() if k > 2)
    print(f"slow Telegram: {args.subscribers:,} subscribers, every answer after {answer_after:g} s, "
          f"read time-out {timeout:g} s (x{args.scale:g} of 7 s vs 5 s), rate {30 / args.scale:g}/s")
    print(f"  copies per subscriber   0: {got[0]:,}   1: {got[1]:,}   2: {got[2]:,}   >2: {over:,}")
    print(f"  time                    {elapsed:.1f} s ({elapsed / args.scale:.0f} s at full scale), "
          f"{len(runs)} run(s), sendMessage calls beyond one per subscriber: {timed_out}")
    for report in runs:
        print(f"  {report.summary()}")
    ok = got[0] == 0 and over == 0 and finished
    print(f"  target every subscriber >= 1, none > 2: {'OK' if ok else 'FAILED'}")
    return ok


# ---------------------------------------------------------------- burst of /subscribe, killed


class RecordingApi(FakeBotApi):
    """The fake Bot API, also remembering every update id handed to the bot (``getUpdates`` or a webhook post).

    ``webhook_proxy``: where webhook posts really go (the local listener), whatever https:// URL the
    bot registered, as Caddy in front of the bot does.
    """

    def __init__(self, webhook_proxy: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fetched: set[int] = set()
        self.webhook_proxy = webhook_proxy

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        batch = await super()._get_updates(params)
        self.fetched.update(u["update_id"] for u in batch)
        return batch

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        if self.webhook_proxy and params.get("url"):
            params = params | {"url": self.webhook_proxy}
        return super()._set_webhook(params)

    def confirmed(self) -> int:
        """Updates the bot confirmed (Telegram forgets them): below the highest offset asked for, or answered 2xx."""
        if self.webhook_proxy:
            return len({u for u, status in self.webhook_responses if status is not None and 200 <= status < 300})
        offsets = [int(c.params.get("offset") or 0) for c in self.calls_to("getUpdates")]
        return len({u for u in self.fetched if u < max(offsets, default=0)})

    def handed_over(self) -> int:
        """Updates the bot received: fetched by polling, or posted to the webhook (answered or not)."""
        return len(self.fetched | {u for u, _ in self.webhook_responses})


#: How the answers to /subscribe begin: "Subscribed: ..." or "This chat is already subscribed ...", either language.
SUBSCRIBE_ANSWERS = tuple(
    text.split("{")[0] for lang in ("ar", "en") for text in (sub_texts(lang).subscribed, sub_texts(lang).already_subscribed)
)


def answers(api: FakeBotApi, chat: int) -> int:
    """Answers to /subscribe in ``chat`` (the summary that follows a first one is not counted)."""
    return sum(1 for m in api.sent.get(chat, []) if m.get("text", "").startswith(SUBSCRIBE_ANSWERS))


def stored(database: Path, chats: set[int]) -> int:
    with sqlite3.connect(database) as db:
        return sum(1 for (c,) in db.execute("SELECT chat_id FROM subscribers") if c in chats)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def burst_round(args: argparse.Namespace, how: signal.Signals, *, webhook: bool = False) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database = load_settings(token="1:" + "A" * 30, data_dir=workdir / "data").database_path
        port = free_port()
        api = RecordingApi(webhook_proxy=f"http://127.0.0.1:{port}{HOOK_PATH}" if webhook else None, quiet_period=0.2)
        async with api:
            env = {
                "BOT_RATE_GLOBAL_PER_SECOND": f"{30 / args.scale:g}",
                "BOT_RATE_CHAT_PER_SECOND": f"{1 / args.scale:g}",
                "BOT_LOG_LEVEL": "WARNING",
            }
            if webhook:
                env |= {
                    "BOT_WEBHOOK_URL": f"https://bot.example.org{HOOK_PATH}",
                    "BOT_WEBHOOK_SECRET": "faults-benchmark-secret_0123456789",
                    "BOT_WEBHOOK_LISTEN": "127.0.0.1",
                    "BOT_WEBHOOK_PORT": str(port),
                }
            chats: dict[int, int] = {}  # update id -> chat
            for n in range(args.updates):
                user = api.user(3_000_000 + n, f"User{n}", language_code="ar" if n % 2 else "en")
                update_id = api.push_message("/subscribe", user=user)
                assert update_id is not None
                chats[update_id] = user["id"]
            everyone = set(chats.values())

            def answered() -> int:
                return sum(1 for c in everyone if answers(api, c))

            first = BotProcess(api, workdir, **env)
            started = time.perf_counter()
            await first.start()
            await api.wait_for(lambda: answered() >= args.updates * args.kill_at, timeout=300,
                               what=f"{args.kill_at:.0%} answered")
            at_signal = (api.handed_over(), api.confirmed(), answered(), stored(database, everyone))
            if how is signal.SIGKILL:
                await first.kill()
                stop = "SIGKILL"
            else:
                code, seconds = await first.terminate()  # SIGTERM, SIGKILL after the grace (tests' STOP_DEADLINE + 5)
                stop = f"SIGTERM: exited {code} after {seconds:.1f} s (grace {STOP_GRACE:g} s)"
            after_stop = answered()
            second = BotProcess(api, workdir, **env)
            await second.start()
            await api.wait_for(lambda: answered() == len(everyone), timeout=300, what="every /subscribe answered")
            elapsed = time.perf_counter() - started
            await api.wait_idle(quiet=1.0, timeout=30)
            await second.terminate()
            copies = Counter(answers(api, c) for c in everyone)
            kept = stored(database, everyone)
            lost = sum(1 for c in everyone if not answers(api, c)) + (len(everyone) - kept)
            fetched = api.handed_over()
    duplicates = sum((k - 1) * n for k, n in copies.items() if k > 1)
    print(f"burst, {'webhook' if webhook else 'polling'}, {stop}")
    print(f"  at the signal  fetched {at_signal[0]:,}, confirmed {at_signal[1]:,}, answered {at_signal[2]:,}, "
          f"stored {at_signal[3]:,} (backlog {at_signal[1] - at_signal[2]:,} confirmed but unanswered); "
          f"answered by the time it exited: {after_stop:,}")
    print(f"  after restart  fetched {fetched:,} of {args.updates:,}, answered {sum(n for k, n in copies.items() if k):,}, "
          f"stored {kept:,}, lost {lost} (must be 0), duplicates {duplicates} "
          f"(chats answered twice: {copies[2]}), {elapsed:.1f} s in all")
    return lost == 0


async def burst(args: argparse.Namespace) -> bool:
    print(f"burst: {args.updates:,} /subscribe from {args.updates:,} users to `python -m bot run` "
          f"(rate {30 / args.scale:g}/s), signal at {args.kill_at:.0%} answered, then restarted")
    rounds = [(signal.SIGKILL, False), (signal.SIGTERM, False), (signal.SIGKILL, True)]
    results = [await burst_round(args, how, webhook=webhook) for how, webhook in rounds]
    ok = all(results)
    print(f"  target lost 0: {'OK' if ok else 'FAILED'}")
    return ok


# ---------------------------------------------------------------- replies under transient faults


async def replies(args: argparse.Namespace) -> bool:
    n = args.questions
    kinds: list[tuple[str, Callable[[FakeBotApi, int], None], bool]] = [
        ("connection dropped before Telegram acted", lambda api, c: api.drop_next("sendMessage", chat_id=c), True),
        ("connection dropped after Telegram acted", lambda api, c: api.drop_next("sendMessage", chat_id=c, after=True), True),
        ("HTTP 500", lambda api, c: api.fail_next("sendMessage", 500, chat_id=c), True),
        ("HTTP 502", lambda api, c: api.fail_next("sendMessage", 502, chat_id=c), True),
        ("HTTP 500 on every try (4)", lambda api, c: api.fail_next("sendMessage", 500, chat_id=c, times=4), False),
    ]
    apology = {texts("en").apology, texts("ar").apology}
    ok = True
    print(f"replies: {n} questions from {n} users, one fault on each reply")
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotApi(quiet_period=0.3) as api:
            settings = load_settings(token=api.token, api_base_url=api.base_url, data_dir=Path(tmp),
                                     digest_schedule="off", rate_global_per_second=1000)
            app = build_application(BotServices.load(settings))
            async with app:
                assert app.updater is not None and app.post_init is not None and app.post_shutdown is not None
                await app.post_init(app)  # the stores the handlers read, the update journal: as the runner does
                await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=list(ALLOWED_UPDATES))
                await app.start()
                for k, (name, inject, should_answer) in enumerate(kinds):
                    users = [4_000_000 + 1000 * k + i for i in range(n)]
                    for user in users:
                        inject(api, user)
                    started = time.perf_counter()
                    for i, user in enumerate(users):
                        api.user(user, f"User{user}", language_code="ar" if i % 2 else "en")
                        api.push_message("first strike" if i % 2 == 0 else "ما هي الضربة الأولى؟", user=user)
                    await api.wait_for(lambda: all(api.sent.get(u) for u in users), timeout=60, what=name)  # noqa: B023
                    await api.wait_idle(quiet=0.5, timeout=30)
                    elapsed = time.perf_counter() - started
                    got = [api.sent.get(u, []) for u in users]
                    answered = sum(1 for ms in got if any(m["text"] not in apology for m in ms))
                    apologies = sum(1 for ms in got for m in ms if m["text"] in apology)
                    twice = sum(1 for ms in got if sum(m["text"] not in apology for m in ms) > 1)
                    print(f"  {name:<42} answered {answered}/{n}, apologies {apologies}, "
                          f"answered twice {twice}, {elapsed:.1f} s")
                    ok &= answered == n and apologies == 0 if should_answer else answered == 0 and apologies == n
                await app.updater.stop()
                await app.stop()
                await app.post_shutdown(app)
    print(f"  target all answered after one fault, an apology after bounded retries: {'OK' if ok else 'FAILED'}")
    return ok


# ---------------------------------------------------------------- command line


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", choices=("slow", "burst", "replies", "all"), default="all")
    parser.add_argument("--scale", type=float, default=0.1, help="factor on Telegram's times and 1/rates (default 0.1)")
    parser.add_argument("--subscribers", type=int, default=1000, help="slow: subscribers of the broadcast")
    parser.add_argument("--max-runs", type=int, default=20, help="slow: delivery runs at most (the bot's loop resumes)")
    parser.add_argument("--updates", type=int, default=2000, help="burst: /subscribe updates")
    parser.add_argument("--kill-at", type=float, default=0.2, help="burst: signal once this share is answered")
    parser.add_argument("--questions", type=int, default=30, help="replies: questions per fault kind")
    return parser.parse_args()


async def run(args: argparse.Namespace) -> int:
    scenarios = {"slow": slow, "burst": burst, "replies": replies}
    chosen = list(scenarios) if args.scenario == "all" else [args.scenario]
    results = []
    for name in chosen:
        results.append(await scenarios[name](args))
        print()
    return 0 if all(results) else 1


def main() -> int:
    logging.getLogger().addHandler(logging.NullHandler())  # the bot's warnings about the injected faults: expected
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(run(parse_args()))
    return 130


if __name__ == "__main__":
    sys.exit(main())

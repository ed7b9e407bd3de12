"""Command line: ``python -m bot [ask|chat|run|broadcast|check|card]``.

Without a sub-command the bot does its main job: with ``BOT_TOKEN`` set it runs the Telegram
bot, without one it opens the local console so the project is useful with no token at all.
Each sub-command lives in the module named for what it does; imports are lazy so that
``ask`` does not pay for loading the Telegram stack.

Exit codes: 0 success, 1 a runtime failure, 2 bad usage, settings or knowledge files.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from bot.config import ENV_PREFIX, Settings, SettingsError, load_settings
from bot.knowledge_base import KnowledgeError
from bot.logs import redact, secrets_of

EXIT_FAILURE = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot",
        description="Bayan: quotes Putin's statement on Russia–US information security, in Arabic or English.",
    )
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer one question (or '-' for one question per line on stdin)")
    ask.add_argument("question", help="the question, or '-' to read questions from standard input")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--top", type=int, default=3, metavar="N", help="how many results (default 3)")
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="with '-': stdin is one conversation, lines may follow up earlier ones; an empty line starts anew",
    )
    sub.add_parser("chat", help="interactive local console: the bot's answers without Telegram")
    sub.add_parser("run", help="run the Telegram bot (needs BOT_TOKEN)")
    sub.add_parser("broadcast", help="send the current summary to every subscriber now")
    sub.add_parser("check", help="validate settings and knowledge files, print what would run")
    card = sub.add_parser("card", help="render one passage's quote card as a PNG")
    card.add_argument("passage_id", metavar="PASSAGE_ID", help="the passage's id (python -m bot ask --json shows them)")
    card.add_argument("--lang", choices=("ar", "en"), default="ar", help="ar: the Arabic quote; en: our translation with the original")
    card.add_argument("-o", "--output", default="card.png", metavar="FILE", help="where to write the PNG (default card.png)")
    card.add_argument("--bot", default="BayanBot", metavar="USERNAME", help="the bot username printed on the card and in its link")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Opt in to python-telegram-bot's timedelta durations (RetryAfter.retry_after and friends):
    # the int form is deprecated since PTB 22.2 and warns on every 429.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    args = _parser().parse_args(argv)
    if getattr(args, "top", 1) < 1:
        print("bot ask: --top must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "conversation", False) and args.question != "-":
        print("bot ask: --conversation reads the conversation from standard input: use '-'", file=sys.stderr)
        return EXIT_USAGE
    settings: Settings | None = None
    try:
        settings = load_settings()
        return _dispatch(args, settings)
    except SettingsError as exc:
        print(f"Settings error:\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    except KnowledgeError as exc:
        print(f"Knowledge error: {ENV_PREFIX}KNOWLEDGE_DIR: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 -- the last resort: a readable error and a traceback, never the token
        secrets = secrets_of(settings) if settings is not None else ()
        print(redact(f"{traceback.format_exc()}error: {type(exc).__name__}: {exc}", secrets), file=sys.stderr)
        return EXIT_FAILURE


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command or ("run" if settings.token else "chat")
    if command == "ask":
        from bot.console import run_ask

        return run_ask(settings, args.question, as_json=args.json, top=args.top, conversation=args.conversation)
    if command == "chat":
        from bot.console import run_chat

        if args.command is None:
            print("No BOT_TOKEN set: starting the local console (python -m bot chat).", file=sys.stderr)
        return run_chat(settings)
    if command == "run":
        from bot.telegram.runner import run_bot

        return run_bot(settings)
    if command == "broadcast":
        from bot.subscriptions.commands import run_broadcast_command

        return run_broadcast_command(settings)
    if command == "check":
        from bot.check import run_check

        return run_check(settings)
    if command == "card":
        from bot.card_command import run_card

        return run_card(settings, args.passage_id, args.lang, args.output, args.bot.removeprefix("@"))
    raise AssertionError(f"unknown command {command!r}")

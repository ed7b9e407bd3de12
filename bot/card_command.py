"""``python -m bot card PASSAGE_ID [--lang en] -o card.png``: one quote card from the shell.

The same renderer the bot uses, so a designer or an operator can look at a card without
Telegram; the bot's username (printed on the card and in its deep link) is given with ``--bot``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.knowledge_base import Lang, load_knowledge
from bot.telegram.card import CardRenderer, CardsUnavailable, CardTooLong

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_USAGE = 2


def run_card(settings: Settings, passage_id: str, lang: Lang, output: str, bot_username: str) -> int:
    knowledge = load_knowledge(settings.knowledge_dir)
    found = knowledge.passage(passage_id)
    if found is None:
        known = ", ".join(p.id for _, p in knowledge.entries())
        print(f"bot card: no passage {passage_id!r} in {settings.knowledge_dir}; known ids: {known}", file=sys.stderr)
        return EXIT_USAGE
    try:
        png = CardRenderer().render(*found, lang, bot_username)
    except (CardsUnavailable, CardTooLong) as exc:
        print(f"bot card: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    path = Path(output)
    try:
        path.write_bytes(png)
    except OSError as exc:
        print(f"bot card: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_RUNTIME
    print(f"{path}: {passage_id} ({lang}), {len(png) // 1024} KB")
    return EXIT_OK

"""The environment for ``python -m bot`` started as a child process by a test."""

from __future__ import annotations

import os

from bot.config import ENV_PREFIX, PROJECT_ROOT


def bot_env(**variables: str) -> dict[str, str]:
    """This process's environment minus its ``BOT_*`` variables, plus ``PYTHONPATH`` and ``variables``.

    A developer's own settings (a real ``BOT_TOKEN``, a webhook URL) must never reach a test's
    bot, and ``PYTHONPATH`` lets it run from any working directory (a temp dir has no ``.env``).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    return env | {"PYTHONPATH": str(PROJECT_ROOT)} | variables

"""Follow-ups in the terminal: `ask --json --conversation -` and `chat` keep a conversation."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.console import run_ask, run_chat
from bot.conversation import MemoryConversations
from tests.clock import ManualClock


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(token=None, data_dir=tmp_path)


def _feed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


def _best(payload: dict[str, object]) -> object:
    results = payload["results"]
    assert isinstance(results, list)
    return results[0]["passage_id"] if payload["answered"] and results else None


def test_ask_conversation_follows_up_and_an_empty_line_starts_anew(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each line may follow up the ones before it; an empty line prints nothing and forgets them."""
    lines = ["proposal 1", "and the second one?", "", "and the second one?", "الاقتراح الثالث", "و الرابع؟"]
    _feed(monkeypatch, "\n".join(lines) + "\n")
    assert run_ask(settings, "-", as_json=True, top=3, conversation=True) == 0
    objects = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["query"] for o in objects] == [q for q in lines if q]  # one object per non-empty line, in order
    assert [_best(o) for o in objects[:2] + objects[3:]] == [
        "proposal-1-dialogue",
        "proposal-2-channels",
        "proposal-3-incidents-agreement",
        "proposal-4-non-interference",
    ]
    run_ask(settings, "and the second one?", as_json=True, top=3)
    assert objects[2] == json.loads(capsys.readouterr().out)  # a new conversation: the question alone
    for o in objects:  # the documented shape, follow-up or not
        assert set(o) == {"query", "lang", "answered", "match", "results"}
        assert o["answered"] == (o["match"] == "answer")


def test_ask_without_conversation_answers_each_line_alone(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _feed(monkeypatch, "proposal 1\nand the second one?\n")
    run_ask(settings, "-", as_json=True, top=1)
    objects = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    run_ask(settings, "and the second one?", as_json=True, top=1)
    assert objects[1] == json.loads(capsys.readouterr().out)
    assert _best(objects[1]) != "proposal-2-channels"


def test_ask_conversation_needs_standard_input(tmp_path: Path) -> None:
    """`--conversation` with a question on the command line is a usage error (exit 2), not ignored."""
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path)}
    env.pop("BOT_TOKEN", None)
    command = [sys.executable, "-m", "bot", "ask", "--json", "--conversation"]
    bad = subprocess.run(
        [*command, "proposal 1"], cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=30, check=False
    )
    assert bad.returncode == 2 and b"standard input" in bad.stderr
    good = subprocess.run(
        [*command, "-"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=30, check=True,
        input="ما هو الاقتراح الأول؟\nوالتاني؟\n".encode(),
    )  # fmt: skip
    objects = [json.loads(line) for line in good.stdout.decode().splitlines()]
    assert [_best(o) for o in objects] == ["proposal-1-dialogue", "proposal-2-channels"]


def test_chat_is_one_conversation_that_expires_when_idle(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock()
    store = MemoryConversations(max_conversations=1, clock=clock)
    _feed(monkeypatch, "proposal 3\nand the fourth?\n")
    run_chat(settings, store)
    assert "electoral processes" in capsys.readouterr().out  # proposal 4's words
    clock.now += 601  # ten idle minutes: "the fourth" of nothing
    _feed(monkeypatch, "and the fourth?\n")
    run_chat(settings, store)
    assert "electoral processes" not in capsys.readouterr().out

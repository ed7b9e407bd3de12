"""`python -m bot ask` and `python -m bot chat`: output shape, batch mode, exits."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.console import run_ask, run_chat


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(token=None, data_dir=tmp_path)


def _feed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


def test_ask_json_has_exactly_the_documented_fields(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """One JSON object with query/lang/answered/results and the documented result fields."""
    assert run_ask(settings, "ايش الاقتراح الثالث", as_json=True, top=2) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"query", "lang", "answered", "match", "results"}
    assert payload["match"] == "answer"
    assert payload["lang"] == "ar" and payload["answered"] is True
    first = payload["results"][0]
    assert set(first) == {"passage_id", "score", "quote", "text_ar", "text_en", "source"}
    assert set(first["source"]) == {"name", "url"}
    assert first["passage_id"] == "proposal-3-incidents-agreement"
    assert first["quote"] == first["text_ar"]
    assert len(payload["results"]) <= 2


def test_ask_batch_writes_one_line_per_input_line_in_order(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ask --json -`: one JSON line per stdin line, in order; an empty line comes back unanswered."""
    questions = ["what is the third proposal?", "", "what's the weather in Paris", "شو قال بوتين عن الانتخابات"]
    _feed(monkeypatch, "\n".join(questions) + "\n")
    assert run_ask(settings, "-", as_json=True, top=3) == 0
    lines = capsys.readouterr().out.splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["query"] for o in objects] == questions
    assert [o["answered"] for o in objects] == [True, False, False, True]


def test_ask_human_output_has_quote_source_and_other_language(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """The person-readable answer shows the quote, the source name and URL, and the Arabic original."""
    run_ask(settings, "1972 agreement", as_json=False, top=1)
    out = capsys.readouterr().out
    assert "1972" in out and "TASS" in out and "https://en.kremlin.ru/events/president/news/64086" in out
    assert "الاتفاقية السوفيتية الأمريكية" in out


def test_chat_answers_piped_questions_without_prompt_and_stops_at_exit(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Piped chat prints no prompt, answers each line, and stops at 'exit' (later lines unread)."""
    _feed(monkeypatch, "elections\nexit\nno first strike\n")
    assert run_chat(settings) == 0
    out = capsys.readouterr().out
    assert "> " not in out
    assert "electoral processes" in out
    assert "first to strike" not in out


def test_chat_ends_cleanly_on_eof(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """End of input ends the session with exit code 0."""
    _feed(monkeypatch, "")
    assert run_chat(settings) == 0


def test_ask_prints_utf8_under_a_c_locale(tmp_path: Path) -> None:
    """Arabic output works even when the locale says ASCII."""
    env = {
        "PATH": "/usr/bin:/bin",
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONIOENCODING": "ascii",
        "BOT_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "الاقتراح الثالث"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "اقتراح ثالث" in result.stdout.decode("utf-8")


def test_ask_batch_ignores_a_byte_order_mark(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A UTF-8 BOM at the start of the input is not part of the first question."""
    _feed(monkeypatch, "\ufeffالاقتراح الثالث\n")
    run_ask(settings, "-", as_json=True, top=1)
    payload = json.loads(capsys.readouterr().out)
    assert payload["query"] == "الاقتراح الثالث" and payload["answered"] is True


def _read_until(fd: int, marker: str, timeout: float = 20.0) -> str:
    """Read a pseudo-terminal until ``marker`` shows up (or fail after ``timeout`` seconds)."""
    data = b""
    deadline = time.monotonic() + timeout
    while marker.encode() not in data:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {marker!r} in {data.decode(errors='replace')!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            data += os.read(fd, 4096)
    return data.decode("utf-8", errors="replace")


@pytest.mark.parametrize("leave", ["exit", "ctrl-c"])
def test_chat_on_a_terminal_prompts_answers_and_leaves_cleanly(tmp_path: Path, leave: str) -> None:
    """On a tty the console shows a prompt, answers, and ends with status 0 on 'exit' or Ctrl-C."""
    master, slave = pty.openpty()
    env = {"PATH": "/usr/bin:/bin", "BOT_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"], cwd=PROJECT_ROOT, env=env,
        stdin=slave, stdout=slave, stderr=slave, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    try:
        _read_until(master, "> ")
        os.write(master, "شو قال بوتين عن الانتخابات\n".encode())
        assert "العمليات الانتخابية" in _read_until(master, "\n> ")
        if leave == "exit":
            os.write(master, b"exit\n")
        else:
            time.sleep(0.5)  # as a person would: CPython's readline misses a SIGINT sent before it waits for input
            proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)


def test_ask_batch_ends_quietly_when_the_reader_stops(tmp_path: Path) -> None:
    """`ask --json - | head -1`: no traceback, exit status 0."""
    env = {"PATH": "/usr/bin:/bin", "BOT_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json", "-"], cwd=PROJECT_ROOT, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(b"elections\n" * 2000)  # far more answers than a pipe buffer holds
    proc.stdin.close()
    assert json.loads(proc.stdout.readline())["answered"] is True
    proc.stdout.close()
    assert proc.wait(timeout=30) == 0
    assert b"Traceback" not in proc.stderr.read()

"""deploy/bayan.service: a hardened unit that systemd accepts."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.deploy.bot_process import BotProcess

UNIT = PROJECT_ROOT / "deploy" / "bayan.service"
VENV_PYTHON = "/opt/bayan/.venv/bin/python"


class _MultiDict(dict):
    """configparser storage that keeps repeated keys (systemd allows them) joined by newlines."""

    def __setitem__(self, key, value):
        if key in self and isinstance(value, list) and isinstance(self[key], list):
            self[key].extend(value)
        else:
            super().__setitem__(key, value)


@pytest.fixture(scope="module")
def service() -> configparser.SectionProxy:
    parser = configparser.RawConfigParser(strict=False, dict_type=_MultiDict, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(UNIT, encoding="utf-8")
    return parser["Service"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DynamicUser", "yes"),
        ("StateDirectory", "bayan"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("NoNewPrivileges", "yes"),
        ("CapabilityBoundingSet", ""),
        ("MemoryDenyWriteExecute", "yes"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("Restart", "on-failure"),
        ("KillSignal", "SIGTERM"),
        ("TimeoutStopSec", "15"),
        ("EnvironmentFile", "/etc/bayan/bayan.env"),
        ("ExecStartPre", f"{VENV_PYTHON} -m bot check"),
        ("ExecStart", f"{VENV_PYTHON} -m bot run"),
    ],
)
def test_unit_sets(service, key, value) -> None:
    """Each hardening and lifecycle key has the intended value."""
    assert service.get(key) == value


def test_system_calls_are_filtered(service) -> None:
    """The syscall allow-list is @system-service (the first SystemCallFilter line)."""
    assert service.get("SystemCallFilter").splitlines()[0] == "@system-service"


def test_state_directory_is_the_data_dir(service) -> None:
    """BOT_DATA_DIR is the directory systemd creates for StateDirectory=bayan."""
    env = dict(pair.split("=", 1) for pair in service.get("Environment").split())
    assert env["BOT_DATA_DIR"] == f"/var/lib/{service.get('StateDirectory')}"


def verifiable_copy(tmp_path: Path) -> Path:
    """The unit with the venv path pointing at this interpreter, since verify checks executables exist."""
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text(encoding="utf-8").replace(VENV_PYTHON, sys.executable), encoding="utf-8")
    return copy


@pytest.fixture
def systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.skip("systemd-analyze not available")
    return path


def test_systemd_analyze_verify_is_clean(systemd_analyze, tmp_path) -> None:
    """systemd itself parses the unit without unknown keys or bad values."""
    result = subprocess.run(
        [systemd_analyze, "verify", str(verifiable_copy(tmp_path))], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_security_exposure_is_low(systemd_analyze, tmp_path) -> None:
    """`systemd-analyze security` rates the unit's exposure at most 2.0 out of 10."""
    result = subprocess.run(
        [systemd_analyze, "security", "--offline=yes", "--threshold=20", str(verifiable_copy(tmp_path))],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if "Unknown command verb" in result.stderr or "unrecognized option" in result.stderr:
        pytest.skip("this systemd-analyze cannot rate offline units")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


# prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN): what MemoryDenyWriteExecute=yes enforces (Linux 6.3+);
# kept across execve, so the bot started after it runs under the same rule as in the unit.
MDWE_LAUNCHER = (
    "import ctypes, os, sys\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "if libc.prctl(65, 1, 0, 0, 0) != 0:\n"
    "    sys.exit('MDWE unsupported: ' + os.strerror(ctypes.get_errno()))\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


def mdwe_supported() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", MDWE_LAUNCHER, sys.executable, "-c", "pass"], capture_output=True, timeout=30
    )
    return probe.returncode == 0


async def test_bot_runs_under_memory_deny_write_execute(fake_api, tmp_path) -> None:
    """With W+X memory refused (MemoryDenyWriteExecute=yes), the bot starts, answers and stops cleanly."""
    if not mdwe_supported():
        pytest.skip("this kernel has no PR_SET_MDWE (Linux < 6.3)")
    bot = BotProcess(fake_api, tmp_path, launcher=(sys.executable, "-c", MDWE_LAUNCHER))
    await bot.start()
    user = fake_api.user(4242, "Mdwe", language_code="ar")
    fake_api.push_message("ما هي المقترحات؟", user=user)
    [reply] = await fake_api.wait_for_messages(1, chat_id=4242, timeout=10)
    code, _ = await bot.terminate()
    assert code == 0, bot.stderr.decode()[-2000:]
    assert reply["text"]

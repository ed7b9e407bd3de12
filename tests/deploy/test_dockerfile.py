"""deploy/Dockerfile: linted, multi-stage, non-root, state in a volume, and a layout the code runs in."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.deploy.dockerfile import Stage, parse

DOCKERFILE = PROJECT_ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = PROJECT_ROOT / ".dockerignore"


def tool(name: str) -> str | None:
    """A linter from the test extra lives next to the interpreter; fall back to PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse(DOCKERFILE)


def final(stages: list[Stage]) -> Stage:
    return stages[-1]


def test_hadolint_finds_nothing() -> None:
    """hadolint (from the test extra) reports no finding at any level, info included."""
    hadolint = tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_multi_stage_from_slim_python(stages) -> None:
    """A builder stage and a final stage, both on python:3.11-slim; the final one copies the venv over."""
    assert len(stages) >= 2
    assert all(s.base == "python:3.11-slim" for s in stages)
    copies_from = [i.args for i in final(stages).all("COPY") if i.args.startswith("--from=")]
    assert any(args.startswith(f"--from={stages[0].name} /opt/venv") for args in copies_from)


def test_final_stage_runs_as_a_non_root_user(stages) -> None:
    """USER is set in the final stage, to a numeric id other than 0."""
    users = final(stages).all("USER")
    assert users, "final stage has no USER"
    uid = users[-1].args.split(":")[0]
    assert uid.isdigit() and int(uid) != 0


def test_state_is_a_volume_at_the_data_dir(stages) -> None:
    """BOT_DATA_DIR points at a declared VOLUME, created and owned by the runtime user before it."""
    stage = final(stages)
    data_dir = stage.env()["BOT_DATA_DIR"]
    volumes = [v for i in stage.all("VOLUME") for v in i.words()]
    assert data_dir in volumes
    chown = " ".join(i.args for i in stage.all("RUN"))
    assert f"mkdir {data_dir}" in chown and f"chown bayan:bayan {data_dir}" in chown
    uid = stage.all("USER")[-1].args.split(":")[0]
    assert f"--uid {uid}" in chown


def test_knowledge_dir_is_set_explicitly(stages) -> None:
    """BOT_KNOWLEDGE_DIR names the folder the knowledge files are copied to."""
    stage = final(stages)
    workdir = stage.all("WORKDIR")[-1].args
    knowledge = stage.env()["BOT_KNOWLEDGE_DIR"]
    dests = {str(Path(workdir) / i.words()[-1]).rstrip("/") for i in stage.all("COPY") if i.words()[0] == "knowledge/"}
    assert knowledge in dests


def test_healthcheck_entrypoint_and_cmd(stages) -> None:
    """HEALTHCHECK runs `python -m bot check`; the container runs `python -m bot run` by default."""
    stage = final(stages)
    [health] = stage.all("HEALTHCHECK")
    assert health.args.split("CMD", 1)[1].strip() == '["python", "-m", "bot", "check"]'
    assert stage.all("ENTRYPOINT")[-1].words() == ["python", "-m", "bot"]
    assert stage.all("CMD")[-1].words() == ["run"]


def copied_sources(stages: list[Stage]) -> list[str]:
    """Paths the Dockerfile copies from the build context (not from another stage)."""
    return [i.words()[0] for s in stages for i in s.all("COPY") if not i.args.startswith("--from=")]


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, simplified: the last matching pattern wins; a pattern also matches a path's parents."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    verdict = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern.removeprefix("!").strip("/")
        if any(fnmatch.fnmatchcase(c, pat) or fnmatch.fnmatchcase(c, pat.removeprefix("**/")) for c in candidates):
            verdict = not negate
    return verdict


def dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_dockerignore_lets_in_what_is_copied(stages) -> None:
    """Every COPY source is in the build context, with its files."""
    patterns = dockerignore_patterns()
    for src in copied_sources(stages):
        assert not ignored(src, patterns), src
        source = PROJECT_ROOT / src
        files = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file()]
        files = [f for f in files if "__pycache__" not in f.parts]
        assert files, f"{src} is empty"
        for f in files:
            assert not ignored(str(f.relative_to(PROJECT_ROOT)), patterns), f


@pytest.mark.parametrize(
    "path", [".env", "deploy/.env", ".venv/bin/python", "data/bayan.sqlite3", ".git/config", "bot/__pycache__/x.pyc"]
)
def test_dockerignore_keeps_secrets_and_state_out(path) -> None:
    """.env files, local state, virtualenvs and git history never enter the build context."""
    assert ignored(path, dockerignore_patterns())


def test_image_layout_finds_defaults_and_knowledge(stages, tmp_path) -> None:
    """Laid out as the final stage's COPY lines say, the code finds defaults and knowledge; the health check passes."""
    stage = final(stages)
    root = tmp_path / "image"
    workdir = Path(stage.all("WORKDIR")[-1].args)

    def host(path: str) -> Path:
        return root / Path(path).relative_to("/")

    for ins in stage.all("COPY"):
        if ins.args.startswith("--from="):
            continue
        src, dest = ins.words()
        source, target = PROJECT_ROOT / src, host(str(workdir / dest))
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / source.name)
    image_env = stage.env()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PYTHONPATH": str(host(image_env["PYTHONPATH"])),
        "BOT_DATA_DIR": str(host(image_env["BOT_DATA_DIR"])),
        "BOT_KNOWLEDGE_DIR": str(host(image_env["BOT_KNOWLEDGE_DIR"])),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    probe = (
        "import bot, bot.config as c, bot.knowledge_base as k\n"
        "s = c.load_settings()\n"
        "print(bot.__file__, c.DEFAULTS_FILE.is_file(), len(k.load_knowledge(s.knowledge_dir).entries()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=host(str(workdir)), env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    module_file, defaults_found, passages = result.stdout.split()
    assert Path(module_file).is_relative_to(root), "the image must run the copied code, not an installed one"
    assert defaults_found == "True"
    assert int(passages) > 0
    health = stage.all("HEALTHCHECK")[0].args.split("CMD", 1)[1].strip()
    _, *args = json.loads(health)  # "python" in the image is this interpreter here
    result = subprocess.run(
        [sys.executable, *args], cwd=host(str(workdir)), env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"data dir:    {env['BOT_DATA_DIR']}" in result.stdout

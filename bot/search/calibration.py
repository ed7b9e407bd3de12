"""The answer/abstain decision: a logistic model over what the engine knows about its best passage.

One hand-set score threshold sat above where most questions written outside the project
scored, so right passages were refused. Instead, a few features the search already computes
(coverage, BM25 strength, the margin to the second passage, the weight of unknown and of
typo-only words, ...) go through a logistic regression fitted offline by
``benchmarks/fit_calibration.py`` (k-fold cross-validation; it prints out-of-fold figures).
Its output, ``calibration.json`` beside this module, is data: weights, feature scaling and the
two probability cut-offs, ``answer_at`` (quote it as the answer) and ``closest_at`` (quote it
as the closest passage). Applying it is a dot product: the bot itself needs no fitting library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ValidationError, model_validator

from bot.answer import Match

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
# The same features, fitted with the semantic reranker on (``fit_calibration.py --semantic``): the
# passage it puts first has weaker words than the lexical best, and the default model, seeing a
# negative margin, refuses it. Used only with BOT_SEMANTIC=on; the default model is unaffected.
SEMANTIC_CALIBRATION_FILE = Path(__file__).with_name("calibration-semantic.json")

FEATURES = (
    "score",  # best passage's score / 100
    "second",  # second passage's score / 100
    "margin",  # score - second
    "coverage",  # share of the question's informative weight the best passage matches
    "strength",  # its BM25 relative to the strongest passage
    "unknown",  # weight share of words no passage uses
    "unknown_words",  # how many words no passage uses
    "missed_words",  # how many of the question's words the best passage does not match
    "fuzzy",  # weight share of words matched only as typos
    "context",  # weight share of words naming the subject (Putin, statement)
    "terms",  # log(1 + content words)
    "ambiguous",  # passages within 10% of the best, minus one
    "number_missing",  # asks "how many"/"when" and the passage has no number
    "intent",  # a "why"/"where" question word
    "context_only",  # nothing but subject words: the lead or the passage of the asked kind
    "arabic",  # asked in Arabic
)


class Calibration(BaseModel):
    """Fitted parameters; ``mean``/``scale`` standardise each feature before the weights apply."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    answer_at: float
    closest_at: float
    fitted_on: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Calibration:
        if self.features != FEATURES:
            raise ValueError(f"features {list(self.features)} differ from the engine's {list(FEATURES)}: refit")
        if not len(self.mean) == len(self.scale) == len(self.weights) == len(FEATURES):
            raise ValueError("mean, scale and weights need one value per feature")
        if any(s <= 0 for s in self.scale):
            raise ValueError("every scale must be positive")
        if not 0 <= self.closest_at <= self.answer_at <= 1:
            raise ValueError("need 0 <= closest_at <= answer_at <= 1")
        return self

    def probability(self, values: Mapping[str, float]) -> float:
        """How likely the best passage is the right answer, 0–1."""
        z = self.bias + sum(
            w * (values[f] - m) / s for f, m, s, w in zip(FEATURES, self.mean, self.scale, self.weights)
        )
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))

    def decide(self, probability: float) -> Match:
        if probability >= self.answer_at:
            return "answer"
        return "closest" if probability >= self.closest_at else "none"


def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """Read the fitted model; a missing or broken file is named with what is wrong."""
    try:
        return Calibration.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        raise ValueError(f"{path}: not a usable calibration ({exc}); refit with benchmarks/fit_calibration.py") from exc

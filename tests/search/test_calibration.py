"""The fitted answer/abstain model: loaded from data, checked on load, applied as a dot product."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.search import PassageIndex
from bot.search.calibration import CALIBRATION_FILE, FEATURES, Calibration, load_calibration


def test_the_committed_model_matches_the_engine() -> None:
    """calibration.json names exactly the engine's features and has sane cut-offs."""
    model = load_calibration()
    assert model.features == FEATURES
    assert 0 < model.closest_at <= model.answer_at < 1


def test_probability_rises_with_the_score(index: PassageIndex) -> None:
    """A better-matching best passage is more likely the answer, other features equal.

    Starts from the features of a question the statement plainly answers, so the vector is one
    the engine really produces, then weakens its match.
    """
    model = load_calibration()
    strong = index.features("What did Putin propose about elections?")
    assert strong is not None
    assert model.decide(model.probability(strong)) == "answer"
    weak = strong | {"coverage": strong["coverage"] * 0.3, "score": strong["score"] * 0.3, "margin": 0.0}
    assert model.probability(weak) < model.probability(strong)
    assert model.decide(model.probability(weak)) != "answer"


def test_decide_has_three_bands() -> None:
    """answer at or above answer_at, closest between the cut-offs, none below."""
    model = Calibration(
        features=FEATURES,
        mean=(0.0,) * len(FEATURES),
        scale=(1.0,) * len(FEATURES),
        weights=(0.0,) * len(FEATURES),
        bias=0.0,
        answer_at=0.6,
        closest_at=0.3,
    )
    assert [model.decide(p) for p in (0.7, 0.6, 0.45, 0.3, 0.1)] == ["answer", "answer", "closest", "closest", "none"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"features": ["score"]}, "differ from the engine's"),
        ({"answer_at": 0.1, "closest_at": 0.5}, "closest_at <= answer_at"),
        ({"weights": [1.0]}, "one value per feature"),
    ],
)
def test_a_broken_model_file_is_named_with_the_problem(tmp_path: Path, change: dict[str, object], message: str) -> None:
    """A stale or hand-broken calibration.json fails at load, naming the file and what is wrong."""
    data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8")) | change
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as excinfo:
        load_calibration(path)
    assert str(path) in str(excinfo.value)

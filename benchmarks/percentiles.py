"""The percentile every benchmark reports, computed one way so their figures compare."""

from __future__ import annotations

from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank value at quantile ``q`` (0–1) of ``values``: a measured figure, never interpolated."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

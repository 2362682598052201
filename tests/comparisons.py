"""Comparisons shared by the export tests (computed once per test run: fitting every sample takes a while)."""

from __future__ import annotations

from functools import lru_cache

from kl_core import compare
from kl_core.ranking import Comparison
from kl_core.samples import SAMPLES

EVIL = '<script>alert("x")</script> & =cmd|" /C calc"!A0'  # user text that must stay inert in every export


@lru_cache(maxsize=None)
def worms() -> Comparison:
    """The worm-teeth sample against uniform, binomial and Poisson."""
    return compare(SAMPLES["worms"].empirical(), ["uniform", "binomial", "poisson"])


@lru_cache(maxsize=None)
def every_sample() -> dict[str, Comparison]:
    """Each sample against its own models."""
    return {key: compare(sample.empirical(), sample.models) for key, sample in SAMPLES.items()}

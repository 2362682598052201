"""Comparisons shared by the export tests (computed once per test run: fitting every sample takes a while)."""

from __future__ import annotations

from functools import lru_cache

import pytest

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


@pytest.fixture(scope="module", name="worms")
def worms_fixture() -> Comparison:
    """The worm-teeth comparison, as a fixture (import it into a test module to use it)."""
    return worms()


@pytest.fixture(scope="module", name="every_sample")
def every_sample_fixture() -> dict[str, Comparison]:
    """Every sample's comparison, as a fixture."""
    return every_sample()

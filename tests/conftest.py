"""Shared fixtures: the seeds' datasets."""

import numpy as np
import pytest

from kl_core import Empirical

# Worm teeth from the issue/seeds: 100 worms with 0..10 teeth.
WORM_COUNTS = [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7]


@pytest.fixture
def teeth() -> Empirical:
    return Empirical.from_counts(np.arange(11), WORM_COUNTS, name="teeth")

"""Shared fixtures: the seeds' datasets."""

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from kl_core import Empirical

# Property tests bound their work by max_examples, never by the clock: hypothesis's default
# 200 ms deadline per example and its too_slow health check are wall-clock oracles that fail
# on a busy machine with the same code. Examples are derived from each test's name, not drawn at
# random, and no example database is replayed, so two runs of the same code run the same cases.
# Loaded here, before any test module builds its settings.
settings.register_profile("kl_work_bounded", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=True, database=None)
settings.load_profile("kl_work_bounded")

# Worm teeth from the issue/seeds: 100 worms with 0..10 teeth.
WORM_COUNTS = [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7]


@pytest.fixture
def teeth() -> Empirical:
    return Empirical.from_counts(np.arange(11), WORM_COUNTS, name="teeth")

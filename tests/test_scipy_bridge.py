"""The private scipy calls of the continuous fits still behave as they did when checked."""

import numpy as np
import scipy
from scipy import stats

from kl_core.models.continuous import scipy_bridge


def test_every_private_scipy_call_still_agrees_with_its_public_twin():
    found = scipy_bridge.problems()
    assert not found, (
        f"scipy {scipy.__version__} changed private APIs used by kl_core/models/continuous/scipy_bridge.py "
        f"(checked against {scipy_bridge.SCIPY_CHECKED}): " + "; ".join(found)
    )


def test_the_t_log_density_is_scipys_to_the_last_bit():
    z = np.concatenate([np.linspace(-50.0, 50.0, 1001), [1e-300, -1e200, 3e7]])
    with np.errstate(over="ignore"):  # z = −1e200: z² overflows to ∞ in both, log density −∞
        for df in (0.3, 1.0, 4.647, 250.0, 1e6):
            assert np.array_equal(scipy_bridge.std_logpdf(stats.t, z, [df]), stats.t.logpdf(z, df)), df

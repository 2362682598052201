"""The private scipy calls of the continuous fits still behave as they did when checked."""

import scipy

from kl_core.models.continuous import scipy_bridge


def test_every_private_scipy_call_still_agrees_with_its_public_twin():
    found = scipy_bridge.problems()
    assert not found, (
        f"scipy {scipy.__version__} changed private APIs used by kl_core/models/continuous/scipy_bridge.py "
        f"(checked against {scipy_bridge.SCIPY_CHECKED}): " + "; ".join(found)
    )

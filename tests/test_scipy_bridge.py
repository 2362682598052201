"""The private scipy calls of the continuous fits still behave as they did when checked."""

import numpy as np
import pytest
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


def test_the_tukey_lambda_log_density_is_the_quantile_functions_exactly():
    # At z = Q(q) the density is 1 / Q'(q) exactly: Q'(q) = q^(λ−1) + (1−q)^(λ−1). Both tails, as far as z keeps q's digits.
    for lam in (-3.0, -1.0, -0.2, 0.0, 1e-7, 0.14, 0.5, 1.0, 1.5, 3.0):
        far = 1e-30 if lam <= 0 else 1e-12  # for λ > 0, z = Q(q) rounds to the support's end below that
        q = np.concatenate([np.geomspace(far, 0.5, 400), 1 - np.geomspace(1e-12, 0.5, 200)])
        z = stats.tukeylambda.ppf(q, lam)
        exact = -np.logaddexp((lam - 1) * np.log(q), (lam - 1) * np.log1p(-q))
        assert np.allclose(scipy_bridge.std_logpdf(stats.tukeylambda, z, [lam]), exact, rtol=1e-9, atol=1e-9), lam


def test_the_tukey_lambda_log_density_agrees_with_scipys_where_scipys_bisection_is_accurate():
    # scipy's own value loses digits where its CDF is within 1e-9 of 0 or 1 (bisection floor, 1 − F); elsewhere they agree.
    for lam in (-1.0, -0.2, 0.0, 0.14, 0.5, 2.0):
        z = stats.tukeylambda.ppf(np.linspace(1e-6, 1 - 1e-6, 2001), lam)
        got = scipy_bridge.std_logpdf(stats.tukeylambda, z, [lam])
        assert np.allclose(got, stats.tukeylambda.logpdf(z, lam), rtol=1e-9, atol=0), lam
    assert np.all(scipy_bridge.std_logpdf(stats.tukeylambda, np.array([-2.0, 2.0, 2.5]), [0.5]) == -np.inf)  # support's ends


def test_the_kolmogorov_log_density_is_scipys_where_scipys_is_finite_and_finite_below():
    """scipy takes log(pdf): −inf below z ≈ 0.04 although the density is positive on (0, ∞)."""
    z = np.concatenate([np.linspace(0.05, 3.0, 300), [6.0]])
    ours, theirs = scipy_bridge.kstwobign_logpdf(z), stats.kstwobign.logpdf(z)
    assert np.allclose(ours, theirs, rtol=1e-7, atol=0)  # scipy's own kolmogp is off by 2e-8 near z = 0.83 (its switch of series)
    assert np.allclose(ours[z < 0.8], theirs[z < 0.8], rtol=1e-12, atol=1e-12)
    small = np.array([1e-3, 0.01, 0.03])
    with np.errstate(divide="ignore"):
        assert np.all(np.isneginf(stats.kstwobign.logpdf(small[:2])))
    # The series' first term, −π²/(8z²) + log(π²/(4z⁴)) + ½ log 2π, checked by hand at z = 0.01 (the rest is e^−(π²/z²)).
    first = -np.pi**2 / (8 * 1e-4) + np.log(np.pi**2 / (4 * 1e-8) - 1 / 1e-4) + 0.5 * np.log(2 * np.pi)
    assert scipy_bridge.kstwobign_logpdf(np.array([0.01]))[0] == pytest.approx(first, rel=1e-14)
    assert np.all(np.isfinite(scipy_bridge.kstwobign_logpdf(small)))
    assert np.all(np.isneginf(scipy_bridge.kstwobign_logpdf(np.array([0.0, -1.0]))))
    # Far right: 8z e^(−2z²) (1 − 4e^(−6z²) …), by hand at z = 40, where scipy's pdf underflows to 0.
    with np.errstate(divide="ignore"):
        assert np.isneginf(stats.kstwobign.logpdf(40.0))
    assert scipy_bridge.kstwobign_logpdf(np.array([40.0]))[0] == pytest.approx(np.log(320.0) - 3200.0, rel=1e-14)


def test_the_frechet_log_density_is_scipys_where_scipys_is_finite_and_finite_below():
    z = np.geomspace(0.02, 50.0, 200)
    for c in (0.5, 1.0, 3.0):
        theirs = stats.invweibull.logpdf(z, c)
        finite = np.isfinite(theirs)
        assert finite.sum() > 150
        assert np.allclose(scipy_bridge.invweibull_logpdf(z, c)[finite], theirs[finite], rtol=1e-12, atol=1e-12)
    small = np.array([1e-4, 4e-4])
    with np.errstate(divide="ignore"):
        assert np.all(np.isneginf(stats.invweibull.logpdf(small, 1.0)))  # scipy: log(pdf) underflows
    # log c − (1 + c) log z − z^(−c) by hand at c = 1, z = 1e-4: 0 + 2·9.2103… − 10,000
    assert scipy_bridge.invweibull_logpdf(np.array([1e-4]), 1.0)[0] == pytest.approx(2 * np.log(1e4) - 1e4, rel=1e-14)
    assert np.all(np.isneginf(scipy_bridge.invweibull_logpdf(np.array([0.0, -1.0]), 1.0)))

"""kl_core.models.base: log masses (log_mass, log_bin_mass, log_difference) that never underflow."""

import math

import numpy as np
import pytest
from scipy import stats

from kl_core import Empirical, FittedModel
from kl_core.models.base import log_difference


def _norm_model(**logs) -> FittedModel:
    return FittedModel("norm", {}, 2, cdf_function=stats.norm.cdf, continuous=True, **logs)


def test_log_difference_matches_direct_computation_where_floats_suffice():
    a, b = np.log([0.9, 0.5, 1e-3]), np.log([0.1, 0.25, 1e-6])
    expected = np.log(np.exp(a) - np.exp(b))
    np.testing.assert_allclose(log_difference(a, b), expected, rtol=1e-13)
    assert log_difference(np.array([-2000.0]), np.array([-np.inf]))[0] == -2000.0
    assert log_difference(np.array([-1.0]), np.array([-1.0]))[0] == -math.inf


def test_bins_far_in_either_tail_keep_their_log_mass():
    model = _norm_model(logcdf_function=stats.norm.logcdf, logsf_function=stats.norm.logsf)
    edges = np.array([-41.0, -40.0, 0.0, 40.0, 41.0])
    log_mass = model.log_bin_mass(edges)
    # Reference: scipy's logsf at the two edges, S(40) ≫ S(41), so log(S(40) - S(41)) = logsf(40) + log1p(-e^(...)).
    far = stats.norm.logsf(40.0) + math.log1p(-math.exp(stats.norm.logsf(41.0) - stats.norm.logsf(40.0)))
    assert log_mass[3] == pytest.approx(far, rel=1e-12)
    assert log_mass[0] == pytest.approx(far, rel=1e-12)  # symmetric
    assert log_mass[1] == pytest.approx(math.log(0.5), rel=1e-12)
    assert np.all(np.isfinite(log_mass))
    assert np.all(model.bin_mass(edges)[[0, 3]] == 0.0)  # what CDF differences alone would say


def test_log_mass_uses_logpmf_and_is_minus_infinity_only_off_the_support():
    frozen = stats.binom(10, 0.5)
    model = FittedModel("binomial", {"n": 10, "p": 0.5}, 1, frozen.pmf, frozen.cdf, logpmf_function=frozen.logpmf)
    log_mass = model.log_mass(Empirical.from_counts([0, 10, 11], [1, 1, 1]))
    assert log_mass[:2].tolist() == pytest.approx([10 * math.log(0.5)] * 2)
    assert log_mass[2] == -math.inf


def test_without_log_functions_the_logs_of_pmf_and_cdf_are_used():
    model = FittedModel("coin", {}, 0, pmf_function=lambda v: np.where(np.isin(v, [0, 1]), 0.5, 0.0))
    assert model.log_mass(Empirical.from_counts([0, 1, 2], [1, 1, 1])).tolist() == [math.log(0.5)] * 2 + [-math.inf]
    plain = _norm_model()
    binned = Empirical(np.array([-0.5, 0.5]), np.array([1.0, 1.0]), "binned", edges=np.array([-1.0, 0.0, 1.0]), n=2.0)
    np.testing.assert_allclose(np.exp(plain.log_mass(binned)), plain.mass(binned), rtol=1e-12)

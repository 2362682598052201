"""The budgeted likelihood search: its coordinates on bounded supports and its starts."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import optimize, special, stats

from kl_core.empirical import Empirical
from kl_core.models import fit
from kl_core.models.continuous.catalogue import family
from kl_core.models.continuous.fitting import POINTS_LIMIT
from kl_core.models.continuous.search import points, search


@pytest.fixture(scope="module")
def gamma_values() -> np.ndarray:
    x = np.random.default_rng(7).gamma(2.0, 3.0, 8_000)
    assert np.unique(x).size > POINTS_LIMIT  # fit() takes the summary path
    return x


def _raw_loglik(name: str, params: dict[str, float], x: np.ndarray) -> float:
    """scipy's public log density summed over every raw value."""
    dist = getattr(stats, name)
    shapes = [params[s.name] for s in dist._shape_info()]
    with np.errstate(all="ignore"):
        return float(np.sum(dist.logpdf(x, *shapes, loc=params["loc"], scale=params["scale"])))


def _bradford_reference(x: np.ndarray) -> float:
    """The bradford (= loguniform: both are densities ∝ 1/(x − p) on [L, U], p < L) maximum, found independently.

    Both densities decrease, so the support's ends sit on the data's ends; scipy's bounded
    scalar search then finds the one shape c.
    """
    low, high = float(x.min()), float(x.max())

    def negative(log_c: float) -> float:
        return -float(np.sum(stats.bradford.logpdf(x, math.exp(log_c), loc=low, scale=high - low)))

    found = optimize.minimize_scalar(negative, bounds=(-10.0, 10.0), method="bounded", options={"xatol": 1e-10})
    assert -5.0 < found.x < 9.0  # inside the bracket: a maximum, not a bracket's end
    return -found.fun


@pytest.mark.parametrize("name", ["bradford", "loguniform"])
def test_a_bounded_family_through_the_summary_reaches_the_maximum(name, gamma_values):
    """The support's ends on the data's ends: loc/scale coordinates stalled on that wall (600 and 4,000 nats short)."""
    model = fit(Empirical.from_samples(gamma_values), name)
    ours, reference = _raw_loglik(name, model.params, gamma_values), _bradford_reference(gamma_values)
    assert ours >= reference - 1e-6 * abs(reference), (name, ours, reference, model.params)


@pytest.mark.parametrize("name", ["bradford", "genhalflogistic"])
def test_a_bounded_family_through_the_summary_is_as_good_as_the_search_on_every_value(name, gamma_values):
    """(Not powerlaw: with a < 1 its density is infinite at loc, and the likelihood grows without bound as loc → min.)"""
    model = fit(Empirical.from_samples(gamma_values), name)
    values, counts = np.unique(gamma_values, return_counts=True)
    on_values = search(family(name), points(values, counts.astype(float)), {}, 60.0).params
    ours, theirs = _raw_loglik(name, model.params, gamma_values), _raw_loglik(name, on_values, gamma_values)
    assert math.isfinite(theirs)
    assert ours >= theirs - 1e-6 * abs(theirs), (name, ours, theirs, model.params, on_values)



# ------------------------------------------------------------ the pseudo-sample for scipy's starts
def _raw_pseudo_sample(spread) -> np.ndarray:
    from kl_core.models.continuous.search import _pseudo_sample

    return _pseudo_sample(spread) * spread.spread + spread.shift


def test_the_pseudo_sample_of_many_raw_values_spreads_over_the_data_not_its_top():
    x = np.sort(np.random.default_rng(3).gamma(2.0, 3.0, 10_000))  # more points than the pseudo-sample's 1,000
    sample = _raw_pseudo_sample(points(x, np.ones(x.size)))
    assert sample.size == 1_000
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        rank = np.searchsorted(x, np.quantile(sample, q)) / x.size  # where the sample's quantile sits in the data
        assert rank == pytest.approx(q, abs=0.01)


def test_the_pseudo_sample_gives_each_cell_the_floor_or_ceiling_of_its_share():
    weights = np.random.default_rng(4).integers(1, 50, 37).astype(float)  # fewer cells than points
    values = np.arange(37.0)
    sample = _raw_pseudo_sample(points(values, weights))
    share = weights / weights.sum() * sample.size
    counts = np.bincount(np.rint(sample).astype(int), minlength=37)
    assert sample.size == min(1_000, int(weights.sum()))
    assert np.all((counts == np.floor(share)) | (counts == np.ceil(share)))


def _textbook_loglik(name: str, shape: float, sigma: float, x: np.ndarray) -> float:
    """Σ log f from the textbook densities, in log space (scipy's logpdf is log(pdf): −inf past x ≈ 40σ).

    Folded normal of N(μ, σ²), μ = cσ: f = φ((x − μ)/σ)/σ + φ((x + μ)/σ)/σ. Rice with ν = bσ:
    f = x/σ² · exp(−(x² + ν²)/(2σ²)) · I₀(xν/σ²), and I₀(t) = I₀e(t)·eᵗ.
    """
    if name == "foldnorm":
        mu = shape * sigma
        return float(np.sum(np.logaddexp(stats.norm.logpdf(x, mu, sigma), stats.norm.logpdf(x, -mu, sigma))))
    nu, t = shape * sigma, x * shape * sigma / sigma**2
    return float(np.sum(np.log(x / sigma**2) - (x**2 + nu**2) / (2 * sigma**2) + np.log(special.i0e(t)) + t))


@pytest.mark.parametrize("name", ["foldnorm", "rice"])
def test_foldnorm_and_rice_fit_the_danish_fire_losses_at_least_as_well_as_scipy(name):
    """Heavy-tailed losses up to 263 (median 1.8): every start once put the largest values where the log density
    underflowed (log(pdf) = −inf), and both reported "no starting values"."""
    import pandas as pd
    from pathlib import Path

    x = pd.read_csv(Path(__file__).parent / "data" / "real" / "danishuni.csv")["Loss"].to_numpy(float)
    model = fit(Empirical.from_samples(x), name)
    assert model.params["loc"] == 0.0  # R's two-parameter form on positive data
    dist = getattr(stats, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shape, _, scale = dist.fit(x, floc=0)
    reference = _textbook_loglik(name, shape, scale, x)
    ours = _textbook_loglik(name, model.params[dist.shapes], model.params["scale"], x)
    assert math.isfinite(reference)
    assert ours >= reference - 1e-6 * abs(reference), (name, ours, reference, model.params)


def test_a_likelihood_asked_again_on_the_same_cells_is_remembered_exactly():
    from kl_core.models.continuous.search import _Objective

    x = np.random.default_rng(11).gamma(2.0, 3.0, 300)
    data = points(x, np.ones_like(x))
    first, again = _Objective(family("gamma"), data, {}), _Objective(family("gamma"), data, {})
    params = {"a": 1.7, "loc": -3.0, "scale": 0.6}
    value = first.nll(params)
    assert math.isfinite(value) and data.memo and value == first._nll(params)
    remembered = len(data.memo)
    assert again.nll(dict(params)) == value and len(data.memo) == remembered  # another search on the same cells
    nearby = {**params, "a": 1.7000000000000002}  # one unit in the last place: computed, not looked up
    assert first.nll(nearby) == first._nll(nearby) and len(data.memo) == remembered + 1
    first.nll({**params, "loc": 0.0}), first.nll({**params, "loc": -0.0})  # equal floats, different bits: two entries
    assert len(data.memo) == remembered + 3
    other = points(x, np.ones_like(x))
    assert not other.memo  # each summary has its own

"""Continuous scipy families fitted by the raw-data MLE, and their discretised forms on integer data."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import optimize, special, stats
from scipy.stats import _continuous_distns

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.measures import kl_divergence
from kl_core.models import REGISTRY, FitTimeout, fit
from kl_core.models.continuous import CATALOGUE, DISCRETISED, LEFT_OUT, SHORTLIST, THREE_PARAMETER, frozen_cell_mass


def _binned_loglik(frozen, emp: Empirical) -> float:
    """Σ counts · log(F(right) − F(left)), the objective the fit maximises (tail-accurate mass)."""
    mass = frozen_cell_mass(frozen, emp.edges[:-1], emp.edges[1:])
    used = emp.counts > 0
    with np.errstate(divide="ignore"):
        return float(np.dot(emp.counts[used], np.log(mass[used])))


def _frozen(name: str, params: dict) -> object:
    dist = getattr(stats, name)
    shapes = [params[s.name] for s in dist._shape_info()]
    return dist(*shapes, loc=params["loc"], scale=params["scale"])


@pytest.fixture(scope="module")
def skewed() -> Empirical:
    return Empirical.from_samples(np.random.default_rng(11).gamma(2.5, 1.5, 20_000))


# ------------------------------------------------------------------------ recovery
RECOVERY = [
    ("norm", lambda rng, n: rng.normal(3.0, 2.0, n), {}, {"loc": 3.0, "scale": 2.0}),
    ("gamma", lambda rng, n: rng.gamma(2.5, 1.5, n), {"loc": 0.0}, {"a": 2.5, "scale": 1.5}),
    ("lognorm", lambda rng, n: rng.lognormal(1.0, 0.5, n), {"loc": 0.0}, {"s": 0.5, "scale": math.e}),
    ("expon", lambda rng, n: rng.exponential(2.0, n), {"loc": 0.0}, {"scale": 2.0}),
    # loc free as well (the 3-parameter entries): they still land on the truth
    ("gamma_3p", lambda rng, n: rng.gamma(2.5, 1.5, n), {}, {"a": 2.5, "scale": 1.5}),
    ("lognorm_3p", lambda rng, n: rng.lognormal(1.0, 0.5, n), {}, {"s": 0.5, "scale": math.e}),
    ("expon_3p", lambda rng, n: rng.exponential(2.0, n), {}, {"scale": 2.0}),
]


@pytest.mark.parametrize(("name", "draw", "options", "truth"), RECOVERY, ids=[f"{r[0]}-{'fixed' if r[2] else 'free'}" for r in RECOVERY])
def test_recovers_parameters_of_large_samples(name, draw, options, truth):
    emp = Empirical.from_samples(draw(np.random.default_rng(2024), 500_000))
    model = fit(emp, name, **options)
    assert model.continuous
    for key, value in truth.items():
        assert model.params[key] == pytest.approx(value, rel=0.02), (key, model.params)
    for key, value in options.items():
        assert model.params[key] == value
    assert model.n_params == len(REGISTRY[name].parameters) - len(options)
    if name.endswith("_3p"):
        assert abs(model.params["loc"]) < 0.05  # true loc is 0
        assert REGISTRY[name].label.endswith("(3-parameter)")


def _raw_loglik(frozen, x: np.ndarray) -> float:
    return float(np.sum(frozen.logpdf(x)))


@pytest.mark.parametrize(("name", "draw", "options", "truth"), RECOVERY, ids=[r[0] for r in RECOVERY])
def test_raw_mle_beats_perturbed_parameters(name, draw, options, truth):
    """The fit maximises the raw-data log-likelihood, whatever the display bins."""
    x = draw(np.random.default_rng(5), 5_000)
    model = fit(Empirical.from_samples(x, bins=12), name, **options)
    family = name.removesuffix("_3p")
    best = _raw_loglik(_frozen(family, model.params), x)
    assert math.isfinite(best)
    free = [p for p in REGISTRY[name].parameters if p not in options and not (p == "loc" and model.n_params < len(REGISTRY[name].parameters))]
    for key in free:
        for factor in (0.999, 1.001):
            params = dict(model.params)
            params[key] = params[key] * factor if params[key] != 0 else factor - 1
            assert best >= _raw_loglik(_frozen(family, params), x) - 1e-9, (key, factor)


@pytest.mark.parametrize(("name", "draw", "options", "truth"), RECOVERY[:4], ids=[r[0] for r in RECOVERY[:4]])
def test_bins_only_data_is_fitted_as_interval_censored(name, draw, options, truth):
    emp = Empirical.from_samples(draw(np.random.default_rng(5), 50_000), bins=40)
    emp = dataclasses.replace(emp, sketch=None)  # as a table of bins, without the raw values
    model = fit(emp, name, **options)
    assert "interval-censored" in model.note
    best = _binned_loglik(_frozen(name, model.params), emp)
    assert math.isfinite(best)
    free = [p for p in REGISTRY[name].parameters if p not in options]
    for key in free:
        for factor in (0.99, 1.01):
            params = dict(model.params)
            params[key] = params[key] * factor if params[key] != 0 else factor - 1
            assert best >= _binned_loglik(_frozen(name, params), emp) - 1e-9, (key, factor)


def test_normal_matches_brute_force_binned_mle():
    """An independent binned likelihood, written here, minimised by scipy.optimize.minimize."""
    x = np.random.default_rng(3).normal(10.0, 4.0, 3_000)
    emp = dataclasses.replace(Empirical.from_samples(x, bins=12), sketch=None)  # known only as coarse bins
    edges, counts = emp.edges, emp.counts

    def nll(theta):
        mu, sigma = theta[0], math.exp(theta[1])
        mass = special.ndtr((edges[1:] - mu) / sigma) - special.ndtr((edges[:-1] - mu) / sigma)
        return -float(np.dot(counts, np.log(np.maximum(mass, 1e-300))))

    brute = optimize.minimize(nll, [x.mean(), math.log(x.std())], method="BFGS", options={"gtol": 1e-8})
    model = fit(emp, "norm")
    assert model.params["loc"] == pytest.approx(brute.x[0], abs=1e-4 * 4)
    assert model.params["scale"] == pytest.approx(math.exp(brute.x[1]), rel=1e-4)
    assert -nll([model.params["loc"], math.log(model.params["scale"])]) >= -brute.fun - 1e-6
    # and the binned MLE is not the raw-data MLE on bins this coarse, which the raw values give
    assert abs(model.params["scale"] - x.std()) > 1e-4
    raw = fit(Empirical.from_samples(x, bins=12), "norm")
    assert raw.params == {"loc": pytest.approx(x.mean(), rel=1e-12), "scale": pytest.approx(x.std(), rel=1e-12)}


def test_mass_outside_the_bins_is_not_renormalised():
    emp = Empirical.from_samples(np.random.default_rng(4).normal(0, 1, 2_000), bins=20)
    model = fit(emp, "norm")
    frozen = stats.norm(model.params["loc"], model.params["scale"])
    total = float(model.mass(emp).sum())
    assert total == pytest.approx(frozen.cdf(emp.high) - frozen.cdf(emp.low), abs=1e-12)
    assert total < 1.0


def test_light_tailed_model_keeps_positive_mass_on_far_bins(skewed):
    """A normal fitted to skewed data: far right bins get tiny but positive mass, so KL is finite."""
    model = fit(skewed, "norm")
    mass = model.mass(skewed)
    assert np.all(mass[skewed.counts > 0] > 0)
    assert math.isfinite(kl_divergence(skewed.probs, mass))


# ------------------------------------------------------------------- the shortlist
@pytest.mark.parametrize("name", SHORTLIST)
def test_shortlist_family_mass_and_parameters(name, skewed):
    spec = REGISTRY[name]
    assert spec.default and spec.group == "continuous" and spec.kinds == frozenset({"binned"})
    assert spec.label and spec.how_fitted
    model = fit(skewed, name)
    mass = model.mass(skewed)
    assert mass.shape == skewed.counts.shape
    assert np.all(mass >= 0) and mass.sum() <= 1 + 1e-9
    positive = name in THREE_PARAMETER  # loc = 0 on positive data by default
    assert model.n_params == len(spec.parameters) - positive
    assert math.isfinite(kl_divergence(skewed.probs, mass))
    fixed = fit(skewed, name, scale=3.0)
    assert fixed.params["scale"] == 3.0 and fixed.n_params == len(spec.parameters) - 1 - positive


def test_shortlist_and_uniform():
    assert "uniform" not in SHORTLIST and "uniform" not in CATALOGUE and "uniform" in LEFT_OUT
    assert REGISTRY["uniform"].group == "simple"  # registered by simple.py, not here
    assert 6 <= len(SHORTLIST) <= 10


# -------------------------------------------------------------------- options/guards
def test_fixed_shape_by_name(skewed):
    model = fit(skewed, "gamma", a=2.0, loc=0.0)
    assert model.params["a"] == 2.0 and model.params["loc"] == 0.0 and model.n_params == 1


def test_bad_options_are_refused(skewed):
    with pytest.raises(DataError, match="scale must be positive"):
        fit(skewed, "gamma", scale=-1.0)
    with pytest.raises(DataError, match="no option"):
        fit(skewed, "gamma", floc=0.0)
    with pytest.raises(DataError, match="time_limit"):
        fit(skewed, "norm", time_limit=0)
    with pytest.raises(DataError, match="shape a"):
        fit(skewed, "gamma", a=-1.0)


def test_fixed_support_that_misses_the_data_is_refused_in_words():
    x = np.random.default_rng(8).normal(0, 1, 2_000)
    emp = Empirical.from_samples(x)
    negative = int(np.sum(x <= 0))
    with pytest.raises(DataError, match=rf"gamma needs positive values; {negative:,} value\(s\) ≤ 0, e\.g\. -.*3-parameter form \(gamma_3p\)"):
        fit(emp, "gamma", loc=0.0)
    with pytest.raises(DataError, match="gamma needs positive values"):
        fit(emp, "gamma")
    assert math.isfinite(fit(emp, "gamma_3p").params["loc"])
    assert fit(emp, "gamma", loc="free").n_params == 3


def test_one_outlier_does_not_block_the_normal():
    x = np.r_[np.random.default_rng(0).normal(size=2000), 1e4]
    model = fit(Empirical.from_samples(x), "norm")
    assert model.params["loc"] == pytest.approx(x.mean()) and model.params["scale"] == pytest.approx(x.std())


def test_fixed_parameters_are_passed_through_exactly():
    """issue 13: a fixed loc=0.0 came back as 4.4e-16 (standardised and back)."""
    x = np.random.default_rng(2).gamma(2.0, 1.0, 3_000)
    for name in ("gamma", "gamma_3p", "weibull_min", "t", "logistic"):
        model = fit(Empirical.from_samples(x), name, loc=0.0)
        assert model.params["loc"] == 0.0, (name, model.params)
    assert fit(Empirical.from_samples(x), "t", loc=0.1, scale=0.7).params["scale"] == 0.7


def test_time_box_is_a_safety_net():
    emp = Empirical.from_samples(np.random.default_rng(9).gamma(2.0, 1.0, 5_000))
    with pytest.raises(FitTimeout, match="johnsonsu.*safety limit"):
        fit(emp, "johnsonsu", time_limit=1e-4)


def test_fits_are_deterministic():
    """Budgets of evaluations, not seconds: the same data gives the same parameters every time."""
    emp = Empirical.from_samples(np.random.default_rng(9).gamma(2.0, 1.0, 3_000))
    for name in ("t", "johnsonsu", "burr12"):
        assert fit(emp, name).params == fit(emp, name).params


def test_shape_run_off_is_noted_in_words():
    """gamma_3p on normal data has no finite MLE (a → ∞); the fit ends with finite values and says why."""
    x = np.random.default_rng(10).normal(3, 2, 20_000)
    emp = Empirical.from_samples(x)
    model = fit(emp, "gamma_3p")
    assert all(math.isfinite(v) for v in model.params.values())
    assert model.params["a"] > 1e3  # heading for its normal limit
    assert "here gamma tends to a normal" in model.note
    normal = fit(emp, "norm")
    assert np.sum(model.logpdf(x)) >= np.sum(normal.logpdf(x)) - 1e-3 * x.size * 1e-3


# ---------------------------------------------------------------------- catalogue
def test_catalogue_covers_scipy():
    names = set(_continuous_distns._distn_names)
    assert names <= set(CATALOGUE) | set(LEFT_OUT)
    assert not set(CATALOGUE) & set(LEFT_OUT)
    assert len(set(CATALOGUE)) == len(CATALOGUE)
    assert all(reason for reason in LEFT_OUT.values())
    for name in CATALOGUE:
        spec = REGISTRY[name]
        assert spec.group == "continuous" and spec.kinds == frozenset({"binned"})
        assert spec.default == (name in SHORTLIST)


@pytest.fixture(scope="module")
def small() -> Empirical:
    return Empirical.from_samples(np.random.default_rng(12).gamma(2.5, 1.5, 2_000))


@pytest.mark.parametrize("name", CATALOGUE)
def test_catalogue_family_fits_or_says_why(name, small):
    try:
        model = fit(small, name)
    except DataError as error:
        assert str(error)
        return
    mass = model.mass(small)
    assert np.all(mass >= 0) and mass.sum() <= 1 + 1e-9
    assert math.isfinite(kl_divergence(small.probs, mass))
    assert all(math.isfinite(v) for v in model.params.values())


# -------------------------------------------------------------------- discretised
@pytest.fixture(scope="module")
def rounded() -> Empirical:
    return Empirical.from_samples(np.round(np.random.default_rng(13).normal(20, 3, 20_000)))


@pytest.mark.parametrize("name", DISCRETISED)
def test_discretised_models_are_discrete_and_sum_to_at_most_one(name, rounded):
    assert rounded.kind == "discrete"
    spec = REGISTRY[name]
    assert spec.kinds == frozenset({"discrete"}) and not spec.default and spec.group == "continuous"
    model = fit(rounded, name)
    assert not model.continuous
    assert model.pmf(np.arange(-1_000, 1_000)).sum() <= 1 + 1e-9
    mass = model.mass(rounded)
    assert np.all(mass >= 0) and mass.sum() <= 1 + 1e-9
    assert math.isfinite(kl_divergence(rounded.probs, mass))
    assert model.pmf(np.array([20.5]))[0] == 0.0  # only whole numbers have mass


def test_discretised_normal_recovers_parameters(rounded):
    model = fit(rounded, "norm_discretised")
    assert model.params["loc"] == pytest.approx(20, rel=0.02)
    assert model.params["scale"] == pytest.approx(3, rel=0.02)
    assert model.n_params == 2
    assert model.pmf(np.array([20]))[0] == pytest.approx(stats.norm(20, 3).cdf(20.5) - stats.norm(20, 3).cdf(19.5), rel=0.03)


def test_discretised_handles_gaps_in_the_support():
    emp = Empirical.from_counts([0, 1, 2, 5, 9], [10, 30, 20, 5, 1])
    model = fit(emp, "expon_discretised")
    assert np.all(model.mass(emp) > 0)


def test_discretised_refuses_other_data(skewed):
    assert REGISTRY["norm_discretised"].why_not(skewed)
    assert "whole numbers" in REGISTRY["norm_discretised"].why_not(Empirical.from_counts([0.5, 1.5], [1, 1]))
    assert REGISTRY["norm"].why_not(Empirical.from_counts([0, 1], [1, 1]))


def test_continuous_model_interface():
    x = np.random.default_rng(14).gamma(2.0, 1.0, 1_000)
    model = fit(Empirical.from_samples(x), "gamma")
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("error")
        probe = np.array([-1.0, 0.0, 1.0, 1e6])
        assert model.logpdf(probe)[0] == -np.inf and model.cdf(probe)[0] == 0.0
        assert model.logcdf(probe)[0] == -np.inf and model.logsf(probe)[0] == 0.0
        assert model.logsf(np.array([1e6]))[0] < -1e5  # finite, not log(0)
        assert np.allclose(model.cdf(model.ppf(np.array([0.1, 0.5, 0.9]))), [0.1, 0.5, 0.9])


def test_old_faithful_shows_no_absurd_parameter_without_a_note():
    """issue 10: on faithful$eruptions the binned fits gave weibull_min(c=6.7e7, loc=−5.96e7), gamma(a=7.1e10)... silently."""
    from reference_data import real_values

    x = real_values("faithful", "eruptions")
    emp = Empirical.from_samples(x)
    assert emp.k >= 10  # numpy's "auto" rule: not 5 bins for 272 values
    names = [*SHORTLIST, *(f"{base}_3p" for base in THREE_PARAMETER)]
    for name in names:
        model = fit(emp, name)
        absurd = [k for k, v in model.params.items() if abs(v) > 1e4 * np.abs(x).max() or (v != 0 and abs(v) < 1e-6)]
        if absurd:
            assert "edge of its range" in model.note or "limit" in model.note, (name, model.params, model.note)
        loglik = float(np.sum(model.logpdf(x)))
        assert math.isfinite(loglik), name  # no observed value is called impossible


@pytest.mark.parametrize("size", [2_000, 20_000])  # the raw-values path and the summarised one
def test_the_kolmogorov_limit_is_fitted_to_values_near_zero(size):
    """Issue 15: every family that can fit is fitted. Its density e^(−π²/(8z²))·… is positive on (0, ∞); scipy's log
    density underflows to −inf near 0, which once made kstwobign 'not applicable' on gamma data."""
    x = np.random.default_rng(7).gamma(2.0, 3.0, size)
    model = fit(Empirical.from_samples(x), "kstwobign")
    assert model.params["loc"] == 0.0

    def loglik(scale: float) -> float:
        return float(np.sum(model.logpdf(x / scale * model.params["scale"])) - size * math.log(scale / model.params["scale"]))

    best = loglik(model.params["scale"])
    assert math.isfinite(best)
    for factor in (0.999, 1.001):  # a maximum in its one free parameter
        assert loglik(model.params["scale"] * factor) < best

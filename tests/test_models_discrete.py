"""Tests for kl_core.models.discrete: scipy's discrete families fitted on (value, count) pairs.

Reference values and where they come from:

* closed forms are checked against the log-likelihood itself (the estimate beats ±1 %
  perturbations) and, for planck, against a numerical maximisation with scipy.optimize;
* numerical fits are checked against known generating parameters of large seeded samples,
  and against ``scipy.stats.fit`` on the raw rows of small samples;
* every pmf is scipy's own (``stats.<family>.pmf`` with the fitted parameters).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from scipy import optimize, special, stats

from kl_core.empirical import Empirical
from kl_core.errors import DataError
from kl_core.models import REGISTRY, fit
from kl_core.models.discrete import _betanbinom_logpmf, _skellam_logpmf

HYPER = {"M": 50, "n": 20, "N": 15}


def loglik(dist, emp: Empirical, *args: float, loc: float = 0.0) -> float:
    """Σ count · log pmf, computed independently of the module under test."""
    return float(np.dot(emp.counts, dist.logpmf(emp.support, *args, loc=loc)))


def sample(dist, *args: float, size: int, seed: int) -> Empirical:
    return Empirical.from_samples(dist.rvs(*args, size=size, random_state=np.random.default_rng(seed)))


# --------------------------------------------------------------------------------------
# Every registered family: a suitable sample, valid mass, the right n_params
# --------------------------------------------------------------------------------------
# name -> (generating scipy family, its args, fit options, expected n_params)
EVERY_FAMILY = {
    "poisson": (stats.poisson, (3.5,), {}, 1),
    "geom": (stats.geom, (0.3, -1), {}, 1),
    "nbinom": (stats.nbinom, (3, 0.4), {}, 2),
    "bernoulli": (stats.bernoulli, (0.3,), {}, 1),
    "betabinom": (stats.betabinom, (12, 2.0, 3.0), {"n": 12}, 2),
    "betanbinom": (stats.betanbinom, (5, 6.0, 3.0), {}, 3),
    "logser": (stats.logser, (0.7,), {}, 1),
    "zipf": (stats.zipf, (2.5,), {}, 1),
    "yulesimon": (stats.yulesimon, (2.5,), {}, 1),
    "zipfian": (stats.zipfian, (1.3, 30), {"n": 30}, 1),
    "dlaplace": (stats.dlaplace, (0.6,), {}, 1),
    "skellam": (stats.skellam, (4.0, 2.0), {}, 2),
    "boltzmann": (stats.boltzmann, (0.3, 20), {"N": 20}, 1),
    "planck": (stats.planck, (0.4,), {}, 1),
    "hypergeom": (stats.hypergeom, (50, 20, 15), HYPER, 0),
    "nhypergeom": (stats.nhypergeom, (50, 20, 15), {"M": 50, "n": 20, "r": 15}, 0),
    "nchypergeom_fisher": (stats.nchypergeom_fisher, (50, 20, 15, 2.5), HYPER, 1),
    "nchypergeom_wallenius": (stats.nchypergeom_wallenius, (50, 20, 15, 2.5), HYPER, 1),
}


def test_every_registered_discrete_family_is_covered_here() -> None:
    registered = {name for name, spec in REGISTRY.items() if spec.group == "discrete"}
    assert registered == set(EVERY_FAMILY)


@pytest.mark.parametrize("name", sorted(EVERY_FAMILY))
def test_every_family_fits_with_valid_mass_and_right_n_params(name: str) -> None:
    dist, args, options, n_params = EVERY_FAMILY[name]
    *shapes, = args
    loc = shapes.pop() if name == "geom" else 0
    emp = Empirical.from_samples(dist.rvs(*shapes, loc=loc, size=3000, random_state=np.random.default_rng(7)))
    model = fit(emp, name, **options)
    mass = model.mass(emp)
    assert np.all(mass >= 0)
    assert mass.sum() <= 1 + 1e-9
    assert mass.sum() > 0.95  # a good fit to its own family's sample puts nearly all its mass on the data
    assert model.n_params == n_params
    assert model.name == name and not model.continuous
    # The pmf is scipy's own, at the reported parameters.
    spec_shapes = [s.strip() for s in dist.shapes.split(",")]
    reported = [model.params[s] for s in spec_shapes]
    expected = dist.pmf(emp.support, *reported, loc=model.extra["scipy_loc"])
    np.testing.assert_allclose(model.pmf(emp.support), expected, rtol=1e-12)


def test_registry_entries() -> None:
    discrete = {name: spec for name, spec in REGISTRY.items() if spec.group == "discrete"}
    for name, spec in discrete.items():
        assert spec.kinds == frozenset({"discrete"})
        assert spec.label and spec.how_fitted and ". " not in spec.how_fitted and "\n" not in spec.how_fitted
        assert spec.default == (name == "poisson")
    assert discrete["nbinom"].label == "Negative binomial"
    assert discrete["geom"].label == "Geometric (failures)"
    assert discrete["boltzmann"].parameters == ("lambda_", "N")
    assert {"loc"} <= set(discrete["zipf"].options) and "loc" not in discrete["poisson"].options


# --------------------------------------------------------------------------------------
# Closed forms are the maximum likelihood estimates
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def counts_data() -> Empirical:
    # A hand-made over-dispersed table on 0..9 (mean 2.9, variance 5.2).
    return Empirical.from_counts(range(10), [30, 55, 60, 45, 30, 20, 12, 8, 6, 4])


@pytest.mark.parametrize(
    ("name", "key", "dist", "to_args"),
    [
        ("poisson", "mu", stats.poisson, lambda v: ((v,), 0)),
        ("geom", "p", stats.geom, lambda v: ((v,), -1)),
        ("planck", "lambda_", stats.planck, lambda v: ((v,), 0)),
        ("dlaplace", "a", stats.dlaplace, lambda v: ((v,), 0)),
    ],
)
def test_closed_form_beats_one_percent_perturbations(counts_data, name, key, dist, to_args) -> None:
    value = fit(counts_data, name).params[key]
    args, loc = to_args(value)
    best = loglik(dist, counts_data, *args, loc=loc)
    for factor in (0.99, 1.01):
        args, loc = to_args(value * factor)
        assert best > loglik(dist, counts_data, *args, loc=loc)


def test_bernoulli_closed_form_beats_perturbations() -> None:
    emp = Empirical.from_counts([0, 1], [37, 63])
    p = fit(emp, "bernoulli").params["p"]
    assert p == pytest.approx(0.63)
    for factor in (0.99, 1.01):
        assert loglik(stats.bernoulli, emp, p) > loglik(stats.bernoulli, emp, p * factor)


def test_dlaplace_closed_form_on_negative_values() -> None:
    emp = Empirical.from_counts([-4, -2, -1, 0, 1, 3], [1, 4, 9, 20, 8, 2])
    a = fit(emp, "dlaplace").params["a"]
    for factor in (0.99, 1.01):
        assert loglik(stats.dlaplace, emp, a) > loglik(stats.dlaplace, emp, a * factor)


def test_planck_closed_form_equals_numerical_mle(counts_data) -> None:
    lam = fit(counts_data, "planck").params["lambda_"]
    # Reference: bounded scalar maximisation of the same log-likelihood with scipy.optimize.
    numeric = optimize.minimize_scalar(
        lambda x: -loglik(stats.planck, counts_data, x), bounds=(1e-3, 10), method="bounded", options={"xatol": 1e-10}
    ).x
    assert lam == pytest.approx(numeric, rel=1e-6)
    assert lam == pytest.approx(math.log(1 + 1 / counts_data.mean()))


def test_nbinom_p_given_n_is_closed_form(counts_data) -> None:
    model = fit(counts_data, "nbinom", n=4.0)
    p = model.params["p"]
    assert p == pytest.approx(4.0 / (4.0 + counts_data.mean()))
    assert model.n_params == 1
    for factor in (0.99, 1.01):
        assert loglik(stats.nbinom, counts_data, 4.0, p) > loglik(stats.nbinom, counts_data, 4.0, p * factor)


# --------------------------------------------------------------------------------------
# Numerical fits recover known parameters from large samples
# --------------------------------------------------------------------------------------
def test_nbinom_recovers_parameters_from_200k_draws() -> None:
    draws = np.random.default_rng(20240601).negative_binomial(3, 0.4, 200_000)
    model = fit(Empirical.from_samples(draws), "nbinom")
    assert model.params["n"] == pytest.approx(3.0, rel=0.03)
    assert model.params["p"] == pytest.approx(0.4, rel=0.03)
    assert model.n_params == 2 and model.note == ""


@pytest.mark.parametrize(
    ("name", "dist", "args", "options", "truth", "rel"),
    [
        ("betabinom", stats.betabinom, (12, 2.0, 3.0), {"n": 12}, {"a": 2.0, "b": 3.0}, 0.05),
        ("skellam", stats.skellam, (4.0, 2.0), {}, {"mu1": 4.0, "mu2": 2.0}, 0.05),
        ("logser", stats.logser, (0.7,), {}, {"p": 0.7}, 0.02),
        ("zipf", stats.zipf, (2.5,), {}, {"a": 2.5}, 0.02),
        ("yulesimon", stats.yulesimon, (2.5,), {}, {"alpha": 2.5}, 0.05),
        ("zipfian", stats.zipfian, (1.3, 30), {"n": 30}, {"a": 1.3}, 0.02),
        ("boltzmann", stats.boltzmann, (0.3, 20), {"N": 20}, {"lambda_": 0.3}, 0.03),
        ("nchypergeom_fisher", stats.nchypergeom_fisher, (50, 20, 15, 2.5), HYPER, {"odds": 2.5}, 0.05),
        ("nchypergeom_wallenius", stats.nchypergeom_wallenius, (50, 20, 15, 2.5), HYPER, {"odds": 2.5}, 0.05),
    ],
)
def test_numerical_fit_recovers_known_parameters(name, dist, args, options, truth, rel) -> None:
    emp = sample(dist, *args, size=100_000, seed=11)
    model = fit(emp, name, **options)
    for key, value in truth.items():
        assert model.params[key] == pytest.approx(value, rel=rel), key


def test_betanbinom_finds_the_best_whole_n() -> None:
    emp = sample(stats.betanbinom, 5, 6.0, 3.0, size=20_000, seed=1)
    model = fit(emp, "betanbinom")
    n = model.params["n"]
    assert isinstance(n, int) and model.n_params == 3
    ours = loglik(stats.betanbinom, emp, n, model.params["a"], model.params["b"])
    # Reference: for each whole n, the best (a, b) found by a multi-start Nelder-Mead with scipy.optimize.
    for whole in range(1, 10):
        def nll(theta: np.ndarray, whole: int = whole) -> float:
            a, b = np.exp(np.clip(theta, -15, 12))
            value = float(np.dot(emp.counts, stats.betanbinom.logpmf(emp.support, whole, a, b)))
            return -value if math.isfinite(value) else 1e300

        best = min(
            optimize.minimize(nll, np.log([a0, b0]), method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-9}).fun
            for a0, b0 in [(3, 1), (10, 5)]
        )
        assert ours >= -best - 1e-3, whole


def test_betanbinom_logpmf_formula_is_scipys() -> None:
    k = np.arange(0, 40, dtype=float)
    for n, a, b in [(1, 0.5, 0.5), (4, 2.5, 3.5), (30, 7.0, 0.2)]:
        np.testing.assert_allclose(_betanbinom_logpmf(k, n, a, b), stats.betanbinom.logpmf(k, n, a, b), rtol=1e-10)


def test_betanbinom_search_logpmf_on_the_support_is_scipys() -> None:
    from kl_core.models.discrete import _BetanbinomOnSupport

    emp = Empirical.from_counts([0, 1, 2, 5, 13, 39], [5, 4, 3, 2, 1, 1])
    on_support = _BetanbinomOnSupport(emp)
    # The last two take one stacked Stirling expression. At a = 1e6 scipy's gammaln differences carry ~1e-9 of
    # rounding noise (why the searches use Stirling's form), hence the looser tolerance against scipy there.
    for n, a, b, rtol in [(1, 0.5, 0.5, 1e-10), (4, 2.5, 3.5, 1e-10), (30, 7.0, 0.2, 1e-10), (20, 3e3, 900.0, 1e-10),
                          (1960, 1e6, 2041.0, 1e-8)]:
        ours = on_support(emp.support, n, a, b)
        np.testing.assert_allclose(ours, stats.betanbinom.logpmf(emp.support, n, a, b), rtol=rtol)
        np.testing.assert_allclose(ours, _betanbinom_logpmf(emp.support, n, a, b), rtol=0, atol=1e-10)  # summation order
    other = np.array([-1.0, 3.0])  # any other k: the general function, zero mass below 0
    np.testing.assert_array_equal(on_support(other, 4, 2.5, 3.5), _betanbinom_logpmf(other, 4, 2.5, 3.5))
    assert np.isneginf(on_support(other, 4, 2.5, 3.5)[0])


# --------------------------------------------------------------------------------------
# Count-based MLE equals the raw-data MLE (scipy.stats.fit on the rows)
# --------------------------------------------------------------------------------------
def test_nbinom_matches_scipy_fit_on_raw_rows() -> None:
    raw = np.random.default_rng(3).negative_binomial(3, 0.4, 3000)
    reference = stats.fit(stats.nbinom, raw, bounds={"n": (0.01, 100), "p": (0.001, 0.999)})
    ours = fit(Empirical.from_samples(raw), "nbinom")
    ours_ll = float(np.sum(stats.nbinom.logpmf(raw, ours.params["n"], ours.params["p"])))
    assert ours_ll >= -reference.nllf() - 1e-6


def test_betabinom_matches_scipy_fit_on_raw_rows() -> None:
    raw = stats.betabinom.rvs(12, 2.0, 3.0, size=3000, random_state=np.random.default_rng(4))
    reference = stats.fit(stats.betabinom, raw, bounds={"n": (12, 12), "a": (0.01, 50), "b": (0.01, 50)})
    ours = fit(Empirical.from_samples(raw), "betabinom", n=12)
    ours_ll = float(np.sum(stats.betabinom.logpmf(raw, 12, ours.params["a"], ours.params["b"])))
    assert ours_ll >= -reference.nllf() - 1e-6


# --------------------------------------------------------------------------------------
# Why a family does not apply
# --------------------------------------------------------------------------------------
NEGATIVE = Empirical.from_counts([-2, 0, 3], [1, 2, 1])
FRACTION = Empirical.from_counts([0.5, 1, 2], [1, 2, 1])
WITH_ZERO = Empirical.from_counts([0, 1, 2], [5, 3, 1])
TEETH = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])


@pytest.mark.parametrize(
    ("emp", "name", "options", "message"),
    [
        (NEGATIVE, "poisson", {}, r"^poisson needs whole numbers ≥ 0; found -2$"),
        (NEGATIVE, "nbinom", {}, r"^nbinom needs whole numbers ≥ 0; found -2$"),
        (NEGATIVE, "geom", {}, r"^geom needs whole numbers ≥ 0; found -2$"),
        (NEGATIVE, "planck", {}, r"^planck needs whole numbers ≥ 0; found -2$"),
        (NEGATIVE, "betanbinom", {}, r"^betanbinom needs whole numbers ≥ 0; found -2$"),
        (NEGATIVE, "boltzmann", {}, r"^boltzmann needs whole numbers ≥ 0; found -2$"),
        (FRACTION, "poisson", {}, r"^poisson needs whole numbers; found 0\.5$"),
        (FRACTION, "skellam", {}, r"^skellam needs whole numbers; found 0\.5$"),
        (FRACTION, "dlaplace", {}, r"^dlaplace needs whole numbers; found 0\.5$"),
        (FRACTION, "zipf", {}, r"^zipf needs whole numbers; found 0\.5$"),
        (WITH_ZERO, "logser", {}, r"^logser needs whole numbers ≥ 1; found 0\. Set the shift option loc=-1 to model values from 0$"),
        (WITH_ZERO, "zipf", {}, r"^zipf needs whole numbers ≥ 1; found 0\. Set the shift option loc=-1 to model values from 0$"),
        (WITH_ZERO, "yulesimon", {}, r"^yulesimon needs whole numbers ≥ 1; found 0\. Set the shift option"),
        (WITH_ZERO, "zipfian", {}, r"^zipfian needs whole numbers ≥ 1; found 0\. Set the shift option loc=-1"),
        (NEGATIVE, "zipf", {"loc": -1}, r"^zipf needs whole numbers ≥ 0; found -2\. Set the shift option loc=-3"),
        (TEETH, "bernoulli", {}, r"^bernoulli needs whole numbers ≤ 1; found 10$"),
        (TEETH, "betabinom", {"n": 8}, r"^betabinom\(n=8\) gives 0 probability to 10, which was observed; declare n ≥ 10$"),
        (Empirical.from_counts([0], [4]), "betabinom", {}, r"^betabinom needs at least one trial"),
        (TEETH, "boltzmann", {"N": 10}, r"^boltzmann\(N=10\) has support 0\.\.9, which leaves out 10; declare N ≥ 11$"),
        (Empirical.from_counts([1, 5], [1, 1]), "zipfian", {"n": 4}, r"^zipfian\(n=4\) gives 0 probability to 5"),
        (TEETH, "hypergeom", {}, r"^hypergeom needs the population size M, number of success states n and draws N declared as options$"),
        (TEETH, "hypergeom", {"M": 50, "n": 20}, r"^hypergeom needs the population size M"),
        (TEETH, "nhypergeom", {}, r"^nhypergeom needs the population size M, number of success states n and failures to stop at r"),
        (TEETH, "nchypergeom_fisher", {}, r"^nchypergeom_fisher needs the population size M"),
        (TEETH, "nchypergeom_wallenius", {"N": 3}, r"^nchypergeom_wallenius needs the population size M"),
        (TEETH, "hypergeom", {"M": 50, "n": 20, "N": 8}, r"^hypergeom\(M=50, n=20, N=8\) has support 0\.\.8, which leaves out 9, observed$"),
        (TEETH, "hypergeom", {"M": 10, "n": 20, "N": 8}, r"^hypergeom needs M ≥ 1, 0 ≤ n ≤ M and 0 ≤ N ≤ M"),
        (TEETH, "nhypergeom", {"M": 30, "n": 20, "r": 11}, r"^nhypergeom needs M ≥ 1, 0 ≤ n ≤ M and 0 ≤ r ≤ M - n"),
        (TEETH, "hypergeom", {"M": 50.5, "n": 20, "N": 15}, r"^option M must be a whole number; got 50\.5$"),
        (TEETH, "betabinom", {"n": 12.5}, r"^option n must be a whole number"),
        (TEETH, "zipf", {"loc": 0.5}, r"^option loc must be a whole number"),
        (TEETH, "poisson", {"mu": -1}, r"^poisson mu must be ≥ 0; got -1$"),
        (TEETH, "poisson", {"mu": "lots"}, r"^poisson option mu must be a number; got 'lots'$"),
        (TEETH, "nbinom", {"p": 1.5}, r"^nbinom p must be in \(0, 1\]; got 1\.5$"),
        (TEETH, "logser", {"loc": -1, "p": 1.0}, r"^logser p must be strictly between 0 and 1; got 1\.0$"),
        (TEETH, "zipf", {"loc": -1, "a": 1.0}, r"^zipf a must be > 1; got 1\.0$"),
        (TEETH, "skellam", {"mu2": 0}, r"^skellam mu2 must be > 0; got 0$"),
        (TEETH, "betanbinom", {"n": 0}, r"^betanbinom n must be a whole number ≥ 1; got 0$"),
        (TEETH, "poisson", {"lam": 2}, r"^poisson has no option lam; its options are: mu$"),
    ],
)
def test_checker_reasons(emp, name, options, message) -> None:
    with pytest.raises(DataError, match=message):
        fit(emp, name, **options)


def test_binned_data_is_refused() -> None:
    emp = Empirical.from_samples(np.random.default_rng(0).normal(size=500))
    with pytest.raises(DataError, match="poisson applies to discrete data; this data is binned"):
        fit(emp, "poisson")


# --------------------------------------------------------------------------------------
# Fixed parameters, integer parameters, shifts
# --------------------------------------------------------------------------------------
def test_fixing_mu_fits_nothing() -> None:
    model = fit(TEETH, "poisson", mu=2.0)
    assert model.params == {"mu": 2.0} and model.n_params == 0


@pytest.mark.parametrize(
    ("name", "options", "fixed", "n_params"),
    [
        ("geom", {"p": 0.2}, {"p": 0.2}, 0),
        ("nbinom", {"p": 0.4}, {"p": 0.4}, 1),
        ("nbinom", {"n": 3.5, "p": 0.4}, {"n": 3.5, "p": 0.4}, 0),
        ("betabinom", {"a": 2.0}, {"a": 2.0, "n": 10}, 1),
        ("betabinom", {"n": 12, "a": 2.0, "b": 1.0}, {"n": 12, "a": 2.0, "b": 1.0}, 0),
        ("betanbinom", {"n": 4}, {"n": 4}, 2),
        ("betanbinom", {"a": 3.0, "b": 2.0}, {"a": 3.0, "b": 2.0}, 1),
        ("logser", {"loc": -1, "p": 0.5}, {"p": 0.5, "loc": -1}, 0),
        ("zipf", {"loc": -1, "a": 2.0}, {"a": 2.0, "loc": -1}, 0),
        ("yulesimon", {"loc": -1, "alpha": 3.0}, {"alpha": 3.0, "loc": -1}, 0),
        ("zipfian", {"loc": -1, "a": 0.5}, {"a": 0.5, "n": 11, "loc": -1}, 0),
        ("dlaplace", {"a": 0.3}, {"a": 0.3}, 0),
        ("skellam", {"mu2": 0.5}, {"mu2": 0.5}, 1),
        ("boltzmann", {"lambda_": 0.1}, {"lambda_": 0.1, "N": 11}, 0),
        ("planck", {"lambda_": 0.1}, {"lambda_": 0.1}, 0),
        ("bernoulli", {"p": 0.5}, {"p": 0.5}, 0),
        ("nchypergeom_fisher", {"M": 50, "n": 20, "N": 15, "odds": 2.0}, {"odds": 2.0, "M": 50}, 0),
    ],
)
def test_fixed_parameters_are_held_and_not_counted(name, options, fixed, n_params) -> None:
    emp = Empirical.from_counts([0, 1], [1, 1]) if name == "bernoulli" else TEETH
    model = fit(emp, name, **options)
    for key, value in fixed.items():
        assert model.params[key] == value, key
    assert model.n_params == n_params


@pytest.mark.parametrize(
    ("name", "options", "keys"),
    [
        ("betabinom", {}, ["n"]),
        ("betanbinom", {}, ["n"]),
        ("zipfian", {"loc": -1}, ["n", "loc"]),
        ("boltzmann", {}, ["N"]),
        ("hypergeom", {"M": 50.0, "n": 20.0, "N": 15.0}, ["M", "n", "N"]),
        ("nhypergeom", {"M": 50, "n": 20, "r": 15}, ["M", "n", "r"]),
        ("nchypergeom_wallenius", {"M": 50, "n": 20, "N": 15}, ["M", "n", "N"]),
        ("logser", {"loc": -1}, ["loc"]),
    ],
)
def test_integer_parameters_stay_integers(name, options, keys) -> None:
    model = fit(TEETH, name, **options)
    for key in keys:
        assert type(model.params[key]) is int, key
    assert all(type(v) in (int, float) for v in model.params.values())


def test_integer_defaults_come_from_the_data_and_do_not_count() -> None:
    assert fit(TEETH, "betabinom").params["n"] == 10
    assert fit(TEETH, "boltzmann").params["N"] == 11
    assert fit(TEETH, "zipfian", loc=-1).params["n"] == 11
    assert fit(TEETH, "betabinom").n_params == 2 and "n = 10, the largest observed value" in fit(TEETH, "betabinom").note
    assert fit(TEETH, "betabinom", n=20).note == ""


def test_shift_option_moves_the_support() -> None:
    shifted = fit(WITH_ZERO, "logser", loc=-1)
    plain = fit(Empirical.from_counts([1, 2, 3], [5, 3, 1]), "logser")
    assert shifted.params["p"] == pytest.approx(plain.params["p"], rel=1e-9)
    assert shifted.params["loc"] == -1 and "loc" not in plain.params
    np.testing.assert_allclose(shifted.pmf(np.array([0.0, 1.0])), plain.pmf(np.array([1.0, 2.0])))


def test_geom_counts_failures() -> None:
    model = fit(TEETH, "geom")
    p = model.params["p"]
    assert p == pytest.approx(1 / (1 + TEETH.mean()))
    assert model.pmf(np.array([0.0]))[0] == pytest.approx(p)  # zero failures: success at once
    assert model.cdf(np.array([-1.0]))[0] == 0.0


# --------------------------------------------------------------------------------------
# Boundaries: return with a note
# --------------------------------------------------------------------------------------
def test_nbinom_under_dispersed_tends_to_poisson() -> None:
    emp = Empirical.from_counts([2, 3, 4], [1, 8, 1])
    model = fit(emp, "nbinom")
    assert model.params["n"] == 1e6
    assert model.note == "variance ≤ mean: the fit tends to the Poisson; n capped at 1e6"
    poisson = stats.poisson.pmf(emp.support, emp.mean())
    np.testing.assert_allclose(model.mass(emp), poisson, rtol=1e-4)


def test_boundary_fits_return_with_notes() -> None:
    assert "upper limit" in fit(Empirical.from_counts([2, 3, 4], [1, 8, 1]), "betabinom").note
    assert "Poisson (mu2 → 0)" in fit(Empirical.from_counts([0, 1, 2, 3], [10, 20, 12, 5]), "skellam").note
    uniformish = Empirical.from_counts([1, 2, 3, 4], [1, 2, 3, 4])  # increasing: a would go below 0
    zipfian = fit(uniformish, "zipfian")
    assert zipfian.params["a"] == 0.0 and "a = 0" in zipfian.note
    assert "tends to the uniform" in fit(uniformish, "boltzmann", N=5).note
    assert "every value is 0" in fit(Empirical.from_counts([0], [5]), "planck").note


# --------------------------------------------------------------------------------------
# Work: the fits never touch raw rows, and stay within an evaluation budget
# (the time they take is measured in benchmarks/bench_core.py, never asserted here)
# --------------------------------------------------------------------------------------
EVALUATION_BUDGET = 6000  # likelihood evaluations for every family together; about 3,300 today (betanbinom 2,400)


def test_all_families_on_ten_million_rows_stay_within_an_evaluation_budget(monkeypatch) -> None:
    import kl_core.models.discrete as discrete

    rng = np.random.default_rng(5)
    support = np.arange(0, 30)
    pmf = stats.nbinom.pmf(support, 20, 0.65)
    counts = rng.multinomial(10_000_000, pmf / pmf.sum())  # 10,000,000 rows reduced to ~30 (value, count) pairs
    emp = Empirical.from_counts(support[counts > 0], counts[counts > 0])
    options = {
        "logser": {"loc": -1}, "zipf": {"loc": -1}, "yulesimon": {"loc": -1}, "zipfian": {"loc": -1},
        "hypergeom": {"M": 200, "n": 100, "N": 60}, "nhypergeom": {"M": 200, "n": 100, "r": 60},
        "nchypergeom_fisher": {"M": 200, "n": 100, "N": 60}, "nchypergeom_wallenius": {"M": 200, "n": 100, "N": 60},
    }
    coin = Empirical.from_counts([0, 1], [4_999_000, 5_001_000])
    sizes: list[int] = []
    counted = discrete.weighted_loglik

    def counting(log_mass: np.ndarray, weights: np.ndarray) -> float:
        sizes.append(np.size(log_mass))
        return counted(log_mass, weights)

    monkeypatch.setattr(discrete, "weighted_loglik", counting)
    # The wall-clock box is a user's safety net, not an oracle: on a busy machine it would make this test flaky.
    unboxed = discrete.minimize_nll
    monkeypatch.setattr(discrete, "minimize_nll", lambda *args, **kwargs: unboxed(*args, **{**kwargs, "time_limit": math.inf}))
    for name in EVERY_FAMILY:
        fit(coin if name == "bernoulli" else emp, name, **options.get(name, {}))
    assert sizes and max(sizes) <= emp.k  # one term per distinct value, never per row
    print(f"{len(sizes)} likelihood evaluations")
    assert len(sizes) <= EVALUATION_BUDGET


# --------------------------------------------------------------------------------------
# Fast slow families (issue 15 item 6): faster, and never a worse likelihood
# --------------------------------------------------------------------------------------
def _best_two_parameter_skellam(emp: Empirical) -> float:
    """Reference: the best of several tight Nelder-Mead searches over (log mu1, log mu2), scipy's own pmf."""
    def nll(theta: np.ndarray) -> float:
        value = loglik(stats.skellam, emp, *np.exp(np.clip(theta, -18.4, 14)))
        return -value if math.isfinite(value) else 1e300

    mean, var = emp.mean(), emp.var()
    starts = [((var + mean) / 2, (var - mean) / 2), (abs(mean) + 1, 0.5)]
    return -min(
        optimize.minimize(nll, np.log(np.maximum(start, 1e-3)), method="Nelder-Mead",
                          options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 4000}).fun
        for start in starts
    )


@pytest.mark.parametrize(
    "emp",
    [
        sample(stats.skellam, 4.0, 2.0, size=5000, seed=5),
        sample(stats.skellam, 1.0, 6.0, size=5000, seed=6),  # negative mean
        sample(stats.poisson, 3.0, size=5000, seed=7),  # no spread beyond a Poisson: mu2 → 0
    ],
    ids=["skellam(4,2)", "skellam(1,6)", "poisson(3)"],
)
def test_skellam_one_dimensional_fit_is_as_likely_as_a_careful_two_dimensional_search(emp) -> None:
    model = fit(emp, "skellam")
    ours = loglik(stats.skellam, emp, model.params["mu1"], model.params["mu2"])
    reference = _best_two_parameter_skellam(emp)
    assert ours >= reference - 1e-9 * abs(reference)
    assert model.params["mu1"] - model.params["mu2"] == pytest.approx(emp.mean(), rel=1e-6, abs=1e-7)


def test_skellam_own_logpmf_is_scipys() -> None:
    k = np.arange(-60, 80, dtype=float)
    for mu1, mu2 in [(4.0, 2.0), (0.01, 0.02), (300.0, 200.0)]:
        np.testing.assert_allclose(_skellam_logpmf(k, mu1, mu2), stats.skellam.logpmf(k, mu1, mu2), rtol=1e-12)


def test_skellam_own_logpmf_stays_finite_where_scipys_underflows() -> None:
    # mu2 = 1e-8: z = 2 sqrt(mu1 mu2) is tiny, and the series I_n(z) = (z/2)^n / n! (1 + (z/2)^2 / (n+1) + ...)
    # gives the exact log-pmf; scipy's (through ncx2) is -inf beyond k ≈ -33 and loses 1e-6 before that.
    mu1, mu2 = 4.0, 1e-8
    k = np.arange(-60, 80, dtype=float)
    half = math.sqrt(mu1 * mu2)
    order = np.abs(k)
    series = order * math.log(half) - special.gammaln(order + 1) + np.log1p(half**2 / (order + 1))
    exact = -(mu1 + mu2) + k / 2 * (math.log(mu1) - math.log(mu2)) + series
    np.testing.assert_allclose(_skellam_logpmf(k, mu1, mu2), exact, rtol=1e-13)
    assert np.isneginf(stats.skellam.logpmf(-60.0, mu1, mu2))  # why the model uses its own
    model = fit(Empirical.from_counts([-60, 0, 3], [1, 50, 50]), "skellam", mu1=mu1, mu2=mu2)
    assert np.isfinite(model.logpmf(np.array([-60.0]))[0])


@pytest.mark.parametrize(
    "emp, main_loglik",
    [
        # Log-likelihoods that main's fit reached (commit 455fde7, before this speed-up), scipy's betanbinom.logpmf.
        (Empirical.from_samples(np.random.default_rng(1).poisson(4.0, 1_000_000)), -2086945.9495654227),
        (Empirical.from_samples(np.random.default_rng(3).negative_binomial(3, 0.4, 3000)), -7516.698652809125),
        (sample(stats.betanbinom, 2, 3.0, 8.0, size=5000, seed=2), -15459.727765142012),
    ],
    ids=["poisson(4)", "nbinom(3,0.4)", "betanbinom(2,3,8)"],
)
def test_betanbinom_is_never_less_likely_than_before_the_speed_up(emp, main_loglik) -> None:
    # A quasi-Newton attempt once lost 388 nats here: the likelihood is the test, not the time.
    model = fit(emp, "betanbinom")
    ours = loglik(stats.betanbinom, emp, model.params["n"], model.params["a"], model.params["b"])
    assert ours >= main_loglik - 1e-9 * abs(main_loglik)


def _best_betanbinom_by_many_starts(emp: Empirical) -> float:
    """Reference: scipy's own betanbinom.logpmf, a (a, b) Nelder–Mead search at every whole n in a wide range.

    Independent of the model's search: scipy's pmf, many starts, every whole n from 1 to 40 and
    each search bounded by iterations.
    """
    mean = emp.mean()

    def best_at(n: int) -> float:
        def nll(theta: np.ndarray) -> float:
            a, b = np.exp(np.clip(theta, -18.4, math.log(1e6)))
            value = loglik(stats.betanbinom, emp, n, a, b)
            return -value if math.isfinite(value) else 1e300

        starts = [(math.log(a), math.log(max(mean * (a - 1) / n, 1e-3))) for a in (1.5, 4.0, 30.0)]
        return -min(optimize.minimize(nll, start, method="Nelder-Mead",
                                      options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 2000}).fun for start in starts)

    return max(best_at(n) for n in range(1, 41))


@pytest.mark.parametrize(
    "emp",
    [
        sample(stats.betanbinom, 3, 2.5, 4.0, size=4000, seed=11),  # heavy tail: betanbinom beats nbinom
        Empirical.from_samples(np.random.default_rng(3).negative_binomial(3, 0.4, 3000)),
    ],
    ids=["betanbinom(3,2.5,4)", "nbinom(3,0.4)"],
)
def test_betanbinom_fit_is_as_likely_as_a_many_start_reference_search(emp) -> None:
    model = fit(emp, "betanbinom")
    ours = loglik(stats.betanbinom, emp, model.params["n"], model.params["a"], model.params["b"])
    reference = _best_betanbinom_by_many_starts(emp)
    assert ours >= reference - 1e-7 * abs(reference)


def test_betanbinom_heavy_tailed_reference_data_really_beat_the_negative_binomial() -> None:
    # The first dataset above must be one where the extra parameter matters, or the test proves little.
    emp = sample(stats.betanbinom, 3, 2.5, 4.0, size=4000, seed=11)
    nbinom_model, betanbinom_model = fit(emp, "nbinom"), fit(emp, "betanbinom")
    nbinom_loglik = loglik(stats.nbinom, emp, nbinom_model.params["n"], nbinom_model.params["p"])
    ours = loglik(stats.betanbinom, emp, *(betanbinom_model.params[s] for s in ("n", "a", "b")))
    assert ours > nbinom_loglik + 10


@pytest.mark.parametrize("seed", [3, 4])
def test_nbinom_size_is_the_maximum_of_scipys_profile_likelihood(seed) -> None:
    # One profile search serves the nbinom fit and betanbinom's limit candidates; checked here against a
    # bounded Brent search on scipy's own nbinom.logpmf with p = n / (n + mean).
    from kl_core.models.discrete import _nbinom_size

    emp = Empirical.from_samples(np.random.default_rng(seed).negative_binomial(3, 0.4, 3000))
    mean = emp.mean()

    def negative_profile(log_n: float) -> float:
        n = math.exp(log_n)
        return -loglik(stats.nbinom, emp, n, n / (n + mean))

    reference = optimize.minimize_scalar(negative_profile, bounds=(-5.0, 10.0), method="bounded",
                                         options={"xatol": 1e-12})
    assert _nbinom_size(emp) == pytest.approx(math.exp(reference.x), rel=1e-5)
    assert fit(emp, "nbinom").params["n"] == _nbinom_size(emp)
    assert _nbinom_size(Empirical.from_counts([0, 1, 2], [1, 2, 1])) is None  # variance below the mean: no finite n


# --------------------------------------------------------------------------------------
# Issue 15 item 6, the other slow fits (nbinom's profile, boltzmann's root, betabinom's
# search): the benchmark data and the real count data are never fitted less likely than before
# --------------------------------------------------------------------------------------
REAL_COUNTS = {"toxocara": "number", "discoveries": "discoveries", "InsectSprays": "count",
               "warpbreaks": "breaks", "rivers": "length", "islands": "area"}
CHANGED = ("nbinom", "betabinom", "boltzmann")

# Log-likelihoods the fits reached at commit a56d12c (before these speed-ups), evaluated with scipy's
# logpmf as in _scipy_loglik below; "bench" is benchmarks/bench_core.py's 10^7 Poisson(4) integers.
BEFORE = {
    ("toxocara", "nbinom"): -159.3440861207957, ("toxocara", "betabinom"): -161.76878043583432,
    ("toxocara", "boltzmann"): -170.45839934277748,
    ("discoveries", "nbinom"): -210.7944048941852, ("discoveries", "betabinom"): -213.60999842744687,
    ("discoveries", "boltzmann"): -224.35451151268327,
    ("InsectSprays", "nbinom"): -233.98018921707225, ("InsectSprays", "betabinom"): -230.65822590755158,
    ("InsectSprays", "boltzmann"): -229.87723689945085,
    ("warpbreaks", "nbinom"): -208.53807082841894, ("warpbreaks", "betabinom"): -217.47775785907382,
    ("warpbreaks", "boltzmann"): -227.13207153100907,
    ("rivers", "nbinom"): -1013.213272461556, ("rivers", "betabinom"): -1058.3512875082927,
    ("rivers", "boltzmann"): -1040.7220331906683,
    ("islands", "nbinom"): -336.2246331120129, ("islands", "betabinom"): -341.51621138700847,
    ("islands", "boltzmann"): -390.4069204710542,
    ("bench", "nbinom"): -20867926.455143712, ("bench", "betabinom"): -20872172.51213544,
    ("bench", "boltzmann"): -24849323.399052083,
    ("toxocara", "betanbinom"): -159.34283563069013, ("discoveries", "betanbinom"): -210.63530617349977,
    ("InsectSprays", "betanbinom"): -233.9802467089264, ("warpbreaks", "betanbinom"): -207.37633507497858,
    ("rivers", "betanbinom"): -990.0652594624486, ("islands", "betanbinom"): -307.1275448800566,
    ("bench", "betanbinom"): -20867961.424625397,
}
# 1e-9 relative is far below the 1e-6 relative loss the issue asks to catch, and above scipy's own
# rounding of these sums (~1e-11 relative for the bench's nbinom, n ~ 1.6e4).
LOGLIK_TOLERANCE = 1e-9


@functools.cache
def _count_data(dataset: str) -> Empirical:
    if dataset == "bench":
        return Empirical.from_samples(np.random.default_rng(1).poisson(4.0, 10_000_000))
    from reference_data import real_values

    return Empirical.from_samples(real_values(dataset, REAL_COUNTS[dataset]))


def _scipy_loglik(name: str, emp: Empirical, params: dict) -> float:
    args = {"nbinom": ("n", "p"), "betabinom": ("n", "a", "b"), "boltzmann": ("lambda_", "N"),
            "betanbinom": ("n", "a", "b")}[name]
    return loglik(getattr(stats, name), emp, *(params[key] for key in args))


def _many_start_reference(name: str, emp: Empirical) -> float:
    """The best of tight Nelder–Mead searches from spread starts, on scipy's own logpmf (not the model's code).

    nbinom over (log n, logit p) jointly, no profile; betabinom over (log a, log b) at n = the largest
    value; boltzmann over log lambda_ at N = the largest value + 1.
    """
    mean, var, top = emp.mean(), emp.var(), int(emp.high)
    if name == "nbinom":
        def params(theta: np.ndarray) -> dict:
            return {"n": math.exp(theta[0]), "p": special.expit(theta[1])}

        n0 = mean * mean / (var - mean) if var > mean else 1e3
        starts = [(math.log(n), special.logit(n / (n + mean))) for n in (n0, n0 / 10, n0 * 10, 1.0, 100.0)]
    elif name == "betabinom":
        def params(theta: np.ndarray) -> dict:
            return {"n": top, "a": math.exp(theta[0]), "b": math.exp(theta[1])}

        share = min(max(mean / top, 0.01), 0.99)
        starts = [(math.log(t * share), math.log(t * (1 - share))) for t in (0.5, 2.0, 10.0, 100.0, 1e4)]
    else:
        def params(theta: np.ndarray) -> dict:
            return {"lambda_": math.exp(theta[0]), "N": top + 1}

        starts = [(math.log(lam),) for lam in (1e-3, 0.1, math.log1p(1 / mean), 3.0)]

    def per_observation_nll(theta: np.ndarray) -> float:
        value = _scipy_loglik(name, emp, params(np.clip(theta, -18.4, 13.8)))
        return -value / emp.total if math.isfinite(value) else 1e300

    best = min(optimize.minimize(per_observation_nll, np.array(start), method="Nelder-Mead",
                                 options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000}).fun for start in starts)
    return -best * emp.total


@pytest.mark.parametrize("dataset", [*REAL_COUNTS, "bench"])
@pytest.mark.parametrize("name", [*CHANGED, "betanbinom"])
def test_fit_is_never_less_likely_than_before(name: str, dataset: str) -> None:
    emp = _count_data(dataset)
    ours = _scipy_loglik(name, emp, fit(emp, name).params)
    before = BEFORE[dataset, name]
    assert ours >= before - LOGLIK_TOLERANCE * abs(before)


@pytest.mark.parametrize("dataset", [*REAL_COUNTS, "bench"])
@pytest.mark.parametrize("name", CHANGED)  # betanbinom has its own many-start reference above
def test_fit_is_as_likely_as_a_many_start_search(name: str, dataset: str) -> None:
    emp = _count_data(dataset)
    ours = _scipy_loglik(name, emp, fit(emp, name).params)
    reference = _many_start_reference(name, emp)
    assert ours >= reference - LOGLIK_TOLERANCE * abs(reference)


@pytest.mark.parametrize("mean, size", [(4.0, 19), (0.01, 5), (4.49, 10), (4.5, 10), (7.0, 10), (2.0, 1_000_000)])
def test_boltzmann_lambda_sets_the_model_mean_to_the_data_mean(mean: float, size: int) -> None:
    from kl_core.models.discrete import LOW_CAP, _boltzmann_lambda

    lam = _boltzmann_lambda(mean, size)
    if mean >= (size - 1) / 2:  # the mean of the uniform on 0..N-1 is the most any lambda_ > 0 reaches
        assert lam == LOW_CAP
    else:
        assert stats.boltzmann.mean(lam, size) == pytest.approx(mean, rel=1e-9)


@pytest.mark.parametrize(
    "emp",
    [
        sample(stats.betabinom, 30, 0.3, 0.4, size=5000, seed=4),  # U-shaped: a, b < 1
        sample(stats.betabinom, 12, 2.0, 3.0, size=3000, seed=4),
        sample(stats.binom, 20, 0.3, size=5000, seed=4),  # barely more spread than a binomial: a, b large
        Empirical.from_counts([0, 1, 5, 6], [40, 2, 3, 30]),  # piled up at both ends
    ],
    ids=["u-shaped", "betabinom(12,2,3)", "binomial(20,0.3)", "two-piles"],
)
def test_betabinom_newton_fit_is_as_likely_as_a_many_start_search(emp) -> None:
    ours = _scipy_loglik("betabinom", emp, fit(emp, "betabinom").params)
    reference = _many_start_reference("betabinom", emp)
    assert ours >= reference - LOGLIK_TOLERANCE * abs(reference)


def test_betabinom_newton_leaves_the_binomial_limit_to_the_general_search() -> None:
    from kl_core.models.discrete import _betabinom_newton, _BetabinomOnSupport

    under = Empirical.from_counts([2, 3, 4], [1, 8, 1])  # less spread than any binomial: a, b → ∞
    assert _betabinom_newton(under, _BetabinomOnSupport(under, 4), 5.0, 5.0) is None
    spread = sample(stats.betabinom, 12, 2.0, 3.0, size=3000, seed=4)
    a, b = _betabinom_newton(spread, _BetabinomOnSupport(spread, 12), 1.0, 1.0)
    assert (a, b) == pytest.approx((fit(spread, "betabinom", n=12).params["a"], fit(spread, "betabinom", n=12).params["b"]),
                                   rel=1e-6)

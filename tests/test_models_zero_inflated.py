"""kl_core.models.zero_inflated: extra zeros by maximum likelihood, checked against scipy.optimize."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from kl_core import DataError, Empirical, fit
from kl_core.models.zero_inflated import zero_inflated_loglik, zip_mle
from kl_core.ranking import rank
from reference_data import REFERENCE, real_values, zero_inflated_reference


# R fitdistrplus fits with custom zero-inflated densities, written by
# tests/data/reference/make_reference_mle.R (checked there against pscl::zeroinfl).
R_CASES = sorted(set(pd.read_csv(REFERENCE / "zero_inflated.csv")[["dataset", "variable", "distr"]]
                      .itertuples(index=False, name=None)))
OUR_FAMILY = {"zipois": "poisson", "zinbinom": "nbinom"}


@pytest.mark.parametrize(("dataset", "variable", "distr"), R_CASES)
def test_zero_inflated_fits_match_r_fitdistrplus(dataset, variable, distr):
    reference = zero_inflated_reference(dataset, variable, distr)
    estimate, r_loglik = reference["params"], reference["loglik"]
    emp = Empirical.from_samples(real_values(dataset, variable))
    model = fit(emp, "zero_inflated", family=OUR_FAMILY[distr])
    loglik = float(emp.counts @ model.logpmf(emp.support))
    assert loglik >= r_loglik - 1e-6 * abs(r_loglik)
    assert model.params["pi"] == pytest.approx(estimate["pstr0"], rel=1e-4, abs=1e-6)
    if distr == "zipois":
        assert model.params["mu"] == pytest.approx(estimate["lambda"], rel=1e-6)
    else:  # R's (size, mu) against scipy's (n, p): n = size, mean n(1 − p)/p = mu
        n, p = model.params["n"], model.params["p"]
        assert n == pytest.approx(estimate["size"], rel=1e-4) and n * (1 - p) / p == pytest.approx(estimate["mu"], rel=1e-4)
    assert model.n_params == len(estimate)


def zero_inflated_sample(seed: int, pi: float, counts) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.where(rng.uniform(size=counts.size) < pi, 0, counts)


def explicit_loglik(values, weights, pi, logpmf) -> float:
    """P(0) = π + (1 − π) f(0), P(x) = (1 − π) f(x): the textbook zero-inflated likelihood (Lambert 1992)."""
    log_f = logpmf(values)
    log_mass = np.where(values == 0, np.logaddexp(math.log(pi) if pi > 0 else -np.inf, math.log1p(-pi) + log_f),
                        math.log1p(-pi) + log_f)
    return float(weights @ log_mass)


def scipy_maximum(negative_loglik, starts, size):
    """scipy's Nelder-Mead on the mean negative log-likelihood from each start; the best, as a total."""
    results = [optimize.minimize(lambda theta: negative_loglik(theta) / size, start, method="Nelder-Mead",
                                 options={"xatol": 1e-9, "fatol": 1e-13, "maxiter": 5_000}) for start in starts]
    best = min(results, key=lambda result: result.fun)
    return optimize.OptimizeResult(x=best.x, fun=best.fun * size)


def test_zero_inflated_poisson_matches_scipy_optimize():
    rng = np.random.default_rng(1)
    emp = Empirical.from_samples(zero_inflated_sample(2, 0.35, rng.poisson(2.5, 3000)))
    values, weights = emp.support, emp.counts

    def negative_loglik(theta):
        return -explicit_loglik(values, weights, special.expit(theta[0]), lambda x: stats.poisson.logpmf(x, math.exp(theta[1])))

    reference = scipy_maximum(negative_loglik, [[0.0, 0.0], [-2.0, 1.0]], emp.total)
    model = fit(emp, "zero_inflated", family="poisson")
    assert model.params["pi"] == pytest.approx(special.expit(reference.x[0]), rel=1e-5)
    assert model.params["mu"] == pytest.approx(math.exp(reference.x[1]), rel=1e-5)
    loglik = zero_inflated_loglik(emp, model.params["pi"], stats.poisson(model.params["mu"]))
    assert loglik >= -reference.fun - 1e-9 * abs(reference.fun)
    assert model.label == "Poisson with extra zeros" and model.n_params == 2


def test_zero_inflated_negative_binomial_matches_scipy_optimize():
    rng = np.random.default_rng(3)
    emp = Empirical.from_samples(zero_inflated_sample(4, 0.3, rng.negative_binomial(2, 0.3, 3000)))
    values, weights = emp.support, emp.counts

    def negative_loglik(theta):
        return -explicit_loglik(values, weights, special.expit(theta[0]),
                                lambda x: stats.nbinom.logpmf(x, math.exp(theta[1]), special.expit(theta[2])))

    reference = scipy_maximum(negative_loglik, [[-1.0, 0.0, 0.0], [0.0, 1.0, -1.0]], emp.total)
    model = fit(emp, "zero_inflated", family="nbinom")
    loglik = zero_inflated_loglik(emp, model.params["pi"], stats.nbinom(model.params["n"], model.params["p"]))
    assert loglik >= -reference.fun - 1e-8 * abs(reference.fun)
    assert model.params["pi"] == pytest.approx(special.expit(reference.x[0]), rel=1e-3)
    assert model.params["n"] == pytest.approx(math.exp(reference.x[1]), rel=1e-3)
    assert model.label == "negative binomial with extra zeros" and model.n_params == 3


def test_no_excess_zeros_gives_the_plain_poisson():
    emp = Empirical.from_samples(np.random.default_rng(5).poisson(3.0, 2000))
    assert zip_mle(emp)[0] == 0.0 or fit(emp, "zero_inflated").params["pi"] < 0.01
    fewer = Empirical.from_counts([0, 1, 2, 3], [1, 40, 40, 19])  # far fewer zeros than Poisson(1.77) gives
    model = fit(fewer, "zero_inflated")
    assert model.params["pi"] == 0.0 and "plain Poisson" in model.note
    assert model.mass(fewer) == pytest.approx(fit(fewer, "poisson").mass(fewer), rel=1e-12)


def test_probabilities_are_consistent_and_silent():
    emp = Empirical.from_samples(zero_inflated_sample(6, 0.4, np.random.default_rng(6).poisson(4.0, 1000)))
    model = fit(emp, "zero_inflated")
    support = np.arange(0, 80)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mass, cdf, logpmf = model.pmf(support), model.cdf(support), model.logpmf(np.array([-1.0, 0.0, 500.0]))
        quantiles = model.ppf(np.array([0.1, 0.5, 0.99]))
    assert mass.sum() == pytest.approx(1.0, abs=1e-12) and cdf == pytest.approx(np.cumsum(mass), abs=1e-12)
    pi, mu = model.params["pi"], model.params["mu"]
    assert mass[0] == pytest.approx(pi + (1 - pi) * math.exp(-mu), rel=1e-12)
    assert logpmf[0] == -np.inf and np.isfinite(logpmf[2])  # far tail in log space, not an underflow to -inf
    assert quantiles.tolist() == [float(support[np.argmax(cdf >= q)]) for q in (0.1, 0.5, 0.99)]
    assert [c["weight"] for c in model.extra["components"]] == pytest.approx([pi, 1 - pi])


def test_extra_zeros_win_the_ranking_on_zero_inflated_data():
    emp = Empirical.from_samples(zero_inflated_sample(7, 0.3, np.random.default_rng(7).poisson(3.0, 2000)))
    table = rank(emp, [("zero_inflated", {"family": "poisson"}), "poisson", "nbinom"])
    assert table.iloc[0]["model"] == "zero_inflated"


@pytest.mark.parametrize(("counts", "options", "reason"), [
    ({1: 3, 2: 4}, {}, "no zeros were observed"),
    ({0: 3}, {}, "every value is 0"),
    ({0: 3, 1: 2, 2: 1}, {"family": "geom"}, "poisson or nbinom"),
    ({0: 3, 1: 2}, {"family": "nbinom"}, "at least 3 distinct values"),
])
def test_refusals_say_why(counts, options, reason):
    with pytest.raises(DataError, match=reason):
        fit(Empirical.from_counts(list(counts), list(counts.values())), "zero_inflated", **options)


def test_continuous_data_is_refused():
    with pytest.raises(DataError, match="discrete"):
        fit(Empirical.from_samples(np.random.default_rng(0).normal(size=300)), "zero_inflated")

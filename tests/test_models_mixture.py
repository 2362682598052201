"""kl_core.models.mixture: finite mixtures by EM, checked against a direct EM, scipy and the family MLEs."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from kl_core import DataError, Empirical, fit
from kl_core.models import REGISTRY
from kl_core.models.mixture import FAMILIES, Mixture, fit_mixture, weighted_values
from kl_core.ranking import rank
from reference_data import REFERENCE, mixture_reference, mle_reference, real_values

# R's datasets::faithful (272 eruptions and waiting times); mixtools/mclust fits on it written by
# tests/data/reference/make_reference_mle.R (see the README there).
FAITHFUL_ERUPTIONS = real_values("faithful", "eruptions")
R_MIXTURES = sorted(set(pd.read_csv(REFERENCE / "mixtures.csv")[["variable", "k"]].itertuples(index=False, name=None)))


def direct_normal_em(x: np.ndarray, iterations: int = 5_000) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Two-normal EM on the raw values, written out as in Bishop, *Pattern Recognition and
    Machine Learning* (2006), section 9.2.2, eqs. 9.23-9.28: an independent reference."""
    w, mu, sd = np.array([0.5, 0.5]), np.array([x.min(), x.max()]), np.array([x.std(), x.std()])
    for _ in range(iterations):
        dens = w[:, None] * stats.norm.pdf(x[None, :], mu[:, None], sd[:, None])
        gamma = dens / dens.sum(axis=0)
        n_k = gamma.sum(axis=1)
        mu = gamma @ x / n_k
        sd = np.sqrt((gamma * (x[None, :] - mu[:, None]) ** 2).sum(axis=1) / n_k)
        w = n_k / x.size
    loglik = float(np.log((w[:, None] * stats.norm.pdf(x[None, :], mu[:, None], sd[:, None])).sum(axis=0)).sum())
    return w, mu, sd, loglik


def distinct(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values, counts = np.unique(x, return_counts=True)
    return values, counts.astype(float)


# ---------------------------------------------------------------- Old Faithful
@pytest.mark.parametrize(("variable", "k"), R_MIXTURES)
def test_normal_mixtures_match_r_mixtools(variable, k):
    reference = mixture_reference("faithful", variable, k)
    result = fit_mixture(*distinct(real_values("faithful", variable)), "norm", k)
    assert result.loglik >= reference["loglik"] - 1e-6 * abs(reference["loglik"])
    assert result.weights == pytest.approx(reference["weights"], rel=1e-4)
    assert result.params["loc"] == pytest.approx(reference["means"], rel=1e-4)
    assert result.params["scale"] == pytest.approx(reference["sds"], rel=1e-4)


def test_old_faithful_two_normals_match_a_direct_em():
    w, mu, sd, loglik = direct_normal_em(FAITHFUL_ERUPTIONS)
    result = fit_mixture(*distinct(FAITHFUL_ERUPTIONS), "norm", 2)
    assert result.converged and not result.degenerate
    assert result.loglik == pytest.approx(loglik, rel=1e-9)
    assert result.loglik == pytest.approx(-276.36, abs=0.01)  # the issue's -276.4 (mixtools normalmixEM)
    assert result.weights == pytest.approx(w, rel=1e-5)
    assert result.params["loc"] == pytest.approx(mu, rel=1e-5)
    assert result.params["scale"] == pytest.approx(sd, rel=1e-5)


def test_old_faithful_mixture_saves_more_than_half_a_bit_over_one_normal():
    x = FAITHFUL_ERUPTIONS
    normal = float(stats.norm.logpdf(x, *stats.norm.fit(x)).sum())
    assert normal == pytest.approx(mle_reference("faithful", "eruptions", "norm")["loglik"], rel=1e-9)
    emp = Empirical.from_samples(x, bins=500)  # fine bins until Empirical keeps the raw values
    model = fit(emp, "mixture", family="norm", k=2)
    mixed = float(model.logpdf(x).sum())
    assert mixed == pytest.approx(-276.36, abs=0.05)
    bits_saved = (mixed - normal) / x.size / math.log(2)
    assert bits_saved > 0.5
    assert model.label == "two normal groups mixed" and model.n_params == 5


# ------------------------------------------------------------------- properties
SAMPLES = {
    "norm": lambda rng: np.r_[rng.normal(0, 1, 300), rng.normal(5, 2, 200)],
    "lognorm": lambda rng: np.r_[rng.lognormal(0, 0.3, 300), rng.lognormal(2, 0.4, 200)],
    "gamma": lambda rng: np.r_[rng.gamma(2, 1, 300), rng.gamma(20, 1, 200)],
    "poisson": lambda rng: np.r_[rng.poisson(1, 300), rng.poisson(9, 200)],
    "binomial": lambda rng: np.r_[rng.binomial(20, 0.2, 300), rng.binomial(20, 0.7, 200)],
}
PARAMETERS_PER_GROUP = {"norm": 2, "lognorm": 2, "gamma": 2, "poisson": 1, "binomial": 1}


@pytest.mark.parametrize("family", sorted(SAMPLES))
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_weights_sum_to_one_and_groups_are_ordered(family, k):
    x = SAMPLES[family](np.random.default_rng(k))
    result = fit_mixture(*distinct(x), family, k, n=20 if family == "binomial" else None)
    assert result.weights.sum() == pytest.approx(1.0, abs=1e-12) and np.all(result.weights > 0)
    means = [component.mean() for component in result.mixture().components]
    assert means == sorted(means)


@pytest.mark.parametrize("family", ["norm", "lognorm", "gamma"])
def test_one_group_is_the_family_own_mle(family):
    x = SAMPLES[family](np.random.default_rng(7))
    result = fit_mixture(*distinct(x), family, 1)
    scipy_fit = getattr(stats, family).fit(x) if family == "norm" else getattr(stats, family).fit(x, floc=0)
    scipy_loglik = float(getattr(stats, family).logpdf(x, *scipy_fit).sum())
    assert result.loglik == pytest.approx(scipy_loglik, rel=1e-8)
    shape_and_scale = [value for value in scipy_fit if value != 0]
    assert [float(v[0]) for v in result.params.values()] == pytest.approx(shape_and_scale, rel=1e-5)


@pytest.mark.parametrize(("family", "options", "name"), [("poisson", {}, "poisson"), ("binomial", {"n": 20}, "binomial")])
def test_one_group_of_counts_is_the_family_own_fit(family, options, name):
    emp = Empirical.from_samples(SAMPLES[family](np.random.default_rng(3)))
    own = fit(emp, name, **options)
    mixed = fit(emp, "mixture", family=family, k=1, **options)
    assert mixed.mass(emp) == pytest.approx(own.mass(emp), rel=1e-10)


def test_poisson_mixture_matches_a_direct_maximisation_of_its_likelihood():
    values, counts = distinct(SAMPLES["poisson"](np.random.default_rng(11)))

    def negative_loglik(theta):
        w = special.expit(theta[0])
        mass = w * stats.poisson.pmf(values, math.exp(theta[1])) + (1 - w) * stats.poisson.pmf(values, math.exp(theta[2]))
        return -float(counts @ np.log(mass))

    reference = optimize.minimize(negative_loglik, [0.0, 0.0, 2.0], method="Nelder-Mead",
                                  options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000})
    result = fit_mixture(values, counts, "poisson", 2)
    assert result.loglik == pytest.approx(-reference.fun, rel=1e-9)
    assert result.params["mu"] == pytest.approx(np.exp(reference.x[1:]), rel=1e-4)


@pytest.mark.parametrize("family", sorted(SAMPLES))
def test_parameters_are_counted_honestly(family):
    emp = Empirical.from_samples(SAMPLES[family](np.random.default_rng(5)), bins=200)
    for k in (2, 3):
        model = fit(emp, "mixture", family=family, k=k, **({"n": 20} if family == "binomial" else {}))
        assert model.n_params == (k - 1) + k * PARAMETERS_PER_GROUP[family]
        assert len(model.extra["components"]) == k
        assert sum(c["weight"] for c in model.extra["components"]) == pytest.approx(1.0)
    assert fit(emp, "mixture", family=family, k=2, **({"n": 20} if family == "binomial" else {})).n_params == (
        5 if PARAMETERS_PER_GROUP[family] == 2 else 3)


def test_fits_are_deterministic():
    emp = Empirical.from_samples(SAMPLES["gamma"](np.random.default_rng(2)), bins=300)
    first, second = fit(emp, "mixture", family="gamma", k=2), fit(emp, "mixture", family="gamma", k=2)
    assert first.params == second.params


def test_the_iteration_budget_bounds_the_work():
    x = SAMPLES["norm"](np.random.default_rng(4))
    capped = fit_mixture(*distinct(x), "norm", 3, max_iterations=2)
    assert not capped.converged and capped.iterations <= 2 + 25


# ------------------------------------------------------------------ interface
def mixtures_to_probe():
    continuous = fit_mixture(*distinct(SAMPLES["lognorm"](np.random.default_rng(8))), "lognorm", 2).mixture()
    discrete = fit_mixture(*distinct(SAMPLES["poisson"](np.random.default_rng(8))), "poisson", 3).mixture()
    return continuous, discrete


def test_continuous_interface_is_consistent_and_silent():
    mixture, _ = mixtures_to_probe()
    x = np.array([-1.0, 0.0, 0.01, 0.5, 1.0, 3.0, 10.0, 200.0, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        logpdf, cdf, logcdf, logsf = mixture.logpdf(x), mixture.cdf(x), mixture.logcdf(x), mixture.logsf(x)
        quantiles = mixture.ppf(np.array([0.0, 1e-9, 0.25, 0.5, 0.9, 1 - 1e-9, 1.0]))
    assert logpdf[0] == -np.inf and cdf[0] == 0.0 and logcdf[0] == -np.inf and logsf[0] == 0.0
    assert cdf[-1] == 1.0 and logsf[-1] == -np.inf
    inside = slice(2, 7)
    assert np.exp(logcdf[inside]) == pytest.approx(cdf[inside], rel=1e-12)
    assert np.exp(logsf[inside]) == pytest.approx(1 - cdf[inside], rel=1e-9)
    assert quantiles[0] == 0.0 and quantiles[-1] == np.inf
    assert mixture.cdf(quantiles[1:-1]) == pytest.approx([1e-9, 0.25, 0.5, 0.9, 1 - 1e-9], rel=1e-8)
    grid = np.linspace(1e-6, 60, 200_001)
    assert np.trapezoid(np.exp(mixture.logpdf(grid)), grid) == pytest.approx(1.0, abs=1e-4)


def test_far_tails_stay_finite_in_log_space():
    mixture = Mixture(np.array([0.3, 0.7]), (stats.norm(0, 1), stats.norm(5, 1)), True)
    assert np.isfinite(mixture.logpdf(np.array([-60.0, 70.0]))).all()
    assert mixture.logcdf(np.array([-60.0]))[0] == pytest.approx(math.log(0.3) + stats.norm.logcdf(-60), rel=1e-12)
    assert mixture.logsf(np.array([70.0]))[0] == pytest.approx(math.log(0.7) + stats.norm.logsf(65), rel=1e-12)


def test_discrete_interface_matches_brute_force():
    _, mixture = mixtures_to_probe()
    support = np.arange(0, 200)
    mass = np.exp(mixture.logpdf(support))
    assert mass.sum() == pytest.approx(1.0, abs=1e-12)
    assert mixture.cdf(support) == pytest.approx(np.cumsum(mass), abs=1e-12)
    assert mixture.logpdf(np.array([-1.0, 2.5]))[0] == -np.inf
    q = np.array([1e-6, 0.1, 0.5, 0.77, 0.999999])
    brute = np.array([support[np.argmax(np.cumsum(mass) >= level - 1e-12)] for level in q])
    assert mixture.ppf(q).tolist() == brute.tolist()


def test_mixture_model_draws_its_components():
    emp = Empirical.from_samples(SAMPLES["norm"](np.random.default_rng(1)), bins=100)
    model = fit(emp, "mixture", family="norm", k=2)
    x = np.linspace(-3, 10, 50)
    parts = model.component_densities(x)
    assert parts.shape == (2, 50) and parts.sum(axis=0) == pytest.approx(model.pdf(x), rel=1e-10)
    assert [c["label"].startswith(f"normal group {j + 1}") for j, c in enumerate(model.extra["components"])] == [True, True]


def test_discrete_mixture_ranks_with_the_rest():
    emp = Empirical.from_samples(SAMPLES["poisson"](np.random.default_rng(6)))
    table = rank(emp, [("mixture", {"family": "poisson", "k": 2}), "poisson"])
    assert table.iloc[0]["model"] == "mixture" and np.isfinite(table.iloc[0]["kl"])
    assert table.iloc[0]["kl"] < table.iloc[1]["kl"]


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize(("data", "options", "reason"), [
    ([0, 1, 2, 3, 4, 5], {"family": "norm"}, "continuous data"),
    ([0, 1, 2, 3, 4, 5], {"family": "poisson", "k": 5}, "1 to 4 groups"),
    ([0, 1, 2, 3, 4, 5], {"family": "binomial", "n": 3}, "n ≥ the largest value"),
    ([0, 1, 2, 3, 4, 5], {"family": "cauchy"}, "must be one of"),
    ([0, 1, 2, 0, 1, 2], {"family": "poisson", "k": 2}, "at least 4 distinct values"),
])
def test_refusals_say_why(data, options, reason):
    with pytest.raises(DataError, match=reason):
        fit(Empirical.from_samples(data), "mixture", **options)


def test_continuous_families_refuse_counts_and_non_positive_values():
    rng = np.random.default_rng(0)
    with pytest.raises(DataError, match="is for counts"):
        fit(Empirical.from_samples(rng.normal(size=500)), "mixture", family="poisson")
    with pytest.raises(DataError, match="needs positive values"):
        fit(Empirical.from_samples(rng.normal(size=500)), "mixture", family="gamma")


def test_registry_entry_and_the_data_a_fit_sees():
    spec = REGISTRY["mixture"]
    assert spec.kinds == frozenset({"discrete", "binned"}) and not spec.default and set(FAMILIES) == set(SAMPLES)
    values, weights, what = weighted_values(Empirical.from_samples(FAITHFUL_ERUPTIONS))
    assert weights.sum() == 272 and what in ("raw values", "bin centres")


def test_default_family_follows_the_data():
    counts = Empirical.from_samples(SAMPLES["poisson"](np.random.default_rng(9)))
    assert fit(counts, "mixture").label == "two Poisson groups mixed"
    continuous = Empirical.from_samples(SAMPLES["norm"](np.random.default_rng(9)), bins=100)
    assert fit(continuous, "mixture").label == "two normal groups mixed"

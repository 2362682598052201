"""The weighted summary the likelihood search runs on, the evaluation budgets, and the one time box."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from kl_core.empirical import Empirical
from kl_core.models import fit
from kl_core.models.base import DEFAULT_TIME_LIMIT, time_limit
from kl_core.models.continuous import search
from kl_core.models.continuous.fitting import POINTS_LIMIT
from kl_core.models.continuous.catalogue import family
from kl_core.models.continuous.summary import (
    COARSE_GROUPS, FINE_GROUPS, group_error_bounds, log_likelihood_bound, summaries, weighted_summary, with_exact_groups,
)
from kl_core.ranking import rank
from kl_core.sketch import ValueSketch

N = 200_000


def _distinct(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values, counts = np.unique(x, return_counts=True)
    return values, counts.astype(float)


CASES = [  # data, a model that is not the truth (the sum must hold away from the optimum too)
    ("gamma", lambda rng: rng.gamma(2.0, 3.0, N), stats.gamma(2.2, scale=2.7)),
    ("cauchy tails", lambda rng: rng.standard_t(1, N), stats.t(1.3, loc=0.1, scale=0.9)),
    ("t(3)", lambda rng: rng.standard_t(3, N), stats.t(3.5, scale=1.1)),
    ("lognormal, wide", lambda rng: rng.lognormal(0.0, 2.0, N), stats.lognorm(1.8, scale=1.2)),
    ("weibull near 0", lambda rng: rng.weibull(0.7, N), stats.weibull_min(0.75, scale=1.1)),
]


@pytest.mark.parametrize(("label", "draw", "model"), CASES, ids=[c[0] for c in CASES])
def test_fine_summary_log_likelihood_is_the_raw_values(label, draw, model):
    values, counts = _distinct(draw(np.random.default_rng(31)))
    summary = weighted_summary(values, counts, FINE_GROUPS, 64)
    assert summary.values.size < values.size / 20
    assert float(summary.weights.sum()) == pytest.approx(N, rel=1e-12)
    assert summary.values[0] == values[0] and summary.values[-1] == values[-1]  # exact ends: support checks hold
    assert np.all(np.diff(summary.values) >= 0)
    full = float(np.dot(counts, model.logpdf(values)))
    small = float(np.dot(summary.weights, model.logpdf(summary.values)))
    assert abs(small - full) <= 1e-8 * abs(full), (label, small - full)


def test_summary_matches_each_group_mean_variance_and_skew():
    """Two Gauss points per group: weight, mean, variance and third moment of the group's values."""
    values, counts = _distinct(np.random.default_rng(4).gamma(2.0, 1.0, 50_000))
    summary = weighted_summary(values, counts, 64, 8)
    for power in (1, 2, 3):  # every cubic is integrated exactly, so the raw moments agree
        assert float(np.dot(summary.weights, summary.values**power)) == pytest.approx(float(np.dot(counts, values**power)), rel=1e-10)


def test_few_values_are_kept_as_they_are():
    values, counts = _distinct(np.random.default_rng(5).normal(size=500))
    summary = weighted_summary(values, counts, 256, 16)
    assert np.array_equal(summary.values, values) and np.array_equal(summary.weights, counts)


def test_fine_sketch_summary_keeps_the_exact_min_and_max():
    x = np.random.default_rng(6).gamma(2.0, 1.0, 30_000)
    sketch = ValueSketch.from_values(x, max_exact=1_000)
    assert not sketch.exact
    coarse, fine = summaries(sketch)
    for summary in (coarse, fine):
        assert summary.values[0] == x.min() and summary.values[-1] == x.max()
        assert float(summary.weights.sum()) == pytest.approx(x.size, rel=1e-12)
        assert float(np.dot(summary.weights, summary.values)) == pytest.approx(float(x.sum()), rel=1e-9)
    assert coarse.groups <= COARSE_GROUPS + COARSE_GROUPS // 4 + 2 * (COARSE_GROUPS // 8)


@pytest.fixture(scope="module")
def many() -> tuple[np.ndarray, Empirical]:
    x = np.random.default_rng(7).gamma(2.0, 3.0, 30_000)
    emp = Empirical.from_samples(x)
    assert emp.sketch.exact and emp.sketch.size > POINTS_LIMIT  # the summarised path
    return x, emp


@pytest.mark.parametrize("name", ["t", "gengamma", "burr12", "johnsonsu"])
def test_summarised_fit_is_the_raw_data_mle(name, many):
    """Nelder–Mead on every raw value, from our parameters, finds no better log-likelihood than ours."""
    x, emp = many
    model = fit(emp, name)
    family = getattr(stats, name)
    shapes = [s.name for s in family._shape_info()]
    keys = [*shapes, "loc", "scale"] if model.params["loc"] != 0 else [*shapes, "scale"]

    def negative(theta: np.ndarray) -> float:
        params = {**model.params, **dict(zip(keys, theta))}
        if params["scale"] <= 0:
            return math.inf
        value = -float(np.sum(family.logpdf(x, *[params[s] for s in shapes], loc=params["loc"], scale=params["scale"])))
        return value if math.isfinite(value) else math.inf

    ours = negative(np.array([model.params[k] for k in keys]))
    polished = optimize.minimize(negative, [model.params[k] for k in keys], method="Nelder-Mead",
                                 options={"xatol": 1e-10, "fatol": 1e-10, "maxfev": 400})
    assert math.isfinite(ours)
    assert ours - polished.fun <= 1e-7 * abs(ours), (name, ours - polished.fun, model.params)


FROM_STATISTICS = ("norm", "lognorm", "gamma", "expon", "weibull_min", "laplace")


def test_moment_log_likelihoods_are_the_raw_sums(many):
    """Families scored from sufficient statistics (or an identity at their closed-form MLE): Σ log f(xᵢ) itself."""
    x, emp = many
    table = rank(emp, list(FROM_STATISTICS)).set_index("model")
    for name in FROM_STATISTICS:
        params = table.loc[name, "params"]
        family = getattr(stats, name)
        shapes = [params[s.name] for s in family._shape_info()]
        direct = float(np.sum(family.logpdf(x, *shapes, loc=params["loc"], scale=params["scale"])))
        assert table.loc[name, "loglik"] == pytest.approx(direct, rel=1e-11), name


def test_a_fitted_model_scored_on_other_data_sums_their_log_density(many):
    x, emp = many
    for name in ("weibull_min", "laplace"):
        model = fit(emp, name)
        other = Empirical.from_samples(x[:7_000] * 1.1)
        direct = float(np.sum(model.extra["frozen"].logpdf(x[:7_000] * 1.1)))
        assert rank(other, [model]).iloc[0]["loglik"] == pytest.approx(direct, rel=1e-12), name


def test_log_tails_agree_with_scipy_far_out(many):
    _, emp = many
    for name in ("gamma", "t", "rel_breitwigner", "johnsonsu"):
        model = fit(emp, name)
        frozen = model.extra["frozen"]
        probe = np.concatenate([frozen.ppf([1e-12, 0.3, 0.5, 0.7, 1 - 1e-12]), [frozen.ppf(0.5) + 1e4 * frozen.std()]])
        assert np.allclose(model.logcdf(probe), frozen.logcdf(probe), rtol=1e-9, atol=1e-12), name
        assert np.allclose(model.logsf(probe), frozen.logsf(probe), rtol=1e-9, atol=1e-12), name


# ------------------------------------------------------------------ budgets, not seconds
def test_same_ranking_whatever_the_time_box(many):
    """Work is bounded by evaluation budgets: a huge time box changes no row (no clock is read here)."""
    _, emp = many
    names = ["t", "johnsonsu", "burr12", "gengamma", "weibull_min", "gamma"]
    default = rank(emp, names)
    roomy = rank(emp, [(name, {"time_limit": 1e9}) for name in names])
    assert default["model"].tolist() == roomy["model"].tolist()
    assert default["params"].tolist() == roomy["params"].tolist()
    assert default["kl"].tolist() == roomy["kl"].tolist()


def test_a_fit_that_spends_its_budget_says_so(many, monkeypatch):
    _, emp = many
    monkeypatch.setattr(search, "POLISH_EVALUATIONS", 3)
    monkeypatch.setattr(search, "POLISH_EVALUATIONS_PER_PARAMETER", 0)
    assert search.evaluation_budget(3, polish=True)[1] == 3
    row = rank(emp, ["johnsonsu"]).iloc[0]
    assert math.isfinite(row["kl"])  # still a result: the best parameters found
    assert "used its whole budget of 3 likelihood evaluations" in row["note"]


def test_a_settled_fit_says_nothing_about_its_budget(many):
    _, emp = many
    assert "budget" not in fit(emp, "t").note


def test_one_time_box_with_one_default():
    assert time_limit({}) == DEFAULT_TIME_LIMIT
    assert search.minimize_nll.__kwdefaults__["time_limit"] == DEFAULT_TIME_LIMIT


def test_the_row_says_when_the_time_box_fired(many):
    _, emp = many
    row = rank(emp, [("johnsonsu", {"time_limit": 1e-6})]).iloc[0]
    assert math.isnan(row["kl"])
    assert "hit the 1e-06 s time box" in row["note"] and "safety limit" in row["note"]


def test_each_group_bound_holds_and_points_at_a_cusp():
    """Per group, |two-point sum − exact sum| ≤ the group's bound; dgamma's −∞ at loc lands in the worst group."""
    values, counts = _distinct(np.random.default_rng(8).gamma(2.0, 3.0, 50_000))
    summary = weighted_summary(values, counts, 256, 16)
    model = stats.dgamma(1.3, loc=5.0, scale=2.4)
    total, bounds = group_error_bounds(summary, model.logpdf)
    assert total == pytest.approx(float(np.dot(summary.weights, model.logpdf(summary.values))), rel=1e-14)
    logs = model.logpdf(values)
    for group in np.argsort(-bounds)[:20]:
        low, high = summary.group_low[group], summary.group_high[group]
        exact = float(np.dot(counts[(values >= low) & (values <= high)], logs[(values >= low) & (values <= high)]))
        nodes = (summary.values >= low) & (summary.values <= high)
        assert abs(float(np.dot(summary.weights[nodes], model.logpdf(summary.values[nodes]))) - exact) <= bounds[group]
    worst = int(np.argmax(bounds))
    assert summary.group_low[worst] <= 5.0 <= summary.group_high[worst] and bounds[worst] > 1.0


def test_exact_groups_make_the_sum_exact_where_they_were_off():
    values, counts = _distinct(np.random.default_rng(8).gamma(2.0, 3.0, 50_000))
    summary = weighted_summary(values, counts, 256, 16)
    model = stats.dgamma(1.3, loc=5.0, scale=2.4)
    _, bounds = group_error_bounds(summary, model.logpdf)
    rough = bounds > 1e-9 * abs(float(np.dot(counts, model.logpdf(values))))
    exact = with_exact_groups(summary, values, counts, rough)
    assert exact.groups == summary.groups - int(rough.sum())
    assert float(exact.weights.sum()) == pytest.approx(float(counts.sum()), rel=1e-12)
    assert np.all(np.diff(exact.values) >= 0)
    full = float(np.dot(counts, model.logpdf(values)))
    before, after = (float(np.dot(s.weights, model.logpdf(s.values))) for s in (summary, exact))
    total, bound = log_likelihood_bound(exact, model.logpdf)
    assert abs(before - full) > 1.0  # the cusp costs the plain summary nats
    assert abs(after - full) <= bound <= 1e-8 * abs(full)


@pytest.mark.parametrize("name", ["dgamma"])
def test_a_fit_with_a_cusp_through_the_summary_is_as_good_as_the_search_on_every_value(name):
    """log f → −∞ at loc (a > 1): the summary's groups around loc are replaced by their values while polishing.

    (dweibull, c > 1, is not here: there the raw log-likelihood has local maxima in loc about a nat apart, between
    the −∞ at each value, and the search on every value and the summary's polish stop at different ones, either
    side of each other depending on the sample.)
    """
    x = np.random.default_rng(7).gamma(2.0, 3.0, 20_000)
    model = fit(Empirical.from_samples(x), name)
    values, counts = _distinct(x)
    assert values.size > POINTS_LIMIT  # the summarised path
    on_values = search.search(family(name), search.points(values, counts), {}, 60.0).params
    dist = getattr(stats, name)
    ours, theirs = (float(np.sum(dist.logpdf(x, p[dist.shapes], loc=p["loc"], scale=p["scale"]))) for p in (model.params, on_values))  # one shape
    assert ours >= theirs - 1e-6 * abs(theirs), (name, ours, theirs, model.params, on_values)

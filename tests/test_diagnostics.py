"""kl_core.diagnostics: GOF statistics against scipy, Q-Q / P-P points, Cullen–Frey shapes and families."""

import math
import types

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kl_core import DataError, Empirical, FittedModel, fit
from kl_core.models.mixture import Mixture, mixture_model
from reference_data import REFERENCE, SCIPY, gof_reference, mle_reference, real_values
from kl_core.diagnostics import (
    FITTED_PARAMETERS_NOTE, MAX_POINTS, cullen_frey_reference, gof_statistics, mid_distribution, pp_points, qq_points,
    shape_statistics,
)


def with_raw_values(x: np.ndarray, bins: int = 50) -> Empirical:
    """Binned data carrying its raw values the way the agreed ``Empirical.sketch`` does (values, counts)."""
    emp = Empirical.from_samples(x, kind="binned", bins=bins)
    values, counts = np.unique(x, return_counts=True)
    object.__setattr__(emp, "sketch", types.SimpleNamespace(values=values, counts=counts.astype(float)))
    return emp


def normal_model(loc: float, scale: float) -> FittedModel:
    frozen = stats.norm(loc, scale)
    return FittedModel("norm", {"loc": loc, "scale": scale}, 2, cdf_function=frozen.cdf, continuous=True,
                       extra={"frozen": frozen})


# --------------------------------------------------------------------- GOF
# fitdistrplus::gofstat on R's own MLE fits (tests/data/reference/make_reference_mle.R).
R_GOF = pd.read_csv(REFERENCE / "gof_stats.csv")[["dataset", "variable", "distr"]].to_dict("records")


def r_model(dataset: str, variable: str, distr: str):
    """R's fitted distribution as a one-group mixture, so it has logcdf and logsf."""
    frozen = SCIPY[distr](mle_reference(dataset, variable, distr)["params"])
    return mixture_model(distr, Mixture(np.array([1.0]), (frozen,), True), {}, 2, distr)


@pytest.mark.parametrize("case", R_GOF, ids=lambda c: f"{c['dataset']}-{c['variable']}-{c['distr']}")
def test_statistics_match_r_gofstat(case):
    reference = gof_reference(**case)
    x = real_values(case["dataset"], case["variable"])
    ours = gof_statistics(with_raw_values(x), r_model(**case))
    assert ours["ks"] == pytest.approx(reference["ks"], rel=1e-7)
    assert ours["cvm"] == pytest.approx(reference["cvm"], rel=1e-7)
    # ad_log: gofstat's formula in log space (gofstat's own ad is Inf where 1 − F underflows)
    assert ours["ad"] == pytest.approx(reference["ad_log"], rel=1e-6)


def test_statistics_match_scipy_on_the_raw_values():
    x = np.random.default_rng(0).normal(10, 2, 400)
    loc, scale = float(x.mean()), float(x.std(ddof=1))
    row = gof_statistics(with_raw_values(x), normal_model(loc, scale))
    ks = stats.kstest(x, stats.norm(loc, scale).cdf)
    cvm = stats.cramervonmises(x, stats.norm(loc, scale).cdf)
    assert row["ks"] == pytest.approx(ks.statistic, rel=1e-12) and row["ks_pvalue"] == pytest.approx(ks.pvalue, rel=1e-9)
    assert row["cvm"] == pytest.approx(cvm.statistic, rel=1e-12) and row["cvm_pvalue"] == pytest.approx(cvm.pvalue, rel=1e-9)
    # scipy's anderson(x, "norm") scores the normal with mean and sd (ddof=1) estimated: the same model.
    assert row["ad"] == pytest.approx(stats.anderson(x, "norm", method="interpolate").statistic, rel=1e-9)
    assert math.isnan(row["ad_pvalue"]) and FITTED_PARAMETERS_NOTE in row["gof_note"] and row["n"] == 400


def test_an_observed_value_outside_the_support_makes_anderson_darling_infinite():
    x = np.r_[np.random.default_rng(1).uniform(0, 1, 200), 1.5]
    model = FittedModel("uniform", {}, 2, cdf_function=stats.uniform(0, 1).cdf, continuous=True)
    assert gof_statistics(with_raw_values(x), model)["ad"] == math.inf


def test_without_raw_values_there_are_no_p_values():
    emp = Empirical.from_samples(np.random.default_rng(2).normal(size=300), bins=20)
    if getattr(emp, "sketch", None) is not None:  # once Empirical keeps raw values, the statistics use them
        assert np.isfinite(gof_statistics(emp, normal_model(0, 1))["ks_pvalue"])
    else:
        row = gof_statistics(emp, normal_model(0, 1))
        assert math.isnan(row["ks_pvalue"]) and "bins' centres" in row["gof_note"]


def test_counts_are_refused_with_the_alternative(teeth):
    with pytest.raises(DataError, match="G-test"):
        gof_statistics(teeth, fit(teeth, "binomial"))


# ------------------------------------------------------------------ Q-Q and P-P
def test_continuous_qq_and_pp_are_order_statistics_against_the_model():
    x = np.random.default_rng(3).gamma(2.0, 1.5, 300)
    model = normal_model(3.0, 2.0)
    levels = (np.arange(300) + 0.5) / 300
    model_q, data_q = qq_points(with_raw_values(x), model)
    assert data_q.tolist() == np.sort(x).tolist()
    assert model_q == pytest.approx(stats.norm(3.0, 2.0).ppf(levels), rel=1e-8)
    model_p, data_p = pp_points(with_raw_values(x), model)
    assert model_p == pytest.approx(stats.norm(3.0, 2.0).cdf(np.sort(x)), rel=1e-12) and data_p == pytest.approx(levels)


def test_large_data_gives_at_most_max_points():
    x = np.random.default_rng(4).normal(size=50_000)
    for points in (qq_points, pp_points):
        model_side, data_side = points(with_raw_values(x), normal_model(0, 1))
        assert model_side.size == data_side.size == MAX_POINTS


def test_discrete_points_use_the_mid_distribution(teeth):
    model = fit(teeth, "binomial")
    model_p, data_p = pp_points(teeth, model)
    binom = stats.binom(10, model.params["p"])
    assert model_p == pytest.approx(binom.cdf(teeth.support) - binom.pmf(teeth.support) / 2, rel=1e-12)
    assert data_p == pytest.approx(np.cumsum(teeth.probs) - teeth.probs / 2)
    # scored against itself, the data's own distribution lies on the diagonal
    own = FittedModel("own", {}, 0, pmf_function=lambda v: np.interp(v, teeth.support, teeth.probs, 0, 0),
                      cdf_function=lambda v: np.interp(np.floor(v), teeth.support, np.cumsum(teeth.probs), 0, 1))
    model_q, data_q = qq_points(teeth, own)
    assert model_q == pytest.approx(data_q, abs=1e-9)
    assert mid_distribution(own, teeth.support) == pytest.approx(data_p)


def test_categories_have_no_quantiles():
    coin = Empirical.from_samples(list("HTHHT"))
    with pytest.raises(DataError, match="needs numbers"):
        qq_points(coin, fit(coin, "uniform"))


# ------------------------------------------------------------------ Cullen–Frey
def test_shape_matches_scipy_bias_corrected_estimators(teeth):
    x = np.repeat(teeth.support, teeth.counts.astype(int))
    shape = shape_statistics(teeth, bootstrap=300, seed=1)
    assert shape.skewness == pytest.approx(stats.skew(x, bias=False), rel=1e-10)
    assert shape.kurtosis == pytest.approx(stats.kurtosis(x, fisher=False, bias=False), rel=1e-10)
    assert shape.boot_skewness.size == 300 and shape.discrete
    assert abs(np.median(shape.boot_skewness) - shape.skewness) < 0.2
    again = shape_statistics(teeth, bootstrap=300, seed=1)
    assert again.boot_kurtosis.tolist() == shape.boot_kurtosis.tolist()


def test_too_little_data_is_refused():
    with pytest.raises(DataError, match="at least 4"):
        shape_statistics(Empirical.from_counts([1, 2], [1, 2]))


@pytest.mark.parametrize("a", [0.5, 2.0, 10.0])
def test_gamma_and_lognormal_lines_hold_scipy_moments(a):
    skew, kurt = (float(v) for v in stats.gamma(a).stats("sk"))
    reference = cullen_frey_reference(False, 20.0)
    line = reference["lines"]["gamma"]
    assert np.interp(skew**2, line[0], line[1]) == pytest.approx(kurt + 3, rel=1e-9)
    s_skew, s_kurt = (float(v) for v in stats.lognorm(a / 20).stats("sk"))
    lognormal = reference["lines"]["log-normal"]
    assert np.interp(s_skew**2, lognormal[0], lognormal[1]) == pytest.approx(s_kurt + 3, rel=1e-2)


def test_discrete_families_lie_on_their_line_and_in_their_area():
    reference = cullen_frey_reference(True, 5.0)
    skew, kurt = (float(v) for v in stats.poisson(2.5).stats("sk"))
    line = reference["lines"]["Poisson"]
    assert np.interp(skew**2, line[0], line[1]) == pytest.approx(kurt + 3, rel=1e-12)
    skew, kurt = (float(v) for v in stats.nbinom(3, 0.4).stats("sk"))
    area = reference["areas"]["negative binomial"]
    half = area.shape[1] // 2
    low = np.interp(skew**2, area[0][:half], area[1][:half])
    high = np.interp(skew**2, area[0][half:][::-1], area[1][half:][::-1])
    assert low < kurt + 3 < high


def test_bootstrap_work_is_bounded_by_resamples_times_values(monkeypatch):
    import kl_core.diagnostics as diagnostics

    emp = Empirical.from_counts(np.arange(100), np.full(100, 3))
    monkeypatch.setattr(diagnostics, "MAX_BOOTSTRAP_CELLS", 1_000)
    assert diagnostics.shape_statistics(emp, bootstrap=500).boot_skewness.size == 10

"""Standard errors and bootstrap intervals of fitted parameters (kl_core.uncertainty).

References: R ``fitdistrplus::fitdist(x, distr, method="mle")$sd`` on real datasets, in
tests/data/reference/mle_fits.csv (written by make_reference_mle.R there): the square roots
of the diagonal of the inverse of R optim's Hessian of the negative log-likelihood.
"""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kl_core import Empirical
from kl_core.errors import DataError
from kl_core.models import fit
from kl_core.uncertainty import (
    MAX_RESAMPLES,
    covariance,
    free_parameters,
    hessian_covariance,
    log_likelihood,
    parameter_intervals,
    standard_errors,
)
from reference_data import REFERENCE, mle_reference, real_values

TEETH = Empirical.from_counts(range(11), [2, 3, 5, 14, 16, 15, 12, 8, 10, 8, 7])

COUNT_DATA = [
    ("toxocara", "number"), ("discoveries", "discoveries"), ("InsectSprays", "count"),
    ("warpbreaks", "breaks"), ("rivers", "length"), ("islands", "area"),
]


def _counts(dataset: str, variable: str) -> Empirical:
    return Empirical.from_samples(real_values(dataset, variable), name=dataset)


# ------------------------------------------------------------------ analytic cases
def test_binomial_p_on_the_worm_teeth():
    cov = covariance(TEETH, fit(TEETH, "binomial", n=10))
    p = TEETH.mean() / 10
    assert cov.method == "analytic"
    assert cov.stderr["p"] == pytest.approx(math.sqrt(p * (1 - p) / (TEETH.total * 10)), rel=1e-12)
    assert round(cov.stderr["p"], 5) == 0.01575


@pytest.mark.parametrize("family, options", [("binomial", {"n": 10}), ("poisson", {}), ("geom", {})])
def test_closed_forms_equal_the_numerical_hessian_of_the_public_log_likelihood(family, options):
    model = fit(TEETH, family, **options)
    (name,) = free_parameters(TEETH, model)

    def loglik(theta):
        return log_likelihood(TEETH, fit(TEETH, family, **{**options, name: float(theta[0])}))

    numerical, note = hessian_covariance(loglik, [model.params[name]])
    assert note == ""
    assert standard_errors(TEETH, model)[name] == pytest.approx(math.sqrt(numerical[0, 0]), rel=1e-6)


@pytest.mark.parametrize("dataset, variable", COUNT_DATA)
def test_poisson_and_geometric_match_fitdistrplus(dataset, variable):
    emp = _counts(dataset, variable)
    poisson = standard_errors(emp, fit(emp, "poisson"))["mu"]
    geom = standard_errors(emp, fit(emp, "geom"))["p"]
    assert poisson == pytest.approx(mle_reference(dataset, variable, "pois")["sd"]["lambda"], rel=1e-6)
    assert geom == pytest.approx(mle_reference(dataset, variable, "geom")["sd"]["prob"], rel=1e-6)


# ------------------------------------------------------------------ numerical cases
@pytest.mark.parametrize("dataset, variable", COUNT_DATA)
def test_negative_binomial_matches_fitdistrplus(dataset, variable):
    # R parameterises by (size, mu), kl_core by (n, p) with n = size and mu = n (1 - p) / p.
    # Var(n) is the same in both; Var(mu) follows by the delta method from the (n, p) covariance.
    emp = _counts(dataset, variable)
    model = fit(emp, "nbinom")
    cov = covariance(emp, model)
    assert cov.method == "numerical" and cov.names == ("n", "p") and cov.note == ""
    n, p = model.params["n"], model.params["p"]
    gradient = np.array([(1 - p) / p, -n / p**2])
    sd_mu = math.sqrt(gradient @ cov.matrix @ gradient)
    r_sd = mle_reference(dataset, variable, "nbinom")["sd"]
    assert cov.stderr["n"] == pytest.approx(r_sd["size"], rel=1e-3)
    assert sd_mu == pytest.approx(r_sd["mu"], rel=1e-3)


def _r_log_likelihood(distr: str, x: np.ndarray):
    """The raw-data log-likelihood in R's parameterisation, by scipy."""
    logpdf = {
        "norm": lambda mean, sd: stats.norm.logpdf(x, mean, sd),
        "lnorm": lambda meanlog, sdlog: stats.lognorm.logpdf(x, sdlog, scale=math.exp(meanlog)),
        "gamma": lambda shape, rate: stats.gamma.logpdf(x, shape, scale=1 / rate),
        "weibull": lambda shape, scale: stats.weibull_min.logpdf(x, shape, scale=scale),
        "exp": lambda rate: stats.expon.logpdf(x, scale=1 / rate),
        "logis": lambda location, scale: stats.logistic.logpdf(x, location, scale),
    }[distr]
    return lambda theta: float(np.sum(logpdf(*theta)))


_FITS = pd.read_csv(REFERENCE / "mle_fits.csv")
CONTINUOUS_CASES = sorted(
    {tuple(row) for row in _FITS[["dataset", "variable", "distr"]].itertuples(index=False)
     if row.distr in ("norm", "lnorm", "gamma", "weibull", "exp", "logis")}
)


@pytest.mark.parametrize("dataset, variable, distr", CONTINUOUS_CASES)
def test_raw_data_hessian_matches_fitdistrplus_at_its_estimates(dataset, variable, distr):
    # The numerical path on every continuous family R fitted, at R's estimates, in R's parameters.
    reference = mle_reference(dataset, variable, distr)
    x = real_values(dataset, variable)
    matrix, note = hessian_covariance(_r_log_likelihood(distr, x), list(reference["params"].values()))
    assert note == ""
    for index, name in enumerate(reference["params"]):
        assert math.sqrt(matrix[index, index]) == pytest.approx(reference["sd"][name], rel=1e-3), name


def test_continuous_log_likelihood_sums_weights_times_log_density_over_the_raw_values():
    # The agreed interface: emp.sketch has values and counts; a continuous model has logpdf.
    values, counts = np.array([0.5, 1.0, 2.5]), np.array([2.0, 0.0, 3.0])
    emp = SimpleNamespace(kind="binned", sketch=SimpleNamespace(values=values, counts=counts))
    model = SimpleNamespace(continuous=True, logpdf=stats.gamma(2.0, scale=1.5).logpdf)
    expected = 2 * stats.gamma.logpdf(0.5, 2.0, scale=1.5) + 3 * stats.gamma.logpdf(2.5, 2.0, scale=1.5)
    assert log_likelihood(emp, model) == pytest.approx(expected, rel=1e-12)


def test_a_density_on_bins_without_raw_values_has_no_standard_error():
    emp = Empirical(np.array([0.5, 1.5]), np.array([3.0, 5.0]), "binned", edges=np.array([0.0, 1.0, 2.0]), n=8.0)
    model = fit(emp, "norm")
    with pytest.raises(DataError, match="raw values"):
        log_likelihood(emp, model)
    cov = covariance(emp, model)
    assert all(math.isnan(value) for value in cov.stderr.values()) and "raw values" in cov.note


# --------------------------------------------------------------- which parameters
def test_fixed_and_whole_number_parameters_are_not_free():
    emp = Empirical.from_counts([0, 1, 2, 5, 9], [10, 6, 3, 2, 1])
    assert free_parameters(emp, fit(emp, "nbinom")) == ["n", "p"]
    assert free_parameters(emp, fit(emp, "nbinom", n=2.0)) == ["p"]
    assert free_parameters(emp, fit(emp, "nbinom", p=0.3)) == ["n"]
    assert free_parameters(emp, fit(emp, "binomial")) == ["p"]  # n, a whole number from the data, is held
    assert standard_errors(emp, fit(emp, "nbinom", n=2.0, p=0.3)) == {}


def test_a_fixed_parameter_changes_the_standard_error_of_the_other():
    # With n held, p's information is larger than its share of the joint one: a smaller SE.
    emp = _counts("warpbreaks", "breaks")
    joint = covariance(emp, fit(emp, "nbinom"))
    held = covariance(emp, fit(emp, "nbinom", n=fit(emp, "nbinom").params["n"]))
    assert held.names == ("p",)
    assert held.stderr["p"] < joint.stderr["p"]
    assert held.stderr["p"] == pytest.approx(math.sqrt(1 / np.linalg.inv(joint.matrix)[1, 1]), rel=1e-3)


# ----------------------------------------------------------------- edges, no crash
@pytest.mark.parametrize("emp, family, options", [
    (Empirical.from_counts([0, 1], [5, 0]), "binomial", {"n": 3}),  # p = 0
    (Empirical.from_counts([0, 1], [0, 5]), "bernoulli", {}),  # p = 1
    (Empirical.from_counts([0, 1, 2], [10, 5, 1]), "nbinom", {}),  # variance < mean: n capped at the Poisson limit
])
def test_a_parameter_at_an_edge_gives_nan_with_a_note(emp, family, options):
    cov = covariance(emp, fit(emp, family, **options))
    assert cov.names and all(math.isnan(value) for value in cov.stderr.values())
    assert cov.note


def test_a_flat_log_likelihood_is_singular_nan_with_a_note():
    matrix, note = hessian_covariance(lambda theta: -float(theta[0] - 1) ** 2, [1.0, 2.0])
    assert np.isnan(matrix).all() and "singular" in note


def test_probabilities_have_no_standard_errors():
    emp = Empirical.from_probabilities([0, 1, 2], [0.5, 0.3, 0.2])
    cov = covariance(emp, fit(emp, "poisson"))
    assert math.isnan(cov.stderr["mu"]) and "probabilities" in cov.note


def test_covariance_is_cached_per_data_and_model():
    emp = _counts("toxocara", "number")
    model = fit(emp, "nbinom")
    assert covariance(emp, model) is covariance(emp, model)
    assert covariance(emp, fit(emp, "nbinom")) is not covariance(emp, model)
    assert covariance(emp.with_counts(emp.counts * 2), model) is not covariance(emp, model)


# ------------------------------------------------------------------ bootstrap
def test_bootstrap_intervals_are_deterministic_by_seed_and_bounded_by_n_boot():
    first = parameter_intervals(TEETH, ("binomial", {"n": 10}), n_boot=50, seed=3)
    again = parameter_intervals(TEETH, ("binomial", {"n": 10}), n_boot=50, seed=3)
    other = parameter_intervals(TEETH, ("binomial", {"n": 10}), n_boot=50, seed=4)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert first["resamples"].tolist() == [50]


def test_bootstrap_interval_has_the_width_of_the_sampling_spread_of_the_mean():
    # Poisson's mu is the sample mean, whose resampling sd is sd(x)/sqrt(N): the 95% percentile
    # interval is close to ±1.96 of it. On overdispersed discoveries (variance 5.1, mean 3.1)
    # that is wider than the Poisson information's ±1.96 sqrt(mu/N), by about sqrt(5.1/3.1).
    emp = _counts("discoveries", "discoveries")
    row = parameter_intervals(emp, "poisson", n_boot=400, seed=0).iloc[0]
    spread = math.sqrt(emp.var() / emp.total)
    assert row["low"] < row["estimate"] < row["high"]
    assert (row["high"] - row["low"]) / (2 * 1.96 * spread) == pytest.approx(1.0, abs=0.1)
    assert spread > standard_errors(emp, fit(emp, "poisson"))["mu"] * 1.2


def test_bootstrap_intervals_of_two_parameters():
    emp = _counts("warpbreaks", "breaks")
    table = parameter_intervals(emp, "nbinom", n_boot=30, seed=1, level=0.9)
    assert table["parameter"].tolist() == ["n", "p"]
    assert (table["low"] <= table["median"]).all() and (table["median"] <= table["high"]).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"n_boot": 1}, "n_boot"), ({"n_boot": MAX_RESAMPLES + 1}, "n_boot"), ({"n_boot": 2.5}, "n_boot"),
    ({"n_boot": 10, "level": 1.0}, "level"),
])
def test_bootstrap_rejects_bad_requests(kwargs, message):
    with pytest.raises(DataError, match=message):
        parameter_intervals(TEETH, "poisson", **kwargs)


def test_bootstrap_needs_counted_observations():
    emp = Empirical.from_probabilities([0, 1, 2], [0.5, 0.3, 0.2])
    with pytest.raises(DataError, match="probabilities"):
        parameter_intervals(emp, "poisson", n_boot=10)


# ------------------------------------------------ continuous families end to end against fitdistrplus
CONTINUOUS_FAMILIES = {  # R distr -> kl_core family, options, R's sd from kl_core's params and standard errors
    "norm": ("norm", {}, lambda p, se: {"mean": se["loc"], "sd": se["scale"]}),
    "lnorm": ("lognorm", {"loc": 0.0}, lambda p, se: {"meanlog": se["scale"] / p["scale"], "sdlog": se["s"]}),
    "gamma": ("gamma", {"loc": 0.0}, lambda p, se: {"shape": se["a"], "rate": se["scale"] / p["scale"] ** 2}),
    "weibull": ("weibull_min", {"loc": 0.0}, lambda p, se: {"shape": se["c"], "scale": se["scale"]}),
    "exp": ("expon", {"loc": 0.0}, lambda p, se: {"rate": se["scale"] / p["scale"] ** 2}),
    "logis": ("logistic", {}, lambda p, se: {"location": se["loc"], "scale": se["scale"]}),
}
RAW_CONTINUOUS = [("groundbeef", "serving"), ("endosulfan", "ATV"), ("danishuni", "Loss"), ("precip", "precip"),
                  ("faithful", "eruptions"), ("quakes", "mag")]
_FITTED_IN_R = pd.read_csv(REFERENCE / "mle_fits.csv")[["dataset", "variable", "distr"]].drop_duplicates()
CONTINUOUS_CASES = [  # only the fits R made: a family whose support cannot hold the data has no row
    (dataset, variable, distr) for dataset, variable in RAW_CONTINUOUS for distr in CONTINUOUS_FAMILIES
    if ((_FITTED_IN_R.dataset == dataset) & (_FITTED_IN_R.variable == variable) & (_FITTED_IN_R.distr == distr)).any()
]


def test_every_raw_continuous_dataset_has_reference_fits():
    assert len(CONTINUOUS_CASES) >= 30


def test_default_two_parameter_fits_hold_loc_as_the_explicit_form_does():
    # Positive families are fitted with loc = 0 by default: loc is held, not a free parameter with an error.
    emp = Empirical.from_samples(real_values("faithful", "eruptions"))
    for family in ("gamma", "weibull_min", "lognorm", "expon"):
        default, explicit = fit(emp, family), fit(emp, family, loc=0.0)
        assert free_parameters(emp, default) == free_parameters(emp, explicit) and "loc" not in free_parameters(emp, default)
        assert standard_errors(emp, default) == pytest.approx(standard_errors(emp, explicit), rel=1e-9)
    precip = Empirical.from_samples(real_values("precip", "precip"))
    assert free_parameters(precip, fit(precip, "gamma", loc="free")) == ["a", "loc", "scale"]
    assert free_parameters(emp, fit(emp, "norm")) == ["loc", "scale"]


@pytest.mark.parametrize("dataset, variable, distr", CONTINUOUS_CASES)
def test_continuous_standard_errors_match_fitdistrplus(dataset, variable, distr):
    family, options, in_r_terms = CONTINUOUS_FAMILIES[distr]  # rate = 1/scale, meanlog = log scale: the delta method
    emp = Empirical.from_samples(real_values(dataset, variable))
    model = fit(emp, family, **options)
    mine = in_r_terms(model.params, standard_errors(emp, model))
    for name, r_sd in mle_reference(dataset, variable, distr)["sd"].items():
        assert mine[name] == pytest.approx(r_sd, rel=1e-3), name
